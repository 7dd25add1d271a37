//! Throughput of the engine per phase over a directory tree (benches/secrets.sh):
//! read, the keyword prefilter alone, and the whole scan (prefilter + regexes + filters).
//!
//!   cargo run --release -p launchready-secrets --example phases -- DIR

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        match e.file_type() {
            Ok(t) if t.is_dir() => files(&e.path(), out),
            Ok(t) if t.is_file() => out.push(e.path()),
            _ => {}
        }
    }
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: phases DIR");
        std::process::exit(2);
    };
    let engine = match launchready_secrets::engine() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    let (mut read, mut pre, mut full) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut bytes, mut windows, mut found) = (0u64, 0usize, 0usize);
    for p in &paths {
        let t = Instant::now();
        let Ok(data) = std::fs::read(p) else { continue };
        read += t.elapsed();
        if launchready_secrets::tree::is_binary(&data) {
            continue;
        }
        bytes += data.len() as u64;
        let t = Instant::now();
        windows += engine.prefilter_windows(&data);
        pre += t.elapsed();
        let t = Instant::now();
        found += engine.scan_bytes("f", &data).len();
        full += t.elapsed();
    }
    let mbs = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64().max(1e-9);
    println!(
        "phases (one thread): {:.0} MB text in {} files; read {:.0} MB/s; prefilter {:.0} MB/s ({} windows); regexes+filters {:.0} MB/s; whole scan {:.0} MB/s ({} matches)",
        bytes as f64 / 1e6,
        paths.len(),
        mbs(read),
        mbs(pre),
        windows,
        mbs(full.saturating_sub(pre).max(Duration::from_nanos(1))),
        mbs(full),
        found
    );
}
