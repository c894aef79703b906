//! The guard on hand-made tar streams: each limit at, below and above its
//! boundary, the framing it must follow to stay aligned (padding, PAX `size`,
//! GNU sparse extension blocks, global headers), and proof that it refuses
//! a giant member after reading only its header, before the `tar` crate
//! could buffer the body.

use std::io::{self, Read};

use super::*;

const MAX: u64 = 300;

/// A GNU (or, with `ustar = false`, an old v7) header block.
fn hdr(kind: u8, name: &str, size: u64, gnu: bool) -> Vec<u8> {
    let mut h = if gnu {
        tar::Header::new_gnu()
    } else {
        tar::Header::new_old()
    };
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_path(name).unwrap();
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// A member: header, body, padding to the block size.
fn member(kind: u8, name: &str, body: &[u8]) -> Vec<u8> {
    let mut v = hdr(kind, name, body.len() as u64, true);
    v.extend_from_slice(body);
    v.resize(v.len().div_ceil(BLOCK) * BLOCK, 0);
    v
}

fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in records {
        let base = k.len() + v.len() + 3;
        let mut len = base + 1;
        while len != base + len.to_string().len() {
            len = base + len.to_string().len();
        }
        body.extend_from_slice(format!("{len} {k}={v}\n").as_bytes());
    }
    body
}

/// A GNU long name member of `n` bytes that would break the limit.
fn too_long() -> Vec<u8> {
    member(b'L', "././@LongLink", &vec![b'a'; MAX as usize + 1])
}

/// Pass `bytes` through the guard in `chunk`-sized reads.
fn run(bytes: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
    struct Chunked<'a>(&'a [u8], usize);
    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut g = TarGuard::new(Chunked(bytes, chunk), MAX);
    let mut out = Vec::new();
    g.read_to_end(&mut out)?;
    Ok(out)
}

/// Refused by the guard, whatever the read sizes.
fn refused(bytes: &[u8]) -> String {
    let mut msg = None;
    for chunk in [1, 511, 512, 4096, usize::MAX] {
        let e = run(bytes, chunk).expect_err("the guard should refuse this stream");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        msg = Some(e.to_string());
    }
    msg.unwrap()
}

/// Let through unchanged, whatever the read sizes.
fn passed(bytes: &[u8]) {
    for chunk in [1, 511, 512, 4096, usize::MAX] {
        let out = run(bytes, chunk).expect("the guard should let this stream through");
        assert_eq!(out, bytes, "the guard changed the bytes");
    }
}

#[test]
fn long_name_and_link_name_limits_at_the_boundary() {
    for kind in [b'L', b'K'] {
        passed(&member(
            kind,
            "././@LongLink",
            &vec![b'a'; MAX as usize - 1],
        ));
        passed(&member(kind, "././@LongLink", &vec![b'a'; MAX as usize]));
        let msg = refused(&member(
            kind,
            "././@LongLink",
            &vec![b'a'; MAX as usize + 1],
        ));
        assert!(msg.contains(&format!("{} bytes", MAX + 1)), "{msg}");
        assert!(msg.contains(&format!("limit of {MAX}")), "{msg}");
        assert!(msg.contains("--max-path-bytes"), "{msg}");
        let what = if kind == b'L' {
            "long name"
        } else {
            "long link name"
        };
        assert!(msg.contains(what), "{msg}");
    }
}

#[test]
fn pax_header_limit_at_the_boundary() {
    // Only the header is judged: the body need not be there.
    for (size, ok) in [
        (MAX_PAX_BYTES - 1, true),
        (MAX_PAX_BYTES, true),
        (MAX_PAX_BYTES + 1, false),
    ] {
        let h = hdr(b'x', "PaxHeaders/x", size, true);
        let r = run(&h, usize::MAX);
        assert_eq!(r.is_ok(), ok, "PAX header of {size} bytes");
        if let Err(e) = r {
            let msg = e.to_string();
            assert!(msg.contains(&format!("{size} bytes")), "{msg}");
            assert!(msg.contains(&MAX_PAX_BYTES.to_string()), "{msg}");
        }
    }
}

#[test]
fn refuses_after_the_header_before_the_crate_buffers_the_body() {
    // A GNU long name claiming 1 TiB, backed by a reader that would yield
    // that much: the guard must refuse after the 512-byte header.
    struct Endless {
        head: Vec<u8>,
        consumed: u64,
    }
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let at = self.consumed as usize;
            let n = if at < self.head.len() {
                let n = (self.head.len() - at).min(buf.len());
                buf[..n].copy_from_slice(&self.head[at..at + n]);
                n
            } else {
                buf.fill(b'a');
                buf.len()
            };
            self.consumed += n as u64;
            assert!(self.consumed < 1 << 20, "read far past the header");
            Ok(n)
        }
    }
    for kind in [b'L', b'K', b'x'] {
        let src = Endless {
            head: hdr(kind, "././@LongLink", 1 << 40, true),
            consumed: 0,
        };
        let mut archive = tar::Archive::new(TarGuard::new(src, MAX));
        let err = match archive.entries().unwrap().next() {
            Some(Err(e)) => e,
            Some(Ok(_)) => panic!("the tar crate produced an entry"),
            None => panic!("no error"),
        };
        assert!(err.to_string().contains("over the limit"), "{err}");
        let consumed = archive.into_inner().into_inner().consumed;
        assert!(consumed <= 2 * BLOCK as u64, "consumed {consumed} bytes");
    }
}

#[test]
fn follows_padding_of_data_and_names_to_the_next_header() {
    // Member bodies of every length around a block boundary, then a long
    // name over the limit: the guard only sees it if it stayed aligned.
    for n in [0usize, 1, 100, 511, 512, 513, 1000, 1024, 1500] {
        let mut s = member(b'0', "file", &vec![b'x'; n]);
        s.extend(too_long());
        refused(&s);
        let mut s = member(b'L', "././@LongLink", &vec![b'n'; n.min(MAX as usize)]);
        s.extend(member(b'0', "file", b"data"));
        s.extend(too_long());
        refused(&s);
        let mut s = member(b'x', "PaxHeaders/x", &vec![b'\n'; n]);
        s.extend(member(b'0', "file", b""));
        s.extend(too_long());
        refused(&s);
    }
}

#[test]
fn pax_size_decides_where_the_next_header_is() {
    // The regular member's header says 0 bytes, its PAX `size` says 1536:
    // the tar crate believes PAX, so the guard must too.
    for size in [1usize, 512, 1536] {
        let mut s = member(b'x', "PaxHeaders/f", &pax(&[("size", &size.to_string())]));
        s.extend(hdr(b'0', "f", 0, true));
        s.extend(vec![b'z'; size.div_ceil(BLOCK) * BLOCK]);
        s.extend(too_long());
        refused(&s);
    }
    // Other records do not change the size.
    let mut s = member(b'x', "PaxHeaders/f", &pax(&[("path", "f"), ("mtime", "1")]));
    s.extend(member(b'0', "f", b"abc"));
    s.extend(too_long());
    refused(&s);
    // The PAX size applies to the next member only.
    let mut s = member(b'x', "PaxHeaders/f", &pax(&[("size", "1024")]));
    s.extend(hdr(b'0', "f", 0, true));
    s.extend(vec![b'z'; 1024]);
    s.extend(member(b'0', "g", b"abc"));
    s.extend(too_long());
    refused(&s);
}

#[test]
fn global_headers_keep_their_own_size() {
    let mut s = member(b'x', "PaxHeaders/f", &pax(&[("size", "4096")]));
    s.extend(member(b'g', "global", &pax(&[("comment", "hi")])));
    s.extend(too_long());
    refused(&s);
}

#[test]
fn follows_gnu_sparse_extension_blocks() {
    // A GNU sparse member whose map continues in `ext` extension blocks.
    for ext_blocks in [0usize, 1, 2, 3] {
        let data = 700u64;
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::GNUSparse);
        h.set_size(data);
        h.set_mode(0o644);
        h.set_path("sparse").unwrap();
        h.as_gnu_mut().unwrap().isextended[0] = u8::from(ext_blocks > 0);
        h.set_cksum();
        let mut s = h.as_bytes().to_vec();
        for i in 0..ext_blocks {
            let mut b = vec![0u8; BLOCK];
            b[504] = u8::from(i + 1 < ext_blocks);
            s.extend(b);
        }
        s.extend(vec![b'd'; padded(data) as usize]);
        s.extend(too_long());
        refused(&s);
    }
}

#[test]
fn old_headers_are_not_long_names() {
    // The tar crate buffers `L`, `K` and `x` members only in GNU/ustar
    // headers; an old (v7) header with those types is an ordinary member.
    for kind in [b'L', b'K', b'x'] {
        let mut s = hdr(kind, "old", MAX_PAX_BYTES + 1000, false);
        s.extend(vec![b'a'; padded(MAX_PAX_BYTES + 1000) as usize]);
        passed(&s);
    }
}

#[test]
fn steps_aside_once_it_cannot_follow() {
    // A bad checksum: the crate will reject the stream, the guard lets it be.
    let mut bad = member(b'0', "file", b"abc");
    bad[148] ^= 1;
    bad.extend(too_long());
    passed(&bad);
}

#[test]
fn padded_rounds_up_to_whole_blocks() {
    assert_eq!(padded(0), 0);
    assert_eq!(padded(1), 512);
    assert_eq!(padded(512), 512);
    assert_eq!(padded(513), 1024);
}

#[test]
fn pax_size_reads_the_size_record() {
    assert_eq!(pax_size(&pax(&[("path", "a"), ("size", "77")])), Some(77));
    assert_eq!(pax_size(&pax(&[("path", "a")])), None);
    assert_eq!(pax_size(&pax(&[("size", "x")])), None);
}

/// A stream that counts what was read (copied out) and what was skipped.
struct Counting {
    data: Vec<u8>,
    pos: usize,
    read: usize,
    skipped: u64,
}

impl Counting {
    fn new(data: Vec<u8>) -> Self {
        Counting {
            data,
            pos: 0,
            read: 0,
            skipped: 0,
        }
    }
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.read += n;
        Ok(n)
    }
}

impl SkipForward for Counting {
    fn skip_forward(&mut self, n: u64) -> u64 {
        // At most 1000 at a time: the guard must loop.
        let k = (n.min(1000) as usize).min(self.data.len() - self.pos);
        self.pos += k;
        self.skipped += k as u64;
        k as u64
    }
}

/// Entries whose data nobody reads are passed over, not copied: only the
/// headers (and the end blocks) are read, and every entry is still found,
/// with the data of the one that is read intact.
#[test]
fn a_seekable_guard_skips_unread_data_without_reading_it() {
    let big = vec![7u8; 70_000];
    let mut bytes = member(b'0', "a", &big);
    bytes.extend(member(b'0', "b", b"hello"));
    bytes.extend(member(b'0', "c", &big[..3000]));
    bytes.extend([0u8; 2 * BLOCK]);
    let guard = TarGuard::new(Counting::new(bytes), MAX);
    let mut archive = tar::Archive::new(guard);
    let mut names = Vec::new();
    for e in archive.entries_with_seek().unwrap() {
        let mut e = e.unwrap();
        names.push(e.path_bytes().into_owned());
        if e.path_bytes().as_ref() == b"b" {
            let mut s = String::new();
            e.read_to_string(&mut s).unwrap();
            assert_eq!(s, "hello");
        }
    }
    assert_eq!(names, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    let inner = archive.into_inner().into_inner();
    let (data_a, pad_a) = (70_000u64, padded(70_000) - 70_000);
    assert_eq!(
        inner.skipped,
        data_a + pad_a + (BLOCK as u64 - 5) + padded(3000)
    );
    assert!(inner.read <= 6 * BLOCK, "read {} bytes", inner.read);
}

/// Only forward, relative seeks; a seek past the end of the stream is an
/// error, not a silent stop.
#[test]
fn a_seek_backwards_or_past_the_end_is_an_error() {
    let mut bytes = member(b'0', "a", &[1u8; 2000]);
    bytes.truncate(BLOCK + 1000);
    let mut guard = TarGuard::new(Counting::new(bytes), MAX);
    let mut header = [0u8; BLOCK];
    guard.read_exact(&mut header).unwrap();
    assert!(guard.seek(SeekFrom::Current(-1)).is_err());
    assert!(guard.seek(SeekFrom::Start(0)).is_err());
    assert_eq!(
        guard.seek(SeekFrom::Current(100)).unwrap(),
        BLOCK as u64 + 100
    );
    let e = guard.seek(SeekFrom::Current(1400)).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
}

/// A seek that crosses into the next header reads it (the guard judges
/// every header): a giant long name behind skipped data is still refused.
#[test]
fn a_seek_across_a_header_still_judges_it() {
    let mut bytes = member(b'0', "a", &[1u8; 100]);
    bytes.extend(too_long());
    let mut guard = TarGuard::new(Counting::new(bytes), MAX);
    let e = guard.seek(SeekFrom::Current(3 * BLOCK as i64)).unwrap_err();
    assert!(e.to_string().contains("over the limit"), "{e}");
}

/// A seek that starts inside a header block the guard still holds passes
/// the rest of that block first, then the data.
#[test]
fn a_seek_from_inside_a_header_passes_its_rest_first() {
    let body: Vec<u8> = (0..200u8).collect();
    let mut guard = TarGuard::new(Counting::new(member(b'0', "a", &body)), MAX);
    let mut part = [0u8; 100];
    guard.read_exact(&mut part).unwrap();
    let at = guard
        .seek(SeekFrom::Current((BLOCK - 100 + 10) as i64))
        .unwrap();
    assert_eq!(at, BLOCK as u64 + 10);
    let mut next = [0u8; 5];
    guard.read_exact(&mut next).unwrap();
    assert_eq!(next, [10, 11, 12, 13, 14]);
}

fn run_flaky(
    bytes: &[u8],
    chunk: usize,
    fail: impl FnMut(usize) -> Option<io::ErrorKind>,
) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    TarGuard::new(crate::fixture::Flaky::new(bytes, chunk, fail), MAX).read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn interrupted_reads_inside_a_header_are_retried() {
    let mut ok = member(b'0', "file", b"abc");
    ok.extend(member(b'0', "next", b"de"));
    let mut bad = member(b'0', "file", b"abc");
    bad.extend(too_long());
    for chunk in [1, 100, 511, 512, 4096] {
        // Every other read is interrupted, headers included.
        let mut odd = false;
        let mut flip = |_| {
            odd = !odd;
            odd.then_some(io::ErrorKind::Interrupted)
        };
        assert_eq!(run_flaky(&ok, chunk, &mut flip).unwrap(), ok, "{chunk}");
        let e = run_flaky(&bad, chunk, &mut flip).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{chunk}: {e}");
    }
}

#[test]
fn a_failed_read_inside_a_header_is_the_guards_error() {
    let mut ok = member(b'0', "file", b"abc");
    ok.extend(member(b'0', "next", b"de"));
    // Once, 100 bytes into the second header; the source would go on.
    let at = ok.len() - 2 * BLOCK + 100;
    let mut once = Some(io::ErrorKind::ConnectionReset);
    let e = run_flaky(&ok, 100, |k| if k == at { once.take() } else { None }).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionReset);
}

#[test]
fn a_stream_ending_inside_a_header_block_is_passed_on_unjudged() {
    // A member, then 100 bytes of a header that never finishes: the guard
    // hands them on as they are (the tar parser reports the truncation).
    let mut cut = member(b'0', "file", b"abc");
    cut.extend_from_slice(&too_long()[..100]);
    for chunk in [1, 99, 512, 4096] {
        assert_eq!(run_flaky(&cut, chunk, |_| None).unwrap(), cut, "{chunk}");
    }
    // A whole block of it would have been judged, and refused.
    let mut whole = member(b'0', "file", b"abc");
    whole.extend(too_long());
    assert!(run_flaky(&whole, 512, |_| None).is_err());
}
