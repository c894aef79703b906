//! Writes an OCI layout holding one layer of N empty files, for memory and
//! warm-rescan measurements: `cargo run --release --example many_files
//! --features fixture -- OUT_DIR N`.

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: many_files OUT_DIR N");
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("usage: many_files OUT_DIR N");
    let img = stowaway::fixture::many_empty_files(n, 1000);
    img.write_oci_layout(std::path::Path::new(&out))
}
