//! The worker loop without HTTP: jobs queued in a temp-file SQLite store for
//! images written as OCI layouts by the fixture, worker 0 running `run` on
//! its own thread until the test sees the rows it waits for and sets the
//! stop flag, then the queue rows, scan history, outbox and metrics it left.
//! Nothing waits for a fixed time except the lease test, whose margins are
//! three lease lengths.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::*;
use crate::Severity;
use crate::fixture::demo_image;
use crate::policy::Policy;
use crate::serve::queue::{JobSpec, JobView, QueuePolicy, RequestSpec};
use crate::serve::{ConnLimits, ServeConfig, Wake};

const HOOK: &str = "http://127.0.0.1:9/hook";

fn config(db: PathBuf, queue: QueuePolicy) -> ServeConfig {
    ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: "t".into(),
        db,
        policy: Policy::default_policy(),
        policy_hash: "0".repeat(64),
        workers: 1,
        scan_nice: 0,
        registries: BTreeMap::new(),
        queue,
        max_body: 1 << 20,
        request_timeout: Duration::from_secs(30),
        conn: ConnLimits {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 8192,
            max_headers: 100,
            max_connections: 10,
        },
        shutdown_grace: Duration::from_secs(1),
        notify: vec![HOOK.into()],
        notify_secret: None,
        notify_severity: Severity::Low,
        notify_max_backoff: Duration::from_secs(1),
        public_url: "http://127.0.0.1:0".into(),
        tls: None,
    }
}

fn queue_policy(lease: Duration, max_attempts: i64) -> QueuePolicy {
    QueuePolicy {
        lease,
        max_attempts,
        per_registry: 10,
        backoff: Duration::ZERO,
    }
}

fn context(cfg: ServeConfig) -> Arc<Ctx> {
    Arc::new(Ctx {
        cfg,
        metrics: Default::default(),
        wake: Wake::default(),
        stopping: AtomicBool::new(false),
        owner_prefix: "test-".into(),
    })
}

/// Queue a job for `reference` under `key`; its digest is `sha256:` + key.
fn enqueue(db: &Path, key: &str, reference: &str) -> i64 {
    let job = JobSpec {
        key: key.into(),
        digest: format!("sha256:{key}"),
        repository: "demo".into(),
        registry: "local".into(),
        reference: reference.into(),
        origin: "api",
        auth: None,
    };
    let req = RequestSpec {
        repository: "demo".into(),
        tag: None,
        event_id: None,
    };
    let mut q = Queue::open(db).unwrap();
    q.enqueue(&[(job, req)]).unwrap()[0]
}

fn job(db: &Path, id: i64) -> JobView {
    Queue::open(db).unwrap().job(id).unwrap().unwrap()
}

/// Run worker 0 until every job in `ids` is in state `state` (at most 30 s),
/// then stop it and check that its loop returns.
fn run_until(ctx: &Arc<Ctx>, ids: &[i64], state: &str) {
    let worker = {
        let ctx = ctx.clone();
        std::thread::spawn(move || run(&ctx, 0))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let reached = || ids.iter().all(|&id| job(&ctx.cfg.db, id).state == state);
    while !reached() {
        assert!(!worker.is_finished(), "the worker loop returned early");
        assert!(
            Instant::now() < deadline,
            "jobs {ids:?} never reached {state}: {:?}",
            ids.iter()
                .map(|&id| job(&ctx.cfg.db, id))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    ctx.stopping.store(true, Ordering::SeqCst);
    ctx.wake.notify();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !worker.is_finished() {
        assert!(Instant::now() < deadline, "the worker did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
    worker.join().unwrap();
}

/// The scan-history rows the worker wrote: (reference, digest, verdict, findings).
fn history(db: &Path) -> Vec<(String, String, String, i64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT reference, digest, verdict, findings FROM scans ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn result_doc(v: &JobView) -> serde_json::Value {
    serde_json::from_str(v.result.as_deref().expect("a stored result")).unwrap()
}

#[test]
fn queued_jobs_are_scanned_gated_recorded_and_alerted_and_the_second_hits_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    demo_image().build().write_oci_layout(&img).unwrap();
    let db = dir.path().join("serve.db");
    let ctx = context(config(db.clone(), queue_policy(Duration::from_secs(60), 3)));
    let reference = format!("oci:{}", img.display());
    let key = |c: char| c.to_string().repeat(64);
    let ids = [
        enqueue(&db, &key('a'), &reference),
        enqueue(&db, &key('b'), &reference),
    ];
    run_until(&ctx, &ids, "done");

    let (first, second) = (job(&db, ids[0]), job(&db, ids[1]));
    let (d1, d2) = (result_doc(&first), result_doc(&second));
    let findings = d1["findings"].as_array().unwrap().len();
    assert!(findings > 0, "the demo image has findings: {d1}");
    assert_eq!(d2["findings"].as_array().unwrap().len(), findings, "{d2}");
    assert_eq!(d1["digest"], format!("sha256:{}", key('a')));
    assert_eq!(
        (d1["scan"].as_i64(), d2["scan"].as_i64()),
        (Some(ids[0]), Some(ids[1]))
    );
    let verdict = first.verdict.clone().expect("a verdict");
    assert_eq!(second.verdict.as_deref(), Some(verdict.as_str()));
    assert_eq!(d1["verdict"], verdict.as_str());
    assert_eq!((first.attempts, first.last_error), (1, None));

    let rows = history(&db);
    let row = |k: char| {
        (
            reference.clone(),
            format!("sha256:{}", key(k)),
            verdict.clone(),
            findings as i64,
        )
    };
    assert_eq!(rows, [row('a'), row('b')]);

    let alerts = Queue::open(&db).unwrap().due_alerts(10).unwrap();
    assert_eq!(alerts.len(), 2, "one alert per job at severity >= low");
    for ((a, id), k) in alerts.iter().zip(ids).zip(["a", "b"]) {
        assert_eq!(a.target, HOOK);
        let event = format!("\"stowaway-{}-{id}\"", k.repeat(16));
        assert!(a.body.contains(&event), "{event} in {}", a.body);
    }

    let m = &ctx.metrics;
    let (hits, misses) = (
        m.cache_hits.load(Ordering::Relaxed),
        m.cache_misses.load(Ordering::Relaxed),
    );
    // A local layout's layer is looked up only once its blob was verified
    // (the first scan verifies and stores all three, and their squashed
    // view): no misses, one hit (the view, standing for the 3 layers).
    assert_eq!(
        (misses, hits),
        (0, 1),
        "the second scan hits the squashed view of its 3 layers"
    );
    assert!(m.registry_errors.lock().unwrap().is_empty());
}

#[test]
fn failed_scans_are_retried_or_dead_lettered_by_the_class_of_their_error() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    let built = demo_image().build();
    built.write_oci_layout(&img).unwrap();
    // A layer blob whose bytes do not match its digest: an integrity error.
    let layer = &built.layers[0].digest;
    let blob = img.join("blobs/sha256").join(layer.hex());
    let mut bytes = std::fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let db = dir.path().join("serve.db");
    let ctx = context(config(db.clone(), queue_policy(Duration::from_secs(60), 2)));
    let missing = dir.path().join("missing");
    let ids = [
        enqueue(&db, "missing", &format!("oci:{}", missing.display())),
        enqueue(&db, "corrupt", &format!("oci:{}", img.display())),
    ];
    run_until(&ctx, &ids, "dead");

    let (gone, corrupt) = (job(&db, ids[0]), job(&db, ids[1]));
    assert_eq!(gone.attempts, 2, "a source error is retried: {gone:?}");
    assert!(
        gone.last_error.as_deref().unwrap().contains("missing"),
        "{gone:?}"
    );
    assert_eq!(
        corrupt.attempts, 1,
        "an integrity error is not retried: {corrupt:?}"
    );
    assert!(
        corrupt
            .last_error
            .as_deref()
            .unwrap()
            .contains(&layer.hex()[..12]),
        "{corrupt:?}"
    );
    assert!(gone.result.is_none() && corrupt.result.is_none());
    assert!(history(&db).is_empty());
    let errors = ctx.metrics.registry_errors.lock().unwrap().clone();
    assert_eq!(errors, BTreeMap::from([("integrity", 1), ("registry", 2)]));
}

#[test]
fn a_scan_that_outlasts_its_lease_keeps_the_job_while_an_idle_claim_expires() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    // Renewed every third of a lease: 3 s leaves a starved heartbeat thread
    // (2 loaded CI cores) two seconds of slack before the held job is lost.
    let lease = Duration::from_millis(3000);
    let ctx = context(config(db.clone(), queue_policy(lease, 3)));
    let p = &ctx.cfg.queue;
    let ids = [
        enqueue(&db, "held", "oci:/x"),
        enqueue(&db, "idle", "oci:/x"),
    ];
    let mut q = Queue::open(&db).unwrap();
    let held = q.claim("w", p).unwrap().unwrap();
    let idle = q.claim("w", p).unwrap().unwrap();
    assert_eq!([held.id, idle.id], ids);
    let store = Store::open(&db).unwrap();
    let cache = CountingCache {
        inner: SharedCache(Mutex::new(Store::open(&db).unwrap())),
        ctx: &ctx,
    };
    let w = Work {
        ctx: &ctx,
        store: &store,
        cache: &cache,
        owner: "w",
    };
    let hb = Mutex::new(Queue::open(&db).unwrap());
    let mut thief = Queue::open(&db).unwrap();
    let taken = w.with_heartbeat(&hb, &held, || {
        std::thread::sleep(lease * 3);
        let first = thief.claim("thief", p).unwrap().map(|j| j.id);
        let second = thief.claim("thief", p).unwrap().map(|j| j.id);
        (first, second)
    });
    assert_eq!(
        taken,
        (Some(idle.id), None),
        "the idle claim's lease expired and was taken over; the held one was renewed"
    );
    assert_eq!(job(&db, held.id).state, "running");
}

/// The nice value of the calling thread.
fn own_nice() -> i32 {
    // SAFETY: plain system calls on this thread's own id.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::getpriority(libc::PRIO_PROCESS, tid)
    }
}

#[test]
fn a_worker_lowers_only_its_own_threads_priority_by_scan_nice() {
    let (before, after, unchanged) = std::thread::spawn(|| {
        let before = own_nice();
        lower_priority(0, 0);
        let unchanged = own_nice();
        lower_priority(3, 0);
        (before, own_nice(), unchanged)
    })
    .join()
    .unwrap();
    assert_eq!(unchanged, before);
    assert_eq!(after, (before + 3).min(19));
}
