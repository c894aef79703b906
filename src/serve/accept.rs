//! The accept path's writer: one thread with its own connection to the store
//! commits the requests the HTTP handlers hand it, in groups — every request
//! waiting when a transaction starts goes into that transaction (group
//! commit), and each handler is answered only after its group committed, so
//! a 202 still means the job is in the store. The connection never runs a
//! WAL checkpoint itself (a [`checkpoints`] thread does, off this path) and
//! waits for another writer's lock in steps of 100 µs instead of SQLite's
//! default back-off (1, 2, 5, 10 ms …), which is what made the accept
//! latency's tail.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::ServeError;
use super::queue::{JobSpec, Queue, RequestSpec};

/// Requests of one HTTP call: one job (or joined job) per entry.
pub(super) type Batch = Vec<(JobSpec, RequestSpec)>;

/// The most requests one transaction takes (a bound on a group's size,
/// so the first of a long run of callers is not kept waiting).
const MAX_GROUP: usize = 256;

struct Pending {
    batch: Batch,
    reply: oneshot::Sender<Result<Vec<i64>, String>>,
}

/// The handle the HTTP handlers submit to.
pub(super) struct Accepter {
    tx: mpsc::Sender<Pending>,
}

impl Accepter {
    /// Open the writer's connection and start its thread.
    pub fn start(db: &Path) -> Result<Accepter, ServeError> {
        let queue = Queue::open_accepter(db)?;
        let (tx, rx) = mpsc::channel::<Pending>();
        std::thread::Builder::new()
            .name("accept-writer".into())
            .spawn(move || write_loop(queue, rx))
            .map_err(|e| ServeError::Io {
                what: "starting the accept writer".into(),
                source: e,
            })?;
        Ok(Accepter { tx })
    }

    /// Commit `batch`; the job id of each request once it is committed.
    pub async fn submit(&self, batch: Batch) -> Result<Vec<i64>, String> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { batch, reply })
            .map_err(|_| "the accept writer stopped".to_string())?;
        answer
            .await
            .map_err(|_| "the accept writer stopped".to_string())?
    }
}

/// Take every waiting request, commit them together, answer each caller.
fn write_loop(mut queue: Queue, rx: mpsc::Receiver<Pending>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let batches: Vec<&[(JobSpec, RequestSpec)]> =
            group.iter().map(|p| p.batch.as_slice()).collect();
        match queue.enqueue_group(&batches) {
            Ok(ids) => {
                for (p, ids) in group.into_iter().zip(ids) {
                    let _ = p.reply.send(Ok(ids));
                }
            }
            // One bad batch must not fail its neighbours: each alone.
            Err(_) => {
                for p in group {
                    let r = queue.enqueue(&p.batch).map_err(|e| e.to_string());
                    let _ = p.reply.send(r);
                }
            }
        }
    }
}

/// Checkpoint the store's WAL every `every` until `stop` says so: passive
/// checkpoints, which never wait for or block a writer, so neither the
/// accept path nor a worker pays for them.
pub(super) fn checkpoints(db: PathBuf, every: Duration, stop: impl Fn() -> bool) {
    let conn = match rusqlite::Connection::open(&db) {
        Ok(c) => c,
        Err(e) => return eprintln!("stowaway serve: checkpoints: {e}"),
    };
    while !stop() {
        std::thread::sleep(every);
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            eprintln!("stowaway serve: checkpoint: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n: usize) -> (JobSpec, RequestSpec) {
        let d = format!("sha256:{n:064x}");
        let job = JobSpec {
            key: format!("{d}/p/a"),
            digest: d.clone(),
            repository: "r".into(),
            registry: "reg".into(),
            reference: format!("docker://reg/r@{d}"),
            origin: "distribution",
            auth: None,
        };
        let req = RequestSpec {
            repository: "r".into(),
            tag: None,
            event_id: Some(format!("e{n}")),
        };
        (job, req)
    }

    #[test]
    fn concurrent_submissions_are_committed_and_each_gets_its_ids() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("q.db");
        let acc = std::sync::Arc::new(Accepter::start(&db).unwrap());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let ids: Vec<Vec<i64>> = rt.block_on(async {
            let calls = (0..64).map(|n| {
                let acc = acc.clone();
                // Calls 0..32 and 32..64 name the same digests: joined jobs.
                tokio::spawn(async move { acc.submit(vec![spec(n % 32)]).await.unwrap() })
            });
            let mut out = Vec::new();
            for c in calls {
                out.push(c.await.unwrap());
            }
            out
        });
        for n in 0..32 {
            assert_eq!(ids[n], ids[n + 32], "same digest, same job");
        }
        let q = Queue::open(&db).unwrap();
        let job = q.job(ids[0][0]).unwrap().unwrap();
        assert_eq!(job.requests, 2);
        let (states, _) = q.counts().unwrap();
        assert_eq!(states, vec![("queued".to_string(), 32)]);
    }
}
