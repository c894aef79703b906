//! The store under concurrency: many connections opening, reading, caching
//! and recording on one fresh database file at once never see "database is
//! locked" (every open-time statement and every write waits its turn).

use std::sync::{Arc, Barrier};

use super::{ScanRecord, Store};
use crate::model::Verdict;

/// One connection's life as an audit or gate thread lives it.
fn open_use_close(path: &std::path::Path, i: usize) -> crate::Result<()> {
    let store = Store::open(path)?;
    assert!(!store.is_read_only(), "a writable store is opened writable");
    store.cache_get(&format!("k{i}"))?;
    store.cache_put(&format!("k{i}"), b"layer index")?;
    store.record_scan(&ScanRecord {
        reference: "oci:x",
        digest: None,
        baseline: None,
        verdict: Verdict::Pass,
        findings: 0,
        new_findings: None,
    })?;
    let again = Store::open(path)?;
    again.cache_get(&format!("k{i}"))?;
    Ok(())
}

#[test]
fn many_connections_on_a_fresh_database_never_see_database_is_locked() {
    const THREADS: usize = 8;
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let path = Arc::new(dir.path().join("fresh.db"));
        let start = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    (0..4).try_for_each(|n| open_use_close(&path, t * 10 + n))
                })
            })
            .collect();
        for t in threads {
            if let Err(e) = t.join().unwrap() {
                panic!("round {round}: {e}");
            }
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}

/// The race behind "database is locked" within 0.1 s although the busy
/// timeout is 60 s: switching a file that is not yet in WAL mode reads its
/// header, then asks for the write lock; while another connection holds the
/// write lock, SQLite refuses that upgrade at once instead of calling the
/// busy handler. The open waits for the other writer instead.
#[test]
fn opening_a_store_another_connection_is_writing_in_rollback_mode_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rollback.db");
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
        .unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
    });
    let opened = Store::open(&path);
    holder.join().unwrap();
    let store = opened.unwrap_or_else(|e| panic!("the open waits for the writer: {e}"));
    assert!(!store.is_read_only(), "opened writable, not read-only");
    let mode: String = (store.conn)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    store.cache_put("k", b"v").unwrap();
    assert_eq!(store.cache_get("k").unwrap().as_deref(), Some(&b"v"[..]));
}
