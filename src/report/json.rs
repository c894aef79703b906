//! JSON documents: the inventory (`stowaway inventory`) and the scan report
//! (`stowaway scan`). Field names are a contract other tooling relies on.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::digest::Sha256;
use crate::finding::{Finding, Severity};
use crate::fs::{Hidden, ImageFs, Node, Removed};
use crate::layer::Entry;
use crate::model::ImageInfo;
use crate::packages::PackageDb;
use crate::path::{ImagePath, escape_bytes};
use crate::scan::Scan;

fn image_json(image: &ImageInfo) -> Value {
    json!({
        "reference": image.reference,
        "transport": image.transport,
        "digest": image.digest,
        "config_digest": image.config_digest,
        "platform": image.platform,
        "layers": image.layers,
        "config": image.config,
    })
}

fn link_text(e: &Entry) -> Option<String> {
    match &e.link {
        Some(l) if e.kind == crate::layer::EntryType::Hardlink => {
            Some(format!("/{}", escape_bytes(l)))
        }
        Some(l) => Some(escape_bytes(l)),
        None => None,
    }
}

/// One visible file of the inventory (fields in the document's key order).
#[derive(Serialize)]
struct FileRow<'a> {
    added_in: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<String>,
    gid: u64,
    layer: usize,
    layer_digest: Option<Sha256>,
    link: Option<String>,
    mode: String,
    modified_in: &'a [usize],
    package: Option<crate::finding::PackageRef>,
    path: &'a ImagePath,
    sha256: Option<Sha256>,
    size: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    uid: u64,
}

fn file_row<'a>(image: &ImageInfo, pkgs: &PackageDb, n: &'a Node) -> FileRow<'a> {
    let e = &n.entry;
    FileRow {
        added_in: n.added_in,
        device: e.device.map(|(maj, min)| format!("{maj}:{min}")),
        gid: e.gid,
        layer: n.layer,
        layer_digest: image.layers.get(n.layer).and_then(|l| l.digest),
        link: link_text(e),
        mode: format!("{:04o}", e.mode),
        modified_in: &n.modified_in,
        package: pkgs.owner(&e.path, n).map(|o| o.to_ref()),
        path: &e.path,
        sha256: e.sha256,
        size: e.size,
        kind: e.kind.as_str(),
        uid: e.uid,
    }
}

/// One hidden file of the inventory (`--all-layers`).
#[derive(Serialize)]
struct RemovedRow<'a> {
    added_in: usize,
    added_in_digest: Option<Sha256>,
    how: Hidden,
    link: Option<String>,
    mode: String,
    path: &'a ImagePath,
    removed_in: usize,
    sha256: Option<Sha256>,
    size: u64,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn removed_row<'a>(image: &ImageInfo, r: &'a Removed) -> RemovedRow<'a> {
    RemovedRow {
        added_in: r.added_in,
        added_in_digest: image.layers.get(r.added_in).and_then(|l| l.digest),
        how: r.how,
        link: link_text(&r.entry),
        mode: format!("{:04o}", r.entry.mode),
        path: &r.entry.path,
        removed_in: r.removed_in,
        sha256: r.entry.sha256,
        size: r.entry.size,
        kind: r.entry.kind.as_str(),
    }
}

/// The inventory document, serialized row by row as it is written: no
/// tree of the whole document is ever built (2 million files stay cheap).
#[derive(Serialize)]
struct InventoryDoc<'a> {
    files: Files<'a>,
    image: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed: Option<RemovedFiles<'a>>,
}

struct Files<'a>(&'a ImageInfo, &'a ImageFs, &'a PackageDb);
struct RemovedFiles<'a>(&'a ImageInfo, &'a ImageFs);

impl Serialize for Files<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.nodes.values().map(|n| file_row(self.0, self.2, n)))
    }
}

impl Serialize for RemovedFiles<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.removed.iter().map(|r| removed_row(self.0, r)))
    }
}

fn inventory_doc<'a>(
    image: &'a ImageInfo,
    fs: &'a ImageFs,
    pkgs: &'a PackageDb,
    all_layers: bool,
) -> InventoryDoc<'a> {
    InventoryDoc {
        files: Files(image, fs, pkgs),
        image: image_json(image),
        removed: all_layers.then_some(RemovedFiles(image, fs)),
    }
}

/// The inventory document as a value (small images, tests).
pub fn inventory(image: &ImageInfo, fs: &ImageFs, pkgs: &PackageDb, all_layers: bool) -> Value {
    serde_json::to_value(inventory_doc(image, fs, pkgs, all_layers)).unwrap_or(Value::Null)
}

/// Write the inventory document (pretty, with a final newline) to `w`,
/// streaming: memory does not grow with the number of files.
pub fn write_inventory<W: std::io::Write>(
    mut w: W,
    image: &ImageInfo,
    fs: &ImageFs,
    pkgs: &PackageDb,
    all_layers: bool,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, &inventory_doc(image, fs, pkgs, all_layers))?;
    w.write_all(b"\n")?;
    w.flush()
}

/// One finding.
pub fn finding_json(f: &Finding) -> Value {
    json!({
        "code": f.code,
        "severity": f.severity,
        "technique": f.technique,
        "title": f.title,
        "path": f.path,
        "layer": f.layer.as_ref().map(|l| l.index),
        "layer_digest": f.layer.as_ref().and_then(|l| l.digest),
        "created_by": f.layer.as_ref().and_then(|l| l.created_by.clone()),
        "hidden_in": f.hidden_in.as_ref().map(|l| l.index),
        "sha256": f.sha256,
        "evidence": f.evidence,
        "package": f.package,
    })
}

/// Counts by severity, all severities present.
pub fn severity_counts(findings: &[Finding]) -> BTreeMap<&'static str, usize> {
    let mut m: BTreeMap<&'static str, usize> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .iter()
    .map(|s| (s.as_str(), 0))
    .collect();
    for f in findings {
        *m.entry(f.severity.as_str()).or_default() += 1;
    }
    m
}

/// The scan report.
pub fn scan(scan: &Scan, fail_on: Severity) -> Value {
    let failing = scan
        .findings
        .iter()
        .filter(|f| f.severity >= fail_on)
        .count();
    json!({
        "image": image_json(&scan.image),
        "findings": scan.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "summary": {
            "files": scan.fs.nodes.len(),
            "removed": scan.fs.removed.len(),
            "layers": scan.image.layers.len(),
            "uncompressed_bytes": scan.image.layers.iter().map(|l| l.uncompressed_size).sum::<u64>(),
            "findings": scan.findings.len(),
            "by_severity": severity_counts(&scan.findings),
            "fail_on": fail_on,
            "failing": failing,
        },
    })
}
