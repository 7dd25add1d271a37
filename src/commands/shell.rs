//! Fitting the shell: completion scripts, the manual page, and "did you mean" for mistyped
//! names.

use super::Failure;
use crate::cli::{Cli, Shell};
use clap::CommandFactory;
use std::io::Write;

/// `launchready completions SHELL`: the script on stdout.
pub fn completions(shell: Shell) -> Result<u8, Failure> {
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "launchready", &mut out);
    let _ = std::io::stdout().lock().write_all(&out);
    Ok(0)
}

/// `launchready man`: launchready(1) in roff on stdout, with each subcommand's description
/// and options as a section of its own.
pub fn man() -> Result<u8, Failure> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    let fail = |e: std::io::Error| Failure::Run(format!("cannot render the manual page: {e}"));
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(fail)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let _ = writeln!(
            out,
            ".SH \"LAUNCHREADY {}\"",
            sub.get_name().to_ascii_uppercase()
        );
        let page = clap_mangen::Man::new(sub.clone());
        page.render_description_section(&mut out).map_err(fail)?;
        page.render_options_section(&mut out).map_err(fail)?;
    }
    let _ = std::io::stdout().lock().write_all(&out);
    Ok(0)
}

/// The closest of `candidates` to `input` when it is close enough to be a typo (edit distance
/// at most a third of the length, at least 1, at most 3); ties go to the first.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input = input.to_ascii_lowercase();
    let limit = (input.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&input, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars, two rows.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_name_and_nonsense_finds_none() {
        let names = ["healthy", "launch-day", "dmarc-missing", "ns-lame"];
        assert_eq!(did_you_mean("helthy", names), Some("healthy"));
        assert_eq!(did_you_mean("Launch-Dya", names), Some("launch-day"));
        assert_eq!(did_you_mean("ns-lam", names), Some("ns-lame"));
        assert_eq!(did_you_mean("zzzzzzzz", names), None);
        assert_eq!(did_you_mean("", names), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn completions_and_man_render_for_every_shell() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            let mut cmd = Cli::command();
            let mut out = Vec::new();
            let s = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
                _ => clap_complete::Shell::PowerShell,
            };
            clap_complete::generate(s, &mut cmd, "launchready", &mut out);
            let text = String::from_utf8_lossy(&out);
            assert!(
                text.contains("audit") && text.contains("fail-on"),
                "{shell:?}"
            );
        }
    }
}
