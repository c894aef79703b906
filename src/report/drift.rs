//! The drift check as a table: the verdict, each finding with the policy's
//! action, and the file delta. (The JSON form is
//! [`super::model::DriftDoc`].)

use std::fmt::Write;

use super::gate::delta_table;
use super::model::{ContainerRef, DriftDoc};
use super::table::Style;
use crate::policy::Action;

/// One container's drift as text.
pub fn table(doc: &DriftDoc<'_>, style: Style) -> String {
    let mut out = String::new();
    let verdict = doc.verdict.label();
    let container = match &doc.container {
        ContainerRef::Read(r) => r,
        ContainerRef::Discovered(c) => c.read,
    };
    let _ = writeln!(
        out,
        "Drift {verdict}: {container} vs image {}",
        doc.image.reference
    );
    for f in &doc.findings {
        let _ = writeln!(
            out,
            "  {} {:<24} {} [{}]",
            style.severity(f.severity),
            f.code,
            f.path.unwrap_or("-"),
            f.action.as_str()
        );
        for e in f.evidence.iter().take(3) {
            let _ = writeln!(out, "             {e}");
        }
    }
    out.push_str(&delta_table(doc.delta));
    let count = |x: Action| doc.findings.iter().filter(|f| f.action == x).count();
    let _ = writeln!(
        out,
        "{verdict}: {} denied, {} warned, {} allowed",
        count(Action::Deny),
        count(Action::Warn),
        count(Action::Allow)
    );
    out
}
