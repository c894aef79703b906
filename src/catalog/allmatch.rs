//! Every (pattern, start) occurrence of a set of byte strings — what an
//! overlapping Aho-Corasick search reports — found with a leftmost-first
//! search, which keeps the automaton's prefilter (an overlapping search runs
//! the bare automaton over every byte, several times slower on binaries).
//!
//! After a match of pattern `q` at `s`, the patterns that can also start at
//! `s` are exactly those that are a prefix of `q` or have `q` as a prefix
//! (both must be prefixes of the text at `s`); they are checked directly,
//! and the search resumes at `s + 1`. So each occurrence is reported once,
//! in order of start position.

use std::ops::ControlFlow;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};

/// A set of byte strings searched for every occurrence.
#[derive(Clone, Debug)]
pub struct AllMatches {
    ac: AhoCorasick,
    patterns: Vec<Vec<u8>>,
    /// For each pattern: the other patterns that can start where it does.
    related: Vec<Vec<usize>>,
    ascii_case_insensitive: bool,
}

impl AllMatches {
    /// Compile `patterns` (ASCII case-insensitively if asked).
    pub fn new<P: AsRef<[u8]>>(
        patterns: &[P],
        ascii_case_insensitive: bool,
    ) -> Result<AllMatches, aho_corasick::BuildError> {
        Self::with_kind(patterns, ascii_case_insensitive, None)
    }

    /// [`AllMatches::new`] as a contiguous NFA: quick to build, slower
    /// per byte than a DFA.
    pub fn nfa<P: AsRef<[u8]>>(
        patterns: &[P],
        ascii_case_insensitive: bool,
    ) -> Result<AllMatches, aho_corasick::BuildError> {
        Self::with_kind(
            patterns,
            ascii_case_insensitive,
            Some(AhoCorasickKind::ContiguousNFA),
        )
    }

    /// [`AllMatches::new`] as a DFA: slower to build and bigger, faster
    /// per byte (for sets run over every line of every script).
    pub fn dfa<P: AsRef<[u8]>>(
        patterns: &[P],
        ascii_case_insensitive: bool,
    ) -> Result<AllMatches, aho_corasick::BuildError> {
        Self::with_kind(patterns, ascii_case_insensitive, Some(AhoCorasickKind::DFA))
    }

    fn with_kind<P: AsRef<[u8]>>(
        patterns: &[P],
        ascii_case_insensitive: bool,
        kind: Option<AhoCorasickKind>,
    ) -> Result<AllMatches, aho_corasick::BuildError> {
        let patterns: Vec<Vec<u8>> = patterns.iter().map(|p| p.as_ref().to_vec()).collect();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .ascii_case_insensitive(ascii_case_insensitive)
            .kind(kind)
            .build(&patterns)?;
        let related = related(&patterns, ascii_case_insensitive);
        Ok(AllMatches {
            ac,
            patterns,
            related,
            ascii_case_insensitive,
        })
    }

    /// Call `f(pattern, start)` for every occurrence in `hay`, in order of
    /// start position, until it breaks.
    pub fn for_each(&self, hay: &[u8], mut f: impl FnMut(usize, usize) -> ControlFlow<()>) {
        let mut pos = 0;
        while pos < hay.len() {
            let Some(m) = self.ac.find(Input::new(hay).span(pos..hay.len())) else {
                return;
            };
            let (q, s) = (m.pattern().as_usize(), m.start());
            if f(q, s).is_break() {
                return;
            }
            for &p in &self.related[q] {
                if self.starts_at(p, hay, s) && f(p, s).is_break() {
                    return;
                }
            }
            pos = s + 1;
        }
    }

    /// The patterns, in the order they were given.
    pub fn patterns(&self) -> &[Vec<u8>] {
        &self.patterns
    }

    /// The length of pattern `p`.
    pub fn pattern_len(&self, p: usize) -> usize {
        self.patterns[p].len()
    }

    fn starts_at(&self, p: usize, hay: &[u8], s: usize) -> bool {
        let pat = &self.patterns[p];
        hay.get(s..s + pat.len()).is_some_and(|h| {
            if self.ascii_case_insensitive {
                h.eq_ignore_ascii_case(pat)
            } else {
                h == pat.as_slice()
            }
        })
    }
}

/// For each pattern, the other patterns that are a prefix of it or have
/// it as a prefix: found through a map of the (folded) patterns, looking
/// up each prefix of each pattern (not by comparing every pair, which was
/// most of building a set of a few hundred).
fn related(patterns: &[Vec<u8>], ascii_case_insensitive: bool) -> Vec<Vec<usize>> {
    let fold = |p: &[u8]| {
        if ascii_case_insensitive {
            p.to_ascii_lowercase()
        } else {
            p.to_vec()
        }
    };
    let mut by_text: std::collections::HashMap<Vec<u8>, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, p) in patterns.iter().enumerate() {
        by_text.entry(fold(p)).or_default().push(i);
    }
    let mut related = vec![Vec::new(); patterns.len()];
    for (q, pq) in patterns.iter().enumerate() {
        let pq = fold(pq);
        // Every pattern that is a prefix of q (q itself and its equals too).
        for len in 0..=pq.len() {
            for &p in by_text.get(&pq[..len]).into_iter().flatten() {
                if p != q {
                    related[q].push(p);
                    related[p].push(q);
                }
            }
        }
    }
    for r in &mut related {
        r.sort_unstable();
        r.dedup();
    }
    related
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// (pattern, start) pairs an overlapping search reports.
    fn overlapping(pats: &[&[u8]], hay: &[u8], ci: bool) -> BTreeSet<(usize, usize)> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(ci)
            .build(pats)
            .unwrap();
        ac.find_overlapping_iter(hay)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect()
    }

    fn all(pats: &[&[u8]], hay: &[u8], ci: bool) -> BTreeSet<(usize, usize)> {
        let mut out = BTreeSet::new();
        AllMatches::new(pats, ci).unwrap().for_each(hay, |p, s| {
            assert!(out.insert((p, s)), "({p}, {s}) reported twice");
            ControlFlow::Continue(())
        });
        out
    }

    #[test]
    fn same_occurrences_as_an_overlapping_search() {
        let pats: &[&[u8]] = &[
            b"abc",
            b"ab",
            b"abcd",
            b"bc",
            b"c",
            b"abc",
            b"\0wget\0",
            b"\0nc\0",
            b"wget",
        ];
        let hays: &[&[u8]] = &[
            b"",
            b"abcd",
            b"xxabcdabcabab",
            b"\0wget\0nc\0tftp\0",
            b"cccc",
            b"ABCD abcd",
        ];
        for hay in hays {
            for ci in [false, true] {
                let want = overlapping(pats, hay, ci);
                assert_eq!(all(pats, hay, ci), want, "{:?} ci={ci}", hay);
            }
        }
        assert_eq!(all(pats, b"xxabcd", false).len(), 6);
    }

    #[test]
    fn pseudo_random_texts_agree() {
        // Small alphabet: many overlapping and nested occurrences.
        let pats: &[&[u8]] = &[b"aab", b"ab", b"b", b"aba", b"bab", b"abab", b"Ba", b"aab"];
        let mut x: u32 = 12345;
        for len in [1usize, 7, 64, 300] {
            let hay: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    b"abBA"[(x >> 16) as usize % 4]
                })
                .collect();
            for ci in [false, true] {
                assert_eq!(all(pats, &hay, ci), overlapping(pats, &hay, ci));
            }
        }
    }

    #[test]
    fn stops_when_told() {
        let m = AllMatches::new(&[b"a"], false).unwrap();
        let mut n = 0;
        m.for_each(b"aaaa", |_, _| {
            n += 1;
            if n == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(n, 2);
    }
}
