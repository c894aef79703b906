//! `stowaway drift --image IMAGE (--rootfs DIR | --upperdir DIR)`: what
//! changed in a running container since it started from its image.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use stowaway::drift::{ContainerSide, drift};
use stowaway::facts::ImageFacts;
use stowaway::policy::{Action, Policy};
use stowaway::report::sarif::{self, Annotations};
use stowaway::report::{Format, gate::delta_table, table};

use super::{DbArgs, ImageArgs, Verdict, emit, use_color};

#[derive(Args)]
pub struct DriftArgs {
    /// The container's root filesystem (e.g. /proc/PID/root, or a merged overlay dir).
    #[arg(
        long,
        conflicts_with = "upperdir",
        required_unless_present = "upperdir"
    )]
    rootfs: Option<PathBuf>,
    /// The container's overlayfs upper (writable) directory: only changes are read.
    #[arg(long)]
    upperdir: Option<PathBuf>,
    /// The image the container was started from (any image reference).
    #[arg(long = "image", value_name = "IMAGE")]
    image_ref: String,
    /// Platform of the image, for multi-platform indexes.
    #[arg(long)]
    platform: Option<stowaway::source::PlatformSpec>,
    /// Policy file (default: the built-in default policy). Allow known
    /// runtime writes (caches, logs) by path.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Output format: table, json or sarif.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(a: DriftArgs) -> anyhow::Result<Verdict> {
    let policy = match &a.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default_policy(),
    };
    let mut image = ImageArgs::for_reference(&a.image_ref);
    image.platform = a.platform.clone();
    image.policy_limits = Some(policy.clone());
    image.cache_db = a.db.cache_path();
    let side = match (&a.rootfs, &a.upperdir) {
        (Some(r), _) => ContainerSide::Rootfs(r.clone()),
        (None, Some(u)) => ContainerSide::UpperDir(u.clone()),
        (None, None) => anyhow::bail!("give --rootfs DIR or --upperdir DIR"),
    };
    let scan = image.scan()?;
    let opts = stowaway::ScanOptions {
        limits: image.limits(),
        ..Default::default()
    };
    let report = drift(&scan, &side, &opts)?;
    let names = [report.image.reference.as_str()];
    let eval = policy.evaluate(&report.findings, None, &names);
    let text = match a.format {
        Format::Json => {
            let findings: Vec<_> = report
                .findings
                .iter()
                .zip(&eval.decisions)
                .map(|(f, d)| {
                    let mut v = serde_json::to_value(f).unwrap_or_default();
                    v["action"] = json!(d.action);
                    v["why"] = json!(d.why);
                    v
                })
                .collect();
            serde_json::to_string_pretty(&json!({
                "image": report.image,
                "container": report.container,
                "verdict": if eval.failed() { "fail" } else { "pass" },
                "policy": policy.source,
                "findings": findings,
                "delta": report.delta,
                "unused_allow": eval.unused_allow,
            }))? + "\n"
        }
        Format::Sarif => {
            let facts = ImageFacts {
                image: report.image.clone(),
                findings: report.findings.clone(),
                ..Default::default()
            };
            let notes = Annotations {
                decisions: Some(&eval.decisions),
                ..Default::default()
            };
            serde_json::to_string_pretty(&sarif::render(&facts, &notes))? + "\n"
        }
        Format::Table => {
            let style = table::Style {
                color: use_color(a.output.as_ref()),
            };
            let mut out = String::new();
            let verdict = if eval.failed() { "FAIL" } else { "PASS" };
            let _ = writeln!(
                out,
                "Drift {verdict}: {} vs image {}",
                report.container, report.image.reference
            );
            for (f, d) in report.findings.iter().zip(&eval.decisions) {
                let _ = writeln!(
                    out,
                    "  {} {:<24} {} [{}]",
                    style.severity(f.severity),
                    f.code,
                    f.path.as_deref().unwrap_or("-"),
                    d.action.as_str()
                );
                for e in f.evidence.iter().take(3) {
                    let _ = writeln!(out, "             {e}");
                }
            }
            out.push_str(&delta_table(&report.delta));
            let count = |x: Action| eval.decisions.iter().filter(|d| d.action == x).count();
            let _ = writeln!(
                out,
                "{verdict}: {} denied, {} warned, {} allowed",
                count(Action::Deny),
                count(Action::Warn),
                count(Action::Allow)
            );
            out
        }
    };
    emit(&text, a.output.as_ref())?;
    Ok(if eval.failed() {
        Verdict::Fail
    } else {
        Verdict::Pass
    })
}
