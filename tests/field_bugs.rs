//! One test per field bug that mature scanners shipped (trivy, syft and
//! stereoscope, tar-rs issues; README "Tests"): whiteout corner cases,
//! links, odd tar encodings, and hostile entries.

use stowaway::digest::Sha256;
use stowaway::fixture::{ImageBuilder, LayerBuilder};
use stowaway::fs::Hidden;
use stowaway::layer::{Compression, EntryType};
use stowaway::path::ImagePath;

use crate::util::*;

fn img(layers: Vec<LayerBuilder>) -> stowaway::fixture::BuiltImage {
    let mut b = ImageBuilder::new();
    for l in layers {
        b = b.layer(l);
    }
    b.build()
}

fn scan_layers(layers: Vec<LayerBuilder>) -> stowaway::Scan {
    let (_t, r) = layout(&img(layers));
    scan_ok(&r)
}

fn node<'a>(s: &'a stowaway::Scan, p: &str) -> &'a stowaway::fs::Node {
    s.fs.nodes
        .get(&ImagePath::new(p))
        .unwrap_or_else(|| panic!("{p} missing: {:?}", paths(s)))
}

#[test]
fn opaque_whiteout_hides_lower_children_but_keeps_same_layer_ones() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .dir("d", 0o755)
            .file("d/a", b"a", 0o644)
            .file("d/sub/b", b"b", 0o755),
        LayerBuilder::new()
            .dir("d", 0o755)
            .opaque("d")
            .file("d/c", b"c", 0o644),
    ]);
    assert_eq!(paths(&s), ["/d", "/d/c"]);
    assert!(
        removed_rows(&s).iter().all(|r| r.contains("Opaque 0->1")),
        "{:?}",
        removed_rows(&s)
    );
    assert!(codes(&s).contains(&"removed-executable /d/sub/b".to_string()));
}

#[test]
fn directory_deleted_then_recreated_in_a_later_layer() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .dir("app", 0o755)
            .file("app/old", b"old", 0o644),
        LayerBuilder::new().whiteout("app"),
        LayerBuilder::new()
            .dir("app", 0o700)
            .file("app/new", b"new", 0o644),
    ]);
    assert_eq!(paths(&s), ["/app", "/app/new"]);
    assert_eq!(node(&s, "app").added_in, 2);
    assert_eq!(node(&s, "app").entry.mode, 0o700);
}

#[test]
fn bare_and_reserved_whiteout_names_delete_nothing() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .dir("d", 0o755)
            .file("d/x", b"x", 0o644)
            .file("d/..wh..opqX", b"y", 0o644),
        LayerBuilder::new()
            .file("d/.wh.", b"", 0o644)
            .file("d/.wh..wh..opqX", b"", 0o644),
    ]);
    assert_eq!(paths(&s), ["/d", "/d/..wh..opqX", "/d/x"]);
    let c = codes(&s);
    assert!(
        c.contains(&"malformed-whiteout /d/.wh.".to_string()),
        "{c:?}"
    );
    assert!(
        c.contains(&"malformed-whiteout /d/.wh..wh..opqX".to_string()),
        "{c:?}"
    );
}

#[test]
fn several_whiteouts_in_one_layer() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .file("a", b"a", 0o644)
            .file("b", b"b", 0o644)
            .file("c", b"c", 0o644),
        LayerBuilder::new().whiteout("a").whiteout("c"),
    ]);
    assert_eq!(paths(&s), ["/b"]);
    assert_eq!(s.fs.removed.len(), 2);
}

#[test]
fn whiteout_in_the_lowest_layer() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .whiteout("ghost")
            .file("real", b"r", 0o644),
    ]);
    assert_eq!(paths(&s), ["/real"]);
}

#[test]
fn same_file_added_in_three_layers_and_whited_out_once() {
    let s = scan_layers(vec![
        LayerBuilder::new().file("tool", b"v1", 0o755),
        LayerBuilder::new().file("tool", b"v2", 0o755),
        LayerBuilder::new().file("tool", b"v3", 0o755),
        LayerBuilder::new().whiteout("tool"),
    ]);
    assert!(paths(&s).is_empty());
    let hidden: Vec<_> =
        s.fs.removed
            .iter()
            .map(|r| (r.entry.sha256.unwrap(), r.added_in, r.removed_in, r.how))
            .collect();
    assert_eq!(
        hidden,
        [
            (Sha256::of(b"v1"), 0, 1, Hidden::Overwritten),
            (Sha256::of(b"v2"), 1, 2, Hidden::Overwritten),
            (Sha256::of(b"v3"), 2, 3, Hidden::Whiteout)
        ]
    );
}

#[test]
fn rm_and_symlink_at_the_same_path_in_one_layer() {
    let s = scan_layers(vec![
        LayerBuilder::new().file("usr/bin/nc", b"\x7fELF nc", 0o755),
        LayerBuilder::new()
            .whiteout("usr/bin/nc")
            .symlink("usr/bin/nc", "/bin/true"),
    ]);
    let nc = node(&s, "usr/bin/nc");
    assert_eq!(nc.entry.kind, EntryType::Symlink);
    assert_eq!(nc.layer, 1);
    assert!(codes(&s).contains(&"removed-executable /usr/bin/nc".to_string()));
}

#[test]
fn hardlinks_same_layer_lower_layer_missing_and_overwritten_target() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .file("bin/a", b"A", 0o755)
            .hardlink("bin/same", "bin/a"),
        LayerBuilder::new()
            .hardlink("bin/lower", "bin/a")
            .hardlink("bin/missing", "bin/nowhere"),
        LayerBuilder::new().file("bin/a", b"A2", 0o755),
    ]);
    assert_eq!(node(&s, "bin/same").entry.sha256, Some(Sha256::of(b"A")));
    assert_eq!(
        node(&s, "bin/lower").entry.sha256,
        Some(Sha256::of(b"A")),
        "link keeps the bytes it linked"
    );
    assert_eq!(node(&s, "bin/a").entry.sha256, Some(Sha256::of(b"A2")));
    assert_eq!(node(&s, "bin/missing").entry.sha256, None);
    assert!(codes(&s).contains(&"hardlink-missing-target /bin/missing".to_string()));
}

#[test]
fn symlink_self_loops_cycles_and_deep_webs_resolve_with_a_limit() {
    let mut l = LayerBuilder::new()
        .file("usr/bin/curl", b"c", 0o755)
        .symlink("self", "self")
        .symlink("a", "b")
        .symlink("b", "a");
    for i in 0..50 {
        let t = if i == 49 {
            "/usr/bin/curl".to_string()
        } else {
            format!("w{}", i + 1)
        };
        l = l.symlink(&format!("w{i}"), &t);
    }
    let s = scan_layers(vec![l]);
    let lim = stowaway::Limits::default().max_link_depth;
    assert!(s.fs.resolve(b"/self", lim).is_err());
    assert!(s.fs.resolve(b"/a", lim).is_err());
    assert!(s.fs.resolve(b"/w0", lim).is_err());
    assert_eq!(
        s.fs.resolve(b"/w0", 64).unwrap().path,
        ImagePath::new("usr/bin/curl")
    );
}

#[test]
fn duplicate_entries_in_one_tar_last_wins_and_first_is_kept_as_hidden() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .file("x", b"first", 0o755)
            .file("x", b"second", 0o644),
    ]);
    assert_eq!(node(&s, "x").entry.sha256, Some(Sha256::of(b"second")));
    assert_eq!(s.fs.removed[0].entry.sha256, Some(Sha256::of(b"first")));
    assert!(codes(&s).contains(&"duplicate-entry /x".to_string()));
}

#[test]
fn dot_slash_prefixes_are_normalized() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .dir(".", 0o755)
            .file_bytes(b"./etc/hosts", b"h", 0o644, 0, 0)
            .file_bytes(b".//./", b"not a root", 0o644, 0, 0),
        LayerBuilder::new().whiteout("./etc/hosts"),
    ]);
    assert!(paths(&s).is_empty(), "{:?}", paths(&s));
    assert_eq!(s.fs.removed.len(), 1);
    assert!(
        codes(&s).contains(&"unanalyzable-entry /".to_string()),
        "{:?}",
        codes(&s)
    );
}

#[test]
fn long_names_pax_and_gnu() {
    let long = format!(
        "opt/{}/{}",
        "d".repeat(120),
        "tool-with-a-very-long-name".repeat(4)
    );
    let s = scan_layers(vec![
        LayerBuilder::new()
            .file(&long, b"gnu", 0o755)
            .file_pax(&format!("{long}-pax"), b"pax", 0o755)
            .symlink("short", &format!("/{long}")),
    ]);
    assert_eq!(node(&s, &long).entry.sha256, Some(Sha256::of(b"gnu")));
    assert_eq!(
        node(&s, &format!("{long}-pax")).entry.sha256,
        Some(Sha256::of(b"pax"))
    );
    assert_eq!(
        node(&s, "short").entry.link.as_deref(),
        Some(format!("/{long}").as_bytes())
    );
}

#[test]
fn gnu_sparse_file_is_hashed_expanded_and_reported() {
    let data = [b'D'; 512];
    let s = scan_layers(vec![LayerBuilder::new().sparse("var/sparse", &data, 8192)]);
    let mut expanded = data.to_vec();
    expanded.resize(8192, 0);
    expanded.extend_from_slice(&data);
    let n = node(&s, "var/sparse");
    assert_eq!(n.entry.size, 8192 + 512);
    assert_eq!(n.entry.sha256, Some(Sha256::of(&expanded)));
    assert!(codes(&s).contains(&"sparse-file /var/sparse".to_string()));
}

#[test]
fn tar_without_end_trailer_is_accepted() {
    let s = scan_layers(vec![
        LayerBuilder::new().file("a", b"a", 0o644).without_trailer(),
    ]);
    assert_eq!(paths(&s), ["/a"]);
}

#[test]
fn truncated_gzip_is_a_clear_error_naming_the_layer() {
    let mut i = img(vec![LayerBuilder::new().file(
        "big",
        &vec![7u8; 100_000],
        0o644,
    )]);
    let mut blob = i.layers[0].blob.clone();
    blob.truncate(blob.len() / 2);
    i.replace_layer_blob(0, blob);
    let (_t, r) = layout(&i);
    let err = scan(&r).err().unwrap().to_string();
    assert!(
        err.contains("layer 0") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn zstd_layers_and_mislabeled_media_types() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .compression(Compression::Zstd)
            .file("z", b"zstd", 0o644),
        LayerBuilder::new()
            .compression(Compression::Gzip)
            .media_type("application/vnd.oci.image.layer.v1.tar+zstd")
            .file("g", b"gzip", 0o644),
        LayerBuilder::new()
            .compression(Compression::None)
            .media_type("application/vnd.docker.image.rootfs.diff.tar.gzip")
            .file("p", b"plain", 0o644),
    ]);
    assert_eq!(paths(&s), ["/g", "/p", "/z"]);
    let comp: Vec<_> = s
        .image
        .layers
        .iter()
        .map(|l| l.compression.unwrap())
        .collect();
    assert_eq!(
        comp,
        [Compression::Zstd, Compression::Gzip, Compression::None]
    );
    let mislabeled: Vec<_> = s
        .findings
        .iter()
        .filter(|f| f.code == stowaway::Code::MislabeledCompression)
        .map(|f| f.layer.as_ref().unwrap().index)
        .collect();
    assert_eq!(mislabeled, [1, 2]);
}

#[test]
fn bytes_after_the_tar_end_marker_are_drained_and_verified() {
    // The diff_id covers the trailing bytes: a scanner that stops at the end
    // marker computes the wrong diff_id.
    let i = img(vec![
        LayerBuilder::new()
            .file("a", b"a", 0o644)
            .garbage_after_end(&[0x55; 3000]),
    ]);
    let (_t, r) = layout(&i);
    let s = scan_ok(&r);
    assert_eq!(s.image.layers[0].diff_id, Some(i.layers[0].diff_id));
    // And the same trailing bytes under the wrong diff_id are caught.
    let mut bad = i.clone();
    let honest = img(vec![LayerBuilder::new().file("a", b"a", 0o644)]).layers[0].diff_id;
    bad.edit_config(|c| c["rootfs"]["diff_ids"][0] = serde_json::json!(honest.to_string()));
    let (_t2, r2) = layout(&bad);
    let err = scan(&r2).err().unwrap().to_string();
    assert!(
        err.contains("diff_id mismatch") && err.contains("layer 0"),
        "{err}"
    );
}

#[test]
fn absolute_and_escaping_symlinks_are_recorded_not_followed() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .symlink("etc/alt", "/usr/share/alt")
            .symlink("var/escape", "../../../../etc/shadow"),
    ]);
    assert_eq!(
        node(&s, "etc/alt").entry.link.as_deref(),
        Some(&b"/usr/share/alt"[..])
    );
    assert_eq!(
        node(&s, "var/escape").entry.link.as_deref(),
        Some(&b"../../../../etc/shadow"[..])
    );
    let c = codes(&s);
    assert!(
        c.contains(&"symlink-escapes-root /var/escape".to_string()),
        "{c:?}"
    );
    assert!(
        !c.iter().any(|x| x.ends_with("/etc/alt")),
        "absolute symlinks are normal: {c:?}"
    );
}

#[test]
fn hostile_entries_become_findings_and_stay_inside_the_root() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .file_bytes(b"/etc/cron.d/evil", b"* * * * * root sh", 0o644, 0, 0)
            .file_bytes(b"../../../../tmp/pwned", b"x", 0o755, 0, 0)
            .file_bytes(b"bad/\xff\xfename", b"x", 0o644, 0, 0)
            .hardlink("usr/escape", "../../etc/shadow")
            .device("dev/mem", 'c', 1, 1)
            .device("dev/sda", 'b', 8, 0),
    ]);
    let c = codes(&s);
    for want in [
        "absolute-path /etc/cron.d/evil",
        "path-traversal /tmp/pwned",
        "path-traversal /usr/escape",
        "device-node /dev/mem",
        "device-node /dev/sda",
    ] {
        assert!(c.contains(&want.to_string()), "{want} in {c:?}");
    }
    assert!(
        paths(&s).contains(&"/bad/\\xff\\xfename".to_string()),
        "{:?}",
        paths(&s)
    );
    assert_eq!(node(&s, "dev/mem").entry.device, Some((1, 1)));
}

#[test]
fn decompression_bomb_stops_at_the_configured_limit() {
    let zeros = vec![0u8; 8 << 20];
    let i = img(vec![LayerBuilder::new().file("bomb", &zeros, 0o644)]);
    assert!(i.layers[0].blob.len() < 64 << 10, "compresses well");
    let (_t, r) = layout(&i);
    // A fresh store per run: a layer cached by an earlier run (of this test
    // or of the second scan below) is not read again, so no limit applies.
    let t = tmp();
    let db = |n: &str| t.path().join(n).display().to_string();
    let out = stowaway(&["scan", &r, "--db", &db("a.db"), "--max-layer-size", "1M"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("layer 0") && err.contains("--max-layer-size"),
        "{err}"
    );
    // The same image under the default limits scans fine.
    assert_eq!(
        stowaway(&["scan", &r, "--db", &db("b.db")]).status.code(),
        Some(0)
    );
    let out = stowaway(&["scan", &r, "--db", &db("c.db"), "--max-image-size", "2M"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-image-size"));
}

#[test]
fn entry_count_limit() {
    let mut l = LayerBuilder::new();
    for i in 0..50 {
        l = l.file(&format!("f{i}"), b"", 0o644);
    }
    let (_t, r) = layout(&img(vec![l]));
    let out = stowaway(&["inventory", &r, "--max-entries", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-entries"));
}

#[test]
fn huge_gnu_long_name_is_refused_before_it_is_buffered() {
    // A long-name member is read whole by tar readers; a crafted one can be
    // gigabytes of zeros that compress to almost nothing.
    let name = "n".repeat(1 << 20);
    let i = img(vec![
        LayerBuilder::new()
            .file(&name, b"x", 0o644)
            .file("after", b"y", 0o644),
    ]);
    let (_t, r) = layout(&i);
    let out = stowaway(&["inventory", &r]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("layer 0") && err.contains("--max-path-bytes"),
        "{err}"
    );
    // Raising the limit lets it through, and the entries after it are read.
    let opts = stowaway::ScanOptions {
        limits: stowaway::Limits {
            max_path_bytes: 2 << 20,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = stowaway::scan(&r, &opts).unwrap();
    assert_eq!(s.fs.nodes.len(), 2);
}

#[test]
fn setuid_and_setgid_files_visible_hidden_and_overwritten() {
    let s = scan_layers(vec![
        LayerBuilder::new()
            .dir("usr/bin", 0o755)
            .file("usr/bin/sg", b"#!/bin/sh\n", 0o2755)
            .file("usr/bin/sg-noexec", b"data", 0o2644)
            .file("usr/bin/su-noexec", b"data", 0o4644)
            .file("usr/bin/hidden", b"#!/bin/sh\n", 0o4755)
            .file("usr/bin/replaced", b"#!/bin/sh\n", 0o4755)
            .file("usr/bin/passwd", b"#!/bin/sh\n", 0o4755)
            .dir("tmp", 0o1777)
            .dir("srv", 0o6755),
        LayerBuilder::new().whiteout("usr/bin/hidden").file(
            "usr/bin/replaced",
            b"#!/bin/sh\n",
            0o755,
        ),
    ]);
    let special: Vec<String> = s
        .findings
        .iter()
        .filter(|f| matches!(f.code.as_str(), "setuid-file" | "setgid-file"))
        .map(|f| {
            format!(
                "{} {} {:?} L{} H{:?}",
                f.code,
                f.path.as_ref().unwrap().display(),
                f.severity,
                f.layer.as_ref().unwrap().index,
                f.hidden_in.as_ref().map(|l| l.index)
            )
        })
        .collect();
    let mut special = special;
    special.sort();
    // Not reported: setgid without group execute, directories, and the
    // setuid file overwritten by a plain one (what runs is the new one).
    assert_eq!(
        special,
        [
            "setgid-file /usr/bin/sg Low L0 HNone",
            "setuid-file /usr/bin/hidden Medium L0 HSome(1)",
            "setuid-file /usr/bin/passwd Low L0 HNone",
            "setuid-file /usr/bin/su-noexec Medium L0 HNone",
        ],
        "{special:#?}"
    );
    let hidden = s
        .findings
        .iter()
        .find(|f| f.code.as_str() == "setuid-file" && f.hidden_in.is_some())
        .unwrap();
    assert!(
        hidden
            .evidence
            .iter()
            .any(|e| e == "hidden by layer 1 (whiteout)"),
        "{:?}",
        hidden.evidence
    );
    assert_eq!(hidden.sha256, Some(Sha256::of(b"#!/bin/sh\n")));
}
