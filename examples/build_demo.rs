//! Builds the demo image shipped in `examples/demo-image` (an OCI layout of a
//! few KB) from the files in `examples/demo-app/`, deterministically:
//! `cargo run --example build_demo [-- OUT_DIR]`. The test suite checks that
//! the committed copy matches what this builds.

use std::path::PathBuf;

use stowaway::fixture::demo_image;

fn main() -> std::io::Result<()> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/demo-image".into())
        .into();
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    let image = demo_image();
    image.build().write_oci_layout(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
