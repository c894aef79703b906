//! A scan worker: a thread that claims a job, keeps its lease alive while
//! it scans and gates the image (as `stowaway gate --baseline auto`), and
//! records the verdict, retrying registry errors with backoff and
//! dead-lettering a job that keeps failing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::baseline::{SharedCache, Store};
use crate::error::Error;
use crate::gate::{BaselineChoice, GateReport, gate};
use crate::layer::cache::LayerCache;
use crate::scan::{Scan, ScanOptions};
use crate::source::RegistryOptions;

use super::metrics::bump;
use super::queue::{Claimed, Completion, OutboxItem, Queue};
use super::{Ctx, RegistryTarget, ServeError, result};

/// The store as a layer cache, counting hits for the metrics.
struct CountingCache<'a> {
    inner: SharedCache,
    ctx: &'a Ctx,
}

impl LayerCache for CountingCache<'_> {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let v = self.inner.get(key);
        let m = &self.ctx.metrics;
        // Layer results and squashed views count (not the verified-blob
        // markers, nor findings); a squashed view that hits stands for all
        // of the image's layers, which are then not looked up.
        if key.starts_with("layer/") || key.starts_with("squashed/") {
            let c = if v.is_some() {
                &m.cache_hits
            } else {
                &m.cache_misses
            };
            c.fetch_add(1, Ordering::Relaxed);
        }
        v
    }
    fn put(&self, key: &str, data: &[u8]) {
        self.inner.put(key, data)
    }
}

/// Worker `n`'s loop, until the server stops.
pub(super) fn run(ctx: &Arc<Ctx>, n: usize) {
    lower_priority(ctx.cfg.scan_nice, n);
    let owner = format!("{}w{n}", ctx.owner_prefix);
    let opened = (|| -> Result<_, ServeError> {
        Ok((
            Queue::open(&ctx.cfg.db)?,
            Mutex::new(Queue::open(&ctx.cfg.db)?),
            Store::open(&ctx.cfg.db)?,
            SharedCache(Mutex::new(Store::open(&ctx.cfg.db)?)),
        ))
    })();
    let (mut q, hb, store, cache) = match opened {
        Ok(v) => v,
        Err(e) => return eprintln!("stowaway serve: worker {n}: {e}"),
    };
    let cache = CountingCache { inner: cache, ctx };
    while !ctx.stopping() {
        match q.claim(&owner, &ctx.cfg.queue) {
            Ok(Some(job)) => {
                let w = Work {
                    ctx,
                    store: &store,
                    cache: &cache,
                    owner: &owner,
                };
                if let Err(e) = w.process(&mut q, &hb, job) {
                    eprintln!("stowaway serve: worker {n}: {e}");
                }
            }
            Ok(None) => ctx.wake.wait(Duration::from_millis(500)),
            Err(e) => {
                eprintln!("stowaway serve: worker {n}: {e}");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

struct Work<'a> {
    ctx: &'a Ctx,
    store: &'a Store,
    cache: &'a CountingCache<'a>,
    owner: &'a str,
}

impl Work<'_> {
    fn process(&self, q: &mut Queue, hb: &Mutex<Queue>, job: Claimed) -> Result<(), ServeError> {
        let ctx = self.ctx;
        ctx.metrics.queue_wait_seconds.observe(job.waited.max(0.0));
        let started = Instant::now();
        let outcome = self.with_heartbeat(hb, &job, || self.scan_and_gate(&job));
        ctx.metrics
            .scan_seconds
            .observe(started.elapsed().as_secs_f64());
        match outcome {
            Ok((scan, report)) => self.finish(q, &job, &scan, &report),
            Err(e) => {
                let (kind, retry) = classify(&e);
                bump(&ctx.metrics.registry_errors, kind);
                let state = q.fail(&job, self.owner, &e.to_string(), retry, &ctx.cfg.queue)?;
                eprintln!(
                    "stowaway serve: job {} ({}) attempt {}: {e} -> {state}",
                    job.id, job.reference, job.attempts
                );
                Ok(())
            }
        }
    }

    /// Run `f` while a second thread extends the job's lease.
    fn with_heartbeat<T>(&self, hb: &Mutex<Queue>, job: &Claimed, f: impl FnOnce() -> T) -> T {
        let done = AtomicBool::new(false);
        let lease = self.ctx.cfg.queue.lease;
        std::thread::scope(|s| {
            s.spawn(|| {
                let every = (lease / 3).max(Duration::from_millis(100));
                let mut last = Instant::now();
                while !done.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50));
                    if last.elapsed() >= every {
                        last = Instant::now();
                        if let Ok(q) = hb.lock() {
                            let _ = q.heartbeat(job.id, self.owner, lease);
                        }
                    }
                }
            });
            let out = f();
            done.store(true, Ordering::SeqCst);
            out
        })
    }

    fn scan_and_gate(&self, job: &Claimed) -> Result<(Scan, GateReport), Error> {
        let ctx = self.ctx;
        let opts = ScanOptions {
            platform: None,
            limits: ctx.cfg.policy.limits(crate::Limits::default()),
            progress: None,
            cache: Some(self.cache as &dyn LayerCache),
            registry: registry_options(&ctx.cfg.registries, job),
        };
        let scan = crate::scan(&job.reference, &opts)?;
        let report = gate(
            &scan,
            &ctx.cfg.policy,
            Some(self.store),
            Some(&BaselineChoice::Auto),
        )?;
        Ok((scan, report))
    }

    fn finish(
        &self,
        q: &mut Queue,
        job: &Claimed,
        scan: &Scan,
        report: &GateReport,
    ) -> Result<(), ServeError> {
        let ctx = self.ctx;
        let finished = super::queue::now();
        let text = result::document(
            scan,
            report,
            &job.repository,
            &job.digest,
            (job.id, finished),
        );
        let verdict = result::verdict(report);
        let event_id = format!(
            "stowaway-{}-{}",
            &job.digest[7..23.min(job.digest.len())],
            job.id
        );
        let alerts: Vec<OutboxItem> = if result::alerted(report, ctx.cfg.notify_severity) {
            let alert = result::cloud_event(&event_id, job.id, &job.reference, report, &job.digest);
            let body = serde_json::to_string(&alert).unwrap_or_default();
            ctx.cfg
                .notify
                .iter()
                .map(|t| OutboxItem {
                    event_id: event_id.clone(),
                    target: t.clone(),
                    body: body.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let c = Completion {
            finished,
            verdict,
            result: &text,
            findings: report.facts.findings.len(),
            new_findings: result::new_count(report),
            baseline: report.baseline.as_ref().map(|b| b.name.as_str()),
            alerts: &alerts,
        };
        if !q.complete(job, self.owner, &c)? {
            eprintln!(
                "stowaway serve: job {}: lease lost before it finished; result discarded",
                job.id
            );
        }
        Ok(())
    }
}

/// Registry access for a job: plain HTTP where configured, and the
/// credentials passed with the request (Harbor), else the usual auth files.
fn registry_options(
    registries: &BTreeMap<String, RegistryTarget>,
    job: &Claimed,
) -> RegistryOptions {
    let mut o = RegistryOptions::default();
    let insecure = registries
        .values()
        .any(|r| r.insecure && r.pull_host == job.registry);
    if insecure {
        o.insecure.push(job.registry.clone());
    }
    match job.auth.as_deref().map(super::auth::registry_auth) {
        Some(super::auth::RegistryAuth::Basic(u, p)) => o.creds = Some((u, p)),
        Some(super::auth::RegistryAuth::Bearer(t)) => o.token = Some(t),
        _ => {}
    }
    o
}

/// Lower this thread's scheduling priority by `nice` (on Linux the nice
/// value is per thread, and the threads a scan starts inherit it), so the
/// HTTP front end wins the CPU from running scans: a scan is batch work, an
/// accept is waited for.
fn lower_priority(nice: i32, n: usize) {
    if nice == 0 {
        return;
    }
    // Relative to the thread's current niceness (a server already started
    // under `nice` or systemd's `Nice=` keeps that and goes `nice` lower),
    // capped at 19, the lowest priority.
    // SAFETY: plain system calls on this thread's own id; no memory is passed.
    let r = unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        libc::setpriority(libc::PRIO_PROCESS, tid, (now + nice).clamp(-20, 19))
    };
    if r != 0 {
        let e = std::io::Error::last_os_error();
        eprintln!("stowaway serve: worker {n}: --scan-nice {nice}: {e}");
    }
}

/// A metrics label for an error and whether another attempt may help.
fn classify(e: &Error) -> (&'static str, bool) {
    match e {
        Error::Source { .. } | Error::Registry { .. } => ("registry", true),
        Error::Io { .. } => ("io", true),
        Error::Baseline { .. } => ("store", true),
        Error::DigestMismatch { .. }
        | Error::SizeMismatch { .. }
        | Error::DiffIdMismatch { .. } => ("integrity", false),
        Error::Limit { .. } => ("limit", false),
        _ => ("image", false),
    }
}

#[cfg(test)]
mod loop_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limit;

    #[test]
    fn registry_and_io_errors_are_retried_and_integrity_errors_are_not() {
        let s = String::new;
        let cases = [
            (
                Error::Source {
                    location: s(),
                    reason: s(),
                },
                ("registry", true),
            ),
            (
                Error::Registry {
                    location: s(),
                    reason: s(),
                    status: Some(503),
                },
                ("registry", true),
            ),
            (Error::io("/x", std::io::Error::other("eio")), ("io", true)),
            (
                Error::Baseline {
                    db: "/db".into(),
                    reason: s(),
                },
                ("store", true),
            ),
            (
                Error::DigestMismatch {
                    what: s(),
                    expected: s(),
                    actual: s(),
                },
                ("integrity", false),
            ),
            (
                Error::SizeMismatch {
                    what: s(),
                    expected: 1,
                    actual: 2,
                },
                ("integrity", false),
            ),
            (
                Error::DiffIdMismatch {
                    index: 0,
                    digest: s(),
                    expected: s(),
                    actual: s(),
                },
                ("integrity", false),
            ),
            (
                Error::Limit {
                    location: s(),
                    what: "x",
                    limit: Limit::LayerSize,
                    max: 1,
                },
                ("limit", false),
            ),
            (
                Error::Layer {
                    index: 0,
                    digest: s(),
                    reason: s(),
                },
                ("image", false),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(classify(&e), want, "{e:?}");
        }
    }

    fn job(registry: &str, auth: Option<&str>) -> Claimed {
        Claimed {
            id: 1,
            digest: "sha256:a".into(),
            repository: "r".into(),
            registry: registry.into(),
            reference: format!("docker://{registry}/r@sha256:a"),
            attempts: 1,
            auth: auth.map(str::to_string),
            waited: 0.0,
        }
    }

    #[test]
    fn a_job_pulls_with_its_own_credentials_and_plain_http_only_where_configured() {
        let target = |host: &str, insecure| RegistryTarget {
            pull_host: host.into(),
            insecure,
        };
        let regs = BTreeMap::from([
            ("events.example".to_string(), target("127.0.0.1:5000", true)),
            (
                "secure.example".to_string(),
                target("secure.example", false),
            ),
        ]);
        let o = registry_options(&regs, &job("127.0.0.1:5000", Some("Basic dTpw")));
        assert_eq!(o.insecure, ["127.0.0.1:5000"]);
        assert_eq!(o.creds, Some(("u".into(), "p".into())));
        assert_eq!(o.token, None);
        let o = registry_options(&regs, &job("secure.example", Some("Bearer tok")));
        assert!(o.insecure.is_empty(), "configured, but not insecure");
        assert_eq!((o.creds, o.token.as_deref()), (None, Some("tok")));
        let o = registry_options(&regs, &job("other.example", None));
        assert!(o.insecure.is_empty() && o.creds.is_none() && o.token.is_none());
    }
}
