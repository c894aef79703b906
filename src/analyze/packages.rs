//! Provenance from the package databases: a packaged file whose bytes no
//! longer match what its package manager recorded is `package-file-modified`;
//! every finding about a packaged file names its package; and severity
//! follows provenance — transfer tools and download code that are unmodified
//! package files rank low, documentation, examples and language library
//! trees rank info, while the same content outside any package (or in a
//! modified package file) keeps its severity. Policies still decide by code.

use std::collections::{HashMap, HashSet};

use crate::finding::{Code, Evidence, EvidenceKind, Finding, Integrity, Severity};
use crate::fs::ImageFs;
use crate::model::ImageInfo;
use crate::packages::{Ownership, PackageDb};
use crate::path::ImagePath;

use super::layer_ref;

/// Findings about what a file can download or run: ranked by provenance.
const TRANSFER_CODES: &[Code] = &[
    Code::TransferTool,
    Code::DisguisedTool,
    Code::DownloadExecChain,
    Code::DownloadCommand,
    Code::RemoteCopyCommand,
    Code::LolbinDownload,
    Code::PeDownloader,
    Code::NativeDownloader,
    Code::HttpClientBinary,
    Code::PackedBinary,
    Code::Interpreter,
    Code::PackageDownloader,
];

/// Codes that make a modified file a delivery vehicle.
const DOWNLOAD_CODES: &[Code] = &[
    Code::DownloadExecChain,
    Code::DownloadCommand,
    Code::RemoteCopyCommand,
    Code::LolbinDownload,
];

/// Add package findings and provenance to `out` (the other analyzers' findings).
pub fn run(image: &ImageInfo, fs: &ImageFs, pkgs: &PackageDb, out: &mut Vec<Finding>) {
    out.extend(pkgs.notices.iter().cloned());
    if pkgs.is_empty() {
        return;
    }
    // Paths with a download finding, for the modified-file severity.
    let downloads: HashSet<ImagePath> = out
        .iter()
        .filter(|f| f.hidden_in.is_none() && DOWNLOAD_CODES.contains(&f.code))
        .filter_map(|f| f.path.clone())
        .collect();
    attach_owners(fs, pkgs, out);
    let modified: Vec<Finding> = (pkgs.files.keys())
        .filter_map(|path| modified_finding(image, fs, pkgs, path, downloads.contains(path)))
        .collect();
    out.extend(modified);
}

/// Name the package that installed each finding's file, and rank the
/// finding by it; a transfer tool no package installed says so (and where
/// its packaged original is, for a copy).
fn attach_owners(fs: &ImageFs, pkgs: &PackageDb, out: &mut [Finding]) {
    let copies = pkgs.by_sha256(fs);
    let mut owners: HashMap<ImagePath, Option<Ownership<'_>>> = HashMap::new();
    for f in out.iter_mut() {
        let Some(path) = f.path.clone() else { continue };
        if f.hidden_in.is_some() {
            continue;
        }
        let Some(node) = fs.get(&path) else { continue };
        let own = owners
            .entry(path.clone())
            .or_insert_with(|| pkgs.owner(&path, node));
        match own {
            Some(o) => {
                f.package = Some(o.to_ref());
                rank_packaged(f, o, &path);
            }
            None => {
                if TRANSFER_CODES.contains(&f.code)
                    && let Some(d) = node.entry.sha256
                    && let Some(orig) = copies.get(&d)
                    && let Some(o) = fs.get(orig).and_then(|n| pkgs.owner(orig, n))
                {
                    f.evidence.push(format!(
                        "a copy of {orig} from package {}, placed where no package put it",
                        o.package.name
                    ));
                } else if TRANSFER_CODES.contains(&f.code) {
                    f.evidence.push(
                        "not installed by any package (the image has a package database)".into(),
                    );
                }
            }
        }
    }
}

/// A `package-file-modified` finding for a packaged file whose bytes no
/// longer match its package's record.
fn modified_finding(
    image: &ImageInfo,
    fs: &ImageFs,
    pkgs: &PackageDb,
    path: &ImagePath,
    downloads_now: bool,
) -> Option<Finding> {
    let node = fs.get(path)?;
    let o = pkgs.owner(path, node)?;
    if o.integrity != Integrity::Modified {
        return None;
    }
    let mut f = Finding::new(Code::PackageFileModified)
        .at(path)
        .because(format!(
            "file of package {} {} ({}): recorded {}, now {}",
            o.package.name,
            o.package.version,
            o.package.manager,
            o.expected(),
            o.actual.as_deref().unwrap_or("-")
        ))
        .shows(
            EvidenceKind::Package,
            None,
            format!(
                "{} {} ({})",
                o.package.name, o.package.version, o.package.manager
            ),
        );
    f.layer = Some(layer_ref(image, node.layer));
    f.sha256 = node.entry.sha256;
    f.package = Some(o.to_ref());
    if let Some(step) = (image.layers.get(node.layer)).and_then(|l| l.created_by.as_deref()) {
        f = f.because(format!("last written by layer {} ({step})", node.layer));
    } else {
        f = f.because(format!("last written by layer {}", node.layer));
    }
    let (severity, why) = if o.owned.conffile || path.as_bytes().starts_with(b"etc/") {
        if downloads_now && is_autorun_config(path) {
            (
                Severity::High,
                Some(
                    "configuration file that runs at boot, login or on a schedule, now carrying a download command",
                ),
            )
        } else {
            (
                Severity::Info,
                Some("configuration file: edits are normal administration"),
            )
        }
    } else if downloads_now {
        (Severity::Critical, Some("the modified file now downloads"))
    } else if node.entry.is_executable() {
        (Severity::Critical, Some("the modified file is a program"))
    } else {
        (Severity::High, None)
    };
    if let Some(why) = why {
        f = f.because(why);
    }
    Some(f.severity(severity))
}

fn rank_packaged(f: &mut Finding, o: &Ownership<'_>, path: &ImagePath) {
    let pkg = format!(
        "{} {} ({})",
        o.package.name, o.package.version, o.package.manager
    );
    f.items.push(Evidence {
        kind: EvidenceKind::Package,
        line: None,
        text: pkg.clone(),
    });
    match o.integrity {
        Integrity::Verified if TRANSFER_CODES.contains(&f.code) => {
            if let Some(why) = doc_or_library(path) {
                f.severity = Severity::Info;
                f.evidence
                    .push(format!("{why}, installed unmodified by package {pkg}"));
            } else {
                f.severity = f.severity.min(Severity::Low);
                f.evidence
                    .push(format!("installed by package {pkg}, unmodified"));
            }
        }
        Integrity::Verified => f
            .evidence
            .push(format!("installed by package {pkg}, unmodified")),
        Integrity::Modified => f.evidence.push(format!(
            "file of package {pkg}, modified since it was installed"
        )),
        Integrity::Unverifiable => f.evidence.push(format!(
            "file of package {pkg}; no digest recorded, so its content is not verified"
        )),
    }
}

/// Documentation, examples and language library trees: why, if the path is one.
fn doc_or_library(path: &ImagePath) -> Option<&'static str> {
    let p = path.as_bytes();
    let comps: Vec<&[u8]> = p.split(|&b| b == b'/').collect();
    let has = |c: &[u8]| comps[..comps.len().saturating_sub(1)].contains(&c);
    if p.starts_with(b"usr/share/doc/")
        || p.starts_with(b"usr/share/man/")
        || p.starts_with(b"usr/share/info/")
        || p.starts_with(b"usr/share/gtk-doc/")
    {
        return Some("documentation");
    }
    if has(b"examples") || has(b"example") {
        return Some("an example");
    }
    if has(b"site-packages") || has(b"dist-packages") || has(b"node_modules") {
        return Some("language library code");
    }
    let perl_ruby = p.starts_with(b"usr/share/perl")
        || p.starts_with(b"usr/share/ruby")
        || p.starts_with(b"usr/lib/ruby/")
        || (p.starts_with(b"usr/lib/")
            && (has(b"perl") || has(b"perl5") || has(b"perl-base") || has(b"ruby")));
    if perl_ruby {
        return Some("language library code");
    }
    None
}

/// Cron, systemd and shell profile files: configuration that runs code.
fn is_autorun_config(path: &ImagePath) -> bool {
    let p = path.as_bytes();
    [
        &b"etc/cron"[..],
        b"etc/crontab",
        b"etc/anacrontab",
        b"etc/systemd/",
        b"etc/init.d/",
        b"etc/rc.local",
        b"etc/profile",
        b"etc/bash.bashrc",
        b"etc/environment",
        b"etc/update-motd.d/",
    ]
    .iter()
    .any(|pre| p.starts_with(pre))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_examples_and_library_trees() {
        for (p, want) in [
            ("usr/share/doc/git/contrib/x.sh", true),
            ("usr/share/man/man1/wget.1.gz", true),
            ("usr/share/info/wget.info.gz", true),
            ("usr/share/gtk-doc/html/soup/x.html", true),
            ("usr/share/wget/x", false),
            ("usr/share/doc/node-undici/examples/fetch.js", true),
            (
                "usr/lib/python3/dist-packages/pip/_vendor/distlib/locators.py",
                true,
            ),
            (
                "usr/lib/x86_64-linux-gnu/perl/5.36.0/File/Spec/Win32.pm",
                true,
            ),
            ("usr/share/perl5/LWP.pm", true),
            ("app/node_modules/x/index.js", true),
            ("usr/bin/curl", false),
            ("usr/lib/git-core/git-http-fetch", false),
            ("opt/examples", false),
        ] {
            assert_eq!(
                doc_or_library(&ImagePath::new(p.as_bytes())).is_some(),
                want,
                "{p}"
            );
        }
        assert!(is_autorun_config(&ImagePath::new(b"etc/cron.d/job")));
        assert!(is_autorun_config(&ImagePath::new(b"etc/profile.d/x.sh")));
        assert!(!is_autorun_config(&ImagePath::new(b"etc/ssh/ssh_config")));
    }
}
