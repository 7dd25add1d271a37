//! The shared HTTP client against the sandbox: --connect-to, --ca-file, timeouts, body caps.

use launchready::net::dns::{Resolver, Source};
use launchready::net::http::{self, Client, ConnectTo, HttpError};
use launchready::sandbox::Background;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn client(
    sb: &Background,
    connect_to: Vec<ConnectTo>,
    with_ca: bool,
    cap: usize,
    timeout: Duration,
) -> Client {
    let resolver = Arc::new(Resolver::new(
        Source::Server(sb.info.dns),
        Duration::from_secs(1),
    ));
    let extra = if with_ca {
        http::read_ca_file(&sb.info.ca_file).expect("sandbox CA")
    } else {
        vec![]
    };
    let tls = http::tls_config(http::root_store(&extra).expect("roots")).expect("tls");
    Client::new(resolver, connect_to, tls, timeout, cap)
}

fn sandbox_routes(sb: &Background) -> Vec<ConnectTo> {
    vec![
        ConnectTo::parse(&format!(":80:127.0.0.1:{}", sb.info.http.port())).expect("rule"),
        ConnectTo::parse(&format!(":443:127.0.0.1:{}", sb.info.https.port())).expect("rule"),
    ]
}

#[test]
fn reaches_the_sandbox_like_a_user_with_connect_to_and_ca_file() {
    let sb = Background::start("healthy").expect("sandbox");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let c = client(
            &sb,
            sandbox_routes(&sb),
            true,
            1 << 20,
            Duration::from_secs(5),
        );
        let r = c.get("https://example.test/").await.expect("https works");
        assert_eq!(r.status, 200);
        assert!(r.headers.contains_key("strict-transport-security"));
        assert!(String::from_utf8_lossy(&r.body).contains("<html"));
        // Redirects are not followed: the hop is visible, path and query intact.
        let r = c
            .get("http://www.example.test/login?next=%2Fcheckout")
            .await
            .expect("http works");
        assert_eq!(r.status, 301);
        assert_eq!(
            r.headers["location"],
            "https://example.test/login?next=%2Fcheckout"
        );
        // The body cap holds.
        let small = client(&sb, sandbox_routes(&sb), true, 16, Duration::from_secs(5));
        let r = small.get("https://example.test/").await.expect("capped");
        assert!(r.truncated && r.body.len() == 16);
        // Without the sandbox CA the certificate is not trusted.
        let untrusting = client(
            &sb,
            sandbox_routes(&sb),
            false,
            1 << 20,
            Duration::from_secs(5),
        );
        match untrusting.get("https://example.test/").await {
            Err(HttpError::Tls(e)) => assert!(e.contains("certificate"), "{e}"),
            other => panic!("expected a TLS error, got {other:?}"),
        }
    });
}

#[test]
fn a_server_that_never_answers_costs_only_the_timeout() {
    let sb = Background::start("healthy").expect("sandbox");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = silent.local_addr().expect("addr").port();
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = silent.accept().await {
                held.push(s);
            }
        });
        let rule = ConnectTo::parse(&format!("example.test:443:127.0.0.1:{port}")).expect("rule");
        let c = client(&sb, vec![rule], true, 1 << 20, Duration::from_millis(300));
        let t = Instant::now();
        let r = c.get("https://example.test/").await;
        assert!(matches!(r, Err(HttpError::Timeout)), "{r:?}");
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        hold.abort();
    });
}
