//! The durable job queue in the store's SQLite file (tables `serve_jobs`,
//! `serve_requests`, `serve_outbox`, created by the store's migrations).
//! A job is keyed by (image digest, policy hash, analyzers' version): every
//! request for the same key points at one job. Workers claim a job with a
//! lease that expires, so a job whose worker died (kill -9) is claimed
//! again; a job is finished by the lease holder only, in one transaction
//! with its scan-history row and its alerts, so it is done exactly once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::ServeError;
use crate::report::model::{JobState, ServeJobDoc, ServeVerdict};

/// What a request asks to be scanned.
#[derive(Clone, Debug)]
pub struct JobSpec {
    pub key: String,
    pub digest: String,
    pub repository: String,
    /// The registry host (as configured), for per-registry limits.
    pub registry: String,
    /// What the worker scans (`docker://HOST/REPO@DIGEST`).
    pub reference: String,
    pub origin: &'static str,
    /// Registry credentials given with the request (Harbor); cleared when the job ends.
    pub auth: Option<String>,
}

/// One request (an event, an API call) for a job.
#[derive(Clone, Debug)]
pub struct RequestSpec {
    pub repository: String,
    pub tag: Option<String>,
    pub event_id: Option<String>,
}

/// A claimed job.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub digest: String,
    pub repository: String,
    pub registry: String,
    pub reference: String,
    pub attempts: i64,
    pub auth: Option<String>,
    /// Seconds the job waited in the queue before this claim.
    pub waited: f64,
}

/// A job's row.
#[derive(Clone, Debug)]
pub struct JobView {
    pub id: i64,
    pub state: String,
    pub digest: String,
    pub repository: String,
    pub reference: String,
    pub origin: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub verdict: Option<String>,
    pub created: f64,
    pub started: Option<f64>,
    pub finished: Option<f64>,
    pub requests: i64,
    /// The stored result document (JSON text), once done.
    pub result: Option<String>,
}

impl JobView {
    /// The job as `GET /v1/scans/{id}` shows it, with its result.
    pub fn doc(&self) -> ServeJobDoc<'_> {
        ServeJobDoc {
            attempts: self.attempts,
            created: self.created,
            digest: &self.digest,
            finished: self.finished,
            id: self.id,
            last_error: self.last_error.as_deref(),
            origin: &self.origin,
            reference: &self.reference,
            repository: &self.repository,
            requests: self.requests,
            result: (self.result.as_deref()).and_then(|r| serde_json::from_str(r).ok()),
            started: self.started,
            state: JobState::parse(&self.state).unwrap_or(JobState::Queued),
            verdict: self.verdict.as_deref().and_then(ServeVerdict::parse),
        }
    }
}

/// How claims, retries and dead-lettering behave.
#[derive(Clone, Debug)]
pub struct QueuePolicy {
    pub lease: Duration,
    pub max_attempts: i64,
    pub per_registry: i64,
    pub backoff: Duration,
}

/// An alert to deliver, written with the job's completion.
#[derive(Clone, Debug)]
pub struct OutboxItem {
    pub event_id: String,
    pub target: String,
    pub body: String,
}

/// An alert due for delivery.
#[derive(Clone, Debug)]
pub struct Due {
    pub id: i64,
    pub target: String,
    pub body: String,
    pub attempts: i64,
}

/// The outcome a worker records.
pub struct Completion<'a> {
    /// When the job finished (seconds since the epoch), as its result says.
    pub finished: f64,
    pub verdict: &'a str,
    pub result: &'a str,
    pub findings: usize,
    pub new_findings: Option<usize>,
    pub baseline: Option<&'a str>,
    pub alerts: &'a [OutboxItem],
}

/// Rows counted by a label.
pub type Counts = Vec<(String, i64)>;

/// A connection to the queue tables.
pub struct Queue {
    conn: Connection,
    path: PathBuf,
}

/// A busy handler: wait 100 µs and try again, for up to a minute.
fn short_waits(attempt: i32) -> bool {
    if attempt >= 600_000 {
        return false;
    }
    std::thread::sleep(Duration::from_micros(100));
    true
}

/// Seconds since the epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Queue {
    /// Open the store (migrating it) and a connection to its queue tables.
    pub fn open(path: &Path) -> Result<Queue, ServeError> {
        let store = crate::baseline::Store::open(path)?;
        if store.is_read_only() {
            return Err(ServeError::Config(format!(
                "{} is read-only; serve needs a writable store",
                path.display()
            )));
        }
        drop(store);
        let conn = Connection::open(path).map_err(|e| db(path, e))?;
        conn.busy_timeout(Duration::from_secs(60))
            .map_err(|e| db(path, e))?;
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            .map_err(|e| db(path, e))?;
        Ok(Queue {
            conn,
            path: path.into(),
        })
    }

    /// The accept path's connection: it never checkpoints the WAL (a
    /// background thread does) and waits for another writer's lock in
    /// 100 µs steps, up to a minute.
    pub fn open_accepter(path: &Path) -> Result<Queue, ServeError> {
        let mut q = Queue::open(path)?;
        let set = q.conn.busy_handler(Some(short_waits));
        set.map_err(|e| q.err(e))?;
        q.conn
            .execute_batch("PRAGMA wal_autocheckpoint=0;")
            .map_err(|e| q.err(e))?;
        Ok(q)
    }

    fn err(&self, e: rusqlite::Error) -> ServeError {
        db(&self.path, e)
    }

    /// Enqueue (or join) the jobs of one batch of requests, all in one
    /// transaction: either every request is recorded or none. Returns the
    /// job id of each request. A job that was dead-lettered is queued again.
    pub fn enqueue(&mut self, batch: &[(JobSpec, RequestSpec)]) -> Result<Vec<i64>, ServeError> {
        Ok(self.enqueue_group(&[batch])?.pop().unwrap_or_default())
    }

    /// Enqueue several batches in one transaction (group commit): the ids
    /// of each batch's requests, in order; on an error nothing is recorded.
    pub fn enqueue_group(
        &mut self,
        batches: &[&[(JobSpec, RequestSpec)]],
    ) -> Result<Vec<Vec<i64>>, ServeError> {
        let path = self.path.clone();
        let e = |e| db(&path, e);
        let t = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            let mut ids = Vec::with_capacity(batch.len());
            for (job, req) in batch.iter() {
                ids.push(insert_request(&tx, job, req, t).map_err(e)?);
            }
            out.push(ids);
        }
        tx.commit().map_err(e)?;
        Ok(out)
    }

    /// Claim the next ready job for `owner`: a queued job whose backoff has
    /// passed, or a running one whose lease expired, on a registry below its
    /// concurrency limit. A job whose lease expired `max_attempts` times is
    /// dead-lettered instead.
    pub fn claim(&mut self, owner: &str, p: &QueuePolicy) -> Result<Option<Claimed>, ServeError> {
        let path = self.path.clone();
        let e = |e| db(&path, e);
        let t = now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let row = tx
            .query_row(
                "SELECT id, digest, repository, registry, reference, attempts, auth, state, not_before FROM serve_jobs
                 WHERE ((state = 'queued' AND not_before <= ?1) OR (state = 'running' AND lease_until < ?1))
                   AND registry NOT IN (SELECT registry FROM serve_jobs WHERE state = 'running' AND lease_until >= ?1
                                        GROUP BY registry HAVING COUNT(*) >= ?2)
                 ORDER BY not_before, id LIMIT 1",
                params![t, p.per_registry],
                |r| {
                    Ok((
                        Claimed {
                            id: r.get(0)?,
                            digest: r.get(1)?,
                            repository: r.get(2)?,
                            registry: r.get(3)?,
                            reference: r.get(4)?,
                            attempts: r.get(5)?,
                            auth: r.get(6)?,
                            waited: t - r.get::<_, f64>(8)?,
                        },
                        r.get::<_, String>(7)?,
                    ))
                },
            )
            .optional()
            .map_err(e)?;
        let Some((mut job, state)) = row else {
            return Ok(None);
        };
        if state == "running" && job.attempts >= p.max_attempts {
            tx.execute(
                "UPDATE serve_jobs SET state = 'dead', auth = NULL, lease_owner = NULL, finished = ?2,
                   last_error = 'the worker holding the job stopped (lease expired) on every attempt' WHERE id = ?1",
                params![job.id, t],
            )
            .map_err(e)?;
            tx.commit().map_err(e)?;
            return Ok(None);
        }
        job.attempts += 1;
        tx.execute(
            "UPDATE serve_jobs SET state = 'running', lease_owner = ?2, lease_until = ?3, attempts = ?4, started = ?5 WHERE id = ?1",
            params![job.id, owner, t + p.lease.as_secs_f64(), job.attempts, t],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(Some(job))
    }

    /// Extend the lease; false when it was lost.
    pub fn heartbeat(&self, id: i64, owner: &str, lease: Duration) -> Result<bool, ServeError> {
        let n = self
            .conn
            .execute(
                "UPDATE serve_jobs SET lease_until = ?3 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                params![id, owner, now() + lease.as_secs_f64()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// Finish a job: result, scan-history row and alerts in one transaction,
    /// only while `owner` still holds the lease. False when it did not.
    pub fn complete(
        &mut self,
        job: &Claimed,
        owner: &str,
        c: &Completion<'_>,
    ) -> Result<bool, ServeError> {
        let path = self.path.clone();
        let e = |e| db(&path, e);
        let t = c.finished;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let n = tx
            .execute(
                "UPDATE serve_jobs SET state = 'done', verdict = ?3, result = ?4, finished = ?5, auth = NULL,
                   lease_owner = NULL, last_error = NULL WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                params![job.id, owner, c.verdict, c.result, t],
            )
            .map_err(e)?;
        if n != 1 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO scans (time, reference, digest, baseline, verdict, findings, new_findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![crate::time::now_rfc3339(), job.reference, job.digest, c.baseline, c.verdict, c.findings as i64, c.new_findings.map(|n| n as i64)],
        )
        .map_err(e)?;
        for a in c.alerts {
            tx.execute(
                "INSERT OR IGNORE INTO serve_outbox (event_id, target, body, state, not_before, created) VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
                params![a.event_id, a.target, a.body, t],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)?;
        Ok(true)
    }

    /// Record a failed attempt: retried after a backoff when `retry` and
    /// attempts remain, else dead-lettered with the error.
    pub fn fail(
        &self,
        job: &Claimed,
        owner: &str,
        error: &str,
        retry: bool,
        p: &QueuePolicy,
    ) -> Result<&'static str, ServeError> {
        let t = now();
        let dead = !retry || job.attempts >= p.max_attempts;
        let delay = p.backoff.as_secs_f64() * 2f64.powi((job.attempts - 1).clamp(0, 10) as i32);
        let state = if dead { "dead" } else { "queued" };
        self.conn
            .execute(
                "UPDATE serve_jobs SET state = ?3, last_error = ?4, not_before = ?5, lease_owner = NULL,
                   finished = CASE WHEN ?3 = 'dead' THEN ?6 ELSE NULL END,
                   auth = CASE WHEN ?3 = 'dead' THEN NULL ELSE auth END
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                params![job.id, owner, state, error, t + delay.min(3600.0), t],
            )
            .map_err(|e| self.err(e))?;
        Ok(state)
    }

    /// Give back every job `owner` holds (graceful shutdown): queued again,
    /// the attempt not counted.
    pub fn release(&self, owner_prefix: &str) -> Result<usize, ServeError> {
        self.conn
            .execute(
                "UPDATE serve_jobs SET state = 'queued', lease_owner = NULL, attempts = MAX(attempts - 1, 0)
                 WHERE state = 'running' AND substr(lease_owner, 1, length(?1)) = ?1",
                [owner_prefix],
            )
            .map_err(|e| self.err(e))
    }

    /// One job.
    pub fn job(&self, id: i64) -> Result<Option<JobView>, ServeError> {
        self.view("j.id = ?1", rusqlite::types::Value::Integer(id))
    }

    /// The newest finished scan of a digest.
    pub fn latest_done(&self, digest: &str) -> Result<Option<JobView>, ServeError> {
        self.view(
            "j.digest = ?1 AND j.state = 'done'",
            rusqlite::types::Value::Text(digest.into()),
        )
    }

    /// The newest job of a digest in any state.
    pub fn latest_any(&self, digest: &str) -> Result<Option<JobView>, ServeError> {
        self.view("j.digest = ?1", rusqlite::types::Value::Text(digest.into()))
    }

    fn view(
        &self,
        filter: &str,
        arg: rusqlite::types::Value,
    ) -> Result<Option<JobView>, ServeError> {
        let sql = format!(
            "SELECT j.id, j.state, j.digest, j.repository, j.reference, j.origin, j.attempts, j.last_error, j.verdict,
                    j.created, j.started, j.finished, (SELECT COUNT(*) FROM serve_requests r WHERE r.job = j.id), j.result
             FROM serve_jobs j WHERE {filter} ORDER BY j.finished DESC, j.id DESC LIMIT 1"
        );
        self.conn
            .query_row(&sql, [arg], |r| {
                Ok(JobView {
                    id: r.get(0)?,
                    state: r.get(1)?,
                    digest: r.get(2)?,
                    repository: r.get(3)?,
                    reference: r.get(4)?,
                    origin: r.get(5)?,
                    attempts: r.get(6)?,
                    last_error: r.get(7)?,
                    verdict: r.get(8)?,
                    created: r.get(9)?,
                    started: r.get(10)?,
                    finished: r.get(11)?,
                    requests: r.get(12)?,
                    result: r.get(13)?,
                })
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Jobs by state, and verdicts of finished jobs (for metrics).
    pub fn counts(&self) -> Result<(Counts, Counts), ServeError> {
        let by = |sql: &str| -> Result<Counts, ServeError> {
            let mut st = self.conn.prepare(sql).map_err(|e| self.err(e))?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
        };
        Ok((
            by("SELECT state, COUNT(*) FROM serve_jobs GROUP BY state")?,
            by("SELECT verdict, COUNT(*) FROM serve_jobs WHERE state = 'done' GROUP BY verdict")?,
        ))
    }

    /// Alerts due for delivery now.
    pub fn due_alerts(&self, limit: usize) -> Result<Vec<Due>, ServeError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, target, body, attempts FROM serve_outbox WHERE state = 'pending' AND not_before <= ?1 ORDER BY id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![now(), limit as i64], |r| {
                Ok(Due {
                    id: r.get(0)?,
                    target: r.get(1)?,
                    body: r.get(2)?,
                    attempts: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Record a delivery attempt of an alert.
    pub fn alert_attempt(
        &self,
        id: i64,
        result: Result<(), String>,
        retry_in: Duration,
    ) -> Result<(), ServeError> {
        let t = now();
        let (state, err) = match result {
            Ok(()) => ("delivered", None),
            Err(e) => ("pending", Some(e)),
        };
        self.conn
            .execute(
                "UPDATE serve_outbox SET state = ?2, attempts = attempts + 1, last_error = ?3, not_before = ?4,
                   delivered = CASE WHEN ?2 = 'delivered' THEN ?5 ELSE NULL END WHERE id = ?1",
                params![id, state, err, t + retry_in.as_secs_f64(), t],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Alerts not yet delivered.
    pub fn pending_alerts(&self) -> Result<i64, ServeError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM serve_outbox WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }
}

/// Insert (or join) a request's job and record the request; the job's id.
fn insert_request(
    tx: &rusqlite::Transaction<'_>,
    job: &JobSpec,
    req: &RequestSpec,
    t: f64,
) -> rusqlite::Result<i64> {
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO serve_jobs (key, digest, repository, registry, reference, origin, state, not_before, auth, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8, ?7)
             ON CONFLICT(key) DO UPDATE SET
               state = CASE WHEN state = 'dead' THEN 'queued' ELSE state END,
               attempts = CASE WHEN state = 'dead' THEN 0 ELSE attempts END,
               not_before = CASE WHEN state = 'dead' THEN ?7 ELSE not_before END,
               auth = CASE WHEN state IN ('queued', 'dead') AND ?8 IS NOT NULL THEN ?8 ELSE auth END
             RETURNING id",
        )?
        .query_row(
            params![job.key, job.digest, job.repository, job.registry, job.reference, job.origin, t, job.auth],
            |r| r.get(0),
        )?;
    tx.prepare_cached(
        "INSERT INTO serve_requests (job, origin, repository, tag, event_id, received) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, job.origin, req.repository, req.tag, req.event_id, t])?;
    Ok(id)
}

fn db(path: &Path, e: rusqlite::Error) -> ServeError {
    ServeError::Store(crate::Error::Baseline {
        db: path.into(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(key: &str, registry: &str) -> (JobSpec, RequestSpec) {
        let job = JobSpec {
            key: key.into(),
            digest: format!("sha256:{key}"),
            repository: "r".into(),
            registry: registry.into(),
            reference: format!("docker://{registry}/r@sha256:{key}"),
            origin: "api",
            auth: Some("Basic dTpw".into()),
        };
        let req = RequestSpec {
            repository: "r".into(),
            tag: None,
            event_id: None,
        };
        (job, req)
    }

    fn policy(lease_ms: u64) -> QueuePolicy {
        QueuePolicy {
            lease: Duration::from_millis(lease_ms),
            max_attempts: 2,
            per_registry: 1,
            backoff: Duration::ZERO,
        }
    }

    fn done<'a>(alerts: &'a [OutboxItem]) -> Completion<'a> {
        Completion {
            finished: now(),
            verdict: "pass",
            result: "{}",
            findings: 0,
            new_findings: None,
            baseline: None,
            alerts,
        }
    }

    fn open() -> (tempfile::TempDir, Queue) {
        let dir = tempfile::tempdir().unwrap();
        let q = Queue::open(&dir.path().join("q.db")).unwrap();
        (dir, q)
    }

    #[test]
    fn one_job_per_key_and_every_request_points_at_it() {
        let (_d, mut q) = open();
        let ids = q
            .enqueue(&[spec("a", "r1"), spec("a", "r1"), spec("b", "r1")])
            .unwrap();
        assert_eq!(ids[0], ids[1]);
        assert_ne!(ids[0], ids[2]);
        assert_eq!(q.job(ids[0]).unwrap().unwrap().requests, 2);
    }

    #[test]
    fn the_registry_limit_holds_back_a_second_job_of_the_same_registry() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1"), spec("b", "r1"), spec("c", "r2")])
            .unwrap();
        let p = policy(60_000);
        let first = q.claim("w1", &p).unwrap().unwrap();
        assert_eq!(first.registry, "r1");
        let second = q.claim("w2", &p).unwrap().unwrap();
        assert_eq!(second.registry, "r2", "r1 is at its limit");
        assert!(q.claim("w3", &p).unwrap().is_none());
        assert!(q.complete(&first, "w1", &done(&[])).unwrap());
        assert_eq!(q.claim("w3", &p).unwrap().unwrap().registry, "r1");
    }

    #[test]
    fn an_expired_lease_is_taken_over_and_only_the_holder_finishes() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        let p = policy(50);
        let dead_worker = q.claim("w1", &p).unwrap().unwrap();
        assert!(q.claim("w2", &p).unwrap().is_none(), "lease still held");
        std::thread::sleep(Duration::from_millis(80));
        let taken = q.claim("w2", &p).unwrap().unwrap();
        assert_eq!(taken.attempts, 2);
        assert!(!q.heartbeat(dead_worker.id, "w1", p.lease).unwrap());
        assert!(
            !q.complete(&dead_worker, "w1", &done(&[])).unwrap(),
            "the old holder cannot finish it"
        );
        let alerts = [OutboxItem {
            event_id: "e".into(),
            target: "http://t".into(),
            body: "{}".into(),
        }];
        assert!(q.complete(&taken, "w2", &done(&alerts)).unwrap());
        let j = q.job(taken.id).unwrap().unwrap();
        assert_eq!(j.state, "done");
        assert_eq!(q.pending_alerts().unwrap(), 1);
        let auth: Option<String> = q
            .conn
            .query_row("SELECT auth FROM serve_jobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auth, None, "credentials end with the job");
        let scans: i64 = q
            .conn
            .query_row("SELECT COUNT(*) FROM scans", [], |r| r.get(0))
            .unwrap();
        assert_eq!(scans, 1);
    }

    #[test]
    fn failures_retry_then_dead_letter_and_a_new_request_revives() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        let p = policy(60_000);
        let j = q.claim("w", &p).unwrap().unwrap();
        assert_eq!(
            q.fail(&j, "w", "registry down", true, &p).unwrap(),
            "queued"
        );
        let j = q.claim("w", &p).unwrap().unwrap();
        assert_eq!(
            q.fail(&j, "w", "registry down again", true, &p).unwrap(),
            "dead"
        );
        let v = q.job(j.id).unwrap().unwrap();
        assert_eq!(
            (v.state.as_str(), v.last_error.as_deref()),
            ("dead", Some("registry down again"))
        );
        assert!(q.claim("w", &p).unwrap().is_none());
        q.enqueue(&[spec("a", "r1")]).unwrap();
        assert_eq!(
            q.claim("w", &p).unwrap().unwrap().attempts,
            1,
            "queued again, attempts reset"
        );
    }

    #[test]
    fn a_permanent_error_dead_letters_at_once_and_release_gives_jobs_back() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1"), spec("b", "r2")]).unwrap();
        let p = policy(60_000);
        let a = q.claim("pfx-w0", &p).unwrap().unwrap();
        assert_eq!(
            q.fail(&a, "pfx-w0", "digest mismatch", false, &p).unwrap(),
            "dead"
        );
        let b = q.claim("pfx-w1", &p).unwrap().unwrap();
        assert_eq!(q.release("other-").unwrap(), 0);
        assert_eq!(q.release("pfx-").unwrap(), 1);
        let v = q.job(b.id).unwrap().unwrap();
        assert_eq!((v.state.as_str(), v.attempts), ("queued", 0));
    }

    fn not_before(q: &Queue, id: i64) -> f64 {
        q.conn
            .query_row(
                "SELECT not_before FROM serve_jobs WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// Make a queued job ready now (its backoff over).
    fn ready(q: &Queue, id: i64) {
        q.conn
            .execute("UPDATE serve_jobs SET not_before = 0 WHERE id = ?1", [id])
            .unwrap();
    }

    #[test]
    fn a_heartbeat_renews_the_lease_of_its_holder_only() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        let p = policy(1000);
        let j = q.claim("w1", &p).unwrap().unwrap();
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(400));
            assert!(q.heartbeat(j.id, "w1", p.lease).unwrap(), "holder renews");
            assert!(!q.heartbeat(j.id, "w2", p.lease).unwrap(), "not the holder");
        }
        // 1.2 s after the claim, past the first 1 s lease: still held.
        assert!(
            q.claim("w2", &p).unwrap().is_none(),
            "the renewed lease holds"
        );
        assert!(q.complete(&j, "w1", &done(&[])).unwrap());
        assert!(
            !q.heartbeat(j.id, "w1", p.lease).unwrap(),
            "a finished job has no lease"
        );
    }

    #[test]
    fn a_job_whose_lease_expires_on_every_attempt_is_dead_lettered() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        let p = policy(30);
        let first = q.claim("w1", &p).unwrap().unwrap();
        assert_eq!(first.attempts, 1);
        std::thread::sleep(Duration::from_millis(60));
        let second = q.claim("w2", &p).unwrap().unwrap();
        assert_eq!((second.id, second.attempts), (first.id, 2));
        std::thread::sleep(Duration::from_millis(60));
        // The second expiry is the last allowed attempt: no third run.
        assert!(q.claim("w3", &p).unwrap().is_none());
        let v = q.job(first.id).unwrap().unwrap();
        assert_eq!((v.state.as_str(), v.attempts), ("dead", 2));
        assert!(v.last_error.unwrap().contains("lease expired"));
        assert!(v.finished.is_some());
        assert!(!q.complete(&second, "w2", &done(&[])).unwrap(), "too late");
        let auth: Option<String> = q
            .conn
            .query_row("SELECT auth FROM serve_jobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auth, None, "credentials end with the job");
    }

    #[test]
    fn retries_back_off_exponentially() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        let p = QueuePolicy {
            max_attempts: 5,
            backoff: Duration::from_secs(10),
            ..policy(60_000)
        };
        for (attempt, delay) in [(1, 10.0), (2, 20.0), (3, 40.0)] {
            let j = q.claim("w", &p).unwrap().unwrap();
            assert_eq!(j.attempts, attempt);
            let before = now();
            assert_eq!(q.fail(&j, "w", "503", true, &p).unwrap(), "queued");
            let wait = not_before(&q, j.id) - before;
            assert!(
                (delay - 0.5..delay + 0.5).contains(&wait),
                "attempt {attempt}: {wait}"
            );
            assert!(q.claim("w", &p).unwrap().is_none(), "backing off");
            let v = q.job(j.id).unwrap().unwrap();
            assert_eq!(
                (v.state.as_str(), v.last_error.as_deref()),
                ("queued", Some("503"))
            );
            assert_eq!(v.finished, None);
            ready(&q, j.id);
        }
        // The delay is capped at an hour.
        let p = QueuePolicy {
            backoff: Duration::from_secs(3000),
            ..p
        };
        let j = q.claim("w", &p).unwrap().unwrap();
        let before = now();
        q.fail(&j, "w", "503", true, &p).unwrap();
        assert!(not_before(&q, j.id) - before <= 3600.5);
    }

    #[test]
    fn a_claim_reports_how_long_the_job_waited() {
        let (_d, mut q) = open();
        let t0 = std::time::Instant::now();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let j = q.claim("w", &policy(60_000)).unwrap().unwrap();
        let elapsed = t0.elapsed().as_secs_f64();
        assert!(j.waited >= 0.045, "{}", j.waited);
        assert!(j.waited <= elapsed + 0.01, "{} > {elapsed}", j.waited);
        assert_eq!(j.reference, "docker://r1/r@sha256:a");
        assert_eq!(j.auth.as_deref(), Some("Basic dTpw"));
    }

    #[test]
    fn a_process_restart_reruns_a_crashed_job_exactly_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        // A lease long enough that reopening the store under a loaded
        // parallel run cannot outlast it (50 ms did, twice).
        let p = policy(500);
        let crashed = {
            let mut q = Queue::open(&path).unwrap();
            q.enqueue(&[spec("a", "r1")]).unwrap();
            q.claim("old-w0", &p).unwrap().unwrap()
            // The process dies: no release, no completion.
        };
        let mut q = Queue::open(&path).unwrap();
        assert!(q.claim("new-w0", &p).unwrap().is_none(), "lease still held");
        std::thread::sleep(Duration::from_millis(600));
        let rerun = q.claim("new-w0", &p).unwrap().unwrap();
        assert_eq!((rerun.id, rerun.attempts), (crashed.id, 2));
        assert!(q.complete(&rerun, "new-w0", &done(&[])).unwrap());
        assert!(!q.complete(&crashed, "old-w0", &done(&[])).unwrap());
        assert!(
            !q.complete(&rerun, "new-w0", &done(&[])).unwrap(),
            "done once"
        );
        let scans: i64 = q
            .conn
            .query_row("SELECT COUNT(*) FROM scans", [], |r| r.get(0))
            .unwrap();
        assert_eq!(scans, 1);
        assert!(q.claim("new-w0", &p).unwrap().is_none());
    }

    #[test]
    fn a_request_for_a_finished_or_running_job_joins_it() {
        let (_d, mut q) = open();
        let p = policy(60_000);
        let id = q.enqueue(&[spec("a", "r1")]).unwrap()[0];
        let j = q.claim("w", &p).unwrap().unwrap();
        let (mut again, req) = spec("a", "r1");
        again.auth = Some("Bearer new".into());
        assert_eq!(q.enqueue(&[(again.clone(), req.clone())]).unwrap(), [id]);
        let v = q.job(id).unwrap().unwrap();
        assert_eq!((v.state.as_str(), v.requests), ("running", 2));
        assert!(q.complete(&j, "w", &done(&[])).unwrap());
        assert_eq!(q.enqueue(&[(again, req)]).unwrap(), [id]);
        let v = q.job(id).unwrap().unwrap();
        assert_eq!((v.state.as_str(), v.requests), ("done", 3), "no rescan");
        assert!(q.claim("w", &p).unwrap().is_none());
    }

    #[test]
    fn latest_results_and_counts() {
        let (_d, mut q) = open();
        let p = policy(60_000);
        let (mut other_policy, req) = spec("a", "r1");
        other_policy.key = "a-other-policy".into();
        q.enqueue(&[spec("a", "r1"), spec("b", "r2")]).unwrap();
        let a = q.claim("w", &p).unwrap().unwrap();
        assert!(q.complete(&a, "w", &done(&[])).unwrap());
        let queued = q.enqueue(&[(other_policy, req)]).unwrap()[0];
        let done_a = q.latest_done("sha256:a").unwrap().unwrap();
        assert_eq!((done_a.id, done_a.verdict.as_deref()), (a.id, Some("pass")));
        assert_eq!(done_a.result.as_deref(), Some("{}"));
        let any_b = q.latest_any("sha256:b").unwrap().unwrap();
        assert_eq!(any_b.state, "queued");
        assert!(q.latest_done("sha256:b").unwrap().is_none());
        assert!(q.latest_any("sha256:none").unwrap().is_none());
        assert_eq!(q.latest_any("sha256:a").unwrap().unwrap().id, a.id);
        assert_ne!(queued, a.id);
        let (states, verdicts) = q.counts().unwrap();
        assert_eq!(states, [("done".to_string(), 1), ("queued".to_string(), 2)]);
        assert_eq!(verdicts, [("pass".to_string(), 1)]);
    }

    #[test]
    fn alerts_are_delivered_once_or_retried_later() {
        let (_d, mut q) = open();
        q.enqueue(&[spec("a", "r1")]).unwrap();
        let j = q.claim("w", &policy(60_000)).unwrap().unwrap();
        let alert = |t: &str| OutboxItem {
            event_id: "e1".into(),
            target: t.into(),
            body: format!("{{\"to\":\"{t}\"}}"),
        };
        let alerts = [alert("http://a"), alert("http://b"), alert("http://a")];
        assert!(q.complete(&j, "w", &done(&alerts)).unwrap());
        assert_eq!(q.pending_alerts().unwrap(), 2, "one per event and target");
        let due = q.due_alerts(10).unwrap();
        assert_eq!(due.len(), 2);
        assert_eq!((due[0].target.as_str(), due[0].attempts), ("http://a", 0));
        assert_eq!(due[1].body, "{\"to\":\"http://b\"}");
        assert_eq!(q.due_alerts(1).unwrap().len(), 1, "the limit holds");
        q.alert_attempt(due[0].id, Ok(()), Duration::ZERO).unwrap();
        q.alert_attempt(due[1].id, Err("503".into()), Duration::from_secs(60))
            .unwrap();
        assert_eq!(q.pending_alerts().unwrap(), 1);
        assert!(q.due_alerts(10).unwrap().is_empty(), "retry not due yet");
        q.conn
            .execute("UPDATE serve_outbox SET not_before = 0", [])
            .unwrap();
        let due = q.due_alerts(10).unwrap();
        assert_eq!(
            (due.len(), due[0].attempts),
            (1, 1),
            "delivered: never again"
        );
        let (state, err): (String, Option<String>) = q
            .conn
            .query_row(
                "SELECT state, last_error FROM serve_outbox WHERE id = ?1",
                [due[0].id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((state.as_str(), err.as_deref()), ("pending", Some("503")));
    }
}
