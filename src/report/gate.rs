//! The gate as a table: the verdict, each finding with its baseline state and
//! the policy decision (and why), resolved findings, the file and config
//! delta, unused allowlist entries. Also the delta alone, for `stowaway diff`.
//! (The JSON form is [`super::model::GateDoc`].)

use std::fmt::Write;

use crate::delta::Delta;
use crate::gate::GateReport;
use crate::policy::Action;

use super::table::Style;

/// The gate as a table.
pub fn table(r: &GateReport, style: Style) -> String {
    let mut out = String::new();
    let verdict = r.verdict().label();
    let _ = writeln!(out, "Gate {verdict}: {}", r.facts.image.reference);
    if let Some(d) = &r.facts.image.digest {
        let _ = writeln!(out, "  digest    {d}");
    }
    let _ = writeln!(out, "  policy    {}", r.policy);
    if let Some(b) = &r.baseline {
        let _ = writeln!(
            out,
            "  baseline  {} ({})",
            b.name,
            b.digest.as_deref().unwrap_or("no digest")
        );
    }
    for (label, action) in [
        ("Denied", Action::Deny),
        ("Warned", Action::Warn),
        ("Allowed", Action::Allow),
    ] {
        let items: Vec<usize> = (0..r.facts.findings.len())
            .filter(|&i| r.evaluation.decisions[i].action == action)
            .collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{label} ({})", items.len());
        for i in items {
            let f = &r.facts.findings[i];
            let state = r
                .baseline
                .as_ref()
                .map(|b| format!(" [{}]", b.states[i].as_str()))
                .unwrap_or_default();
            let sev = style.severity(f.severity);
            let _ = writeln!(
                out,
                "  {sev} {:<24} {}{state}",
                f.code,
                f.path.as_deref().unwrap_or("-")
            );
            for e in f.evidence.iter().take(3) {
                let _ = writeln!(out, "             {e}");
            }
            let _ = writeln!(out, "             -> {}", r.evaluation.decisions[i].why);
        }
    }
    if let Some(b) = &r.baseline {
        if !b.resolved.is_empty() {
            let _ = writeln!(out, "\nResolved since the baseline ({})", b.resolved.len());
            for f in &b.resolved {
                let _ = writeln!(out, "  {:<24} {}", f.code, f.path.as_deref().unwrap_or("-"));
            }
        }
        out.push('\n');
        out.push_str(&delta_table(&b.delta));
    }
    if !r.evaluation.unused_allow.is_empty() {
        let _ = writeln!(out, "\nUnused allow entries");
        for u in &r.evaluation.unused_allow {
            let _ = writeln!(out, "  {u}");
        }
    }
    let _ = writeln!(
        out,
        "\n{verdict}: {} denied, {} warned, {} allowed",
        r.evaluation.denied, r.evaluation.warned, r.evaluation.allowed
    );
    out
}

/// A delta as text.
pub fn delta_table(d: &Delta) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Changes: {} added, {} removed, {} modified, {} permission changes",
        d.added.len(),
        d.removed.len(),
        d.modified.len(),
        d.permissions.len()
    );
    for f in d.added.iter().take(200) {
        let _ = writeln!(out, "  + {} {} {}", f.kind, f.mode, f.path);
    }
    for f in d.removed.iter().take(200) {
        let _ = writeln!(out, "  - {} {}", f.kind, f.path);
    }
    for c in d.modified.iter().take(200) {
        let _ = writeln!(out, "  ~ {} (content)", c.after.path);
    }
    for c in d.permissions.iter().take(200) {
        let _ = writeln!(
            out,
            "  ~ {} mode {} -> {}, owner {}:{} -> {}:{}",
            c.after.path,
            c.before.mode,
            c.after.mode,
            c.before.uid,
            c.before.gid,
            c.after.uid,
            c.after.gid
        );
    }
    if !d.new_executables.is_empty() {
        let _ = writeln!(out, "  new executables: {}", d.new_executables.join(", "));
    }
    if !d.new_setuid.is_empty() {
        let _ = writeln!(out, "  new setuid/setgid: {}", d.new_setuid.join(", "));
    }
    for c in &d.config {
        let _ = writeln!(out, "  config {}: {} -> {}", c.field, c.before, c.after);
    }
    for p in &d.packages {
        let _ = writeln!(
            out,
            "  package {} {} ({}): {} -> {}",
            p.change,
            p.name,
            p.manager,
            p.before.as_deref().unwrap_or("-"),
            p.after.as_deref().unwrap_or("-")
        );
    }
    out
}
