//! One pass per statement: a single automaton over the line
//! literals of a language's text rules, every text rule's hints, and the
//! code scanner's call markers and base64 hints
//! ([`SHELL_CALLS`], [`ENCODED_HINTS`]). It finds, in one pass, what
//! [`text_rules`](super::text_rules) (a hints automaton, a literals
//! automaton, then every literal occurrence) and the code scanner's call
//! markers (an overlapping search of its own) each looked for in passes
//! of their own over the same statement. Every occurrence of every
//! pattern is reported ([`AllMatches`]), so each answer is the one its
//! own search gave.
//!
//! The automaton starts as a contiguous NFA, quick to build; once a
//! language's statements have fed it [`TO_DFA`] bytes, a DFA of the same
//! patterns (several times faster per byte, ~15 ms to build for the
//! largest language) takes over. A scan that meets a few gated scripts
//! (a Debian base image) never pays for the DFA; a script-heavy tree pays
//! once. Both report the same occurrences: same patterns, same match kind.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::catalog::AllMatches;
use crate::inspect::command::code::{ENCODED_HINTS, SHELL_CALLS};

/// What one pattern of the automaton stands for.
#[derive(Clone, Debug, Default)]
struct Roles {
    /// (condition, set) of the line conditions it is a literal of.
    slots: Vec<(usize, usize)>,
    /// It must stand as a word for its slots.
    word: bool,
    /// A text rule's hint.
    hint: bool,
    /// A call that hands text to the system (`backtick`: the backtick one).
    call: bool,
    backtick: bool,
    /// A hint of base64 decoding.
    encoded: bool,
}

/// Statement bytes a language's NFA scans before its DFA is built.
pub(super) const TO_DFA: usize = 1 << 20;

/// The automaton of one language.
pub(super) struct LineScanner {
    nfa: AllMatches,
    /// Built once [`TO_DFA`] bytes went through `nfa`; `None` inside if it
    /// cannot be (then `nfa` goes on).
    dfa: OnceLock<Option<AllMatches>>,
    scanned: AtomicUsize,
    roles: Vec<Roles>,
}

/// What one pass over a statement found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markers {
    /// A text rule's hint.
    pub hint: bool,
    /// A literal of some line condition.
    pub literal: bool,
    /// A call marker other than the backtick, and the backtick.
    pub call: bool,
    pub backtick: bool,
    /// A base64 hint.
    pub encoded: bool,
}

impl LineScanner {
    /// The scanner for line literals (`literals`, `slots` as the line
    /// [`Builder`](super::Builder) holds them) and the given hints.
    pub(super) fn new(
        literals: &[(Vec<u8>, bool)],
        slots: &[Vec<(usize, usize)>],
        hints: &[&String],
    ) -> Option<LineScanner> {
        let mut pats: Vec<Vec<u8>> = Vec::new();
        let mut roles: Vec<Roles> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut at = |p: &[u8]| -> usize {
            let p = p.to_ascii_lowercase();
            *index.entry(p).or_insert_with_key(|p| {
                pats.push(p.clone());
                roles.push(Roles::default());
                pats.len() - 1
            })
        };
        let lits: Vec<usize> = literals.iter().map(|(l, _)| at(l)).collect();
        let hints: Vec<usize> = hints.iter().map(|h| at(h.as_bytes())).collect();
        let calls: Vec<usize> = SHELL_CALLS.iter().map(|c| at(c.as_bytes())).collect();
        let encoded: Vec<usize> = ENCODED_HINTS.iter().map(|e| at(e.as_bytes())).collect();
        for ((i, (_, word)), s) in lits.into_iter().zip(literals).zip(slots) {
            // One literal as a word and as a plain one (never in practice):
            // no single answer, so no scanner (the callers fall back).
            if !roles[i].slots.is_empty() && roles[i].word != *word {
                return None;
            }
            roles[i].word = *word;
            roles[i].slots.extend(s);
        }
        for i in hints {
            roles[i].hint = true;
        }
        for (c, i) in SHELL_CALLS.iter().zip(calls) {
            if *c == "`" {
                roles[i].backtick = true;
            } else {
                roles[i].call = true;
            }
        }
        for i in encoded {
            roles[i].encoded = true;
        }
        Some(LineScanner {
            nfa: AllMatches::nfa(&pats, true).ok()?,
            dfa: OnceLock::new(),
            scanned: AtomicUsize::new(0),
            roles,
        })
    }

    /// The automaton for the next statement of `len` bytes.
    fn automaton(&self, len: usize) -> &AllMatches {
        if let Some(Some(dfa)) = self.dfa.get() {
            return dfa;
        }
        if self.scanned.fetch_add(len, Ordering::Relaxed) < TO_DFA {
            return &self.nfa;
        }
        (self
            .dfa
            .get_or_init(|| AllMatches::dfa(self.nfa.patterns(), true).ok())
            .as_ref())
        .unwrap_or(&self.nfa)
    }

    /// Is the DFA in use?
    #[cfg(test)]
    pub(super) fn uses_dfa(&self) -> bool {
        matches!(self.dfa.get(), Some(Some(_)))
    }

    /// One pass over `t`: the sets of each condition found go to `found`
    /// (as [`Conditions::collect`](super::Conditions) records them).
    pub(super) fn scan(&self, t: &[u8], found: &mut [u64]) -> Markers {
        let mut m = Markers::default();
        let all = self.automaton(t.len());
        all.for_each(t, |p, at| {
            let r = &self.roles[p];
            m.hint |= r.hint;
            m.call |= r.call;
            m.backtick |= r.backtick;
            m.encoded |= r.encoded;
            if !r.slots.is_empty() && (!r.word || super::is_word(t, at, all.pattern_len(p))) {
                m.literal = true;
                for &(c, k) in &r.slots {
                    found[c] |= 1 << k;
                }
            }
            ControlFlow::Continue(())
        });
        m
    }
}
