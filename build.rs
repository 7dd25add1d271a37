//! Finds the sandbox scenarios: every `fixtures/scenarios/NAME.toml` is one, with
//! `NAME.zone` as its DNS when that file exists and `healthy.zone` otherwise. A scenario is
//! files only; this writes the list the binary embeds (`healthy` and `launch-day` first).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("fixtures/scenarios");
    println!("cargo:rerun-if-changed=fixtures/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures/scenarios is readable")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    let rank = |n: &str| match n {
        "healthy" => 0,
        "launch-day" => 1,
        _ => 2,
    };
    names.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    let mut out = String::from("&[\n");
    for name in &names {
        let zone = if dir.join(format!("{name}.zone")).exists() {
            name.as_str()
        } else {
            "healthy"
        };
        writeln!(
            out,
            "    Files {{ name: {name:?}, toml: include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/fixtures/scenarios/{name}.toml\")), zone: include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/fixtures/scenarios/{zone}.zone\")) }},"
        )
        .expect("writing to a String");
    }
    out.push_str("]\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("scenarios.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
