//! The scan document (`stowaway scan --format json`): the image, every
//! finding with where it was found, a summary, and, when compared with an
//! approved image, each finding's baseline state, the resolved findings and
//! the file delta.

use schemars::JsonSchema;
use serde::Serialize;

use crate::delta::{BaselineState, Delta};
use crate::facts::FindingRecord;
use crate::finding::{Code, Evidence, Finding, PackageRef, Severity, Subject};
use crate::gate::BaselineComparison;
use crate::model::{ImageInfo, Sha256};
use crate::path::ImagePath;
use crate::scan::Scan;

use super::{BaselineRef, SchemaVersion, ToolRef};

/// What the scan was compared with.
#[derive(Clone, Copy)]
pub enum ScanBaseline<'a> {
    /// No `--baseline`.
    NotAsked,
    /// `--baseline` found no approved image: every finding is new.
    NoneApproved,
    /// Compared with an approved image.
    Compared(&'a BaselineComparison),
}

/// One finding of a scan.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScanFinding<'a> {
    /// Only with `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    pub code: Code,
    /// The history step that made the layer.
    pub created_by: Option<&'a str>,
    /// What explains the finding, for people.
    pub evidence: &'a [String],
    /// The same evidence, structured (what matched, where, the text); empty
    /// where a finding has no matched text (a setuid bit, a tar anomaly).
    pub evidence_items: &'a [Evidence],
    /// Stable identity of the finding across rescans and rebuilds (what
    /// baselines and SARIF `partialFingerprints` hold).
    pub fingerprint: String,
    /// For files hidden later: the layer that hid them.
    pub hidden_in: Option<usize>,
    pub layer: Option<usize>,
    pub layer_digest: Option<Sha256>,
    pub package: Option<&'a PackageRef>,
    pub path: Option<&'a ImagePath>,
    pub severity: Severity,
    pub sha256: Option<Sha256>,
    /// The line of a script or command string, or the build step, the
    /// finding is about.
    pub subject: Option<&'a Subject>,
    pub technique: &'static str,
    pub title: &'static str,
}

impl<'a> ScanFinding<'a> {
    /// The row of a finding, with its baseline state when compared.
    pub fn of(f: &'a Finding, baseline_state: Option<BaselineState>) -> ScanFinding<'a> {
        ScanFinding {
            baseline_state,
            code: f.code,
            created_by: f.layer.as_ref().and_then(|l| l.created_by.as_deref()),
            evidence: &f.evidence,
            evidence_items: &f.items,
            fingerprint: f.fingerprint(),
            hidden_in: f.hidden_in.as_ref().map(|l| l.index),
            layer: f.layer.as_ref().map(|l| l.index),
            layer_digest: f.layer.as_ref().and_then(|l| l.digest),
            package: f.package.as_ref(),
            path: f.path.as_ref(),
            severity: f.severity,
            sha256: f.sha256,
            subject: f.subject.as_ref(),
            technique: f.technique,
            title: f.title,
        }
    }
}

/// Findings per severity, every severity present.
#[derive(Serialize, JsonSchema, Default, Debug, PartialEq, Eq)]
#[schemars(deny_unknown_fields)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub info: usize,
    pub low: usize,
    pub medium: usize,
}

impl SeverityCounts {
    /// Count `findings` by severity.
    pub fn of(findings: &[Finding]) -> SeverityCounts {
        let mut c = SeverityCounts::default();
        for f in findings {
            *match f.severity {
                Severity::Critical => &mut c.critical,
                Severity::High => &mut c.high,
                Severity::Medium => &mut c.medium,
                Severity::Low => &mut c.low,
                Severity::Info => &mut c.info,
            } += 1;
        }
        c
    }
}

/// The numbers of a scan.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScanSummary {
    pub by_severity: SeverityCounts,
    /// The severity that fails the scan; null with `--fail-on never`
    /// (report only).
    pub fail_on: Option<Severity>,
    /// Findings at or above `fail_on`: the scan fails when there are any
    /// (always 0 with `--fail-on never`).
    pub failing: usize,
    /// Files of the final view.
    pub files: usize,
    pub findings: usize,
    pub layers: usize,
    /// Files shipped but hidden by later layers.
    pub removed: usize,
    pub uncompressed_bytes: u64,
}

/// The scan document.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScanDoc<'a> {
    pub schema_version: SchemaVersion,
    /// The approved image compared with (only when one was found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<&'a Delta>,
    pub findings: Vec<ScanFinding<'a>>,
    pub image: &'a ImageInfo,
    /// Findings of the approved image that are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<&'a [FindingRecord]>,
    /// When the scan started (RFC 3339, UTC).
    pub scanned_at: &'a str,
    pub summary: ScanSummary,
    pub tool: ToolRef,
}

impl<'a> ScanDoc<'a> {
    /// The document of `scan`, judged at `fail_on` (`None`: report only).
    pub fn new(
        scan: &'a Scan,
        fail_on: Option<Severity>,
        baseline: ScanBaseline<'a>,
    ) -> ScanDoc<'a> {
        let state = |i: usize| match baseline {
            ScanBaseline::NotAsked => None,
            ScanBaseline::NoneApproved => Some(BaselineState::New),
            ScanBaseline::Compared(c) => c.states.get(i).copied(),
        };
        let cmp = match baseline {
            ScanBaseline::Compared(c) => Some(c),
            _ => None,
        };
        ScanDoc {
            schema_version: SchemaVersion,
            baseline: cmp.map(BaselineRef::of),
            delta: cmp.map(|c| &c.delta),
            findings: (scan.findings.iter().enumerate())
                .map(|(i, f)| ScanFinding::of(f, state(i)))
                .collect(),
            image: &scan.image,
            resolved: cmp.map(|c| c.resolved.as_slice()),
            scanned_at: &scan.started_at,
            summary: ScanSummary {
                by_severity: SeverityCounts::of(&scan.findings),
                fail_on,
                failing: fail_on.map_or(0, |s| scan.failing(s)),
                files: scan.fs.nodes.len(),
                findings: scan.findings.len(),
                layers: scan.image.layers.len(),
                removed: scan.fs.removed.len(),
                uncompressed_bytes: scan.image.layers.iter().map(|l| l.uncompressed_size).sum(),
            },
            tool: ToolRef::THIS,
        }
    }
}
