//! What follows a layer tar's end-of-archive marker. Runtimes stop at the
//! first zero block; `tar -i` and some extractors read on and write any
//! entries found after it. This reader drains the rest of the stream (it
//! belongs to the diff_id) and notes every valid tar header in it, following
//! their sizes, in bounded memory. Bytes that are not headers (zero padding,
//! junk) are passed over silently.

use std::io::{self, Read};

use crate::finding::{Code, Finding};
use crate::path::escape_bytes;

const BLOCK: usize = 512;
/// Entry names quoted in the finding.
const SHOWN: usize = 5;

/// Entries found after the end-of-archive marker.
#[derive(Debug, Default)]
pub struct AfterEnd {
    /// Entries (extension headers `x`, `g`, `L`, `K` not counted).
    pub entries: u64,
    /// The first few entry names, escaped.
    pub names: Vec<String>,
}

impl AfterEnd {
    /// The finding, if any entry was found.
    pub fn finding(&self) -> Option<Finding> {
        (self.entries > 0).then(|| {
            Finding::new(Code::EntriesAfterEnd).because(format!(
                "{} tar entr{} after the end-of-archive marker (extracted by `tar -i`, \
                 ignored by runtimes): {}{}",
                self.entries,
                if self.entries == 1 { "y" } else { "ies" },
                self.names.join(", "),
                if self.entries as usize > self.names.len() {
                    ", …"
                } else {
                    ""
                }
            ))
        })
    }
}

/// A checksum-valid tar header block.
fn is_header(b: &[u8; BLOCK]) -> bool {
    if b.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: u32 = b[..148]
        .iter()
        .chain(&b[156..])
        .map(|&x| x as u32)
        .sum::<u32>()
        + 8 * 32;
    tar::Header::from_byte_slice(b).cksum().ok() == Some(sum)
}

/// Read `r` to EOF, recording the tar entries in it.
pub fn scan_after_end<R: Read>(r: &mut R) -> io::Result<AfterEnd> {
    let mut out = AfterEnd::default();
    let mut block = [0u8; BLOCK];
    let mut sink = vec![0u8; 64 * 1024];
    loop {
        if !fill(r, &mut block)? {
            return Ok(out);
        }
        if !is_header(&block) {
            continue;
        }
        let h = tar::Header::from_byte_slice(&block);
        let kind = block[156];
        if !matches!(kind, b'x' | b'g' | b'L' | b'K') {
            out.entries += 1;
            if out.names.len() < SHOWN {
                out.names
                    .push(format!("{:?}", escape_bytes(&h.path_bytes())));
            }
        }
        // Skip the entry's data (a GNU sparse header's size is what is stored).
        let size = h.entry_size().unwrap_or(0);
        let mut left = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        while left > 0 {
            let want = left.min(sink.len() as u64) as usize;
            let n = match r.read(&mut sink[..want]) {
                Ok(0) => return Ok(out),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            left -= n as u64;
        }
    }
}

/// Fill one block; false at EOF (a partial last block is dropped).
fn fill<R: Read>(r: &mut R, block: &mut [u8; BLOCK]) -> io::Result<bool> {
    let mut got = 0;
    while got < BLOCK {
        match r.read(&mut block[got..]) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}
