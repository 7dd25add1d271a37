use super::*;
use crate::net::tls::{TLS1_0, TLS1_1, TLS1_2};

#[test]
fn client_hello_round_trips() {
    let rec = client_hello("www.example.test", TLS1_0, LEGACY_SUITES);
    assert_eq!(rec[0], 0x16);
    let info = parse_client_hello(&rec).expect("complete").expect("valid");
    assert_eq!(info.max_version, TLS1_0);
    assert_eq!(info.suites, LEGACY_SUITES);
    assert_eq!(info.sni.as_deref(), Some("www.example.test"));
    // A prefix is not yet a hello.
    assert!(parse_client_hello(&rec[..rec.len() - 3]).is_none());
}

#[test]
fn what_is_not_a_client_hello_says_why() {
    assert!(matches!(
        parse_client_hello(b"GET / HTTP/1.1\r\n"),
        Some(Err(ClientHelloError::NotHandshake(HelloAnswer::NotTls(_))))
    ));
    assert_eq!(
        parse_client_hello(&server_hello(TLS1_2, 0xC02F)),
        Some(Err(ClientHelloError::NotClientHello(2)))
    );
    // A ClientHello whose body stops inside the random.
    assert_eq!(
        parse_client_hello(&[0x16, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0]),
        Some(Err(ClientHelloError::Malformed))
    );
}

#[test]
fn reads_server_hello_version_and_suite() {
    let rec = server_hello(TLS1_1, 0xC013);
    match parse_server_answer(&rec) {
        Parsed::Done(HelloAnswer::Accepted { version, suite }) => {
            assert_eq!((version, suite), (TLS1_1, 0xC013))
        }
        _ => panic!("not accepted"),
    }
    // Split across reads: incomplete until the whole message is there.
    assert!(matches!(
        parse_server_answer(&rec[..20]),
        Parsed::Incomplete
    ));
}

#[test]
fn reads_alerts_as_refusals() {
    let alert = [0x15, 3, 3, 0, 2, 2, 70];
    match parse_server_answer(&alert) {
        Parsed::Done(HelloAnswer::Refused(why)) => assert!(why.contains("protocol_version")),
        _ => panic!("not refused"),
    }
}

#[test]
fn garbage_is_not_tls_and_never_panics() {
    for junk in [
        &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..],
        &b"\x16\x03"[..],
        &b"\x16\x03\x03\xff\xff"[..],
        &b"\x16\x03\x03\x00\x04\x02\xff\xff\xff"[..],
        &b"\x16\x03\x03\x00\x05\x02\x00\x00\x01\x03"[..],
        &b"\x16\x03\x03\x00\x01\x0b"[..],
        &[0u8; 64][..],
    ] {
        let _ = parse_server_answer(junk);
        let _ = parse_client_hello(junk);
    }
    assert!(matches!(
        parse_server_answer(b"HTTP/1.1 400 Bad Request\r\n"),
        Parsed::Done(HelloAnswer::NotTls(_))
    ));
    // Every prefix of a valid hello, and every single-byte corruption, stays panic-free.
    let rec = client_hello("example.test", TLS1_2, WEAK_SUITES);
    for i in 0..rec.len() {
        let _ = parse_client_hello(&rec[..i]);
        let mut bad = rec.clone();
        bad[i] ^= 0xff;
        let _ = parse_client_hello(&bad);
        let _ = parse_server_answer(&bad);
    }
}
