//! The keyword prefilter: where in a buffer any rule's keyword occurs, case-sensitive and
//! ASCII case-insensitive keywords alike, in one pass, and which rules each occurrence is for.
//!
//! Each keyword is *anchored* on its rarest run of two consecutive three-byte stretches
//! ([`trigrams::COMMON`] ranks the trigrams of source code), and both are registered. The
//! pass reads every second three-byte stretch of the buffer — one of the two anchors of any
//! occurrence falls on one — folds its case (`| 0x20`, which maps both cases of a letter
//! together), hashes it into a 32 KiB byte table (it stays in L1) and, on the rare hit, takes
//! the few anchors of its bucket and compares each keyword they stand for at its offset on the
//! original bytes — exactly for a case-sensitive keyword, ignoring ASCII case for the others.
//! There is no per-pattern work in the loop, so its speed doesn't depend on how many keywords
//! there are (a Teddy searcher over 90 anchors of common trigrams — `key`, `ata`, `pat` — ran
//! at 150 MB/s on code). The keywords too short for two anchors (`SK`, `hf_`, `pwd` in any
//! case: 24 spellings) are found by a Teddy searcher of their own.
//! Every occurrence of every keyword is found, each with its own reach and rule set.

use super::trigrams::COMMON;
use crate::error::RulesError;
use aho_corasick::{packed, Span};
use memchr::memmem;
use std::collections::HashMap;

/// How far around a keyword hit the regexes must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub after: usize,
    pub multiline: bool,
}

/// A set of rules, by index (at most 128).
pub type RuleSet = u128;

/// One keyword occurrence: its span, its reach and the rules it is a keyword of.
pub type Hit = (usize, usize, Reach, RuleSet);

/// One keyword the prefilter looks for.
pub struct Word<'a> {
    pub text: &'a str,
    pub ci: bool,
    pub reach: Reach,
    pub rule: usize,
}

#[derive(Debug)]
struct Keyword {
    bytes: Vec<u8>,
    ci: bool,
    reach: Reach,
    rules: RuleSet,
}

pub struct Prefilter {
    keywords: Vec<Keyword>,
    /// A byte per hashed folded anchor: 0 where no anchor hashes, else its bucket (a byte,
    /// not a bit: no variable shift in the loop).
    table: Box<[u8; TABLE]>,
    /// (folded anchor, keyword, the anchor's offset in it), grouped by bucket.
    entries: Vec<(u32, u32, u32)>,
    /// Each bucket's range of `entries` (bucket 0 is empty): a hit compares a few entries,
    /// without a search.
    buckets: Vec<std::ops::Range<usize>>,
    /// Keywords too short for [`STRIDE`] anchors, found by a SIMD literal search.
    short: Short,
}

const ANCHOR: usize = 3;
/// The pass looks up every `STRIDE`-th position only. Each keyword is registered at
/// `STRIDE` consecutive anchor offsets, so exactly one of them falls on a looked-up position
/// wherever the keyword occurs (which halves the lookups: the loop is the scan's bottleneck).
const STRIDE: usize = 2;
const TABLE_BITS: u32 = 15;
const TABLE: usize = 1 << TABLE_BITS;
const FOLD: u64 = 0x2020_2020_2020_2020;

/// The three bytes at the low end of `w`, case-folded (`| 0x20`).
#[inline(always)]
fn fold3(w: u32) -> u32 {
    (w | 0x0020_2020) & 0x00ff_ffff
}

#[inline(always)]
fn hash(folded: u32) -> usize {
    (folded.wrapping_mul(0x9e37_79b1) >> (32 - TABLE_BITS)) as usize
}

fn word3(b: &[u8]) -> u32 {
    u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16
}

#[inline(always)]
fn load8(bytes: &[u8], at: usize) -> u64 {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(eight)
}

/// A rough rarity of a trigram absent from the table: punctuation and rare letters first.
fn weight(b: u8) -> u32 {
    match b.to_ascii_lowercase() {
        b' ' => 40,
        b'e' => 24,
        b't' => 18,
        b'a' | b'o' => 16,
        b'i' | b'n' | b's' => 14,
        b'r' => 12,
        b'h' | b'l' | b'c' | b'd' | b'.' => 8,
        b'u' | b'p' | b'm' | b'_' | b'=' | b'"' | b'0' | b'1' => 6,
        b'f' | b'g' | b'b' | b'y' | b'w' | b'2' | b'-' | b':' => 4,
        b'v' => 3,
        b'k' | b'x' => 2,
        _ => 1,
    }
}

/// The offset of the keyword's rarest run of [`STRIDE`] consecutive trigrams (the run whose
/// most common trigram is least common): not in [`COMMON`] if it can, else the least common
/// listed ones.
fn rarest(folded: &[u8], ranks: &HashMap<&[u8], usize>) -> usize {
    let rank: Vec<_> = folded
        .windows(ANCHOR)
        .map(|t| {
            let listed = ranks.get(t).copied().unwrap_or(usize::MAX);
            let w: u32 = t.iter().map(|&b| weight(b)).product();
            (listed, std::cmp::Reverse(w))
        })
        .collect();
    (0..=folded.len() - ANCHOR - (STRIDE - 1))
        .max_by_key(|&o| {
            let worst = rank[o..o + STRIDE].iter().min();
            (worst, std::cmp::Reverse(o))
        })
        .unwrap_or(0)
}

/// The keywords shorter than `ANCHOR + STRIDE - 1` bytes, each spelling of them (every case
/// of an ASCII case-insensitive one: at most eight) in one Teddy searcher.
struct Short {
    /// (spelling, keyword), sorted.
    spellings: Vec<(Vec<u8>, usize)>,
    /// `None` where the CPU has no SIMD Teddy: then each spelling is found with `memmem`.
    teddy: Option<packed::Searcher>,
}

/// Every ASCII case spelling of `word`.
fn spellings(word: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    for &b in word {
        let cases: &[u8] = if b.is_ascii_alphabetic() {
            &[b.to_ascii_lowercase(), b.to_ascii_uppercase()]
        } else {
            std::slice::from_ref(&b)
        };
        out = out
            .iter()
            .flat_map(|s| {
                cases.iter().map(move |&c| {
                    let mut s = s.clone();
                    s.push(c);
                    s
                })
            })
            .collect();
    }
    out
}

impl Short {
    fn new(mut spellings: Vec<(Vec<u8>, usize)>) -> Short {
        // Sorted, so that a match compares only the spellings that start with its byte.
        spellings.sort_unstable();
        let teddy = if spellings.is_empty() {
            None
        } else {
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(spellings.iter().map(|(s, _)| s))
                .build()
        };
        Short { spellings, teddy }
    }

    fn hits(&self, keywords: &[Keyword], bytes: &[u8], out: &mut Vec<Hit>) {
        let mut push = |start: usize, k: usize| {
            let kw = &keywords[k];
            out.push((start, start + kw.bytes.len(), kw.reach, kw.rules));
        };
        match &self.teddy {
            // Every start with a match: all spellings are compared there (leftmost-first
            // reports one), then the search goes on from the next byte.
            Some(teddy) => {
                let mut at = 0;
                while let Some(m) = teddy.find_in(bytes, Span::from(at..bytes.len())) {
                    let start = m.start();
                    let first = bytes[start];
                    let from = self
                        .spellings
                        .partition_point(|(s, _)| s.first() < Some(&first));
                    for (spelling, k) in self.spellings[from..]
                        .iter()
                        .take_while(|(s, _)| s.first() == Some(&first))
                    {
                        if bytes[start..].starts_with(spelling) {
                            push(start, *k);
                        }
                    }
                    at = start + 1;
                }
            }
            None => {
                for (spelling, k) in &self.spellings {
                    for start in memmem::find_iter(bytes, spelling) {
                        push(start, *k);
                    }
                }
            }
        }
    }
}

impl Prefilter {
    /// `words`, possibly repeated (the widest reach wins; the rule sets add up).
    pub fn new(words: &[Word]) -> Result<Prefilter, RulesError> {
        let mut keywords: Vec<Keyword> = Vec::new();
        // An empty keyword would be everywhere: it stands for nothing.
        for w in words.iter().filter(|w| !w.text.is_empty()) {
            if w.rule >= RuleSet::BITS as usize {
                return Err(RulesError::TooMany(w.rule + 1));
            }
            let bytes = if w.ci {
                w.text.to_ascii_lowercase().into_bytes()
            } else {
                w.text.as_bytes().to_vec()
            };
            match keywords
                .iter_mut()
                .find(|k| k.bytes == bytes && k.ci == w.ci)
            {
                Some(k) => {
                    k.reach.after = k.reach.after.max(w.reach.after);
                    k.reach.multiline |= w.reach.multiline;
                    k.rules |= 1 << w.rule;
                }
                None => keywords.push(Keyword {
                    bytes,
                    ci: w.ci,
                    reach: w.reach,
                    rules: 1 << w.rule,
                }),
            }
        }
        // Each listed trigram's rank, most common first (a lookup, not a scan of the list).
        let ranks: HashMap<&[u8], usize> = COMMON
            .chunks_exact(ANCHOR)
            .enumerate()
            .map(|(i, t)| (t, i))
            .rev()
            .collect();
        let mut table = Box::new([0u8; TABLE]);
        let mut entries = Vec::new();
        let mut short = Vec::new();
        for (k, kw) in keywords.iter().enumerate() {
            if kw.bytes.len() < ANCHOR + STRIDE - 1 {
                if kw.ci {
                    short.extend(spellings(&kw.bytes).into_iter().map(|s| (s, k)));
                } else {
                    short.push((kw.bytes.clone(), k));
                }
                continue;
            }
            let lower = kw.bytes.to_ascii_lowercase();
            let from = rarest(&lower, &ranks);
            for off in from..from + STRIDE {
                let anchor = fold3(word3(&lower[off..]));
                entries.push((anchor, k as u32, off as u32));
            }
        }
        // Buckets 1..=255 by hash; with more hashes than that, a bucket holds several.
        entries.sort_unstable_by_key(|e| (hash(e.0), e.0, e.1, e.2));
        entries.dedup();
        let mut hashes: Vec<usize> = entries.iter().map(|e| hash(e.0)).collect();
        hashes.dedup();
        for (n, &h) in hashes.iter().enumerate() {
            table[h] = (n % 255 + 1) as u8;
        }
        entries.sort_unstable_by_key(|e| (table[hash(e.0)], e.0, e.1, e.2));
        let mut buckets = vec![0..0; 256];
        for (n, e) in entries.iter().enumerate() {
            let b = usize::from(table[hash(e.0)]);
            if buckets[b].is_empty() {
                buckets[b] = n..n;
            }
            buckets[b].end = n + 1;
        }
        Ok(Prefilter {
            keywords,
            table,

            entries,
            buckets,
            short: Short::new(short),
        })
    }

    /// Every keyword occurrence in `bytes` (unordered; an occurrence may repeat).
    pub fn hits(&self, bytes: &[u8], out: &mut Vec<Hit>) {
        let table: &[u8; TABLE] = &self.table;
        let set = |folded: u32| u32::from(table[hash(folded) & (TABLE - 1)] != 0);
        // Eight looked-up positions (every second one of 16 bytes) from three eight-byte
        // reads, case-folded once, tested without a branch; the rare hit branches out to
        // `verify`.
        let mut i = 0;
        while i + 20 <= bytes.len() {
            let (a, b, c) = (
                load8(bytes, i) | FOLD,
                load8(bytes, i + 6) | FOLD,
                load8(bytes, i + 12) | FOLD,
            );
            let t = |w: u64, k: u32| ((w >> (16 * k)) as u32) & 0x00ff_ffff;
            let ts = [
                t(a, 0),
                t(a, 1),
                t(a, 2),
                t(b, 0),
                t(b, 1),
                t(b, 2),
                t(c, 0),
                t(c, 1),
            ];
            let mut any = 0u32;
            for (k, &folded) in ts.iter().enumerate() {
                any |= set(folded) << k;
            }
            if any != 0 {
                for (k, &folded) in ts.iter().enumerate() {
                    if any & (1 << k) != 0 {
                        self.verify(bytes, i + STRIDE * k, folded, out);
                    }
                }
            }
            i += 8 * STRIDE;
        }
        while i + ANCHOR <= bytes.len() {
            let folded = fold3(word3(&bytes[i..]));
            if set(folded) != 0 {
                self.verify(bytes, i, folded, out);
            }
            i += STRIDE;
        }
        self.short.hits(&self.keywords, bytes, out);
    }

    /// The keywords anchored on `folded`, compared at their offsets around `at`.
    #[cold]
    fn verify(&self, bytes: &[u8], at: usize, folded: u32, out: &mut Vec<Hit>) {
        let bucket = self.buckets[usize::from(self.table[hash(folded)])].clone();
        for &(_, k, off) in self.entries[bucket].iter().filter(|e| e.0 == folded) {
            let kw = &self.keywords[k as usize];
            let Some(start) = at.checked_sub(off as usize) else {
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
                out.push((start, start + kw.bytes.len(), kw.reach, kw.rules));
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

    fn word(text: &str, ci: bool, rule: usize) -> Word<'_> {
        Word {
            text,
            ci,
            reach: reach(),
            rule,
        }
    }

    fn spans(p: &Prefilter, text: &str) -> Vec<(usize, usize, RuleSet)> {
        let mut out = Vec::new();
        p.hits(text.as_bytes(), &mut out);
        let mut s: Vec<_> = out.into_iter().map(|(a, b, _, r)| (a, b, r)).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    #[test]
    fn the_trigram_table_is_whole() {
        assert_eq!(COMMON.len(), 2048 * ANCHOR);
    }

    #[test]
    fn finds_every_occurrence_in_any_case_and_only_exact_case_sensitive_ones() {
        let p = Prefilter::new(&[
            word("secret", true, 0),
            word("AKIA", false, 1),
            word("SK", false, 2),
            word("secret_", false, 3),
            word("secret", true, 4),
        ])
        .expect("prefilter");
        assert_eq!(spans(&p, "SeCrEt"), vec![(0, 6, 0b10001)]);
        assert_eq!(spans(&p, "akia AKIA"), vec![(5, 9, 0b10)]);
        assert_eq!(spans(&p, "secret_x"), vec![(0, 6, 0b10001), (0, 7, 0b1000)]);
        assert_eq!(spans(&p, "xSKy sk"), vec![(1, 3, 0b100)]);
        assert_eq!(spans(&p, "sesecret"), vec![(2, 8, 0b10001)]);
        // At the very start and the very end of the buffer.
        assert_eq!(spans(&p, "AKIA"), vec![(0, 4, 0b10)]);
        assert_eq!(spans(&p, "xAKI"), vec![]);
        assert_eq!(spans(&p, "SECRET"), vec![(0, 6, 0b10001)]);
    }

    #[test]
    fn every_keyword_at_every_offset_and_case() {
        let words = [
            "password", "hf_", "AIza", "api_key", "x-api", "Q~", ":AA", "sv=",
        ];
        let p = Prefilter::new(
            &words
                .iter()
                .enumerate()
                .map(|(i, w)| word(w, i % 2 == 0, i))
                .collect::<Vec<_>>(),
        )
        .expect("prefilter");
        for (i, w) in words.iter().enumerate() {
            for shift in 0..9 {
                let text = format!("{}{w}{}", "~".repeat(shift), "_".repeat(shift % 3));
                assert!(
                    spans(&p, &text).contains(&(shift, shift + w.len(), 1 << i)),
                    "{w} at {shift}"
                );
                if i % 2 == 0 {
                    let upper = format!("{}{}", "-".repeat(shift), w.to_ascii_uppercase());
                    assert!(spans(&p, &upper).contains(&(shift, shift + w.len(), 1 << i)));
                }
            }
        }
    }

    /// Every occurrence of every keyword, by comparing at every offset.
    fn naive(words: &[(&str, bool)], text: &[u8]) -> Vec<(usize, usize, RuleSet)> {
        let mut out = Vec::new();
        for (i, (w, ci)) in words.iter().enumerate() {
            for start in 0..text.len() {
                if let Some(t) = text.get(start..start + w.len()) {
                    if if *ci {
                        t.eq_ignore_ascii_case(w.as_bytes())
                    } else {
                        t == w.as_bytes()
                    } {
                        out.push((start, start + w.len(), 1 << i));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn the_strided_pass_finds_what_a_naive_search_finds() {
        let words: &[(&str, bool)] = &[
            ("token", true),
            ("secret_access_key", true),
            ("pwd", true),
            ("AKIA", false),
            ("ghp_", false),
            ("SK", false),
            ("xoxb-", false),
            ("sig=", true),
            ("eyJ", false),
            ("key-", false),
            ("passwd", true),
        ];
        let p = Prefilter::new(
            &words
                .iter()
                .enumerate()
                .map(|(i, (w, ci))| word(w, *ci, i))
                .collect::<Vec<_>>(),
        )
        .expect("prefilter");
        // Keywords (in mixed case), overlapping pieces of them and noise, at every offset and
        // length, with a simple generator.
        let mut seed = 0x2545_f491_u32;
        let mut next = |n: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed % n
        };
        let pieces = [
            "TOKEN",
            "ToKeN",
            "to",
            "ken",
            "SECRET_ACCESS_KEY",
            "Pwd",
            "AKIA",
            "akia",
            "ghp_",
            "SKSK",
            "xoxb-",
            "SIG=",
            "eyJ",
            "key-",
            "passwd",
            " ",
            "\n",
            "=",
            "pa",
            "sswd",
        ];
        for _ in 0..300 {
            let mut text = Vec::new();
            for _ in 0..next(40) {
                text.extend_from_slice(pieces[next(pieces.len() as u32) as usize].as_bytes());
            }
            let mut got = spans(&p, std::str::from_utf8(&text).expect("ascii"));
            got.sort_unstable();
            let mut want = naive(words, &text);
            // `spans` merges the rule sets of equal spans: so does the reference.
            want.dedup();
            assert_eq!(got, want, "{}", String::from_utf8_lossy(&text));
        }
    }

    #[test]
    fn more_than_128_rules_is_an_error() {
        assert!(Prefilter::new(&[word("token", true, 128)]).is_err());
    }
}
