//! The audit document (`stowaway audit --format json`, and each shard's
//! report that `stowaway audit merge` reads back): every workload's
//! container with its image, digest and verdict, one entry per distinct
//! image digest with its findings, what could not be read, and what changed
//! since the previous audit. Unlike the other documents it is owned and
//! deserializable, because shard reports are merged from their files.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::facts::FindingRecord;
use crate::finding::{Evidence, Severity, Subject};

/// The verdict on one image (and on the workloads that run it).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ImageVerdict {
    /// Scanned; the policy denied nothing.
    Pass,
    /// Scanned; the policy denied something.
    Fail,
    /// Not scanned: the image could not be read (see its `error`).
    Error,
}

/// The verdict on the whole audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditVerdict {
    /// Every image scanned, none failed.
    Pass,
    /// Every image scanned, at least one failed.
    Fail,
    /// An image or a part of the inventory could not be read.
    Incomplete,
}

/// Which shard of a sharded audit a report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardInfo {
    /// 0-based.
    pub index: u32,
    pub count: u32,
}

/// One container of one pod, attributed to the pod's top owner.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadRow {
    pub namespace: String,
    /// Kind of the top owner (Deployment, StatefulSet, DaemonSet, Job,
    /// CronJob, ReplicaSet…), `Pod` for a bare pod, `Container` in node mode.
    pub kind: String,
    pub name: String,
    pub pod: String,
    pub container: String,
    /// `container`, `init` or `ephemeral`.
    pub container_type: String,
    /// The image as the pod names it.
    pub image: String,
    /// The image's digest (`sha256:…`): from the status, or resolved from
    /// the tag when the status names none (then `pinned` is false).
    pub digest: Option<String>,
    /// True when the status named the digest the container runs.
    pub pinned: bool,
    pub verdict: ImageVerdict,
}

/// One finding of an image, with the policy's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditFinding {
    pub code: String,
    pub severity: Severity,
    pub fingerprint: String,
    pub path: Option<String>,
    pub sha256: Option<String>,
    pub layer: Option<usize>,
    pub title: String,
    pub evidence: Vec<String>,
    /// The evidence, structured (as in the scan document).
    #[serde(default)]
    pub evidence_items: Vec<Evidence>,
    /// The line or build step the finding is about.
    #[serde(default)]
    pub subject: Option<Subject>,
    /// `allow`, `warn` or `deny`.
    pub action: String,
    pub why: String,
}

impl AuditFinding {
    /// The stored form of the finding.
    pub fn record(&self) -> FindingRecord {
        FindingRecord {
            fingerprint: self.fingerprint.clone(),
            code: self.code.clone(),
            severity: self.severity,
            path: self.path.clone(),
            sha256: self.sha256.clone(),
            layer: self.layer,
            title: self.title.clone(),
            evidence: self.evidence.clone(),
            items: self.evidence_items.clone(),
            subject: self.subject.clone(),
        }
    }
}

/// One distinct image (by digest; by reference while unpinned and unresolved).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageRow {
    /// The manifest digest scanned; null when it could not be resolved.
    pub digest: Option<String>,
    /// The reference that was scanned.
    pub reference: String,
    /// False when no pod status named the digest (a tag resolved once).
    pub pinned: bool,
    pub verdict: ImageVerdict,
    /// Why the image could not be scanned (with `verdict: error`).
    pub error: Option<String>,
    pub findings: Vec<AuditFinding>,
    /// Pods' containers that run it.
    pub workloads: usize,
}

/// A part of the inventory that could not be read (a namespace the
/// credentials may not list, a pod entry that is malformed).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    /// What was skipped: `namespace/NAME`, `pod/NS/NAME`, a container.
    pub what: String,
    pub reason: String,
}

/// An image in one audit and not in the other.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageChange {
    /// The digest, or the reference of an unpinned image never resolved.
    pub key: String,
    pub reference: String,
}

/// A finding no image of the previous audit had.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub key: String,
    pub code: String,
    pub fingerprint: String,
    pub path: Option<String>,
}

/// What changed since an earlier audit recorded in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditChanges {
    /// The earlier audit's run id and time.
    pub since_run: i64,
    pub since_time: String,
    pub appeared: Vec<ImageChange>,
    pub disappeared: Vec<ImageChange>,
    pub new_findings: Vec<NewFinding>,
}

/// The numbers of an audit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditSummary {
    pub workloads: usize,
    pub images: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub unpinned: usize,
    pub skipped: usize,
}

/// The audit document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditDoc {
    /// Where the inventory came from: `pods:FILE`, `kubernetes`, `node`.
    pub source: String,
    /// Set on a shard's report; null for a whole (or merged) audit.
    pub shard: Option<ShardInfo>,
    pub verdict: AuditVerdict,
    pub summary: AuditSummary,
    pub workloads: Vec<WorkloadRow>,
    pub images: Vec<ImageRow>,
    pub skipped: Vec<Skipped>,
    /// The policy file, or `built-in`.
    pub policy: String,
    /// The run id this audit has in the store's history (null when not recorded).
    pub run: Option<i64>,
    /// Changes since the previous audit (null without one).
    pub changes: Option<AuditChanges>,
}

impl AuditDoc {
    /// Recompute the summary and the verdict from the rows.
    pub fn settle(&mut self) {
        let count = |v: ImageVerdict| self.images.iter().filter(|i| i.verdict == v).count();
        self.summary = AuditSummary {
            workloads: self.workloads.len(),
            images: self.images.len(),
            passed: count(ImageVerdict::Pass),
            failed: count(ImageVerdict::Fail),
            errors: count(ImageVerdict::Error),
            unpinned: self.images.iter().filter(|i| !i.pinned).count(),
            skipped: self.skipped.len(),
        };
        self.verdict = if self.summary.errors > 0 || self.summary.skipped > 0 {
            AuditVerdict::Incomplete
        } else if self.summary.failed > 0 {
            AuditVerdict::Fail
        } else {
            AuditVerdict::Pass
        };
    }
}
