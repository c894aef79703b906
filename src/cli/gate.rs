//! `stowaway gate IMAGE`: scan, compare with the baseline, apply the
//! policy, and pass or fail.

use std::path::PathBuf;

use clap::Args;

use stowaway::baseline::ScanRecord;
use stowaway::gate::{BaselineChoice, gate};
use stowaway::policy::Policy;
use stowaway::report::model::GateDoc;
use stowaway::report::sarif::{self, Annotations};
use stowaway::report::{Format, gate as gate_report, table};

use super::{DbArgs, ImageArgs, Verdict, emit, emit_json, use_color};

#[derive(Args)]
pub struct GateArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Policy file (default: the built-in default policy).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Compare with an approved image: a name, or `auto` for the newest
    /// approval of the same repository.
    #[arg(long)]
    baseline: Option<BaselineChoice>,
    /// Output format: table, json or sarif.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(a: GateArgs) -> anyhow::Result<Verdict> {
    let policy = Policy::load_or_default(a.policy.as_deref())?;
    let config = a.image.config(Some(&policy), a.db.cache_path())?;
    // The store is optional without --baseline, but used when it exists
    // (unapproved-image findings, scan history).
    let store = if a.baseline.is_some() || a.db.given() {
        Some(a.db.open()?)
    } else {
        a.db.open_if_exists()?
    };
    let started = std::time::Instant::now();
    let scan = config.scan()?;
    let report = gate(&scan, &policy, store.as_ref(), a.baseline.as_ref())?;
    if let (Some(choice), None, Some(s)) = (&a.baseline, &report.baseline, &store) {
        config.note(&super::no_baseline_note(s, choice, &report.facts));
    }
    if let Some(s) = store.as_ref().filter(|s| {
        let ro = s.is_read_only();
        if ro {
            eprintln!(
                "stowaway: note: {} is read-only; this gate is not recorded in the scan history",
                s.path().display()
            );
        }
        !ro
    }) {
        s.record_scan(&ScanRecord {
            reference: &report.facts.image.reference,
            digest: report.facts.image.digest.as_deref(),
            baseline: report.baseline.as_ref().map(|b| b.name.as_str()),
            verdict: report.verdict(),
            findings: report.facts.findings.len(),
            new_findings: report.baseline.as_ref().map(|b| b.new_findings()),
        })?;
    }
    let out = a.output.as_ref();
    match a.format {
        Format::Table => {
            let style = table::Style {
                color: use_color(out),
            };
            emit(&gate_report::table(&report, style), out)?;
        }
        Format::Json => emit_json(&GateDoc::new(&report), out)?,
        Format::Sarif => {
            let notes = Annotations {
                states: report.baseline.as_ref().map(|b| b.states.as_slice()),
                decisions: Some(&report.evaluation.decisions),
                resolved: report
                    .baseline
                    .as_ref()
                    .map(|b| b.resolved.as_slice())
                    .unwrap_or(&[]),
            };
            emit_json(&sarif::render(&report.facts, &notes), out)?;
        }
    }
    super::summary::Summary {
        command: "gate",
        reference: &report.facts.image.reference,
        severities: report.facts.findings.iter().map(|f| f.severity).collect(),
        ignored: 0,
        filtered: 0,
        layers: scan.layers.len(),
        elapsed: started.elapsed(),
        verdict: if report.failed() { "denied" } else { "pass" },
    }
    .print(config.quiet);
    Ok(report.verdict())
}
