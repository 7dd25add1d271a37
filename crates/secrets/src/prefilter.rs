//! The keyword prefilter: where in a buffer any rule's keyword occurs, case-sensitive and
//! ASCII case-insensitive keywords alike, in one SIMD pass.
//!
//! A case-insensitive automaton cannot use aho-corasick's packed (Teddy) searcher and walks
//! the text a byte at a time. Instead, every keyword (190 or so, of both kinds) is covered by
//! a small set of three-byte *anchors*, lowercase: each keyword contains one. The buffer is
//! lowercased block by block (a pass the compiler vectorises), Teddy finds the anchors in it,
//! and each anchor hit is verified against the keywords it stands for, at their offsets, on
//! the original bytes — exactly for a case-sensitive keyword, ignoring ASCII case for the
//! others. Every occurrence of every keyword is found (no leftmost-longest hiding), so each
//! carries its own reach. Keywords shorter than an anchor are found with `memmem`.

use crate::error::RulesError;
use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::memmem;
use std::collections::HashMap;

/// How far around a keyword hit the regexes must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub after: usize,
    pub multiline: bool,
}

/// One keyword occurrence: its span and its reach.
pub type Hit = (usize, usize, Reach);

#[derive(Debug)]
struct Keyword {
    bytes: Vec<u8>,
    ci: bool,
    reach: Reach,
}

enum Finder {
    /// Teddy over the anchors (SSSE3/AVX2 or NEON).
    Packed(packed::Searcher),
    /// No SIMD: an automaton over the same anchors.
    Automaton(AhoCorasick),
}

pub struct Prefilter {
    keywords: Vec<Keyword>,
    /// Per anchor (pattern id): the keywords it stands for, with its offset in each.
    entries: Vec<Vec<(u32, u32)>>,
    by_anchor: HashMap<[u8; 3], usize>,
    finder: Finder,
    /// Keywords shorter than an anchor (case-sensitive), found with `memmem`.
    short: Vec<(memmem::Finder<'static>, usize)>,
}

const ANCHOR: usize = 3;
/// The lowercased copy is made this many bytes at a time (stays in cache).
const BLOCK: usize = 64 * 1024;

/// A rough cost of a byte as part of an anchor: common letters make common anchors.
fn commonness(b: u8) -> usize {
    match b {
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b' ' => 3,
        b'a'..=b'z' => 2,
        _ => 1,
    }
}

impl Prefilter {
    /// `words`: (keyword, case-insensitive, reach), possibly repeated (the widest reach wins).
    pub fn new(words: &[(&str, bool, Reach)]) -> Result<Prefilter, RulesError> {
        let mut keywords: Vec<Keyword> = Vec::new();
        for &(w, ci, reach) in words {
            let bytes = if ci {
                w.to_ascii_lowercase().into_bytes()
            } else {
                w.as_bytes().to_vec()
            };
            match keywords.iter_mut().find(|k| k.bytes == bytes && k.ci == ci) {
                Some(k) => {
                    k.reach.after = k.reach.after.max(reach.after);
                    k.reach.multiline |= reach.multiline;
                }
                None => keywords.push(Keyword { bytes, ci, reach }),
            }
        }
        // Greedy set cover: the anchor that covers the most keywords not yet covered, the
        // least common one on a tie; ordered maps keep the choice stable run to run.
        let folded: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.bytes.to_ascii_lowercase())
            .collect();
        let mut uncovered: Vec<usize> = (0..keywords.len())
            .filter(|&i| folded[i].len() >= ANCHOR)
            .collect();
        let mut anchors: Vec<[u8; 3]> = Vec::new();
        while !uncovered.is_empty() {
            let mut counts: std::collections::BTreeMap<[u8; 3], usize> = Default::default();
            for &i in &uncovered {
                let mut seen: Vec<[u8; 3]> = Vec::new();
                for w in folded[i].windows(ANCHOR) {
                    let a = [w[0], w[1], w[2]];
                    if !seen.contains(&a) {
                        seen.push(a);
                        *counts.entry(a).or_default() += 1;
                    }
                }
            }
            let score =
                |a: &[u8; 3], n: usize| n * 10 - a.iter().map(|&b| commonness(b)).sum::<usize>();
            let Some((best, _)) = counts
                .iter()
                .max_by_key(|(a, &n)| (score(a, n), std::cmp::Reverse(**a)))
            else {
                break;
            };
            let best = *best;
            anchors.push(best);
            uncovered.retain(|&i| !folded[i].windows(ANCHOR).any(|w| w == best));
        }
        let by_anchor: HashMap<[u8; 3], usize> =
            anchors.iter().enumerate().map(|(i, a)| (*a, i)).collect();
        let mut entries: Vec<Vec<(u32, u32)>> = vec![Vec::new(); anchors.len()];
        let mut short = Vec::new();
        for (k, f) in folded.iter().enumerate() {
            if f.len() < ANCHOR {
                short.push((memmem::Finder::new(&keywords[k].bytes).into_owned(), k));
                continue;
            }
            // The first anchor (in the chosen order) the keyword contains, at its first offset.
            let found = anchors
                .iter()
                .enumerate()
                .find_map(|(ai, a)| f.windows(ANCHOR).position(|w| w == a).map(|off| (ai, off)));
            if let Some((ai, off)) = found {
                entries[ai].push((k as u32, off as u32));
            }
        }
        let finder = match packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .heuristic_pattern_limits(false)
            .builder()
            .extend(anchors.iter())
            .build()
        {
            Some(s) => Finder::Packed(s),
            None => Finder::Automaton(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(anchors.iter())
                    .map_err(RulesError::Prefilter)?,
            ),
        };
        Ok(Prefilter {
            keywords,
            entries,
            by_anchor,
            finder,
            short,
        })
    }

    /// Every keyword occurrence in `bytes` (unordered; an occurrence may repeat).
    pub fn hits(&self, bytes: &[u8], out: &mut Vec<Hit>) {
        let mut lower = vec![0u8; BLOCK.min(bytes.len()) + ANCHOR];
        let mut b = 0;
        while b < bytes.len() {
            // The block and the two bytes after it, so an anchor across the edge is whole.
            let end = (b + BLOCK + ANCHOR - 1).min(bytes.len());
            let src = &bytes[b..end];
            let dst = &mut lower[..src.len()];
            for (d, s) in dst.iter_mut().zip(src) {
                *d = s.to_ascii_lowercase();
            }
            let dst = &lower[..src.len()];
            let mut verify = |p: usize, anchor: usize| {
                for &(k, off) in &self.entries[anchor] {
                    let kw = &self.keywords[k as usize];
                    let Some(start) = (b + p).checked_sub(off as usize) else {
                        continue;
                    };
                    let Some(text) = bytes.get(start..start + kw.bytes.len()) else {
                        continue;
                    };
                    let same = if kw.ci {
                        text.eq_ignore_ascii_case(&kw.bytes)
                    } else {
                        text == kw.bytes.as_slice()
                    };
                    if same {
                        out.push((start, start + kw.bytes.len(), kw.reach));
                    }
                }
            };
            let mut on_match = |p: usize, anchor: usize| {
                verify(p, anchor);
                // Teddy's hits don't overlap: an anchor starting inside this one is looked up.
                for q in p + 1..p + ANCHOR {
                    if let Some(w) = dst.get(q..q + ANCHOR) {
                        if let Some(&a) = self.by_anchor.get(&[w[0], w[1], w[2]]) {
                            verify(q, a);
                        }
                    }
                }
            };
            match &self.finder {
                Finder::Packed(s) => {
                    for m in s.find_iter(dst) {
                        on_match(m.start(), m.pattern().as_usize());
                    }
                }
                Finder::Automaton(ac) => {
                    for m in ac.find_iter(dst) {
                        on_match(m.start(), m.pattern().as_usize());
                    }
                }
            }
            b += BLOCK;
        }
        for (finder, k) in &self.short {
            let kw = &self.keywords[*k];
            for start in finder.find_iter(bytes) {
                out.push((start, start + kw.bytes.len(), kw.reach));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach() -> Reach {
        Reach {
            after: 10,
            multiline: false,
        }
    }

    fn spans(p: &Prefilter, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        p.hits(text.as_bytes(), &mut out);
        let mut s: Vec<_> = out.into_iter().map(|(a, b, _)| (a, b)).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    #[test]
    fn finds_every_occurrence_in_any_case_and_only_exact_case_sensitive_ones() {
        let p = Prefilter::new(&[
            ("secret", true, reach()),
            ("AKIA", false, reach()),
            ("SK", false, reach()),
            ("secret_", false, reach()),
        ])
        .expect("prefilter");
        assert_eq!(spans(&p, "SeCrEt"), vec![(0, 6)]);
        assert_eq!(spans(&p, "akia AKIA"), vec![(5, 9)]);
        assert_eq!(spans(&p, "secret_x"), vec![(0, 6), (0, 7)]);
        assert_eq!(spans(&p, "xSKy sk"), vec![(1, 3)]);
        // Overlapping anchors: "sesecret" has "ses" before "sec".
        assert_eq!(spans(&p, "sesecret"), vec![(2, 8)]);
    }

    #[test]
    fn a_keyword_across_a_block_edge_is_found() {
        let p = Prefilter::new(&[("password", true, reach())]).expect("prefilter");
        for shift in 0..10 {
            let mut text = "x".repeat(BLOCK - shift);
            text.push_str("PassWord");
            text.push_str(&"y".repeat(100));
            assert_eq!(spans(&p, &text), vec![(BLOCK - shift, BLOCK - shift + 8)]);
        }
    }
}
