//! `stowaway scan IMAGE`: the whole pipeline, findings out.

use std::path::PathBuf;

use clap::Args;

use stowaway::Severity;
use stowaway::report::{Format, json, sarif, table};

use super::{ImageArgs, Verdict, emit, use_color};

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
}

pub fn run(a: ScanArgs) -> anyhow::Result<Verdict> {
    let scan = a.image.scan()?;
    let text = match a.format {
        Format::Table => table::scan(
            &scan,
            a.fail_on,
            table::Style {
                color: use_color(a.output.as_ref()),
            },
        ),
        Format::Json => serde_json::to_string_pretty(&json::scan(&scan, a.fail_on))? + "\n",
        Format::Sarif => serde_json::to_string_pretty(&sarif::scan(&scan))? + "\n",
    };
    emit(&text, a.output.as_ref())?;
    Ok(if scan.findings.iter().any(|f| f.severity >= a.fail_on) {
        Verdict::Fail
    } else {
        Verdict::Pass
    })
}
