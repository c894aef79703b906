//! `stowaway serve`: scan images as they are pushed. A small HTTP front end
//! (axum on tokio) accepts registry notifications, API and Harbor scan
//! requests and commits each as a job in the store's SQLite file before
//! answering; worker threads claim jobs with expiring leases, scan and gate
//! them like `stowaway gate --baseline auto`, and store the verdict; alerts
//! leave through a durable outbox. Front end beside `cli`, calling `gate`.

mod accept;
mod auth;
mod conn;
pub mod events;
mod harbor;
mod harbor_doc;
mod http;
pub mod metrics;
mod notify;
pub mod queue;
pub mod result;
mod tls;
mod worker;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::Severity;
use crate::policy::Policy;

pub use conn::ConnLimits;
pub use queue::QueuePolicy;
pub use tls::TlsFiles;

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] crate::Error),
    #[error("serve: {0}")]
    Config(String),
    #[error("serve: {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// A registry the server pulls from: where events naming `host` are fetched.
#[derive(Clone, Debug)]
pub struct RegistryTarget {
    /// HOST[:PORT] to pull from.
    pub pull_host: String,
    /// Reached over plain HTTP.
    pub insecure: bool,
}

/// Everything `stowaway serve` is told.
pub struct ServeConfig {
    pub listen: std::net::SocketAddr,
    pub token: String,
    pub db: PathBuf,
    pub policy: Policy,
    /// sha256 of the policy text: part of every job key.
    pub policy_hash: String,
    pub workers: usize,
    /// Nice value added to scan workers' threads (0: as the server).
    pub scan_nice: i32,
    /// Event host → registry to pull from.
    pub registries: BTreeMap<String, RegistryTarget>,
    pub queue: QueuePolicy,
    pub max_body: usize,
    pub request_timeout: Duration,
    /// Connection limits (slow clients, header sizes, concurrent connections).
    pub conn: ConnLimits,
    pub shutdown_grace: Duration,
    pub notify: Vec<String>,
    pub notify_secret: Option<Vec<u8>>,
    pub notify_severity: Severity,
    pub notify_max_backoff: Duration,
    /// How clients reach this server (links in Harbor reports).
    pub public_url: String,
    /// Serve HTTPS with this certificate and key (reloaded on change).
    pub tls: Option<TlsFiles>,
}

/// How often the WAL is checkpointed (off the accept path).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Wakes idle workers when a job is queued.
#[derive(Default)]
struct Wake {
    n: Mutex<u64>,
    c: Condvar,
}

impl Wake {
    fn notify(&self) {
        if let Ok(mut n) = self.n.lock() {
            *n += 1;
        }
        self.c.notify_all();
    }
    fn wait(&self, d: Duration) {
        if let Ok(n) = self.n.lock() {
            let _ = self.c.wait_timeout(n, d);
        }
    }
}

/// What every part of the server shares.
struct Ctx {
    cfg: ServeConfig,
    metrics: metrics::Metrics,
    wake: Wake,
    stopping: AtomicBool,
    /// Lease owners of this process start with it.
    owner_prefix: String,
}

impl Ctx {
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// The job key: digest, policy and analyzers' version.
    fn job_key(&self, digest: &str) -> String {
        format!(
            "{digest}/policy-{}/analyzers-{}",
            &self.cfg.policy_hash[..16.min(self.cfg.policy_hash.len())],
            crate::layer::cache::analyzers_version()
        )
    }
}

/// Run the server until SIGTERM or SIGINT.
pub fn run(cfg: ServeConfig) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ServeError::Io {
            what: "starting the runtime".into(),
            source: e,
        })?;
    rt.block_on(serve(cfg))
}

async fn serve(mut cfg: ServeConfig) -> Result<(), ServeError> {
    let api_queue = queue::Queue::open(&cfg.db)?;
    let accepter = accept::Accepter::start(&cfg.db)?;
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| ServeError::Io {
            what: format!("binding {}", cfg.listen),
            source: e,
        })?;
    if let Ok(bound) = listener.local_addr() {
        name_the_bound_port(&mut cfg, bound);
    }
    let ctx = Arc::new(Ctx {
        owner_prefix: format!("{}-{}-", std::process::id(), queue::now()),
        cfg,
        metrics: Default::default(),
        wake: Wake::default(),
        stopping: AtomicBool::new(false),
    });
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    for n in 0..ctx.cfg.workers.max(1) {
        let (ctx, done) = (ctx.clone(), done_tx.clone());
        std::thread::Builder::new()
            .name(format!("scan-worker-{n}"))
            .spawn(move || {
                worker::run(&ctx, n);
                let _ = done.send(());
            })
            .map_err(|e| ServeError::Io {
                what: "starting a worker".into(),
                source: e,
            })?;
    }
    let ctx2 = ctx.clone();
    std::thread::Builder::new()
        .name("checkpoints".into())
        .spawn(move || {
            accept::checkpoints(ctx2.cfg.db.clone(), CHECKPOINT_EVERY, || ctx2.stopping())
        })
        .map_err(|e| ServeError::Io {
            what: "starting the checkpoint thread".into(),
            source: e,
        })?;
    let notifier = tokio::spawn(notify::run(ctx.clone()));
    let app = http::router(ctx.clone(), api_queue, accepter);
    let permits = Arc::new(tokio::sync::Semaphore::new(ctx.cfg.conn.max_connections));
    let incoming = match ctx.cfg.tls.clone() {
        Some(files) => {
            let tls = tls::TlsListener::start(listener, files, permits.clone())?;
            eprintln!("stowaway serve: listening on https://{}", ctx.cfg.listen);
            conn::Incoming::Tls(tls)
        }
        None => {
            eprintln!("stowaway serve: listening on http://{}", ctx.cfg.listen);
            conn::Incoming::Plain(listener)
        }
    };
    conn::serve(incoming, permits, app, &ctx.cfg.conn, shutdown_signal()).await;
    stop(&ctx, done_rx).await;
    notifier.abort();
    Ok(())
}

/// `--listen HOST:0` binds a port the system picks: name it in the
/// config, so the "listening on" line and the default public URL (made
/// from the listen address) say which.
fn name_the_bound_port(cfg: &mut ServeConfig, bound: std::net::SocketAddr) {
    if cfg.listen.port() != 0 {
        return;
    }
    let asked = format!("://{}", cfg.listen);
    if let Some(scheme) = cfg.public_url.strip_suffix(&asked) {
        cfg.public_url = format!("{scheme}://{bound}");
    }
    cfg.listen = bound;
}

/// Stop: workers finish their current job within the grace period; jobs
/// still running after it are released to the queue for the next start.
async fn stop(ctx: &Arc<Ctx>, done: std::sync::mpsc::Receiver<()>) {
    ctx.stopping.store(true, Ordering::SeqCst);
    ctx.wake.notify();
    let (ctx2, workers) = (ctx.clone(), ctx.cfg.workers.max(1));
    let _ = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + ctx2.cfg.shutdown_grace;
        for _ in 0..workers {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if done.recv_timeout(left).is_err() {
                break;
            }
        }
        match queue::Queue::open(&ctx2.cfg.db).and_then(|q| q.release(&ctx2.owner_prefix)) {
            Ok(0) => eprintln!("stowaway serve: stopped"),
            Ok(n) => eprintln!("stowaway serve: stopped; {n} running job(s) released to the queue"),
            Err(e) => eprintln!("stowaway serve: releasing jobs: {e}"),
        }
    })
    .await;
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
    eprintln!("stowaway serve: shutting down: no new requests; finishing running jobs");
}
