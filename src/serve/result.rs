//! What a finished scan job stores and serves — the typed result document
//! of [`crate::report::model::ServeResultDoc`] — and the CloudEvents alert
//! sent for it.

use crate::Severity;
use crate::facts::FindingRecord;
use crate::gate::GateReport;
use crate::report::model::{
    Alert, AlertData, AlertFinding, AlertType, ServeResultDoc, ServeVerdict, SpecVersion,
};
use crate::scan::Scan;

/// The gate's verdict in the server's words (`pass`, `warn`, `deny`).
pub fn verdict(r: &GateReport) -> &'static str {
    ServeVerdict::of(r).as_str()
}

/// The stored result document of job `job` (finished at `finished`, in
/// seconds since the epoch), as JSON text.
pub fn document(
    scan: &Scan,
    r: &GateReport,
    repository: &str,
    digest: &str,
    (job, finished): (i64, f64),
) -> String {
    let doc = ServeResultDoc::new(r, &scan.findings, repository, digest, (job, finished));
    serde_json::to_string(&doc).unwrap_or_default()
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
pub fn cloud_event<'a>(
    event_id: &'a str,
    job: i64,
    reference: &'a str,
    r: &'a GateReport,
    digest: &'a str,
) -> Alert<'a> {
    let repository = r.facts.image.repository.as_deref();
    Alert {
        specversion: SpecVersion::V1_0,
        id: event_id,
        source: "stowaway/serve",
        kind: AlertType::ScanVerdict,
        subject: format!("{}@{digest}", repository.unwrap_or(reference)),
        time: crate::time::now_rfc3339(),
        datacontenttype: "application/json",
        data: AlertData {
            job,
            image: reference,
            repository,
            digest,
            verdict: ServeVerdict::of(r),
            new_findings: new_findings(r).map(AlertFinding::from).collect(),
        },
    }
}
