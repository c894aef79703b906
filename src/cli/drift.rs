//! `stowaway drift --image IMAGE (--rootfs DIR | --upperdir DIR)` and
//! `stowaway drift (--container ID | --all)`: what changed in a running
//! container since it started from its image (for discovered containers, the
//! approved baseline of their image).

use std::path::PathBuf;

use clap::Args;

use stowaway::Limits;
use stowaway::drift::discover::{Container, discover};
use stowaway::drift::{ContainerSide, DriftReport, ImageSide, drift, evaluate};
use stowaway::facts::ImageFacts;
use stowaway::policy::{Evaluation, Policy};
use stowaway::report::model::{ContainerRef, DiscoveredContainer, DriftDoc, DriftOutput};
use stowaway::report::sarif::{self, Annotations};
use stowaway::report::{Format, drift as drift_report, table};

use super::{DbArgs, ImageArgs, Verdict, emit, emit_json, use_color};

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

pub fn run(a: DriftArgs) -> anyhow::Result<Verdict> {
    let policy = Policy::load_or_default(a.policy.as_deref())?;
    let scanned = match &a.image_ref {
        Some(r) => Some(scan_image(&a, r, &policy)?),
        None => None,
    };
    let limits = scanned
        .as_ref()
        .map(|s| s.1.clone())
        .unwrap_or_else(|| policy.limits(Default::default()));
    let image = scanned.as_ref().map(|s| &s.0);
    if a.container.is_none() && !a.all {
        return check_one(&a, &policy, image, &limits);
    }
    check_discovered(&a, &policy, image, &limits)
}

/// Scan the image given with `--image`, under the policy's limits.
fn scan_image(a: &DriftArgs, r: &str, policy: &Policy) -> anyhow::Result<(ImageSide, Limits)> {
    let mut image = ImageArgs::for_reference(r);
    image.platform = a.platform.clone();
    let config = image.config(Some(policy), a.db.cache_path())?;
    Ok((ImageSide::from_scan(&config.scan()?), config.limits))
}

/// `--rootfs DIR` or `--upperdir DIR` against `--image`.
fn check_one(
    a: &DriftArgs,
    policy: &Policy,
    image: Option<&ImageSide>,
    limits: &Limits,
) -> anyhow::Result<Verdict> {
    let side = match (&a.rootfs, &a.upperdir) {
        (Some(r), _) => ContainerSide::Rootfs(r.clone()),
        (None, Some(u)) => ContainerSide::UpperDir(u.clone()),
        (None, None) => {
            anyhow::bail!("give --rootfs DIR, --upperdir DIR, --container ID or --all")
        }
    };
    let Some(image) = image else {
        anyhow::bail!("--rootfs/--upperdir need --image IMAGE");
    };
    let report = drift(image, &side, limits)?;
    let eval = evaluate(&report, policy);
    let doc = DriftDoc::new(&report, &eval, &policy.source);
    let verdict = doc.verdict;
    let out = a.output.as_ref();
    match a.format {
        Format::Json => emit_json(&DriftOutput::One(doc), out)?,
        other => emit(&render_text(&report, &eval, &doc, other, out), out)?,
    }
    Ok(verdict)
}

/// `--container ID` or `--all`: every matching container found on the host.
fn check_discovered(
    a: &DriftArgs,
    policy: &Policy,
    image: Option<&ImageSide>,
    limits: &Limits,
) -> anyhow::Result<Verdict> {
    let selected = select_containers(a)?;
    let store = match image {
        None => Some(a.db.open()?),
        Some(_) => None,
    };
    let mut checked: Vec<(&Container, DriftReport, Evaluation)> = Vec::new();
    let mut errors = 0;
    for c in &selected {
        let result = (|| -> anyhow::Result<_> {
            let from_store;
            let image = match image {
                Some(i) => i,
                None => {
                    from_store = approved_image(store.as_ref().expect("store opened"), c)
                        .or_else(|e| {
                            image_from_host(c, &a.host_root, policy, &a.db).map_err(|le| {
                                anyhow::anyhow!(
                                    "{e}; reading the image from the host's store failed too: {le:#}"
                                )
                            })
                        })?;
                    &from_store
                }
            };
            Ok(drift(image, &c.side, limits)?)
        })();
        match result {
            Ok(report) => {
                let eval = evaluate(&report, policy);
                checked.push((c, report, eval));
            }
            Err(e) => {
                errors += 1;
                eprintln!("stowaway: {}: {e:#}", label(c));
            }
        }
    }
    let docs: Vec<DriftDoc> = (checked.iter())
        .map(|(c, report, eval)| {
            let mut doc = DriftDoc::new(report, eval, &policy.source);
            doc.container = ContainerRef::Discovered(DiscoveredContainer {
                id: &c.id,
                name: c.name.as_deref(),
                read: &report.container,
                runtime: c.runtime,
            });
            doc
        })
        .collect();
    let verdict = Verdict::failing_if(docs.iter().any(|d| d.verdict == Verdict::Fail));
    let out = a.output.as_ref();
    if a.format == Format::Json {
        emit_json(&DriftOutput::Many(docs), out)?;
    } else {
        let mut text = String::new();
        for ((c, report, eval), doc) in checked.iter().zip(&docs) {
            let one = render_text(report, eval, doc, a.format, out);
            text.push_str(&format!("== {}\n{one}\n", label(c)));
        }
        emit(&text, out)?;
    }
    if errors > 0 {
        anyhow::bail!(
            "{errors} of {} containers could not be checked",
            selected.len()
        );
    }
    Ok(verdict)
}

/// The containers found on the host that `--container` (or `--all`) selects.
fn select_containers(a: &DriftArgs) -> anyhow::Result<Vec<Container>> {
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
    Ok(selected)
}

/// How a container is named in messages and tables.
fn label(c: &Container) -> String {
    format!(
        "{} {} ({})",
        c.runtime,
        &c.id[..c.id.len().min(12)],
        c.name.as_deref().unwrap_or("-")
    )
}

/// Without an approved baseline: the container's image read from the
/// host's own store (containers-storage, or Docker's storage without the
/// daemon), by the image ID the runtime recorded.
fn image_from_host(
    c: &Container,
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
fn approved_image(store: &stowaway::baseline::Store, c: &Container) -> anyhow::Result<ImageSide> {
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

/// One drift report as a table or SARIF.
fn render_text(
    report: &DriftReport,
    eval: &Evaluation,
    doc: &DriftDoc<'_>,
    format: Format,
    output: Option<&PathBuf>,
) -> String {
    match format {
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
            serde_json::to_string_pretty(&sarif::render_analysis(&facts, &notes, Some("drift")))
                .unwrap_or_default()
                + "\n"
        }
        _ => drift_report::table(
            doc,
            table::Style {
                color: use_color(output),
            },
        ),
    }
}
