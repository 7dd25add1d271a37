//! The load path's HTTP/1.1 client against real loopback servers that answer from a script:
//! framing, keep-alive, caps and hostile peers.

use super::*;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CAP: usize = 1024 * 1024;

/// A server for one connection: for each entry, reads one request head, then writes the
/// answer in pieces of `piece` bytes (1 = byte by byte). Returns the requests it read.
async fn serve(
    answers: Vec<Vec<u8>>,
    piece: usize,
) -> (SocketAddr, tokio::task::JoinHandle<Vec<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut seen = Vec::new();
        for answer in answers {
            let mut req = Vec::new();
            let mut byte = [0u8; 1];
            while !req.ends_with(b"\r\n\r\n") {
                if s.read(&mut byte).await.unwrap_or(0) == 0 {
                    return seen;
                }
                req.push(byte[0]);
            }
            seen.push(req);
            for part in answer.chunks(piece.max(1)) {
                if s.write_all(part).await.is_err() {
                    return seen;
                }
                s.flush().await.ok();
            }
        }
        seen
    });
    (addr, task)
}

async fn conn(addr: SocketAddr) -> Conn<TcpStream> {
    Conn::new(TcpStream::connect(addr).await.expect("connect"))
}

fn get() -> Vec<u8> {
    request_bytes("GET", "/x?y=1", "example.test", "launchready-test", b"")
}

#[tokio::test]
async fn content_length_answers_share_one_connection() {
    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec();
    let (addr, server) = serve(vec![ok.clone(), ok.clone(), ok], 1024).await;
    let mut c = conn(addr).await;
    for _ in 0..3 {
        let a = c.exchange(&get(), false, CAP).await.expect("answer");
        assert_eq!((a.status, a.body_len, a.retry_after), (200, 5, false));
        assert!(!c.is_closed());
    }
    let seen = server.await.expect("server");
    assert_eq!(seen.len(), 3);
    let first = String::from_utf8_lossy(&seen[0]);
    assert!(first.starts_with("GET /x?y=1 HTTP/1.1\r\n"), "{first}");
    assert!(first.contains("host: example.test\r\n"));
    assert!(!first.contains("content-length"));
}

#[tokio::test]
async fn chunked_bodies_with_extensions_and_trailers_byte_by_byte() {
    let answer = b"HTTP/1.1 503 Busy\r\nTransfer-Encoding: gzip, chunked\r\nRetry-After: 5\r\n\r\n\
        4;name=v\r\nwiki\r\n0B\r\nhello world\r\n0\r\nX-Trailer: 1\r\n\r\n"
        .to_vec();
    let second = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec();
    let (addr, _server) = serve(vec![answer, second], 1).await;
    let mut c = conn(addr).await;
    let a = c.exchange(&get(), false, CAP).await.expect("answer");
    assert_eq!((a.status, a.body_len, a.retry_after), (503, 15, true));
    assert!(
        !c.is_closed(),
        "a whole chunked answer keeps the connection"
    );
    let b = c.exchange(&get(), false, CAP).await.expect("second answer");
    assert_eq!((b.status, b.body_len), (200, 0));
}

#[tokio::test]
async fn interim_answers_are_skipped_and_head_has_no_body() {
    let answer =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            .to_vec();
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 123456\r\n\r\n".to_vec();
    let (addr, _server) = serve(vec![answer, head], 7).await;
    let mut c = conn(addr).await;
    let a = c.exchange(&get(), false, CAP).await.expect("answer");
    assert_eq!((a.status, a.body_len), (204, 0));
    let head_req = request_bytes("HEAD", "/", "h", "ua", b"");
    let b = c.exchange(&head_req, true, CAP).await.expect("HEAD answer");
    assert_eq!((b.status, b.body_len), (200, 0));
    assert!(!c.is_closed());
}

#[tokio::test]
async fn close_and_http10_end_the_connection() {
    for answer in [
        &b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"[..],
        &b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"[..],
    ] {
        let (addr, _server) = serve(vec![answer.to_vec()], 3).await;
        let mut c = conn(addr).await;
        let a = c.exchange(&get(), false, CAP).await.expect("answer");
        assert_eq!((a.status, a.body_len), (200, 2));
        assert!(c.is_closed());
        assert!(matches!(
            c.exchange(&get(), false, CAP).await,
            Err(H1Error::Closed)
        ));
    }
    // HTTP/1.0 with keep-alive stays open.
    let ka = b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n".to_vec();
    let (addr, _server) = serve(vec![ka], 64).await;
    let mut c = conn(addr).await;
    c.exchange(&get(), false, CAP).await.expect("answer");
    assert!(!c.is_closed());
}

#[tokio::test]
async fn a_body_without_framing_runs_to_the_close() {
    let (addr, server) = serve(vec![b"HTTP/1.1 200 OK\r\n\r\nabcdefgh".to_vec()], 3).await;
    let mut c = conn(addr).await;
    // The server task ends after its one answer, closing the connection.
    let a = c.exchange(&get(), false, CAP).await.expect("answer");
    assert_eq!((a.status, a.body_len), (200, 8));
    assert!(c.is_closed());
    server.await.expect("server");
}

#[tokio::test]
async fn a_post_carries_its_body_and_length() {
    let (addr, server) = serve(
        vec![b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()],
        64,
    )
    .await;
    let mut c = conn(addr).await;
    let req = request_bytes("POST", "/login", "h", "ua", b"");
    c.exchange(&req, false, CAP).await.expect("answer");
    let seen = server.await.expect("server");
    let text = String::from_utf8_lossy(&seen[0]);
    assert!(text.contains("content-length: 0\r\n"), "{text}");
    let with_body = request_bytes("POST", "/login", "h", "ua", b"a=1");
    assert!(with_body.ends_with(b"content-length: 3\r\n\r\na=1"));
}

async fn fails_with(answer: &[u8], cap: usize) -> H1Error {
    let (addr, _server) = serve(vec![answer.to_vec()], 4096).await;
    let mut c = conn(addr).await;
    let e = c
        .exchange(&get(), false, cap)
        .await
        .expect_err("a hostile answer fails");
    assert!(c.is_closed(), "no reuse after {e}");
    e
}

#[tokio::test]
async fn caps_hold_against_big_answers() {
    let e = fails_with(b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 1000).await;
    assert!(matches!(e, H1Error::BodyTooLarge(1000)), "{e}");
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..20 {
        chunked.extend_from_slice(b"64\r\n");
        chunked.extend_from_slice(&[b'a'; 100]);
        chunked.extend_from_slice(b"\r\n");
    }
    let e = fails_with(&chunked, 1000).await;
    assert!(matches!(e, H1Error::BodyTooLarge(1000)), "{e}");
    let mut close = b"HTTP/1.1 200 OK\r\n\r\n".to_vec();
    close.extend_from_slice(&[b'z'; 5000]);
    let e = fails_with(&close, 1000).await;
    assert!(matches!(e, H1Error::BodyTooLarge(1000)), "{e}");
}

#[tokio::test]
async fn hostile_heads_are_refused() {
    let mut endless = b"HTTP/1.1 200 OK\r\n".to_vec();
    while endless.len() < HEAD_CAP + 100 {
        endless.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    // Under the header count cap too: one long header.
    let mut long = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
    long.extend(std::iter::repeat_n(b'a', HEAD_CAP + 10));
    assert!(matches!(
        fails_with(&long, CAP).await,
        H1Error::HeadTooLarge
    ));
    assert!(matches!(
        fails_with(&endless, CAP).await,
        H1Error::HeadTooLarge | H1Error::Malformed("too many headers")
    ));
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..(MAX_HEADERS + 1) {
        many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert!(matches!(
        fails_with(&many, CAP).await,
        H1Error::Malformed(_)
    ));
    for bad in [
        &b"SSH-2.0-OpenSSH_9.6\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    ] {
        let e = fails_with(bad, CAP).await;
        assert!(
            matches!(e, H1Error::Malformed(_)),
            "{e} for {:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // An endless chunk-size line.
    let mut line = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    line.extend(std::iter::repeat_n(b'0', 10_000));
    assert!(matches!(
        fails_with(&line, CAP).await,
        H1Error::Malformed(_)
    ));
}

#[tokio::test]
async fn a_peer_that_stops_midway_is_an_error_not_a_hang() {
    // Closes mid-body, mid-head and mid-chunk.
    for cut in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"[..],
        b"HTTP/1.1 200 OK\r\nContent-Le",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"",
    ] {
        let e = fails_with(cut, CAP).await;
        assert!(matches!(e, H1Error::Closed), "{e}");
    }
    // Both framings at once: answered, but the connection is not reused (smuggling).
    let both =
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    let (addr, _server) = serve(vec![both.to_vec()], 4096).await;
    let mut c = conn(addr).await;
    let a = c.exchange(&get(), false, CAP).await.expect("answer");
    assert_eq!(a.body_len, 0);
    assert!(c.is_closed());
}

#[tokio::test]
async fn a_silent_peer_is_cut_by_the_callers_timeout_and_not_reused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let _server = tokio::spawn(async move {
        let (s, _) = listener.accept().await.expect("accept");
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    });
    let mut c = conn(addr).await;
    let r = tokio::time::timeout(Duration::from_millis(50), c.exchange(&get(), false, CAP)).await;
    assert!(r.is_err(), "still waiting when the timeout came");
    assert!(
        c.is_closed(),
        "an interrupted exchange leaves the connection unusable"
    );
}

#[test]
fn chunk_sizes_parse_as_hex() {
    assert_eq!(chunk_size(b"1A").ok(), Some(26));
    assert_eq!(chunk_size(b" 10 ;x=y").ok(), Some(16));
    assert!(chunk_size(b"").is_err() && chunk_size(b"g").is_err() && chunk_size(b"+1").is_err());
}
