//! The engine: scans one buffer. Three steps, each cheaper than the next is expensive:
//! 1. the [`prefilter`](super::prefilter) finds the rules' keywords, case-sensitive and ASCII
//!    case-insensitive ones in one pass — most of a corpus never gets past this;
//! 2. the windows around the hits are merged, each with the rules whose keywords it holds;
//! 3. only those rules' own regexes run there, for the captures, then the value filters
//!    (entropy, placeholders, documentation files).

use super::checks;
use super::error::RulesError;
use super::prefilter::{Hit, Prefilter, Reach, RuleSet, Word};
use super::redact::{self, Digest};
use super::rules::{Confidence, Rule, LOOKBEHIND, RULES};
use regex::bytes::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// One secret found in a buffer. Holds the redacted form and a fingerprint, never the value.
#[derive(Debug, Clone)]
pub struct Match {
    pub rule: &'static Rule,
    /// What was scanned: a path relative to the scanned root, or a URL.
    pub label: String,
    /// 1-based line of the value's first character.
    pub line: usize,
    /// `sk_l…(32 chars, #a1b2c3)`.
    pub redacted: String,
    pub digest: Digest,
    /// The browser-exposed variable holding the value (`VITE_STRIPE_KEY`), if any.
    pub client_var: Option<String>,
    /// Its line carries an inline allow comment ([`ALLOW_MARKERS`]).
    pub allowed: bool,
}

/// The inline markers that allow one line's secret: ours, and those of the scanners a team
/// may come from, so that a repository's existing decisions keep holding — gitleaks
/// (`gitleaks:allow`), detect-secrets (`pragma: allowlist secret`, and its older
/// `pragma: whitelist secret`) and TruffleHog (`trufflehog:ignore`). Each is counted in the
/// report (`inventory.secrets.allowed_inline`), never silently dropped.
pub const ALLOW_MARKERS: &[&str] = &[
    "launchready:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
    "pragma: whitelist secret",
    "trufflehog:ignore",
];

impl Match {
    /// `PATH:LINE` (SPEC §4).
    pub fn subject(&self) -> String {
        format!("{}:{}", self.label, self.line)
    }

    /// `fingerprint:RULE:HASH`, the same short hash as the redacted form: a suppression by
    /// fingerprint survives the line moving, and tells nothing the redacted form doesn't.
    /// None for a value too short to show a hash (see [`super::redact::SHORT`]).
    pub fn fingerprint(&self) -> Option<String> {
        self.redacted.contains(", #").then(|| {
            format!(
                "fingerprint:{}:{:02x}{:02x}{:02x}",
                self.rule.id, self.digest[0], self.digest[1], self.digest[2]
            )
        })
    }
}

/// Whether the line of `bytes` that holds offset `at` carries an allow marker.
fn allowed_inline(bytes: &[u8], at: usize) -> bool {
    let at = at.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
    let line = &bytes[start..end];
    ALLOW_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
}

pub struct Engine {
    prefilter: Prefilter,
    /// Each rule's regex, compiled on its first use: a tree meets few rules' keywords, and
    /// building all 102 (~25 ms) would hold up the first file of every scan. `None`: it does
    /// not compile (a test proves every rule's does).
    regexes: Vec<OnceLock<Option<Regex>>>,
    dfa_limit: usize,
    client_var: Regex,
}

/// A rule's regex, as the engine runs it. ASCII semantics (`\b`, `\w`): secrets are ASCII,
/// and Unicode word boundaries would push the lazy DFA back to the slow PikeVM on every
/// non-ASCII byte.
pub(crate) fn compile(rule: &Rule, dfa_limit: usize) -> Result<Regex, RulesError> {
    RegexBuilder::new(rule.pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(dfa_limit)
        .build()
        .map_err(|error| RulesError::Rule { id: rule.id, error })
}

/// Variables these frameworks inline into the JavaScript they ship to every browser.
pub const CLIENT_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
];

/// Placeholder words: a value containing one is documentation, not a key.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "xxxx",
    "your",
    "placeholder",
    "changeme",
    "change_me",
    "dummy",
    "redacted",
    "sample",
    "fake",
    "insert",
    "replace",
    "12345678",
    "abcdefgh",
    "${",
    "{{",
    "%s",
    "***",
    "...",
    "…",
];

/// Passwords in connection URLs that only ever appear in examples and local setups.
const DEFAULT_PASSWORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "postgres",
    "root",
    "admin",
    "test",
    "user",
    "mysql",
    "mongo",
    "redis",
    "default",
    "123456",
    "qwerty",
    "guest",
    "letmein",
    "dev",
    "development",
    "local",
    "localhost",
    "docker",
];

/// The longest stretch one match can span, with room to spare: what a keyword may have
/// before it ([`LOOKBEHIND`], twice: the `near` words look 1 KiB around too) and the widest
/// reach after it (a PEM block).
pub const OVERLAP: usize = 2 * LOOKBEHIND + 2048 + 32_768 + 256;

static ENGINE: OnceLock<Result<Engine, RulesError>> = OnceLock::new();
static LIGHT_ENGINE: OnceLock<Result<Engine, RulesError>> = OnceLock::new();

/// The lazy DFA's cache per rule regex and thread: a tree wants room; a few bundles of a live
/// site don't, and the audit keeps its whole footprint under 50 MB.
const TREE_DFA_LIMIT: usize = 2 << 20;
const LIGHT_DFA_LIMIT: usize = 1 << 20;

/// The engine over [`RULES`] for scanning trees and histories, compiled once per process.
pub fn engine() -> Result<&'static Engine, RulesError> {
    ENGINE
        .get_or_init(|| Engine::with_dfa_limit(TREE_DFA_LIMIT))
        .as_ref()
        .map_err(Clone::clone)
}

/// The same rules with a small cache, for a few buffers (the exposure stage's bundles).
pub fn light_engine() -> Result<&'static Engine, RulesError> {
    LIGHT_ENGINE
        .get_or_init(|| Engine::with_dfa_limit(LIGHT_DFA_LIMIT))
        .as_ref()
        .map_err(Clone::clone)
}

impl Engine {
    pub fn new() -> Result<Engine, RulesError> {
        Engine::with_dfa_limit(TREE_DFA_LIMIT)
    }

    pub fn with_dfa_limit(dfa_limit: usize) -> Result<Engine, RulesError> {
        let rules = RULES;
        let words: Vec<Word> = rules
            .iter()
            .enumerate()
            .flat_map(|(rule, r)| {
                let reach = Reach {
                    after: r.max_len,
                    multiline: r.multiline,
                };
                r.keywords.iter().map(move |k| Word {
                    text: k,
                    ci: r.keywords_ci,
                    reach,
                    rule,
                })
            })
            .collect();
        let prefilter = Prefilter::new(&words)?;
        let regexes = rules.iter().map(|_| OnceLock::new()).collect();
        let client_var = Regex::new(&format!(
            r#"(?:^|[^A-Za-z0-9_])((?:{})[A-Za-z0-9_]*)["']?\s*(?::|=)\s*["'`]?[^"'`\s,;]*$"#,
            CLIENT_PREFIXES.join("|")
        ))
        .map_err(RulesError::ClientPrefix)?;
        Ok(Engine {
            prefilter,
            regexes,
            dfa_limit,
            client_var,
        })
    }

    /// Compiles every rule's regex now (a warm-up beside other work, for scans that must not
    /// wait for a compile when they come).
    pub fn compile_all(&self) {
        for i in 0..self.regexes.len() {
            let _ = self.regex(i);
        }
    }

    /// Rule `i`'s regex, compiled on first use (by whichever thread needs it first).
    fn regex(&self, i: usize) -> Option<&Regex> {
        self.regexes[i]
            .get_or_init(|| compile(&RULES[i], self.dfa_limit).ok())
            .as_ref()
    }

    /// Every secret in `bytes`, in order. `label` names the buffer in findings (a path
    /// relative to the scanned root, or a URL); documentation files (`*.md`…) skip the weak
    /// rules.
    pub fn scan_bytes(&self, label: &str, bytes: &[u8]) -> Vec<Match> {
        self.scan_part(label, bytes, 0..bytes.len(), 0)
    }

    /// The matches of `bytes` whose value starts in `keep`, their lines counted as if
    /// `lines_before` lines came before `bytes` (one window of a streamed file).
    fn scan_part(
        &self,
        label: &str,
        bytes: &[u8],
        keep: std::ops::Range<usize>,
        lines_before: usize,
    ) -> Vec<Match> {
        let windows = self.windows(bytes);
        if windows.is_empty() {
            return Vec::new();
        }
        let docs = is_documentation(label);
        // (value start, value end, rule index, where its line is counted)
        let mut raw: Vec<(usize, usize, usize, usize)> = Vec::new();
        for (start, end, mut rules) in windows {
            let hay = &bytes[..end];
            // Only the rules whose keywords are in the window can match there.
            while rules != 0 {
                let i = rules.trailing_zeros() as usize;
                rules &= rules - 1;
                let rule = &RULES[i];
                if docs && rule.confidence == Confidence::Weak {
                    continue;
                }
                let Some(re) = self.regex(i) else { continue };
                let mut pos = start;
                while pos <= end {
                    let Some(caps) = re.captures_at(hay, pos) else {
                        break;
                    };
                    let Some(whole) = caps.get(0) else { break };
                    pos = if whole.end() > whole.start() {
                        whole.end()
                    } else {
                        whole.end() + 1
                    };
                    let value = (1..caps.len()).find_map(|g| caps.get(g)).unwrap_or(whole);
                    if keep.contains(&value.start())
                        && accept(rule, value.as_bytes(), bytes, value.start())
                    {
                        // A PEM block's subject is its BEGIN line, not its first base64 line.
                        let anchor = if rule.pattern.starts_with("-----BEGIN") {
                            whole.start()
                        } else {
                            value.start()
                        };
                        raw.push((value.start(), value.end(), i, anchor));
                    }
                }
            }
        }
        // The same value found from two windows, or by two rules: keep the earliest rule.
        raw.sort_by_key(|&(s, e, i, _)| (s, i, e));
        raw.dedup_by_key(|&mut (s, _, i, _)| (s, i));
        let mut kept: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(raw.len());
        for m in raw {
            match kept.last_mut() {
                Some(last) if m.0 < last.1 => {
                    if m.2 < last.2 {
                        *last = m;
                    }
                }
                _ => kept.push(m),
            }
        }
        // Lines counted from one match to the next, not from the start each time.
        let (mut counted_to, mut lines) = (0, 0);
        kept.into_iter()
            .map(|(s, e, i, anchor)| {
                if anchor < counted_to {
                    (counted_to, lines) = (0, 0);
                }
                lines += memchr::memchr_iter(b'\n', &bytes[counted_to..anchor]).count();
                counted_to = anchor;
                let line = lines_before + 1 + lines;
                let value = &bytes[s..e];
                Match {
                    rule: &RULES[i],
                    label: label.to_string(),
                    line,
                    redacted: redact::redact(value),
                    digest: redact::fingerprint(value),
                    client_var: self.client_var_before(bytes, s),
                    allowed: allowed_inline(bytes, s),
                }
            })
            .collect()
    }

    /// Phase 1 alone (the benchmark's per-phase figures): how many windows the keyword
    /// prefilter leaves for the regexes.
    #[doc(hidden)]
    pub fn prefilter_windows(&self, bytes: &[u8]) -> usize {
        self.windows(bytes).len()
    }

    /// The merged windows around every keyword hit, each with the rules of its keywords.
    fn windows(&self, bytes: &[u8]) -> Vec<(usize, usize, RuleSet)> {
        let mut hits: Vec<Hit> = Vec::new();
        self.prefilter.hits(bytes, &mut hits);
        let mut out: Vec<(usize, usize, RuleSet)> = Vec::with_capacity(hits.len());
        for (m_start, m_end, reach, rules) in hits {
            let lo = m_start.saturating_sub(LOOKBEHIND);
            let hi = (m_end + reach.after).min(bytes.len());
            let (start, end) = if reach.multiline {
                (lo, hi)
            } else {
                let start = memchr::memrchr(b'\n', &bytes[lo..m_start]).map_or(lo, |p| lo + p + 1);
                let end = memchr::memchr(b'\n', &bytes[m_end..hi]).map_or(hi, |p| m_end + p);
                (start, end)
            };
            out.push((start, end, rules));
        }
        out.sort_unstable();
        let mut merged: Vec<(usize, usize, RuleSet)> = Vec::with_capacity(out.len());
        for (s, e, r) in out {
            match merged.last_mut() {
                Some(last) if s <= last.1 => {
                    last.1 = last.1.max(e);
                    last.2 |= r;
                }
                _ => merged.push((s, e, r)),
            }
        }
        merged
    }

    /// Scans what `reader` yields in windows of `window` bytes that overlap by [`OVERLAP`]
    /// twice over, so a file of any size is scanned in bounded memory and a secret across a
    /// window's edge is found once, whole, with its line. `Ok(None)`: the text is binary (a
    /// NUL in its first bytes). Also returns the bytes read.
    pub fn scan_reader<R: std::io::Read>(
        &self,
        label: &str,
        mut reader: R,
        window: usize,
    ) -> std::io::Result<(Option<Vec<Match>>, u64)> {
        let window = window.max(4 * OVERLAP);
        let mut buf: Vec<u8> = Vec::with_capacity(window);
        let mut out = Vec::new();
        let (mut keep_from, mut lines_before, mut total, mut first) = (0, 0, 0u64, true);
        loop {
            // Fill the window (or reach the end).
            let mut eof = false;
            while buf.len() < window {
                let had = buf.len();
                buf.resize(window, 0);
                let n = loop {
                    match reader.read(&mut buf[had..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                buf.truncate(had + n);
                total += n as u64;
                if n == 0 {
                    eof = true;
                    break;
                }
            }
            if first {
                first = false;
                if super::tree::is_binary(&buf) {
                    return Ok((None, total));
                }
            }
            // A value starting in the last OVERLAP bytes waits for the next window, where
            // everything a match can span before and after it is present.
            let keep_to = if eof { buf.len() } else { buf.len() - OVERLAP };
            out.extend(self.scan_part(label, &buf, keep_from..keep_to, lines_before));
            if eof {
                return Ok((Some(out), total));
            }
            let cut = keep_to - OVERLAP;
            lines_before += memchr::memchr_iter(b'\n', &buf[..cut]).count();
            buf.drain(..cut);
            keep_from = OVERLAP;
        }
    }

    /// `VITE_STRIPE_KEY` when the value at `at` is assigned to such a variable on its line.
    fn client_var_before(&self, bytes: &[u8], at: usize) -> Option<String> {
        let lo = at.saturating_sub(LOOKBEHIND);
        let start = bytes[lo..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let caps = self.client_var.captures(&bytes[start..at])?;
        caps.get(1)
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    }
}

/// Whether a value that the regex matched is a secret worth reporting.
fn accept(rule: &Rule, value: &[u8], buffer: &[u8], at: usize) -> bool {
    if rule.min_entropy > 0.0 && shannon_entropy(value) < rule.min_entropy {
        return false;
    }
    // Key blocks hold runs of `A` (zero bytes in base64), and so does a Twitter bearer token.
    if is_placeholder(value, rule.multiline || rule.id == "twitter-bearer-token") {
        return false;
    }
    if !checks::valid(rule.id, value) {
        return false;
    }
    if rule.id.ends_with("-url-password") && is_default_password(value) {
        return false;
    }
    let generic = rule.id.starts_with("generic-secret");
    if generic || rule.id == "jwt-signing-secret" {
        if looks_like_reference(value) {
            return false;
        }
        if generic
            && !(value.iter().any(u8::is_ascii_digit) && value.iter().any(u8::is_ascii_alphabetic))
        {
            return false;
        }
    }
    if !rule.near.is_empty() {
        let lo = at.saturating_sub(1024);
        let hi = (at + value.len() + 1024).min(buffer.len());
        let around = &buffer[lo..hi];
        if !rule.near.iter().any(|w| contains_ci(around, w.as_bytes())) {
            return false;
        }
    }
    true
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in value {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// `EXAMPLE`, `xxxx`, `your-key-here`, `<token>`, `${TOKEN}`, `sk_live_000…`: documentation.
pub fn is_placeholder(value: &[u8], key_block: bool) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| contains(&lower, w.as_bytes()))
    {
        return true;
    }
    if value.first() == Some(&b'<') || value.last() == Some(&b'>') || value.first() == Some(&b'$') {
        return true;
    }
    // The part after the last separator (the random part of `sk_live_…`), or all of it.
    let tail = value
        .iter()
        .rposition(|b| matches!(b, b'_' | b'-' | b'.'))
        .map(|p| &value[p + 1..])
        .filter(|t| t.len() >= 8)
        .unwrap_or(value);
    // `AbC123dEf456GhI789`: three counting runs are a documentation example (Firebase's
    // docs). Not two: one random 32-digit hex value in a few hundred holds two
    // (`…06780…894…`), and a real key must not pass for an example.
    if ["123", "234", "345", "456", "567", "678", "789"]
        .iter()
        .filter(|run| contains(value, run.as_bytes()))
        .count()
        >= 3
    {
        return true;
    }
    let mut distinct = [false; 256];
    for &b in tail {
        distinct[b as usize] = true;
    }
    if distinct.iter().filter(|&&d| d).count() <= 2 {
        return true;
    }
    // Key blocks legitimately hold runs of `A` (zero bytes in base64).
    !key_block && longest_run(value) >= 10
}

fn longest_run(value: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for &b in value {
        run = if Some(b) == prev { run + 1 } else { 1 };
        prev = Some(b);
        best = best.max(run);
    }
    best
}

fn is_default_password(value: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(value).to_ascii_lowercase();
    DEFAULT_PASSWORDS.contains(&lower.as_str())
}

/// `process.env.API_KEY`, `settings.SECRET_KEY`, `config.token`: code, not a value.
fn looks_like_reference(value: &[u8]) -> bool {
    let s = String::from_utf8_lossy(value);
    let dotted = s.contains('.')
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                && !part.starts_with(|c: char| c.is_ascii_digit())
        });
    dotted
        || s.starts_with("env:")
        || s.contains("process.env")
        || s.contains("os.environ")
        || s.contains("getenv")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Documentation files, where examples live: weak rules don't fire there.
pub fn is_documentation(label: &str) -> bool {
    let name = label
        .rsplit('/')
        .next()
        .unwrap_or(label)
        .to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(ext, "md" | "mdx" | "markdown" | "rst" | "adoc" | "asciidoc")
        || name.starts_with("readme")
        || name.starts_with("changelog")
}
