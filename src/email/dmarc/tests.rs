use super::*;

#[test]
fn rfc7489_6_4_a_full_record() {
    let d = parse("v=DMARC1; p=quarantine; sp=reject; rua=mailto:a@example.com,mailto:b@ext.example.net!10m; ruf=mailto:f@example.com; pct=50; adkim=s; aspf=r; fo=1:d; rf=afrf; ri=3600")
        .expect("valid");
    assert_eq!(d.p, Policy::Quarantine);
    assert_eq!(d.sp, Some(Policy::Reject));
    assert_eq!(d.rua.len(), 2);
    assert_eq!(d.rua[1].mail_domain.as_deref(), Some("ext.example.net"));
    assert_eq!((d.pct, d.adkim, d.aspf, d.ri), (50, 's', 'r', 3600));
}

#[test]
fn rfc7489_6_3_errors() {
    use DmarcError as E;
    let s = String::from;
    for (bad, want) in [
        ("p=reject; v=DMARC1", E::VersionNotFirst),
        ("v=DMARC2; p=reject", E::BadVersion(s("DMARC2"))),
        ("v=DMARC1", E::MissingPolicy),
        (
            "v=DMARC1; p=block",
            E::BadPolicy {
                tag: "p",
                value: s("block"),
            },
        ),
        ("v=DMARC1; p=none; pct=150", E::BadPct(s("150"))),
        (
            "v=DMARC1; p=none; rua=dmarc@example.com",
            E::NotAUri {
                tag: "rua",
                uri: s("dmarc@example.com"),
            },
        ),
        (
            "v=DMARC1; p=none; adkim=x",
            E::BadAlignment {
                tag: "adkim",
                value: s("x"),
            },
        ),
        (
            "v=DMARC1; p=none; fo=2",
            E::BadListItem {
                tag: "fo",
                value: s("2"),
                item: s("2"),
                why: "is not one of 0, 1, d, s",
            },
        ),
        ("v=DMARC1; p=none; p=reject", E::DuplicateTag(s("p"))),
        ("v=DMARC1; p=none; garbage", E::NotTagValue(s("garbage"))),
        (
            "v=DMARC1; p=none; rua=mailto:x!9q",
            E::BadSizeLimit {
                tag: "rua",
                limit: s("9q"),
            },
        ),
        ("v=DMARC1; p=none; ri=soon", E::BadInterval(s("soon"))),
        ("v=DMARC1; p=nöne", E::NonAscii),
    ] {
        assert_eq!(parse(bad), Err(want), "{bad}");
    }
    assert_eq!(
        E::BadPct(s("150")).to_string(),
        "pct=150: must be a whole number from 0 to 100"
    );
    assert!(parse("v=DMARC1; p=none; future=1").is_ok());
    assert!(is_dmarc_record("v=DMARC1; p=none"));
    assert!(!is_dmarc_record("google-site-verification=abc"));
}

#[test]
fn rfc7489_3_2_organizational_domain() {
    assert_eq!(
        organizational_domain("mail.shop.example.co.uk"),
        "example.co.uk"
    );
    assert_eq!(organizational_domain("a.b.example.com"), "example.com");
}
