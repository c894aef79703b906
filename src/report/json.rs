//! JSON documents: the inventory (`stowaway inventory`) and the scan report
//! (`stowaway scan`). Field names are a contract other tooling relies on.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::fs::{ImageFs, Node, Removed};
use crate::layer::Entry;
use crate::packages::PackageDb;
use crate::path::escape_bytes;
use crate::scan::{ImageInfo, Scan};

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

fn link_json(e: &Entry) -> Value {
    match &e.link {
        Some(l) if e.kind == crate::layer::EntryType::Hardlink => {
            json!(format!("/{}", escape_bytes(l)))
        }
        Some(l) => json!(escape_bytes(l)),
        None => Value::Null,
    }
}

fn file_json(image: &ImageInfo, pkgs: &PackageDb, n: &Node) -> Value {
    let e = &n.entry;
    let mut v = json!({
        "path": e.path,
        "type": e.kind.as_str(),
        "mode": format!("{:04o}", e.mode),
        "uid": e.uid,
        "gid": e.gid,
        "size": e.size,
        "sha256": e.sha256,
        "link": link_json(e),
        "layer": n.layer,
        "layer_digest": image.layers.get(n.layer).and_then(|l| l.digest),
        "added_in": n.added_in,
        "modified_in": n.modified_in,
        "package": pkgs.owner(&e.path, n).map(|o| o.to_ref()),
    });
    if let Some((maj, min)) = e.device {
        v["device"] = json!(format!("{maj}:{min}"));
    }
    v
}

fn removed_json(image: &ImageInfo, r: &Removed) -> Value {
    json!({
        "path": r.entry.path,
        "type": r.entry.kind.as_str(),
        "mode": format!("{:04o}", r.entry.mode),
        "size": r.entry.size,
        "sha256": r.entry.sha256,
        "link": link_json(&r.entry),
        "added_in": r.added_in,
        "added_in_digest": image.layers.get(r.added_in).and_then(|l| l.digest),
        "removed_in": r.removed_in,
        "how": r.how,
    })
}

/// The inventory document.
pub fn inventory(image: &ImageInfo, fs: &ImageFs, pkgs: &PackageDb, all_layers: bool) -> Value {
    let files: Vec<Value> = fs
        .nodes
        .values()
        .map(|n| file_json(image, pkgs, n))
        .collect();
    let mut v = json!({ "image": image_json(image), "files": files });
    if all_layers {
        v["removed"] = fs.removed.iter().map(|r| removed_json(image, r)).collect();
    }
    v
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
