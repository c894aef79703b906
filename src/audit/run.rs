//! One audit run: the inventory's distinct targets (this shard's part of
//! them) scanned once each, a bounded number at a time, by the scanner the
//! front end gives; then every workload gets its image's verdict. A target
//! that cannot be scanned is an `error` row naming its reference and digest
//! — the run goes on, and the audit is incomplete.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::inventory::{Inventory, Shard, Target, distinct};
use crate::gate::GateReport;
use crate::report::model::{
    AuditDoc, AuditFinding, AuditSummary, AuditVerdict, ImageRow, ImageVerdict, ShardInfo,
    WorkloadRow,
};

/// Scans one target and gates it; `Err` is the reason it could not.
pub type Scanner<'a> = dyn Fn(&Target) -> std::result::Result<GateReport, String> + Sync + 'a;

/// Told as targets finish.
pub trait AuditProgress: Sync {
    /// `done` of `total` targets are finished; `reference` just was.
    fn image_done(&self, done: usize, total: usize, reference: &str, ok: bool);
}

/// How to run.
pub struct RunOptions<'a> {
    /// Where the inventory came from (`pods:FILE`, `kubernetes`, `node`).
    pub source: String,
    /// The policy's file, or `built-in`.
    pub policy: String,
    pub shard: Option<Shard>,
    /// Targets scanned at once (at least 1).
    pub parallel: usize,
    pub progress: Option<&'a dyn AuditProgress>,
}

/// This run's targets: the distinct ones, in this shard.
pub fn targets(inv: &Inventory, shard: Option<Shard>) -> Vec<Target> {
    distinct(&inv.workloads)
        .into_iter()
        .filter(|t| shard.is_none_or(|s| s.holds(&t.key)))
        .collect()
}

/// Scan every target once (at most `parallel` at a time).
fn scan_all(
    targets: &[Target],
    opts: &RunOptions<'_>,
    scanner: &Scanner<'_>,
) -> Vec<std::result::Result<GateReport, String>> {
    let results: Mutex<Vec<Option<std::result::Result<GateReport, String>>>> =
        Mutex::new((0..targets.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let workers = opts.parallel.max(1).min(targets.len());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(t) = targets.get(i) else { break };
                    let r = scanner(t);
                    let ok = r.is_ok();
                    if let Ok(mut v) = results.lock() {
                        v[i] = Some(r);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(p) = opts.progress {
                        p.image_done(n, targets.len(), &t.reference, ok);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not scanned".into())))
        .collect()
}

/// The image row of a target's result.
fn image_row(t: &Target, r: std::result::Result<GateReport, String>) -> ImageRow {
    match r {
        Ok(g) => {
            let findings = g
                .facts
                .findings
                .iter()
                .zip(&g.evaluation.decisions)
                .map(|(f, d)| AuditFinding {
                    code: f.code.clone(),
                    severity: f.severity,
                    fingerprint: f.fingerprint.clone(),
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                    layer: f.layer,
                    title: f.title.clone(),
                    evidence: f.evidence.clone(),
                    evidence_items: f.items.clone(),
                    subject: f.subject.clone(),
                    action: d.action.as_str().to_string(),
                    why: d.why.clone(),
                })
                .collect();
            ImageRow {
                digest: g.facts.image.digest.clone().or_else(|| t.digest.clone()),
                reference: t.reference.clone(),
                pinned: t.pinned,
                verdict: if g.failed() {
                    ImageVerdict::Fail
                } else {
                    ImageVerdict::Pass
                },
                error: None,
                findings,
                workloads: 0,
            }
        }
        Err(e) => ImageRow {
            digest: t.digest.clone(),
            reference: t.reference.clone(),
            pinned: t.pinned,
            verdict: ImageVerdict::Error,
            error: Some(match &t.digest {
                Some(d) => format!("{} ({d}) could not be scanned: {e}", t.reference),
                None => format!("{} could not be scanned: {e}", t.reference),
            }),
            findings: Vec::new(),
            workloads: 0,
        },
    }
}

/// Run the audit of `inv`.
pub fn run(inv: Inventory, opts: &RunOptions<'_>, scanner: &Scanner<'_>) -> AuditDoc {
    let targets = targets(&inv, opts.shard);
    let results = scan_all(&targets, opts, scanner);
    // Rows by target key; an unpinned tag that resolved to a digest some
    // other target has shares that digest's row.
    let mut rows: BTreeMap<String, ImageRow> = BTreeMap::new();
    let mut key_of: BTreeMap<String, String> = BTreeMap::new();
    for (t, r) in targets.iter().zip(results) {
        let row = image_row(t, r);
        let row_key = row.digest.clone().unwrap_or_else(|| t.key.clone());
        key_of.insert(t.key.clone(), row_key.clone());
        match rows.get(&row_key) {
            Some(old) if old.pinned || !row.pinned => {}
            _ => {
                rows.insert(row_key, row);
            }
        }
    }
    let mut workloads = Vec::new();
    for w in &inv.workloads {
        let t = w.target();
        let Some(row) = key_of.get(&t.key).and_then(|k| rows.get_mut(k)) else {
            continue; // another shard's
        };
        row.workloads += 1;
        workloads.push(WorkloadRow {
            namespace: w.namespace.clone(),
            kind: w.kind.clone(),
            name: w.name.clone(),
            pod: w.pod.clone(),
            container: w.container.clone(),
            container_type: w.container_type.to_string(),
            image: w.image.clone(),
            digest: row.digest.clone(),
            pinned: t.pinned,
            verdict: row.verdict,
        });
    }
    workloads.sort();
    let mut skipped = inv.skipped;
    skipped.sort();
    let mut doc = AuditDoc {
        source: opts.source.clone(),
        shard: opts.shard.map(|s| ShardInfo {
            index: s.index,
            count: s.count,
        }),
        verdict: AuditVerdict::Pass,
        summary: AuditSummary::default(),
        workloads,
        images: rows.into_values().collect(),
        skipped,
        policy: opts.policy.clone(),
        run: None,
        changes: None,
    };
    sort_images(&mut doc.images);
    doc.settle();
    doc
}

/// Images in a stable order: by digest, then reference.
pub fn sort_images(images: &mut [ImageRow]) {
    images.sort_by(|a, b| (&a.digest, &a.reference).cmp(&(&b.digest, &b.reference)));
}
