//! The files of a root file system walk read on worker threads: the walk
//! (listing, `fstatat`, the confined open of each file — see
//! [`super::confined`]) stays on one thread and hands each opened
//! descriptor to the pool, whose workers hash and inspect its content
//! ([`read_content_with`]); results come back in the order the files were
//! handed over, so the layer index is the same as a one-thread walk's.
//!
//! Bounded: at most `2 × workers` opened files wait in the queue, plus one
//! per worker being read; results that arrive out of order wait (small:
//! digests and facts) until the ones before them are done.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::layer::{ContentError, ContentRead, read_content_with};
use crate::limits::Limits;
use crate::path::ImagePath;

/// Most workers, whatever the machine.
const MAX_WORKERS: usize = 8;
/// Read buffer of each worker.
const BUF_BYTES: usize = 256 * 1024;

type Job = (usize, File, ImagePath);
type Outcome = io::Result<ContentRead>;

/// See the module docs. `T` is what the caller needs back with each result.
pub struct ReadPool<T> {
    pkg_digests: bool,
    jobs: Option<SyncSender<Job>>,
    results: Receiver<(usize, Outcome)>,
    workers: Vec<JoinHandle<()>>,
    /// Files handed over and not yet returned, in order; `first` is the
    /// sequence number of the front.
    waiting: VecDeque<(T, Option<Outcome>)>,
    first: usize,
}

impl<T> ReadPool<T> {
    /// Start the workers (one per available core, at most [`MAX_WORKERS`]);
    /// without `pkg_digests` they compute no MD5 or SHA-1 (a tree without
    /// a package database).
    pub fn new(limits: &Limits, pkg_digests: bool) -> ReadPool<T> {
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_WORKERS);
        Self::with_workers(limits, n, pkg_digests)
    }

    /// Start `n` workers (0: every file is read by [`ReadPool::push`]).
    fn with_workers(limits: &Limits, n: usize, pkg_digests: bool) -> ReadPool<T> {
        let (jobs, queue) = sync_channel::<Job>(2 * n.max(1));
        let queue = Arc::new(Mutex::new(queue));
        let (done, results) = channel();
        let workers = (0..n)
            .filter_map(|i| {
                let (queue, done, limits) = (queue.clone(), done.clone(), limits.clone());
                std::thread::Builder::new()
                    .name(format!("stowaway-read-{i}"))
                    .spawn(move || work(&queue, &done, &limits, pkg_digests))
                    .ok()
            })
            .collect();
        ReadPool {
            pkg_digests,
            jobs: Some(jobs),
            results,
            workers,
            waiting: VecDeque::new(),
            first: 0,
        }
    }

    /// Hand over an opened file (or the error that opening it gave).
    /// With no worker (none could be started), the file is read here.
    pub fn push(&mut self, tag: T, opened: io::Result<(File, ImagePath)>, limits: &Limits) {
        let seq = self.first + self.waiting.len();
        let outcome = match opened {
            Err(e) => Some(Err(e)),
            Ok((mut file, path)) if self.workers.is_empty() => {
                let buf = &mut vec![0u8; BUF_BYTES];
                Some(read(&mut file, &path, limits, buf, self.pkg_digests))
            }
            Ok((file, path)) => match self.jobs.as_ref().map(|j| j.send((seq, file, path))) {
                Some(Ok(())) => None,
                _ => Some(Err(gone())),
            },
        };
        self.waiting.push_back((tag, outcome));
    }

    /// The next result in order: without waiting when `wait` is false
    /// (`None` if it is not done yet), else once it is done.
    pub fn next(&mut self, wait: bool) -> Option<(T, Outcome)> {
        loop {
            match self.waiting.front() {
                None => return None,
                Some((_, Some(_))) => break,
                Some((_, None)) => {}
            }
            let got = if wait {
                self.results.recv().map_err(|_| TryRecvError::Disconnected)
            } else {
                self.results.try_recv()
            };
            match got {
                Ok((seq, outcome)) => self.waiting[seq - self.first].1 = Some(outcome),
                Err(TryRecvError::Empty) => return None,
                // Every worker is gone: what is still waiting never comes.
                Err(TryRecvError::Disconnected) => {
                    for w in self.waiting.iter_mut().filter(|w| w.1.is_none()) {
                        w.1 = Some(Err(gone()));
                    }
                }
            }
        }
        let (tag, outcome) = self.waiting.pop_front()?;
        self.first += 1;
        outcome.map(|o| (tag, o))
    }
}

impl<T> Drop for ReadPool<T> {
    /// Hang up and wait for the workers (each finishes the file it reads).
    fn drop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn gone() -> io::Error {
    io::Error::other("the file reader stopped before reading this file")
}

/// A worker: read queued files until the queue hangs up.
fn work(
    queue: &Mutex<Receiver<Job>>,
    done: &Sender<(usize, Outcome)>,
    limits: &Limits,
    pkg_digests: bool,
) {
    let mut buf = vec![0u8; BUF_BYTES];
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        let Ok((seq, mut file, path)) = job else {
            return;
        };
        let outcome = read(&mut file, &path, limits, &mut buf, pkg_digests);
        drop(file);
        if done.send((seq, outcome)).is_err() {
            return;
        }
    }
}

/// Read one file. A panic in the inspection is caught: it would otherwise
/// leave the walk waiting for a result that never comes.
fn read(
    file: &mut File,
    path: &ImagePath,
    limits: &Limits,
    buf: &mut [u8],
    pkg_digests: bool,
) -> Outcome {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_content_with(file, path, limits, buf, pkg_digests)
    }));
    match read {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(ContentError::Io(e))) => Err(e),
        Ok(Err(ContentError::TooLarge)) => {
            Err(io::Error::other("file larger than --max-layer-size"))
        }
        Err(_) => Err(io::Error::other(
            "the inspection of this file failed (a bug)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn results_come_back_in_order_with_their_errors() {
        for workers in [0, 1, 3] {
            in_order(ReadPool::with_workers(&Limits::default(), workers, true));
        }
    }

    fn in_order(mut pool: ReadPool<usize>) {
        let dir = tempfile::tempdir().unwrap();
        let mut got = Vec::new();
        for i in 0..40usize {
            let opened = if i % 7 == 3 {
                Err(io::Error::other(format!("no {i}")))
            } else {
                let p = dir.path().join(format!("f{i}"));
                // Files of different sizes finish out of order.
                let mut f = File::create(&p).unwrap();
                f.write_all(&vec![b'x'; (40 - i) * 20_000]).unwrap();
                Ok((
                    File::open(&p).unwrap(),
                    ImagePath::new(format!("f{i}").as_bytes()),
                ))
            };
            pool.push(i, opened, &Limits::default());
            while let Some(r) = pool.next(false) {
                got.push(r);
            }
        }
        while let Some(r) = pool.next(true) {
            got.push(r);
        }
        assert_eq!(got.len(), 40);
        for (i, (tag, outcome)) in got.into_iter().enumerate() {
            assert_eq!(tag, i);
            match outcome {
                Ok(read) => assert_eq!(read.size, ((40 - i) * 20_000) as u64, "{i}"),
                Err(e) => {
                    assert_eq!(i % 7, 3);
                    assert_eq!(e.to_string(), format!("no {i}"));
                }
            }
        }
    }
}
