//! Gzip members (RFC 1952) decoded without the CRC-32 of their data, for
//! blobs whose sha256 is checked against the digest that names them: that
//! check already proves every byte, and a crafted blob carries whatever
//! CRC its author computed, so the CRC (about 4% of the inflating thread,
//! the scan's critical path) adds nothing there. Everything else a gzip
//! decoder checks is still checked, with `flate2::bufread::MultiGzDecoder`'s
//! errors: the header (magic, method, reserved flags, FHCRC), each member's
//! length (ISIZE), a truncated member, and anything after a member that is
//! not another member. Blobs without an expected digest keep the CRC
//! (`decompress::decoder`).

use std::io::{self, BufRead, Read};

use flate2::Crc;
use flate2::bufread::DeflateDecoder;

const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 0xe0;
/// The longest file name or comment a header may carry (flate2's bound).
const MAX_FIELD: usize = 0xffff;

/// Where the decoder is in the current member.
enum State {
    /// At a member's first byte.
    Header,
    /// Inside the deflate data (the decoder counts the member's bytes).
    Body,
    /// After the last member, or after an error (reported once).
    End,
}

/// A multi-member gzip stream as its concatenated data, CRC not checked.
pub struct Gunzip<R: BufRead> {
    body: DeflateDecoder<R>,
    state: State,
}

impl<R: BufRead> Gunzip<R> {
    pub fn new(raw: R) -> Gunzip<R> {
        Gunzip {
            body: DeflateDecoder::new(raw),
            state: State::Header,
        }
    }
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        if into.is_empty() {
            return Ok(0);
        }
        loop {
            match &mut self.state {
                State::Header => match header(self.body.get_mut()) {
                    Ok(()) => self.state = State::Body,
                    Err(e) => return self.fail(e),
                },
                State::Body => match self.body.read(into) {
                    Ok(0) => {
                        if let Err(e) = self.trailer() {
                            return self.fail(e);
                        }
                    }
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                    Err(e) => return self.fail(e),
                },
                State::End => return Ok(0),
            }
        }
    }
}

impl<R: BufRead> Gunzip<R> {
    fn fail(&mut self, e: io::Error) -> io::Result<usize> {
        self.state = State::End;
        Err(e)
    }

    /// The 8-byte trailer after a member; then either the end of the blob
    /// or the next member (the decoder's count starts again at 0).
    fn trailer(&mut self) -> io::Result<()> {
        let out = self.body.total_out();
        let raw = self.body.get_mut();
        let mut t = [0u8; 8];
        fill(raw, &mut t)?;
        let isize = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if u64::from(isize) != out & 0xffff_ffff {
            return Err(corrupt());
        }
        if more(raw)?.is_empty() {
            self.state = State::End;
        } else {
            self.body.reset_data();
            self.state = State::Header;
        }
        Ok(())
    }
}

/// Read and check one member header (RFC 1952 section 2.3).
fn header<R: BufRead>(r: &mut R) -> io::Result<()> {
    let mut fixed = [0u8; 10];
    fill(r, &mut fixed)?;
    if fixed[0] != 0x1f || fixed[1] != 0x8b || fixed[2] != 8 {
        return Err(bad_header());
    }
    let flags = fixed[3];
    if flags & FRESERVED != 0 {
        return Err(bad_header());
    }
    let mut crc = (flags & FHCRC != 0).then(|| {
        let mut c = Crc::new();
        c.update(&fixed);
        c
    });
    if flags & FEXTRA != 0 {
        let mut len = [0u8; 2];
        fill(r, &mut len)?;
        let mut extra = vec![0u8; usize::from(u16::from_le_bytes(len))];
        fill(r, &mut extra)?;
        if let Some(c) = &mut crc {
            c.update(&len);
            c.update(&extra);
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let field = to_nul(r)?;
            if let Some(c) = &mut crc {
                c.update(&field);
                c.update(b"\0");
            }
        }
    }
    if let Some(c) = crc {
        let mut stored = [0u8; 2];
        fill(r, &mut stored)?;
        if u16::from_le_bytes(stored) != c.sum() as u16 {
            return Err(corrupt());
        }
    }
    Ok(())
}

/// The next buffered bytes of `r`, read again after an interruption (a
/// header or trailer is not read in resumable steps; the body is).
fn more<R: BufRead>(r: &mut R) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // The borrow checker cannot see that the loop ends here.
            Ok(_) => return r.fill_buf(),
            Err(e) => return Err(e),
        }
    }
}

/// `buf` filled from `r`, or flate2's error for a stream that ends first.
fn fill<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<()> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => io::ErrorKind::UnexpectedEof.into(),
        _ => e,
    })
}

/// The bytes before the next NUL (which is consumed too), at most
/// `MAX_FIELD` of them.
fn to_nul<R: BufRead>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut field = Vec::new();
    loop {
        let buf = more(r)?;
        if buf.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let (taken, done) = match buf.iter().position(|&b| b == 0) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if field.len() + taken > MAX_FIELD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "gzip header field too long",
            ));
        }
        field.extend_from_slice(&buf[..taken]);
        r.consume(taken + usize::from(done));
        if done {
            return Ok(field);
        }
    }
}

fn bad_header() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "invalid gzip header")
}

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "corrupt gzip stream does not have a matching checksum",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::GzBuilder;
    use flate2::bufread::MultiGzDecoder;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn member(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// A member with every optional header field, FHCRC included.
    fn full_member(data: &[u8]) -> Vec<u8> {
        let mut e = GzBuilder::new()
            .filename("layer.tar")
            .comment("made by a test")
            .extra(vec![1, 2, 3, 4])
            .operating_system(3)
            .write(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        let mut g = e.finish().unwrap();
        // flate2 writes no FHCRC: add it (the CRC-16 of the header so far).
        let end = header_len(&g);
        let mut c = Crc::new();
        g[3] |= FHCRC;
        c.update(&g[..end]);
        let crc16 = (c.sum() as u16).to_le_bytes();
        g.splice(end..end, crc16);
        g
    }

    fn header_len(g: &[u8]) -> usize {
        let mut r = g;
        let before = r.len();
        header(&mut r).unwrap();
        before - r.len()
    }

    /// What each decoder makes of `blob`: its bytes until the first
    /// error, and that error's text.
    fn both(blob: &[u8], read: usize) -> [(Vec<u8>, Option<String>); 2] {
        fn run(mut d: impl Read, read: usize) -> (Vec<u8>, Option<String>) {
            let mut out = Vec::new();
            let mut buf = vec![0u8; read];
            loop {
                match d.read(&mut buf) {
                    Ok(0) => return (out, None),
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                    Err(e) => return (out, Some(e.to_string())),
                }
            }
        }
        [
            run(Gunzip::new(io::BufReader::with_capacity(7, blob)), read),
            run(
                MultiGzDecoder::new(io::BufReader::with_capacity(7, blob)),
                read,
            ),
        ]
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| b"usr/bin/curl\n"[i % 13] ^ (i / 977) as u8)
            .collect()
    }

    #[test]
    fn members_decode_as_flate2_decodes_them() {
        let a = text(100_000);
        let b = text(3);
        let mut two = member(&a);
        two.extend(full_member(&b));
        two.extend(member(b""));
        for (blob, want) in [
            (member(&a), a.clone()),
            (full_member(&a), a.clone()),
            (member(b""), Vec::new()),
            (two, [a.clone(), b.clone()].concat()),
        ] {
            for read in [1, 5, 4096, 200_000] {
                let [ours, theirs] = both(&blob, read);
                assert_eq!(ours, (want.clone(), None), "read size {read}");
                assert_eq!(theirs, ours);
            }
        }
    }

    #[test]
    fn a_wrong_crc_passes_but_every_other_fault_fails_as_in_flate2() {
        let data = text(50_000);
        let good = full_member(&data);
        let n = good.len();
        let mut crc = good.clone();
        crc[n - 8] ^= 1;
        let [ours, theirs] = both(&crc, 4096);
        assert_eq!(ours, (data.clone(), None), "a wrong CRC is not checked");
        assert!(theirs.1.unwrap().contains("checksum"));

        let mut isize = good.clone();
        isize[n - 2] ^= 1;
        let mut method = good.clone();
        method[2] = 7;
        let mut magic = good.clone();
        magic[1] = 0;
        let mut reserved = good.clone();
        reserved[3] |= 0x20;
        let mut hcrc = good.clone();
        let end = header_len(&full_member(b"")) - 2;
        hcrc[end] ^= 1;
        let mut garbage = good.clone();
        garbage.extend_from_slice(b"\0\0\0\0");
        let mut long_name = member(&data);
        long_name[3] |= FNAME;
        long_name.splice(10..10, vec![b'a'; MAX_FIELD + 1]);
        long_name.insert(10 + MAX_FIELD + 1, 0);
        let faults = [
            ("ISIZE", isize, "checksum"),
            ("method", method, "invalid gzip header"),
            ("magic", magic, "invalid gzip header"),
            ("reserved flag", reserved, "invalid gzip header"),
            ("header CRC", hcrc, "checksum"),
            ("garbage after the member", garbage, ""),
            ("file name over 64 KiB", long_name, "too long"),
            ("no trailer", good[..n - 8].to_vec(), ""),
            ("half a trailer", good[..n - 3].to_vec(), ""),
            ("cut in the data", good[..n / 2].to_vec(), ""),
            ("cut in the header", good[..12].to_vec(), ""),
            ("cut after the magic", good[..2].to_vec(), ""),
        ];
        for (what, blob, says) in faults {
            let [ours, theirs] = both(&blob, 4096);
            let e = ours.1.clone().unwrap_or_else(|| panic!("{what}: accepted"));
            assert!(e.contains(says), "{what}: {e}");
            assert_eq!(ours.1, theirs.1, "{what}: the same error as flate2");
            assert_eq!(ours.0.len(), theirs.0.len(), "{what}: the same bytes first");
        }
    }

    #[test]
    fn a_name_of_the_longest_length_is_read_as_flate2_reads_it() {
        let data = text(1000);
        for len in [MAX_FIELD - 1, MAX_FIELD] {
            let mut named = member(&data);
            named[3] |= FNAME;
            named.splice(10..10, vec![b'n'; len]);
            named.insert(10 + len, 0);
            let [ours, theirs] = both(&named, 4096);
            assert_eq!(ours, (data.clone(), None), "a {len}-byte name");
            assert_eq!(theirs, ours);
        }
    }

    /// A source that is interrupted (a signal) before every other read.
    #[test]
    fn interruptions_and_empty_reads_leave_the_stream_where_it_was() {
        let data = text(20_000);
        let mut blob = full_member(&data);
        blob.extend(member(&data[..5]));
        // Every other read of the source is interrupted; the others give
        // at most 3 bytes.
        let mut odd = false;
        let jumpy = crate::fixture::Flaky::new(&blob, 3, |_| {
            odd = !odd;
            odd.then_some(io::ErrorKind::Interrupted)
        });
        let raw = io::BufReader::with_capacity(5, jumpy);
        let mut d = Gunzip::new(raw);
        let (mut out, mut buf, mut interrupted) = (Vec::new(), [0u8; 100], 0);
        loop {
            assert_eq!(d.read(&mut []).unwrap(), 0, "an empty read reads nothing");
            match d.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => interrupted += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(interrupted > 0);
        assert_eq!(out, [&data[..], &data[..5]].concat());
    }

    #[test]
    fn an_error_is_reported_once_then_the_stream_ends() {
        // In the header, and in the deflate data (a reserved block type).
        let mut header = member(&text(10));
        header[2] = 0;
        let mut body = member(&text(10));
        body[10] = 0x07;
        for blob in [header, body] {
            let mut d = Gunzip::new(&blob[..]);
            let mut buf = [0u8; 64];
            let e = d.read(&mut buf).unwrap_err();
            assert_ne!(e.kind(), io::ErrorKind::Interrupted);
            assert_eq!(d.read(&mut buf).unwrap(), 0);
            assert_eq!(d.read(&mut []).unwrap(), 0);
        }
    }

    /// A source that fails for good after its bytes.
    struct Failing<'a>(&'a [u8]);

    impl Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let n = self.0.len().min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_source_that_fails_in_a_header_or_trailer_fails_the_stream() {
        let data = text(100);
        let named = full_member(&data);
        let n = named.len();
        // In the fixed header, the file name, the trailer, after the
        // trailer, and in the next member's header.
        for cut in [12, 20, n - 4, n, n + 1] {
            let mut two = named[..cut.min(n)].to_vec();
            if cut > n {
                two.push(0x1f);
            }
            let mut d = Gunzip::new(io::BufReader::with_capacity(4, Failing(&two)));
            let mut out = Vec::new();
            let e = d.read_to_end(&mut out).unwrap_err();
            assert!(e.to_string().contains("disk on fire"), "cut at {cut}: {e}");
        }
    }
}
