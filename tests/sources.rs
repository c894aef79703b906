//! Every source kind reads the same image the same way; platform, tag and
//! digest selection; root file system directories.

use serde_json::json;
use stowaway::fixture::{
    ImageBuilder, LayerBuilder, write_multi_image_layout, write_multi_platform_layout,
};
use stowaway::layer::EntryType;

use crate::util::*;

/// A scenario touching most of the layer model.
pub fn scenario() -> ImageBuilder {
    ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .created_by("ADD rootfs.tar /")
                .dir("bin", 0o755)
                .file("bin/busybox", b"\x7fELF fake busybox", 0o755)
                .hardlink("bin/wget", "bin/busybox")
                .symlink("bin/sh", "busybox")
                .dir("etc", 0o755)
                .file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n", 0o644)
                .dir("opt/tools", 0o755)
                .file("opt/tools/fetch", b"#!/bin/sh\ncurl http://x | sh\n", 0o755)
                .file("opt/tools/keep", b"keep", 0o644)
                .fifo("run/fifo")
                .file_bytes(b"usr/bin/su", b"\x7fELF su", 0o4755, 0, 0),
        )
        .empty_step("ENV A=1")
        .layer(
            LayerBuilder::new()
                .created_by("RUN rm -rf /opt/tools && apk add curl")
                .opaque("opt/tools")
                .dir("opt/tools", 0o755)
                .file("opt/tools/new", b"new", 0o644)
                .whiteout("etc/passwd")
                .file("usr/bin/curl", b"\x7fELF curl", 0o755),
        )
        .layer(
            LayerBuilder::new()
                .created_by("RUN echo root >> /etc/passwd")
                .file("etc/passwd", b"root:x:0:0::/root:/bin/ash\n", 0o644)
                .hardlink("usr/bin/curl2", "usr/bin/curl"),
        )
        .config("Entrypoint", json!(["/bin/sh"]))
}

#[test]
fn every_source_kind_gives_the_same_inventory() {
    let t = tmp();
    let img = scenario().build();
    let refs = all_forms(&img, t.path());
    let scans: Vec<_> = refs.iter().map(|r| scan_ok(r)).collect();
    let first = rows(&scans[0]);
    assert!(first.len() > 10, "{first:#?}");
    for (r, s) in refs.iter().zip(&scans) {
        assert_eq!(rows(s), first, "{r}");
        assert_eq!(removed_rows(s), removed_rows(&scans[0]), "{r}");
        assert_eq!(codes(s), codes(&scans[0]), "{r}");
        let steps: Vec<_> = s
            .image
            .layers
            .iter()
            .map(|l| l.created_by.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            steps,
            [
                "ADD rootfs.tar /",
                "RUN rm -rf /opt/tools && apk add curl",
                "RUN echo root >> /etc/passwd"
            ],
            "{r}: history steps skip empty_layer entries"
        );
        for (l, built) in s.image.layers.iter().zip(&img.layers) {
            assert_eq!(l.diff_id, Some(built.diff_id), "{r}");
        }
    }
    let s = &scans[0];
    let p = paths(s);
    assert!(p.contains(&"/opt/tools/new".to_string()));
    assert!(!p.contains(&"/opt/tools/fetch".to_string()));
    let wget = &s.fs.nodes[&stowaway::path::ImagePath::new("bin/wget")];
    assert_eq!(wget.entry.kind, EntryType::Hardlink);
    assert_eq!(
        wget.entry.sha256,
        Some(stowaway::digest::Sha256::of(b"\x7fELF fake busybox"))
    );
    let passwd = &s.fs.nodes[&stowaway::path::ImagePath::new("etc/passwd")];
    assert_eq!(
        (passwd.added_in, passwd.layer),
        (2, 2),
        "re-added after a whiteout"
    );
    let c = codes(s);
    assert!(
        c.contains(&"removed-executable /opt/tools/fetch".to_string()),
        "{c:?}"
    );
    assert!(c.contains(&"setuid-file /usr/bin/su".to_string()), "{c:?}");
}

#[test]
fn multi_platform_index_picks_by_platform_and_skips_attestations() {
    let t = tmp();
    let amd = ImageBuilder::new()
        .layer(LayerBuilder::new().file("arch", b"amd64", 0o644))
        .build();
    let arm = ImageBuilder::new()
        .platform("linux", "arm64", Some("v8"))
        .layer(LayerBuilder::new().file("arch", b"arm64", 0o644))
        .build();
    let dir = t.path().join("multi");
    write_multi_platform_layout(&dir, &[amd.clone(), arm.clone()], true).unwrap();
    let r = format!("oci:{}", dir.display());
    let sha = |s: &stowaway::Scan| s.fs.nodes.values().next().unwrap().entry.sha256;

    let s = scan_ok(&r);
    assert_eq!(sha(&s), Some(stowaway::digest::Sha256::of(b"amd64")));
    assert_eq!(s.image.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(s.image.digest, Some(amd.manifest_digest));

    let opts = stowaway::ScanOptions {
        platform: Some("linux/arm64".parse().unwrap()),
        ..Default::default()
    };
    let s = stowaway::scan(&r, &opts).unwrap();
    assert_eq!(sha(&s), Some(stowaway::digest::Sha256::of(b"arm64")));
    assert_eq!(s.image.platform.as_deref(), Some("linux/arm64/v8"));

    let out = stowaway(&["inventory", &r, "--platform", "linux/s390x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("linux/s390x")
            && err.contains("linux/amd64")
            && err.contains("linux/arm64/v8"),
        "{err}"
    );
    assert!(
        !err.contains("unknown/unknown"),
        "attestations are not platforms: {err}"
    );

    // Without amd64 and without --platform: ambiguous, listed.
    let arm7 = ImageBuilder::new()
        .platform("linux", "arm", Some("v7"))
        .layer(LayerBuilder::new())
        .build();
    let dir2 = t.path().join("multi2");
    write_multi_platform_layout(&dir2, &[arm, arm7], false).unwrap();
    let err = scan(&format!("oci:{}", dir2.display()))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("linux/arm64/v8") && err.contains("linux/arm/v7"),
        "{err}"
    );
}

#[test]
fn tags_and_digests_select_images() {
    let t = tmp();
    let a = ImageBuilder::new()
        .tag("a")
        .layer(LayerBuilder::new().file("f", b"A", 0o644))
        .build();
    let b = ImageBuilder::new()
        .tag("b")
        .layer(LayerBuilder::new().file("f", b"B", 0o644))
        .build();
    let dir = t.path().join("two");
    write_multi_image_layout(&dir, &[a.clone(), b.clone()]).unwrap();
    let d = dir.display();
    match scan(&format!("oci:{d}")).err().unwrap() {
        stowaway::Error::Ambiguous { choices, .. } => assert_eq!(choices, ["a", "b"]),
        other => panic!("expected an ambiguous layout, got {other}"),
    }
    let err = scan(&format!("oci:{d}")).err().unwrap().to_string();
    assert!(err.contains("a, b"), "lists the tags: {err}");
    match scan(&format!("oci:{d}:c")).err().unwrap() {
        stowaway::Error::NotFound { what, choices, .. } => {
            assert!(what.contains("\"c\""), "{what}");
            assert_eq!(choices, ["a", "b"]);
        }
        other => panic!("expected a missing tag, got {other}"),
    }
    assert_eq!(
        scan_ok(&format!("oci:{d}:b")).image.digest,
        Some(b.manifest_digest)
    );
    assert_eq!(
        scan_ok(&format!("oci:{d}@{}", a.manifest_digest))
            .image
            .digest,
        Some(a.manifest_digest)
    );
    let err = scan(&format!("oci:{d}:c")).err().unwrap().to_string();
    assert!(err.contains("\"c\"") && err.contains("a, b"), "{err}");
}

#[test]
fn docker_archive_prefers_manifest_json_when_index_has_null_manifests() {
    let t = tmp();
    let img = scenario().tag("app:1").build();
    let da = t.path().join("d.tar");
    img.write_docker_archive(&da).unwrap();
    // Add an index.json with "manifests": null and an oci-layout, as some docker versions do.
    let mut files = read_tar(&da);
    files.push((
        "index.json".into(),
        br#"{"schemaVersion":2,"manifests":null}"#.to_vec(),
    ));
    files.push((
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    std::fs::write(&da, stowaway::fixture::tar_of(&files)).unwrap();
    let s = scan_ok(&format!("docker-archive:{}", da.display()));
    assert_eq!(
        rows(&s),
        rows(&scan_ok(&format!("docker-archive:{}:app:1", da.display())))
    );
    // The same index.json in an OCI layout is a clean error.
    let dir = t.path().join("layout");
    img.write_oci_layout(&dir).unwrap();
    std::fs::write(
        dir.join("index.json"),
        br#"{"schemaVersion":2,"manifests":null}"#,
    )
    .unwrap();
    let err = scan(&format!("oci:{}", dir.display()))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("no image manifests"), "{err}");
}

#[test]
fn oci_style_docker_archive_with_attestation() {
    let t = tmp();
    let img = scenario().build();
    let dir = t.path().join("layout");
    write_multi_platform_layout(&dir, std::slice::from_ref(&img), true).unwrap();
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&dir) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let name = e.path().strip_prefix(&dir).unwrap().display().to_string();
            files.push((name, std::fs::read(e.path()).unwrap()));
        }
    }
    let da = t.path().join("new-docker.tar");
    std::fs::write(&da, stowaway::fixture::tar_of(&files)).unwrap();
    let s = scan_ok(&format!("docker-archive:{}", da.display()));
    assert_eq!(s.image.digest, Some(img.manifest_digest));
    assert_eq!(rows(&s), rows(&scan_ok(&format!("oci:{}", dir.display()))));
}

#[test]
fn rootfs_directory_is_one_layer_and_links_are_not_followed() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let t = tmp();
    let root = t.path().join("rootfs");
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    std::fs::write(root.join("usr/bin/tool"), b"#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(
        root.join("usr/bin/tool"),
        std::fs::Permissions::from_mode(0o4755),
    )
    .unwrap();
    symlink("/etc/shadow", root.join("shadow")).unwrap();
    symlink("../../../../..", root.join("up")).unwrap();
    let s = scan_ok(&format!("dir:{}", root.display()));
    let shadow = &s.fs.nodes[&stowaway::path::ImagePath::new("shadow")];
    assert_eq!(shadow.entry.kind, EntryType::Symlink);
    assert_eq!(shadow.entry.link.as_deref(), Some(&b"/etc/shadow"[..]));
    assert_eq!(
        shadow.entry.sha256, None,
        "the host's /etc/shadow is never read"
    );
    let tool = &s.fs.nodes[&stowaway::path::ImagePath::new("usr/bin/tool")];
    assert_eq!(
        tool.entry.sha256,
        Some(stowaway::digest::Sha256::of(b"#!/bin/sh\necho hi\n"))
    );
    assert!(codes(&s).contains(&"setuid-file /usr/bin/tool".to_string()));
    // A bare directory path works too.
    assert_eq!(rows(&scan_ok(root.to_str().unwrap())), rows(&s));
}

fn read_tar(p: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(std::fs::File::open(p).unwrap());
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut v).unwrap();
            (name, v)
        })
        .collect()
}

#[test]
fn foreign_layers_present_in_the_store_are_read_like_any_layer() {
    // (A foreign layer the store lacks is an incomplete scan: see
    // fail_closed::foreign_layer_missing_from_a_local_store_is_an_incomplete_scan.)
    let t = tmp();
    let img = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .media_type("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")
                .file("windows/base", b"base", 0o644),
        )
        .layer(LayerBuilder::new().file("app/x", b"x", 0o644))
        .build();
    let dir = t.path().join("l");
    // Present in the store, it is read like any layer.
    img.write_oci_layout(&dir).unwrap();
    assert_eq!(
        paths(&scan_ok(&format!("oci:{}", dir.display()))),
        ["/app/x", "/windows/base"]
    );
}
