//! `stowaway drift --image IMAGE (--rootfs DIR | --upperdir DIR)`: what
//! changed in a running container since it started from its image.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use stowaway::drift::discover::discover;
use stowaway::drift::{ContainerSide, ImageSide, drift};
use stowaway::facts::ImageFacts;
use stowaway::policy::{Action, Policy};
use stowaway::report::sarif::{self, Annotations};
use stowaway::report::{Format, gate::delta_table, table};

use super::{DbArgs, ImageArgs, Verdict, emit, use_color};

#[derive(Args)]
pub struct DriftArgs {
    /// The container's root filesystem (e.g. /proc/PID/root, or a merged overlay dir).
    #[arg(long, conflicts_with_all = ["upperdir", "container", "all"])]
    rootfs: Option<PathBuf>,
    /// The container's overlayfs upper (writable) directory: only changes are read.
    #[arg(long, conflicts_with_all = ["container", "all"])]
    upperdir: Option<PathBuf>,
    /// A container found in the runtimes' state on this host (ID, ID prefix or
    /// name): Docker, containers-storage (Podman, CRI-O), containerd.
    #[arg(long, conflicts_with = "all")]
    container: Option<String>,
    /// Every container found on this host.
    #[arg(long)]
    all: bool,
    /// Where the host's file system is mounted (for running in a pod).
    #[arg(long, default_value = "/")]
    host_root: PathBuf,
    /// The image the container was started from (any image reference). For
    /// discovered containers the default is the approved baseline with the
    /// container's image ID (config digest) or image name.
    #[arg(long = "image", value_name = "IMAGE")]
    image_ref: Option<String>,
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

// TODO(#18): over 80 lines; to be cut into named steps (engineer 18a's).
#[allow(clippy::too_many_lines)]
pub fn run(a: DriftArgs) -> anyhow::Result<Verdict> {
    let policy = Policy::load_or_default(a.policy.as_deref())?;
    let scanned = match &a.image_ref {
        Some(r) => {
            let mut image = ImageArgs::for_reference(r);
            image.platform = a.platform.clone();
            let config = image.config(Some(&policy), a.db.cache_path())?;
            Some((ImageSide::from_scan(&config.scan()?), config.limits))
        }
        None => None,
    };
    let limits = scanned
        .as_ref()
        .map(|s| s.1.clone())
        .unwrap_or_else(|| policy.limits(Default::default()));
    if a.container.is_none() && !a.all {
        let side = match (&a.rootfs, &a.upperdir) {
            (Some(r), _) => ContainerSide::Rootfs(r.clone()),
            (None, Some(u)) => ContainerSide::UpperDir(u.clone()),
            (None, None) => {
                anyhow::bail!("give --rootfs DIR, --upperdir DIR, --container ID or --all")
            }
        };
        let Some((image, _)) = &scanned else {
            anyhow::bail!("--rootfs/--upperdir need --image IMAGE");
        };
        let report = drift(image, &side, &limits)?;
        let (text, failed) = render(&report, &policy, a.format, a.output.as_ref());
        emit(&text, a.output.as_ref())?;
        return Ok(if failed { Verdict::Fail } else { Verdict::Pass });
    }
    let (found, problems) = discover(&a.host_root);
    for p in &problems {
        eprintln!("stowaway: {p}");
    }
    let selected: Vec<_> = found
        .into_iter()
        .filter(|c| match &a.container {
            Some(want) => {
                c.id.starts_with(want.as_str()) || c.name.as_deref() == Some(want.as_str())
            }
            None => true,
        })
        .collect();
    if selected.is_empty() {
        anyhow::bail!("no matching container under {}", a.host_root.display());
    }
    let store = if scanned.is_none() {
        Some(a.db.open()?)
    } else {
        None
    };
    let mut out = String::new();
    let mut docs = Vec::new();
    let (mut failed, mut errors) = (false, 0);
    for c in &selected {
        let label = format!(
            "{} {} ({})",
            c.runtime,
            &c.id[..c.id.len().min(12)],
            c.name.as_deref().unwrap_or("-")
        );
        let result = (|| -> anyhow::Result<_> {
            let from_store;
            let image = match &scanned {
                Some((i, _)) => i,
                None => {
                    from_store = approved_image(store.as_ref().expect("store opened"), c)
                        .or_else(|e| {
                            image_from_host(c, &a.host_root, &policy, &a.db).map_err(|le| {
                                anyhow::anyhow!(
                                    "{e}; reading the image from the host's store failed too: {le:#}"
                                )
                            })
                        })?;
                    &from_store
                }
            };
            Ok(drift(image, &c.side, &limits)?)
        })();
        match result {
            Ok(report) => {
                let (text, f) = render(&report, &policy, a.format, a.output.as_ref());
                failed |= f;
                if a.format == Format::Json {
                    let mut v: serde_json::Value = serde_json::from_str(&text)?;
                    v["container"] = json!({"runtime": c.runtime, "id": c.id, "name": c.name, "read": report.container});
                    docs.push(v);
                } else {
                    out.push_str(&format!("== {label}\n{text}\n"));
                }
            }
            Err(e) => {
                errors += 1;
                eprintln!("stowaway: {label}: {e:#}");
            }
        }
    }
    let text = if a.format == Format::Json {
        serde_json::to_string_pretty(&docs)? + "\n"
    } else {
        out
    };
    emit(&text, a.output.as_ref())?;
    if errors > 0 {
        anyhow::bail!(
            "{errors} of {} containers could not be checked",
            selected.len()
        );
    }
    Ok(if failed { Verdict::Fail } else { Verdict::Pass })
}

/// Without an approved baseline: the container's image read from the
/// host's own store (containers-storage, or Docker's storage without the
/// daemon), by the image ID the runtime recorded.
fn image_from_host(
    c: &stowaway::drift::discover::Container,
    host_root: &std::path::Path,
    policy: &Policy,
    db: &DbArgs,
) -> anyhow::Result<ImageSide> {
    let Some(id) = c.image_id.as_deref() else {
        anyhow::bail!("the runtime recorded no image ID");
    };
    let image = match c.runtime {
        "containers-storage" => {
            let mut i = ImageArgs::for_reference(&format!("containers-storage:{id}"));
            i.storage_root = Some(host_root.join("var/lib/containers/storage"));
            i
        }
        "docker" => {
            let mut i = ImageArgs::for_reference(&format!("docker-daemon:{id}"));
            i.docker_root = Some((host_root.join("var/lib/docker"), "overlay2".into()));
            i
        }
        other => anyhow::bail!(
            "{other} images are read through its API: pass --image containerd:NAME \
             (with --containerd-address)"
        ),
    };
    let config = image.config(Some(policy), db.cache_path())?;
    Ok(ImageSide::from_scan(&config.scan()?))
}

/// The approved image a discovered container was started from.
fn approved_image(
    store: &stowaway::baseline::Store,
    c: &stowaway::drift::discover::Container,
) -> anyhow::Result<ImageSide> {
    let approvals = store.list()?;
    let by_id = c.image_id.as_deref().and_then(|id| {
        approvals
            .iter()
            .find(|a| a.image.config_digest.as_deref() == Some(id))
    });
    let by_name = || {
        let name = c.image_name.as_deref()?;
        approvals.iter().find(|a| {
            a.image.reference.ends_with(name)
                || a.name == name
                || a.image
                    .repository
                    .as_deref()
                    .is_some_and(|r| name.starts_with(r))
        })
    };
    let Some(a) = by_id.or_else(by_name) else {
        anyhow::bail!(
            "no approved image for image {} {}; approve it (stowaway baseline approve) or pass --image",
            c.image_name.as_deref().unwrap_or("-"),
            c.image_id.as_deref().unwrap_or("")
        );
    };
    let Some((_, facts)) = store.get(&a.name)? else {
        anyhow::bail!("approval {} was revoked while drift ran", a.name);
    };
    Ok(ImageSide::from_baseline(&a.name, facts))
}

/// Render one drift report; returns the text and whether the policy denied.
fn render(
    report: &stowaway::drift::DriftReport,
    policy: &Policy,
    format: Format,
    output: Option<&PathBuf>,
) -> (String, bool) {
    let names = [report.image.reference.as_str()];
    let eval = policy.evaluate(&report.findings, None, &names);
    let text = match format {
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
            }))
            .unwrap_or_default()
                + "\n"
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
            serde_json::to_string_pretty(&sarif::render(&facts, &notes)).unwrap_or_default() + "\n"
        }
        Format::Table => {
            let style = table::Style {
                color: use_color(output),
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
    (text, eval.failed())
}
