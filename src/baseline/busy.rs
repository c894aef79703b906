//! Waiting out SQLITE_BUSY where SQLite's busy handler does not: a
//! connection that holds a read lock and asks for a write lock (switching a
//! fresh database to WAL does this) gets SQLITE_BUSY at once when another
//! connection is doing the same, because waiting could deadlock. The
//! statement is retried from the start, with a bounded backoff, until the
//! store's busy timeout.

use std::time::{Duration, Instant};

/// How long a store waits for another connection's lock, in SQLite's busy
/// handler and in [`retry`].
pub(super) const TIMEOUT: Duration = Duration::from_secs(60);

/// True when `e` is SQLITE_BUSY (any extended code: another connection
/// holds the lock), not SQLITE_LOCKED (a conflict inside one connection).
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

/// Run `f` again while it fails with SQLITE_BUSY, up to [`TIMEOUT`]; pauses
/// double from 1 ms to 50 ms.
pub(super) fn retry<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = Instant::now() + TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        match f() {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}
