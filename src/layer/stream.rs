//! The streaming pass over one layer blob, on five threads (six with the
//! blob's hash) so that hashing and inspection overlap decompression and
//! the inflating thread only adds the tar headers to it:
//!
//! ```text
//! blob ─► [inflate, walk: tar headers, seek past file data]
//!                  │ (chunks and file ranges)
//!                  ├─► [sha256 of the tar (diff_id) and of every file]
//!                  ├─► [MD5 + SHA-1 of the files that need them]
//!                  └─► [inspection ×2: each file's kind, binaries and scripts]
//! ```
//!
//! Chunks are shared (`Arc`) through bounded channels, so memory stays flat
//! whatever the layer size ([`super::ranged`] says how the digests follow
//! the walk). Every stream is drained to EOF before digests are judged; a
//! digest mismatch outranks a tar error (it explains it).

use std::io::{self, BufRead, Read};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::finding::{Code, Finding};
use crate::limits::{Limit, Limits};

use super::decompress::{self, Compression, Sniffed};
use super::kind::record_content;
use super::pkgfile::{Pair, PkgData};
use super::ranged::{self, Batch, Chunks, InspectJob, Inspected, Outlets, Tap, TapReader};
use super::readahead::ReadAhead;
use super::trailer;
use super::walk::{WalkContext, WalkError, content_error, walk_tar_tapped};
use super::{Entry, EntryType, LayerIndex};
use crate::path::ImagePath;

/// 512 KiB chunks. Every chunk is a message to each worker that needs it,
/// and a worker whose queue ran dry sleeps until the next one: with
/// 64 KiB chunks a cold minbase scan made ~4,900 context switches and
/// spent ~10% of its CPU in the kernel (futex wake-ups, rescheduling
/// interrupts). Alternated on minbase with the bytes queued unchanged
/// (`benches/variants.sh`, medians of 15, session 12): 64 KiB 0.94 s CPU
/// and 1.16x the limit, 128 KiB 0.92 s, 256 KiB 0.92 s, 512 KiB 0.88 s
/// and 1.11x; `perf stat`, medians of 15: 933, 887 (256 KiB) and 876 ms.
/// (Commit 32cd244 had measured 64 KiB faster than 256 KiB, under heavy
/// load and before the workers' batching and the buffer pool.)
pub(super) const CHUNK: usize = 512 * 1024;
/// Chunks queued for each worker (4 MiB): how far the inflating thread
/// may run ahead of the slowest one. Inspection comes in bursts (a run of
/// binaries, the first script while its automata are built), the digest
/// workers do not; while one worker is behind, the others and the
/// inflater keep going. Paired on minbase (README "Performance"): 1 MiB
/// queues 1.48x the limit, 4 MiB 1.41x; 8 MiB gained ~1% for 6 MiB more
/// memory. The chunks are shared, so the memory is the longest lag, not
/// the sum.
const WORKER_DEPTH: usize = 8;
/// Chunks queued for each inspection worker (16 MiB). Each file goes to
/// one inspector, so while one works through a run of big binaries the
/// other has the files after them, but only as far ahead as the busy
/// one's queue lets the inflater run: with 4 MiB the two moved in near
/// lockstep and the inflater waited on the busy one while the other core
/// idled. Alternated on minbase (`benches/variants.sh`, medians of 21):
/// 1.39x the limit with 4 MiB, 1.28x with 16 MiB, 1.29x with 32 MiB;
/// 12 MiB more peak memory (46 -> 58 MiB).
const INSPECTOR_DEPTH: usize = 32;
/// Workers run at this much lower priority than the inflating thread, the
/// one chain that cannot be split: the scheduler then gives it a core
/// whenever it can run, instead of a fair share among six threads that
/// let it fall behind and finish alone (paired on minbase: 1.41x → 1.36x).
const WORKER_NICE: i32 = 5;

/// Lower this thread's priority by [`WORKER_NICE`] (Linux: `nice` is per
/// thread; elsewhere nothing). Lowering is always allowed; failure changes
/// only the speed.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this thread's own id.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        *libc::__errno_location() = 0;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if *libc::__errno_location() == 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid, now.saturating_add(WORKER_NICE));
        }
    }
}

/// What is known about a layer before reading it.
pub struct LayerInput<'a> {
    /// 0-based layer index.
    pub index: usize,
    /// Blob digest and size from the manifest (docker-archive layers may have neither).
    pub digest: Option<Sha256>,
    pub size: Option<u64>,
    /// Media type from the manifest, if any.
    pub media_type: Option<String>,
    /// `rootfs.diff_ids[index]` from the config.
    pub diff_id: Option<Sha256>,
    /// Limits, and the image-wide decompressed byte budget shared by all layers.
    pub limits: &'a Limits,
    pub image_bytes: &'a AtomicU64,
    /// Tar entries of all layers so far, for `max_image_entries`.
    pub image_entries: &'a AtomicU64,
}

impl LayerInput<'_> {
    fn location(&self) -> String {
        match &self.digest {
            Some(d) => format!("layer {} ({d})", self.index),
            None => format!("layer {}", self.index),
        }
    }
    fn digest_label(&self) -> String {
        self.digest
            .map(|d| d.to_string())
            .unwrap_or_else(|| "no digest".into())
    }
}

/// Result of the inflate thread.
struct Inflated {
    blob: (Sha256, u64),
    compression: Option<Compression>,
    uncompressed: u64,
    /// Decompression failure, or the walker hung up early.
    failure: Option<String>,
    limit: Option<Error>,
}

/// The walk's outcome: the filled index, or why it stopped.
type Walked = std::result::Result<LayerIndex, WalkError>;

/// Scan one layer blob in a single streaming pass.
pub fn scan_layer(blob: Box<dyn Read + Send + '_>, input: &LayerInput<'_>) -> Result<LayerIndex> {
    let (inflated, diff, walked) = run_pass(blob, input);
    if let Some(limit) = inflated.limit {
        return Err(limit);
    }
    if let Err(WalkError::Limit(e)) = walked {
        return Err(e);
    }
    check_blob(input, &inflated)?;
    let layer_err = |reason: String| Error::Layer {
        index: input.index,
        digest: input.digest_label(),
        reason,
    };
    if let Some(failure) = inflated.failure {
        return Err(layer_err(failure));
    }
    let mut index = walked.map_err(|e| match e {
        WalkError::Format(m) => layer_err(m),
        WalkError::Limit(e) => e,
    })?;
    if let Some(expected) = input.diff_id
        && expected != diff.0
    {
        return Err(Error::DiffIdMismatch {
            index: input.index,
            digest: input.digest_label(),
            expected: expected.to_string(),
            actual: diff.0.to_string(),
        });
    }
    debug_assert_eq!(diff.1, inflated.uncompressed);

    index.compression = inflated.compression;
    index.blob_digest = Some(inflated.blob.0);
    index.blob_size = inflated.blob.1;
    index.diff_id = Some(diff.0);
    index.uncompressed_size = diff.1;
    if let (Some(mt), Some(found)) = (&input.media_type, inflated.compression)
        && let Some(claim) = decompress::claimed(mt)
        && claim != found
    {
        index
            .findings
            .push(Finding::new(Code::MislabeledCompression).because(format!(
                "media type {mt} says {}, the bytes are {}",
                claim.as_str(),
                found.as_str()
            )));
    }
    Ok(index)
}

/// The threads: the two digest workers and the inspection workers beside
/// this one, which inflates and walks.
fn run_pass(
    blob: Box<dyn Read + Send + '_>,
    input: &LayerInput<'_>,
) -> (Inflated, (Sha256, u64), Walked) {
    let (tx_sha, rx_sha) = sync_channel::<Batch>(WORKER_DEPTH);
    let (tx_pkg, rx_pkg) = sync_channel::<Batch>(WORKER_DEPTH);
    let (tx_insp, rx_insp): (Vec<_>, Vec<_>) = (0..ranged::INSPECTORS)
        .map(|_| sync_channel::<Batch<InspectJob>>(INSPECTOR_DEPTH))
        .unzip();
    let tx_insp: [_; ranged::INSPECTORS] = tx_insp.try_into().expect("one per inspector");
    let rx_insp: [_; ranged::INSPECTORS] = rx_insp.try_into().expect("one per inspector");
    let ctx = WalkContext {
        location: input.location(),
        limits: input.limits,
        image_bytes: input.image_bytes,
        image_entries: input.image_entries,
    };
    std::thread::scope(|s| {
        let sha = s.spawn(move || {
            lower_priority();
            ranged::work_sha(rx_sha)
        });
        let pkg = s.spawn(move || {
            lower_priority();
            ranged::work_pkg(rx_pkg)
        });
        let insp = rx_insp.map(|rx| {
            s.spawn(move || {
                lower_priority();
                ranged::work_inspect(rx, input.limits)
            })
        });
        let tap = Rc::new(Tap::default());
        let out = Outlets {
            sha: tx_sha,
            pkg: tx_pkg,
            insp: tx_insp,
        };
        // The reader (and with it the workers' senders) ends inside `walk`,
        // or, when there is no stream to walk, with the closure.
        let (inflated, walked) = inflate_and_walk(blob, input, |chunks| {
            walk(TapReader::new(chunks, tap.clone(), out), &ctx, &tap)
        });
        let sha = sha.join().expect("sha256 worker panicked");
        let pkg = pkg.join().expect("package digest worker panicked");
        let insp: Vec<_> = (insp.into_iter())
            .flat_map(|w| w.join().expect("inspection worker panicked"))
            .collect();
        let diff = sha.whole.unwrap_or((Sha256([0; 32]), 0));
        let walked = walked.and_then(|index| {
            let index = fill_inspected(index, &tap, insp, &ctx)?;
            fill_digests(index, &tap, sha.files, pkg.files)
        });
        (inflated, diff, walked)
    })
}

/// Record what the inspection workers learned of each file, in the order
/// the walk met them (as an inline read would have); every queued file
/// must have its answer.
fn fill_inspected(
    mut index: LayerIndex,
    tap: &Tap,
    mut inspected: Vec<(usize, Inspected)>,
    ctx: &WalkContext<'_>,
) -> Walked {
    if inspected.len() != tap.queued().0 {
        return Err(incomplete());
    }
    // The workers shared the files out; the package database budget goes
    // by the order of the layer.
    inspected.sort_unstable_by_key(|(slot, _)| *slot);
    for (slot, read) in inspected {
        let e = index.entries.get_mut(slot).ok_or_else(incomplete)?;
        let read = read.map_err(|err| content_error(err, &e.path, ctx))?;
        // Out of the index for a moment: recording also budgets the index.
        let placeholder = Entry::new(ImagePath::default(), EntryType::File, 0, 0, 0);
        let mut e = std::mem::replace(e, placeholder);
        record_content(read, &mut e, &mut index, ctx.limits);
        index.entries[slot] = e;
    }
    Ok(index)
}

fn incomplete() -> WalkError {
    WalkError::Format("tar: the stream ended inside a file".into())
}

/// Put the workers' digests on their entries (and each hardlink to a
/// pending file gets its target's content); every queued file must have
/// its answer.
fn fill_digests(
    mut index: LayerIndex,
    tap: &Tap,
    sha: Vec<(usize, Sha256)>,
    pkg: Vec<(usize, <Pair as ranged::RangeDigest>::Out)>,
) -> Walked {
    if (sha.len(), pkg.len()) != tap.queued() {
        return Err(incomplete());
    }
    for (slot, d) in sha {
        index.entries.get_mut(slot).ok_or_else(incomplete)?.sha256 = Some(d);
    }
    for (slot, (md5, sha1, which)) in pkg {
        let e = index.entries.get_mut(slot).ok_or_else(incomplete)?;
        let p = e.pkg.get_or_insert_with(|| Arc::new(PkgData::unhashed()));
        let p = Arc::make_mut(p);
        (p.md5, p.sha1, p.unhashed) = (md5, sha1, false);
        (p.no_md5, p.no_sha1) = (!which.md5, !which.sha1);
    }
    for (link, target) in tap.take_links() {
        let t = index.entries.get(target).ok_or_else(incomplete)?;
        let (sha256, size, content) = (t.sha256, t.size, t.content);
        let (facts, pkg) = (t.facts.clone(), t.pkg.clone());
        let e = index.entries.get_mut(link).ok_or_else(incomplete)?;
        (e.sha256, e.size, e.content) = (sha256, size, content);
        (e.facts, e.pkg) = (facts, pkg);
    }
    Ok(index)
}

/// Walk the tar, then look past its end; a malformed tar is still read to
/// its end (the digests are judged first), a limit hangs up at once.
fn walk<S: Chunks>(reader: TapReader<S>, ctx: &WalkContext<'_>, tap: &Tap) -> Walked {
    let mut index = LayerIndex::default();
    match walk_tar_tapped(reader, ctx, &mut index, tap) {
        Ok(mut rest) => trailer::scan_after_end(&mut rest)
            .map(|after| {
                index.findings.extend(after.finding());
                index
            })
            .map_err(|e| WalkError::Format(e.to_string())),
        Err((mut rest, WalkError::Format(msg))) => {
            let _ = drain(&mut rest); // still verify the digests below
            Err(WalkError::Format(msg))
        }
        Err((rest, limit)) => {
            drop(rest); // stop inflating
            Err(limit)
        }
    }
}

/// Judge the blob as read: its length, its source, its digest and size.
fn check_blob(input: &LayerInput<'_>, inflated: &Inflated) -> Result<()> {
    let what = format!("{} blob", input.location());
    // Say what is wrong before comparing digests of a partial read: a blob
    // longer than declared, or one whose source failed (a directory, a
    // vanished file, a stalled registry), has no meaningful digest.
    if let Some(expected) = input.size
        && inflated.blob.1 > expected
    {
        return Err(Error::Layer {
            index: input.index,
            digest: input.digest_label(),
            reason: format!(
                "the blob is longer than the {expected} bytes its descriptor says (reading stopped there)"
            ),
        });
    }
    if let Some(failure) = &inflated.failure
        && (inflated.blob.1 == 0 || failure.starts_with("reading blob:"))
    {
        return Err(Error::Layer {
            index: input.index,
            digest: input.digest_label(),
            reason: failure.clone(),
        });
    }
    if let Some(expected) = input.digest
        && expected != inflated.blob.0
    {
        return Err(Error::DigestMismatch {
            what,
            expected: expected.to_string(),
            actual: inflated.blob.0.to_string(),
        });
    }
    if let Some(expected) = input.size
        && expected != inflated.blob.1
    {
        return Err(Error::SizeMismatch {
            what,
            expected,
            actual: inflated.blob.1,
        });
    }
    Ok(())
}

/// Read the blob (ahead, on a thread of its own that also hashes it:
/// [`ReadAhead`]), and decompress it
/// as `walk` pulls chunks (on this thread: no hand-over, and the tar
/// headers are parsed while their bytes are still in this core's cache);
/// then read the blob to its end and judge it. Without a stream to walk
/// (unreadable, unsupported), `walk` is never called.
fn inflate_and_walk(
    blob: Box<dyn Read + Send + '_>,
    input: &LayerInput<'_>,
    walk: impl FnOnce(Inflating<'_, '_>) -> Walked,
) -> (Inflated, Walked) {
    // Never read more than one byte past the declared size: enough to know it lies.
    let cap = input.size.map(|s| s.saturating_add(1)).unwrap_or(u64::MAX);
    std::thread::scope(|s| {
        let mut raw = ReadAhead::spawn(s, blob, cap);
        let mut out = Inflated {
            blob: (Sha256([0; 32]), 0),
            compression: None,
            uncompressed: 0,
            failure: None,
            limit: None,
        };
        let nothing = || Ok(LayerIndex::default());
        // The magic bytes only (the buffer is a whole read-ahead block).
        let head = match raw.fill_buf() {
            Ok(h) => h[..h.len().min(16)].to_vec(),
            Err(e) => {
                out.failure = Some(format!("reading blob: {e}"));
                out.blob = raw.finish(true);
                return (out, nothing());
            }
        };
        let compression = match decompress::sniff(&head) {
            Sniffed::Known(c) => c,
            Sniffed::Unsupported(name) => {
                out.failure = Some(format!(
                    "{name} compression is not supported (gzip, zstd, or plain tar)"
                ));
                out.blob = raw.finish(true);
                return (out, nothing());
            }
        };
        out.compression = Some(compression);
        let walked = match decompress::decoder_for(&mut raw, compression, input.digest.is_some()) {
            Ok(mut d) => walk(Inflating {
                decoder: &mut d,
                compression,
                input,
                out: &mut out,
                pool: Pool::default(),
                done: false,
            }),
            Err(e) => {
                out.failure = Some(format!("{} decoder: {e}", compression.as_str()));
                nothing()
            }
        };
        // Bytes after the compressed stream still belong to the blob and
        // its digest; past a limit, nothing more is read.
        out.blob = raw.finish(out.limit.is_none());
        (out, walked)
    })
}

/// The decoder as the walk's chunk source: each pull inflates the next
/// chunk, within the limits; a decode error ends the stream (it is
/// recorded in `out`).
struct Inflating<'a, 'i> {
    decoder: &'a mut dyn Read,
    compression: Compression,
    input: &'a LayerInput<'i>,
    out: &'a mut Inflated,
    pool: Pool,
    done: bool,
}

impl Chunks for Inflating<'_, '_> {
    fn next_chunk(&mut self) -> Option<Arc<Vec<u8>>> {
        while !self.done {
            let chunk = self.pool.take();
            let (chunk, eof) = read_chunk(self.decoder, self.compression, self.out, chunk);
            self.done = eof;
            let filled = chunk.len() as u64;
            self.out.uncompressed += filled;
            if let Some(e) = over_budget(self.input, self.out.uncompressed, filled) {
                self.out.limit = Some(e);
                self.done = true;
                return None;
            }
            if filled > 0 {
                let chunk = Arc::new(chunk);
                self.pool.keep(&chunk);
                return Some(chunk);
            }
        }
        None
    }
}

/// Chunk buffers used again once the walk and both digest workers have let
/// go of them: no allocation and no zeroing per chunk (the pass hands on
/// ~400 of them for a 200 MB layer). Keeps at most what can be held at
/// once: the channels share their chunks, so the deepest queue, plus the
/// package worker's window of lagging lanes (8 MiB, twice as many chunks
/// as [`WORKER_DEPTH`]), a digest queue and the few in hand.
#[derive(Default)]
struct Pool(Vec<Arc<Vec<u8>>>);

const POOLED: usize = INSPECTOR_DEPTH + 3 * WORKER_DEPTH + 5;

impl Pool {
    /// A buffer of `CHUNK` bytes that nobody else holds.
    fn take(&mut self) -> Vec<u8> {
        while let Some(i) = self.0.iter().position(|b| Arc::strong_count(b) == 1) {
            if let Ok(mut buf) = Arc::try_unwrap(self.0.swap_remove(i)) {
                buf.resize(CHUNK, 0); // only a short last chunk has a tail to fill
                return buf;
            }
        }
        vec![0u8; CHUNK]
    }

    /// Keep a handle on `chunk`, handed on now, to use it again later.
    fn keep(&mut self, chunk: &Arc<Vec<u8>>) {
        if self.0.len() < POOLED {
            self.0.push(chunk.clone());
        }
    }
}

/// Fill `chunk` (`CHUNK` bytes long); true at the end of the stream (or at
/// a decode error, recorded in `out`).
fn read_chunk(
    decoder: &mut dyn Read,
    c: Compression,
    out: &mut Inflated,
    mut chunk: Vec<u8>,
) -> (Vec<u8>, bool) {
    let mut filled = 0;
    let mut eof = false;
    while filled < CHUNK {
        match decoder.read(&mut chunk[filled..]) {
            Ok(0) => {
                eof = true;
                break;
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                out.failure = Some(describe_decode_error(c, &e));
                eof = true;
                break;
            }
        }
    }
    chunk.truncate(filled);
    (chunk, eof)
}

/// The layer and image decompressed-size limits, after `filled` more bytes.
fn over_budget(input: &LayerInput<'_>, layer_total: u64, filled: u64) -> Option<Error> {
    let limits = input.limits;
    if layer_total > limits.max_layer_bytes {
        return Some(Error::limit(
            Limit::LayerSize,
            input.location(),
            limits.max_layer_bytes,
        ));
    }
    let total = input.image_bytes.fetch_add(filled, Ordering::Relaxed) + filled;
    (total > limits.max_image_bytes)
        .then(|| Error::limit(Limit::ImageSize, input.location(), limits.max_image_bytes))
}

fn describe_decode_error(c: Compression, e: &io::Error) -> String {
    match (c, e.kind()) {
        (Compression::None, _) | (_, io::ErrorKind::TimedOut) => format!("reading blob: {e}"),
        (_, io::ErrorKind::UnexpectedEof) => format!("{} stream is truncated", c.as_str()),
        _ => format!("{} stream is corrupt: {e}", c.as_str()),
    }
}

fn drain<R: Read>(r: &mut R) -> io::Result<u64> {
    io::copy(r, &mut io::sink())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// This thread's nice value, as the kernel reports it (field 19 of
    /// `/proc/thread-self/stat`, after the command name's parenthesis).
    fn nice() -> i32 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        after.split(' ').nth(16).unwrap().parse().unwrap()
    }

    /// A worker thread ends up `WORKER_NICE` below the thread that made
    /// it, which keeps its own priority.
    #[test]
    fn workers_run_below_the_inflating_thread() {
        let before = nice();
        if before + WORKER_NICE > 19 {
            // A test run at nice 15 or more (a niced mutation job) cannot
            // see the worker go lower: it can only check it did not rise.
            eprintln!("note: run at nice {before}: the worker's drop is not visible");
        }
        let worker = std::thread::spawn(|| {
            lower_priority();
            nice()
        })
        .join()
        .unwrap();
        assert_eq!(worker, (before + WORKER_NICE).min(19));
        assert_eq!(nice(), before);
    }
}
