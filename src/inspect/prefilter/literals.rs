//! The literals every match of a catalogue regex holds, found with
//! `regex-syntax`'s extractor: sets of literals such that a match holds
//! one literal of each set. Candidates for a set are the regex's prefixes,
//! its suffixes, and (recursively) those of its parts; each is cut at its
//! first blank and non-ASCII byte (a statement joins lines with a space,
//! and invalid UTF-8 becomes U+FFFD), lowercased, and the set whose
//! shortest literal is longest wins.

use regex_syntax::ast::{Ast, Flag, Flags, FlagsItemKind, GroupKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

/// One literal of the set is in every match.
pub type Set = Vec<Vec<u8>>;

/// Sets kept per regex at most (the strongest).
const MAX_SETS: usize = 6;

/// The literal sets of `pattern` (a catalogue regex, read as the rule
/// matchers read it); empty when none is known (any text may match).
pub fn sets_of(pattern: &str) -> Vec<Set> {
    let Some(hir) = case_sensitive_hir(&format!("(?-u){pattern}")) else {
        return Vec::new();
    };
    let mut sets: Vec<Set> = best(&hir).into_iter().collect();
    if let HirKind::Concat(parts) = hir.kind() {
        sets.extend(parts.iter().filter_map(best));
    }
    sets.sort_by_key(|s| std::cmp::Reverse(score(s)));
    sets.dedup();
    // The strongest set, and the others only if they are worth a search.
    let strong = |s: &Set| score(s).0 >= MIN_USEFUL;
    let keep: Vec<Set> = sets.iter().take(1).cloned().collect();
    keep.into_iter()
        .chain(sets.into_iter().skip(1).filter(strong))
        .take(MAX_SETS)
        .collect()
}

/// Literals shorter than this make a weak set, kept only when no other is.
const MIN_USEFUL: usize = 3;

/// `pattern` as a regex with its case-insensitive flags removed. The
/// literals are searched ASCII case-insensitively, and in `(?-u)` mode
/// `(?i)` folds ASCII case only: a text the original matches equals, up
/// to ASCII case, one this matches, so it holds each literal up to case.
/// (Extracting from the case-folded regex would give every case variant,
/// cut short to stay few.)
fn case_sensitive_hir(pattern: &str) -> Option<Hir> {
    let mut ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .ok()?;
    strip_case_flags(&mut ast);
    regex_syntax::hir::translate::TranslatorBuilder::new()
        .utf8(false)
        .build()
        .translate(pattern, &ast)
        .ok()
}

fn strip_case_flags(ast: &mut Ast) {
    let strip = |f: &mut Flags| {
        f.items
            .retain(|i| i.kind != FlagsItemKind::Flag(Flag::CaseInsensitive))
    };
    match ast {
        Ast::Flags(sf) => strip(&mut sf.flags),
        Ast::Group(g) => {
            if let GroupKind::NonCapturing(f) = &mut g.kind {
                strip(f);
            }
            strip_case_flags(&mut g.ast);
        }
        Ast::Concat(c) => c.asts.iter_mut().for_each(strip_case_flags),
        Ast::Alternation(a) => a.asts.iter_mut().for_each(strip_case_flags),
        Ast::Repetition(r) => strip_case_flags(&mut r.ast),
        _ => {}
    }
}

/// The strongest set of `hir`: its prefixes, its suffixes, or those of a
/// part.
fn best(hir: &Hir) -> Option<Set> {
    let mut top: Option<Set> = None;
    let mut consider = |c: Option<Set>| {
        if let Some(c) = c
            && top.as_ref().is_none_or(|b| score(&c) > score(b))
        {
            top = Some(c);
        }
    };
    consider(extract(hir, ExtractKind::Prefix));
    consider(extract(hir, ExtractKind::Suffix));
    match hir.kind() {
        HirKind::Concat(parts) => {
            for (i, part) in parts.iter().enumerate() {
                // A literal starts the strongest prefixes of what follows it.
                if i > 0 && matches!(part.kind(), HirKind::Literal(_)) {
                    consider(extract(
                        &Hir::concat(parts[i..].to_vec()),
                        ExtractKind::Prefix,
                    ));
                }
                consider(best(part));
            }
        }
        HirKind::Alternation(alts) => {
            let all: Option<Vec<Set>> = alts.iter().map(best).collect();
            consider(all.map(|a| normal(a.concat())));
        }
        HirKind::Capture(c) => consider(best(&c.sub)),
        HirKind::Repetition(r) if r.min >= 1 => consider(best(&r.sub)),
        _ => {}
    }
    top
}

/// A set is as good as its shortest literal (then: the fewer the better).
fn score(set: &Set) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

fn normal(mut set: Set) -> Set {
    for l in &mut set {
        l.make_ascii_lowercase();
    }
    set.sort();
    set.dedup();
    set
}

/// The prefix or suffix literals of `hir`, cut at blanks and non-ASCII
/// bytes (from the end for suffixes); `None` if infinite or one is empty.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Set> {
    let suffix = matches!(kind, ExtractKind::Suffix);
    let seq = Extractor::new().kind(kind).limit_total(64).extract(hir);
    let set: Option<Set> = seq
        .literals()?
        .iter()
        .map(|l| {
            if suffix {
                cut_back(l.as_bytes())
            } else {
                cut_front(l.as_bytes())
            }
        })
        .collect();
    set.map(normal)
}

/// Neither a blank (what `str::trim` and the statement join touch) nor
/// outside ASCII.
fn plain(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b
}

/// The bytes before the first blank or non-ASCII byte; `None` if empty.
pub fn cut_front(l: &[u8]) -> Option<Vec<u8>> {
    let end = l.iter().position(|&b| !plain(b)).unwrap_or(l.len());
    (end > 0).then(|| l[..end].to_vec())
}

/// The bytes after the last blank or non-ASCII byte; `None` if empty.
fn cut_back(l: &[u8]) -> Option<Vec<u8>> {
    let start = l.iter().rposition(|&b| !plain(b)).map_or(0, |i| i + 1);
    (start < l.len()).then(|| l[start..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(p: &str) -> Vec<String> {
        sets_of(p)
            .first()
            .map(|s| {
                s.iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn literals_come_from_prefixes_suffixes_or_parts() {
        assert_eq!(
            first(r"\b(urlopen|urlretrieve)\s*\("),
            ["urlopen", "urlretrieve"]
        );
        // No prefix (a class); the suffix names the scheme.
        let scheme = first(r#"\b\w+\.(get|post)\s*\(\s*f?["'](https?|ftp)://"#);
        assert!(scheme.iter().all(|l| l.ends_with("://")), "{scheme:?}");
        assert!(scheme.contains(&"'ftp://".to_string()), "{scheme:?}");
        // An inner part when both ends are classes; lowercased.
        assert_eq!(first(r"\w+XMLHTTP\w"), ["xmlhttp"]);
        // Cut at blanks: statements join lines with a space.
        assert_eq!(first(r"dav_methods PUT"), ["dav_methods"]);
        // Every part is needed: one set each.
        let sets = sets_of(r"\bimport\s+(requests|httpx)\s+as\b");
        assert!(sets.contains(&vec![b"import".to_vec()]), "{sets:?}");
        assert!(
            sets.contains(&vec![b"httpx".to_vec(), b"requests".to_vec()]),
            "{sets:?}"
        );
        // Case-insensitive patterns give their literals once, lowercased.
        assert_eq!(first(r"(?i)\bSaveToFile\b"), ["savetofile"]);
        assert_eq!(
            first(r"(?i:Net\.WebClient)|x(?i)yz"),
            ["net.webclient", "xyz"]
        );
        // Nothing known: no set.
        assert!(sets_of(r"[a-z]+").is_empty());
        // A blank-led prefix cuts to nothing; the suffix remains.
        assert_eq!(first(r"\s+x"), ["x"]);
    }
}
