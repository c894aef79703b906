//! The walk on tar streams built in code: each entry type, the entry and
//! path limits at their boundaries, GNU and PAX sparse entries, duplicates,
//! whiteout markers and hostile names, judged by the index it fills.

use std::sync::atomic::AtomicU64;

use super::*;
use crate::finding::Code;
use crate::fixture::LayerBuilder;
use crate::layer::{EntryType, Whiteout};

fn walk_with(tar: &[u8], limits: &Limits) -> Result<LayerIndex, WalkError> {
    let (bytes, entries) = (AtomicU64::new(0), AtomicU64::new(0));
    let ctx = WalkContext {
        location: "layer 0".into(),
        limits,
        image_bytes: &bytes,
        image_entries: &entries,
    };
    let mut index = LayerIndex::default();
    walk_tar(tar, &ctx, &mut index)
        .map(|_| index)
        .map_err(|(_, e)| e)
}

fn walk(tar: &[u8]) -> LayerIndex {
    walk_with(tar, &Limits::default()).expect("walk")
}

fn codes(index: &LayerIndex) -> Vec<(Code, String)> {
    index
        .findings
        .iter()
        .map(|f| {
            (
                f.code,
                f.path.as_ref().map(|p| p.display()).unwrap_or_default(),
            )
        })
        .collect()
}

fn kinds(index: &LayerIndex) -> Vec<(String, EntryType)> {
    index
        .entries
        .iter()
        .map(|e| (e.path.display(), e.kind))
        .collect()
}

/// A tar member with any type byte, name and body.
fn raw(kind: u8, name: &str, body: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    let n = &mut h.as_old_mut().name;
    n.fill(0);
    n[..name.len()].copy_from_slice(name.as_bytes());
    h.set_cksum();
    let mut v = h.as_bytes().to_vec();
    v.extend_from_slice(body);
    v.resize(v.len().div_ceil(512) * 512, 0);
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

fn end(mut v: Vec<u8>) -> Vec<u8> {
    v.extend(vec![0u8; 1024]);
    v
}

#[test]
fn every_entry_type_is_recorded_as_itself() {
    let tar = LayerBuilder::new()
        .dir("d", 0o755)
        .file("d/f", b"data", 0o640)
        .symlink("d/s", "f")
        .hardlink("d/h", "d/f")
        .device("dev/c", 'c', 4, 64)
        .device("dev/b", 'b', 8, 1)
        .fifo("run/p")
        .tar_bytes();
    let index = walk(&tar);
    assert_eq!(
        kinds(&index),
        [
            ("/d".into(), EntryType::Dir),
            ("/d/f".into(), EntryType::File),
            ("/d/s".into(), EntryType::Symlink),
            ("/d/h".into(), EntryType::Hardlink),
            ("/dev/c".into(), EntryType::Char),
            ("/dev/b".into(), EntryType::Block),
            ("/run/p".into(), EntryType::Fifo),
        ]
    );
    let e = &index.entries;
    assert_eq!((e[1].mode, e[1].size), (0o640, 4));
    assert_eq!(e[1].sha256, Some(crate::digest::Sha256::of(b"data")));
    assert_eq!(e[2].link.as_deref(), Some(&b"f"[..]));
    // A hardlink to an earlier entry of the same layer takes its content.
    assert_eq!(e[3].sha256, e[1].sha256);
    assert_eq!(e[3].size, 4);
    assert_eq!(e[4].device, Some((4, 64)));
    assert_eq!(e[5].device, Some((8, 1)));
    assert_eq!(e[6].device, None);
    assert_eq!(
        codes(&index),
        [
            (Code::DeviceNode, "/dev/c".into()),
            (Code::DeviceNode, "/dev/b".into())
        ]
    );
    assert!(index.whiteouts.is_empty());
}

#[test]
fn hardlink_to_a_non_file_or_later_entry_takes_no_content() {
    let tar = LayerBuilder::new()
        .hardlink("early", "f")
        .dir("d", 0o755)
        .hardlink("to-dir", "d")
        .file("f", b"x", 0o644)
        .tar_bytes();
    let index = walk(&tar);
    assert_eq!(index.entries[0].sha256, None);
    assert_eq!(index.entries[2].sha256, None);
    assert_eq!(index.entries[2].link.as_deref(), Some(&b"d"[..]));
}

#[test]
fn entry_limit_at_the_boundary() {
    let tar = LayerBuilder::new()
        .file("a", b"", 0o644)
        .file("b", b"", 0o644)
        .file("c", b"", 0o644)
        .tar_bytes();
    let mut limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    assert_eq!(walk_with(&tar, &limits).unwrap().entries.len(), 3);
    limits.max_entries = 2;
    match walk_with(&tar, &limits) {
        Err(WalkError::Limit(e)) => assert!(e.to_string().contains("--max-entries"), "{e}"),
        other => panic!("expected the entry limit, got {other:?}"),
    }
}

#[test]
fn path_limit_at_the_boundary() {
    // A PAX path: the guard lets PAX headers this small through, so only
    // the walk's own check stands.
    let name = format!("dir/{}", "n".repeat(150));
    let tar = LayerBuilder::new().file_pax(&name, b"x", 0o644).tar_bytes();
    let mut limits = Limits {
        max_path_bytes: name.len(),
        ..Limits::default()
    };
    let index = walk_with(&tar, &limits).unwrap();
    assert_eq!(index.entries[0].path.display(), format!("/{name}"));
    limits.max_path_bytes = name.len() - 1;
    match walk_with(&tar, &limits) {
        Err(WalkError::Limit(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("--max-path-bytes"), "{msg}");
            assert!(msg.contains("entry 1"), "{msg}");
        }
        other => panic!("expected the path limit, got {other:?}"),
    }
}

#[test]
fn gnu_sparse_entry_is_a_file_with_a_finding() {
    let tar = LayerBuilder::new()
        .sparse("var/sparse", &[b'a'; 512], 4096)
        .file("after", b"ok", 0o644)
        .tar_bytes();
    let index = walk(&tar);
    assert_eq!(
        kinds(&index),
        [
            ("/var/sparse".into(), EntryType::File),
            ("/after".into(), EntryType::File)
        ]
    );
    assert_eq!(codes(&index), [(Code::SparseFile, "/var/sparse".into())]);
    assert!(index.findings[0].evidence.join(" ").contains("GNU sparse"));
    assert_eq!(
        index.entries[1].sha256,
        Some(crate::digest::Sha256::of(b"ok"))
    );
}

#[test]
fn pax_sparse_entries_take_their_real_name() {
    // Format 1.0: real name in GNU.sparse.name, stored name is a placeholder.
    let mut t = raw(
        b'x',
        "PaxHeaders/s",
        &pax(&[
            ("GNU.sparse.major", "1"),
            ("GNU.sparse.minor", "0"),
            ("GNU.sparse.name", "opt/real"),
            ("GNU.sparse.realsize", "3"),
        ]),
    );
    let mut body = b"1\n0\n3\n".to_vec();
    body.resize(512, 0);
    body.extend_from_slice(b"abc");
    t.extend(raw(b'0', "GNUSparseFile.0/real", &body));
    // Format 0.1: a map, no name record.
    t.extend(raw(
        b'x',
        "PaxHeaders/m",
        &pax(&[("GNU.sparse.map", "0,3"), ("GNU.sparse.size", "3")]),
    ));
    t.extend(raw(b'0', "opt/mapped", b"abc"));
    // An ordinary PAX record is not sparse.
    t.extend(raw(b'x', "PaxHeaders/p", &pax(&[("mtime", "1")])));
    t.extend(raw(b'0', "opt/plain", b"abc"));
    let index = walk(&end(t));
    let names: Vec<String> = index.entries.iter().map(|e| e.path.display()).collect();
    assert_eq!(names, ["/opt/real", "/opt/mapped", "/opt/plain"]);
    assert!(index.entries.iter().all(|e| e.kind == EntryType::File));
    assert_eq!(
        codes(&index),
        [
            (Code::SparseFile, "/opt/real".into()),
            (Code::SparseFile, "/opt/mapped".into()),
        ]
    );
    assert!(
        index.findings[0]
            .evidence
            .join(" ")
            .contains("sparse entry")
    );
}

#[test]
fn duplicates_are_findings_except_directories_listed_twice() {
    let tar = LayerBuilder::new()
        .dir("d", 0o755)
        .dir("d", 0o700)
        .file("f", b"1", 0o644)
        .file("f", b"2", 0o644)
        .dir("x", 0o755)
        .file("x", b"3", 0o644)
        .file("y", b"4", 0o644)
        .dir("y", 0o755)
        .tar_bytes();
    let index = walk(&tar);
    assert_eq!(index.entries.len(), 8);
    assert_eq!(
        codes(&index),
        [
            (Code::DuplicateEntry, "/f".into()),
            (Code::DuplicateEntry, "/x".into()),
            (Code::DuplicateEntry, "/y".into()),
        ]
    );
    assert!(
        index.findings[1]
            .evidence
            .join(" ")
            .contains("written as dir then as file")
    );
}

#[test]
fn whiteout_markers_are_data_not_entries() {
    let tar = LayerBuilder::new()
        .whiteout("etc/gone")
        .opaque("var/lib")
        .file("a/.wh..wh.plnk", b"", 0o644)
        .file("a/.wh.", b"", 0o644)
        .file("a/.whx", b"", 0o644)
        .tar_bytes();
    let index = walk(&tar);
    assert_eq!(
        index.whiteouts,
        [
            Whiteout::Path(ImagePath::new("etc/gone")),
            Whiteout::Opaque(ImagePath::new("var/lib")),
        ]
    );
    assert_eq!(kinds(&index), [("/a/.whx".into(), EntryType::File)]);
    assert_eq!(
        codes(&index),
        [
            (Code::MalformedWhiteout, "/a/.wh..wh.plnk".into()),
            (Code::MalformedWhiteout, "/a/.wh.".into()),
        ]
    );
}

#[test]
fn hostile_names_and_types_are_findings() {
    let mut t = raw(b'0', "/etc/abs", b"");
    t.extend(raw(b'0', "../../esc", b""));
    t.extend(raw(b'0', "./", b""));
    t.extend(raw(b'5', "./", b""));
    t.extend(raw(b'N', "weird", b""));
    let tar = LayerBuilder::new()
        .symlink("l/up", "../../../etc")
        .symlink("l/abs", "/etc/passwd")
        .symlink("l/in", "../x")
        .hardlink("l/hl", "../../etc/shadow")
        .tar_bytes();
    t.extend(tar);
    let index = walk(&t);
    assert_eq!(
        codes(&index),
        [
            (Code::AbsolutePath, "/etc/abs".into()),
            (Code::PathTraversal, "/esc".into()),
            (Code::Unanalyzable, "/".into()),
            (Code::Unanalyzable, "/weird".into()),
            (Code::SymlinkEscapesRoot, "/l/up".into()),
            (Code::PathTraversal, "/l/hl".into()),
        ]
    );
    assert_eq!(
        kinds(&index),
        [
            ("/etc/abs".into(), EntryType::File),
            ("/esc".into(), EntryType::File),
            ("/l/up".into(), EntryType::Symlink),
            ("/l/abs".into(), EntryType::Symlink),
            ("/l/in".into(), EntryType::Symlink),
            ("/l/hl".into(), EntryType::Hardlink),
        ]
    );
    assert_eq!(index.entries[5].link.as_deref(), Some(&b"etc/shadow"[..]));
    // A directory naming the root is its metadata: no finding, no entry.
    let dir_only = walk(&end(raw(b'5', "./", b"")));
    assert!(dir_only.findings.is_empty() && dir_only.entries.is_empty());
}

#[test]
fn pax_global_headers_are_skipped() {
    let mut t = raw(b'g', "pax_global_header", &pax(&[("comment", "x")]));
    t.extend(raw(b'0', "f", b"1"));
    let index = walk(&end(t));
    assert_eq!(kinds(&index), [("/f".into(), EntryType::File)]);
    assert!(index.findings.is_empty());
}

/// Walk with the image-wide counters already at `bytes` and `entries` (what
/// earlier layers and the stream counted); returns the counters after.
fn walk_counted(
    tar: &[u8],
    limits: &Limits,
    bytes: u64,
    entries: u64,
) -> (Result<LayerIndex, WalkError>, u64, u64) {
    let (b, n) = (AtomicU64::new(bytes), AtomicU64::new(entries));
    let ctx = WalkContext {
        location: "layer 3".into(),
        limits,
        image_bytes: &b,
        image_entries: &n,
    };
    let mut index = LayerIndex::default();
    let res = walk_tar(tar, &ctx, &mut index)
        .map(|_| index)
        .map_err(|(_, e)| e);
    (res, b.into_inner(), n.into_inner())
}

#[test]
fn sparse_holes_count_against_the_image_budget_at_the_boundary() {
    // 1024 bytes stored, expanded to 4608: the 3584 bytes of holes are added
    // to the image's decompressed bytes (the stored ones the stream counts).
    let tar = LayerBuilder::new()
        .sparse("var/s", &[b'a'; 512], 4096)
        .tar_bytes();
    let holes = 4608 - 1024;
    let at = |max_image_bytes| Limits {
        max_image_bytes,
        ..Limits::default()
    };
    let (res, bytes, _) = walk_counted(&tar, &at(100 + holes), 100, 0);
    let index = res.expect("exactly at the image budget");
    assert_eq!(bytes, 100 + holes, "the holes, and only they, are counted");
    assert_eq!(index.entries[0].size, 4608);
    match walk_counted(&tar, &at(100 + holes - 1), 100, 0).0 {
        Err(WalkError::Limit(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("--max-image-size"), "{msg}");
            assert!(msg.contains("sparse files expanded"), "{msg}");
            assert!(msg.contains("layer 3: /var/s"), "{msg}");
        }
        other => panic!("expected the image size limit, got {other:?}"),
    }
    // Bytes counted by earlier layers count too.
    assert!(matches!(
        walk_counted(&tar, &at(100 + holes), 101, 0).0,
        Err(WalkError::Limit(_))
    ));
}

#[test]
fn image_entry_limit_at_the_boundary_counts_earlier_layers() {
    let tar = LayerBuilder::new()
        .file("a", b"", 0o644)
        .file("b", b"", 0o644)
        .file("c", b"", 0o644)
        .tar_bytes();
    let at = |max_image_entries| Limits {
        max_image_entries,
        ..Limits::default()
    };
    // Five entries in earlier layers, three here: a limit of 8 holds them.
    let (res, _, entries) = walk_counted(&tar, &at(8), 0, 5);
    assert_eq!(res.expect("exactly at the limit").entries.len(), 3);
    assert_eq!(entries, 8, "each entry counted once");
    match walk_counted(&tar, &at(7), 0, 5).0 {
        Err(WalkError::Limit(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("--max-image-entries"), "{msg}");
            assert!(msg.contains("layer 3"), "{msg}");
        }
        other => panic!("expected the image entry limit, got {other:?}"),
    }
}

#[test]
fn sparse_expanded_size_at_the_layer_limit() {
    // Expanded to 4608 bytes: judged before a single zero is hashed.
    let tar = LayerBuilder::new()
        .sparse("var/s", &[b'a'; 512], 4096)
        .tar_bytes();
    let at = |max_layer_bytes| Limits {
        max_layer_bytes,
        ..Limits::default()
    };
    let index = walk_with(&tar, &at(4608)).expect("exactly at the layer limit");
    assert_eq!(index.entries[0].size, 4608);
    match walk_with(&tar, &at(4607)) {
        Err(WalkError::Limit(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("--max-layer-size"), "{msg}");
            assert!(msg.contains("expanded file size"), "{msg}");
            assert!(msg.contains("layer 0: /var/s"), "{msg}");
        }
        other => panic!("expected the layer size limit, got {other:?}"),
    }
}

#[test]
fn contiguous_and_gnu_sparse_types_are_regular_files() {
    // Type '7' (contiguous) is a regular file to every extractor.
    let index = walk(&end(raw(b'7', "opt/c", b"data")));
    assert_eq!(kinds(&index), [("/opt/c".into(), EntryType::File)]);
    assert_eq!(
        index.entries[0].sha256,
        Some(crate::digest::Sha256::of(b"data"))
    );
    assert!(index.findings.is_empty());
}
