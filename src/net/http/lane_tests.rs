//! The client's pools at internet latency: the lane of one target's client, and a pinned
//! client's hops to other hosts, against a real loopback server that counts what it gets.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server saw: connections accepted, requests per `host path`.
#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    requests: std::sync::Mutex<Vec<String>>,
}

impl Seen {
    fn asked(&self, what: &str) -> usize {
        self.requests
            .lock()
            .map(|r| r.iter().filter(|x| *x == what).count())
            .unwrap_or(0)
    }
}

/// A keep-alive HTTP/1.1 server: `pin.test /` redirects to `http://other.test/x`; every other
/// request gets 200 "ok".
async fn server() -> (SocketAddr, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Seen::default());
    let counts = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counts.connections.fetch_add(1, Ordering::SeqCst);
            let counts = counts.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    buf.drain(..end + 4);
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                    let host = head
                        .lines()
                        .find_map(|l| l.strip_prefix("host:"))
                        .map(|h| h.trim().split(':').next().unwrap_or("").to_string())
                        .unwrap_or_default();
                    if let Ok(mut r) = counts.requests.lock() {
                        r.push(format!("{host} {path}"));
                    }
                    let answer = if host == "pin.test" && path == "/" {
                        "HTTP/1.1 301 Moved\r\nlocation: http://other.test/x\r\ncontent-length: 0\r\n\r\n"
                    } else {
                        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                    };
                    if s.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, seen)
}

/// A client whose every host and port goes to `addr`.
fn client(addr: SocketAddr) -> Client {
    let resolver = Arc::new(Resolver::new(
        super::super::dns::Source::Server("127.0.0.1:9".parse().expect("sa")),
        Duration::from_millis(200),
    ));
    let rule = ConnectTo::parse(&format!("::{addr}")).expect("rule");
    let tls = tls_config(root_store(&[]).expect("roots")).expect("tls");
    Client::new(resolver, vec![rule], tls, Duration::from_secs(2), 1024)
}

async fn until(what: impl Fn() -> bool) {
    for _ in 0..200 {
        if what() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn the_lane_keeps_its_connections_for_its_own_requests() {
    let (addr, seen) = server().await;
    let c = client(addr).for_target();
    c.urgent().preconnect("http://app.test/", 1);
    until(|| seen.connections.load(Ordering::SeqCst) == 1).await;
    // The lane's request takes the connection opened for it.
    assert!(c.urgent().get("http://app.test/a").await.is_ok());
    assert_eq!(seen.connections.load(Ordering::SeqCst), 1);
    // The main pool has none of the lane's: its request opens one of its own.
    assert!(c.get("http://app.test/b").await.is_ok());
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2);
    // A client bounded per origin (many targets) has no second pool: urgent is itself.
    let bounded = client(addr).with_origin_limit(4).for_target();
    assert!(bounded.get("http://app.test/c").await.is_ok());
    assert!(bounded.urgent().get("http://app.test/d").await.is_ok());
    assert_eq!(seen.connections.load(Ordering::SeqCst), 3, "one pool");
}

#[tokio::test]
async fn a_pinned_chain_asks_other_hosts_through_the_run_s_answers() {
    let (addr, seen) = server().await;
    let run = client(addr).for_target().with_shared_answers();
    // The host chain's hop, asked first by the run.
    assert!(run.get_shared("http://other.test/x").await.is_ok());
    let node = run.pinned("pin.test", &[(80, addr)]);
    let chain = node.follow("http://pin.test/", 5, &[]).await;
    assert_eq!(chain.hops.len(), 2, "{:?}", chain.hops);
    assert_eq!(chain.last.map(|r| r.status.as_u16()), Some(200));
    // The pinned host is asked by the node itself; the other host's hop is the run's answer.
    assert_eq!(seen.asked("pin.test /"), 1);
    assert_eq!(seen.asked("other.test /x"), 1);
    // The pinned host's own pages are never the run's shared answers.
    assert!(run.get_shared("http://pin.test/").await.is_ok());
    assert!(node.follow("http://pin.test/", 5, &[]).await.last.is_some());
    assert_eq!(seen.asked("pin.test /"), 3);
}
