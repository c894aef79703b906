//! `stowaway audit`: the images running in a cluster (from a pod list
//! file, the Kubernetes API, or this node's runtimes), each distinct digest
//! pulled (or read from the node's store) and gated once, a verdict per
//! workload; `--shard K/N` scans one stable part of the digests and writes
//! a shard report, `stowaway audit merge` combines the shard reports. A
//! whole (or merged) audit is recorded in the store's history and compared
//! with the previous one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use stowaway::audit::{self, AuditProgress, Inventory, PodLimits, RunOptions, Shard, Target};
use stowaway::baseline::{SharedCache, Store};
use stowaway::gate::{BaselineChoice, gate};
use stowaway::layer::cache::LayerCache;
use stowaway::limits::parse_size;
use stowaway::policy::Policy;
use stowaway::report::audit as audit_report;
use stowaway::report::model::{AuditDoc, AuditVerdict, ImageVerdict};
use stowaway::report::{Format, table};
use stowaway::source::PlatformSpec;

use super::{DbArgs, ImageArgs, LimitArgs, Verdict, emit, emit_json, use_color};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: Option<AuditCommand>,
    /// The inventory: a pod list (`kubectl get pods -A -o json`).
    #[arg(long, value_name = "FILE")]
    pods: Option<PathBuf>,
    /// The inventory: the Kubernetes API, reached through this kubeconfig.
    #[cfg(feature = "kubernetes")]
    #[arg(long, value_name = "FILE", conflicts_with = "pods")]
    kubeconfig: Option<PathBuf>,
    /// The inventory: the Kubernetes API, with this pod's service account.
    #[cfg(feature = "kubernetes")]
    #[arg(long, conflicts_with_all = ["pods", "kubeconfig"])]
    in_cluster: bool,
    /// Pull each image with the imagePullSecrets of the pods that run it
    /// (read through the API: needs `get` on secrets; never printed).
    #[cfg(feature = "kubernetes")]
    #[arg(long, conflicts_with = "pods")]
    pull_secrets: bool,
    /// Pods per page when listing through the API.
    #[cfg(feature = "kubernetes")]
    #[arg(long, value_name = "N", default_value_t = 500)]
    page_size: u32,
    /// The inventory: the containers the runtimes on this node know, read
    /// from the node's own stores (no pull).
    #[arg(long, conflicts_with = "pods")]
    node: bool,
    /// Node mode: the host's root filesystem (mounted into the pod).
    #[arg(long, value_name = "DIR", default_value = "/", requires = "node")]
    host_root: PathBuf,
    /// Node mode: containerd's socket (default HOST_ROOT/run/containerd/containerd.sock).
    #[arg(long, value_name = "SOCKET", requires = "node")]
    containerd_address: Option<PathBuf>,
    /// Node mode: the containerd namespace of the images (default k8s.io).
    #[arg(long, value_name = "NS", requires = "node")]
    containerd_namespace: Option<String>,
    /// Audit only these namespaces (repeatable; default all).
    #[arg(long, value_name = "NS")]
    namespace: Vec<String>,
    /// Policy file (default: the built-in default policy).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Compare each image with an approved one: a name, or `auto`.
    #[arg(long)]
    baseline: Option<BaselineChoice>,
    #[command(flatten)]
    out: OutputArgs,
    /// Scan only shard K of N (0-based) of the distinct digests and write a
    /// shard report (JSON). Default: $JOB_COMPLETION_INDEX of --shards.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// The shard count when the index comes from $JOB_COMPLETION_INDEX
    /// (default: $STOWAWAY_AUDIT_SHARDS).
    #[arg(long, value_name = "N")]
    shards: Option<u32>,
    /// Images scanned at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    parallel_images: usize,
    /// Exit 0/1 by the policy even when namespaces or pods were skipped
    /// (they are still reported); images that could not be scanned always exit 2.
    #[arg(long)]
    allow_skipped: bool,
    /// Largest pod list file read.
    #[arg(long, value_parser = parse_size, value_name = "SIZE", default_value = "256M")]
    max_pods_file_size: u64,
    /// Most pods in one inventory.
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    max_pods: usize,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    db: DbArgs,
}

/// Output and history options shared by an audit and a merge.
#[derive(Args)]
struct OutputArgs {
    /// Output format: table, json or sarif (a shard always writes json).
    #[arg(long)]
    format: Option<Format>,
    /// Write the report to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Compare with this earlier audit run: `last` (the default) or a run id.
    #[arg(long, value_name = "last|ID")]
    since: Option<String>,
}

/// How images are pulled (as for `scan`).
#[derive(Args)]
struct RegistryArgs {
    #[arg(long)]
    platform: Option<PlatformSpec>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Layers scanned at once, per image.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Do not use or fill the per-layer cache.
    #[arg(long)]
    no_cache: bool,
    /// Registry credentials USER:PASS (sent only to the image's registry).
    #[arg(long, value_name = "USER:PASS")]
    creds: Option<String>,
    /// Reach this registry (HOST[:PORT]) over plain HTTP; loopback registries always are.
    #[arg(long, value_name = "HOST")]
    insecure_registry: Vec<String>,
    /// Registry: seconds without a byte before a request is abandoned.
    #[arg(long, value_name = "SECS")]
    registry_stall_timeout: Option<u64>,
    /// Registry: seconds all of one image's registry traffic may take.
    #[arg(long, value_name = "SECS")]
    registry_deadline: Option<u64>,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Combine the shard reports of one sharded audit into one result.
    Merge(MergeArgs),
}

#[derive(Args)]
struct MergeArgs {
    /// The shard reports (`--shard K/N --output FILE` of each shard).
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(a: AuditArgs) -> anyhow::Result<Verdict> {
    if let Some(AuditCommand::Merge(m)) = a.command {
        return merge(m);
    }
    let shard = shard_of(a.shard, a.shards)?;
    let format = match (shard, a.out.format) {
        (Some(_), None | Some(Format::Json)) => Format::Json,
        (Some(_), Some(_)) => anyhow::bail!("a shard writes its report as json (--format json)"),
        (None, f) => f.unwrap_or(Format::Table),
    };
    let (inv, source) = inventory(&a)?;
    let policy = Policy::load_or_default(a.policy.as_deref())?;
    let mut doc = scan_inventory(&a, inv, &policy, shard, source)?;
    if shard.is_none() {
        record(&mut doc, &a.db, a.out.since.as_deref())?;
    }
    finish(&doc, format, &a.out, shard.is_some(), a.allow_skipped)
}

/// The inventory the flags name, and its source's name.
fn inventory(a: &AuditArgs) -> anyhow::Result<(Inventory, String)> {
    let limits = PodLimits {
        document_bytes: a.max_pods_file_size,
        pods: a.max_pods,
        ..PodLimits::default()
    };
    let mut inv = Inventory::default();
    let source = if a.node {
        audit::read_node(&a.host_root, &mut inv);
        "node".to_string()
    } else if let Some(file) = &a.pods {
        audit::read_pod_file(file, &limits, &mut inv)?;
        if !a.namespace.is_empty() {
            inv.workloads.retain(|w| a.namespace.contains(&w.namespace));
        }
        format!("pods:{}", file.display())
    } else {
        api_inventory(a, limits, &mut inv)?
    };
    for n in &inv.notes {
        eprintln!("stowaway: note: {n}");
    }
    Ok((inv, source))
}

#[cfg(feature = "kubernetes")]
fn api_inventory(a: &AuditArgs, limits: PodLimits, inv: &mut Inventory) -> anyhow::Result<String> {
    if a.kubeconfig.is_none() && !a.in_cluster {
        anyhow::bail!(
            "name the inventory: --pods FILE (kubectl get pods -A -o json), --kubeconfig FILE, --in-cluster or --node"
        );
    }
    let opts = audit::ApiOptions {
        kubeconfig: a.kubeconfig.clone(),
        namespaces: a.namespace.clone(),
        page_size: a.page_size,
        limits,
        pull_secrets: a.pull_secrets,
    };
    audit::read_api(&opts, inv)?;
    Ok("kubernetes".into())
}

#[cfg(not(feature = "kubernetes"))]
fn api_inventory(_: &AuditArgs, _: PodLimits, _: &mut Inventory) -> anyhow::Result<String> {
    anyhow::bail!(
        "name the inventory: --pods FILE (kubectl get pods -A -o json) or --node; this build has no Kubernetes client"
    )
}

/// The shard: `--shard`, else `$JOB_COMPLETION_INDEX` of `--shards` /
/// `$STOWAWAY_AUDIT_SHARDS`.
fn shard_of(given: Option<Shard>, shards: Option<u32>) -> anyhow::Result<Option<Shard>> {
    if given.is_some() {
        return Ok(given);
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let count = match shards {
        Some(n) => Some(n.to_string()),
        None => env("STOWAWAY_AUDIT_SHARDS"),
    };
    match (env("JOB_COMPLETION_INDEX"), count) {
        (Some(k), Some(n)) => {
            Ok(Some(format!("{k}/{n}").parse().map_err(|e: String| {
                anyhow::anyhow!("shard from $JOB_COMPLETION_INDEX: {e}")
            })?))
        }
        (None, Some(_)) if shards.is_some() => {
            anyhow::bail!("--shards needs $JOB_COMPLETION_INDEX (or give --shard K/N)")
        }
        _ => Ok(None),
    }
}

/// Scan the inventory's targets (this shard's), each once.
fn scan_inventory(
    a: &AuditArgs,
    inv: Inventory,
    policy: &Policy,
    shard: Option<Shard>,
    source: String,
) -> anyhow::Result<AuditDoc> {
    let targets = audit::targets(&inv, shard);
    let total = targets.len();
    // Pull-secret credentials by target key, for that target's registry only.
    let pull_creds: std::collections::BTreeMap<String, (String, String)> = (targets.iter())
        .filter_map(|t| Some((t.key.clone(), inv.creds_for(t)?)))
        .collect();
    let meter = Meter::new(total);
    let cache = a.db.cache_path();
    let store = shared_store(a, cache.as_ref())?;
    let scanner = |t: &Target| -> Result<_, String> {
        let mut args = if t.local {
            node_image_args(a, t)
        } else {
            image_args(&a.registry, t)
        };
        if let Some((user, pass)) = pull_creds.get(&t.key) {
            args.creds = Some(format!("{user}:{pass}"));
        }
        let config = args
            .config(Some(policy), cache.clone())
            .map_err(|e| format!("{e:#}"))?;
        let layer_cache = store.as_ref().map(|s| s as &dyn LayerCache);
        let scan = config
            .scan_cached(Some(&meter), layer_cache)
            .map_err(|e| format!("{e:#}"))?;
        let store = (store.as_ref()).map(|s| s.0.lock().unwrap_or_else(|p| p.into_inner()));
        gate(&scan, policy, store.as_deref(), a.baseline.as_ref()).map_err(|e| e.to_string())
    };
    let opts = RunOptions {
        source,
        policy: policy.source.clone(),
        shard,
        parallel: a.parallel_images,
        progress: Some(&meter),
    };
    let doc = audit::run(inv, &opts, &scanner);
    meter.finish(&doc);
    Ok(doc)
}

/// The store every target's scan and gate share (one connection, not two
/// per target): the layer cache when there is one (created if named),
/// else the baseline database if it exists and is wanted.
fn shared_store(a: &AuditArgs, cache: Option<&PathBuf>) -> anyhow::Result<Option<SharedCache>> {
    let store = match cache {
        Some(db) if !a.registry.no_cache => Some(Store::open(db)?),
        _ if a.baseline.is_some() || a.db.given() || cache.is_some() => a.db.open_if_exists()?,
        _ => None,
    };
    Ok(store.map(|s| SharedCache(std::sync::Mutex::new(s))))
}

/// The scan arguments of one target: always a registry reference (a pod
/// list never makes Stowaway read a local path or store).
fn image_args(r: &RegistryArgs, t: &Target) -> ImageArgs {
    let mut args = ImageArgs::for_reference(&format!("docker://{}", t.reference));
    args.platform = r.platform.clone();
    args.limits = r.limits.clone();
    args.jobs = r.jobs;
    args.no_cache = r.no_cache;
    args.creds = r.creds.clone();
    args.insecure_registry = r.insecure_registry.clone();
    args.registry_stall_timeout = r.registry_stall_timeout;
    args.registry_deadline = r.registry_deadline;
    args
}

/// The scan arguments of a node-mode target: read from the store under
/// `--host-root` that the runtime which runs it keeps.
fn node_image_args(a: &AuditArgs, t: &Target) -> ImageArgs {
    let mut args = ImageArgs::for_reference(&t.reference);
    let root = &a.host_root;
    args.platform = a.registry.platform.clone();
    args.limits = a.registry.limits.clone();
    args.jobs = a.registry.jobs;
    args.no_cache = a.registry.no_cache;
    args.storage_root = Some(root.join("var/lib/containers/storage"));
    args.docker_root = Some((root.join("var/lib/docker"), "overlay2".into()));
    args.containerd_address = Some(
        a.containerd_address
            .clone()
            .unwrap_or_else(|| root.join("run/containerd/containerd.sock")),
    );
    args.containerd_namespace = a.containerd_namespace.clone();
    args
}

/// Compare with the previous run and record this one, when a store can be written.
fn record(doc: &mut AuditDoc, db: &DbArgs, since: Option<&str>) -> anyhow::Result<()> {
    let since = match since {
        None | Some("last") => None,
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| anyhow::anyhow!("--since takes `last` or a run id, not {id:?}"))?,
        ),
    };
    let mut store = db.open()?;
    if store.is_read_only() {
        eprintln!(
            "stowaway: note: {} is read-only; this audit is not recorded in the history",
            store.path().display()
        );
        if let Some(before) = store.audit_run(since)? {
            doc.changes = Some(audit::changes(doc, &before));
        }
        return Ok(());
    }
    Ok(audit::compare_and_record(doc, &mut store, since)?)
}

fn merge(m: MergeArgs) -> anyhow::Result<Verdict> {
    let mut reports = Vec::with_capacity(m.reports.len());
    for p in &m.reports {
        reports.push((p.display().to_string(), audit::read_report(p)?));
    }
    let mut doc = audit::merge(reports)?;
    record(&mut doc, &m.db, m.out.since.as_deref())?;
    Meter::new(0).finish(&doc);
    finish(
        &doc,
        m.out.format.unwrap_or(Format::Table),
        &m.out,
        false,
        false,
    )
}

/// Write the report; the verdict (or the error that makes exit 2).
fn finish(
    doc: &AuditDoc,
    format: Format,
    out: &OutputArgs,
    shard: bool,
    allow_skipped: bool,
) -> anyhow::Result<Verdict> {
    let file = out.output.as_ref();
    match format {
        Format::Table => {
            let style = table::Style {
                color: use_color(file),
            };
            emit(&audit_report::table(doc, style), file)?;
        }
        Format::Json => emit_json(doc, file)?,
        Format::Sarif => emit_json(&audit_report::sarif(doc), file)?,
    }
    let errors: Vec<&str> = (doc.images.iter())
        .filter(|i| i.verdict == ImageVerdict::Error)
        .filter_map(|i| i.error.as_deref())
        .collect();
    if !errors.is_empty() {
        anyhow::bail!(
            "audit incomplete: {} image(s) could not be scanned: {}",
            errors.len(),
            errors.join("; ")
        );
    }
    if !doc.skipped.is_empty() && !allow_skipped {
        anyhow::bail!(
            "audit incomplete: {} part(s) of the inventory skipped (first: {}: {}); --allow-skipped accepts that",
            doc.skipped.len(),
            doc.skipped[0].what,
            doc.skipped[0].reason
        );
    }
    // A shard's verdict belongs to the merge: its job succeeds once its report is written.
    // (With --allow-skipped the document says incomplete; the policy still decides.)
    Ok(Verdict::failing_if(doc.summary.failed > 0 && !shard))
}

/// Progress: a bar of images (and bytes read) on a terminal, else one
/// summary line on stderr at the end.
struct Meter {
    bar: Option<ProgressBar>,
    bytes: AtomicU64,
    started: Instant,
}

impl Meter {
    fn new(total: usize) -> Meter {
        let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
            let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{spinner} images {pos}/{len} [{bar:30}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        });
        Meter {
            bar,
            bytes: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    fn finish(&self, doc: &AuditDoc) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        let s = &doc.summary;
        eprintln!(
            "stowaway: audit {}: {} workloads, {} images ({} passed, {} failed, {} errors), {} skipped, {} MiB read in {:.1}s",
            match doc.verdict {
                AuditVerdict::Pass => "pass",
                AuditVerdict::Fail => "fail",
                AuditVerdict::Incomplete => "incomplete",
            },
            s.workloads,
            s.images,
            s.passed,
            s.failed,
            s.errors,
            s.skipped,
            self.bytes.load(Ordering::Relaxed) >> 20,
            self.started.elapsed().as_secs_f64()
        );
    }
}

impl stowaway::scan::Progress for Meter {
    fn advance(&self, _index: usize, bytes: u64) {
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(b) = &self.bar {
            b.set_message(format!("{} MiB", total >> 20));
        }
    }
}

impl AuditProgress for Meter {
    fn image_done(&self, done: usize, _total: usize, reference: &str, ok: bool) {
        if let Some(b) = &self.bar {
            b.set_position(done as u64);
            if !ok {
                b.println(format!("stowaway: {reference}: could not be scanned"));
            }
        }
    }
}
