//! A reader that sits between the layer stream and the `tar` crate and
//! follows the tar structure itself, so that members the crate buffers whole
//! (GNU long names `L`/`K`, PAX headers `x`) cannot be made large enough to
//! exhaust memory: a 60 GB "long name" compresses to 60 MB of gzip.
//!
//! It mirrors the crate's framing (PAX `size` overrides, GNU sparse
//! extension blocks) and only ever refuses; once it cannot follow the stream
//! (bad checksum, end of archive) it steps aside and the crate judges.

use std::io::{self, Read};

const BLOCK: usize = 512;

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
    /// GNU sparse extension blocks, then `data` bytes (with padding).
    SparseExt {
        data: u64,
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
}

fn padded(n: u64) -> u64 {
    n.div_ceil(BLOCK as u64) * BLOCK as u64
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
        }
    }

    /// The wrapped reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn feed(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match &mut self.state {
                State::Off => return Ok(()),
                State::Header | State::SparseExt { .. } => {
                    let k = (BLOCK - self.block.len()).min(data.len());
                    self.block.extend_from_slice(&data[..k]);
                    data = &data[k..];
                    if self.block.len() == BLOCK {
                        self.state = match self.state {
                            State::SparseExt { data } => {
                                if self.block[504] != 0 {
                                    State::SparseExt { data }
                                } else {
                                    skip(padded(data))
                                }
                            }
                            _ => self.header()?,
                        };
                        self.block.clear();
                    }
                }
                State::Skip(n) => {
                    let k = (*n).min(data.len() as u64);
                    *n -= k;
                    data = &data[k as usize..];
                    if *n == 0 {
                        self.state = State::Header;
                    }
                }
                State::Ext {
                    kind,
                    remaining,
                    pad,
                } => {
                    let k = (*remaining).min(data.len() as u64);
                    if *kind == b'x' {
                        self.pax.extend_from_slice(&data[..k as usize]);
                    }
                    *remaining -= k;
                    data = &data[k as usize..];
                    if *remaining == 0 {
                        let (kind, pad) = (*kind, *pad);
                        if kind == b'x' {
                            self.pending_pax_size = pax_size(&self.pax);
                        }
                        self.state = skip(pad);
                    }
                }
            }
        }
        Ok(())
    }

    /// Judge a complete header block; return the next state.
    fn header(&mut self) -> io::Result<State> {
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
                let sparse_ext = kind == b'S' && h.as_gnu().is_some_and(|g| g.isextended[0] != 0);
                Ok(if sparse_ext {
                    State::SparseExt { data }
                } else {
                    skip(padded(data))
                })
            }
        }
    }
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
        let n = self.inner.read(buf)?;
        self.feed(&buf[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
