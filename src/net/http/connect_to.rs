//! `--connect-to HOST:PORT:ADDR:PORT` rules, and where the client connects for a host.

use super::*;

/// One `--connect-to HOST:PORT:ADDR:PORT` rule (an empty HOST or PORT matches any, as in curl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub addr: IpAddr,
    pub to_port: Option<u16>,
}

/// Why a `--connect-to` rule is refused; `rule` is the rule as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectToError {
    #[error("--connect-to {rule:?}: unclosed '[' (expected HOST:PORT:ADDR:PORT)")]
    UnclosedBracket { rule: String },
    #[error("--connect-to {rule:?}: {host:?} is not an IPv6 address")]
    HostNotIpv6 { rule: String, host: String },
    #[error("--connect-to {rule:?}: {field} (expected HOST:PORT:ADDR:PORT)")]
    Field { rule: String, field: RuleField },
}

/// The part of a `--connect-to` rule that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleField {
    #[error("missing ':'")]
    MissingColon,
    #[error("needs four ':'-separated fields")]
    FieldCount,
    #[error("missing PORT")]
    MissingPort,
    #[error("bad port {0:?}")]
    Port(String),
    #[error("ADDR {0:?} is not an IP address")]
    Addr(String),
}

impl ConnectTo {
    pub fn parse(s: &str) -> Result<ConnectTo, ConnectToError> {
        // HOST may be a bracketed IPv6 literal: a rule for one address of a host
        // (`[2001:db8::1]:443:127.0.0.1:8443`, see `net::nodes`).
        if let Some(rest) = s.strip_prefix('[') {
            let (v6, tail) =
                rest.split_once(']')
                    .ok_or_else(|| ConnectToError::UnclosedBracket {
                        rule: s.to_string(),
                    })?;
            let ip: std::net::Ipv6Addr = v6.parse().map_err(|_| ConnectToError::HostNotIpv6 {
                rule: s.to_string(),
                host: v6.to_string(),
            })?;
            let mut rule = ConnectTo::parse(&format!("v6{tail}"))?;
            rule.host = Some(ip.to_string());
            return Ok(rule);
        }
        let bad = |field: RuleField| ConnectToError::Field {
            rule: s.to_string(),
            field,
        };
        // The address may be a bracketed IPv6 literal containing colons.
        let (head, addr, tail) = match (s.find('['), s.find(']')) {
            (Some(open), Some(close)) if open < close => {
                let head = s[..open]
                    .strip_suffix(':')
                    .ok_or_else(|| bad(RuleField::MissingColon))?;
                let tail = s[close + 1..]
                    .strip_prefix(':')
                    .ok_or_else(|| bad(RuleField::MissingColon))?;
                (head, &s[open + 1..close], tail)
            }
            _ => {
                let parts: Vec<&str> = s.split(':').collect();
                if parts.len() != 4 {
                    return Err(bad(RuleField::FieldCount));
                }
                let head_len = parts[0].len() + 1 + parts[1].len();
                (&s[..head_len], parts[2], parts[3])
            }
        };
        let (host, port) = head
            .split_once(':')
            .ok_or_else(|| bad(RuleField::MissingPort))?;
        let parse_port = |p: &str| -> Result<Option<u16>, ConnectToError> {
            if p.is_empty() {
                Ok(None)
            } else {
                p.parse::<u16>()
                    .map(Some)
                    .map_err(|_| bad(RuleField::Port(p.to_string())))
            }
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| bad(RuleField::Addr(addr.to_string())))?;
        Ok(ConnectTo {
            host: (!host.is_empty()).then(|| host.trim_end_matches('.').to_ascii_lowercase()),
            port: parse_port(port)?,
            addr,
            to_port: parse_port(tail)?,
        })
    }

    pub(super) fn matches(&self, host: &str, port: u16) -> bool {
        self.host.as_deref().is_none_or(|h| h == host) && self.port.is_none_or(|p| p == port)
    }

    /// The curl-style text of the rule.
    pub fn to_arg(&self) -> String {
        let host = match self.host.as_deref() {
            Some(h) if h.contains(':') => format!("[{h}]"),
            Some(h) => h.to_string(),
            None => String::new(),
        };
        let addr = match self.addr {
            IpAddr::V6(a) => format!("[{a}]"),
            IpAddr::V4(a) => a.to_string(),
        };
        format!(
            "{}:{}:{}:{}",
            host,
            self.port.map(|p| p.to_string()).unwrap_or_default(),
            addr,
            self.to_port.map(|p| p.to_string()).unwrap_or_default()
        )
    }
}

/// Why a host has no address to connect to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("{error}")]
    Lookup { host: String, error: DnsError },
    #[error("{host} does not resolve")]
    NoAddress { host: String },
}

/// Where the client connects for `host:port`.
pub async fn destinations(
    resolver: &Resolver,
    connect_to: &[ConnectTo],
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, DestinationError> {
    let host_key = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(rule) = connect_to.iter().find(|r| r.matches(&host_key, port)) {
        return Ok(vec![SocketAddr::new(
            rule.addr,
            rule.to_port.unwrap_or(port),
        )]);
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let ips = resolver
        .addrs(host)
        .await
        .map_err(|error| DestinationError::Lookup {
            host: host.to_string(),
            error,
        })?;
    if ips.is_empty() {
        return Err(DestinationError::NoAddress {
            host: host.to_string(),
        });
    }
    Ok(ips
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect())
}
