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
//!   regex, instead of the set of every text rule. The command engine's
//!   lines (shell, batch, PowerShell, arguments) go through the same test.
//!   A code statement is read once ([`line_facts`], [`line`]): the line
//!   literals, the rules' hints and the code scanner's call markers are
//!   one automaton.
//!
//! Why a literal absent from the code lines cannot be in what the scanner
//! matches: statements are code lines joined by one space and literals hold
//! no blank; every other rewrite (URL variables, string joining, decoding,
//! shell parsing) needs one of the unconditional literals above. Matching
//! is ASCII case-insensitive, a superset of every rule's own case. Only the
//! built-in catalogue is filtered (another one, in tests, is not).

mod line;
mod literals;

use std::ops::ControlFlow;

use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

use crate::catalog::{self, AllMatches, Catalog, Role, RuleLang};
use crate::inspect::command::code::{ENCODED_HINTS, SHELL_CALLS};

pub use line::Markers;
pub use literals::{Set, sets_of};

/// The languages with tests: the code languages, then the command
/// languages and the argument language, whose lines the command engine
/// matches with the text rules (line tests only: [`FILE_LANGS`]).
const LANGS: [RuleLang; 11] = [
    RuleLang::Python,
    RuleLang::Perl,
    RuleLang::Ruby,
    RuleLang::Js,
    RuleLang::Php,
    RuleLang::Wsh,
    RuleLang::Code,
    RuleLang::Sh,
    RuleLang::Batch,
    RuleLang::PowerShell,
    RuleLang::Arg,
];

/// The languages whose files have a file test ([`may_hit`]): the code
/// languages, but JavaScript and WSH, whose lines are rewritten (strings
/// joined, `Chr(34)` made a quote) before matching.
fn file_tested(lang: RuleLang) -> bool {
    matches!(
        lang,
        RuleLang::Python | RuleLang::Perl | RuleLang::Ruby | RuleLang::Php | RuleLang::Code
    )
}

/// Conditions met when a literal of each of their sets is found, over one
/// automaton.
struct Conditions {
    /// The literals (lowercased).
    literals: Vec<Vec<u8>>,
    /// Built when first asked: is any literal there at all (most lines
    /// hold none), and every occurrence. A code statement's rules come
    /// from its one pass ([`line`]), so a code language's line automata
    /// are mostly never built.
    automata: OnceLock<Option<(AhoCorasick, AllMatches)>>,
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
    /// Where each literal is in `literals`.
    index: std::collections::HashMap<(Vec<u8>, bool), usize>,
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
                let i = match self.index.get(&l) {
                    Some(&i) => i,
                    None => {
                        self.index.insert(l.clone(), self.literals.len());
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
        Some(Conditions {
            literals: self.literals.iter().map(|(l, _)| l.clone()).collect(),
            automata: OnceLock::new(),
            slots: self.slots,
            lens: self.literals.iter().map(|(l, w)| (l.len(), *w)).collect(),
            full: self.full,
            always: self.always,
            joins,
        })
    }
}

impl Conditions {
    /// The automata over the literals; `None` if they cannot be built.
    fn automata(&self) -> Option<&(AhoCorasick, AllMatches)> {
        self.automata
            .get_or_init(|| {
                let any = AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&self.literals)
                    .ok()?;
                Some((any, AllMatches::new(&self.literals, true).ok()?))
            })
            .as_ref()
    }

    /// Record in `found` every set `t` holds a literal of.
    fn collect(&self, matcher: &AllMatches, t: &[u8], found: &mut [u64]) {
        matcher.for_each(t, |p, at| {
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
        let Some((any, matcher)) = self.automata() else {
            return true;
        };
        if !any.is_match(t) {
            return false;
        }
        let mut met = false;
        matcher.for_each(t, |p, at| {
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
    /// The line literals, hints and call markers in one automaton.
    scanner: Option<line::LineScanner>,
}

/// The compiled tests for every code language, each built when first
/// needed (a scan meets two or three languages).
struct Prefilter {
    /// Every text rule's hints: `Catalog::text_rules` tries nothing in a
    /// text without one.
    hints: Option<AhoCorasick>,
    /// The same hints, for the per-language [`line`] scanners.
    hint_list: Vec<String>,
    langs: [OnceLock<LangTests>; LANGS.len()],
    /// Each rule's literal sets (its pattern's, its `needs` pattern's),
    /// extracted once however many languages the rule covers: the
    /// extraction is most of building a language's tests.
    rule_sets: Vec<OnceLock<(Vec<Set>, Vec<Set>)>>,
}

fn one(s: &str) -> Vec<Set> {
    vec![vec![s.as_bytes().to_vec()]]
}

impl Prefilter {
    fn new(cat: &Catalog) -> Prefilter {
        let hint_list: Vec<String> = cat
            .rules
            .iter()
            .filter(|r| r.pattern.is_some())
            .flat_map(|r| r.hints.iter().cloned())
            .collect();
        Prefilter {
            hints: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&hint_list)
                .ok(),
            hint_list,
            langs: Default::default(),
            rule_sets: cat.rules.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Rule `r`'s literal sets: its pattern's and its `needs` pattern's.
    fn rule_sets(&self, cat: &Catalog, r: usize) -> &(Vec<Set>, Vec<Set>) {
        self.rule_sets[r].get_or_init(|| {
            let rule = &cat.rules[r];
            let sets = |p: &Option<String>| p.as_deref().map(sets_of).unwrap_or_default();
            (sets(&rule.pattern), sets(&rule.needs))
        })
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
            // Each rule's literal sets, for the rules of this language only.
            let (pattern, needs) = self.rule_sets(cat, r);
            line.condition(pattern, false);
            line_rules.push(r);
            if file_tested(lang) && rule.role != Some(Role::Exec) {
                file.condition(&[pattern.as_slice(), needs].concat(), false);
            }
        }
        let hints: Vec<&String> = self.hint_list.iter().collect();
        LangTests {
            file: if file_tested(lang) {
                file.build(false)
            } else {
                None
            },
            // Only code statements ask for the one-pass scan.
            scanner: (file_tested(lang) || matches!(lang, RuleLang::Js | RuleLang::Wsh))
                .then(|| line::LineScanner::new(&line.literals, &line.slots, &hints))
                .flatten(),
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
    if joins_literals(lang, lines) {
        return true;
    }
    let mut found = vec![0u64; c.full.len()];
    lines.iter().any(|(_, t)| c.met(t.as_bytes(), &mut found))
}

/// Python, Ruby, Perl and PHP lines are matched with adjacent string
/// literals joined (`'cu' + 'rl …'`, `"wget " . $url` once a URL variable
/// is put back): a literal the raw lines do not hold may appear, so such a
/// file is not skipped whole.
fn joins_literals(lang: RuleLang, lines: &[(usize, &str)]) -> bool {
    let ops: &[u8] = match lang {
        RuleLang::Python | RuleLang::Ruby => b"+",
        RuleLang::Perl | RuleLang::Php => b".",
        _ => return false,
    };
    let url = lines.iter().any(|(_, t)| t.contains("://"));
    (lines.iter())
        .any(|(_, t)| crate::inspect::command::decode::literal_joins(t.as_bytes(), ops, url))
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
    let Some((any, matcher)) = c.automata() else {
        return cat.text_rules(t, lang);
    };
    if !hints.is_match(t) || !any.is_match(t) {
        return Vec::new();
    }
    let mut found = vec![0u64; c.full.len()];
    c.collect(matcher, t.as_bytes(), &mut found);
    candidates(cat, c, tests, &found, t)
}

/// The rules of the conditions `found` meets whose own regex matches `t`.
fn candidates(
    cat: &Catalog,
    c: &Conditions,
    tests: &LangTests,
    found: &[u64],
    t: &str,
) -> Vec<usize> {
    let mut rules: Vec<usize> = (0..c.full.len())
        .filter(|&k| found[k] == c.full[k])
        .map(|k| tests.line_rules[k])
        .filter(|&r| cat.rule_match(r, t.as_bytes()).is_some())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}

/// [`text_rules`] of `t` and the call markers `t` holds, from one pass
/// over it ([`line`]); `found` is scratch space (no allocation per line).
/// `None` when the prefilter does not cover `cat` or `lang` (then ask
/// [`text_rules`] and the code scanner's own markers).
pub fn line_facts(
    cat: &Catalog,
    lang: RuleLang,
    t: &str,
    found: &mut Vec<u64>,
) -> Option<(Vec<usize>, Markers)> {
    let p = builtin(cat)?;
    p.hints.as_ref()?;
    let tests = p.tests(cat, lang)?;
    let c = tests.line.as_ref().filter(|c| !c.always)?;
    let scanner = tests.scanner.as_ref()?;
    found.clear();
    found.resize(c.full.len(), 0);
    let m = scanner.scan(t.as_bytes(), found);
    let rules = if m.hint && m.literal {
        candidates(cat, c, tests, found, t)
    } else {
        Vec::new()
    };
    Some((rules, m))
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
