//! The keyword prefilter: where in a buffer any rule's keyword occurs, case-sensitive and
//! ASCII case-insensitive keywords alike, in one pass, and which rules each occurrence is for.
//!
//! Each keyword is *anchored* on its rarest three bytes ([`trigrams::COMMON`] ranks the
//! trigrams of source code). The pass reads every three-byte stretch of the buffer, folds its
//! case (`| 0x20`, which maps both cases of a letter together), hashes it into a 32 KiB byte
//! table of the anchors (it stays in L1) and, on the rare hit, looks the anchor up and
//! compares each keyword it stands for at its offset on the original bytes — exactly for a
//! case-sensitive keyword, ignoring ASCII case for the others. There is no per-pattern work
//! in the loop, so its speed doesn't depend on how many keywords there are (a Teddy searcher
//! over 90 anchors of common trigrams — `key`, `ata`, `pat` — ran at 150 MB/s on code).
//! Every occurrence of every keyword is found, each with its own reach and rule set.
//! Keywords shorter than an anchor are found with `memmem`.

use super::trigrams::COMMON;
use crate::error::RulesError;
use memchr::memmem;

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
    /// A byte per hashed folded anchor: 1 where some anchor hashes (a byte, not a bit: no
    /// variable shift in the loop).
    table: Box<[u8; TABLE]>,
    /// (folded anchor, keyword, the anchor's offset in it), sorted by anchor.
    entries: Vec<(u32, u32, u32)>,
    /// Keywords shorter than an anchor (case-sensitive), found with `memmem`.
    short: Vec<(memmem::Finder<'static>, usize)>,
}

const ANCHOR: usize = 3;
const TABLE_BITS: u32 = 15;
const TABLE: usize = 1 << TABLE_BITS;

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

/// The keyword's rarest trigram's offset: not in [`COMMON`] if it can, else the least
/// common listed one.
fn rarest(folded: &[u8]) -> usize {
    let rank = |t: &[u8]| {
        COMMON
            .chunks_exact(ANCHOR)
            .position(|c| c == t)
            .unwrap_or(usize::MAX)
    };
    (0..=folded.len() - ANCHOR)
        .max_by_key(|&i| {
            let t = &folded[i..i + ANCHOR];
            let w: u32 = t.iter().map(|&b| weight(b)).product();
            (rank(t), std::cmp::Reverse(w), std::cmp::Reverse(i))
        })
        .unwrap_or(0)
}

impl Prefilter {
    /// `words`, possibly repeated (the widest reach wins; the rule sets add up).
    pub fn new(words: &[Word]) -> Result<Prefilter, RulesError> {
        let mut keywords: Vec<Keyword> = Vec::new();
        for w in words {
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
        let mut table = Box::new([0u8; TABLE]);
        let mut entries = Vec::new();
        let mut short = Vec::new();
        for (k, kw) in keywords.iter().enumerate() {
            if kw.bytes.len() < ANCHOR {
                short.push((memmem::Finder::new(&kw.bytes).into_owned(), k));
                continue;
            }
            let lower = kw.bytes.to_ascii_lowercase();
            let off = rarest(&lower);
            let anchor = fold3(word3(&lower[off..]));
            table[hash(anchor)] = 1;
            entries.push((anchor, k as u32, off as u32));
        }
        entries.sort_unstable();
        Ok(Prefilter {
            keywords,
            table,
            entries,
            short,
        })
    }

    /// Every keyword occurrence in `bytes` (unordered; an occurrence may repeat).
    pub fn hits(&self, bytes: &[u8], out: &mut Vec<Hit>) {
        let table: &[u8; TABLE] = &self.table;
        let set = |folded: u32| u64::from(table[hash(folded) & (TABLE - 1)]);
        // Twelve trigrams from two eight-byte reads, case-folded once, tested without a
        // branch; the rare hit branches out to `verify`.
        let mut i = 0;
        while i + 14 <= bytes.len() {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(&bytes[i..i + 8]);
            let a = u64::from_le_bytes(eight) | 0x2020_2020_2020_2020;
            eight.copy_from_slice(&bytes[i + 6..i + 14]);
            let b = u64::from_le_bytes(eight) | 0x2020_2020_2020_2020;
            let t = |k: u32| {
                let w = if k < 6 {
                    a >> (8 * k)
                } else {
                    b >> (8 * (k - 6))
                };
                (w as u32) & 0x00ff_ffff
            };
            let mut any = 0u64;
            for k in 0..12 {
                any |= set(t(k)) << k;
            }
            if any != 0 {
                for k in 0..12 {
                    if any & (1 << k) != 0 {
                        self.verify(bytes, i + k as usize, t(k), out);
                    }
                }
            }
            i += 12;
        }
        while i + ANCHOR <= bytes.len() {
            let folded = fold3(word3(&bytes[i..]));
            if set(folded) != 0 {
                self.verify(bytes, i, folded, out);
            }
            i += 1;
        }
        for (finder, k) in &self.short {
            let kw = &self.keywords[*k];
            for start in finder.find_iter(bytes) {
                out.push((start, start + kw.bytes.len(), kw.reach, kw.rules));
            }
        }
    }

    /// The keywords anchored on `folded`, compared at their offsets around `at`.
    #[cold]
    fn verify(&self, bytes: &[u8], at: usize, folded: u32, out: &mut Vec<Hit>) {
        let from = self.entries.partition_point(|e| e.0 < folded);
        for &(_, k, off) in self.entries[from..].iter().take_while(|e| e.0 == folded) {
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

    #[test]
    fn more_than_128_rules_is_an_error() {
        assert!(Prefilter::new(&[word("token", true, 128)]).is_err());
    }
}
