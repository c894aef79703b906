//! Measures per-file inspection cost (the whole-file binary stream in 256 KiB
//! chunks, goblin parse of the 8 MiB prefix, catalogue identification,
//! script rules; not sha256) on the programs of a directory, e.g.
//! `cargo run --release --example inspect_cost -- /usr/bin`.
//! Prints the count, the median and the 99th percentile in microseconds.

use std::time::Instant;

use stowaway::inspect::{self, BinaryStream, Want};
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
        let whole = buf.len();
        let prefix = 8 << 20;
        let path = ImagePath::new(e.path().to_string_lossy().as_bytes());
        let head = &buf[..buf.len().min(512)];
        let Some(want) = inspect::wants(&path, ContentKind::sniff(head), head) else {
            continue;
        };
        let t = Instant::now();
        let facts = if want == Want::Binary {
            let mut stream = BinaryStream::new(prefix);
            for chunk in buf.chunks(256 << 10) {
                stream.feed(chunk);
            }
            // As the layer walk does: a dynamic ELF's tables are kept whole.
            let tables = stream.tables_end().unwrap_or(0).min(4 * prefix as u64) as usize;
            let keep = prefix.max(tables);
            let truncated = whole > keep;
            let mut kept = buf[..whole.min(keep)].to_vec();
            if truncated {
                stream.patch_prefix(&mut kept);
            }
            inspect::inspect_streamed(&path, want, &kept, truncated, Some(stream.finish()))
        } else {
            inspect::inspect(&path, want, &buf[..whole.min(prefix)], false)
        };
        let us = t.elapsed().as_secs_f64() * 1e6;
        std::hint::black_box(facts);
        bytes += whole as u64;
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
