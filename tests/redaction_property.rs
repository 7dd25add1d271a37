//! The redaction invariant, as a property: for generated secrets of every rule, placed in
//! source files, `.env` bodies and minified bundles, neither the full value nor any
//! 12-character piece of it appears on stdout, on stderr at `-vv`, or in any `-o` file, in
//! any output format.

mod common;

use common::*;
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use std::path::Path;

/// Where a planted secret sits.
#[derive(Debug, Clone, Copy)]
enum Placement {
    Source,
    EnvFile,
    Bundle,
}

impl Arbitrary for Placement {
    fn arbitrary(g: &mut Gen) -> Self {
        *g.choose(&[Placement::Source, Placement::EnvFile, Placement::Bundle])
            .unwrap_or(&Placement::Source)
    }
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    placement: Placement,
}

impl Arbitrary for Case {
    fn arbitrary(g: &mut Gen) -> Self {
        Case {
            seed: u64::arbitrary(g),
            placement: Placement::arbitrary(g),
        }
    }
}

/// Writes one file per rule and returns the secret values the engine finds in them,
/// recovered from each match's redacted form (its first characters and its length).
fn plant(root: &Path, case: &Case) -> Vec<String> {
    let mut values = Vec::new();
    let mut planted = String::new();
    for (i, rule) in launchready::secrets::RULES.iter().enumerate() {
        let Some((text, _near_miss)) = launchready::secrets::samples::sample(rule.id, case.seed)
        else {
            continue;
        };
        // The case's placement first, and the other two under other seeds' text, so that every
        // run covers every placement.
        let placement = match (case.placement, i % 3) {
            (p, 0) => p,
            (Placement::Source, 1) | (Placement::EnvFile, 2) => Placement::Bundle,
            (Placement::Bundle, 1) | (Placement::Source, 2) => Placement::EnvFile,
            _ => Placement::Source,
        };
        let (rel, body) = match placement {
            Placement::Source => (format!("src/r{i}.ts"), format!("// config\n{text}\n")),
            Placement::EnvFile => (format!("svc{i}/.env"), format!("{text}\n")),
            Placement::Bundle => (
                format!("public/assets/r{i}.min.js"),
                format!("!function(){{var a=1;{}}}();", text.replace('\n', "\\n")),
            ),
        };
        let path = root.join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(&path, &body).expect("write");
        for m in launchready::secrets::scan_bytes(&rel, body.as_bytes()) {
            values.extend(values_of(&body, &m.redacted));
        }
        planted.push_str(&body);
    }
    // The detector itself works: every piece it will look for is in what was planted.
    for v in &values {
        for p in pieces(v) {
            assert!(planted.contains(&p), "piece of {v:?} not planted");
        }
    }
    values.sort();
    values.dedup();
    values
}

/// The substrings of `text` that a redacted form `abcd…(N chars, #hash)` stands for.
fn values_of(text: &str, redacted: &str) -> Vec<String> {
    let Some((head, rest)) = redacted.split_once('…') else {
        return Vec::new();
    };
    let Some(len) = rest
        .trim_start_matches('(')
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    if head.is_empty() {
        return out;
    }
    for (at, _) in text.match_indices(head) {
        if let Some(v) = bytes.get(at..at + len) {
            if let Ok(v) = std::str::from_utf8(v) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// The 12-character pieces of a value that would give it away, taken line by line (real line
/// breaks and escaped `\n` alike, so a one-line escaped PEM key is covered too). PEM armour
/// lines (`-----BEGIN … KEY-----`) are public structure, not secret, and are left out.
fn pieces(value: &str) -> Vec<String> {
    let unescaped = value.replace("\\n", "\n");
    let lines: Vec<Vec<char>> = unescaped
        .lines()
        .filter(|l| !l.contains("-----BEGIN") && !l.contains("-----END"))
        .map(|l| l.chars().collect())
        .collect();
    let total: usize = lines.iter().map(Vec::len).sum();
    if total < 12 {
        // A short value is checked whole; too short to mean anything alone, it is skipped.
        let secret: String = lines.iter().flatten().collect();
        return if total >= 6 { vec![secret] } else { vec![] };
    }
    lines
        .iter()
        .flat_map(|l| l.windows(12).map(|w| w.iter().collect::<String>()))
        .collect()
}

fn leaks(case: Case) -> TestResult {
    let dir = std::env::temp_dir().join(format!(
        "lr-redact-{}-{:x}-{:?}",
        std::process::id(),
        case.seed,
        case.placement
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let values = plant(&dir, &case);
    if values.is_empty() {
        return TestResult::discard();
    }
    let out_dir = dir.with_extension("out");
    std::fs::create_dir_all(&out_dir).expect("out dir");
    let root = dir.to_string_lossy().to_string();
    let mut texts: Vec<(String, String)> = Vec::new();
    for format in ["table", "json", "sarif", "junit", "markdown", "html"] {
        let file = out_dir.join(format!("report.{format}"));
        let file_s = file.to_string_lossy().to_string();
        let run = launchready(["secrets", &root, "-vv", "--format", format, "-o", &file_s]);
        texts.push((format!("{format} stdout"), run.stdout));
        texts.push((format!("{format} stderr"), run.stderr));
        let written = std::fs::read_to_string(&file).unwrap_or_default();
        if written.is_empty() {
            let _ = std::fs::remove_dir_all(&dir);
            let _ = std::fs::remove_dir_all(&out_dir);
            return TestResult::error(format!("{format}: no -o file"));
        }
        texts.push((format!("{format} -o file"), written));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&out_dir);
    // Every 12-character window of every output is looked up among the pieces (one pass per
    // output, not one search per piece); the few short values are searched whole.
    let mut twelve: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut short: Vec<String> = Vec::new();
    for value in &values {
        for piece in pieces(value) {
            if piece.chars().count() == 12 {
                twelve.insert(piece);
            } else {
                short.push(piece);
            }
        }
    }
    for (what, text) in &texts {
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let window = bounds
            .windows(13)
            .map(|w| &text[w[0]..w[12]])
            .find(|w| twelve.contains(*w));
        let piece = window
            .map(str::to_string)
            .or_else(|| short.iter().find(|p| text.contains(p.as_str())).cloned());
        if let Some(piece) = piece {
            return TestResult::error(format!(
                "{:?}: {} characters of a secret ({}…) in {what}",
                case.placement,
                piece.chars().count(),
                piece.chars().take(4).collect::<String>()
            ));
        }
    }
    TestResult::passed()
}

#[test]
fn no_secret_or_piece_of_one_reaches_any_output() {
    QuickCheck::new()
        .tests(3)
        .max_tests(12)
        .quickcheck(leaks as fn(Case) -> TestResult);
}
