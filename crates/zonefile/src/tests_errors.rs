use super::tests::{name, parse_err, temp_dir};
use super::*;

#[test]
fn include_with_origin() {
    let dir = temp_dir("inc");
    let inc = dir.join("hosts.inc");
    std::fs::write(
        &inc,
        "www A 192.0.2.80\n@ TXT \"included\"\n$ORIGIN elsewhere.test.\nx A 192.0.2.81\n",
    )
    .expect("write");
    let main = dir.join("main.zone");
    let text = "$ORIGIN example.com.\n$TTL 60\n$INCLUDE hosts.inc sub\nafter A 192.0.2.99\n  TXT \"same owner\"\n";
    std::fs::write(&main, text).expect("write");
    let records = parse_zone_file(&main, None).expect("parse");
    assert_eq!(records.len(), 5);
    assert_eq!(records[0].name(), &name("www.sub.example.com."));
    assert_eq!(records[1].name(), &name("sub.example.com."));
    assert_eq!(records[2].name(), &name("x.elsewhere.test."));
    // The origin is restored after the include (RFC 1035 section 5.1).
    assert_eq!(records[3].name(), &name("after.example.com."));
    assert_eq!(records[4].name(), &name("after.example.com."));
    // parse_zone_str resolves relative to `file`'s directory too.
    let records = parse_zone_str(text, &main, None).expect("parse");
    assert_eq!(records.len(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn include_errors() {
    let dir = temp_dir("loop");
    let a = dir.join("a.zone");
    let b = dir.join("b.zone");
    std::fs::write(&a, "$TTL 60\nx.test. A 192.0.2.1\n$INCLUDE b.zone\n").expect("write");
    std::fs::write(&b, "y.test. A 192.0.2.2\n\n$INCLUDE \"a.zone\"\n").expect("write");
    let e = parse_zone_file(&a, None).expect_err("loop");
    assert_eq!(e.file, dir.join("b.zone"));
    assert_eq!(e.line, 3);
    assert_eq!(
        e.kind,
        ZoneErrorKind::IncludeLoop {
            path: "a.zone".into()
        }
    );

    let e = parse_zone_str("$INCLUDE missing.inc\n", &a, None).expect_err("missing");
    assert_eq!(e.line, 1);
    assert_eq!(
        e.kind,
        ZoneErrorKind::Unreadable {
            what: "include file",
            path: "missing.inc".into(),
            reason: "no such file".into()
        }
    );

    // A chain deeper than 8 files.
    for i in 0..20 {
        std::fs::write(
            dir.join(format!("d{i}.zone")),
            format!("$INCLUDE d{}.zone\n", i + 1),
        )
        .expect("write");
    }
    let e = parse_zone_file(&dir.join("d0.zone"), None).expect_err("deep");
    assert_eq!(e.kind, ZoneErrorKind::TooDeep { max: 8 });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deadline_covers_parsing() {
    let dir = temp_dir("deadline");
    let zone = dir.join("big.zone");
    let mut text = String::from("$ORIGIN example.com.\n$TTL 60\n");
    for i in 0..1000 {
        text.push_str(&format!("h{i} A 192.0.2.1\n"));
    }
    std::fs::write(&zone, text).expect("write");
    let limits = Limits {
        deadline: Some(Instant::now()),
        ..Limits::default()
    };
    let e = parse_zone_file_with(&zone, None, &limits).expect_err("timed out");
    assert_eq!(e.kind, ZoneErrorKind::Timeout);
    assert_eq!(parse_zone_file(&zone, None).expect("parse").len(), 1000);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn error_lines() {
    use ZoneErrorKind as K;
    let origin = name("example.com.");
    let o = Some(&origin);
    let tok = |s: &str| s.to_string();

    let e = parse_err("$TTL 60\n\nwww IN AAA ::1\n", o);
    assert_eq!(
        (e.line, &e.kind),
        (3, &K::UnknownType { token: tok("AAA") })
    );
    assert_eq!(e.to_string(), "test.zone:3: unknown record type \"AAA\"");

    let e = parse_err("$TTL 60\nwww A 1.2.3\n", o);
    let bad_ip = K::Invalid {
        what: "IPv4 address",
        token: tok("1.2.3"),
    };
    assert_eq!((e.line, &e.kind), (2, &bad_ip));
    assert_eq!(e.to_string(), "test.zone:2: invalid IPv4 address \"1.2.3\"");

    let e = parse_err("$TTL 60\na TXT \"ok\"\nb TXT \"never closed\n", o);
    assert_eq!((e.line, &e.kind), (3, &K::UnterminatedString));

    let e = parse_err("\n\nwww A 192.0.2.1\n", o);
    assert_eq!((e.line, &e.kind), (3, &K::NoTtl));

    let e = parse_err("$TTL 60\n@ SOA ns hm (\n 1 2 3 4 5\n\nwww A 192.0.2.1\n", o);
    assert_eq!((e.line, &e.kind), (2, &K::UnclosedParen));

    let e = parse_err("$TTL 60\nwww A 192.0.2.1 )\n", o);
    assert_eq!((e.line, &e.kind), (2, &K::UnmatchedClose));

    let e = parse_err(
        "$TTL 60\nwww.example.com. A 192.0.2.1\nmail A 192.0.2.2\n",
        None,
    );
    assert_eq!((e.line, &e.kind), (3, &K::NoOrigin { token: tok("mail") }));

    let e = parse_err("$TTL 60\n@ A 192.0.2.1\n", None);
    assert_eq!((e.line, &e.kind), (2, &K::NoOrigin { token: tok("@") }));

    let long = "x".repeat(256);
    let e = parse_err(&format!("$TTL 60\nt TXT \"ok\" \"{long}\"\n"), o);
    assert_eq!(
        (e.line, &e.kind),
        (
            2,
            &K::OutOfRange {
                what: "character-string length",
                token: tok("xxxxxxxxxxxx… (TXT)"),
                max: 255
            }
        )
    );

    let e = parse_err(&format!("$TTL 60\n{} A 192.0.2.1\n", "y".repeat(64)), o);
    assert!(
        matches!(e.kind, K::BadName { reason, .. } if reason.contains("63")),
        "{e}"
    );
    let long_name = vec!["abcdefghij"; 25].join(".");
    let e = parse_err(&format!("$TTL 60\n{long_name} A 192.0.2.1\n"), o);
    assert!(
        matches!(e.kind, K::BadName { reason, .. } if reason.contains("255")),
        "{e}"
    );

    // The offending token's line inside a multi-line record.
    let e = parse_err("$TTL 60\n@ SOA ns hm (\n 1 2h\n 3x 4 5 )\n", o);
    let bad_ttl = K::Invalid {
        what: "TTL",
        token: tok("3x"),
    };
    assert_eq!((e.line, &e.kind), (4, &bad_ttl));

    let e = parse_err("$TTL 60\n  A 192.0.2.1\n", o);
    assert_eq!(e.kind, K::NoOwner);
    let e = parse_err("$TTL 60\nwww\n", o);
    assert_eq!((e.line, &e.kind), (2, &K::MissingType));
    let e = parse_err("$TTL 60\nwww MX 10\n", o);
    assert_eq!(e.kind, K::MissingRdata { rtype: tok("MX") });
    let e = parse_err("$TTL 60\nwww A 192.0.2.1 192.0.2.2\n", o);
    assert!(
        matches!(&e.kind, K::ExtraToken { token, .. } if token == "192.0.2.2"),
        "{e}"
    );
    let e = parse_err("$TTL 60\nwww CAA 256 issue \"x\"\n", o);
    assert!(matches!(&e.kind, K::OutOfRange { max: 255, .. }), "{e}");
    let e = parse_err("$TTL 60\nwww CAA 0 is-sue \"x\"\n", o);
    assert!(
        matches!(
            &e.kind,
            K::Invalid {
                what: "CAA tag",
                ..
            }
        ),
        "{e}"
    );
    let e = parse_err("$TTL 60\nwww TXT \"\\256\"\n", o);
    assert!(matches!(&e.kind, K::BadEscape { .. }), "{e}");
    let e = parse_err("$TTL 4294967295\n", o);
    assert!(matches!(&e.kind, K::OutOfRange { what: "TTL", .. }), "{e}");
    let e = parse_err("$TTL 60\nwww AXFR 1 2\n", o);
    assert_eq!(e.kind, K::TypeNotAllowed { token: tok("AXFR") });
    let e = parse_err("$FOO bar\n", o);
    assert_eq!(e.kind, K::UnknownDirective { token: tok("$FOO") });
    let e = parse_err("$GENERATE 1-3 h$ A 192.0.2.$\n", o);
    assert!(matches!(e.kind, K::Unsupported(_)), "{e}");
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "",
        "\\",
        "\"",
        "(",
        ")",
        "$TTL",
        "$INCLUDE",
        "@",
        "a\\",
        "a \\#",
        "a A \\# 99999",
        "a A \\# x",
        "$ORIGIN .\na 1 TXT",
        "a 1 HTTPS 1 . alpn=",
        "a 1 HTTPS 1 . alpn=\"\"",
        "a 1 HTTPS 1 . mandatory=foo",
        "a 1 RRSIG A 1 1 1 20241301000000 1 1 . AA",
        "a 1 NSEC3 1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV A",
        "a 1 NSEC3PARAM 1 0 0 zz",
        "a 1 DNSKEY 1 1 1 ====",
        "a 1 CAA 0 issue",
        "a 1 A 1.2.3.4 ; (",
        "\u{feff}a 1 A 1.2.3.4",
        "a 1 TXT \"x\\\ny\"",
        "a 1 TYPE65535 \\# 0",
        "a 1 CLASS99999 A 1.1.1.1",
        "a 99999999999999999999 A 1.1.1.1",
        "a 1h99999999999999999w A 1.1.1.1",
    ];
    for input in inputs {
        let _ = parse_zone_str(input, Path::new("x"), Some(&name("example.")));
        let _ = parse_zone_str(input, Path::new("x"), None);
    }
}

#[test]
fn includes_stay_under_the_directory_the_zone_was_named_in() {
    let dir = temp_dir("linked");
    let elsewhere = dir.join("elsewhere");
    let zones = dir.join("zones");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    std::fs::create_dir_all(&zones).expect("dir");
    std::fs::write(
        elsewhere.join("real.zone"),
        "$ORIGIN example.com.\n$TTL 60\n$INCLUDE hosts.inc\n",
    )
    .expect("write");
    std::fs::write(zones.join("hosts.inc"), "www A 192.0.2.1\n").expect("write");
    std::os::unix::fs::symlink(elsewhere.join("real.zone"), zones.join("link.zone"))
        .expect("symlink");
    let records = parse_zone_file(&zones.join("link.zone"), None).expect("parse");
    assert_eq!(records.len(), 1);
    // Read through its real path, the include is not in that directory.
    let e = parse_zone_file(&elsewhere.join("real.zone"), None).expect_err("missing");
    assert!(matches!(e.kind, ZoneErrorKind::Unreadable { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
