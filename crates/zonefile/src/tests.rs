use super::*;
use hickory_proto::rr::{DNSClass, RData, RecordType};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(super) fn name(s: &str) -> Name {
    Name::from_ascii(s).expect("test name")
}

pub(super) fn parse(text: &str) -> Vec<Record> {
    match parse_zone_str(text, Path::new("test.zone"), Some(&name("example.com."))) {
        Ok(r) => r,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

pub(super) fn parse_err(text: &str, origin: Option<&Name>) -> ZoneError {
    match parse_zone_str(text, Path::new("test.zone"), origin) {
        Ok(r) => panic!("expected an error, got {} records", r.len()),
        Err(e) => e,
    }
}

fn txt_strings(r: &Record) -> Vec<Vec<u8>> {
    match r.data() {
        Some(RData::TXT(t)) => t.txt_data().iter().map(|s| s.to_vec()).collect(),
        other => panic!("not TXT: {other:?}"),
    }
}

pub(super) fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "zonefile-test-{}-{}-{}",
        std::process::id(),
        tag,
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const ZONE: &str = r#"
$ORIGIN example.com.
$TTL 1h
; the apex
@   IN  SOA ns1.example.com. hostmaster.example.com. (
            2024010101 ; serial
            2h         ; refresh
            15M        ; retry
            1w         ; expire
            300 )      ; minimum
    IN  NS  ns1
    IN  NS  ns2.example.net.
    IN  MX  10 mail
    IN  MX  20 mail.backup.example.net.
    IN  A   192.0.2.1
    IN  AAAA 2001:db8::1
    IN  TXT "v=spf1 " "include:_spf.example.net -all"
    IN  CAA 0 issue "letsencrypt.org"
    IN  CAA 0 iodef "mailto:security@example.com"
ns1 300 IN A 192.0.2.53
www IN 600 CNAME @
_dmarc  TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
sel1._domainkey IN TXT ( "v=DKIM1; k=rsa; "
    "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5Qy1"
    "xZ3bq8b0l1m5Kq3d0ZQ4dXoQ1nqfZcwIDAQAB" )
_sip._tcp SRV 10 60 5060 sip.example.com.
mail A 192.0.2.25
"#;

#[test]
fn realistic_zone() {
    let records = parse(ZONE);
    assert_eq!(records.len(), 16);
    let soa = &records[0];
    assert_eq!(soa.name(), &name("example.com."));
    assert_eq!(soa.ttl(), 3600);
    match soa.data() {
        Some(RData::SOA(s)) => {
            assert_eq!(s.mname(), &name("ns1.example.com."));
            assert_eq!(s.rname(), &name("hostmaster.example.com."));
            assert_eq!(s.serial(), 2024010101);
            assert_eq!(s.refresh(), 7200);
            assert_eq!(s.retry(), 900);
            assert_eq!(s.expire(), 604800);
            assert_eq!(s.minimum(), 300);
        }
        other => panic!("not SOA: {other:?}"),
    }
    match records[1].data() {
        Some(RData::NS(ns)) => assert_eq!(ns.0, name("ns1.example.com.")),
        other => panic!("not NS: {other:?}"),
    }
    assert_eq!(records[1].name(), &name("example.com."));
    match records[3].data() {
        Some(RData::MX(mx)) => {
            assert_eq!(mx.preference(), 10);
            assert_eq!(mx.exchange(), &name("mail.example.com."));
        }
        other => panic!("not MX: {other:?}"),
    }
    assert_eq!(
        records[5].data(),
        Some(&RData::A("192.0.2.1".parse().expect("ip")))
    );
    assert_eq!(
        records[6].data(),
        Some(&RData::AAAA("2001:db8::1".parse().expect("ip")))
    );
    assert_eq!(
        txt_strings(&records[7]),
        vec![
            b"v=spf1 ".to_vec(),
            b"include:_spf.example.net -all".to_vec()
        ]
    );
    match records[8].data() {
        Some(RData::CAA(caa)) => {
            assert!(caa.tag().is_issue());
            assert!(!caa.issuer_critical());
        }
        other => panic!("not CAA: {other:?}"),
    }
    match records[9].data() {
        Some(RData::CAA(caa)) => assert!(caa.tag().is_iodef()),
        other => panic!("not CAA: {other:?}"),
    }
    assert_eq!(records[10].name(), &name("ns1.example.com."));
    assert_eq!(records[10].ttl(), 300);
    assert_eq!(records[11].ttl(), 600);
    match records[11].data() {
        Some(RData::CNAME(c)) => assert_eq!(c.0, name("example.com.")),
        other => panic!("not CNAME: {other:?}"),
    }
    assert_eq!(records[12].name(), &name("_dmarc.example.com."));
    assert_eq!(records[12].ttl(), 3600);
    assert_eq!(records[13].name(), &name("sel1._domainkey.example.com."));
    let dkim = txt_strings(&records[13]);
    assert_eq!(dkim.len(), 3);
    assert!(dkim[1].starts_with(b"p=MIIB"));
    match records[14].data() {
        Some(RData::SRV(srv)) => {
            assert_eq!((srv.priority(), srv.weight(), srv.port()), (10, 60, 5060));
            assert_eq!(srv.target(), &name("sip.example.com."));
        }
        other => panic!("not SRV: {other:?}"),
    }
    assert_eq!(records[14].name(), &name("_sip._tcp.example.com."));
    assert!(records.iter().all(|r| r.dns_class() == DNSClass::IN));
}

#[test]
fn origin_and_ttl_change_midway() {
    let records = parse(
        "$TTL 300\n\
         a A 192.0.2.1\n\
         $ORIGIN sub.example.com.\n\
         $TTL 2d\n\
         b A 192.0.2.2\n\
         c 60 A 192.0.2.3\n\
         $ORIGIN deeper\n\
         d A 192.0.2.4\n",
    );
    assert_eq!(records[0].name(), &name("a.example.com."));
    assert_eq!(records[0].ttl(), 300);
    assert_eq!(records[1].name(), &name("b.sub.example.com."));
    assert_eq!(records[1].ttl(), 172800);
    assert_eq!(records[2].ttl(), 60);
    assert_eq!(records[3].name(), &name("d.deeper.sub.example.com."));
    assert_eq!(records[3].ttl(), 172800);
}

#[test]
fn previous_ttl_is_default_without_dollar_ttl() {
    let records = parse("a 120 A 192.0.2.1\nb A 192.0.2.2\nc IN 1W30m A 192.0.2.3\n");
    assert_eq!(records[1].ttl(), 120);
    assert_eq!(records[2].ttl(), 604800 + 1800);
}

#[test]
fn at_and_blank_owners() {
    let records = parse(
        "$TTL 60\n@ A 192.0.2.1\n  AAAA ::1\nwww A 192.0.2.2\n\tTXT hello\n\n; c\n  MX 5 @\n",
    );
    assert_eq!(records[0].name(), &name("example.com."));
    assert_eq!(records[1].name(), &name("example.com."));
    assert_eq!(records[2].name(), &name("www.example.com."));
    assert_eq!(records[3].name(), &name("www.example.com."));
    assert_eq!(records[4].name(), &name("www.example.com."));
    assert_eq!(txt_strings(&records[3]), vec![b"hello".to_vec()]);
}

#[test]
fn escaped_owner_names() {
    let records = parse(
        "$TTL 60\nfoo\\032bar A 192.0.2.1\na\\.b.example.com. A 192.0.2.2\nX\\\\y A 192.0.2.3\n",
    );
    let labels: Vec<&[u8]> = records[0].name().iter().collect();
    assert_eq!(labels, vec![&b"foo bar"[..], b"example", b"com"]);
    let labels: Vec<&[u8]> = records[1].name().iter().collect();
    assert_eq!(labels, vec![&b"a.b"[..], b"example", b"com"]);
    assert_eq!(records[1].name().num_labels(), 3);
    assert_ne!(records[1].name(), &name("a.b.example.com."));
    let labels: Vec<&[u8]> = records[2].name().iter().collect();
    assert_eq!(labels[0], b"X\\y");
}

#[test]
fn colon_slash_underscore_star_in_labels() {
    let records = parse(
        "$TTL 60\n\
         a:b/24._spf TXT x\n\
         *.wild A 192.0.2.9\n\
         c CNAME %{i}._ip.%{h}._ehlo.%{d}._spf\n",
    );
    let labels: Vec<&[u8]> = records[0].name().iter().collect();
    assert_eq!(labels, vec![&b"a:b/24"[..], b"_spf", b"example", b"com"]);
    assert!(records[1].name().is_wildcard());
    match records[2].data() {
        Some(RData::CNAME(c)) => {
            let l: Vec<&[u8]> = c.0.iter().collect();
            assert_eq!(l[0], b"%{i}");
            assert_eq!(c.0.num_labels(), 8);
        }
        other => panic!("not CNAME: {other:?}"),
    }
}

#[test]
fn names_are_case_insensitive() {
    let records = parse("$TTL 60\nWWW.Example.COM. A 192.0.2.1\n");
    assert_eq!(records[0].name(), &name("www.example.com."));
    assert_eq!(records[0].name().to_string(), "WWW.Example.COM.");
}

#[test]
fn txt_escapes_and_comments() {
    let records = parse(
        "$TTL 60\nt TXT \"a\\\"b\\\\c\\065\" ; a comment with \"quotes\"\n\
         u TXT \"semi;colon (paren)\" unquoted\\032word \"\"\n",
    );
    assert_eq!(txt_strings(&records[0]), vec![b"a\"b\\cA".to_vec()]);
    assert_eq!(
        txt_strings(&records[1]),
        vec![
            b"semi;colon (paren)".to_vec(),
            b"unquoted word".to_vec(),
            Vec::new()
        ]
    );
}

#[test]
fn generic_rdata() {
    let records = parse(
        "$TTL 60\n\
         a TYPE99 \\# 3 abcdef\n\
         b TYPE1 \\# 4 7f000001\n\
         c TYPE65280 \\# 0\n\
         d A \\# 4 7f 00 00 02\n\
         e TYPE16 \\# 4 03 61 62 63\n",
    );
    match records[0].data() {
        Some(RData::Unknown { code, rdata }) => {
            assert_eq!(u16::from(*code), 99);
            assert_eq!(rdata.anything(), &[0xab, 0xcd, 0xef]);
        }
        other => panic!("not unknown: {other:?}"),
    }
    assert_eq!(u16::from(records[0].record_type()), 99);
    assert_eq!(records[1].record_type(), RecordType::A);
    assert_eq!(
        records[1].data(),
        Some(&RData::A("127.0.0.1".parse().expect("ip")))
    );
    assert_eq!(u16::from(records[2].record_type()), 65280);
    assert_eq!(
        records[3].data(),
        Some(&RData::A("127.0.0.2".parse().expect("ip")))
    );
    assert_eq!(txt_strings(&records[4]), vec![b"abc".to_vec()]);
}

#[test]
fn generic_rdata_errors() {
    let e = parse_err("$TTL 60\na.example. TYPE99 \\# 4 abcdef\n", None);
    assert_eq!(e.line, 2);
    assert!(matches!(e.kind, ZoneErrorKind::GenericLength { .. }), "{e}");
    let e = parse_err("$TTL 60\na.example. TYPE1 \\# 3 7f0000\n", None);
    assert_eq!(e.line, 2);
    assert!(
        matches!(&e.kind, ZoneErrorKind::BadGenericRdata { rtype, .. } if rtype == "A"),
        "{e}"
    );
    let e = parse_err("$TTL 60\na.example. TYPE1 \\# 2 7f0\n", None);
    assert!(
        matches!(e.kind, ZoneErrorKind::Invalid { what: "hex", .. }),
        "{e}"
    );
}

#[test]
fn spf_and_other_types() {
    let records = parse(
        "$TTL 60\n\
         @ SPF \"v=spf1 -all\"\n\
         @ PTR host.example.net.\n\
         @ HINFO \"PC\" Linux\n\
         @ NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n\
         @ TLSA 3 1 1 0123456789abcdef 0123456789ABCDEF\n\
         @ SSHFP 4 2 abcd\n\
         @ DS 12345 13 2 ABCDEF01\n\
         @ DNSKEY 257 3 13 AQID BAU=\n\
         @ HTTPS 1 . alpn=\"h3,h2\" ipv4hint=192.0.2.1,192.0.2.2 port=443\n\
         @ NSEC next.example.com. A NS SOA RRSIG NSEC TYPE65280\n\
         @ RRSIG A 13 2 3600 20240201000000 20240101000000 12345 example.com. AQID\n\
         @ URI 10 1 \"https://example.com/\"\n\
         @ CAA 128 tbs \"Unknown\"\n",
    );
    assert_eq!(records.len(), 13);
    match records[0].data() {
        Some(RData::Unknown { code, rdata }) => {
            assert_eq!(u16::from(*code), 99);
            assert_eq!(rdata.anything(), b"\x0bv=spf1 -all");
        }
        other => panic!("not SPF: {other:?}"),
    }
    assert_eq!(records[1].record_type(), RecordType::PTR);
    assert_eq!(records[2].record_type(), RecordType::HINFO);
    assert_eq!(records[3].record_type(), RecordType::NAPTR);
    match records[4].data() {
        Some(RData::TLSA(t)) => assert_eq!(t.cert_data().len(), 16),
        other => panic!("not TLSA: {other:?}"),
    }
    assert_eq!(records[5].record_type(), RecordType::SSHFP);
    assert_eq!(records[6].record_type(), RecordType::DS);
    // DNSKEY, NSEC and RRSIG are opaque records, or DNSSEC records when hickory-proto's
    // `dnssec` feature is on (the main crate turns it on): the wire bytes are the same.
    assert_eq!(wire(&records[7]), [1, 1, 3, 13, 1, 2, 3, 4, 5]);
    assert_eq!(records[8].record_type(), RecordType::HTTPS);
    assert!(
        matches!(records[8].data(), Some(RData::HTTPS(_))),
        "{:?}",
        records[8].data()
    );
    // NSEC: next name (5 + 8 + 4 + 1 = 18 bytes), window 0: A NS SOA RRSIG NSEC, window 255
    assert_eq!(
        &wire(&records[9])[18..],
        &[0, 6, 0x62, 0, 0, 0, 0, 0x03, 255, 1, 0x80]
    );
    // RRSIG: 2024-02-01T00:00:00Z = 1706745600
    assert_eq!(&wire(&records[10])[8..12], &1_706_745_600u32.to_be_bytes());
    assert_eq!(u16::from(records[11].record_type()), 256);
    assert_eq!(records[12].record_type(), RecordType::CAA);
}

#[test]
fn classes_and_ttl_order() {
    let records =
        parse("a IN 60 A 192.0.2.1\nb 60 IN A 192.0.2.2\nc CH 60 TXT x\nd CLASS1 A 192.0.2.4\n");
    assert_eq!(records[0].ttl(), 60);
    assert_eq!(records[1].ttl(), 60);
    assert_eq!(records[2].dns_class(), DNSClass::CH);
    assert_eq!(records[3].dns_class(), DNSClass::IN);
}

#[test]
fn uninterpreted_types_are_kept_opaque() {
    let records = parse(
        "$TTL 60\n\
         @ LOC 52 22 23.000 N 4 53 32.000 E -2.00m\n\
         @ CERT PGP 0 0 AAAA\n\
         @ DS 60485 RSASHA1 1 2BB183AF5F22588179A53B0A98631FAD1A292118\n\
         @ EUI48 00-00-5e-00-53-2a\n\
         @ A 192.0.2.1\n",
    );
    assert_eq!(records.len(), 5);
    match records[0].data() {
        Some(RData::Unknown { code, rdata }) => {
            assert_eq!(*code, RecordType::from(29));
            assert_eq!(
                rdata.anything(),
                b"52 22 23.000 N 4 53 32.000 E -2.00m".as_slice()
            );
        }
        other => panic!("not opaque: {other:?}"),
    }
    // Types the checks read stay strict.
    let e = parse_err("$TTL 60\nwww A 1.2.3\n", Some(&name("example.com.")));
    assert!(matches!(e.kind, ZoneErrorKind::Invalid { .. }), "{e}");
    let e = parse_err("$TTL 60\nwww MX ten mail\n", Some(&name("example.com.")));
    assert!(matches!(e.kind, ZoneErrorKind::OutOfRange { .. }), "{e}");
    // Mnemonics no reader knows are still an error.
    let e = parse_err("$TTL 60\nwww FOO 1\n", Some(&name("example.com.")));
    assert!(matches!(e.kind, ZoneErrorKind::UnknownType { .. }), "{e}");
}

/// A record's RDATA in wire form (whichever way hickory holds it).
fn wire(r: &hickory_proto::rr::Record) -> Vec<u8> {
    use hickory_proto::serialize::binary::BinEncodable;
    r.data()
        .and_then(|d| d.to_bytes().ok())
        .expect("encodable rdata")
}
