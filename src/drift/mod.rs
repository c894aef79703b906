//! Drift: a running container's file system compared with the image it was
//! started from, without an agent. The container side is either its whole
//! root filesystem (`--rootfs`) or only overlayfs's writable upper
//! directory (`--upperdir`), which is applied on top of the image's layers
//! like one more layer, so the cost follows the number of changed files.
//! Changed files go through the same analyzers as image content. Reading
//! an upper directory needs `CAP_SYS_ADMIN` (`caps.rs`): without it drift
//! fails rather than miss what opaque directories hide.

mod caps;
pub mod discover;

use std::path::PathBuf;

use serde::Serialize;

use crate::analyze;
use crate::delta::{Delta, delta};
use crate::error::Result;
use crate::facts::{FindingRecord, ImageFacts};
use crate::finding::{Code, Finding, Severity};
use crate::fs::ImageFs;
use crate::limits::Limits;
use crate::model::{ImageInfo, LayerInfo};
use crate::path::ImagePath;
use crate::policy::{Evaluation, Policy};
use crate::scan::Scan;
use crate::source::rootfs;

/// Where the container's files are.
#[derive(Clone, Debug)]
pub enum ContainerSide {
    /// The container's whole root filesystem.
    Rootfs(PathBuf),
    /// The overlayfs upper (writable) directory of the container.
    UpperDir(PathBuf),
}

/// What drifted.
#[derive(Clone, Debug, Serialize)]
pub struct DriftReport {
    /// The image side.
    pub image: crate::facts::ImageMeta,
    /// Where the container side was read.
    pub container: String,
    pub delta: Delta,
    /// Findings about changed files (and the changes themselves).
    pub findings: Vec<FindingRecord>,
}

/// Codes whose findings on a file that appeared after start are alarms.
const TRANSFER_CODES: &[Code] = &[
    Code::TransferTool,
    Code::DisguisedTool,
    Code::PeDownloader,
    Code::NativeDownloader,
    Code::HttpClientBinary,
    Code::PackedBinary,
    Code::DownloadExecChain,
    Code::DownloadCommand,
    Code::RemoteCopyCommand,
    Code::LolbinDownload,
];

/// The image side of a comparison: what the image holds.
pub struct ImageSide {
    pub facts: ImageFacts,
    pub fs: ImageFs,
    pub info: ImageInfo,
}

impl ImageSide {
    /// From a scan of the image.
    pub fn from_scan(scan: &Scan) -> ImageSide {
        ImageSide {
            facts: ImageFacts::of(scan),
            fs: scan.fs.clone(),
            info: scan.image.clone(),
        }
    }

    /// From an approved baseline (its file manifest; symlink targets are not
    /// part of it).
    pub fn from_baseline(name: &str, facts: ImageFacts) -> ImageSide {
        let fs = crate::facts::view_of_records(&facts.files);
        let layers = facts
            .files
            .iter()
            .map(|f| f.layer)
            .max()
            .map(|m| m + 1)
            .unwrap_or(0);
        let info = ImageInfo {
            reference: facts.image.reference.clone(),
            transport: "baseline",
            digest: facts.image.digest.as_deref().and_then(|d| d.parse().ok()),
            config_digest: facts
                .image
                .config_digest
                .as_deref()
                .and_then(|d| d.parse().ok()),
            platform: facts.image.platform.clone(),
            layers: (0..layers)
                .map(|i| LayerInfo::synthetic(i, format!("layer {i} of approved image {name}")))
                .collect(),
            config: facts.config.clone(),
            repository: facts.image.repository.clone(),
        };
        ImageSide { facts, fs, info }
    }
}

/// Compare a container with its image.
pub fn drift(image: &ImageSide, side: &ContainerSide, limits: &Limits) -> Result<DriftReport> {
    let view = container_view(image, side, limits)?;
    let mut container_facts = ImageFacts::of_fs(&view.fs, &[]);
    container_facts.config = image.facts.config.clone();
    let mut d = delta(&image.facts, &container_facts);
    // Directories a layer tar implies (it lists only files below them) exist
    // on any real file system: they are not drift.
    d.added.retain(|f| {
        !(f.kind == "dir" && image.fs.has_children(&ImagePath::new(f.path.as_bytes())))
    });
    let mut findings = change_findings(&d);
    // What could not be read on the container side (unreadable files,
    // special files), so that a gap in the comparison is visible.
    findings.extend((view.walk_findings.into_iter()).filter(|f| f.severity > Severity::Low));
    findings.extend(analyzer_findings(&view.fs, &view.info, limits, &d));
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.code.cmp(&b.code))
    });
    Ok(DriftReport {
        image: image.facts.image.clone(),
        container: view.read,
        delta: d,
        findings: findings.iter().map(FindingRecord::of).collect(),
    })
}

/// The container's file system as a view, and what reading it found.
struct ContainerView {
    fs: ImageFs,
    info: ImageInfo,
    /// Where the container side was read.
    read: String,
    walk_findings: Vec<Finding>,
}

fn container_view(
    image: &ImageSide,
    side: &ContainerSide,
    limits: &Limits,
) -> Result<ContainerView> {
    let n = image.info.layers.len();
    Ok(match side {
        ContainerSide::Rootfs(dir) => {
            let mut idx = [rootfs::walk(dir, limits)?];
            let fs = ImageFs::squash(&mut idx);
            let [idx] = idx;
            ContainerView {
                fs,
                info: container_info(&image.info, 0, "container root filesystem"),
                read: format!("rootfs {}", dir.display()),
                walk_findings: idx.findings,
            }
        }
        ContainerSide::UpperDir(dir) => {
            caps::require_for_upperdir(dir)?;
            let mut upper = rootfs::walk_upper(dir, limits)?;
            let mut fs = image.fs.clone();
            fs.apply(n, &mut upper);
            ContainerView {
                fs,
                info: container_info(&image.info, n, "container writable layer (overlay upper)"),
                read: format!("upperdir {}", dir.display()),
                walk_findings: upper.findings,
            }
        }
    })
}

/// The changes themselves as findings: new executables, modified files,
/// permission changes (high only when setuid/setgid appeared), deletions.
fn change_findings(d: &Delta) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for f in d.added.iter().filter(|f| f.is_executable()) {
        findings.push(drift_finding(
            Code::DriftNewExecutable,
            &f.path,
            &f.sha256,
            "added after the container started",
        ));
    }
    for c in &d.modified {
        let code = if c.after.is_executable() {
            Code::DriftNewExecutable
        } else {
            Code::DriftModified
        };
        let why = format!(
            "{} {} -> {} {}",
            c.before.kind,
            c.before.sha256.as_deref().unwrap_or("-"),
            c.after.kind,
            c.after.sha256.as_deref().unwrap_or("-")
        );
        findings.push(drift_finding(code, &c.after.path, &c.after.sha256, &why));
    }
    for c in &d.permissions {
        let why = format!(
            "mode {} -> {}, owner {}:{} -> {}:{}",
            c.before.mode, c.after.mode, c.before.uid, c.before.gid, c.after.uid, c.after.gid
        );
        let mut f = drift_finding(Code::DriftPermissions, &c.after.path, &c.after.sha256, &why);
        if c.after.mode_bits() & 0o6000 & !c.before.mode_bits() == 0 {
            f.severity = Severity::Medium;
        }
        findings.push(f);
    }
    for f in &d.removed {
        findings.push(drift_finding(
            Code::DriftDeleted,
            &f.path,
            &f.sha256,
            "deleted after the container started",
        ));
    }
    findings
}

/// The analyzers, on the container's view; kept: what concerns changed
/// files, with transfer capabilities raised to high.
fn analyzer_findings(fs: &ImageFs, info: &ImageInfo, limits: &Limits, d: &Delta) -> Vec<Finding> {
    let changed: std::collections::HashSet<&str> = (d.added.iter().map(|f| f.path.as_str()))
        .chain(d.modified.iter().map(|c| c.after.path.as_str()))
        .chain(d.permissions.iter().map(|c| c.after.path.as_str()))
        .collect();
    let pkgs = crate::packages::PackageDb::read(fs);
    let mut out = Vec::new();
    for mut f in analyze::run(info, &[], fs, limits, &pkgs) {
        let Some(path) = f.path.as_ref().map(|p| p.display()) else {
            continue;
        };
        if !changed.contains(path.as_str()) || f.hidden_in.is_some() {
            continue;
        }
        if TRANSFER_CODES.contains(&f.code) && f.severity < Severity::High {
            f.severity = Severity::High;
        }
        f.evidence
            .push("appeared after the container started (not in the image)".into());
        out.push(f);
    }
    out
}

/// The policy's decision on each drift finding (allow known runtime writes
/// by path), with the image reference as the name policies match.
pub fn evaluate(report: &DriftReport, policy: &Policy) -> Evaluation {
    policy.evaluate(&report.findings, None, &[report.image.reference.as_str()])
}

fn drift_finding(code: Code, path: &str, sha: &Option<String>, why: &str) -> Finding {
    let mut f = Finding::new(code)
        .at(&ImagePath::new(path.as_bytes()))
        .because(why);
    f.sha256 = sha.as_deref().and_then(|s| s.parse().ok());
    f
}

/// Image info for the container view: the image's layers plus the
/// container's own changes as layer `index`.
fn container_info(image: &ImageInfo, index: usize, what: &str) -> ImageInfo {
    let mut info = image.clone();
    if index == 0 {
        info.layers.clear();
    }
    info.layers
        .push(LayerInfo::synthetic(index, what.to_string()));
    info
}
