//! The physical limit of a one-layer scan: one thread that only inflates
//! each blob (the scanner's own decoders: zlib-rs gzip, zstd) and
//! sha256-hashes the tar (the scanner's own hasher), nothing else.
//! `cargo run --release --example inflate_limit -- LAYER...` prints the
//! best of three wall times in seconds, for benches/bench.sh.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use stowaway::digest::Hasher;
use stowaway::layer::{Sniffed, decoder, sniff_compression};

fn inflate_and_hash(path: &str) -> std::io::Result<u64> {
    let mut f = BufReader::with_capacity(1 << 16, File::open(path)?);
    let Sniffed::Known(c) = sniff_compression(f.fill_buf()?) else {
        return Err(std::io::Error::other(format!(
            "{path}: unsupported compression"
        )));
    };
    let mut d = decoder(f, c)?;
    let mut h = Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = d.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        total += n as u64;
    }
    std::hint::black_box(h.finish());
    Ok(total)
}

fn main() -> std::io::Result<()> {
    let layers: Vec<String> = std::env::args().skip(1).collect();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        for l in &layers {
            inflate_and_hash(l)?;
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{best:.3}");
    Ok(())
}
