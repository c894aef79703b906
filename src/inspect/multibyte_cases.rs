//! Script analysis never panics on text that is not ASCII: every case of the
//! command corpora (`tests/commands/dev.toml`, `tests/commands/mutants.toml`)
//! is rewritten with multi-byte characters where the tokenizers and URL
//! scanners cut text (typographic quotes for ASCII quotes, a multi-byte
//! letter glued before every `://`, `\\` and `$`, no-break spaces for
//! spaces) and analysed in its own language and in the others whose
//! tokenizers differ most. A slice at a byte that is not a character
//! boundary (`“https://…”` in a Python file once made the URL scanner
//! panic) would fail here, naming the case and the rewrite.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::Deserialize;

use crate::inspect::script;
use crate::path::ImagePath;

/// A case file's cases, as far as a test that runs every case needs them
/// (also [`super::golden_cases`]).
#[derive(Deserialize)]
pub(super) struct CaseFile {
    pub(super) case: Vec<Case>,
}

#[derive(Deserialize)]
pub(super) struct Case {
    pub(super) id: String,
    pub(super) path: String,
    pub(super) content: String,
}

/// The rewrites: a name and the rewritten text.
fn rewrites(text: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "typographic quotes",
            text.replace('"', "\u{201c}").replace('\'', "\u{2019}"),
        ),
        (
            "letter before ://, \\\\ and $",
            text.replace("://", "\u{e9}://")
                .replace("\\\\", "\u{e9}\\\\")
                .replace('$', "\u{e9}$"),
        ),
        ("no-break spaces", text.replace(' ', "\u{a0}")),
        (
            "quotes around URLs",
            text.replace("http", "\u{201c}http")
                .replace(' ', "\u{201d} "),
        ),
    ]
}

/// Languages whose tokenizers differ most, besides the case's own.
const OTHERS: [&str; 6] = ["sh", "batch", "powershell", "python", "js", "yaml"];

fn cases(text: &str, file: &str) -> Vec<Case> {
    let f: CaseFile = toml::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    f.case
}

#[test]
fn multibyte_text_never_panics_the_analysis() {
    let cat = crate::catalog::get();
    let mut all = cases(include_str!("../../tests/commands/dev.toml"), "dev.toml");
    all.extend(cases(
        include_str!("../../tests/commands/mutants.toml"),
        "mutants.toml",
    ));
    assert!(all.len() > 500, "the corpora are read: {}", all.len());
    let mut panicked = Vec::new();
    let mut analysed = 0;
    for c in &all {
        let path = ImagePath::new(c.path.as_bytes());
        for (how, text) in rewrites(&c.content) {
            let own = script::language(&path, text.as_bytes());
            let langs = own.into_iter().chain(OTHERS.iter().copied());
            for lang in langs {
                analysed += 1;
                let run = catch_unwind(AssertUnwindSafe(|| {
                    script::analyze(cat, lang, text.as_bytes());
                }));
                if run.is_err() {
                    panicked.push(format!("{} ({how}, as {lang})", c.id));
                }
            }
        }
    }
    assert!(analysed > 10_000, "{analysed} analyses");
    assert!(
        panicked.is_empty(),
        "{} analyses panicked:\n{}",
        panicked.len(),
        panicked.join("\n")
    );
}
