//! Packs existing layer blobs (gzip, zstd or plain tar files) into an OCI
//! image layout, for benchmarks on real data:
//! `cargo run --release --example pack_layout -- OUT_DIR LAYER...`.
//! Blobs are copied into `OUT_DIR/blobs/sha256/`, hashed as they stream;
//! the diff_id of each layer is computed by decompressing it once.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::json;
use stowaway::digest::{Hasher, Sha256};

fn hash_copy(src: &Path, dst_dir: &Path) -> io::Result<(Sha256, u64)> {
    let tmp = dst_dir.join("incoming");
    let mut out = File::create(&tmp)?;
    let mut r = File::open(src)?;
    let mut h = Hasher::new();
    let mut n = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = r.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        out.write_all(&buf[..k])?;
        n += k as u64;
    }
    let d = h.finish();
    std::fs::rename(&tmp, dst_dir.join(d.hex()))?;
    Ok((d, n))
}

fn diff_id(src: &Path) -> io::Result<(Sha256, &'static str)> {
    let mut f = BufReader::new(File::open(src)?);
    let mut magic = [0u8; 4];
    f.get_mut().read_exact(&mut magic)?;
    let f = BufReader::new(File::open(src)?);
    let (mut r, mt): (Box<dyn Read>, &'static str) = match magic {
        [0x1f, 0x8b, ..] => (
            Box::new(flate2::read::MultiGzDecoder::new(f)),
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
        [0x28, 0xb5, 0x2f, 0xfd] => (
            Box::new(zstd::Decoder::new(f)?),
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
        _ => (Box::new(f), "application/vnd.oci.image.layer.v1.tar"),
    };
    let mut h = Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = r.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
    }
    Ok((h.finish(), mt))
}

fn write_blob(dir: &Path, bytes: &[u8]) -> io::Result<(Sha256, usize)> {
    let d = Sha256::of(bytes);
    std::fs::write(dir.join(d.hex()), bytes)?;
    Ok((d, bytes.len()))
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out: PathBuf = args
        .next()
        .expect("usage: pack_layout OUT_DIR LAYER...")
        .into();
    let layers: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let blobs = out.join("blobs/sha256");
    std::fs::create_dir_all(&blobs)?;
    let mut descs = Vec::new();
    let mut diff_ids = Vec::new();
    let mut history = Vec::new();
    for l in &layers {
        let (digest, size) = hash_copy(l, &blobs)?;
        let (diff, mt) = diff_id(l)?;
        descs.push(json!({"mediaType": mt, "digest": digest.to_string(), "size": size}));
        diff_ids.push(diff.to_string());
        history.push(json!({"created_by": format!("ADD {}", l.display())}));
    }
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history, "config": {}
    }))?;
    let (cd, cs) = write_blob(&blobs, &config)?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd.to_string(), "size": cs},
        "layers": descs
    }))?;
    let (md, ms) = write_blob(&blobs, &manifest)?;
    std::fs::write(out.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    std::fs::write(
        out.join("index.json"),
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md.to_string(), "size": ms}
        ]}))?,
    )?;
    println!("oci:{}", out.display());
    Ok(())
}
