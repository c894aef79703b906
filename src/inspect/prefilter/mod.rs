//! Conservative tests before a code file's line-by-line analysis
//! ([`command::code`](super::command::code)), from literals the catalogue's
//! own rules need ([`literals`]), so a new rule cannot fall outside them:
//!
//! - per file ([`may_hit`]): one automaton pass over the code lines
//!   (comments, docstrings and POD already left out). A hit needs a text
//!   rule of the language that can report on its own (an `exec` rule
//!   reports only after a download rule matched) to find a literal of each
//!   of its sets, and of its `needs` pattern's; or `://` (a URL variable
//!   can be put back into a line), a call that hands text to the system or
//!   a base64 hint (the code scanner's own lists), Ruby's `sh` or Perl's
//!   pipe `open`; `\\` too (UNC variables are put back like URLs). A
//!   file without any skips statement joining, URL variables, the rule set
//!   and the shell-call parser. JavaScript and WSH files are always
//!   analysed: their lines are rewritten (strings joined, `Chr(34)` made a
//!   quote) before matching.
//! - per statement ([`text_rules`]): only the rules of the language whose
//!   every set has a literal in the line are tried, each with its own
//!   regex, instead of the set of every text rule.
//!
//! Why a literal absent from the code lines cannot be in what the scanner
//! matches: statements are code lines joined by one space and literals hold
//! no blank; every other rewrite (URL variables, string joining, decoding,
//! shell parsing) needs one of the unconditional literals above. Matching
//! is ASCII case-insensitive, a superset of every rule's own case. Only the
//! built-in catalogue is filtered (another one, in tests, is not).

mod literals;

use std::ops::ControlFlow;

use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

use crate::catalog::{self, AllMatches, Catalog, Role, RuleLang};
use crate::inspect::command::code::{ENCODED_HINTS, SHELL_CALLS};

pub use literals::{Set, sets_of};

/// The code languages.
const LANGS: [RuleLang; 7] = [
    RuleLang::Python,
    RuleLang::Perl,
    RuleLang::Ruby,
    RuleLang::Js,
    RuleLang::Php,
    RuleLang::Wsh,
    RuleLang::Code,
];

/// Conditions met when a literal of each of their sets is found, over one
/// automaton.
struct Conditions {
    /// Is any literal there at all? (Most lines hold none.)
    any: AhoCorasick,
    matcher: AllMatches,
    /// For each literal: (condition, set) it belongs to.
    slots: Vec<Vec<(usize, usize)>>,
    /// For each literal: its length, and whether it must stand as a word.
    lens: Vec<(usize, bool)>,
    /// For each condition: the mask of all its sets.
    full: Vec<u64>,
    /// A condition without sets: always met.
    always: bool,
    /// String concatenation is joined before matching (JavaScript, WSH).
    joins: bool,
}

/// Collects conditions.
#[derive(Default)]
struct Builder {
    literals: Vec<(Vec<u8>, bool)>,
    slots: Vec<Vec<(usize, usize)>>,
    full: Vec<u64>,
    always: bool,
}

impl Builder {
    /// A condition: one literal of each set (`word`: as a whole word).
    fn condition(&mut self, sets: &[Set], word: bool) {
        let c = self.full.len();
        let sets = &sets[..sets.len().min(64)];
        self.always |= sets.is_empty();
        self.full.push(u64::MAX >> (64 - sets.len().max(1)));
        for (k, set) in sets.iter().enumerate() {
            for l in set {
                let l = (l.to_ascii_lowercase(), word);
                let i = match self.literals.iter().position(|x| *x == l) {
                    Some(i) => i,
                    None => {
                        self.literals.push(l);
                        self.slots.push(Vec::new());
                        self.literals.len() - 1
                    }
                };
                self.slots[i].push((c, k));
            }
        }
    }

    fn build(self, joins: bool) -> Option<Conditions> {
        let pats: Vec<&[u8]> = self.literals.iter().map(|(l, _)| l.as_slice()).collect();
        Some(Conditions {
            any: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(&pats)
                .ok()?,
            matcher: AllMatches::new(&pats, true).ok()?,
            slots: self.slots,
            lens: self.literals.iter().map(|(l, w)| (l.len(), *w)).collect(),
            full: self.full,
            always: self.always,
            joins,
        })
    }
}

impl Conditions {
    /// Record in `found` every set `t` holds a literal of.
    fn collect(&self, t: &[u8], found: &mut [u64]) {
        self.matcher.for_each(t, |p, at| {
            let (len, word) = self.lens[p];
            if !word || is_word(t, at, len) {
                for &(c, k) in &self.slots[p] {
                    found[c] |= 1 << k;
                }
            }
            ControlFlow::Continue(())
        });
    }

    /// Does `t` meet a condition (`found`: the sets found so far)?
    fn met(&self, t: &[u8], found: &mut [u64]) -> bool {
        if self.always || self.joins && may_join(t) {
            return true;
        }
        if !self.any.is_match(t) {
            return false;
        }
        let mut met = false;
        self.matcher.for_each(t, |p, at| {
            let (len, word) = self.lens[p];
            if word && !is_word(t, at, len) {
                return ControlFlow::Continue(());
            }
            for &(c, k) in &self.slots[p] {
                found[c] |= 1 << k;
                met |= found[c] == self.full[c];
            }
            if met {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        met
    }
}

/// The tests of one language.
struct LangTests {
    file: Option<Conditions>,
    line: Option<Conditions>,
    /// The rule of each line condition.
    line_rules: Vec<usize>,
}

/// The compiled tests for every code language, each built when first
/// needed (a scan meets two or three languages).
struct Prefilter {
    /// Each rule's literal sets: its pattern's, its `needs` pattern's.
    sets: Vec<(Vec<Set>, Vec<Set>)>,
    /// Every text rule's hints: `Catalog::text_rules` tries nothing in a
    /// text without one.
    hints: Option<AhoCorasick>,
    langs: [OnceLock<LangTests>; LANGS.len()],
}

fn one(s: &str) -> Vec<Set> {
    vec![vec![s.as_bytes().to_vec()]]
}

impl Prefilter {
    fn new(cat: &Catalog) -> Prefilter {
        let sets = cat
            .rules
            .iter()
            .map(|r| match &r.pattern {
                Some(p) => (
                    sets_of(p),
                    r.needs.as_deref().map(sets_of).unwrap_or_default(),
                ),
                None => (Vec::new(), Vec::new()),
            })
            .collect();
        let hints: Vec<&String> = cat
            .rules
            .iter()
            .filter(|r| r.pattern.is_some())
            .flat_map(|r| &r.hints)
            .collect();
        Prefilter {
            sets,
            hints: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(hints)
                .ok(),
            langs: Default::default(),
        }
    }

    fn build(&self, cat: &Catalog, lang: RuleLang) -> LangTests {
        let mut file = Builder::default();
        let mut line = Builder::default();
        let mut line_rules = Vec::new();
        // URL and UNC variables are put back into lines.
        file.condition(&one("://"), false);
        file.condition(&one("\\\\"), false);
        for m in SHELL_CALLS.iter().chain(ENCODED_HINTS) {
            let cut = literals::cut_front(m.as_bytes()).unwrap_or_default();
            file.condition(&[vec![cut]], false);
        }
        match lang {
            RuleLang::Ruby => file.condition(&one("sh"), true),
            RuleLang::Perl => file.condition(&[one("open"), one("|")].concat(), false),
            _ => {}
        }
        for (r, rule) in cat.rules.iter().enumerate() {
            if rule.pattern.is_none() || !rule.lang.covers(lang) {
                continue;
            }
            let (pattern, needs) = &self.sets[r];
            line.condition(pattern, false);
            line_rules.push(r);
            if rule.role != Some(Role::Exec) {
                file.condition(&[pattern.as_slice(), needs].concat(), false);
            }
        }
        // JavaScript and WSH lines are rewritten before matching (strings
        // joined, Chr(34) made a quote): their files are always analysed.
        let rewritten = matches!(lang, RuleLang::Js | RuleLang::Wsh);
        LangTests {
            file: if rewritten { None } else { file.build(false) },
            line: line.build(false),
            line_rules,
        }
    }

    fn tests(&self, cat: &Catalog, lang: RuleLang) -> Option<&LangTests> {
        let i = LANGS.iter().position(|&l| l == lang)?;
        Some(self.langs[i].get_or_init(|| self.build(cat, lang)))
    }

    /// Is the test of `lang` on (no rule of it without literals)?
    #[cfg(test)]
    fn filters(&self, cat: &Catalog, lang: RuleLang) -> bool {
        self.tests(cat, lang)
            .is_some_and(|t| t.file.as_ref().is_some_and(|c| !c.always))
    }
}

/// The built-in catalogue's tests; `None` for any other catalogue.
fn builtin(cat: &Catalog) -> Option<&'static Prefilter> {
    static BUILTIN: OnceLock<Prefilter> = OnceLock::new();
    std::ptr::eq(cat, catalog::get()).then(|| BUILTIN.get_or_init(|| Prefilter::new(cat)))
}

/// May a code file of `lang` whose code lines are `lines` (as
/// [`code_lines`](super::command::code::code_lines) gives them) give a hit
/// with the rules of `cat`? `false` only when provably not.
pub fn may_hit(cat: &Catalog, lang: RuleLang, lines: &[(usize, &str)]) -> bool {
    let Some(c) = builtin(cat).and_then(|p| p.tests(cat, lang)?.file.as_ref()) else {
        return true;
    };
    let mut found = vec![0u64; c.full.len()];
    lines.iter().any(|(_, t)| c.met(t.as_bytes(), &mut found))
}

/// `cat.text_rules(t, lang)`, found by trying only the rules whose
/// literals `t` holds, each with its own regex (small automata, built
/// quickly) instead of the set of every text rule.
pub fn text_rules(cat: &Catalog, lang: RuleLang, t: &str) -> Vec<usize> {
    let Some(p) = builtin(cat) else {
        return cat.text_rules(t, lang);
    };
    let (Some(tests), Some(hints)) = (p.tests(cat, lang), &p.hints) else {
        return cat.text_rules(t, lang);
    };
    let Some(c) = tests.line.as_ref().filter(|c| !c.always) else {
        return cat.text_rules(t, lang);
    };
    if !hints.is_match(t) || !c.any.is_match(t) {
        return Vec::new();
    }
    let mut found = vec![0u64; c.full.len()];
    c.collect(t.as_bytes(), &mut found);
    let mut rules: Vec<usize> = (0..c.full.len())
        .filter(|&k| found[k] == c.full[k])
        .map(|k| tests.line_rules[k])
        .filter(|&r| cat.rule_match(r, t.as_bytes()).is_some())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}

/// Is `t[at..at + len]` a word (no identifier byte on either side)?
fn is_word(t: &[u8], at: usize, len: usize) -> bool {
    let ident = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    !ident(at.checked_sub(1).and_then(|i| t.get(i))) && !ident(t.get(at + len))
}

/// Could a `+` or `&` on this (trimmed) line join two string literals once
/// lines are joined into statements: a quote or the line's edge on both
/// sides (blanks skipped)?
fn may_join(t: &[u8]) -> bool {
    let quote_or_edge = |b: Option<&u8>| matches!(b, None | Some(b'\'' | b'"'));
    let blank = |c: &&u8| **c != b' ' && **c != b'\t';
    memchr::memchr2_iter(b'+', b'&', t).any(|at| {
        quote_or_edge(t[..at].iter().rev().find(blank))
            && quote_or_edge(t[at + 1..].iter().find(blank))
    })
}

#[cfg(test)]
mod tests;
