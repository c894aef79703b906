//! Sparse files, expanded the way an extractor writes them: GNU sparse
//! entries (type `S`, with extension blocks) and the three PAX sparse
//! formats of GNU tar (0.0: repeated `GNU.sparse.offset`/`numbytes` records;
//! 0.1: one `GNU.sparse.map` record; 1.0: the map at the start of the data).
//!
//! The map is read in linear time and held once (bounded by the caller);
//! the file is expanded while it streams — zeros for the holes, stored bytes
//! for the data — so hashing and inspection see the real file. The caller
//! charges the hole bytes to the image-wide decompressed-bytes budget before
//! expanding: a 6 KB tar can describe a file of many terabytes.

use std::io::{self, Read};

/// A sparse file's layout: data segments `(offset, length)` in the expanded
/// file, in order, and the expanded size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SparseMap {
    pub segments: Vec<(u64, u64)>,
    pub real_size: u64,
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl SparseMap {
    /// Bytes of stored data the map describes.
    pub fn data_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.1).sum()
    }

    /// Check the map: segments in order, not overlapping, inside the file.
    pub fn validate(&self) -> io::Result<()> {
        let mut cur = 0u64;
        for &(off, len) in &self.segments {
            if off < cur {
                return Err(bad("sparse map: segments out of order or overlapping"));
            }
            cur = off
                .checked_add(len)
                .ok_or_else(|| bad("sparse map: segment end overflows"))?;
            if cur > self.real_size {
                return Err(bad(format!(
                    "sparse map: segment ends at {cur}, past the file size {}",
                    self.real_size
                )));
            }
        }
        Ok(())
    }

    /// Add a segment, refusing more than `max` of them.
    fn push(&mut self, off: u64, len: u64, max: u64) -> io::Result<()> {
        if self.segments.len() as u64 >= max {
            return Err(bad(format!(
                "sparse map has more than {max} segments (--max-entries)"
            )));
        }
        self.segments.push((off, len));
        Ok(())
    }
}

/// A tar numeric field: octal text, or base-256 when the high bit is set.
pub fn numeric(field: &[u8]) -> io::Result<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut v: u64 = (field[0] & 0x7f) as u64;
        for &b in &field[1..] {
            v = v
                .checked_mul(256)
                .and_then(|v| v.checked_add(b as u64))
                .ok_or_else(|| bad("numeric field overflows"))?;
        }
        return Ok(v);
    }
    let text = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0)
        .collect::<Vec<u8>>();
    if text.is_empty() {
        return Ok(0);
    }
    let s = std::str::from_utf8(&text).map_err(|_| bad("numeric field is not text"))?;
    u64::from_str_radix(s, 8).map_err(|_| bad(format!("numeric field {s:?} is not octal")))
}

/// Add the `(offset, numbytes)` pairs of a GNU sparse area (12+12 bytes each;
/// empty pairs end it).
pub fn gnu_pairs(map: &mut SparseMap, area: &[u8], max: u64) -> io::Result<()> {
    for pair in area.chunks_exact(24) {
        if pair.iter().all(|&b| b == 0) {
            continue;
        }
        let off = numeric(&pair[..12])?;
        let len = numeric(&pair[12..])?;
        map.push(off, len, max)?;
    }
    Ok(())
}

/// The PAX records of one entry that describe a sparse file.
#[derive(Default)]
pub struct PaxSparse {
    pub major: Option<u64>,
    pub minor: Option<u64>,
    pub real_size: Option<u64>,
    pub map: SparseMap,
    pending_offset: Option<u64>,
    pub seen: bool,
    /// The map came in one `GNU.sparse.map` record (format 0.1; 0.0 uses
    /// repeated offset/numbytes records, and neither writes major/minor).
    pub map_record: bool,
}

impl PaxSparse {
    /// Take one PAX record (key, value); `max` bounds the segments.
    pub fn record(&mut self, key: &[u8], value: &[u8], max: u64) -> io::Result<()> {
        let num = |v: &[u8]| -> io::Result<u64> {
            std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| {
                    bad(format!(
                        "PAX {} is not a number",
                        String::from_utf8_lossy(key)
                    ))
                })
        };
        match key {
            b"GNU.sparse.major" => self.major = Some(num(value)?),
            b"GNU.sparse.minor" => self.minor = Some(num(value)?),
            b"GNU.sparse.size" | b"GNU.sparse.realsize" => self.real_size = Some(num(value)?),
            b"GNU.sparse.numblocks" => {}
            b"GNU.sparse.offset" => self.pending_offset = Some(num(value)?),
            b"GNU.sparse.numbytes" => {
                let off = self
                    .pending_offset
                    .take()
                    .ok_or_else(|| bad("PAX GNU.sparse.numbytes without an offset"))?;
                self.map.push(off, num(value)?, max)?;
            }
            b"GNU.sparse.map" => {
                self.map_record = true;
                let mut it = value.split(|&b| b == b',');
                while let Some(off) = it.next() {
                    if off.is_empty() {
                        break;
                    }
                    let len = it
                        .next()
                        .ok_or_else(|| bad("PAX GNU.sparse.map has an odd number of values"))?;
                    self.map.push(num(off)?, num(len)?, max)?;
                }
            }
            b"GNU.sparse.name" => {}
            _ => return Ok(()),
        }
        self.seen = true;
        Ok(())
    }

    /// Format 1.0 keeps the map at the start of the data.
    pub fn map_in_data(&self) -> bool {
        self.major == Some(1)
    }
}

/// Read a format 1.0 map from the start of `r` (decimal numbers, one per
/// line: the count, then offset/length pairs; padded to 512 bytes).
/// Returns the map bytes consumed.
pub fn read_map_1_0<R: Read>(r: &mut R, map: &mut SparseMap, max: u64) -> io::Result<u64> {
    let mut consumed = 0u64;
    let mut next_number = |consumed: &mut u64| -> io::Result<u64> {
        let mut v: u64 = 0;
        let mut digits = 0;
        let mut b = [0u8; 1];
        loop {
            r.read_exact(&mut b)
                .map_err(|_| bad("sparse map (format 1.0) is truncated"))?;
            *consumed += 1;
            match b[0] {
                b'\n' if digits > 0 => return Ok(v),
                d @ b'0'..=b'9' if digits < 20 => {
                    v = v
                        .checked_mul(10)
                        .and_then(|v| v.checked_add((d - b'0') as u64))
                        .ok_or_else(|| bad("sparse map number overflows"))?;
                    digits += 1;
                }
                _ => return Err(bad("sparse map (format 1.0) is malformed")),
            }
        }
    };
    let count = next_number(&mut consumed)?;
    if count > max {
        return Err(bad(format!(
            "sparse map lists {count} segments, over the limit of {max} (--max-entries)"
        )));
    }
    for _ in 0..count {
        let off = next_number(&mut consumed)?;
        let len = next_number(&mut consumed)?;
        map.push(off, len, max)?;
    }
    let pad = consumed.div_ceil(512) * 512 - consumed;
    io::copy(&mut r.take(pad), &mut io::sink())?;
    Ok(consumed + pad)
}

/// The expanded file: zeros for holes, `data`'s bytes for segments.
pub struct SparseReader<R> {
    data: R,
    segments: std::vec::IntoIter<(u64, u64)>,
    real_size: u64,
    /// Position in the expanded file.
    pos: u64,
    /// Current segment (offset, end), if inside or before one.
    cur: Option<(u64, u64)>,
}

impl<R: Read> SparseReader<R> {
    /// Expand `data` per `map` (validated).
    pub fn new(data: R, map: SparseMap) -> Self {
        let mut segments = map.segments.into_iter();
        let cur = segments.next().map(|(o, l)| (o, o + l));
        SparseReader {
            data,
            segments,
            real_size: map.real_size,
            pos: 0,
            cur,
        }
    }

    fn zeros(&mut self, buf: &mut [u8], upto: u64) -> io::Result<usize> {
        let n = (upto - self.pos).min(buf.len() as u64) as usize;
        buf[..n].fill(0);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Read for SparseReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.cur {
                Some((off, _)) if self.pos < off => return self.zeros(buf, off),
                Some((_, end)) if self.pos < end => {
                    let want = (end - self.pos).min(buf.len() as u64) as usize;
                    let n = self.data.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(bad("sparse file data ends before its map does"));
                    }
                    self.pos += n as u64;
                    return Ok(n);
                }
                Some(_) => self.cur = self.segments.next().map(|(o, l)| (o, o + l)),
                None if self.pos < self.real_size => return self.zeros(buf, self.real_size),
                None => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(map: SparseMap, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        SparseReader::new(data, map).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn expands_holes_data_and_trailing_hole() {
        let map = SparseMap {
            segments: vec![(2, 3), (7, 1)],
            real_size: 10,
        };
        map.validate().unwrap();
        assert_eq!(expand(map, b"abcd"), b"\0\0abc\0\0d\0\0");
    }

    #[test]
    fn rejects_bad_maps() {
        let m = |segments: Vec<(u64, u64)>, real_size| SparseMap {
            segments,
            real_size,
        };
        assert!(m(vec![(4, 2), (3, 1)], 10).validate().is_err());
        assert!(m(vec![(8, 4)], 10).validate().is_err());
        assert!(m(vec![(u64::MAX, 2)], 10).validate().is_err());
    }

    #[test]
    fn numeric_fields() {
        assert_eq!(numeric(b"0000644\0").unwrap(), 0o644);
        assert_eq!(numeric(b"  17 \0").unwrap(), 0o17);
        assert_eq!(numeric(&[0x80, 0, 0, 1, 0]).unwrap(), 256);
        assert!(numeric(b"9x").is_err());
    }

    #[test]
    fn map_1_0() {
        let mut raw = b"2\n0\n3\n10\n1\n".to_vec();
        raw.resize(512, 0);
        raw.extend_from_slice(b"xyzw");
        let mut r = &raw[..];
        let mut map = SparseMap {
            real_size: 12,
            ..Default::default()
        };
        assert_eq!(read_map_1_0(&mut r, &mut map, 100).unwrap(), 512);
        assert_eq!(map.segments, vec![(0, 3), (10, 1)]);
        assert_eq!(expand(map, r), b"xyz\0\0\0\0\0\0\0w\0");
        let mut too_many = &b"5\n"[..];
        assert!(read_map_1_0(&mut too_many, &mut SparseMap::default(), 4).is_err());
    }

    #[test]
    fn pax_0_0_and_0_1_records() {
        let mut p = PaxSparse::default();
        for (k, v) in [
            ("GNU.sparse.size", "100"),
            ("GNU.sparse.offset", "10"),
            ("GNU.sparse.numbytes", "5"),
            ("GNU.sparse.offset", "50"),
            ("GNU.sparse.numbytes", "1"),
        ] {
            p.record(k.as_bytes(), v.as_bytes(), 10).unwrap();
        }
        assert_eq!(p.map.segments, vec![(10, 5), (50, 1)]);
        assert_eq!(p.real_size, Some(100));
        let mut p = PaxSparse::default();
        p.record(b"GNU.sparse.map", b"0,4,20,4", 10).unwrap();
        assert_eq!(p.map.segments, vec![(0, 4), (20, 4)]);
        assert!(p.record(b"GNU.sparse.map", b"0,4,20", 10).is_err());
    }
}
