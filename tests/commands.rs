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

use crate::util::{layout, scan_ok};

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
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

/// Scan every case of `file` and score it.
pub fn score(file: &Path) -> Score {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let cases: Vec<Case> = toml::from_str::<CaseFile>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .case;
    // Cases that share a path go to different images.
    let mut batches: Vec<Vec<&Case>> = Vec::new();
    for c in &cases {
        let p = norm(&c.path);
        match batches
            .iter_mut()
            .find(|b| b.iter().all(|o| norm(&o.path) != p))
        {
            Some(b) => b.push(c),
            None => batches.push(vec![c]),
        }
    }
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
    for c in &cases {
        let hit = hits.contains(&c.id);
        match c.expect.as_str() {
            "detect" => {
                sc.detect += 1;
                if hit {
                    sc.found += 1;
                } else {
                    sc.misses.push(format!("{} ({}, {})", c.id, c.carrier, c.path));
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
    assert!(s.detect >= 100 && s.silent >= 30, "the dev set is too small");
    assert!(s.recall() >= 0.95, "recall below 95%");
    assert!(s.flagged <= 1, "more than one look-alike flagged");
}

#[test]
fn heldout_set_recall_and_precision() {
    let file = root().join("tests/heldout/commands.toml");
    if !file.exists() {
        eprintln!("skipping: {} is not there", file.display());
        return;
    }
    let s = score(&file);
    report("held-out set", &s);
    assert!(s.recall() >= 0.95, "recall below 95%");
    assert!(s.flagged <= 1, "more than one look-alike flagged");
}

/// LOLBAS programs with a download (or upload) use, and GTFOBins programs
/// with a download or upload use, directly or through an embedded
/// interpreter (names are facts; examples in catalog.toml are ours).
const LOLBAS: &[&str] = &[
    "GfxDownloadWrapper.exe", "AppInstaller.exe", "Bitsadmin.exe", "CertOC.exe", "CertReq.exe",
    "Certutil.exe", "Cmd.exe", "cmdl32.exe", "ConfigSecurityPolicy.exe", "DataSvcUtil.exe",
    "Desktopimgdownldr.exe", "Diantz.exe", "Esentutl.exe", "Expand.exe", "Extrac32.exe",
    "Findstr.exe", "Finger.exe", "Ftp.exe", "Hh.exe", "IMEWDBLD.exe", "Ieexec.exe",
    "Installutil.exe", "Ldifde.exe", "Makecab.exe", "Mmc.exe", "MpCmdRun.exe", "Msedge.exe",
    "Mshta.exe", "msoxmled.exe", "Ngen.exe", "OneDriveStandaloneUpdater.exe",
    "Presentationhost.exe", "PrintBrm.exe", "Replace.exe", "winget.exe", "Xwizard.exe",
    "msedge_proxy.exe", "PhotoViewer.dll", "Scrobj.dll", "Shimgvw.dll", "Bcp.exe",
    "ECMangen.exe", "Excel.exe", "MSAccess.exe", "MsoHtmEd.exe", "Mspub.exe", "msxsl.exe",
    "Outlook.exe", "Powerpnt.exe", "ProtocolHandler.exe", "Squirrel.exe",
    "TestWindowRemoteAgent.exe", "Update.exe", "Visio.exe", "VSLaunchBrowser.exe", "WinProj.exe",
    "Winword.exe", "Wsl.exe", "devtunnel.exe", "xsd.exe",
];
const GTFOBINS: &[&str] = &[
    "ab", "aria2c", "bash", "busybox", "cancel", "code", "curl", "finger", "ftp", "hping3", "jjs",
    "jrunscript", "julia", "kubectl", "lp", "lua", "lwp-download", "nc", "nginx", "node",
    "openssl", "perl", "php", "python", "restic", "rlogin", "ruby", "scp", "sftp", "smbclient",
    "socat", "ssh", "sshfs", "tailscale", "tar", "tftp", "wget", "whois", "yum", "zsh", "bee",
    "byebug", "cowsay", "cowthink", "cpan", "dstat", "easy_install", "exiftool", "facter", "gdb",
    "gem", "gimp", "irb", "knife", "latexmk", "lualatex", "luatex", "needrestart", "nmap",
    "pandoc", "pdb", "pip", "pipx", "poetry", "rake", "rpm", "rpmdb", "rpmquery", "rpmverify",
    "sqlmap", "tshark", "vagrant", "vim", "volatility", "wireshark",
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
        assert!(ids.contains(&format!("lolbas:{n}")), "no case for LOLBAS {n}");
    }
    for n in GTFOBINS {
        assert!(ids.contains(&format!("gtfobins:{n}")), "no case for GTFOBins {n}");
    }
    let s = score(&file);
    report("catalogue rows", &s);
    assert_eq!(s.found, s.detect, "every catalogue row needs a finding at medium or above");
}
