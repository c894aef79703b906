//! Command-model cases with exact expectations (`tests/commands/mutants.toml`):
//! a file's path and content in, every rule and line the script analysis
//! reports out — nothing missing, nothing extra. The recall/precision sets
//! in `tests/commands/` tolerate a few lost cases; these do not, so a
//! mistake in one tokenizer, carrier or decoder branch fails a named case.
//! Written against mutants of `src/inspect/command/` that the other tests
//! let through (see `.ci/mutants-survivors.md`).

use serde::Deserialize;

use crate::inspect::script;
use crate::path::ImagePath;

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    path: String,
    content: String,
    /// Every `rule@line` reported (the most severe rule and the others that
    /// matched the same line), in any order; empty for a silent file.
    hits: Vec<String>,
    /// The language the file is read in, when the case checks it; `none`:
    /// not read as a script at all.
    lang: Option<String>,
    /// When given, what each hit shows as evidence, in any order:
    /// `rule@line: text`, and for a chain ` (after LINE: text)` — the
    /// command text a finding quotes and the download line it follows.
    evidence: Option<Vec<String>>,
    /// When given, the `rule@line` of every hit flagged loopback (a
    /// health check, not a transfer), in any order.
    loopback: Option<Vec<String>>,
}

/// What a case's file gives: every `rule@line` that matched, the evidence
/// of each hit, and the `rule@line` of the hits flagged loopback; sorted.
struct Reported {
    hits: Vec<String>,
    shown: Vec<String>,
    loopback: Vec<String>,
}

fn reported(c: &Case) -> Result<Reported, String> {
    let (path, content) = (&c.path, &c.content);
    let p = ImagePath::new(path.as_bytes());
    let lang = script::language(&p, content.as_bytes());
    match (c.lang.as_deref(), lang) {
        (Some("none"), None) => {
            return Ok(Reported {
                hits: Vec::new(),
                shown: Vec::new(),
                loopback: Vec::new(),
            });
        }
        (Some(want), got) if Some(want) != got => {
            return Err(format!("read as {got:?}, not {want}"));
        }
        _ => {}
    }
    let lang = lang.ok_or_else(|| format!("{path} is not recognised as a script"))?;
    let cat = crate::catalog::get();
    let facts = script::analyze(cat, lang, content.as_bytes());
    let mut got: Vec<String> = facts
        .hits
        .iter()
        .flat_map(|h| {
            let rules = std::iter::once(h.rule).chain(h.also.iter().copied());
            rules.map(move |r| format!("{}@{}", cat.rules[r].id, h.line))
        })
        .collect();
    got.sort();
    let mut shown: Vec<String> = facts
        .hits
        .iter()
        .map(|h| {
            let after = match &h.after {
                Some((l, t)) => format!(" (after {l}: {t})"),
                None => String::new(),
            };
            format!("{}@{}: {}{after}", cat.rules[h.rule].id, h.line, h.text)
        })
        .collect();
    shown.sort();
    let mut loopback: Vec<String> = (facts.hits.iter())
        .filter(|h| h.loopback)
        .map(|h| format!("{}@{}", cat.rules[h.rule].id, h.line))
        .collect();
    loopback.sort();
    Ok(Reported {
        hits: got,
        shown,
        loopback,
    })
}

#[test]
fn every_case_reports_exactly_its_rules_and_lines() {
    let text = include_str!("../../tests/commands/mutants.toml");
    let cases: CaseFile = toml::from_str(text).expect("tests/commands/mutants.toml");
    assert!(!cases.case.is_empty());
    let mut wrong = Vec::new();
    for c in &cases.case {
        let mut want = c.hits.clone();
        want.sort();
        match reported(c) {
            Ok(r) if r.hits != want => {
                wrong.push(format!("{}: want {want:?}, got {:?}", c.id, r.hits));
            }
            Ok(r) => {
                if let Some(ev) = &c.evidence {
                    let mut ev = ev.clone();
                    ev.sort();
                    if ev != r.shown {
                        wrong.push(format!("{}: evidence {ev:#?}, got {:#?}", c.id, r.shown));
                    }
                }
                if let Some(lb) = &c.loopback {
                    let mut lb = lb.clone();
                    lb.sort();
                    if lb != r.loopback {
                        wrong.push(format!("{}: loopback {lb:?}, got {:?}", c.id, r.loopback));
                    }
                }
            }
            Err(e) => wrong.push(format!("{}: {e}", c.id)),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} case(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn base64_is_decoded_from_its_minimum_length_on() {
    use crate::inspect::command::decode::{base64, decoded_text};
    // 16 characters (12 bytes) is the shortest base64 found in text.
    assert_eq!(
        base64("Y3VybCBodHRwOi8v").as_deref(),
        Some(&b"curl http://"[..])
    );
    assert_eq!(base64("Y3VybCBodHRwOi8"), None);
    // What an explicit decoder is given may be as short as 4 characters.
    assert_eq!(decoded_text("c2ggLQ==").as_deref(), Some("sh -"));
    assert_eq!(decoded_text("c2g=").as_deref(), None);
}
