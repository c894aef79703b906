//! A reader that sits between the layer stream and the `tar` crate and
//! follows the tar structure itself, so that members the crate buffers whole
//! (GNU long names `L`/`K`, PAX headers `x`) cannot be made large enough to
//! exhaust memory: a 60 GB "long name" compresses to 60 MB of gzip.
//!
//! It mirrors the crate's framing (PAX `size` overrides) and only ever
//! refuses — with one exception: a GNU sparse entry (type `S`) is handed to
//! the crate as a regular file of its stored bytes, its extension blocks
//! consumed here and its map parsed in linear time into [`SparseSlot`] for
//! the walk to expand (the crate keeps the map in a list it shifts once per
//! segment: quadratic). Once the guard cannot follow the stream (bad
//! checksum, end of archive) it steps aside and the crate judges.
//!
//! Over a reader that can pass bytes without copying them
//! ([`SkipForward`]), the guard is also seekable forward, so the crate
//! skips the data of entries nobody reads at no cost.

use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

use super::sparse::{self, SparseMap};

const BLOCK: usize = 512;

/// The map of the GNU sparse entry the crate is about to hand out.
pub type SparseSlot = Rc<RefCell<Option<SparseMap>>>;

/// Largest PAX extended header accepted (real ones hold a path, times, a few xattrs).
pub const MAX_PAX_BYTES: u64 = 1 << 20;

enum State {
    Header,
    /// Data and padding to pass through.
    Skip(u64),
    /// Body of an `L`, `K` or `x` member, then its padding.
    Ext {
        kind: u8,
        remaining: u64,
        pad: u64,
    },
    /// Not following any more.
    Off,
}

/// Tar-structure guard around a reader.
pub struct TarGuard<R> {
    inner: R,
    state: State,
    block: Vec<u8>,
    pax: Vec<u8>,
    pending_pax_size: Option<u64>,
    max_name: u64,
    /// A header block (possibly rewritten) still to hand out, and how much of it was.
    out: Vec<u8>,
    out_pos: usize,
    sparse: SparseSlot,
    max_segments: u64,
    /// Bytes handed to the crate (read or skipped): its stream position.
    handed: u64,
}

/// A reader that can pass over bytes without handing them out.
pub trait SkipForward {
    /// Pass over up to `n` bytes; how many, 0 at the end of the stream.
    fn skip_forward(&mut self, n: u64) -> u64;
}

/// `n` rounded up to whole blocks; a size no stream can have (a header
/// may claim up to 2^64 - 1 bytes) stays as large as it can be, so that
/// reading it fails at the end of the stream instead of overflowing.
fn padded(n: u64) -> u64 {
    n.div_ceil(BLOCK as u64).saturating_mul(BLOCK as u64)
}

impl<R: Read> TarGuard<R> {
    /// Guard `inner`; long names over `max_name` bytes are refused.
    pub fn new(inner: R, max_name: u64) -> Self {
        TarGuard {
            inner,
            state: State::Header,
            block: Vec::with_capacity(BLOCK),
            pax: Vec::new(),
            pending_pax_size: None,
            max_name,
            out: Vec::with_capacity(BLOCK),
            out_pos: 0,
            sparse: SparseSlot::default(),
            max_segments: u64::MAX,
            handed: 0,
        }
    }

    /// Bound GNU sparse maps to `max` segments and publish each map in the
    /// returned slot when its entry's header is handed out.
    pub fn with_sparse(mut self, max: u64) -> (Self, SparseSlot) {
        self.max_segments = max;
        let slot = self.sparse.clone();
        (self, slot)
    }

    /// The wrapped reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Judge a complete header block; return the next state.
    fn header(&mut self) -> io::Result<State> {
        *self.sparse.borrow_mut() = None;
        let b = &self.block;
        if b.iter().all(|&x| x == 0) {
            return Ok(State::Off); // end of archive: the crate stops here
        }
        let sum: u32 = b[..148]
            .iter()
            .chain(&b[156..])
            .map(|&x| x as u32)
            .sum::<u32>()
            + 8 * 32;
        let h = tar::Header::from_byte_slice(b);
        if h.cksum().ok() != Some(sum) {
            return Ok(State::Off);
        }
        let Ok(size) = h.entry_size() else {
            return Ok(State::Off);
        };
        let kind = b[156];
        let recognized = h.as_gnu().is_some() || h.as_ustar().is_some();
        let pad = padded(size) - size;
        match kind {
            b'L' | b'K' if recognized => {
                if size > self.max_name {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "GNU long {} of {size} bytes is over the limit of {} (--max-path-bytes)",
                            if kind == b'L' { "name" } else { "link name" },
                            self.max_name
                        ),
                    ));
                }
                Ok(ext(kind, size, pad))
            }
            b'x' if recognized => {
                if size > MAX_PAX_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "PAX extended header of {size} bytes is over the limit of {MAX_PAX_BYTES}"
                        ),
                    ));
                }
                self.pax.clear();
                Ok(ext(kind, size, pad))
            }
            _ => {
                let is_ext = matches!(kind, b'L' | b'K' | b'x' | b'g');
                let pending = self.pending_pax_size.take();
                let data = if is_ext {
                    size
                } else {
                    pending.unwrap_or(size)
                };
                if kind == b'S' && h.as_gnu().is_some() {
                    self.gnu_sparse()?;
                }
                Ok(skip(padded(data)))
            }
        }
    }
}

impl<R: Read> TarGuard<R> {
    /// A GNU sparse header is in `block`: read its map (header and extension
    /// blocks), publish it, and rewrite the header as a regular file.
    fn gnu_sparse(&mut self) -> io::Result<()> {
        let b = &mut self.block;
        let mut map = SparseMap {
            segments: Vec::new(),
            real_size: sparse::numeric(&b[483..495])?,
        };
        sparse::gnu_pairs(&mut map, &b[386..482], self.max_segments)?;
        let mut extended = b[482] != 0;
        let mut ext = [0u8; BLOCK];
        while extended {
            self.inner
                .read_exact(&mut ext)
                .map_err(|_| invalid("GNU sparse extension block is truncated"))?;
            sparse::gnu_pairs(&mut map, &ext[..504], self.max_segments)?;
            extended = ext[504] != 0;
        }
        let b = &mut self.block;
        b[156] = b'0';
        b[386..495].fill(0);
        b[148..156].fill(b' ');
        let sum: u32 = b.iter().map(|&x| x as u32).sum();
        b[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        *self.sparse.borrow_mut() = Some(map);
        Ok(())
    }
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

fn skip(n: u64) -> State {
    if n == 0 {
        State::Header
    } else {
        State::Skip(n)
    }
}

fn ext(kind: u8, size: u64, pad: u64) -> State {
    if size == 0 {
        skip(pad)
    } else {
        State::Ext {
            kind,
            remaining: size,
            pad,
        }
    }
}

/// The `size` record of a PAX header, parsed as the `tar` crate does.
fn pax_size(body: &[u8]) -> Option<u64> {
    for ext in tar::PaxExtensions::new(body) {
        let ext = ext.ok()?;
        if ext.key() == Ok("size") {
            return ext.value().ok()?.parse().ok();
        }
    }
    None
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_guarded(buf)?;
        self.handed += n as u64;
        Ok(n)
    }
}

/// Forward only, relative only: what the crate asks to skip an entry's
/// data. Data is passed over in the inner reader; anything the guard must
/// see (a header, should the crate's framing ever differ) is read.
impl<R: Read + SkipForward> Seek for TarGuard<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let SeekFrom::Current(n) = pos else {
            return Err(io::Error::other("tar: only relative seeks are supported"));
        };
        let mut left = u64::try_from(n).map_err(|_| io::Error::other("tar: seek backwards"))?;
        let mut scratch = [0u8; BLOCK];
        while left > 0 {
            let passed = match &mut self.state {
                State::Skip(k) if self.out_pos >= self.out.len() => {
                    let got = self.inner.skip_forward(left.min(*k));
                    *k -= got;
                    if *k == 0 {
                        self.state = State::Header;
                    }
                    self.handed += got;
                    got
                }
                _ => {
                    let want = left.min(BLOCK as u64) as usize;
                    self.read(&mut scratch[..want])? as u64
                }
            };
            if passed == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "tar: the stream ended inside an entry's data",
                ));
            }
            left -= passed;
        }
        Ok(self.handed)
    }
}

impl<R: Read> TarGuard<R> {
    fn read_guarded(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.out_pos < self.out.len() {
                let n = (self.out.len() - self.out_pos).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            match &mut self.state {
                State::Off => return self.inner.read(buf),
                State::Header => {
                    // A whole header block is judged (and maybe rewritten)
                    // before any of it is handed out.
                    self.block.resize(BLOCK, 0);
                    let mut got = 0;
                    while got < BLOCK {
                        match self.inner.read(&mut self.block[got..]) {
                            Ok(0) => break,
                            Ok(n) => got += n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    }
                    self.block.truncate(got);
                    self.state = if got < BLOCK {
                        State::Off
                    } else {
                        self.header()?
                    };
                    self.out.clear();
                    self.out.extend_from_slice(&self.block);
                    self.out_pos = 0;
                    self.block.clear();
                    if self.out.is_empty() {
                        return Ok(0);
                    }
                }
                State::Skip(n) => {
                    let want = (*n).min(buf.len() as u64) as usize;
                    let got = self.inner.read(&mut buf[..want])?;
                    *n -= got as u64;
                    if *n == 0 {
                        self.state = State::Header;
                    }
                    return Ok(got);
                }
                State::Ext {
                    kind,
                    remaining,
                    pad,
                } => {
                    let want = (*remaining).min(buf.len() as u64) as usize;
                    let got = self.inner.read(&mut buf[..want])?;
                    if *kind == b'x' {
                        self.pax.extend_from_slice(&buf[..got]);
                    }
                    *remaining -= got as u64;
                    if *remaining == 0 {
                        let (kind, pad) = (*kind, *pad);
                        if kind == b'x' {
                            self.pending_pax_size = pax_size(&self.pax);
                        }
                        self.state = skip(pad);
                    }
                    return Ok(got);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
