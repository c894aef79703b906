//! Packs existing layer blobs (gzip, zstd or plain tar files) into an OCI
//! image layout, for benchmarks on real data:
//! `cargo run --release --example pack_layout -- OUT_DIR LAYER...`.
//! Blobs are copied into `OUT_DIR/blobs/sha256/`, hashed as they stream;
//! the diff_id of each layer is computed by decompressing it once.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::json;
use stowaway::digest::{HashingReader, Sha256};
use stowaway::layer::{Compression, Sniffed, decoder, sniff_compression};

fn hash_copy(src: &Path, dst_dir: &Path) -> io::Result<(Sha256, u64)> {
    let tmp = dst_dir.join("incoming");
    let mut r = HashingReader::new(File::open(src)?, u64::MAX);
    io::copy(&mut r, &mut File::create(&tmp)?)?;
    let (d, n) = r.finish();
    std::fs::rename(&tmp, dst_dir.join(d.hex()))?;
    Ok((d, n))
}

/// The diff_id (sha256 of the uncompressed tar) and the media type, using
/// the same compression detection and decoders as the scanner.
fn diff_id(src: &Path) -> io::Result<(Sha256, &'static str)> {
    let mut f = BufReader::new(File::open(src)?);
    let compression = match sniff_compression(f.fill_buf()?) {
        Sniffed::Known(c) => c,
        Sniffed::Unsupported(name) => {
            return Err(io::Error::other(format!("{name} layers are not supported")));
        }
    };
    let mt = match compression {
        Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        Compression::None => "application/vnd.oci.image.layer.v1.tar",
    };
    let mut r = HashingReader::new(decoder(f, compression)?, u64::MAX);
    io::copy(&mut r, &mut io::sink())?;
    Ok((r.finish().0, mt))
}

fn write_blob(dir: &Path, bytes: &[u8]) -> io::Result<(Sha256, usize)> {
    let d = Sha256::of(bytes);
    std::fs::write(dir.join(d.hex()), bytes)?;
    Ok((d, bytes.len()))
}

const USAGE: &str = "usage: pack_layout OUT_DIR LAYER...";

/// OUT_DIR and the layers, or `None` for `--help`; an option or a missing
/// argument is an error (never a directory named `--help`).
fn parse_args(args: &[String]) -> Result<Option<(PathBuf, Vec<PathBuf>)>, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    if let Some(opt) = args.iter().find(|a| a.starts_with('-')) {
        return Err(format!("unknown option {opt}; {USAGE}"));
    }
    match args {
        [out, layers @ ..] if !layers.is_empty() => Ok(Some((
            out.into(),
            layers.iter().map(PathBuf::from).collect(),
        ))),
        _ => Err(USAGE.to_string()),
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, layers) = match parse_args(&args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return Ok(());
        }
        Err(e) => return Err(io::Error::other(e)),
    };
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

#[cfg(test)]
mod tests {
    use super::parse_args;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn help_and_options_are_not_directories() {
        assert_eq!(parse_args(&args(&["--help"])), Ok(None));
        assert_eq!(parse_args(&args(&["out", "-h"])), Ok(None));
        assert!(parse_args(&args(&["--force", "a.tar"])).is_err());
        assert!(parse_args(&args(&["out"])).is_err());
        assert!(parse_args(&args(&[])).is_err());
        let (out, layers) = parse_args(&args(&["out", "a.tar", "b.tar"]))
            .unwrap()
            .unwrap();
        assert_eq!(out, std::path::PathBuf::from("out"));
        assert_eq!(layers.len(), 2);
    }
}
