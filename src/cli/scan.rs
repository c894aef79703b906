//! `stowaway scan IMAGE`: the whole pipeline, findings out; then what the
//! user asked to see: `--severity`, the ignore file, `--fail-on`.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use clap::Args;

use stowaway::Severity;
use stowaway::delta::BaselineState;
use stowaway::facts::{FindingRecord, ImageFacts};
use stowaway::gate::{BaselineChoice, BaselineComparison, compare, resolve_baseline};
use stowaway::report::gate::delta_table;
use stowaway::report::model::{ScanBaseline, ScanDoc};
use stowaway::report::{Format, sarif, table};

use super::ignore::Ignore;
use super::summary::Summary;
use super::{DbArgs, ImageArgs, ScanConfig, Verdict, emit, emit_json, use_color};

#[derive(Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// Output format: table, json or sarif.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a reported finding is at or above this severity (info,
    /// low, medium, high, critical), or `never` to report only (errors and
    /// incomplete scans still exit 2).
    #[arg(long, default_value = "high")]
    fail_on: FailOn,
    /// Report only findings of these severities (comma-separated, e.g.
    /// high,critical); the others are left out of the report and the exit code.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    severity: Vec<Severity>,
    /// Findings to ignore: [[allow]] entries in the policy allowlist format
    /// (code, path, sha256, image, reason, expires). Default: .stowawayignore.toml
    /// in the working directory, when there is one.
    #[arg(long, value_name = "FILE")]
    ignore_file: Option<PathBuf>,
    /// Compare with an approved image (a name, or `auto`): findings get a
    /// baseline state, resolved findings and the file delta are listed.
    #[arg(long)]
    baseline: Option<BaselineChoice>,
    #[command(flatten)]
    db: DbArgs,
}

impl ScanArgs {
    /// The severities `--severity` reports (empty: all).
    #[cfg(test)]
    pub fn severity_list(&self) -> &[Severity] {
        &self.severity
    }
}

/// `--fail-on`: a severity, or never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    At(Severity),
    Never,
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "never" | "none" => Ok(FailOn::Never),
            _ => s.parse().map(FailOn::At).map_err(|e: String| {
                format!("{e} (or `never`: report only, exit 0 unless the scan fails)")
            }),
        }
    }
}

pub fn run(a: ScanArgs) -> anyhow::Result<Verdict> {
    let started = Instant::now();
    let ignore = Ignore::load(a.ignore_file.as_deref())?;
    let config = a.image.config(None, a.db.cache_path())?;
    let mut scan = config.scan()?;
    let mut cmp = match &a.baseline {
        Some(choice) => compare_with(&a.db, choice, &scan, &config)?,
        None => None,
    };
    let kept = keep(&scan, &a.severity, ignore.as_ref(), &config);
    let (ignored, filtered) = (kept.ignored, kept.filtered);
    retain(&mut scan.findings, &kept.mask);
    if let Some(c) = cmp.as_mut() {
        retain(&mut c.states, &kept.mask);
        let names = image_names(&scan);
        c.resolved = filter_records(
            std::mem::take(&mut c.resolved),
            &a.severity,
            ignore.as_ref(),
            &names,
        );
    }
    // The threshold applies to what is reported.
    let threshold = match a.fail_on {
        FailOn::At(s) => Some(s),
        FailOn::Never => None,
    };
    render(&a, &scan, cmp.as_ref(), threshold)?;
    let verdict = match a.fail_on {
        FailOn::At(s) => scan.verdict(s),
        FailOn::Never => Verdict::Pass,
    };
    Summary {
        command: "scan",
        reference: &scan.image.reference,
        severities: scan.findings.iter().map(|f| f.severity).collect(),
        ignored,
        filtered,
        layers: scan.layers.len(),
        elapsed: started.elapsed(),
        verdict: if verdict == Verdict::Pass {
            "pass"
        } else {
            "fail"
        },
    }
    .print(config.quiet);
    // The process ends right after: freeing the squashed view node by node
    // (a few ms per 50k files) is left to the operating system.
    std::mem::forget(scan);
    Ok(verdict)
}

/// Which findings are reported.
struct Kept {
    mask: Vec<bool>,
    ignored: usize,
    filtered: usize,
}

fn keep(
    scan: &stowaway::Scan,
    severity: &[Severity],
    ignore: Option<&Ignore>,
    config: &ScanConfig,
) -> Kept {
    let records: Vec<FindingRecord> = scan.findings.iter().map(FindingRecord::of).collect();
    let names = image_names(scan);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let ignored = match ignore {
        Some(i) => {
            let applied = i.apply(&records, &names);
            for u in &applied.unused {
                config.note(&format!("ignore entry matched nothing: {u}"));
            }
            applied.ignored
        }
        None => vec![false; records.len()],
    };
    let in_list = |s: Severity| severity.is_empty() || severity.contains(&s);
    let mask: Vec<bool> = records
        .iter()
        .zip(&ignored)
        .map(|(r, ig)| !ig && in_list(r.severity))
        .collect();
    Kept {
        ignored: ignored.iter().filter(|i| **i).count(),
        filtered: records
            .iter()
            .zip(&ignored)
            .filter(|(r, ig)| !**ig && !in_list(r.severity))
            .count(),
        mask,
    }
}

/// The names an image goes by for `image` patterns: reference, repository.
fn image_names(scan: &stowaway::Scan) -> Vec<String> {
    let facts_repo = stowaway::source::ImageRef::parse(&scan.image.reference)
        .ok()
        .and_then(|r| r.repository_and_tag().0);
    [
        Some(scan.image.reference.clone()),
        scan.image.repository.clone().or(facts_repo),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn filter_records(
    records: Vec<FindingRecord>,
    severity: &[Severity],
    ignore: Option<&Ignore>,
    names: &[String],
) -> Vec<FindingRecord> {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let ignored = ignore.map(|i| i.apply(&records, &names).ignored);
    records
        .into_iter()
        .enumerate()
        .filter(|(n, r)| {
            (severity.is_empty() || severity.contains(&r.severity))
                && !ignored.as_ref().is_some_and(|i| i[*n])
        })
        .map(|(_, r)| r)
        .collect()
}

fn retain<T>(items: &mut Vec<T>, mask: &[bool]) {
    let mut n = 0;
    items.retain(|_| {
        let keep = mask.get(n).copied().unwrap_or(true);
        n += 1;
        keep
    });
}

fn render(
    a: &ScanArgs,
    scan: &stowaway::Scan,
    cmp: Option<&BaselineComparison>,
    fail_on: Option<Severity>,
) -> anyhow::Result<()> {
    let baseline = match (&a.baseline, cmp) {
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
            let mut t = table::scan(scan, fail_on, style);
            if let Some(c) = cmp {
                t.push_str(&format!(
                    "\nBaseline {}: {} new, {} unchanged, {} resolved\n",
                    c.name,
                    c.new_findings(),
                    c.count(BaselineState::Unchanged),
                    c.resolved.len()
                ));
                t.push_str(&delta_table(&c.delta));
            }
            emit(&t, out)
        }
        Format::Json => emit_json(&ScanDoc::new(scan, fail_on, baseline), out),
        Format::Sarif => {
            let facts = ImageFacts::of(scan);
            let notes = sarif::Annotations {
                states: cmp.map(|c| c.states.as_slice()),
                decisions: None,
                resolved: cmp.map(|c| c.resolved.as_slice()).unwrap_or(&[]),
            };
            emit_json(&sarif::render(&facts, &notes), out)
        }
    }
}

/// The comparison with the approved image `choice` names, if there is one.
fn compare_with(
    db: &DbArgs,
    choice: &BaselineChoice,
    scan: &stowaway::Scan,
    config: &ScanConfig,
) -> anyhow::Result<Option<BaselineComparison>> {
    let store = db.open()?;
    let facts = ImageFacts::of(scan);
    Ok(match resolve_baseline(&store, choice, &facts)? {
        Some((name, base)) => Some(compare(&name, &base, &facts)),
        None => {
            config.note(&super::no_baseline_note(&store, choice, &facts));
            None
        }
    })
}
