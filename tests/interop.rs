//! Interoperability with the tools the ecosystem uses: images converted by
//! skopeo (docker-archive, zstd, uncompressed) and umoci read the same.
//! `.ci/run` installs both and sets STOWAWAY_REQUIRE_TOOLS, so CI never skips.

use std::process::Command;

use crate::sources::scenario;
use crate::util::*;

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg_attr(not(has_tool = "skopeo"), ignore = "needs skopeo")]
#[test]
fn skopeo_conversions_keep_the_inventory() {
    if !require("skopeo") {
        return;
    }
    let t = tmp();
    let img = scenario().tag("v1").build();
    let src = t.path().join("src");
    img.write_oci_layout(&src).unwrap();
    let src_ref = format!("oci:{}:v1", src.display());
    let want = rows(&scan_ok(&src_ref));

    let da = t.path().join("docker.tar");
    run(Command::new("skopeo").args([
        "copy",
        "--quiet",
        &src_ref,
        &format!("docker-archive:{}:app:v1", da.display()),
    ]));
    assert_eq!(
        rows(&scan_ok(&format!("docker-archive:{}", da.display()))),
        want,
        "docker-archive"
    );

    let zst = t.path().join("zstd");
    run(Command::new("skopeo").args([
        "copy",
        "--quiet",
        "--dest-compress-format",
        "zstd",
        &src_ref,
        &format!("oci:{}:v1", zst.display()),
    ]));
    let s = scan_ok(&format!("oci:{}:v1", zst.display()));
    assert_eq!(rows(&s), want, "zstd");
    assert!(
        s.image
            .layers
            .iter()
            .all(|l| l.compression == Some(stowaway::layer::Compression::Zstd))
    );

    let plain = t.path().join("plain");
    // docker-archive layers are uncompressed; keep them so in an OCI layout.
    run(Command::new("skopeo").args([
        "copy",
        "--quiet",
        "--dest-oci-accept-uncompressed-layers",
        &format!("docker-archive:{}", da.display()),
        &format!("oci:{}:v1", plain.display()),
    ]));
    let s = scan_ok(&format!("oci:{}:v1", plain.display()));
    assert_eq!(rows(&s), want, "uncompressed");
    assert!(
        s.image
            .layers
            .iter()
            .all(|l| l.compression == Some(stowaway::layer::Compression::None))
    );
}

#[cfg_attr(not(has_tool = "umoci"), ignore = "needs umoci")]
#[test]
fn umoci_repack_keeps_file_contents() {
    if !require("umoci") {
        return;
    }
    let t = tmp();
    let img = scenario().tag("v1").build();
    let layout = t.path().join("layout");
    img.write_oci_layout(&layout).unwrap();
    let bundle = t.path().join("bundle");
    let l = layout.display().to_string();
    run(Command::new("umoci").args([
        "unpack",
        "--rootless",
        "--image",
        &format!("{l}:v1"),
        bundle.to_str().unwrap(),
    ]));
    run(Command::new("umoci").args([
        "repack",
        "--image",
        &format!("{l}:v2"),
        bundle.to_str().unwrap(),
    ]));
    let v1 = scan_ok(&format!("oci:{l}:v1"));
    let v2 = scan_ok(&format!("oci:{l}:v2"));
    // umoci rewrites owners (rootless) and may add the root dir; compare content.
    let content = |s: &stowaway::Scan| {
        let mut v: Vec<String> =
            s.fs.nodes
                .values()
                .filter(|n| n.entry.kind != stowaway::layer::EntryType::Dir)
                .map(|n| format!("{} {:?}", n.entry.path, n.entry.sha256.map(|d| d.hex())))
                .collect();
        v.sort();
        v
    };
    assert_eq!(content(&v2), content(&v1));
}
