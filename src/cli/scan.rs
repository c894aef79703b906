//! `stowaway scan IMAGE`: the whole pipeline, findings out.

use std::path::PathBuf;

use clap::Args;

use stowaway::Severity;
use stowaway::facts::ImageFacts;
use stowaway::gate::{BaselineChoice, compare, resolve_baseline};
use stowaway::report::{Format, json, sarif, table};

use super::{DbArgs, ImageArgs, Verdict, emit, use_color};

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
        Some(choice) => {
            let store = a.db.open()?;
            let facts = ImageFacts::of(&scan);
            match resolve_baseline(&store, choice, &facts)? {
                Some((name, base)) => Some(compare(&name, &base, &facts)),
                None => {
                    eprintln!(
                        "stowaway: no approved image for this repository; every finding is new"
                    );
                    None
                }
            }
        }
        None => None,
    };
    let text = match a.format {
        Format::Table => {
            let mut t = table::scan(
                &scan,
                a.fail_on,
                table::Style {
                    color: use_color(a.output.as_ref()),
                },
            );
            if let Some(c) = &cmp {
                let new = c
                    .states
                    .iter()
                    .filter(|s| **s == stowaway::delta::BaselineState::New)
                    .count();
                t.push_str(&format!(
                    "\nBaseline {}: {new} new, {} unchanged, {} resolved\n",
                    c.name,
                    c.states.len() - new,
                    c.resolved.len()
                ));
                t.push_str(&stowaway::report::gate::delta_table(&c.delta));
            }
            t
        }
        Format::Json => {
            let mut doc = json::scan(&scan, a.fail_on);
            if let Some(c) = &cmp {
                if let Some(arr) = doc["findings"].as_array_mut() {
                    for (f, s) in arr.iter_mut().zip(&c.states) {
                        f["baseline_state"] = serde_json::json!(s);
                    }
                }
                doc["baseline"] = serde_json::json!({"name": c.name, "digest": c.digest});
                doc["resolved"] = serde_json::json!(c.resolved);
                doc["delta"] = serde_json::json!(c.delta);
            } else if a.baseline.is_some()
                && let Some(arr) = doc["findings"].as_array_mut()
            {
                for f in arr {
                    f["baseline_state"] = serde_json::json!("new");
                }
            }
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        Format::Sarif => {
            let facts = ImageFacts::of(&scan);
            let notes = sarif::Annotations {
                states: cmp.as_ref().map(|c| c.states.as_slice()),
                decisions: None,
                resolved: cmp.as_ref().map(|c| c.resolved.as_slice()).unwrap_or(&[]),
            };
            serde_json::to_string_pretty(&sarif::render(&facts, &notes))? + "\n"
        }
    };
    emit(&text, a.output.as_ref())?;
    Ok(if scan.findings.iter().any(|f| f.severity >= a.fail_on) {
        Verdict::Fail
    } else {
        Verdict::Pass
    })
}
