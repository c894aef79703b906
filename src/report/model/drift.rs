//! The drift document (`stowaway drift --format json`): the image side, where
//! the container side was read, the verdict, each finding with the policy's
//! decision, the file delta and unused allowlist entries. Checking several
//! discovered containers gives a list of these documents.

use schemars::JsonSchema;
use serde::Serialize;

use crate::delta::Delta;
use crate::drift::DriftReport;
use crate::facts::{FindingRecord, ImageMeta};
use crate::finding::{Evidence, Severity};
use crate::model::Verdict;
use crate::policy::{Action, Decision, Evaluation};

use super::{SchemaVersion, ToolRef};

/// A container found in a runtime's state on the host.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiscoveredContainer<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    /// Where its files were read.
    pub read: &'a str,
    /// docker, containers-storage or containerd.
    pub runtime: &'a str,
}

/// The container side: where its files were read (`--rootfs`/`--upperdir`),
/// or the discovered container.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ContainerRef<'a> {
    Read(&'a str),
    Discovered(DiscoveredContainer<'a>),
}

/// One finding of a drift check, with the policy's decision.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DriftFinding<'a> {
    pub action: Action,
    pub code: &'a str,
    pub evidence: &'a [String],
    /// The evidence, structured (see the scan document).
    pub evidence_items: &'a [Evidence],
    pub fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<&'a str>,
    pub title: &'a str,
    pub why: &'a str,
}

impl<'a> DriftFinding<'a> {
    fn of(f: &'a FindingRecord, d: &'a Decision) -> DriftFinding<'a> {
        DriftFinding {
            action: d.action,
            code: &f.code,
            evidence: &f.evidence,
            evidence_items: &f.items,
            fingerprint: &f.fingerprint,
            layer: f.layer,
            path: f.path.as_deref(),
            severity: f.severity,
            sha256: f.sha256.as_deref(),
            title: &f.title,
            why: &d.why,
        }
    }
}

/// The drift document of one container.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DriftDoc<'a> {
    pub schema_version: SchemaVersion,
    pub container: ContainerRef<'a>,
    pub delta: &'a Delta,
    pub findings: Vec<DriftFinding<'a>>,
    pub image: &'a ImageMeta,
    /// Where the policy came from (a file, or the built-in default).
    pub policy: &'a str,
    pub unused_allow: &'a [String],
    pub tool: ToolRef,
    pub verdict: Verdict,
}

impl<'a> DriftDoc<'a> {
    /// The document of a drift report evaluated by a policy (from `policy`).
    pub fn new(report: &'a DriftReport, eval: &'a Evaluation, policy: &'a str) -> DriftDoc<'a> {
        DriftDoc {
            schema_version: SchemaVersion,
            container: ContainerRef::Read(&report.container),
            delta: &report.delta,
            findings: (report.findings.iter().zip(&eval.decisions))
                .map(|(f, d)| DriftFinding::of(f, d))
                .collect(),
            image: &report.image,
            policy,
            unused_allow: &eval.unused_allow,
            tool: ToolRef::THIS,
            verdict: Verdict::failing_if(eval.failed()),
        }
    }
}

/// What `drift --format json` prints: one document for `--rootfs` or
/// `--upperdir`, a list for discovered containers (`--container`, `--all`).
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub enum DriftOutput<'a> {
    One(DriftDoc<'a>),
    Many(Vec<DriftDoc<'a>>),
}
