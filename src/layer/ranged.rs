//! File digests and inspection taken from the tar stream itself, by byte
//! range, on worker threads beside the walk, so that the walk thread only
//! parses headers:
//!
//! ```text
//! inflate ─► walk ─┬─► [sha256 worker: the tar (diff_id) and every file's range]
//!                  ├─► [package worker: MD5 + SHA-1 of the files that need them]
//!                  └─► [inspection workers (two, files shared out by size):
//!                       each file's head, and the whole of the binaries and
//!                       scripts the inspectors want]
//! ```
//!
//! The walk knows where each file's data lies in the stream (the tar crate
//! reads headers exactly, never ahead: the stream position when an entry's
//! data is about to be read is its start). It queues a [`Job`] per file as
//! it reaches its data, and hands each chunk on once it has read past it,
//! together with the jobs queued so far: a job therefore always reaches a
//! worker before any chunk holding its bytes, and a worker only ever waits
//! on one ordered channel (no cycle with the walk). Chunks are the
//! inflater's shared buffers (no copy); the channels are bounded, so memory
//! stays flat. The walk itself never reads a queued file's data: the tar
//! parser seeks past it ([`TapReader::skip`], no copy). Sparse files
//! (expanded, holes included) and empty files are read inline by the walk.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use crate::digest::{Hasher, Sha256};
use crate::path::ImagePath;

use super::pkgfile::md5x8::Kernel;
use super::pkgfile::{Pair, PkgDigests};

mod inspect;
mod lanes;
mod sha2way;
pub use inspect::{InspectJob, Inspected, work_inspect};
use lanes::Lanes;
use sha2way::Sha;

/// One file's data: entry `slot` of the layer index, `len` bytes from
/// stream offset `start`; `pkg`: the package digests it gets, when the
/// package worker has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    pub slot: usize,
    pub start: u64,
    pub len: u64,
    pub pkg: PkgDigests,
}

impl Job {
    /// Where the file's data ends; a size past any stream (a hostile
    /// header) saturates, so the job is never answered and the count of
    /// answers says the stream ended inside a file.
    pub(super) fn end(&self) -> u64 {
        self.start.saturating_add(self.len)
    }
}

/// What a worker receives: the jobs queued before `chunk` was handed on,
/// then `chunk`, which starts at stream offset `start`.
pub struct Batch<J = Job> {
    pub jobs: Vec<J>,
    pub start: u64,
    pub chunk: Arc<Vec<u8>>,
}

/// The walk's side: the stream position and the jobs not yet handed on.
/// Shared (on the walk thread) between the walker, which queues jobs, and
/// the chunk reader under the tar parser, which hands chunks on.
#[derive(Default)]
pub struct Tap {
    pos: Cell<u64>,
    sha: RefCell<Vec<Job>>,
    pkg: RefCell<Vec<Job>>,
    insp: [RefCell<Vec<InspectJob>>; INSPECTORS],
    /// Jobs queued, per worker, to check every answer came back.
    queued: Cell<(usize, usize)>,
    /// Hardlinks to a pending file: (link, target) slots.
    links: RefCell<Vec<(usize, usize)>>,
    /// End of the last package job: chunks past it need not go to that worker.
    pkg_end: Cell<u64>,
    /// The same for each inspection worker.
    insp_end: [Cell<u64>; INSPECTORS],
    /// Bytes given to each inspection worker so far.
    insp_bytes: [Cell<u64>; INSPECTORS],
}

/// Inspection workers. Inspection comes in bursts (a run of binaries, a
/// large one): on one thread, a burst left the digest workers idle behind
/// a full queue; on two, the other core keeps busy.
pub const INSPECTORS: usize = 2;

impl Tap {
    /// Bytes of the stream read so far by the tar parser.
    pub fn pos(&self) -> u64 {
        self.pos.get()
    }

    /// Queue a file at `path`: its sha256 and its inspection always, MD5
    /// and SHA-1 when `pkg`.
    pub fn queue(&self, job: Job, pkg: bool, path: ImagePath) {
        let (s, p) = self.queued.get();
        self.sha.borrow_mut().push(job);
        // To the inspector given the fewest bytes so far (the layer alone
        // decides: the same tar is always shared out the same way).
        let i = (0..INSPECTORS)
            .min_by_key(|&i| self.insp_bytes[i].get())
            .unwrap_or(0);
        self.insp_bytes[i].set(self.insp_bytes[i].get().saturating_add(job.len));
        self.insp[i].borrow_mut().push(InspectJob { job, path });
        self.insp_end[i].set(self.insp_end[i].get().max(job.end()));
        if pkg {
            self.pkg.borrow_mut().push(job);
            self.pkg_end.set(self.pkg_end.get().max(job.end()));
        }
        self.queued.set((s + 1, p + usize::from(pkg)));
    }

    /// Hardlink `link` takes its content from `target`, which may be pending.
    pub fn link(&self, link: usize, target: usize) {
        self.links.borrow_mut().push((link, target));
    }

    /// Jobs queued for the sha256 (and the inspection) and the package worker.
    pub fn queued(&self) -> (usize, usize) {
        self.queued.get()
    }

    /// The hardlinks to refresh once the workers' answers are in.
    pub fn take_links(&self) -> Vec<(usize, usize)> {
        self.links.take()
    }

    /// The parser has read `n` more bytes.
    fn advance(&self, n: usize) {
        self.pos.set(self.pos.get() + n as u64);
    }
}

/// The workers' inputs, fed by the chunk reader.
pub struct Outlets {
    pub sha: SyncSender<Batch>,
    pub pkg: SyncSender<Batch>,
    pub insp: [SyncSender<Batch<InspectJob>>; INSPECTORS],
}

impl Outlets {
    /// Hand on `chunk` (starting at `start`) with the jobs queued so far. A
    /// worker that hung up is ignored here: its missing answers are noticed
    /// when the results are counted.
    fn send(&self, tap: &Tap, start: u64, chunk: &Arc<Vec<u8>>) {
        let sha = tap.sha.take();
        let _ = self.sha.send(Batch {
            jobs: sha,
            start,
            chunk: chunk.clone(),
        });
        let pkg = tap.pkg.take();
        // The package worker needs a chunk only while a job of it is open.
        if !pkg.is_empty() || start < tap.pkg_end.get() {
            let _ = self.pkg.send(Batch {
                jobs: pkg,
                start,
                chunk: chunk.clone(),
            });
        }
        for (i, tx) in self.insp.iter().enumerate() {
            let jobs = tap.insp[i].take();
            if !jobs.is_empty() || start < tap.insp_end[i].get() {
                let _ = tx.send(Batch {
                    jobs,
                    start,
                    chunk: chunk.clone(),
                });
            }
        }
    }
}

/// Where the stream's chunks come from: the inflater, in order; `None` at
/// the end.
pub trait Chunks {
    fn next_chunk(&mut self) -> Option<Arc<Vec<u8>>>;
}

/// Chunks handed over by another thread.
impl Chunks for Receiver<Arc<Vec<u8>>> {
    fn next_chunk(&mut self) -> Option<Arc<Vec<u8>>> {
        self.recv().ok()
    }
}

/// A `Read` over the inflater's chunks that counts what the parser takes
/// and hands each chunk on to the workers once it is read past (the last
/// one at the end of the stream).
pub struct TapReader<S> {
    rx: S,
    cur: Arc<Vec<u8>>,
    cur_start: u64,
    pos: usize,
    tap: std::rc::Rc<Tap>,
    out: Option<Outlets>,
}

impl<S: Chunks> TapReader<S> {
    pub fn new(rx: S, tap: std::rc::Rc<Tap>, out: Outlets) -> Self {
        TapReader {
            rx,
            cur: Arc::new(Vec::new()),
            cur_start: 0,
            pos: 0,
            tap,
            out: Some(out),
        }
    }

    fn hand_on(&mut self) {
        if let Some(out) = &self.out
            && !self.cur.is_empty()
        {
            out.send(&self.tap, self.cur_start, &self.cur);
        }
    }
}

impl<S: Chunks> TapReader<S> {
    /// Make sure the current chunk has bytes left: hand the finished one on
    /// and take the next. False at the end of the stream (then hung up).
    fn refill(&mut self) -> bool {
        while self.pos >= self.cur.len() {
            self.hand_on();
            match self.rx.next_chunk() {
                Some(c) => {
                    self.cur_start += self.cur.len() as u64;
                    self.cur = c;
                    self.pos = 0;
                }
                None => {
                    // End of stream: the last chunk went on above; hang up.
                    self.cur_start += self.cur.len() as u64;
                    self.cur = Arc::new(Vec::new());
                    self.pos = 0;
                    self.out = None;
                    return false;
                }
            }
        }
        true
    }

    /// Pass over up to `n` bytes without copying them (the workers read
    /// them from the chunks); 0 at the end of the stream.
    pub fn skip(&mut self, n: u64) -> u64 {
        if n == 0 || !self.refill() {
            return 0;
        }
        let k = n.min((self.cur.len() - self.pos) as u64) as usize;
        self.pos += k;
        self.tap.advance(k);
        k as u64
    }
}

impl<S: Chunks> std::io::Read for TapReader<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() || !self.refill() {
            return Ok(0);
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        self.tap.advance(n);
        Ok(n)
    }
}

impl<S: Chunks> super::guard::SkipForward for TapReader<S> {
    fn skip_forward(&mut self, n: u64) -> u64 {
        self.skip(n)
    }
}

/// A digest computed over each job's range.
pub trait RangeDigest: Default {
    type Out;
    /// A digest for `job`'s range.
    fn for_job(_job: &Job) -> Self {
        Self::default()
    }
    fn update(&mut self, bytes: &[u8]);
    fn finish(self) -> Self::Out;
}

impl RangeDigest for Hasher {
    type Out = Sha256;
    fn update(&mut self, bytes: &[u8]) {
        Hasher::update(self, bytes)
    }
    fn finish(self) -> Sha256 {
        Hasher::finish(self)
    }
}

impl RangeDigest for Pair {
    /// MD5, SHA-1 (zeros where not computed), and which were.
    type Out = ([u8; 16], [u8; 20], PkgDigests);
    fn for_job(job: &Job) -> Self {
        Pair::with(job.pkg)
    }
    fn update(&mut self, bytes: &[u8]) {
        Pair::update(self, bytes)
    }
    fn finish(self) -> Self::Out {
        let which = self.digests();
        let (md5, sha1) = Pair::finish(self);
        (md5, sha1, which)
    }
}

/// What a worker hands back: each finished job's digest by slot, and the
/// whole stream's sha256 and length when it was asked for them.
pub struct Digested<T> {
    pub files: Vec<(usize, T)>,
    pub whole: Option<(Sha256, u64)>,
}

/// A file's range in the stream, as the workers follow it.
pub trait Span {
    fn slot(&self) -> usize;
    fn start(&self) -> u64;
    fn end(&self) -> u64;
}

impl Span for Job {
    fn slot(&self) -> usize {
        self.slot
    }
    fn start(&self) -> u64 {
        self.start
    }
    fn end(&self) -> u64 {
        Job::end(self)
    }
}

/// Jobs followed one after another as their chunks pass.
struct InOrder<D, J = Job> {
    pending: VecDeque<J>,
    cur: Option<D>,
}

impl<D, J: Span> InOrder<D, J> {
    fn new() -> Self {
        InOrder {
            pending: VecDeque::new(),
            cur: None,
        }
    }

    /// Walk the open jobs through the chunk from stream offset `start` to
    /// `end`: `take` gets each job's state (made by `new` when the job
    /// starts) and the part of its range in the chunk (maybe empty);
    /// `done` gets each job that ends in it.
    fn each_range(
        &mut self,
        (start, end): (u64, u64),
        mut new: impl FnMut(&mut J) -> D,
        mut take: impl FnMut(&mut D, u64, u64),
        mut done: impl FnMut(usize, D),
    ) {
        while let Some(job) = self.pending.front_mut() {
            let (first, last, slot) = (job.start(), job.end(), job.slot());
            if first >= end {
                break; // starts in a later chunk
            }
            let d = match &mut self.cur {
                Some(d) => d,
                cur => cur.insert(new(job)),
            };
            take(d, first.max(start), last.min(end));
            if last > end {
                break; // continues in the next chunk
            }
            if let Some(d) = self.cur.take() {
                done(slot, d);
            }
            self.pending.pop_front();
        }
    }
}

impl<D: RangeDigest> InOrder<D> {
    /// Hash the part of each open job in `chunk` (at stream offset `start`).
    fn feed(&mut self, start: u64, chunk: &[u8], files: &mut Vec<(usize, D::Out)>) {
        let end = start + chunk.len() as u64;
        let at = |o: u64| (o - start) as usize;
        self.each_range(
            (start, end),
            |job| D::for_job(job),
            |d, a, b| {
                if a < b {
                    d.update(&chunk[at(a)..at(b)]);
                }
            },
            |slot, d| files.push((slot, d.finish())),
        );
    }
}

/// Run a worker until the walk hangs up: hash each job's range as its
/// chunks pass (and, with `whole`, every byte: the diff_id).
pub fn work<D: RangeDigest>(rx: Receiver<Batch>, whole: bool) -> Digested<D::Out> {
    let mut tar = whole.then(|| (Hasher::new(), 0u64));
    let mut jobs_in_order = InOrder::<D>::new();
    let mut files = Vec::new();
    for Batch { jobs, start, chunk } in rx {
        if let Some((h, n)) = tar.as_mut() {
            h.update(&chunk);
            *n += chunk.len() as u64;
        }
        jobs_in_order.pending.extend(jobs);
        jobs_in_order.feed(start, &chunk, &mut files);
    }
    Digested {
        files,
        whole: tar.map(|(h, n)| (h.finish(), n)),
    }
}

/// The sha256 worker where the CPU has the SHA extensions: each file's
/// bytes go to its digest and the tar's in one pass ([`sha2way`]), the
/// rest of the stream (headers, padding) to the tar's alone. The same
/// answers as `work::<Hasher>(rx, true)`.
pub fn work_sha(rx: Receiver<Batch>) -> Digested<Sha256> {
    let Some(kernel) = sha2way::Kernel::detect() else {
        return work::<Hasher>(rx, true);
    };
    let mut tar = Sha::new(kernel);
    let mut total = 0u64;
    let mut jobs_in_order = InOrder::<Sha>::new();
    let mut files = Vec::new();
    for Batch { jobs, start, chunk } in rx {
        jobs_in_order.pending.extend(jobs);
        total += chunk.len() as u64;
        let end = start + chunk.len() as u64;
        let at = |o: u64| (o - start) as usize;
        // Stream offset up to which the tar's digest has been fed.
        let mut fed = start;
        jobs_in_order.each_range(
            (start, end),
            |_| Sha::new(kernel),
            |file, a, b| {
                if fed < a {
                    tar.update(&chunk[at(fed)..at(a)]);
                    fed = a;
                }
                // Ranges never overlap in a tar; if they did, the part the
                // tar's digest already had goes to the file alone.
                let both = a.max(fed).min(b);
                file.update(&chunk[at(a)..at(both)]);
                Sha::update2(&mut tar, file, &chunk[at(both)..at(b)]);
                fed = fed.max(b);
            },
            |slot, file| files.push((slot, file.finish())),
        );
        if fed < end {
            tar.update(&chunk[at(fed)..]);
        }
    }
    Digested {
        files,
        whole: Some((tar.finish(), total)),
    }
}

/// The package worker: MD5-only files up to [`lanes::LANE_MAX`] side by
/// side in [`lanes::Lanes`] where the CPU has the eight-lane kernel; the
/// rest (large files, SHA-1) one after another, as [`work`] does.
pub fn work_pkg(rx: Receiver<Batch>) -> Digested<<Pair as RangeDigest>::Out> {
    let Some(kernel) = Kernel::detect() else {
        return work::<Pair>(rx, false);
    };
    let mut lanes = Lanes::new(kernel);
    let mut jobs_in_order = InOrder::<Pair>::new();
    let (mut files, mut md5s) = (Vec::new(), Vec::new());
    for Batch { jobs, start, chunk } in rx {
        for job in jobs {
            if Lanes::takes(&job) {
                lanes.push(job);
            } else {
                jobs_in_order.pending.push_back(job);
            }
        }
        jobs_in_order.feed(start, &chunk, &mut files);
        lanes.feed(start, &chunk, &mut md5s);
    }
    let _ = lanes.finish(&mut md5s);
    let md5_only = PkgDigests {
        md5: true,
        sha1: false,
    };
    files.extend(
        md5s.into_iter()
            .map(|(slot, md5)| (slot, (md5, [0; 20], md5_only))),
    );
    Digested { files, whole: None }
}

#[cfg(test)]
mod tests;
