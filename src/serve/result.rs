//! What a finished scan job stores and serves: the verdict (`pass`, `warn`
//! or `deny`), the findings as `scan --format json` writes them (with the
//! policy's action and the baseline state added), and the baseline delta;
//! and the CloudEvents alert sent for it.

use serde_json::{Value, json};

use crate::Severity;
use crate::facts::FindingRecord;
use crate::gate::GateReport;
use crate::report::json::finding_json;
use crate::scan::Scan;

/// The gate's verdict in the server's words.
pub fn verdict(r: &GateReport) -> &'static str {
    if r.evaluation.denied > 0 {
        "deny"
    } else if r.evaluation.warned > 0 {
        "warn"
    } else {
        "pass"
    }
}

/// The stored result document of one job.
pub fn document(scan: &Scan, r: &GateReport, repository: &str, digest: &str) -> Value {
    let by_fp: std::collections::HashMap<String, &crate::Finding> = scan
        .findings
        .iter()
        .map(|f| (FindingRecord::of(f).fingerprint, f))
        .collect();
    let findings: Vec<Value> = r
        .facts
        .findings
        .iter()
        .enumerate()
        .map(|(i, rec)| {
            let mut v = by_fp
                .get(&rec.fingerprint)
                .map(|f| finding_json(f))
                .unwrap_or_else(|| record_json(rec));
            let d = &r.evaluation.decisions[i];
            v["action"] = json!(d.action);
            v["why"] = json!(d.why);
            v["fingerprint"] = json!(rec.fingerprint);
            if let Some(b) = &r.baseline {
                v["baseline_state"] = json!(b.states[i]);
            }
            v
        })
        .collect();
    json!({
        "digest": digest,
        "repository": repository,
        "verdict": verdict(r),
        "image": r.facts.image,
        "policy": r.policy,
        "findings": findings,
        "baseline": r.baseline.as_ref().map(|b| json!({"name": b.name, "digest": b.digest})),
        "resolved": r.baseline.as_ref().map(|b| &b.resolved),
        "delta": r.baseline.as_ref().map(|b| &b.delta),
        "summary": {
            "findings": r.facts.findings.len(),
            "denied": r.evaluation.denied,
            "warned": r.evaluation.warned,
            "allowed": r.evaluation.allowed,
            "new": new_count(r),
        },
    })
}

/// A finding the scan did not make itself (the gate's `unapproved-image`).
fn record_json(f: &FindingRecord) -> Value {
    json!({
        "code": f.code,
        "severity": f.severity,
        "technique": f.code().map(|c| c.info().technique),
        "title": f.title,
        "path": f.path,
        "layer": f.layer,
        "sha256": f.sha256,
        "evidence": f.evidence,
    })
}

/// Findings new against the baseline (all of them without one).
pub fn new_count(r: &GateReport) -> Option<usize> {
    r.baseline.as_ref().map(|b| {
        b.states
            .iter()
            .filter(|s| **s == crate::delta::BaselineState::New)
            .count()
    })
}

/// Whether this result is alerted: a denial, or a new finding at or above
/// `min` severity.
pub fn alerted(r: &GateReport, min: Severity) -> bool {
    r.evaluation.denied > 0 || new_findings(r).any(|f| f.severity >= min)
}

fn new_findings(r: &GateReport) -> impl Iterator<Item = &FindingRecord> {
    r.facts.findings.iter().enumerate().filter_map(|(i, f)| {
        let new = r
            .baseline
            .as_ref()
            .is_none_or(|b| b.states[i] == crate::delta::BaselineState::New);
        new.then_some(f)
    })
}

/// The CloudEvents 1.0 alert of a job's result.
pub fn cloud_event(
    event_id: &str,
    job: i64,
    reference: &str,
    r: &GateReport,
    digest: &str,
) -> Value {
    let findings: Vec<Value> = new_findings(r)
        .map(|f| {
            json!({"code": f.code, "severity": f.severity, "title": f.title, "path": f.path, "evidence": f.evidence})
        })
        .collect();
    json!({
        "specversion": "1.0",
        "id": event_id,
        "source": "stowaway/serve",
        "type": "dev.stowaway.scan.verdict",
        "subject": format!("{}@{digest}", r.facts.image.repository.as_deref().unwrap_or(reference)),
        "time": crate::time::now_rfc3339(),
        "datacontenttype": "application/json",
        "data": {
            "job": job,
            "image": reference,
            "repository": r.facts.image.repository,
            "digest": digest,
            "verdict": verdict(r),
            "new_findings": findings,
        },
    })
}
