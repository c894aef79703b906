//! What changed since an earlier audit: images (by digest, or by reference
//! while unpinned) that appeared or disappeared, and findings whose
//! fingerprint no image of the earlier run had. Recording a run keeps, per
//! image, only its verdict and its findings' fingerprints.

use std::collections::{BTreeMap, BTreeSet};

use crate::baseline::{AuditImageRecord, AuditRun, AuditRunRecord, Store};
use crate::error::Result;
use crate::report::model::{AuditChanges, AuditDoc, ImageChange, ImageRow, NewFinding};

/// The history key of an image row.
fn key(row: &ImageRow) -> String {
    row.digest.clone().unwrap_or_else(|| row.reference.clone())
}

fn verdict(row: &ImageRow) -> &'static str {
    use crate::report::model::ImageVerdict as V;
    match row.verdict {
        V::Pass => "pass",
        V::Fail => "fail",
        V::Error => "error",
    }
}

/// The changes of `doc` since `before`.
pub fn changes(doc: &AuditDoc, before: &AuditRun) -> AuditChanges {
    let old: BTreeMap<&str, &AuditImageRecord> =
        before.images.iter().map(|i| (i.key.as_str(), i)).collect();
    let now: BTreeMap<String, &ImageRow> = doc.images.iter().map(|r| (key(r), r)).collect();
    let old_fps: BTreeSet<&str> = (before.images.iter())
        .flat_map(|i| i.fingerprints.iter().map(String::as_str))
        .collect();
    let appeared = (now.iter())
        .filter(|(k, _)| !old.contains_key(k.as_str()))
        .map(|(k, r)| ImageChange {
            key: k.clone(),
            reference: r.reference.clone(),
        })
        .collect();
    let disappeared = (old.iter())
        .filter(|(k, _)| !now.contains_key(**k))
        .map(|(k, i)| ImageChange {
            key: (*k).to_string(),
            reference: i.reference.clone(),
        })
        .collect();
    let mut new_findings: Vec<NewFinding> = (now.iter())
        .flat_map(|(k, r)| r.findings.iter().map(move |f| (k, f)))
        .filter(|(_, f)| !old_fps.contains(f.fingerprint.as_str()))
        .map(|(k, f)| NewFinding {
            key: k.clone(),
            code: f.code.clone(),
            fingerprint: f.fingerprint.clone(),
            path: f.path.clone(),
        })
        .collect();
    new_findings.sort();
    new_findings.dedup();
    AuditChanges {
        since_run: before.id,
        since_time: before.time.clone(),
        appeared,
        disappeared,
        new_findings,
    }
}

/// Compare `doc` with the run `since` (the newest when `None`), then record
/// it; sets `doc.changes` and `doc.run`.
pub fn compare_and_record(doc: &mut AuditDoc, store: &mut Store, since: Option<i64>) -> Result<()> {
    if let Some(before) = store.audit_run(since)? {
        doc.changes = Some(changes(doc, &before));
    } else if let Some(id) = since {
        return Err(crate::error::Error::Baseline {
            db: store.path().into(),
            reason: format!("no audit run {id} in the history"),
        });
    }
    let images: Vec<AuditImageRecord> = (doc.images.iter())
        .map(|r| AuditImageRecord {
            key: key(r),
            reference: r.reference.clone(),
            verdict: verdict(r).into(),
            fingerprints: r.findings.iter().map(|f| f.fingerprint.clone()).collect(),
        })
        .collect();
    let verdict = match doc.verdict {
        crate::report::model::AuditVerdict::Pass => "pass",
        crate::report::model::AuditVerdict::Fail => "fail",
        crate::report::model::AuditVerdict::Incomplete => "incomplete",
    };
    doc.run = Some(store.record_audit(&AuditRunRecord {
        source: &doc.source,
        verdict,
        workloads: doc.workloads.len(),
        images: &images,
    })?);
    Ok(())
}
