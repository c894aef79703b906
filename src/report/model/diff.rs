//! The diff document (`stowaway diff A B --format json`): both images, the
//! file and config delta, B's findings with their state relative to A, and
//! A's findings that B no longer has.

use schemars::JsonSchema;
use serde::Serialize;

use crate::delta::{BaselineState, Delta};
use crate::facts::{FindingRecord, ImageFacts};
use crate::finding::Severity;
use crate::gate::BaselineComparison;

use super::{SchemaVersion, ToolRef};

/// One finding of the second image.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiffFinding<'a> {
    pub baseline_state: BaselineState,
    pub code: &'a str,
    pub evidence: &'a [String],
    pub path: Option<&'a str>,
    pub severity: Severity,
}

/// The diff document.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiffDoc<'a> {
    pub schema_version: SchemaVersion,
    pub after: &'a crate::facts::ImageMeta,
    pub before: &'a crate::facts::ImageMeta,
    pub delta: &'a Delta,
    pub findings: Vec<DiffFinding<'a>>,
    /// Findings of the first image that the second does not have.
    pub resolved: &'a [FindingRecord],
    pub tool: ToolRef,
}

impl<'a> DiffDoc<'a> {
    /// `after` compared with `before` (`cmp` is that comparison).
    pub fn new(
        before: &'a ImageFacts,
        after: &'a ImageFacts,
        cmp: &'a BaselineComparison,
    ) -> DiffDoc<'a> {
        DiffDoc {
            schema_version: SchemaVersion,
            after: &after.image,
            before: &before.image,
            delta: &cmp.delta,
            findings: (after.findings.iter().zip(&cmp.states))
                .map(|(f, s)| DiffFinding {
                    baseline_state: *s,
                    code: &f.code,
                    evidence: &f.evidence,
                    path: f.path.as_deref(),
                    severity: f.severity,
                })
                .collect(),
            resolved: &cmp.resolved,
            tool: ToolRef::THIS,
        }
    }

    /// The findings the first image did not have.
    pub fn new_findings(&self) -> impl Iterator<Item = &DiffFinding<'a>> {
        self.findings
            .iter()
            .filter(|f| f.baseline_state == BaselineState::New)
    }
}
