//! `stowaway serve`: flags turned into a validated [`ServeConfig`], then the
//! server runs until SIGTERM.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use stowaway::Severity;
use stowaway::limits::parse_size;
use stowaway::policy::{DEFAULT_POLICY, Policy};
use stowaway::serve::{ConnLimits, QueuePolicy, RegistryTarget, ServeConfig, TlsFiles};

use super::{DbArgs, Verdict};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// File holding the bearer token clients must send (else $STOWAWAY_SERVE_TOKEN).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Policy file (default: the built-in default policy).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Scan workers.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Lower the scan workers' CPU priority by this much (added to the
    /// server's own nice value, capped at 19), so accepting events stays
    /// fast while images are scanned.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i32).range(0..=19))]
    scan_nice: i32,
    /// A registry events may come from: HOST=URL (HOST as in the event's
    /// request.host, URL where to pull from, e.g. http://127.0.0.1:5000).
    #[arg(long, value_name = "HOST=URL")]
    registry: Vec<String>,
    /// Scans running at once against one registry.
    #[arg(long, default_value_t = 2)]
    per_registry: i64,
    /// Attempts of a job before it is dead-lettered.
    #[arg(long, default_value_t = 5)]
    max_attempts: i64,
    /// Seconds before the first retry (doubling each attempt).
    #[arg(long, default_value_t = 5)]
    retry_backoff: u64,
    /// Seconds a worker's claim on a job lasts without a heartbeat.
    #[arg(long, default_value_t = 60)]
    lease: u64,
    /// Largest request body accepted.
    #[arg(long, value_parser = parse_size, default_value = "1M")]
    max_body: u64,
    /// Seconds a request may take.
    #[arg(long, default_value_t = 30)]
    request_timeout: u64,
    /// Seconds a client gets to send a request's headers (and the longest a
    /// kept-alive connection may sit idle); slower clients are cut off.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a client gets to send a request's body.
    #[arg(long, default_value_t = 10)]
    body_timeout: u64,
    /// Largest request head (request line and headers), in bytes; larger
    /// gets 431.
    #[arg(long, value_parser = parse_size, default_value = "16K")]
    max_header_bytes: u64,
    /// Most headers in one request; more gets 431.
    #[arg(long, default_value_t = 64)]
    max_headers: usize,
    /// Connections served at once; further clients wait in the listen
    /// backlog until one closes.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Seconds running jobs get to finish on SIGTERM before they are released.
    #[arg(long, default_value_t = 30)]
    shutdown_grace: u64,
    /// POST a CloudEvent here for each denial or new finding at or above --notify-severity (repeatable).
    #[arg(long, value_name = "URL")]
    notify: Vec<String>,
    /// File with the HMAC-SHA256 key that signs alerts.
    #[arg(long)]
    notify_secret_file: Option<PathBuf>,
    /// Alert on new findings at or above this severity (denials always alert).
    #[arg(long, default_value = "high")]
    notify_severity: Severity,
    /// Longest wait between delivery attempts of one alert, in seconds.
    #[arg(long, default_value_t = 60)]
    notify_max_backoff: u64,
    /// How clients reach this server (links in Harbor reports; default http(s)://LISTEN).
    #[arg(long)]
    public_url: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (reloaded when it changes).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

fn secret(path: Option<&PathBuf>, env: &str, what: &str) -> anyhow::Result<Option<String>> {
    let text = match path {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("reading {what} {}", p.display()))?,
        ),
        None => std::env::var(env).ok(),
    };
    Ok(text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
}

fn registries(specs: &[String]) -> anyhow::Result<BTreeMap<String, RegistryTarget>> {
    let mut out = BTreeMap::new();
    for s in specs {
        let (host, url) = s.split_once('=').context("--registry takes HOST=URL")?;
        let (scheme, rest) = url
            .split_once("://")
            .with_context(|| format!("--registry {s}: URL needs http:// or https://"))?;
        let pull_host = rest.trim_end_matches('/');
        if !["http", "https"].contains(&scheme) || pull_host.contains('/') || pull_host.is_empty() {
            bail!("--registry {s}: URL must be http(s)://HOST[:PORT]");
        }
        let target = RegistryTarget {
            pull_host: pull_host.to_string(),
            insecure: scheme == "http",
        };
        out.insert(host.to_string(), target);
    }
    Ok(out)
}

fn policy(path: Option<&PathBuf>) -> anyhow::Result<(Policy, String)> {
    let text = match path {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?
        }
        None => DEFAULT_POLICY.to_string(),
    };
    let policy = Policy::load_or_default(path.map(|p| p.as_path()))?;
    let hash = stowaway::digest::Sha256::of(text.as_bytes()).hex();
    Ok((policy, hash))
}

pub fn run(a: ServeArgs) -> anyhow::Result<Verdict> {
    let Some(token) = secret(a.token_file.as_ref(), "STOWAWAY_SERVE_TOKEN", "token file")? else {
        bail!("serve needs a token: --token-file FILE or $STOWAWAY_SERVE_TOKEN");
    };
    if token.len() < 16 {
        bail!("the serve token must be at least 16 characters");
    }
    let notify_secret = secret(
        a.notify_secret_file.as_ref(),
        "STOWAWAY_NOTIFY_SECRET",
        "notify secret",
    )?;
    if !a.notify.is_empty() && notify_secret.is_none() {
        bail!("--notify needs --notify-secret-file (alerts are always signed)");
    }
    for n in &a.notify {
        if !n.starts_with("http://") && !n.starts_with("https://") {
            bail!("--notify {n}: not an http(s) URL");
        }
    }
    let (policy, policy_hash) = policy(a.policy.as_ref())?;
    let tls = match (a.tls_cert, a.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let cfg = ServeConfig {
        listen: a.listen,
        token,
        db: a.db.path(),
        policy,
        policy_hash,
        workers: a.workers.max(1),
        scan_nice: a.scan_nice,
        registries: registries(&a.registry)?,
        queue: QueuePolicy {
            lease: Duration::from_secs(a.lease.max(1)),
            max_attempts: a.max_attempts.max(1),
            per_registry: a.per_registry.max(1),
            backoff: Duration::from_secs(a.retry_backoff),
        },
        max_body: a.max_body as usize,
        request_timeout: Duration::from_secs(a.request_timeout.max(1)),
        conn: ConnLimits {
            header_timeout: Duration::from_secs(a.header_timeout.max(1)),
            body_timeout: Duration::from_secs(a.body_timeout.max(1)),
            max_header_bytes: (a.max_header_bytes as usize).clamp(1024, 1 << 20),
            max_headers: a.max_headers.clamp(8, 1000),
            max_connections: a.max_connections.max(1),
        },
        shutdown_grace: Duration::from_secs(a.shutdown_grace),
        notify: a.notify,
        notify_secret: notify_secret.map(String::into_bytes),
        notify_severity: a.notify_severity,
        notify_max_backoff: Duration::from_secs(a.notify_max_backoff.max(1)),
        public_url: a
            .public_url
            .unwrap_or_else(|| format!("{scheme}://{}", a.listen)),
        tls,
    };
    stowaway::serve::run(cfg)?;
    Ok(Verdict::Pass)
}
