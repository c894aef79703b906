//! The documents of `stowaway serve`: the result of a scan job, stored when
//! the job finishes and served as is by `GET /v1/images/{digest}` and as
//! Harbor's raw report (the verdict, each finding as `scan --format json`
//! writes it plus the policy's decision, the baseline delta, a summary); and
//! a job as `GET /v1/scans/{id}` shows it.

use schemars::JsonSchema;
use serde::Serialize;

use crate::delta::{BaselineState, Delta};
use crate::facts::{FindingRecord, ImageMeta};
use crate::finding::{Evidence, Finding, PackageRef, Severity, Subject};
use crate::gate::GateReport;
use crate::model::Sha256;
use crate::policy::{Action, Decision};

use super::{BaselineRef, RecordRow};

/// The server's verdict: denied, warned, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ServeVerdict {
    Pass,
    Warn,
    Deny,
}

impl ServeVerdict {
    /// The verdict of a gate: deny if anything was denied, else warn if
    /// anything warned, else pass.
    pub fn of(r: &GateReport) -> ServeVerdict {
        if r.evaluation.denied > 0 {
            ServeVerdict::Deny
        } else if r.evaluation.warned > 0 {
            ServeVerdict::Warn
        } else {
            ServeVerdict::Pass
        }
    }

    /// Lowercase name, as in JSON and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            ServeVerdict::Pass => "pass",
            ServeVerdict::Warn => "warn",
            ServeVerdict::Deny => "deny",
        }
    }
}

/// One finding of a result: the fields of the scan document's finding
/// (null where the gate made the finding, not the scan), the policy's
/// decision and the baseline state.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServeFinding<'a> {
    pub action: Action,
    /// Only when compared with an approved image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    pub code: &'a str,
    /// The history step that made the layer.
    pub created_by: Option<&'a str>,
    pub evidence: &'a [String],
    /// The same evidence, structured (as in the scan document).
    pub evidence_items: &'a [Evidence],
    pub fingerprint: &'a str,
    /// For files hidden later: the layer that hid them.
    pub hidden_in: Option<usize>,
    pub layer: Option<usize>,
    pub layer_digest: Option<Sha256>,
    pub package: Option<&'a PackageRef>,
    pub path: Option<&'a str>,
    pub severity: Severity,
    pub sha256: Option<&'a str>,
    /// The line or build step the finding is about (as in the scan document).
    pub subject: Option<&'a Subject>,
    /// Absent (null) for a code this build does not know.
    pub technique: Option<&'static str>,
    pub title: &'a str,
    /// Why the policy decided so.
    pub why: &'a str,
}

impl<'a> ServeFinding<'a> {
    /// A stored finding with the live finding it came from (if the scan made it).
    pub fn of(
        rec: &'a FindingRecord,
        live: Option<&'a Finding>,
        d: &'a Decision,
        baseline_state: Option<BaselineState>,
    ) -> ServeFinding<'a> {
        let layer = live.and_then(|f| f.layer.as_ref());
        ServeFinding {
            action: d.action,
            baseline_state,
            code: &rec.code,
            created_by: layer.and_then(|l| l.created_by.as_deref()),
            evidence: &rec.evidence,
            evidence_items: &rec.items,
            fingerprint: &rec.fingerprint,
            hidden_in: live.and_then(|f| f.hidden_in.as_ref()).map(|l| l.index),
            layer: rec.layer,
            layer_digest: layer.and_then(|l| l.digest),
            package: live.and_then(|f| f.package.as_ref()),
            path: rec.path.as_deref(),
            severity: rec.severity,
            sha256: rec.sha256.as_deref(),
            subject: rec.subject.as_ref(),
            technique: rec.code().map(|c| c.info().technique),
            title: &rec.title,
            why: &d.why,
        }
    }
}

/// The numbers of a result; `new` is null without an approved image.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServeSummary {
    pub allowed: usize,
    pub denied: usize,
    pub findings: usize,
    pub new: Option<usize>,
    pub warned: usize,
}

/// The result of a scan job.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServeResultDoc<'a> {
    /// The approved image of the repository compared with, if any.
    pub baseline: Option<BaselineRef<'a>>,
    pub delta: Option<&'a Delta>,
    pub digest: &'a str,
    pub findings: Vec<ServeFinding<'a>>,
    pub image: &'a ImageMeta,
    /// Where the policy came from (a file, or the built-in default).
    pub policy: &'a str,
    pub repository: &'a str,
    /// Findings of the approved image that are gone.
    pub resolved: Option<Vec<RecordRow<'a>>>,
    /// The job (`GET /v1/scans/{id}`).
    pub scan: i64,
    /// When the job finished, in seconds since the epoch.
    pub scanned_at: f64,
    pub summary: ServeSummary,
    pub verdict: ServeVerdict,
}

impl<'a> ServeResultDoc<'a> {
    /// The result of job `scan` for `digest` in `repository`: the gate `r`
    /// of the scan whose live findings are `live`.
    pub fn new(
        r: &'a GateReport,
        live: &'a [Finding],
        repository: &'a str,
        digest: &'a str,
        (scan, scanned_at): (i64, f64),
    ) -> ServeResultDoc<'a> {
        let by_fp: std::collections::HashMap<String, &Finding> = live
            .iter()
            .map(|f| (FindingRecord::of(f).fingerprint, f))
            .collect();
        let b = r.baseline.as_ref();
        let e = &r.evaluation;
        let findings = (r.facts.findings.iter().zip(&e.decisions).enumerate())
            .map(|(i, (rec, d))| {
                let f = by_fp.get(&rec.fingerprint).copied();
                ServeFinding::of(rec, f, d, b.map(|b| b.states[i]))
            })
            .collect();
        ServeResultDoc {
            baseline: b.map(BaselineRef::of),
            delta: b.map(|b| &b.delta),
            digest,
            findings,
            image: &r.facts.image,
            policy: &r.policy,
            repository,
            resolved: b.map(|b| b.resolved.iter().map(RecordRow::of).collect()),
            scan,
            scanned_at,
            summary: ServeSummary {
                allowed: e.allowed,
                denied: e.denied,
                findings: r.facts.findings.len(),
                new: b.map(|b| b.new_findings()),
                warned: e.warned,
            },
            verdict: ServeVerdict::of(r),
        }
    }
}

/// A scan job as `GET /v1/scans/{id}` shows it.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServeJobDoc<'a> {
    /// Attempts so far (a retried or taken-over job has more than one).
    pub attempts: i64,
    /// Seconds since the epoch.
    pub created: f64,
    pub digest: &'a str,
    pub finished: Option<f64>,
    pub id: i64,
    /// The error of the last failed attempt.
    pub last_error: Option<&'a str>,
    /// `distribution`, `api` or `harbor`.
    pub origin: &'a str,
    pub reference: &'a str,
    pub repository: &'a str,
    /// Requests (events, API calls) that point at this job.
    pub requests: i64,
    /// The result, once the job is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ServeResultDoc<'static>>")]
    pub result: Option<serde_json::Value>,
    pub started: Option<f64>,
    pub state: JobState,
    pub verdict: Option<ServeVerdict>,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    /// Failed on every attempt (or on a permanent error): `last_error` says why.
    Dead,
}

impl JobState {
    /// The state named as in the store.
    pub fn parse(s: &str) -> Option<JobState> {
        Some(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "dead" => JobState::Dead,
            _ => return None,
        })
    }
}

impl ServeVerdict {
    /// The verdict named as in the store.
    pub fn parse(s: &str) -> Option<ServeVerdict> {
        Some(match s {
            "pass" => ServeVerdict::Pass,
            "warn" => ServeVerdict::Warn,
            "deny" => ServeVerdict::Deny,
            _ => return None,
        })
    }
}
