//! Integrity: every blob against its descriptor, every layer against its
//! diff_id; mismatches stop the scan with exit 2 and name what failed.

use stowaway::Error;
use stowaway::fixture::{ImageBuilder, LayerBuilder};

use crate::util::*;

fn two_layers() -> stowaway::fixture::BuiltImage {
    ImageBuilder::new()
        .layer(LayerBuilder::new().file("a", b"a", 0o644))
        .layer(LayerBuilder::new().file("b", &vec![1u8; 20_000], 0o755))
        .build()
}

#[test]
fn tampered_layer_blob_is_a_digest_mismatch_naming_layer_and_digests() {
    let img = two_layers();
    let t = tmp();
    let dir = t.path().join("l");
    img.write_oci_layout(&dir).unwrap();
    let blob_path = dir.join(format!("blobs/sha256/{}", img.layers[1].digest.hex()));
    let mut bytes = std::fs::read(&blob_path).unwrap();
    let n = bytes.len();
    bytes[n - 10] ^= 0xff; // inside the gzip trailer: decompression may still succeed
    std::fs::write(&blob_path, &bytes).unwrap();
    let r = format!("oci:{}", dir.display());
    match scan(&r) {
        Err(Error::DigestMismatch {
            what,
            expected,
            actual,
        }) => {
            assert!(what.contains("layer 1"), "{what}");
            assert_eq!(expected, img.layers[1].digest.to_string());
            assert_eq!(actual, stowaway::digest::Sha256::of(&bytes).to_string());
        }
        other => panic!("expected a digest mismatch, got {:?}", other.map(|_| ())),
    }
    let out = stowaway(&["scan", &r]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("layer 1") && err.contains(&img.layers[1].digest.to_string()),
        "{err}"
    );
}

#[test]
fn blob_longer_than_its_descriptor_is_a_mismatch() {
    let img = two_layers();
    let t = tmp();
    let dir = t.path().join("l");
    img.write_oci_layout(&dir).unwrap();
    let blob_path = dir.join(format!("blobs/sha256/{}", img.layers[0].digest.hex()));
    let mut bytes = std::fs::read(&blob_path).unwrap();
    bytes.extend_from_slice(b"appended");
    std::fs::write(&blob_path, &bytes).unwrap();
    let err = scan(&format!("oci:{}", dir.display())).err().unwrap();
    // Said as what it is (issue 15, defect 18), not as a digest of a partial read.
    assert!(matches!(err, Error::Layer { .. }), "{err}");
    assert!(err.to_string().contains("longer than"), "{err}");
    assert!(!err.to_string().contains("e3b0c442"), "{err}");
    assert!(err.to_string().contains("layer 0"));
}

#[test]
fn descriptor_size_mismatch() {
    let mut img = two_layers();
    let real = img.layers[0].blob.len();
    img.edit_manifest(|m| m["layers"][0]["size"] = serde_json::json!(real + 5));
    let (_t, r) = layout(&img);
    let err = scan(&r).err().unwrap();
    assert!(matches!(err, Error::SizeMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&format!("{}", real + 5)), "{err}");
}

#[test]
fn diff_id_mismatch_names_both_digests() {
    let mut img = two_layers();
    let wrong = stowaway::digest::Sha256::of(b"not the layer");
    img.edit_config(|c| c["rootfs"]["diff_ids"][1] = serde_json::json!(wrong.to_string()));
    let (_t, r) = layout(&img);
    let err = scan(&r).err().unwrap().to_string();
    assert!(err.contains("layer 1"), "{err}");
    assert!(
        err.contains(&wrong.to_string()) && err.contains(&img.layers[1].diff_id.to_string()),
        "{err}"
    );
}

#[test]
fn tampered_config_and_manifest_are_caught() {
    let img = two_layers();
    let t = tmp();
    let dir = t.path().join("l");
    img.write_oci_layout(&dir).unwrap();
    let cfg = dir.join(format!("blobs/sha256/{}", img.config_digest.hex()));
    let mut c = std::fs::read(&cfg).unwrap();
    c.push(b' ');
    std::fs::write(&cfg, c).unwrap();
    let err = scan(&format!("oci:{}", dir.display()))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("digest mismatch") && err.contains(&img.config_digest.hex()),
        "{err}"
    );
}

#[test]
fn layer_count_must_match_diff_ids() {
    let mut img = two_layers();
    img.edit_config(|c| {
        c["rootfs"]["diff_ids"].as_array_mut().unwrap().pop();
    });
    let (_t, r) = layout(&img);
    let err = scan(&r).err().unwrap().to_string();
    assert!(
        err.contains("2 layers") && err.contains("1 diff_ids"),
        "{err}"
    );
}

#[test]
fn garbage_and_missing_documents_are_errors_not_panics() {
    let t = tmp();
    let dir = t.path().join("l");
    two_layers().write_oci_layout(&dir).unwrap();
    let r = format!("oci:{}", dir.display());
    for body in [
        &b"{"[..],
        b"[]",
        b"{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"md5:00\"}]}",
        b"\xff\xfe",
    ] {
        std::fs::write(dir.join("index.json"), body).unwrap();
        let out = stowaway(&["scan", &r]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(body)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("index.json"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_file(dir.join("oci-layout")).unwrap();
    let out = stowaway(&["scan", &r]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("oci-layout"));
    let out = stowaway(&["scan", "oci:/nonexistent/stowaway"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn oversized_json_documents_are_refused() {
    let img = two_layers();
    let (_t, r) = layout(&img);
    let out = stowaway(&["scan", &r, "--max-json-size", "64"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-json-size"));
}
