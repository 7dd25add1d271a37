//! Every address of a host, one at a time: round-robin DNS hides a stale or dead node behind
//! the others, so a probe that connects to "the first address that answers" never sees it.
//!
//! An address is dialled as the IP literal, so `--connect-to` rules apply to it: a rule whose
//! HOST is that address (`--connect-to 127.0.0.2:443:127.0.0.1:8443`, IPv6 in brackets:
//! `[::1]:443:…`) sends it elsewhere, a rule without HOST sends every address to one place,
//! and without a rule the address itself is dialled.

use super::dns::Resolver;
use super::http::{destinations, ConnectTo};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpStream;

/// The most addresses of one host probed one by one.
pub const MAX_PER_HOST: usize = 4;
/// The connect timeout of one address.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What dialling one address gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// A TCP connection was established.
    Open,
    /// The address refused, reset or did not answer in time: the node's fault.
    Dead(String),
    /// This machine cannot dial it (no route for the family, no local port, EMFILE): never
    /// the target's fault.
    Local(String),
}

/// Whether an I/O error says this machine cannot reach the address at all: no route for its
/// family (no IPv6 here), or a local shortage.
pub fn is_local_route_error(e: &std::io::Error) -> bool {
    const ENETUNREACH: i32 = 101;
    const EAFNOSUPPORT: i32 = 97;
    const EHOSTUNREACH: i32 = 113;
    super::dns::is_local_io_error(e)
        || matches!(
            e.raw_os_error(),
            Some(ENETUNREACH | EAFNOSUPPORT | EHOSTUNREACH)
        )
}

/// Where one address of a host is dialled on `port`, after `--connect-to`.
pub async fn destination(
    resolver: &Resolver,
    connect_to: &[ConnectTo],
    ip: IpAddr,
    port: u16,
) -> SocketAddr {
    match destinations(resolver, connect_to, &ip.to_string(), port).await {
        Ok(mut d) if !d.is_empty() => d.remove(0),
        _ => SocketAddr::new(ip, port),
    }
}

/// Dials one address of a host on `port` (through `--connect-to`).
pub async fn reach(resolver: &Resolver, connect_to: &[ConnectTo], ip: IpAddr, port: u16) -> Reach {
    let to = destination(resolver, connect_to, ip, port).await;
    match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(to)).await {
        Ok(Ok(_)) => Reach::Open,
        Ok(Err(e)) if is_local_route_error(&e) => {
            Reach::Local(format!("cannot dial {to} from this machine: {e}"))
        }
        Ok(Err(e)) => Reach::Dead(format!("{to}: {e}")),
        Err(_) => Reach::Dead(format!(
            "{to}: no answer within {}s",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// The addresses of `host` to probe one by one on `port`, each with where it is dialled:
/// empty when there is at most one (the usual probe already sees it), or when a
/// `--connect-to` rule names the host itself (the user pinned it to one place). At most
/// [`MAX_PER_HOST`] per address family.
pub async fn each_address(
    resolver: &Resolver,
    connect_to: &[ConnectTo],
    host: &str,
    port: u16,
) -> Vec<(IpAddr, SocketAddr)> {
    addresses(resolver, connect_to, host, port).await.chosen
}

/// The addresses of a host chosen for probing one by one, and how many the bound left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen {
    /// Each address, with where it is dialled (after `--connect-to`).
    pub chosen: Vec<(IpAddr, SocketAddr)>,
    /// Published addresses over [`MAX_PER_HOST`] per family, not probed on their own.
    pub cut: usize,
}

/// [`each_address`], saying how many addresses the per-family bound left out.
pub async fn addresses(
    resolver: &Resolver,
    connect_to: &[ConnectTo],
    host: &str,
    port: u16,
) -> Chosen {
    let key = host.trim_end_matches('.').to_ascii_lowercase();
    let pinned = connect_to
        .iter()
        .any(|r| r.host.as_deref() == Some(key.as_str()) && r.port.is_none_or(|p| p == port));
    if pinned || key.parse::<IpAddr>().is_ok() {
        return Chosen::default();
    }
    let Ok(ips) = resolver.addrs(host).await else {
        return Chosen::default();
    };
    let v4 = ips.iter().filter(|ip| ip.is_ipv4()).take(MAX_PER_HOST);
    let v6 = ips.iter().filter(|ip| ip.is_ipv6()).take(MAX_PER_HOST);
    let chosen: Vec<IpAddr> = v4.chain(v6).copied().collect();
    if chosen.len() < 2 {
        return Chosen::default();
    }
    let mut out = Chosen {
        chosen: Vec::new(),
        cut: ips.len().saturating_sub(chosen.len()),
    };
    for ip in chosen {
        out.chosen
            .push((ip, destination(resolver, connect_to, ip, port).await));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::dns::Source;

    #[tokio::test]
    async fn an_address_rule_sends_one_address_elsewhere() {
        let open = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let open_addr = open.local_addr().expect("addr");
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let closed_addr = closed.local_addr().expect("addr");
        drop(closed);
        let rules = vec![
            ConnectTo::parse(&format!("[::1]:443:127.0.0.1:{}", closed_addr.port())).expect("rule"),
            ConnectTo::parse(&format!(":443:127.0.0.1:{}", open_addr.port())).expect("rule"),
        ];
        let resolver = Resolver::new(Source::Server(closed_addr), Duration::from_millis(100));
        let v4: IpAddr = "192.0.2.1".parse().expect("ip");
        let v6: IpAddr = "::1".parse().expect("ip");
        assert_eq!(reach(&resolver, &rules, v4, 443).await, Reach::Open);
        assert!(matches!(
            reach(&resolver, &rules, v6, 443).await,
            Reach::Dead(_)
        ));
    }
}
