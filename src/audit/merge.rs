//! `stowaway audit merge`: the shard reports of one sharded audit combined
//! into the document one unsharded run would have printed. Every shard
//! `0..N` must be there exactly once, all with the same N, source and
//! policy; a missing or repeated shard is an error naming it (a merge that
//! silently lost a shard would report a partial cluster as complete).

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::report::model::{AuditDoc, AuditSummary, AuditVerdict};

/// Largest shard report read.
pub const MAX_REPORT_BYTES: u64 = 1 << 30;

/// Read one shard report (strict JSON, size-limited).
pub fn read_report(path: &Path) -> Result<AuditDoc> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let location = path.display().to_string();
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        return Err(Error::Document {
            what: "audit shard report",
            location,
            reason: format!("larger than {MAX_REPORT_BYTES} bytes"),
        });
    }
    crate::source::json::check_keys(&bytes, "audit shard report", &location)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Document {
        what: "audit shard report",
        location,
        reason: e.to_string(),
    })
}

fn bad(reason: String) -> Error {
    Error::Document {
        what: "audit shard reports",
        location: "merge".into(),
        reason,
    }
}

/// Combine the shard reports (`(file, report)`) into one document.
pub fn merge(reports: Vec<(String, AuditDoc)>) -> Result<AuditDoc> {
    let Some((first_file, first)) = reports.first() else {
        return Err(bad("no shard reports given".into()));
    };
    let Some(shard) = first.shard else {
        return Err(bad(format!(
            "{first_file} is not a shard report (no shard)"
        )));
    };
    let mut seen = vec![None::<&str>; shard.count as usize];
    for (file, r) in &reports {
        let s = r
            .shard
            .ok_or_else(|| bad(format!("{file} is not a shard report")))?;
        if s.count != shard.count || r.source != first.source || r.policy != first.policy {
            return Err(bad(format!(
                "{file} (shard {}/{}, source {}, policy {}) is not of the same audit as {first_file} (shard count {}, source {}, policy {})",
                s.index, s.count, r.source, r.policy, shard.count, first.source, first.policy
            )));
        }
        if let Some(other) = seen[s.index as usize].replace(file) {
            return Err(bad(format!(
                "shard {}/{} given twice: {other} and {file}",
                s.index, s.count
            )));
        }
    }
    let missing: Vec<String> = (seen.iter().enumerate())
        .filter(|(_, f)| f.is_none())
        .map(|(i, _)| format!("{i}/{}", shard.count))
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!("missing shard(s): {}", missing.join(", "))));
    }
    let mut doc = AuditDoc {
        source: first.source.clone(),
        shard: None,
        verdict: AuditVerdict::Pass,
        summary: AuditSummary::default(),
        workloads: Vec::new(),
        images: Vec::new(),
        skipped: Vec::new(),
        policy: first.policy.clone(),
        run: None,
        changes: None,
    };
    for (_, r) in reports {
        doc.workloads.extend(r.workloads);
        doc.images.extend(r.images);
        doc.skipped.extend(r.skipped);
    }
    doc.workloads.sort();
    super::run::sort_images(&mut doc.images);
    dedup_digests(&mut doc);
    // Every shard reads the whole inventory, so each reports its skips.
    doc.skipped.sort();
    doc.skipped.dedup();
    doc.settle();
    Ok(doc)
}

/// An unpinned tag one shard resolved to a digest another shard scanned
/// pinned: one row per digest, as an unsharded run has (the pinned one).
fn dedup_digests(doc: &mut AuditDoc) {
    let mut out: Vec<crate::report::model::ImageRow> = Vec::with_capacity(doc.images.len());
    for row in std::mem::take(&mut doc.images) {
        match out.last_mut() {
            Some(last) if last.digest.is_some() && last.digest == row.digest => {
                let n = last.workloads + row.workloads;
                if row.pinned && !last.pinned {
                    *last = row;
                }
                last.workloads = n;
            }
            _ => out.push(row),
        }
    }
    doc.images = out;
}
