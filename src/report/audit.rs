//! The audit as a table (verdict, images with their denied findings,
//! workloads, skips, changes since the previous run) and as SARIF (one run
//! per image, built by [`super::sarif::render`] from the stored findings
//! and the policy's decisions). The JSON form is [`super::model::AuditDoc`].

use std::fmt::Write;

use super::model::{AuditDoc, AuditVerdict, ImageVerdict};
use super::sarif::{self, Annotations};
use super::sarif_log::Log;
use super::table::Style;
use crate::facts::{ImageFacts, ImageMeta};
use crate::policy::{Action, Decision};

fn image_label(v: ImageVerdict) -> &'static str {
    match v {
        ImageVerdict::Pass => "PASS",
        ImageVerdict::Fail => "FAIL",
        ImageVerdict::Error => "ERROR",
    }
}

/// The audit as a table.
pub fn table(doc: &AuditDoc, style: Style) -> String {
    let mut out = String::new();
    let verdict = match doc.verdict {
        AuditVerdict::Pass => "PASS",
        AuditVerdict::Fail => "FAIL",
        AuditVerdict::Incomplete => "INCOMPLETE",
    };
    let s = &doc.summary;
    let shard = doc
        .shard
        .map(|s| format!(" (shard {}/{})", s.index, s.count))
        .unwrap_or_default();
    let _ = writeln!(out, "Audit {verdict}: {}{shard}", doc.source);
    let _ = writeln!(
        out,
        "  {} workloads, {} images ({} passed, {} failed, {} errors, {} unpinned), {} skipped; policy {}",
        s.workloads, s.images, s.passed, s.failed, s.errors, s.unpinned, s.skipped, doc.policy
    );
    let _ = writeln!(out, "\nImages");
    for i in &doc.images {
        let pin = if i.pinned { "" } else { " (unpinned)" };
        let _ = writeln!(
            out,
            "  {:<5} {} {}{pin}  [{} workloads]",
            image_label(i.verdict),
            i.digest.as_deref().unwrap_or("-"),
            i.reference,
            i.workloads
        );
        if let Some(e) = &i.error {
            let _ = writeln!(out, "          {e}");
        }
        for f in i.findings.iter().filter(|f| f.action == "deny") {
            let sev = style.severity(f.severity);
            let _ = writeln!(
                out,
                "          {sev} {:<24} {}",
                f.code,
                f.path.as_deref().unwrap_or("-")
            );
        }
    }
    let _ = writeln!(out, "\nWorkloads");
    for w in &doc.workloads {
        let _ = writeln!(
            out,
            "  {:<5} {}/{}/{} {} ({}) {}",
            image_label(w.verdict),
            w.namespace,
            w.kind,
            w.name,
            w.container,
            w.container_type,
            w.image
        );
    }
    if !doc.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped (the audit is incomplete)");
        for k in &doc.skipped {
            let _ = writeln!(out, "  {}: {}", k.what, k.reason);
        }
    }
    changes(doc, &mut out);
    out
}

fn changes(doc: &AuditDoc, out: &mut String) {
    let Some(c) = &doc.changes else { return };
    let _ = writeln!(
        out,
        "\nSince audit run {} ({}): {} appeared, {} disappeared, {} new findings",
        c.since_run,
        c.since_time,
        c.appeared.len(),
        c.disappeared.len(),
        c.new_findings.len()
    );
    for a in &c.appeared {
        let _ = writeln!(out, "  + {} {}", a.key, a.reference);
    }
    for d in &c.disappeared {
        let _ = writeln!(out, "  - {} {}", d.key, d.reference);
    }
    for f in &c.new_findings {
        let _ = writeln!(
            out,
            "  new {} {} in {}",
            f.code,
            f.path.as_deref().unwrap_or("-"),
            f.key
        );
    }
}

/// The audit as a SARIF log: one run per scanned image.
pub fn sarif(doc: &AuditDoc) -> Log {
    let mut runs = Vec::new();
    for i in doc
        .images
        .iter()
        .filter(|i| i.verdict != ImageVerdict::Error)
    {
        let facts = ImageFacts {
            image: ImageMeta {
                reference: i.reference.clone(),
                digest: i.digest.clone(),
                ..ImageMeta::default()
            },
            findings: i.findings.iter().map(|f| f.record()).collect(),
            ..ImageFacts::default()
        };
        let decisions: Vec<Decision> = (i.findings.iter())
            .map(|f| Decision {
                action: Action::parse(&f.action).unwrap_or(Action::Warn),
                why: f.why.clone(),
                allowed_by: None,
            })
            .collect();
        let notes = Annotations {
            decisions: Some(&decisions),
            ..Annotations::default()
        };
        runs.extend(sarif::render(&facts, &notes).runs);
    }
    Log::of(runs)
}
