//! The command-line contract: command names, JSON fields, exit codes, and
//! the shipped demo image.

use serde_json::Value;
use stowaway::fixture::{ImageBuilder, LayerBuilder, demo_image};

use crate::util::*;

const DEMO: &str = concat!("oci:", env!("CARGO_MANIFEST_DIR"), "/examples/demo-image");

fn json_of(args: &[&str]) -> (Value, i32) {
    let out = stowaway(args);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap())
}

#[test]
fn committed_demo_image_matches_its_builder() {
    let t = tmp();
    demo_image().build().write_oci_layout(t.path()).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-image");
    for e in walkdir::WalkDir::new(t.path()) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(t.path()).unwrap();
            let committed = std::fs::read(dir.join(rel)).unwrap_or_default();
            assert!(
                committed == std::fs::read(e.path()).unwrap(),
                "examples/demo-image/{} is stale: run `cargo run --example build_demo`",
                rel.display()
            );
        }
    }
}

#[test]
fn inventory_json_contract() {
    let (v, code) = json_of(&["inventory", DEMO, "--format", "json", "--all-layers"]);
    assert_eq!(code, 0);
    for k in ["reference", "digest", "config_digest", "platform", "layers"] {
        assert!(v["image"].get(k).is_some(), "image.{k}");
    }
    let files = v["files"].as_array().unwrap();
    let helper = files
        .iter()
        .find(|f| f["path"] == "/usr/local/bin/helper")
        .unwrap();
    for k in [
        "path",
        "type",
        "mode",
        "uid",
        "gid",
        "size",
        "sha256",
        "link",
        "layer",
        "layer_digest",
    ] {
        assert!(helper.get(k).is_some(), "files[].{k}");
    }
    assert_eq!(helper["type"], "file");
    assert_eq!(helper["mode"], "4755");
    assert_eq!(helper["layer"], 1);
    assert!(helper["sha256"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(helper["layer_digest"], v["image"]["layers"][1]["digest"]);
    let dir = files
        .iter()
        .find(|f| f["path"] == "/usr/local/bin")
        .unwrap();
    assert_eq!(dir["type"], "dir");
    assert!(dir["sha256"].is_null());
    let removed = v["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1);
    let r = &removed[0];
    assert_eq!(r["path"], "/usr/local/bin/fetch.sh");
    assert_eq!(
        (r["added_in"].as_u64(), r["removed_in"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(r["how"], "whiteout");
    assert!(r["sha256"].as_str().unwrap().starts_with("sha256:"));
    // Without --all-layers, no "removed".
    let (v, _) = json_of(&["inventory", DEMO, "--format", "json"]);
    assert!(v.get("removed").is_none());
}

#[test]
fn scan_json_contract_and_exit_codes() {
    let (v, code) = json_of(&["scan", DEMO, "--format", "json"]);
    assert_eq!(
        code, 1,
        "the demo ships a download-and-execute script; default --fail-on is high"
    );
    let layer = &v["image"]["layers"][1];
    for k in [
        "index",
        "digest",
        "diff_id",
        "media_type",
        "compression",
        "size",
        "created_by",
    ] {
        assert!(layer.get(k).is_some(), "layers[].{k}");
    }
    assert_eq!(layer["compression"], "gzip");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "removed-executable")
        .unwrap();
    for k in [
        "code",
        "severity",
        "technique",
        "title",
        "path",
        "layer",
        "sha256",
        "evidence",
    ] {
        assert!(f.get(k).is_some(), "findings[].{k}");
    }
    assert_eq!(f["layer"], 1);
    assert_eq!(f["hidden_in"], 2);
    assert!(f["created_by"].as_str().unwrap().contains("curl"));
    // The build step downloads fetch.sh and chmods another file (helper):
    // a download, not a download-then-run (the chain needs the same file).
    assert_eq!(v["summary"]["by_severity"]["medium"], 3);
    assert_eq!(v["summary"]["by_severity"]["critical"], 1);

    // A benign image passes; the threshold decides.
    let t = tmp();
    let benign = ImageBuilder::new()
        .layer(
            LayerBuilder::new()
                .file("app/run", b"#!/bin/sh\nexec /app/server\n", 0o755)
                .file_bytes(b"usr/bin/su", b"x", 0o4755, 0, 0),
        )
        .build();
    let dir = t.path().join("benign");
    benign.write_oci_layout(&dir).unwrap();
    let r = format!("oci:{}", dir.display());
    assert_eq!(json_of(&["scan", &r, "--format", "json"]).1, 0);
    assert_eq!(
        json_of(&["scan", &r, "--format", "json", "--fail-on", "low"]).1,
        1
    );
    let out = stowaway(&["scan", DEMO, "--fail-on", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_output_has_rules_results_and_fingerprints() {
    let (v, _) = json_of(&["scan", DEMO, "--format", "sarif"]);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), stowaway::finding::CODES.len());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(
            r["partialFingerprints"]["stowaway/v1"]
                .as_str()
                .unwrap()
                .len()
                == 64
        );
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        // Files by their path; the history step at the config blob.
        assert!(
            uri.starts_with("usr/") || uri.starts_with("blobs/sha256/"),
            "{uri}"
        );
    }
}

#[test]
fn table_output_and_output_file() {
    let t = tmp();
    let out_file = t.path().join("report.txt");
    let out = stowaway(&["scan", DEMO, "--output", out_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(
        text.contains("removed-executable") && text.contains("/usr/local/bin/fetch.sh"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour in files");
    let out = stowaway(&["inventory", DEMO, "--all-layers"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Shipped but hidden") && text.contains("whiteout"),
        "{text}"
    );
}

#[test]
fn explain_lists_and_describes_codes() {
    let out = stowaway(&["explain"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for c in stowaway::finding::CODES {
        assert!(text.contains(c.code), "{}", c.code);
    }
    let out = stowaway(&["explain", "removed-executable"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("T1564"));
    assert_eq!(stowaway(&["explain", "nope"]).status.code(), Some(2));
}

#[test]
#[cfg(not(feature = "registry"))]
fn registry_references_without_the_feature_are_refused_clearly() {
    let out = stowaway(&["scan", "docker://registry.invalid/app:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--features registry"));
}

#[test]
#[cfg(feature = "registry")]
fn unreachable_registries_are_a_clear_error() {
    // Port 1 on loopback: nothing listens there.
    let out = stowaway(&["scan", "docker://127.0.0.1:1/app:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("registry 127.0.0.1:1/app"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn compressed_archives_are_read_like_plain_ones() {
    // `docker save | gzip` and zstd-compressed archives, of both kinds.
    let t = tmp();
    let img = crate::sources::scenario().build();
    let plain_docker = t.path().join("d.tar");
    img.write_docker_archive(&plain_docker).unwrap();
    let plain_oci = t.path().join("o.tar");
    img.write_oci_archive(&plain_oci).unwrap();
    let want = rows(&scan_ok(&format!(
        "docker-archive:{}",
        plain_docker.display()
    )));
    for (plain, transport) in [
        (&plain_docker, "docker-archive"),
        (&plain_oci, "oci-archive"),
    ] {
        for c in [
            stowaway::layer::Compression::Gzip,
            stowaway::layer::Compression::Zstd,
        ] {
            let packed = t.path().join(format!("{transport}.{}", c.as_str()));
            std::fs::write(
                &packed,
                stowaway::fixture::compress(&std::fs::read(plain).unwrap(), c),
            )
            .unwrap();
            assert_eq!(
                rows(&scan_ok(&format!("{transport}:{}", packed.display()))),
                want,
                "{transport} {}",
                c.as_str()
            );
        }
    }
    // A compressed archive cut short is a clear error.
    let gz = std::fs::read(t.path().join("docker-archive.gzip")).unwrap();
    let cut = t.path().join("cut.tar.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let out = stowaway(&["scan", &format!("docker-archive:{}", cut.display())]);
    assert_eq!(out.status.code(), Some(2));
}
