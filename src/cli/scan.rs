//! `stowaway scan IMAGE`: the whole pipeline, findings out.

use std::path::PathBuf;

use clap::Args;

use stowaway::Severity;
use stowaway::delta::BaselineState;
use stowaway::facts::ImageFacts;
use stowaway::gate::{BaselineChoice, BaselineComparison, compare, resolve_baseline};
use stowaway::report::gate::delta_table;
use stowaway::report::model::{ScanBaseline, ScanDoc};
use stowaway::report::{Format, sarif, table};

use super::{DbArgs, ImageArgs, Verdict, emit, emit_json, use_color};

#[derive(Args)]
pub struct ScanArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Output format: table, json or sarif.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (info, low, medium, high, critical).
    #[arg(long, default_value = "high")]
    fail_on: Severity,
    /// Compare with an approved image (a name, or `auto`): findings get a
    /// baseline state, resolved findings and the file delta are listed.
    #[arg(long)]
    baseline: Option<BaselineChoice>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(a: ScanArgs) -> anyhow::Result<Verdict> {
    let scan = a.image.config(None, a.db.cache_path())?.scan()?;
    let cmp = match &a.baseline {
        Some(choice) => compare_with(&a.db, choice, &scan)?,
        None => None,
    };
    let baseline = match (&a.baseline, &cmp) {
        (None, _) => ScanBaseline::NotAsked,
        (Some(_), None) => ScanBaseline::NoneApproved,
        (Some(_), Some(c)) => ScanBaseline::Compared(c),
    };
    let out = a.output.as_ref();
    match a.format {
        Format::Table => {
            let style = table::Style {
                color: use_color(out),
            };
            let mut t = table::scan(&scan, a.fail_on, style);
            if let Some(c) = &cmp {
                t.push_str(&format!(
                    "\nBaseline {}: {} new, {} unchanged, {} resolved\n",
                    c.name,
                    c.new_findings(),
                    c.count(BaselineState::Unchanged),
                    c.resolved.len()
                ));
                t.push_str(&delta_table(&c.delta));
            }
            emit(&t, out)?;
        }
        Format::Json => emit_json(&ScanDoc::new(&scan, a.fail_on, baseline), out)?,
        Format::Sarif => {
            let facts = ImageFacts::of(&scan);
            let notes = sarif::Annotations {
                states: cmp.as_ref().map(|c| c.states.as_slice()),
                decisions: None,
                resolved: cmp.as_ref().map(|c| c.resolved.as_slice()).unwrap_or(&[]),
            };
            emit_json(&sarif::render(&facts, &notes), out)?;
        }
    }
    Ok(scan.verdict(a.fail_on))
}

/// The comparison with the approved image `choice` names, if there is one.
fn compare_with(
    db: &DbArgs,
    choice: &BaselineChoice,
    scan: &stowaway::Scan,
) -> anyhow::Result<Option<BaselineComparison>> {
    let store = db.open()?;
    let facts = ImageFacts::of(scan);
    Ok(match resolve_baseline(&store, choice, &facts)? {
        Some((name, base)) => Some(compare(&name, &base, &facts)),
        None => {
            eprintln!("stowaway: no approved image for this repository; every finding is new");
            None
        }
    })
}
