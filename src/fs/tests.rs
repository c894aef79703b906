//! Squash semantics on hand-made layer indexes (the tar side is tested with
//! real images in `tests/`).

use super::*;
use crate::digest::Sha256;
use crate::model::ContentKind;

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

fn removed(fs: &ImageFs) -> Vec<(String, usize, usize, Hidden)> {
    fs.removed
        .iter()
        .map(|r| (r.entry.path.display(), r.added_in, r.removed_in, r.how))
        .collect()
}

#[test]
fn directory_listed_again_keeps_its_lower_children() {
    // Docker lists every parent directory again in each layer.
    let l0 = layer(vec![dir("a"), file("a/x", b"x"), dir("a/d")], vec![]);
    let l1 = layer(vec![dir("a"), file("a/y", b"y")], vec![]);
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/a", "/a/d", "/a/x", "/a/y"]);
    assert!(fs.removed.is_empty(), "{:?}", removed(&fs));
    assert!(fs.findings.is_empty());
    let a = fs.get(&ImagePath::new("a")).unwrap();
    assert_eq!(
        (a.added_in, a.layer, a.modified_in.clone()),
        (0, 1, vec![1])
    );
}

#[test]
fn file_replaced_by_directory_is_recorded_as_overwritten() {
    let l0 = layer(vec![file("p", b"payload"), file("q", b"q")], vec![]);
    let l1 = layer(vec![dir("p"), file("p/inner", b"i")], vec![]);
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/p", "/p/inner", "/q"]);
    assert_eq!(removed(&fs), [("/p".into(), 0, 1, Hidden::Overwritten)]);
    assert_eq!(
        fs.removed[0].entry.sha256,
        Some(Sha256::of(b"payload")),
        "the hidden bytes are the file's"
    );
    let p = fs.get(&ImagePath::new("p")).unwrap();
    assert_eq!(p.entry.kind, EntryType::Dir);
    assert_eq!((p.added_in, p.modified_in.clone()), (0, vec![1]));
}

#[test]
fn directory_replaced_by_file_hides_children_not_the_directory() {
    let l0 = layer(
        vec![dir("x"), dir("x/sub"), file("x/in", b"i"), file("xy", b"n")],
        vec![],
    );
    let l1 = layer(vec![file("x", b"now a file")], vec![]);
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/x", "/xy"]);
    // Directories carry no bytes: only the file below is recorded.
    assert_eq!(removed(&fs), [("/x/in".into(), 0, 1, Hidden::Replaced)]);
}

#[test]
fn whiteout_of_a_directory_hides_its_files_only() {
    let l0 = layer(
        vec![dir("d"), dir("d/e"), file("d/e/f", b"f"), file("d2", b"2")],
        vec![],
    );
    let l1 = layer(vec![], vec![Whiteout::Path(ImagePath::new("d"))]);
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert_eq!(paths(&fs), ["/d2"]);
    assert_eq!(removed(&fs), [("/d/e/f".into(), 0, 1, Hidden::Whiteout)]);
}

#[test]
fn provenance_counts_each_layer_once() {
    // Written twice in its first layer: added there, never "modified" there.
    let l0 = layer(vec![file("f", b"1"), file("f", b"2")], vec![]);
    // Written twice in a later layer: one modification.
    let l1 = layer(vec![file("f", b"3"), file("f", b"4")], vec![]);
    let l2 = layer(vec![file("g", b"g")], vec![]);
    let l3 = layer(vec![file("f", b"5")], vec![]);
    let fs = ImageFs::squash(&mut [l0, l1, l2, l3]);
    let f = fs.get(&ImagePath::new("f")).unwrap();
    assert_eq!((f.added_in, f.layer), (0, 3));
    assert_eq!(f.modified_in, [1, 3]);
    let g = fs.get(&ImagePath::new("g")).unwrap();
    assert_eq!((g.added_in, g.layer, g.modified_in.len()), (2, 2, 0));
    assert_eq!(
        removed(&fs),
        [
            ("/f".into(), 0, 0, Hidden::Overwritten),
            ("/f".into(), 0, 1, Hidden::Overwritten),
            ("/f".into(), 1, 1, Hidden::Overwritten),
            ("/f".into(), 1, 3, Hidden::Overwritten),
        ]
    );
    assert!(fs.findings.is_empty());
}

#[test]
fn hardlink_targets_that_carry_no_content_are_findings() {
    let l0 = layer(
        vec![
            dir("d"),
            link("s", EntryType::Symlink, "d"),
            link("h0", EntryType::Hardlink, "gone"),
            file("f", b"F"),
        ],
        vec![],
    );
    let l1 = layer(
        vec![
            link("to-dir", EntryType::Hardlink, "d"),
            link("to-symlink", EntryType::Hardlink, "s"),
            link("to-unresolved", EntryType::Hardlink, "h0"),
            link("to-file", EntryType::Hardlink, "f"),
        ],
        vec![],
    );
    let fs = ImageFs::squash(&mut [l0, l1]);
    let why: Vec<(usize, String, String)> = fs
        .findings
        .iter()
        .map(|(l, f)| (*l, f.path.as_ref().unwrap().display(), f.evidence.join(" ")))
        .collect();
    assert_eq!(why.len(), 4, "{why:?}");
    assert_eq!(why[0].1, "/h0");
    assert_eq!(why[0].0, 0);
    assert_eq!(why[1].1, "/to-dir");
    assert_eq!(why[2].1, "/to-symlink");
    assert_eq!(why[3].1, "/to-unresolved");
    assert!(why[1..].iter().all(|w| w.0 == 1));
    for (path, sha) in [
        ("to-dir", None),
        ("to-unresolved", None),
        ("to-file", Some(Sha256::of(b"F"))),
    ] {
        assert_eq!(fs.get(&ImagePath::new(path)).unwrap().entry.sha256, sha);
    }
    let f = &fs.get(&ImagePath::new("to-file")).unwrap().entry;
    assert_eq!(f.size, 1);
}

#[test]
fn records_rebuild_the_same_view() {
    let mut l0 = layer(
        vec![
            dir("bin"),
            file("bin/sh", b"sh"),
            link("bin/ln", EntryType::Symlink, "sh"),
            file("etc", b"e"),
        ],
        vec![],
    );
    l0.entries[1].mode = 0o4755;
    l0.entries[1].uid = 7;
    l0.entries[1].gid = 9;
    let l1 = layer(vec![file("bin/new", b"new")], vec![]);
    let cold = ImageFs::squash(&mut [l0, l1]);
    let facts = crate::facts::ImageFacts::of_fs(&cold, &[]);
    let mut records = facts.files.clone();
    let mut odd = records[0].clone();
    odd.kind = "socket".into();
    odd.path = "/odd".into();
    records.push(odd);
    let warm = crate::facts::view_of_records(&records);
    assert_eq!(paths(&warm), paths(&cold));
    for (path, c) in &cold.nodes {
        let w = warm.get(path).unwrap();
        assert_eq!(w.entry.kind, c.entry.kind, "{path}");
        assert_eq!(w.entry.mode, c.entry.mode, "{path}");
        assert_eq!((w.entry.uid, w.entry.gid), (c.entry.uid, c.entry.gid));
        assert_eq!(w.entry.size, c.entry.size, "{path}");
        assert_eq!(w.entry.sha256, c.entry.sha256, "{path}");
        assert_eq!(w.layer, c.layer, "{path}");
        assert_eq!(w.added_in, c.layer, "{path}");
    }
    let sh = warm.get(&ImagePath::new("bin/sh")).unwrap();
    assert_eq!((sh.entry.mode, sh.entry.uid, sh.entry.gid), (0o4755, 7, 9));
    assert_eq!(warm.get(&ImagePath::new("bin/new")).unwrap().layer, 1);
    assert!(warm.get(&ImagePath::new("odd")).is_none());
    assert!(warm.get(&ImagePath::new("nope")).is_none());
}

#[test]
fn get_and_below_see_only_visible_paths() {
    let l0 = layer(
        vec![
            dir("a"),
            file("a/x", b"x"),
            file("a/y/z", b"z"),
            file("ab", b""),
        ],
        vec![],
    );
    let l1 = layer(vec![], vec![Whiteout::Path(ImagePath::new("a/x"))]);
    let fs = ImageFs::squash(&mut [l0, l1]);
    assert!(fs.get(&ImagePath::new("a/x")).is_none());
    assert_eq!(fs.get(&ImagePath::new("ab")).unwrap().entry.size, 0);
    let below: Vec<String> = fs
        .below(&ImagePath::new("a"))
        .map(|(p, _)| p.display())
        .collect();
    assert_eq!(below, ["/a/y/z"]);
    assert_eq!(fs.below(&ImagePath::root()).count(), 3);
    assert!(fs.has_children(&ImagePath::new("a/y")));
    assert!(!fs.has_children(&ImagePath::new("ab")));
}

#[test]
fn resolution_link_budget_and_trailing_components() {
    // A chain of 5 links to a file.
    let mut entries = vec![dir("d"), file("d/f", b"f")];
    for i in 0..5 {
        let target = if i == 4 {
            "/d/f".to_string()
        } else {
            format!("c{}", i + 1)
        };
        entries.push(link(&format!("c{i}"), EntryType::Symlink, &target));
    }
    entries.push(link("rel", EntryType::Symlink, "d/../d/f"));
    entries.push(file("implied/dir/file", b"i"));
    let fs = ImageFs::squash(&mut [layer(entries, vec![])]);
    let f = ImagePath::new("d/f");
    let r = fs.resolve(b"/c0", 5).unwrap();
    assert_eq!((r.path.clone(), r.links), (f.clone(), 5));
    assert!(r.node.is_some());
    assert_eq!(
        fs.resolve(b"/c0", 4).unwrap_err(),
        ResolveError::TooManyLinks {
            path: ImagePath::new("c0"),
            limit: 4
        }
    );
    let r = fs.resolve(b"rel", 1).unwrap();
    assert_eq!((r.path, r.links), (f.clone(), 1));
    assert!(fs.resolve(b"rel", 0).is_err());
    // A file may be followed by `/` and `.`, not by a name.
    assert_eq!(fs.resolve(b"/d/f/", 0).unwrap().path, f);
    assert_eq!(fs.resolve(b"/d/f/.", 0).unwrap().path, f);
    assert_eq!(
        fs.resolve(b"/d/f/x", 0).unwrap_err(),
        ResolveError::NotADirectory(f.clone())
    );
    assert_eq!(
        fs.resolve(b"/d/f/./x", 0).unwrap_err(),
        ResolveError::NotADirectory(f.clone())
    );
    // `..` from the root stays at the root.
    assert_eq!(fs.resolve(b"/../../d/./f", 0).unwrap().path, f);
    // A directory only implied by the paths below it.
    let r = fs.resolve(b"/implied/dir/file", 0).unwrap();
    assert_eq!(r.path, ImagePath::new("implied/dir/file"));
    let r = fs.resolve(b"/implied/dir", 0).unwrap();
    assert!(r.node.is_none());
    assert_eq!(
        fs.resolve(b"/implied/nope", 0).unwrap_err(),
        ResolveError::NotFound(ImagePath::new("implied/nope"))
    );
}

/// Packing the map as it grows (past 4,096 paths, again at every quarter)
/// changes nothing: a large squash equals one applied path by path into a
/// map that is never packed.
#[test]
fn packing_a_large_map_keeps_every_path_and_its_history() {
    let n = 20_000;
    let l0: Vec<Entry> = (0..n)
        .map(|i| file(&format!("d{}/f{i:05}", i % 7), b"a"))
        .collect();
    // Layer 1 rewrites every third file, deletes d3, and (same tar) writes
    // a path twice.
    let mut l1: Vec<Entry> = (0..n)
        .step_by(3)
        .map(|i| file(&format!("d{}/f{i:05}", i % 7), b"b"))
        .collect();
    l1.push(file("d0/f00000", b"c"));
    let mut layers = vec![
        layer(l0.clone(), vec![]),
        layer(l1.clone(), vec![Whiteout::Path(ImagePath::new("d3"))]),
    ];
    let fs = ImageFs::squash(&mut layers);
    let mut want: BTreeMap<ImagePath, (usize, Vec<usize>, Option<Sha256>)> = BTreeMap::new();
    for e in &l0 {
        want.insert(e.path.clone(), (0, vec![], e.sha256));
    }
    want.retain(|p, _| !p.is_below(&ImagePath::new("d3")));
    for e in &l1 {
        let w = want.entry(e.path.clone()).or_insert((1, vec![], None));
        if w.0 == 0 && w.1.is_empty() {
            w.1.push(1);
        }
        w.2 = e.sha256;
    }
    let got: BTreeMap<ImagePath, (usize, Vec<usize>, Option<Sha256>)> = fs
        .nodes
        .iter()
        .map(|(p, n)| {
            (
                p.clone(),
                (n.added_in, n.modified_in.clone(), n.entry.sha256),
            )
        })
        .collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the packed squash differs");
    assert!(
        fs.removed
            .iter()
            .any(|r| r.how == Hidden::Whiteout && r.entry.path.as_bytes().starts_with(b"d3/"))
    );
}
