//! Benchmark helper (see benches/secrets.sh): plants a fake secret of every rule, assembled at
//! run time, in seven placements (one of them a 24 MiB bundle) into a copy of a real corpus, and writes the manifest that the
//! benchmark scores recall against. Also prints the rule set as ripgrep patterns.
//!
//!     cargo run --release --example plant_secrets -- plant CORPUS MANIFEST.tsv
//!     cargo run --release --example plant_secrets -- patterns PATTERNS.txt [RULE...]
//!     cargo run --release --example plant_secrets -- keywords KEYWORDS.txt
//!
//! Placements follow the format: a Kubernetes manifest is YAML, whose structure is its line
//! breaks, so it is not folded into a minified line or a JSON string (it would no longer be a
//! manifest); an XML element over several lines goes there on one line (XML doesn't care).

use launchready::secrets::rules::{Confidence, RULES};
use launchready::secrets::samples::sample;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["plant", corpus, manifest] => plant(Path::new(corpus), Path::new(manifest)),
        ["patterns", out, ref only @ ..] => patterns(Path::new(out), only),
        ["keywords", out] => keywords(Path::new(out)),
        _ => Err("usage: plant_secrets plant CORPUS MANIFEST | patterns OUT [RULE...]".into()),
    };
    if let Err(e) = result {
        eprintln!("plant_secrets: {e}");
        std::process::exit(2);
    }
}

/// The rule set (or the named rules) as line-oriented ripgrep patterns (the same regexes; key
/// blocks by header).
fn patterns(out: &Path, only: &[&str]) -> Result<(), String> {
    if let Some(id) = only.iter().find(|id| !RULES.iter().any(|r| r.id == **id)) {
        return Err(format!("no rule {id}"));
    }
    let mut text = String::new();
    for r in RULES
        .iter()
        .filter(|r| only.is_empty() || only.contains(&r.id))
    {
        if r.multiline {
            text.push_str("-----BEGIN [A-Z ]*PRIVATE KEY[A-Z ]*-----\n");
        } else {
            text.push_str(r.pattern);
            text.push('\n');
        }
    }
    std::fs::write(out, text).map_err(|e| e.to_string())
}

/// Every rule's keywords, one a line (deduplicated): the literal search the engine's
/// prefilter does, as a second ripgrep reference (`rg -i -F -f`).
fn keywords(out: &Path) -> Result<(), String> {
    let mut words: Vec<String> = RULES
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    words.sort();
    words.dedup();
    std::fs::write(out, words.join("\n") + "\n").map_err(|e| e.to_string())
}

/// Source files of the corpus to append to, in a stable order.
fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir()
            && !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            source_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs" || e == "js")
            && std::fs::metadata(&p).is_ok_and(|m| m.len() > 2_000 && m.len() < 200_000)
        {
            out.push(p);
        }
        if out.len() >= 5_000 {
            return;
        }
    }
}

fn lines(s: &str) -> usize {
    s.lines().count().max(1)
}

/// Formats whose structure is their line breaks: not folded into one line.
const LINE_FORMATS: &[&str] = &["kubernetes-secret-manifest"];

/// The sample on one line, for a minified bundle or a JSON string: an XML element's line
/// breaks go (whitespace between tags means nothing), others become `\n` escapes.
fn one_line(id: &str, s: &str) -> String {
    if id == "generic-secret-xml" {
        s.lines().map(str::trim).collect()
    } else {
        s.replace('\n', "\\n")
    }
}

/// `NAME=value` as a JSON member, or the whole sample as an escaped JSON string.
fn as_json(sample: &str) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    if !sample.contains('\n') {
        // `NAME=value`, `const name = "value";`, `name: value`: a member named like the variable.
        if let Some((k, v)) = sample.split_once('=').or_else(|| sample.split_once(": ")) {
            let k = k.split_whitespace().last().unwrap_or("");
            let v = v
                .trim()
                .trim_end_matches(';')
                .trim_matches(|c| c == '"' || c == '\'');
            if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return format!("{{\n  \"name\": \"app\",\n  \"{k}\": \"{}\"\n}}\n", esc(v));
            }
        }
    }
    if sample.starts_with('{') {
        return format!("{sample}\n");
    }
    format!(
        "{{\n  \"name\": \"app\",\n  \"config\": \"{}\"\n}}\n",
        esc(sample)
    )
}

fn plant(corpus: &Path, manifest: &Path) -> Result<(), String> {
    let mut sources = Vec::new();
    source_files(corpus, &mut sources);
    if sources.len() < RULES.len() {
        return Err(format!("only {} source files in the corpus", sources.len()));
    }
    // Real minified-looking text: corpus JavaScript with newlines folded.
    let mut filler = String::new();
    for p in sources
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .take(40)
    {
        filler.push_str(
            &std::fs::read_to_string(p)
                .unwrap_or_default()
                .replace('\n', ";"),
        );
        if filler.len() > 400_000 {
            break;
        }
    }
    if filler.len() < 100_000 {
        filler = "var a=function(b){return b*2};".repeat(8_000);
    }
    let planted = corpus.join("zz-planted");
    let mut out = String::from("rule\tplacement\tpath\tfirst\tlast\n");
    let rel = |p: &Path| {
        p.strip_prefix(corpus)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let write = |p: &Path, text: &str| -> Result<(), String> {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))
    };
    let stride = sources.len() / RULES.len();
    for (i, r) in RULES.iter().enumerate() {
        let (s, _) = sample(r.id, 1000 + i as u64).ok_or(format!("no sample for {}", r.id))?;
        let n = lines(&s);
        // 1. Appended to a real source file.
        let src = &sources[i * stride];
        let mut text = std::fs::read_to_string(src).map_err(|e| e.to_string())?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let first = lines(&text) + 3;
        text.push_str("\n/* settings */\n");
        text.push_str(&s);
        text.push('\n');
        write(src, &text)?;
        let _ = writeln!(
            out,
            "{}\tsource\t{}\t{first}\t{}",
            r.id,
            rel(src),
            first + n - 1
        );
        let folds = !LINE_FORMATS.contains(&r.id);
        // 2. Inside one huge minified line.
        let p = planted.join("dist").join(format!("{}.min.js", r.id));
        let half = filler.len() / 2;
        let cut = (half..filler.len())
            .find(|&c| filler.is_char_boundary(c))
            .unwrap_or(half);
        let line = format!(
            "{};var cfg=\"{}\";{}\n",
            &filler[..cut],
            one_line(r.id, &s),
            &filler[cut..]
        );
        if folds {
            write(&p, &line)?;
            let _ = writeln!(out, "{}\tminified\t{}\t1\t1", r.id, rel(&p));
        }
        // 3. YAML block scalar.
        let p = planted.join("deploy").join(format!("{}.yml", r.id));
        let body: String = s.lines().map(|l| format!("      {l}\n")).collect();
        write(
            &p,
            &format!("apiVersion: v1\nkind: ConfigMap\ndata:\n  settings: |\n{body}"),
        )?;
        let _ = writeln!(out, "{}\tyaml\t{}\t5\t{}", r.id, rel(&p), 4 + n);
        // 4. JSON.
        let p = planted.join("config").join(format!("{}.json", r.id));
        let json = as_json(&if r.id == "generic-secret-xml" {
            one_line(r.id, &s)
        } else {
            s.clone()
        });
        if folds {
            write(&p, &json)?;
            let _ = writeln!(out, "{}\tjson\t{}\t1\t{}", r.id, rel(&p), lines(&json));
        }
        // 5. Markdown — weak rules are designed not to fire in documentation.
        if r.confidence == Confidence::Strong {
            let p = planted.join("docs").join(format!("{}.md", r.id));
            write(&p, &format!("# Setup\n\nOur key:\n\n```\n{s}\n```\n"))?;
            let _ = writeln!(out, "{}\tmarkdown\t{}\t6\t{}", r.id, rel(&p), 5 + n);
        }
        // 6. A hidden dot-file.
        let p = planted.join("svc").join(r.id).join(".env");
        write(&p, &format!("# service settings\n{s}\n"))?;
        let _ = writeln!(out, "{}\tdotfile\t{}\t2\t{}", r.id, rel(&p), 1 + n);
    }
    // 7. One big bundle (~24 MiB, three of the scanner's 8 MiB windows): every rule's secret
    //    on its own line, spread evenly, some near the windows' edges.
    let p = planted.join("dist").join("huge.bundle.js");
    let chunk: Vec<&str> = filler
        .as_bytes()
        .chunks(160)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    if chunk.is_empty() {
        return Err("no filler text for the big bundle".into());
    }
    let per_rule = (24 << 20) / 160 / RULES.len();
    let (mut text, mut line) = (String::with_capacity(25 << 20), 1usize);
    for (i, r) in RULES.iter().enumerate() {
        for k in 0..per_rule {
            text.push_str(chunk[(i * per_rule + k) % chunk.len()]);
            text.push('\n');
            line += 1;
        }
        let (s, _) = sample(r.id, 3000 + i as u64).ok_or(format!("no sample for {}", r.id))?;
        // Every line break counts (a key block's sample ends with one: `lines()` would not
        // count the empty line it leaves, and every secret after it would be a line off).
        let s = s.trim_end_matches('\n');
        let n = s.matches('\n').count() + 1;
        text.push_str(s);
        text.push('\n');
        let _ = writeln!(out, "{}\tbig\t{}\t{line}\t{}", r.id, rel(&p), line + n - 1);
        line += n;
    }
    write(&p, &text)?;
    std::fs::write(manifest, out).map_err(|e| e.to_string())
}
