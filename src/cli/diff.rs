//! `stowaway diff IMAGE_A IMAGE_B`: what changed between two images.

use std::fmt::Write as _;

use clap::Args;

use stowaway::facts::ImageFacts;
use stowaway::gate::compare;
use stowaway::report::gate::delta_table;
use stowaway::report::model::DiffDoc;

use super::{ImageArgs, Verdict, emit, emit_json};

#[derive(Args)]
pub struct DiffArgs {
    #[command(flatten)]
    a: ImageArgs,
    /// The second image.
    b: String,
    /// Output format: table or json.
    #[arg(long, default_value = "table")]
    format: String,
}

pub fn run(a: DiffArgs) -> anyhow::Result<Verdict> {
    let before = ImageFacts::of(&a.a.config(None, None)?.scan()?);
    let mut second = a.a.clone();
    second.image = a.b.clone();
    let after = ImageFacts::of(&second.config(None, None)?.scan()?);
    let cmp = compare(&before.image.reference, &before, &after);
    let doc = DiffDoc::new(&before, &after, &cmp);
    if a.format == "json" {
        emit_json(&doc, None)?;
    } else {
        emit(&table(&doc), None)?;
    }
    Ok(Verdict::Pass)
}

/// The diff as text.
fn table(doc: &DiffDoc<'_>) -> String {
    let mut out = format!("{} -> {}\n", doc.before.reference, doc.after.reference);
    out.push_str(&delta_table(doc.delta));
    let new: Vec<_> = doc.new_findings().collect();
    let _ = writeln!(out, "New findings: {}", new.len());
    for f in new {
        let _ = writeln!(
            out,
            "  {:<8} {:<26} {}",
            f.severity.as_str(),
            f.code,
            f.path.unwrap_or("-")
        );
    }
    let _ = writeln!(out, "Resolved findings: {}", doc.resolved.len());
    for f in doc.resolved {
        let _ = writeln!(
            out,
            "  {:<8} {:<26} {}",
            f.severity.as_str(),
            f.code,
            f.path.as_deref().unwrap_or("-")
        );
    }
    out
}
