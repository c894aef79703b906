//! The blob, read ahead on a thread of its own that also counts it and
//! takes its sha256: the inflating thread (the longest chain of a
//! one-layer scan) makes no read calls and no copies for the hash, and
//! decompresses straight out of the big buffers it is handed
//! ([`BufRead`]). The reader keeps [`DEPTH`] buffers ahead.
//!
//! Ending: [`ReadAhead::finish`] either lets the thread read the rest of
//! the blob (its trailing bytes still count for the digest) or stops it
//! (a limit was hit: reading on would be the attacker's choice).

use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use crate::digest::{HashingReader, Sha256};

/// Bytes per buffer handed over.
const BUF: usize = 256 * 1024;
/// Buffers the reader may be ahead (2 MiB).
const DEPTH: usize = 8;

/// What the reader hands over: a buffer and how much of it is filled, or
/// the error that ended the blob.
type Filled = io::Result<(Vec<u8>, usize)>;

/// The consuming end: a [`BufRead`] over the reader thread's buffers.
pub struct ReadAhead<'scope> {
    rx: Option<Receiver<Filled>>,
    /// Buffers given back to the reader to fill again.
    spare: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    len: usize,
    /// The blob ended (or failed: its error was returned once).
    done: bool,
    stop: Arc<AtomicBool>,
    thread: ScopedJoinHandle<'scope, (Sha256, u64)>,
}

impl<'scope> ReadAhead<'scope> {
    /// Start reading `blob` on a thread of `scope`; reading more than
    /// `max` bytes fails with `InvalidData` (see [`HashingReader`]).
    pub fn spawn<'env, R: Read + Send + 'scope>(
        scope: &'scope Scope<'scope, 'env>,
        blob: R,
        max: u64,
    ) -> ReadAhead<'scope> {
        let (tx, rx) = sync_channel::<Filled>(DEPTH);
        let (spare, spare_rx) = sync_channel::<Vec<u8>>(DEPTH + 2);
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        let thread =
            scope.spawn(move || read_blob(HashingReader::new(blob, max), tx, spare_rx, &halt));
        ReadAhead {
            rx: Some(rx),
            spare,
            cur: Vec::new(),
            pos: 0,
            len: 0,
            done: false,
            stop,
            thread,
        }
    }

    /// The blob's digest and size: after reading it to its end when
    /// `drain`, else of what was read when the thread saw the stop.
    pub fn finish(mut self, drain: bool) -> (Sha256, u64) {
        if !drain {
            self.stop.store(true, Ordering::Relaxed);
        }
        // Hanging up wakes a reader blocked on a full queue; without the
        // stop it reads on to the end alone.
        drop(self.rx.take());
        match self.thread.join() {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        }
    }
}

/// The reader thread: fill, count and hash buffers, hand them over while
/// someone takes them, then read on to the end (unless stopped).
fn read_blob<R: Read>(
    mut r: HashingReader<R>,
    tx: SyncSender<Filled>,
    spare: Receiver<Vec<u8>>,
    stop: &AtomicBool,
) -> (Sha256, u64) {
    let mut taken = true;
    let mut buf = vec![0u8; BUF];
    while !stop.load(Ordering::Relaxed) {
        let (n, failed) = fill(&mut r, &mut buf);
        if n == 0 && failed.is_none() {
            break;
        }
        if taken && n > 0 {
            let next = spare.try_recv().unwrap_or_else(|_| vec![0u8; BUF]);
            taken = tx.send(Ok((std::mem::replace(&mut buf, next), n))).is_ok();
        }
        if let Some(e) = failed {
            if taken {
                let _ = tx.send(Err(e));
            }
            break;
        }
    }
    r.finish()
}

/// Read until `buf` is full, the blob ends or a read fails: the bytes
/// read, and the error that stopped them (handed over after them; a
/// source need not fail twice).
fn fill<R: Read>(r: &mut R, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

impl BufRead for ReadAhead<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.len && !self.done {
            let Some(rx) = &self.rx else { break };
            match rx.recv() {
                Ok(Ok((buf, n))) => {
                    let old = std::mem::replace(&mut self.cur, buf);
                    if old.capacity() > 0 {
                        let _ = self.spare.try_send(old);
                    }
                    (self.pos, self.len) = (0, n);
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => self.done = true,
            }
        }
        Ok(&self.cur[self.pos..self.len])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.len);
    }
}

impl Read for ReadAhead<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let have = self.fill_buf()?;
        let n = have.len().min(out.len());
        out[..n].copy_from_slice(&have[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` bytes that differ from buffer to buffer.
    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// A reader that hands out at most `step` bytes per call, then fails
    /// after `fail_at` bytes if set.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail_at: Option<usize>,
        /// Reads to refuse with `Interrupted` first (a signal arrived).
        interrupts: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.interrupts > 0 {
                self.interrupts -= 1;
                return Err(io::ErrorKind::Interrupted.into());
            }
            if self.fail_at.is_some_and(|f| self.at >= f) {
                // Once: afterwards the source reads as ended.
                self.fail_at = None;
                self.data.truncate(self.at);
                return Err(io::Error::other("disk on fire"));
            }
            let end = self.data.len().min(self.at + self.step);
            let end = self.fail_at.map_or(end, |f| end.min(f));
            let n = (end - self.at).min(out.len());
            out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn trickle(data: &[u8], step: usize) -> Trickle {
        Trickle {
            data: data.to_vec(),
            at: 0,
            step,
            fail_at: None,
            interrupts: 0,
        }
    }

    #[test]
    fn every_byte_comes_through_in_order_with_its_digest() {
        for len in [0, 1, BUF - 1, BUF, BUF + 1, DEPTH * BUF * 2 + 7] {
            for step in [1 << 20, 4096, 1000] {
                let d = data(len);
                let (got, digest) = std::thread::scope(|s| {
                    let mut r = ReadAhead::spawn(s, trickle(&d, step), u64::MAX);
                    let mut got = Vec::new();
                    r.read_to_end(&mut got).unwrap();
                    (got, r.finish(true))
                });
                assert!(got == d, "len {len} step {step}");
                assert_eq!(digest, (Sha256::of(&d), len as u64), "len {len}");
            }
        }
    }

    #[test]
    fn an_interrupted_read_is_tried_again() {
        let d = data(BUF + 3);
        let mut t = trickle(&d, 1000);
        t.interrupts = 3;
        let (got, digest) = std::thread::scope(|s| {
            let mut r = ReadAhead::spawn(s, t, u64::MAX);
            let mut got = Vec::new();
            r.read_to_end(&mut got).unwrap();
            (got, r.finish(true))
        });
        assert!(got == d);
        assert_eq!(digest, (Sha256::of(&d), d.len() as u64));
    }

    #[test]
    fn a_consumer_that_stops_early_still_gets_the_whole_digest() {
        let d = data(DEPTH * BUF * 3 + 5);
        let digest = std::thread::scope(|s| {
            let mut r = ReadAhead::spawn(s, trickle(&d, 1 << 20), u64::MAX);
            let mut head = [0u8; 10];
            r.read_exact(&mut head).unwrap();
            assert_eq!(head[..], d[..10]);
            r.finish(true)
        });
        assert_eq!(digest, (Sha256::of(&d), d.len() as u64));
    }

    #[test]
    fn a_stop_ends_the_reading_before_the_end() {
        let d = data(DEPTH * BUF * 8);
        let (_, n) = std::thread::scope(|s| {
            let mut r = ReadAhead::spawn(s, trickle(&d, 1 << 20), u64::MAX);
            r.fill_buf().unwrap();
            r.finish(false)
        });
        // The queue, the buffer in hand and the one being filled at most.
        assert!(n <= ((DEPTH + 3) * BUF) as u64, "read {n} of {}", d.len());
        assert!(n >= BUF as u64);
    }

    #[test]
    fn an_error_comes_after_the_bytes_before_it() {
        let d = data(BUF * 2 + 100);
        let mut t = trickle(&d, 5000);
        t.fail_at = Some(BUF + 10);
        std::thread::scope(|s| {
            let mut r = ReadAhead::spawn(s, t, u64::MAX);
            let mut got = Vec::new();
            let e = r.read_to_end(&mut got).unwrap_err();
            assert_eq!(e.to_string(), "disk on fire");
            assert!(got == d[..BUF + 10]);
            // Once failed, the blob reads as ended.
            assert_eq!(r.fill_buf().unwrap().len(), 0);
            let (digest, n) = r.finish(true);
            assert_eq!((digest, n), (Sha256::of(&d[..BUF + 10]), (BUF + 10) as u64));
        });
    }

    #[test]
    fn more_than_the_declared_size_is_an_error() {
        let d = data(BUF + 50);
        std::thread::scope(|s| {
            let mut r = ReadAhead::spawn(s, trickle(&d, BUF + 50), BUF as u64 + 1);
            let mut got = Vec::new();
            let e = r.read_to_end(&mut got).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
            assert!(
                e.to_string().contains(&format!("more than {}", BUF + 1)),
                "{e}"
            );
            assert!(got.is_empty() || got == d[..got.len()]);
            r.finish(true);
        });
    }
}
