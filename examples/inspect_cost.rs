//! Measures per-file inspection cost (goblin parse, catalogue identification,
//! script rules) on the programs of a directory, e.g.
//! `cargo run --release --example inspect_cost -- /usr/bin`.
//! Prints the count, the median and the 99th percentile in microseconds.

use std::time::Instant;

use stowaway::inspect::{self, Want};
use stowaway::layer::ContentKind;
use stowaway::path::ImagePath;

fn main() -> std::io::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/usr/bin".into());
    // Compile the catalogue first: that one-time cost is not per file.
    let _ = stowaway::catalog::get();
    let mut bin_us = Vec::new();
    let mut script_us = Vec::new();
    let mut bytes = 0u64;
    for e in walkdir::WalkDir::new(&dir).follow_links(false) {
        let e = e?;
        if !e.file_type().is_file() {
            continue;
        }
        let Ok(buf) = std::fs::read(e.path()) else {
            continue;
        };
        let buf = &buf[..buf.len().min(8 << 20)];
        let path = ImagePath::new(e.path().to_string_lossy().as_bytes());
        let head = &buf[..buf.len().min(512)];
        let Some(want) = inspect::wants(&path, ContentKind::sniff(head), head) else {
            continue;
        };
        let t = Instant::now();
        let facts = inspect::inspect(&path, want, buf, false);
        let us = t.elapsed().as_secs_f64() * 1e6;
        std::hint::black_box(facts);
        bytes += buf.len() as u64;
        match want {
            Want::Binary => bin_us.push(us),
            Want::Script(_) => script_us.push(us),
        }
    }
    for (what, mut v) in [("binaries", bin_us), ("scripts", script_us)] {
        if v.is_empty() {
            continue;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
        println!(
            "{what}: {} files, median {:.0} us, p99 {:.0} us, max {:.0} us",
            v.len(),
            pct(0.5),
            pct(0.99),
            v[v.len() - 1]
        );
    }
    println!("{} MiB inspected", bytes >> 20);
    Ok(())
}
