//! Prints what the inspection learns from binaries, read the way the layer
//! walk reads them (streamed in 256 KiB chunks, an 8 MiB buffer), e.g.
//! `cargo run --example binary_facts -- /usr/bin/skopeo`.

use std::io::Read;

use stowaway::Limits;
use stowaway::layer::read_content;
use stowaway::path::ImagePath;

fn main() -> std::io::Result<()> {
    let limits = Limits::default();
    let mut buf = vec![0u8; 256 << 10];
    for p in std::env::args().skip(1) {
        let mut f = std::fs::File::open(&p)?;
        let path = ImagePath::new(p.as_bytes());
        let read = read_content(&mut (&mut f as &mut dyn Read), &path, &limits, &mut buf)
            .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        println!("== {p} ({} bytes)", read.size);
        if let Some(finding) = read.truncation_finding(&path) {
            println!("   {:?}", finding.evidence);
        }
        match &read.facts {
            Some(facts) => println!("{}", serde_json::to_string_pretty(&**facts).unwrap()),
            None => println!("   nothing notable"),
        }
    }
    Ok(())
}
