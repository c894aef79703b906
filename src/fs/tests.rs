//! Squash semantics on hand-made layer indexes (the tar side is tested with
//! real images in `tests/`).

use super::*;
use crate::digest::Sha256;
use crate::layer::ContentKind;

fn file(path: &str, content: &[u8]) -> Entry {
    Entry {
        path: ImagePath::new(path),
        kind: EntryType::File,
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: content.len() as u64,
        sha256: Some(Sha256::of(content)),
        link: None,
        content: ContentKind::Data,
        device: None,
        facts: None,
        pkg: None,
    }
}

fn dir(path: &str) -> Entry {
    Entry {
        kind: EntryType::Dir,
        sha256: None,
        size: 0,
        ..file(path, b"")
    }
}

fn link(path: &str, kind: EntryType, target: &str) -> Entry {
    Entry {
        kind,
        sha256: None,
        size: 0,
        link: Some(target.as_bytes().to_vec()),
        ..file(path, b"")
    }
}

fn layer(entries: Vec<Entry>, whiteouts: Vec<Whiteout>) -> LayerIndex {
    LayerIndex {
        entries,
        whiteouts,
        ..Default::default()
    }
}

fn paths(fs: &ImageFs) -> Vec<String> {
    fs.nodes.keys().map(|p| p.display()).collect()
}

#[test]
fn opaque_hides_lower_children_only() {
    let l0 = layer(
        vec![
            dir("a"),
            file("a/x", b"x"),
            file("a/y", b"y"),
            file("b", b"b"),
        ],
        vec![],
    );
    let l1 = layer(
        vec![dir("a"), file("a/z", b"z")],
        vec![Whiteout::Opaque(ImagePath::new("a"))],
    );
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/a", "/a/z", "/b"]);
    let hidden: Vec<_> = fs
        .removed
        .iter()
        .map(|r| (r.entry.path.display(), r.how))
        .collect();
    assert_eq!(
        hidden,
        [
            ("/a/x".into(), Hidden::Opaque),
            ("/a/y".into(), Hidden::Opaque)
        ]
    );
    assert_eq!(fs.nodes[&ImagePath::new("a")].added_in, 0);
    assert_eq!(fs.nodes[&ImagePath::new("a")].modified_in, [1]);
}

#[test]
fn whiteout_then_recreate_and_rm_plus_symlink_in_one_layer() {
    let l0 = layer(
        vec![dir("d"), file("d/old", b"1"), file("tool", b"t")],
        vec![],
    );
    let l1 = layer(
        vec![
            dir("d"),
            file("d/new", b"2"),
            link("tool", EntryType::Symlink, "/bin/true"),
        ],
        vec![
            Whiteout::Path(ImagePath::new("d")),
            Whiteout::Path(ImagePath::new("tool")),
        ],
    );
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/d", "/d/new", "/tool"]);
    assert_eq!(
        fs.nodes[&ImagePath::new("tool")].entry.kind,
        EntryType::Symlink
    );
    assert_eq!(fs.nodes[&ImagePath::new("d")].added_in, 1);
    assert_eq!(fs.removed.len(), 2);
    assert!(
        fs.removed
            .iter()
            .all(|r| r.how == Hidden::Whiteout && r.removed_in == 1 && r.added_in == 0)
    );
}

#[test]
fn same_file_in_three_layers_whited_out_once() {
    let mut ls = vec![
        layer(vec![file("f", b"1")], vec![]),
        layer(vec![file("f", b"2")], vec![]),
        layer(vec![file("f", b"3")], vec![]),
        layer(vec![], vec![Whiteout::Path(ImagePath::new("f"))]),
    ];
    let fs = ImageFs::squash(&mut ls);
    assert!(fs.nodes.is_empty());
    let r: Vec<_> = fs
        .removed
        .iter()
        .map(|r| (r.added_in, r.removed_in, r.how))
        .collect();
    assert_eq!(
        r,
        [
            (0, 1, Hidden::Overwritten),
            (1, 2, Hidden::Overwritten),
            (2, 3, Hidden::Whiteout)
        ]
    );
}

#[test]
fn hardlinks_resolve_to_lower_content_and_survive_overwrite() {
    let l0 = layer(vec![file("bin/a", b"A")], vec![]);
    let l1 = layer(
        vec![
            link("bin/b", EntryType::Hardlink, "bin/a"),
            link("bin/c", EntryType::Hardlink, "nope"),
        ],
        vec![],
    );
    let l2 = layer(vec![file("bin/a", b"new")], vec![]);
    let fs = ImageFs::squash(&mut [l0, l1, l2]);
    assert_eq!(
        fs.nodes[&ImagePath::new("bin/b")].entry.sha256,
        Some(Sha256::of(b"A"))
    );
    assert_eq!(
        fs.nodes[&ImagePath::new("bin/a")].entry.sha256,
        Some(Sha256::of(b"new"))
    );
    assert_eq!(fs.findings.len(), 1);
    assert_eq!(fs.findings[0].1.code, Code::HardlinkMissingTarget);
}

#[test]
fn file_replacing_directory_hides_its_children() {
    let l0 = layer(vec![dir("x"), file("x/in", b"i")], vec![]);
    let l1 = layer(vec![file("x", b"now a file")], vec![]);
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/x"]);
    assert_eq!(fs.removed[0].how, Hidden::Replaced);
}

#[test]
fn whiteout_in_lowest_layer_is_harmless() {
    let l0 = layer(
        vec![file("a", b"a")],
        vec![Whiteout::Path(ImagePath::new("a"))],
    );
    let fs = ImageFs::squash(&mut [l0]);
    assert_eq!(paths(&fs), ["/a"]);
    assert!(fs.removed.is_empty());
}

#[test]
fn symlink_resolution_handles_loops_and_escapes() {
    let l0 = layer(
        vec![
            dir("usr"),
            dir("usr/bin"),
            file("usr/bin/curl", b"c"),
            link("bin", EntryType::Symlink, "usr/bin"),
            link("self", EntryType::Symlink, "self"),
            link("a", EntryType::Symlink, "b"),
            link("b", EntryType::Symlink, "a"),
            link("up", EntryType::Symlink, "../../../usr/bin/curl"),
            link("abs", EntryType::Symlink, "/bin/curl"),
        ],
        vec![],
    );
    let mut entries = l0.entries.clone();
    // A deep web: l0 -> l1 -> ... -> l59 -> curl.
    for i in 0..60 {
        let target = if i == 59 {
            "/usr/bin/curl".to_string()
        } else {
            format!("l{}", i + 1)
        };
        entries.push(link(&format!("l{i}"), EntryType::Symlink, &target));
    }
    let fs = ImageFs::squash(&mut [layer(entries, vec![])]);
    let curl = ImagePath::new("usr/bin/curl");
    assert_eq!(fs.resolve(b"/bin/curl", 40).unwrap().path, curl);
    assert_eq!(fs.resolve(b"/up", 40).unwrap().path, curl);
    assert_eq!(fs.resolve(b"abs", 40).unwrap().path, curl);
    assert!(matches!(
        fs.resolve(b"/self", 40),
        Err(ResolveError::TooManyLinks { .. })
    ));
    assert!(matches!(
        fs.resolve(b"/a", 40),
        Err(ResolveError::TooManyLinks { .. })
    ));
    assert!(matches!(
        fs.resolve(b"/l0", 40),
        Err(ResolveError::TooManyLinks { .. })
    ));
    assert_eq!(fs.resolve(b"/l0", 100).unwrap().path, curl);
    assert!(matches!(
        fs.resolve(b"/usr/bin/curl/x", 40),
        Err(ResolveError::NotADirectory(_))
    ));
    assert!(matches!(
        fs.resolve(b"/nope", 40),
        Err(ResolveError::NotFound(_))
    ));
}
