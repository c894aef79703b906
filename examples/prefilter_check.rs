//! Checks the code-file prefilter on real trees: every file the scanner
//! would analyse as a script (by path and first bytes, as the layer walk
//! decides) is analysed with and without the prefilter, and the hits must
//! be the same. Prints, per tree, the scripts, how many the prefilter
//! skipped, how many gave hits, and any difference (then exits 1).
//! "Skipped" counts the code files that pass the catalogue's word trigger
//! (the older, whole-file test) and that the prefilter then skips.
//!
//! `cargo run --release --example prefilter_check -- /usr/lib/python3.11 /usr/lib/node_modules`

use stowaway::catalog::RuleLang;
use stowaway::inspect::command::code::code_lines;
use stowaway::inspect::prefilter::may_hit;
use stowaway::inspect::script::{analyze_file, analyze_unfiltered, is_library_code, language};
use stowaway::inspect::{MAX_SCRIPT_BYTES, Want, wants};
use stowaway::layer::ContentKind;
use stowaway::path::ImagePath;

fn main() -> std::io::Result<()> {
    let cat = stowaway::catalog::get();
    let mut differ = 0;
    for dir in std::env::args().skip(1) {
        let (mut scripts, mut reached, mut skipped, mut hits) = (0, 0, 0, 0);
        for e in walkdir::WalkDir::new(&dir).follow_links(false) {
            let e = e?;
            if !e.file_type().is_file() {
                continue;
            }
            let Ok(buf) = std::fs::read(e.path()) else {
                continue;
            };
            let rel = e.path().strip_prefix(&dir).unwrap_or(e.path());
            let path = ImagePath::new(rel.to_string_lossy().as_bytes());
            let head = &buf[..buf.len().min(512)];
            let Some(Want::Script(lang)) = wants(&path, ContentKind::sniff(head), head) else {
                continue;
            };
            debug_assert_eq!(language(&path, head), Some(lang));
            let body = &buf[..buf.len().min(MAX_SCRIPT_BYTES)];
            let library = is_library_code(&path);
            let full = analyze_unfiltered(cat, lang, body, library);
            let filtered = analyze_file(cat, lang, body, library);
            scripts += 1;
            hits += usize::from(!full.hits.is_empty());
            if full != filtered {
                differ += 1;
                println!(
                    "DIFFERENT {}: {:?} vs {:?}",
                    e.path().display(),
                    full,
                    filtered
                );
            }
            let code = matches!(
                lang,
                "python" | "perl" | "ruby" | "js" | "php" | "wsh" | "other"
            );
            if code && cat.triggered(body) {
                reached += 1;
                let l = RuleLang::from_name(lang).unwrap_or(RuleLang::Code);
                let text = String::from_utf8_lossy(body);
                let lines = code_lines(l, &text);
                skipped += usize::from(!may_hit(cat, l, &lines));
            }
        }
        println!(
            "{dir}: {scripts} scripts, {reached} code files reach the line analysis, \
             {skipped} of them skipped by the prefilter; {hits} scripts with hits"
        );
    }
    if differ > 0 {
        println!("{differ} files differ");
        std::process::exit(1);
    }
    Ok(())
}
