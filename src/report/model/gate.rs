//! The gate document (`stowaway gate --format json`): the verdict, each
//! finding with the policy's decision (and why) and its baseline state, the
//! resolved findings, the delta, unused allowlist entries and a summary.

use schemars::JsonSchema;
use serde::Serialize;

use crate::delta::{BaselineState, Delta};
use crate::facts::{FindingRecord, ImageMeta};
use crate::finding::{Evidence, Severity};
use crate::gate::{BaselineComparison, GateReport};
use crate::model::Verdict;
use crate::policy::{Action, Decision};

use super::{SchemaVersion, ToolRef};

/// The approved image a report compares with.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BaselineRef<'a> {
    pub digest: Option<&'a str>,
    pub name: &'a str,
}

impl<'a> BaselineRef<'a> {
    /// The name and digest of a comparison's baseline.
    pub fn of(c: &'a BaselineComparison) -> BaselineRef<'a> {
        BaselineRef {
            name: &c.name,
            digest: c.digest.as_deref(),
        }
    }
}

/// A stored finding, as the gate lists it.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RecordRow<'a> {
    pub code: &'a str,
    pub evidence: &'a [String],
    pub fingerprint: &'a str,
    pub layer: Option<usize>,
    pub path: Option<&'a str>,
    pub severity: Severity,
    pub sha256: Option<&'a str>,
    /// Absent (null) for a code this build does not know.
    pub technique: Option<&'static str>,
    pub title: &'a str,
}

impl<'a> RecordRow<'a> {
    /// The row of a stored finding.
    pub fn of(f: &'a FindingRecord) -> RecordRow<'a> {
        RecordRow {
            code: &f.code,
            evidence: &f.evidence,
            fingerprint: &f.fingerprint,
            layer: f.layer,
            path: f.path.as_deref(),
            severity: f.severity,
            sha256: f.sha256.as_deref(),
            technique: f.code().map(|c| c.info().technique),
            title: &f.title,
        }
    }
}

/// One finding of a gate: the stored finding, the decision, the baseline state.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GateFinding<'a> {
    pub action: Action,
    /// Only when compared with a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    pub code: &'a str,
    pub evidence: &'a [String],
    /// The evidence, structured (see the scan document).
    pub evidence_items: &'a [Evidence],
    pub fingerprint: &'a str,
    pub layer: Option<usize>,
    pub path: Option<&'a str>,
    pub severity: Severity,
    pub sha256: Option<&'a str>,
    pub technique: Option<&'static str>,
    pub title: &'a str,
    /// Why the policy decided so.
    pub why: &'a str,
}

impl<'a> GateFinding<'a> {
    fn of(
        f: &'a FindingRecord,
        d: &'a Decision,
        baseline_state: Option<BaselineState>,
    ) -> GateFinding<'a> {
        let r = RecordRow::of(f);
        GateFinding {
            action: d.action,
            baseline_state,
            code: r.code,
            evidence: r.evidence,
            evidence_items: &f.items,
            fingerprint: r.fingerprint,
            layer: r.layer,
            path: r.path,
            severity: r.severity,
            sha256: r.sha256,
            technique: r.technique,
            title: r.title,
            why: &d.why,
        }
    }
}

/// The numbers of a gate; the baseline counts are null without a baseline.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GateSummary {
    pub allowed: usize,
    pub denied: usize,
    pub findings: usize,
    pub new: Option<usize>,
    pub resolved: Option<usize>,
    pub unchanged: Option<usize>,
    pub warned: usize,
}

/// The gate document.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GateDoc<'a> {
    pub schema_version: SchemaVersion,
    pub baseline: Option<BaselineRef<'a>>,
    pub delta: Option<&'a Delta>,
    pub findings: Vec<GateFinding<'a>>,
    pub image: &'a ImageMeta,
    /// Where the policy came from (a file, or the built-in default).
    pub policy: &'a str,
    pub resolved: Option<Vec<RecordRow<'a>>>,
    pub summary: GateSummary,
    /// Allowlist entries that matched nothing.
    pub unused_allow: &'a [String],
    pub tool: ToolRef,
    pub verdict: Verdict,
}

impl<'a> GateDoc<'a> {
    /// The document of a gate.
    pub fn new(r: &'a GateReport) -> GateDoc<'a> {
        let b = r.baseline.as_ref();
        let e = &r.evaluation;
        GateDoc {
            schema_version: SchemaVersion,
            baseline: b.map(BaselineRef::of),
            delta: b.map(|b| &b.delta),
            findings: (r.facts.findings.iter().zip(&e.decisions).enumerate())
                .map(|(i, (f, d))| GateFinding::of(f, d, b.map(|b| b.states[i])))
                .collect(),
            image: &r.facts.image,
            policy: &r.policy,
            resolved: b.map(|b| b.resolved.iter().map(RecordRow::of).collect()),
            summary: GateSummary {
                allowed: e.allowed,
                denied: e.denied,
                findings: r.facts.findings.len(),
                new: b.map(BaselineComparison::new_findings),
                resolved: b.map(|b| b.resolved.len()),
                unchanged: b.map(|b| b.count(BaselineState::Unchanged)),
                warned: e.warned,
            },
            unused_allow: &e.unused_allow,
            tool: ToolRef::THIS,
            verdict: r.verdict(),
        }
    }
}
