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
        rank_unowned_docs(out);
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
    // Built only if a finding on an unpackaged file asks (most scans: none).
    let copies = std::cell::OnceCell::new();
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
                    && let Some(orig) = copies.get_or_init(|| pkgs.by_sha256(fs)).get(&d)
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
        Integrity::Unverifiable if o.owned.digest.is_none() => f.evidence.push(format!(
            "file of package {pkg}; no digest recorded, so its content is not verified"
        )),
        Integrity::Unverifiable => f.evidence.push(format!(
            "file of package {pkg}; its recorded digest is not checked here, so its content is not verified"
        )),
    }
}

/// With no package database to say who installed them, command lines in a
/// documentation tree (`/usr/share/doc`, `man`, `info`, `gtk-doc`: example
/// scripts such as socat's test suite) are not in an executed path: low,
/// not gone. With a database, provenance decides (packaged docs are info,
/// a file nobody installed keeps its severity).
fn rank_unowned_docs(out: &mut [Finding]) {
    for f in out.iter_mut() {
        let doc = f
            .path
            .as_ref()
            .is_some_and(|p| doc_or_library(p) == Some("documentation"));
        if doc
            && f.hidden_in.is_none()
            && DOWNLOAD_CODES.contains(&f.code)
            && f.severity > Severity::Low
        {
            f.severity = Severity::Low;
            f.evidence.push(
                "documentation tree with no package database: an example, not an executed path"
                    .into(),
            );
        }
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
    use crate::finding::LayerRef;
    use crate::model::LayerInfo;
    use crate::packages::testimage::{file, image_of, md5_hex};
    use crate::packages::{Owned, Package, Recorded};

    fn md5(bytes: &[u8]) -> Option<Recorded> {
        let mut d = [0; 16];
        hex::decode_to_slice(md5_hex(bytes), &mut d).unwrap();
        Some(Recorded::Md5(d))
    }

    /// Each path: its bytes now, the bytes its package recorded (None: no
    /// digest; absent from the list: not packaged), conffile, executable.
    type Spec<'a> = (&'a str, &'a [u8], Option<Option<&'a [u8]>>, bool, bool);

    fn setup(specs: &[Spec<'_>]) -> (ImageInfo, ImageFs, PackageDb) {
        let image = ImageInfo {
            reference: "t".into(),
            transport: "oci",
            digest: None,
            config_digest: None,
            platform: None,
            layers: vec![LayerInfo::synthetic(0, "RUN apt-get install curl".into())],
            config: Default::default(),
            repository: None,
        };
        let mut entries = Vec::new();
        let mut pkgs = PackageDb {
            packages: vec![Package {
                manager: "dpkg",
                name: "curl".into(),
                version: "7.88".into(),
                arch: None,
            }],
            notices: vec![Finding::new(Code::PackageDatabaseUnread)],
            ..Default::default()
        };
        for &(path, now, recorded, conffile, exec) in specs {
            let mut e = file(path, now);
            if exec {
                e.mode = 0o755;
            }
            entries.push(e);
            if let Some(rec) = recorded {
                let owned = Owned {
                    package: 0,
                    digest: rec.and_then(md5),
                    conffile,
                };
                pkgs.files.insert(ImagePath::new(path), owned);
            }
        }
        (image, image_of(entries), pkgs)
    }

    fn finding(code: Code, path: &str) -> Finding {
        Finding::new(code).at(&ImagePath::new(path))
    }

    fn modified_severity(out: &[Finding], path: &str) -> Option<Severity> {
        out.iter()
            .find(|f| f.code == Code::PackageFileModified && f.path == Some(ImagePath::new(path)))
            .map(|f| f.severity)
    }

    #[test]
    fn modified_package_files_ranked_by_what_they_are() {
        let (image, fs, pkgs) = setup(&[
            ("usr/bin/curl", b"curl", Some(Some(b"curl")), false, true),
            ("usr/bin/wget", b"evil", Some(Some(b"wget")), false, true),
            ("usr/lib/data.bin", b"new", Some(Some(b"old")), false, false),
            ("opt/app/run.sh", b"new", Some(Some(b"old")), false, false),
            ("opt/app/app.conf", b"new", Some(Some(b"old")), true, false),
            ("etc/motd", b"new", Some(Some(b"old")), false, false),
            ("etc/cron.d/job", b"new", Some(Some(b"old")), false, false),
            ("etc/cron.d/other", b"new", Some(Some(b"old")), false, false),
            (
                "etc/cron.d/hidden",
                b"new",
                Some(Some(b"old")),
                false,
                false,
            ),
        ]);
        let mut hidden = finding(Code::DownloadCommand, "etc/cron.d/hidden");
        hidden.hidden_in = Some(LayerRef {
            index: 0,
            digest: None,
            created_by: None,
        });
        let mut out = vec![
            finding(Code::DownloadCommand, "opt/app/run.sh"),
            finding(Code::DownloadCommand, "etc/cron.d/job"),
            finding(Code::TransferTool, "etc/cron.d/other"),
            hidden,
        ];
        run(&image, &fs, &pkgs, &mut out);
        assert_eq!(
            out.iter()
                .filter(|f| f.code == Code::PackageDatabaseUnread)
                .count(),
            1
        );
        let sev = |p| modified_severity(&out, p);
        assert_eq!(sev("usr/bin/curl"), None, "unmodified");
        assert_eq!(sev("usr/bin/wget"), Some(Severity::Critical), "a program");
        assert_eq!(sev("usr/lib/data.bin"), Some(Severity::High));
        assert_eq!(
            sev("opt/app/run.sh"),
            Some(Severity::Critical),
            "now downloads"
        );
        assert_eq!(sev("opt/app/app.conf"), Some(Severity::Info), "conffile");
        assert_eq!(sev("etc/motd"), Some(Severity::Info), "under etc/");
        assert_eq!(
            sev("etc/cron.d/job"),
            Some(Severity::High),
            "autorun + download"
        );
        assert_eq!(
            sev("etc/cron.d/other"),
            Some(Severity::Info),
            "no download code"
        );
        assert_eq!(
            sev("etc/cron.d/hidden"),
            Some(Severity::Info),
            "download hidden"
        );
    }

    #[test]
    fn a_modified_file_names_what_was_recorded_and_what_is_there() {
        let (image, fs, pkgs) =
            setup(&[("usr/bin/wget", b"evil", Some(Some(b"wget")), false, true)]);
        let mut out = Vec::new();
        run(&image, &fs, &pkgs, &mut out);
        let wget = out
            .iter()
            .find(|f| {
                f.code == Code::PackageFileModified
                    && f.path == Some(ImagePath::new("usr/bin/wget"))
            })
            .unwrap();
        let ev = wget.evidence.join("|");
        assert!(
            ev.contains(&format!("recorded md5:{}", md5_hex(b"wget"))),
            "{ev}"
        );
        assert!(
            ev.contains(&format!("now md5:{}", md5_hex(b"evil"))),
            "{ev}"
        );
        assert!(
            ev.contains("last written by layer 0 (RUN apt-get install curl)"),
            "{ev}"
        );
        assert_eq!(wget.package.as_ref().unwrap().name, "curl");
        assert_eq!(wget.layer.as_ref().unwrap().index, 0);
        assert_eq!(wget.sha256, Some(crate::digest::Sha256::of(b"evil")));
    }

    /// (code, path, severity after ranking, evidence added).
    fn provenance_cases() -> Vec<(Code, &'static str, Severity, String)> {
        let pkg = "curl 7.88 (dpkg)";
        let ok = format!("installed by package {pkg}, unmodified");
        vec![
            (
                Code::TransferTool,
                "usr/bin/curl",
                Severity::Low,
                ok.clone(),
            ),
            (Code::SetuidFile, "usr/bin/curl", Severity::Medium, ok),
            (
                Code::TransferTool,
                "usr/bin/wget",
                Severity::High,
                format!("file of package {pkg}, modified since it was installed"),
            ),
            (
                Code::TransferTool,
                "usr/bin/nodigest",
                Severity::High,
                format!(
                    "file of package {pkg}; no digest recorded, so its content is not verified"
                ),
            ),
            (
                Code::DownloadCommand,
                "usr/share/doc/c/ex.sh",
                Severity::Info,
                format!("documentation, installed unmodified by package {pkg}"),
            ),
            (
                Code::TransferTool,
                "usr/local/bin/copy",
                Severity::High,
                "a copy of /usr/bin/curl from package curl, placed where no package put it".into(),
            ),
            (
                Code::TransferTool,
                "usr/local/bin/nc",
                Severity::High,
                "not installed by any package (the image has a package database)".into(),
            ),
            (
                Code::SetuidFile,
                "usr/local/bin/suid",
                Severity::Medium,
                String::new(),
            ),
        ]
    }

    #[test]
    fn findings_name_their_package_and_rank_by_provenance() {
        let (image, fs, pkgs) = setup(&[
            ("usr/bin/curl", b"curl", Some(Some(b"curl")), false, true),
            ("usr/bin/wget", b"evil", Some(Some(b"wget")), false, true),
            ("usr/bin/nodigest", b"x", Some(None), false, true),
            (
                "usr/share/doc/c/ex.sh",
                b"ex",
                Some(Some(b"ex")),
                false,
                false,
            ),
            ("usr/local/bin/copy", b"curl", None, false, true),
            ("usr/local/bin/nc", b"nc", None, false, true),
            ("usr/local/bin/suid", b"s", None, false, true),
        ]);
        let cases = provenance_cases();
        let mut hidden = finding(Code::TransferTool, "usr/bin/curl");
        hidden.hidden_in = Some(LayerRef {
            index: 0,
            digest: None,
            created_by: None,
        });
        let mut out: Vec<Finding> = cases.iter().map(|c| finding(c.0, c.1)).collect();
        out.push(hidden);
        run(&image, &fs, &pkgs, &mut out);
        for (f, (code, path, severity, evidence)) in out.iter().zip(&cases) {
            let got = (f.severity, f.evidence.join("|"));
            assert_eq!(got, (*severity, evidence.clone()), "{code:?} {path}");
            let packaged = !path.starts_with("usr/local/");
            assert_eq!(f.package.is_some(), packaged, "{path}");
        }
        let integrity = out[0].package.as_ref().unwrap().integrity;
        assert_eq!(integrity, Integrity::Verified);
        let hidden = &out[cases.len()];
        assert_eq!(
            (hidden.severity, hidden.evidence.len()),
            (Severity::High, 0)
        );
        assert!(hidden.package.is_none(), "a hidden file is not ranked");
    }

    #[test]
    fn without_package_databases_only_the_notices_are_added() {
        let (image, fs, mut pkgs) = setup(&[("usr/bin/curl", b"curl", None, false, true)]);
        pkgs.packages.clear();
        let mut out = vec![finding(Code::TransferTool, "usr/bin/curl")];
        run(&image, &fs, &pkgs, &mut out);
        assert_eq!(out.len(), 2);
        assert!(out[0].evidence.is_empty() && out[0].severity == Severity::High);
    }

    /// Every marker of an example or library tree counts on its own (each
    /// path below has only one of them).
    #[test]
    fn each_example_and_library_marker_counts_alone() {
        for p in [
            "usr/share/foo/example/get.sh",
            "usr/share/ruby/vendor_ruby/open-uri.rb",
            "usr/lib/x86_64-linux-gnu/perl5/5.36/LWP/Simple.pm",
            "usr/lib/x86_64-linux-gnu/perl-base/HTTP/Tiny.pm",
            "usr/lib/x86_64-linux-gnu/ruby/3.1.0/net/http.rb",
        ] {
            let why = doc_or_library(&ImagePath::new(p.as_bytes()));
            assert!(why.is_some(), "{p}");
        }
    }

    #[test]
    fn without_package_databases_doc_trees_rank_low() {
        let (image, fs, mut pkgs) = setup(&[("usr/bin/curl", b"curl", None, false, true)]);
        pkgs.packages.clear();
        let mut out = vec![
            finding(
                Code::DownloadExecChain,
                "usr/share/doc/socat/examples/test.sh",
            ),
            finding(Code::DownloadExecChain, "opt/app/examples/run.sh"),
            finding(Code::TransferTool, "usr/share/doc/x/curl"),
        ];
        run(&image, &fs, &pkgs, &mut out);
        let sev: Vec<Severity> = out.iter().map(|f| f.severity).collect();
        let chain = Finding::new(Code::DownloadExecChain).severity;
        let tool = Finding::new(Code::TransferTool).severity;
        assert_eq!(sev[..3], [Severity::Low, chain, tool]);
    }

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
