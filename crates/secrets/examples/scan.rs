//! The engine alone over a tree or a history, without the auditor around it (profiling and
//! benches/history.sh's engine-only figure): prints `rule<TAB>path<TAB>line` per match.
//!
//!   cargo run --release -p launchready-secrets --example scan -- DIR [--history]

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: scan DIR [--history]");
        std::process::exit(2);
    };
    let engine = match launchready_secrets::engine() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let dir = std::path::Path::new(dir);
    let mut out = std::io::stdout().lock();
    if args.iter().any(|a| a == "--history") {
        match launchready_secrets::history::scan_history(engine, dir) {
            Ok(h) => {
                for m in &h.matches {
                    let _ = writeln!(
                        out,
                        "{}\t{}\t{}",
                        m.found.rule.id, m.found.label, m.found.line
                    );
                }
                eprintln!(
                    "history: {} blobs, {} bytes, {} binary, {} missing, {} matches",
                    h.blobs,
                    h.bytes,
                    h.skipped_binary,
                    h.missing,
                    h.matches.len()
                );
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    } else {
        let t = launchready_secrets::tree::scan_tree(engine, dir);
        for m in &t.matches {
            let _ = writeln!(out, "{}\t{}\t{}", m.rule.id, m.label, m.line);
        }
        eprintln!(
            "tree: {} files, {} bytes, {} binary, {} matches",
            t.files,
            t.bytes,
            t.skipped_binary,
            t.matches.len()
        );
    }
}
