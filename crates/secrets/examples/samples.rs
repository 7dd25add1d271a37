//! Benchmark helper (benches/history.sh): N fake secrets of each named rule, assembled at run
//! time (none is in the repository), one a line (`rule<TAB>text`), and those rules' regexes as
//! ripgrep patterns.
//!
//!   cargo run --release -p launchready-secrets --example samples -- N SAMPLES.tsv PATTERNS.txt RULE...

use launchready_secrets::rules::RULES;
use launchready_secrets::samples::sample;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match &args[..] {
        [n, out, pats, rules @ ..] if !rules.is_empty() => {
            samples(n, Path::new(out), Path::new(pats), rules)
        }
        _ => Err("usage: samples N SAMPLES.tsv PATTERNS.txt RULE...".into()),
    };
    if let Err(e) = result {
        eprintln!("samples: {e}");
        std::process::exit(2);
    }
}

/// N fake secrets of each named rule, one a line (`rule<TAB>text`) for benches/history.sh to
/// plant into a synthetic history, and those rules' regexes as ripgrep patterns.
fn samples(n: &str, out: &Path, pats: &Path, rules: &[String]) -> Result<(), String> {
    let n: u64 = n.parse().map_err(|_| format!("not a count: {n}"))?;
    let mut text = String::new();
    let mut patterns = String::new();
    for id in rules {
        let rule = RULES
            .iter()
            .find(|r| r.id == id.as_str())
            .ok_or(format!("no rule {id}"))?;
        if rule.multiline {
            return Err(format!("{id} spans lines: pick a one-line rule"));
        }
        patterns.push_str(rule.pattern);
        patterns.push('\n');
        for seed in 0..n {
            let (s, _) = sample(id, 5000 + seed).ok_or(format!("no sample for {id}"))?;
            if s.contains('\n') || s.contains('\t') {
                return Err(format!("{id}: the sample is not one line"));
            }
            let _ = writeln!(text, "{id}\t{s}");
        }
    }
    std::fs::write(out, text).map_err(|e| e.to_string())?;
    std::fs::write(pats, patterns).map_err(|e| e.to_string())
}
