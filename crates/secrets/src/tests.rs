//! Every rule: a true positive and a near miss, plus the engine's cross-cutting behaviour.

use super::rules::{Confidence, Kind, RULES};
use super::samples::{sample, Gen, ALNUM};
use super::scan::{engine, shannon_entropy, OVERLAP};

fn scan(label: &str, text: &str) -> Vec<(&'static str, usize, String)> {
    engine()
        .expect("the rules compile")
        .scan_bytes(label, text.as_bytes())
        .into_iter()
        .map(|m| (m.rule.id, m.line, m.redacted))
        .collect()
}

fn ids(label: &str, text: &str) -> Vec<&'static str> {
    scan(label, text).into_iter().map(|(id, _, _)| id).collect()
}

/// The engine compiles each rule's regex on first use and skips one that does not compile:
/// every rule's must, under both cache limits the engines use.
#[test]
fn every_rule_regex_compiles() {
    for rule in RULES {
        for limit in [1 << 20, 2 << 20] {
            if let Err(e) = super::scan::compile(rule, limit) {
                panic!("{}: {e}", rule.id);
            }
        }
    }
}

#[test]
fn at_least_forty_rules_with_unique_ids() {
    assert!(RULES.len() >= 40, "{} rules", RULES.len());
    let mut seen = std::collections::HashSet::new();
    for r in RULES {
        assert!(seen.insert(r.id), "duplicate rule {}", r.id);
        assert!(!r.keywords.is_empty(), "{} has no keyword", r.id);
    }
}

#[test]
fn every_rule_finds_its_secret_and_ignores_its_near_miss() {
    for seed in [1u64, 2, 3] {
        for r in RULES {
            let (pos, neg) = sample(r.id, seed).unwrap_or_else(|| panic!("no sample for {}", r.id));
            let found = ids("src/app/config.ts", &pos);
            assert!(found.contains(&r.id), "{} missed {pos:?}: {found:?}", r.id);
            let found = ids("src/app/config.ts", &neg);
            assert!(
                !found.contains(&r.id),
                "{} fired on near miss {neg:?}",
                r.id
            );
        }
    }
}

#[test]
fn every_rule_finds_its_secret_inside_a_huge_minified_line() {
    let mut g = Gen::new(9);
    for r in RULES.iter().filter(|r| !r.multiline) {
        let (pos, _) = sample(r.id, 4).expect("sample");
        let line = format!(
            "var a=\"{}\";{};var b=\"{}\";",
            g.s(ALNUM, 200_000),
            pos.replace('\n', " "),
            g.s(ALNUM, 200_000)
        );
        let found = scan("dist/app.min.js", &line);
        assert!(
            found.iter().any(|(id, line, _)| *id == r.id && *line == 1),
            "{} missed in a minified line: {found:?}",
            r.id
        );
    }
}

#[test]
fn no_value_leaves_the_engine() {
    for r in RULES {
        let (pos, _) = sample(r.id, 5).expect("sample");
        for m in engine()
            .expect("engine")
            .scan_bytes("a.env", pos.as_bytes())
        {
            let debug = format!("{m:?}");
            assert!(m.redacted.contains(" chars"), "{}", m.redacted);
            // The longest run of the sample's random characters is not in the match.
            for token in pos.split(|c: char| !c.is_ascii_alphanumeric()) {
                if token.len() >= 16 {
                    assert!(!debug.contains(token), "{} leaks {token}", r.id);
                }
            }
        }
    }
}

#[test]
fn placeholders_do_not_fire() {
    let cases = [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "STRIPE_SECRET_KEY=sk_live_your-key-here",
        "GITHUB_TOKEN=ghp_000000000000000000000000000000000000",
        "api_key = \"<your-api-key-goes-here>\"",
        "password: \"${DB_PASSWORD_FROM_VAULT}\"",
        "secret = \"aaaaaaaaaaaaaaaaaaaaaaaa\"",
        "token: {{ secrets.DEPLOY_TOKEN }}",
        "SECRET_KEY=changeme-in-production-1234",
        "postgres://postgres:postgres@localhost:5432/app",
    ];
    for c in cases {
        assert_eq!(ids("src/settings.py", c), Vec::<&str>::new(), "{c}");
    }
}

#[test]
fn documentation_files_skip_weak_rules_but_not_real_tokens() {
    for r in RULES {
        let (pos, _) = sample(r.id, 6).expect("sample");
        let found = ids("docs/setup.md", &pos);
        match r.confidence {
            Confidence::Weak => assert!(!found.contains(&r.id), "{} fired in docs", r.id),
            Confidence::Strong => assert!(found.contains(&r.id), "{} missed in docs", r.id),
        }
    }
}

#[test]
fn publishable_keys_are_their_own_kind() {
    let (pos, _) = sample("stripe-publishable-key", 1).expect("sample");
    let m = engine()
        .expect("engine")
        .scan_bytes("src/pay.ts", pos.as_bytes());
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].rule.kind, Kind::Publishable);
    let (fb, _) = sample("firebase-web-api-key", 1).expect("sample");
    assert_eq!(ids("src/firebase.ts", &fb), vec!["firebase-web-api-key"]);
}

#[test]
fn client_prefixed_variables_are_named() {
    let (pos, _) = sample("stripe-secret-key", 7).expect("sample");
    let key = pos
        .split('"')
        .nth(1)
        .expect("the sample quotes the key")
        .to_string();
    for (text, var) in [
        (format!("VITE_STRIPE_KEY={key}"), Some("VITE_STRIPE_KEY")),
        (
            format!("NEXT_PUBLIC_STRIPE=\"{key}\""),
            Some("NEXT_PUBLIC_STRIPE"),
        ),
        (format!("  REACT_APP_PAY: '{key}',"), Some("REACT_APP_PAY")),
        (format!("EXPO_PUBLIC_K={key}"), Some("EXPO_PUBLIC_K")),
        (format!("STRIPE_SECRET_KEY={key}"), None),
        (format!("VITE_URL=x STRIPE={key}"), None),
    ] {
        let m = engine()
            .expect("engine")
            .scan_bytes(".env", text.as_bytes());
        assert_eq!(m.len(), 1, "{text}");
        assert_eq!(m[0].client_var.as_deref(), var, "{text}");
    }
}

#[test]
fn lines_are_counted_and_each_secret_reported_once() {
    let (a, _) = sample("github-pat", 1).expect("sample");
    let (b, _) = sample("private-key", 1).expect("sample");
    let text = format!("line one\n{a}\n\n{b}\nlast {a}\n");
    let found = scan("config/keys.yml", &text);
    let lines: Vec<(&str, usize)> = found.iter().map(|(id, l, _)| (*id, *l)).collect();
    assert_eq!(
        lines,
        // A PEM key's subject is its BEGIN line (line 4), not its first base64 line.
        vec![("github-pat", 2), ("private-key", 4), ("github-pat", 15)],
        "{found:?}"
    );
}

#[test]
fn generic_rule_needs_entropy_and_a_literal() {
    assert!(shannon_entropy(b"aaaaaaaa") < 0.1);
    assert!(shannon_entropy(b"q8Zr4Tn2Lw6Yp1Vx") > 3.5);
    for quiet in [
        "let token = next_token(&mut lexer);",
        "password = get_password()",
        "apiKey: process.env.API_KEY",
        "secret_name = \"production-database-password\"",
        "token_type: \"bearer\"",
    ] {
        assert_eq!(ids("src/lib.rs", quiet), Vec::<&str>::new(), "{quiet}");
    }
}

#[test]
fn the_overlap_covers_the_longest_match() {
    let widest = RULES.iter().map(|r| r.max_len).max().unwrap_or(0);
    let longest_keyword = RULES
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.len()))
        .max()
        .unwrap_or(0);
    // A match spans at most LOOKBEHIND + keyword + reach; `near` words look 1 KiB around.
    assert!(OVERLAP >= super::rules::LOOKBEHIND + longest_keyword + widest + 1024);
}

/// Streaming in windows finds exactly what one whole-buffer scan finds — every rule's
/// secret, planted across a window's edge at many phases, once, on its line.
#[test]
fn streamed_windows_find_what_a_whole_scan_finds() {
    let e = engine().expect("engine");
    let mut g = Gen::new(3);
    let mut block = String::new();
    for r in RULES {
        let (pos, _) = sample(r.id, 8).expect("sample");
        block.push_str(&pos);
        block.push('\n');
    }
    let window = 4 * OVERLAP;
    let filler_line = format!("{}\n", g.s(ALNUM, 70));
    // The block starts a little before the first cut (window - OVERLAP), the raw window
    // end, and the second cut, at several phases.
    let cut = window - OVERLAP;
    for start in [
        cut - block.len() / 2,
        cut - 7,
        window - block.len() / 3,
        2 * cut - OVERLAP - 100,
    ] {
        let mut text = filler_line.repeat(start / filler_line.len());
        text.push_str(&"x".repeat(start - text.len()));
        text.push('\n');
        text.push_str(&block);
        text.push_str(&filler_line.repeat(3 * window / filler_line.len()));
        let whole: Vec<_> = e
            .scan_bytes("big.txt", text.as_bytes())
            .into_iter()
            .map(|m| (m.rule.id, m.line, m.redacted))
            .collect();
        let (streamed, n) = e
            .scan_reader("big.txt", text.as_bytes(), window)
            .expect("read");
        assert_eq!(n, text.len() as u64);
        let streamed: Vec<_> = streamed
            .expect("text")
            .into_iter()
            .map(|m| (m.rule.id, m.line, m.redacted))
            .collect();
        assert_eq!(streamed, whole, "block at {start}");
        // Every rule but the Google key, which the Firebase samples nearby make Firebase's.
        let missed: Vec<_> = RULES
            .iter()
            .filter(|r| r.id != "google-api-key" && !whole.iter().any(|(id, _, _)| *id == r.id))
            .map(|r| r.id)
            .collect();
        assert!(
            missed.is_empty(),
            "missed {missed:?} with the block at {start}"
        );
    }
}

/// A curl command inside a JSON string (`\"` quotes), a Secret manifest indented inside a
/// list or a block scalar.
#[test]
fn formats_nested_in_other_formats() {
    let mut g = Gen::new(12);
    let token = g.s(ALNUM, 32);
    let json = format!(
        "{{\n  \"scripts\": {{\n    \"sync\": \"curl -H \\\"Authorization: Bearer {token}\\\" https://api.acme.test/v1\"\n  }}\n}}\n"
    );
    assert_eq!(ids("package.json", &json), vec!["curl-credentials"]);
    let user = format!(
        "{{\"run\": \"curl -u \\\"deploy:{}\\\" https://h.test\"}}",
        g.s(ALNUM, 20)
    );
    let found = scan("ci.json", &user);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!found[0].2.contains('\\'), "{found:?}");
    let value = g.s(ALNUM, 24);
    let yaml = format!(
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: app\n    data:\n      token: {value}\n"
    );
    assert_eq!(
        scan("deploy/list.yml", &yaml)
            .iter()
            .map(|(id, line, _)| (*id, *line))
            .collect::<Vec<_>>(),
        vec![("kubernetes-secret-manifest", 9)]
    );
}

/// Every scanner's inline marker allows its line's secret, and only that line's.
#[test]
fn inline_markers_of_every_scanner_allow_their_line_only() {
    let e = engine().expect("the rules compile");
    let key = format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc");
    for marker in super::scan::ALLOW_MARKERS {
        let text = format!("a = \"{key}\" # {marker}\nb = \"{key}\"\n");
        let found = e.scan_bytes("x.py", text.as_bytes());
        let lines: Vec<(usize, bool)> = found.iter().map(|m| (m.line, m.allowed)).collect();
        assert_eq!(lines, [(1, true), (2, false)], "{marker}");
    }
}
