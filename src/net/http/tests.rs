use super::*;

#[test]
fn parses_connect_to_like_curl() {
    let r = ConnectTo::parse("example.com:443:127.0.0.1:8443").expect("valid");
    assert_eq!(r.host.as_deref(), Some("example.com"));
    assert_eq!((r.port, r.to_port), (Some(443), Some(8443)));
    assert!(r.matches("example.com", 443) && !r.matches("example.com", 80));
    let any = ConnectTo::parse("::[::1]:8080").expect("valid");
    assert_eq!(any.addr, "::1".parse::<IpAddr>().expect("ip"));
    assert!(any.matches("whatever.test", 80));
    assert_eq!(any.to_arg(), "::[::1]:8080");
    assert!(ConnectTo::parse("example.com:443:not-an-ip:1").is_err());
    assert!(ConnectTo::parse("example.com:443").is_err());
    assert!(ConnectTo::parse("a:99999:127.0.0.1:1").is_err());
}

#[test]
fn classifies_addresses_a_target_url_may_not_reach() {
    for ip in [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.255",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ] {
        let ip: IpAddr = ip.parse().expect("ip");
        assert!(!is_public(ip), "{ip} is not public");
    }
    for ip in [
        "93.184.216.34",
        "1.1.1.1",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
    ] {
        let ip: IpAddr = ip.parse().expect("ip");
        assert!(is_public(ip), "{ip} is public");
    }
}

#[test]
fn local_connect_errors_are_told_from_the_sites() {
    use std::io::{Error, ErrorKind};
    assert!(is_local_io(&Error::from(ErrorKind::NetworkUnreachable)));
    assert!(is_local_io(&Error::from(ErrorKind::AddrNotAvailable)));
    #[cfg(target_os = "linux")]
    assert!(is_local_io(&Error::from_raw_os_error(24)), "EMFILE");
    assert!(!is_local_io(&Error::from(ErrorKind::ConnectionRefused)));
    assert!(!is_local_io(&Error::from(ErrorKind::TimedOut)));
}

#[tokio::test]
async fn a_public_only_client_never_connects_to_loopback() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let resolver = Arc::new(Resolver::new(
        super::super::dns::Source::Server("127.0.0.1:9".parse().expect("sa")),
        Duration::from_millis(200),
    ));
    let tls = tls_config(root_store(&[]).expect("roots")).expect("tls");
    let client = Client::new(resolver, vec![], tls, Duration::from_secs(2), 1024);
    let url = format!("http://{addr}/latest/meta-data/");
    let r = client.public_only().get(&url).await;
    assert!(matches!(r, Err(HttpError::Blocked(_))), "{r:?}");
    // Nothing reached the listener.
    let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(accepted.is_err(), "a connection was made");
    // The ordinary client does connect (the classifier, not the network, refused).
    let served = tokio::spawn(async move { listener.accept().await.is_ok() });
    let _ = client.get(&url).await;
    assert!(served.await.unwrap_or(false));
}
