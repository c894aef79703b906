//! The small JSON bodies of `stowaway serve`'s own routes: health, errors,
//! what an accepted request queued, a finding code's explanation, and the
//! CloudEvents alert sent for a result. Each is a contract a client or a
//! receiver parses, so each is a type with a generated schema
//! (`schemas/serve-*.schema.json`). Harbor's adapter bodies follow Harbor's
//! OpenAPI file instead (`serve/harbor.rs`).

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::Serialize;

use crate::facts::FindingRecord;
use crate::finding::{Code, Severity};

use super::{JobState, ServeVerdict};

/// What `/healthz` and `/readyz` answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// The process answers (`/healthz`).
    Ok,
    /// The store answers and the server is not stopping (`/readyz`).
    Ready,
}

/// `{"status": "ok"}` or `{"status": "ready"}`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Health {
    pub status: HealthStatus,
}

/// Every error of the server's own routes: `{"error": "...", "status": N}`;
/// a result asked for before its scan finished also names the job.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServeErrorBody<'a> {
    /// What went wrong, for a person.
    pub error: Cow<'a, str>,
    /// The HTTP status, repeated.
    pub status: u16,
    /// Only on `GET /v1/images/{digest}` of a digest queued but not done.
    #[serde(flatten)]
    pub pending: Option<PendingScan<'a>>,
}

/// The job of a result that is not there yet.
#[derive(Serialize, JsonSchema)]
pub struct PendingScan<'a> {
    /// The job (`GET /v1/scans/{scan}`).
    pub scan: i64,
    pub state: JobState,
    /// Why the last attempt failed; null when none did.
    pub last_error: Option<&'a str>,
}

/// `POST /v1/events/distribution`'s 202: the jobs of the push events (one
/// per event; events of one digest share a job), and how many events were
/// not pushes of an image manifest.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EventsAccepted<'a> {
    pub jobs: &'a [i64],
    pub ignored: usize,
}

/// `POST /v1/scans`'s 202: the job that will scan the digest.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScanAccepted<'a> {
    pub id: i64,
    pub digest: &'a str,
}

/// `GET /v1/explain/{code}`: what a finding code means.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CodeExplained {
    pub code: Code,
    pub title: &'static str,
    pub severity: Severity,
    /// MITRE ATT&CK technique id.
    pub technique: &'static str,
    pub description: &'static str,
}

impl From<Code> for CodeExplained {
    fn from(code: Code) -> CodeExplained {
        let i = code.info();
        CodeExplained {
            code,
            title: i.title,
            severity: i.severity,
            technique: i.technique,
            description: i.description,
        }
    }
}

/// The CloudEvents `specversion` this server writes: always `1.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum SpecVersion {
    #[serde(rename = "1.0")]
    V1_0,
}

/// The alert's CloudEvents `type`: always `dev.stowaway.scan.verdict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub enum AlertType {
    #[serde(rename = "dev.stowaway.scan.verdict")]
    ScanVerdict,
}

/// The alert posted to `--notify` for a result: a CloudEvents 1.0 event in
/// structured mode, signed by the notifier.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Alert<'a> {
    pub specversion: SpecVersion,
    /// `stowaway-<digest prefix>-<job>`: the same for every delivery of one
    /// result, so a receiver can drop repeats.
    pub id: &'a str,
    /// Always `stowaway/serve`.
    pub source: &'static str,
    #[serde(rename = "type")]
    pub kind: AlertType,
    /// `REPOSITORY@DIGEST`.
    pub subject: String,
    /// When the alert was made (RFC 3339).
    pub time: String,
    /// Always `application/json`.
    pub datacontenttype: &'static str,
    pub data: AlertData<'a>,
}

/// What the alert is about.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AlertData<'a> {
    pub job: i64,
    /// The reference the job pulled.
    pub image: &'a str,
    pub repository: Option<&'a str>,
    pub digest: &'a str,
    pub verdict: ServeVerdict,
    /// Findings new against the baseline (all of them without one).
    pub new_findings: Vec<AlertFinding<'a>>,
}

/// One new finding of an alert.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AlertFinding<'a> {
    pub code: &'a str,
    pub severity: Severity,
    pub title: &'a str,
    pub path: Option<&'a str>,
    pub evidence: &'a [String],
}

impl<'a> From<&'a FindingRecord> for AlertFinding<'a> {
    fn from(f: &'a FindingRecord) -> AlertFinding<'a> {
        AlertFinding {
            code: &f.code,
            severity: f.severity,
            title: &f.title,
            path: f.path.as_deref(),
            evidence: &f.evidence,
        }
    }
}
