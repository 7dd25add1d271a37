//! The run's one DNS resolver: the system's resolvers, `--dns-server IP[:PORT]`, or `--zone FILE`.
//!
//! Why not hickory-resolver: the audit needs what a full resolver hides — the response code
//! that tells NXDOMAIN from "no records of this type", the AA bit when each nameserver is asked
//! directly (lame delegation), and an exact count of the queries made (the SPF engine's limits).
//! So this is a small stub resolver over hickory-proto's wire format: UDP first, TCP when the
//! answer is truncated, a short timeout per attempt, and every answer cached for the run.

use super::zone::ZoneData;
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::OnceCell;
use tokio::time::timeout;

/// Why a lookup produced no answer at all (as opposed to an answer saying "no such name").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// No server answered in time.
    Timeout(String),
    /// The server answered SERVFAIL, REFUSED or another failure code.
    Failure(String, ResponseCode),
    /// The answer could not be parsed.
    Malformed(String, String),
    /// Network error (no route, refused, …).
    Io(String, String),
    /// This machine's own trouble, not the network's or the target's: out of file descriptors
    /// (EMFILE/ENFILE), of buffers (ENOBUFS), of local ports (EADDRINUSE/EADDRNOTAVAIL).
    /// Nothing can be said about the name asked for.
    Local(String, String),
    /// `--zone` mode: the name lies outside the zone file, so nothing can be said about it.
    NotInZone(String),
    /// The name given is not a valid DNS name.
    BadName(String),
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::Timeout(server) => write!(f, "no answer from {server} in time"),
            DnsError::Failure(server, rcode) => write!(f, "{server} answered {rcode}"),
            DnsError::Malformed(server, e) => write!(f, "malformed answer from {server}: {e}"),
            DnsError::Io(server, e) => write!(f, "cannot reach {server}: {e}"),
            DnsError::Local(server, e) => {
                write!(f, "cannot ask {server}: local resource exhausted: {e}")
            }
            DnsError::NotInZone(name) => write!(f, "{name} is outside the zone file"),
            DnsError::BadName(name) => write!(f, "{name:?} is not a valid DNS name"),
        }
    }
}

impl std::error::Error for DnsError {}

/// The reason a check is not checked in a `--zone` audit, which never asks the network what
/// it would have to: `offline (--zone): WHAT`.
pub fn offline(what: impl std::fmt::Display) -> String {
    format!("offline (--zone): {what}")
}

/// Whether an I/O error is this machine's own shortage (descriptors, buffers, local ports)
/// rather than anything the network or a peer did.
pub fn is_local_io_error(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc_errno::EMFILE
                | libc_errno::ENFILE
                | libc_errno::ENOBUFS
                | libc_errno::ENOMEM
                | libc_errno::EADDRINUSE
                | libc_errno::EADDRNOTAVAIL
        )
    )
}

/// The Linux errno values of local resource shortages (stable across Linux architectures).
pub mod libc_errno {
    pub const ENOMEM: i32 = 12;
    pub const ENFILE: i32 = 23;
    pub const EMFILE: i32 = 24;
    pub const ENOBUFS: i32 = 105;
    pub const EADDRINUSE: i32 = 98;
    pub const EADDRNOTAVAIL: i32 = 99;
}

/// An I/O error talking to `server`: [`DnsError::Local`] when it is this machine's shortage.
fn io_error(server: &str, e: std::io::Error) -> DnsError {
    if is_local_io_error(&e) {
        DnsError::Local(server.to_string(), e.to_string())
    } else {
        DnsError::Io(server.to_string(), e.to_string())
    }
}

impl DnsError {
    /// Whether the error is this machine's trouble (never the target's fault).
    pub fn is_local(&self) -> bool {
        matches!(self, DnsError::Local(..))
    }
}

/// An answer: the response code and the answer section (CNAME chain included).
#[derive(Debug, Clone)]
pub struct Answer {
    pub rcode: ResponseCode,
    pub records: Vec<Record>,
    pub authoritative: bool,
}

impl Answer {
    pub fn is_nxdomain(&self) -> bool {
        self.rcode == ResponseCode::NXDomain
    }

    /// The record data of one type in the answer.
    pub fn data_of(&self, rtype: RecordType) -> impl Iterator<Item = &RData> {
        self.records
            .iter()
            .filter(move |r| r.record_type() == rtype)
            .filter_map(|r| r.data())
    }

    pub fn of_type(&self, rtype: RecordType) -> impl Iterator<Item = &Record> {
        self.records
            .iter()
            .filter(move |r| r.record_type() == rtype)
    }

    pub fn ips(&self) -> Vec<IpAddr> {
        self.records
            .iter()
            .filter_map(|r| match r.data() {
                Some(RData::A(a)) => Some(IpAddr::V4(a.0)),
                Some(RData::AAAA(a)) => Some(IpAddr::V6(a.0)),
                _ => None,
            })
            .collect()
    }

    /// The CNAME target the queried name points to, if the answer starts with one.
    pub fn cname_target(&self) -> Option<&Name> {
        self.records.iter().find_map(|r| match r.data() {
            Some(RData::CNAME(c)) => Some(&c.0),
            _ => None,
        })
    }
}

pub type Outcome = Result<Arc<Answer>, DnsError>;

/// One cache entry: filled once, awaited by every concurrent asker.
type Slot = Arc<OnceCell<Outcome>>;

/// Where answers come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The resolvers of /etc/resolv.conf.
    System,
    /// One recursive resolver.
    Server(SocketAddr),
    /// Only this zone data, no network.
    Zone(Arc<ZoneData>),
    /// This zone data; names outside it go to these resolvers, if a sanity query (the root's
    /// NS) shows they work — the usual pre-cutover case: a new zone whose CNAME targets are
    /// live. When none works, such names stay `DnsError::NotInZone`. `--zone` uses this with
    /// the system's resolvers.
    ZoneOr(Arc<ZoneData>, Vec<SocketAddr>),
}

enum Backend {
    Servers(Vec<SocketAddr>),
    /// Zone data, and resolvers for names outside it (empty: none).
    Zone(Arc<ZoneData>, Vec<SocketAddr>),
}

/// Counters for one run.
#[derive(Debug, Default)]
pub struct Stats {
    /// Lookups asked for (cache hits included).
    pub lookups: AtomicU64,
    /// Queries actually sent (or answered from the zone data).
    pub queries: AtomicU64,
}

pub struct Resolver {
    backend: Backend,
    /// Keyed by name, type and whether the DO bit was set (DNSSEC records wanted).
    cache: Mutex<HashMap<(Name, RecordType, bool), Slot>>,
    pub stats: Stats,
    attempt_timeout: Duration,
    /// Zone mode: whether the resolvers for names outside the zone answered the sanity query.
    fallback_live: OnceCell<bool>,
}

/// A `--dns-server` value that is not `IP[:PORT]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--dns-server {input:?}: expected IP or IP:PORT (e.g. 127.0.0.1:5353)")]
pub struct ServerAddrError {
    pub input: String,
}

/// Parses `IP[:PORT]` or `[IPv6]:PORT`; the port defaults to 53.
pub fn parse_server(s: &str) -> Result<SocketAddr, ServerAddrError> {
    if let Ok(sa) = SocketAddr::from_str(s) {
        return Ok(sa);
    }
    if let Ok(ip) = IpAddr::from_str(s.trim_start_matches('[').trim_end_matches(']')) {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(ServerAddrError {
        input: s.to_string(),
    })
}

/// The nameservers of /etc/resolv.conf.
pub fn system_servers() -> Vec<SocketAddr> {
    let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("nameserver"), Some(ip)) => IpAddr::from_str(ip.split('%').next()?)
                    .ok()
                    .map(|ip| SocketAddr::new(ip, 53)),
                _ => None,
            }
        })
        .collect()
}

/// Turns user text into an absolute DNS name.
pub fn name(s: &str) -> Result<Name, DnsError> {
    let mut n = Name::from_ascii(s).map_err(|_| DnsError::BadName(s.to_string()))?;
    n.set_fqdn(true);
    Ok(n)
}

impl Resolver {
    pub fn new(source: Source, attempt_timeout: Duration) -> Resolver {
        let backend = match source {
            Source::System => Backend::Servers(system_servers()),
            Source::Server(sa) => Backend::Servers(vec![sa]),
            Source::Zone(z) => Backend::Zone(z, Vec::new()),
            Source::ZoneOr(z, fallback) => Backend::Zone(z, fallback),
        };
        Resolver {
            backend,
            cache: Mutex::new(HashMap::new()),
            stats: Stats::default(),
            attempt_timeout,
            fallback_live: OnceCell::new(),
        }
    }

    /// Describes where answers come from, for notes and logs.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Servers(s) if s.is_empty() => "no resolver (empty /etc/resolv.conf)".into(),
            Backend::Servers(s) => s
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Backend::Zone(z, fallback) => {
                let mut text = match z.uninterpreted_note() {
                    Some(note) => format!("the zone file ({} records; {note})", z.len()),
                    None => format!("the zone file ({} records)", z.len()),
                };
                match (self.fallback_live.get(), fallback.as_slice()) {
                    (Some(true), [one]) => {
                        text.push_str(&format!("; names outside it: the resolver {one}"))
                    }
                    (Some(true), _) => text.push_str("; names outside it: the system resolver"),
                    (Some(false), _) => text.push_str("; names outside it: no working resolver"),
                    (None, _) => {}
                }
                text
            }
        }
    }

    /// The port nameservers are asked on when queried directly: 53, or the `--dns-server`
    /// port (so a lab or the sandbox can host several nameservers on one port).
    pub fn nameserver_port(&self) -> u16 {
        match &self.backend {
            Backend::Servers(s) if s.len() == 1 => s[0].port(),
            _ => 53,
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self.backend, Backend::Zone(..))
    }

    /// One cached lookup.
    pub async fn lookup(&self, qname: &Name, rtype: RecordType) -> Outcome {
        self.lookup_with(qname, rtype, false).await
    }

    /// One cached lookup with the EDNS DO bit set (RFC 3225), so that a DNSSEC-aware server
    /// adds the RRSIGs over the answer: for the DNSSEC checks (DS, DNSKEY and signed apex
    /// sets). Same timeouts and size cap as every lookup; the answer keeps the RRSIGs.
    pub async fn lookup_dnssec(&self, qname: &Name, rtype: RecordType) -> Outcome {
        self.lookup_with(qname, rtype, true).await
    }

    async fn lookup_with(&self, qname: &Name, rtype: RecordType, dnssec_ok: bool) -> Outcome {
        self.stats.lookups.fetch_add(1, Ordering::Relaxed);
        let mut key_name = qname.to_lowercase();
        key_name.set_fqdn(true);
        let cell = {
            let mut cache = match self.cache.lock() {
                Ok(c) => c,
                Err(poisoned) => poisoned.into_inner(),
            };
            cache
                .entry((key_name.clone(), rtype, dnssec_ok))
                .or_insert_with(|| Arc::new(OnceCell::new()))
                .clone()
        };
        cell.get_or_init(|| self.fetch(key_name, rtype, dnssec_ok))
            .await
            .clone()
    }

    /// Verifies that this resolver can see public names before anything is blamed on the
    /// target: the root zone's NS set must be answerable. A resolver that says NXDOMAIN for
    /// the root (captive portals, resolvers without egress), SERVFAILs it, or does not answer
    /// at all leaves the auditor blind. REFUSED passes: an authoritative server given with
    /// `--dns-server` serves its own zones and refuses the root, and that is a supported use.
    /// Offline (`--zone`) audits need no resolver.
    pub async fn sanity(&self) -> Result<(), DnsError> {
        if self.is_offline() {
            return Ok(());
        }
        match self.lookup(&Name::root(), RecordType::NS).await {
            Ok(a) if a.is_nxdomain() => {
                Err(DnsError::Failure(self.describe(), ResponseCode::NXDomain))
            }
            Ok(_) => Ok(()),
            Err(DnsError::Failure(_, ResponseCode::Refused)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A lookup by text name.
    pub async fn lookup_str(&self, qname: &str, rtype: RecordType) -> Outcome {
        self.lookup(&name(qname)?, rtype).await
    }

    async fn fetch(&self, qname: Name, rtype: RecordType, dnssec_ok: bool) -> Outcome {
        self.stats.queries.fetch_add(1, Ordering::Relaxed);
        let at = crate::log::since_start();
        let answer = self.ask_backend(&qname, rtype, dnssec_ok).await;
        crate::debug!(
            "dns: {qname} {rtype} {} in {:.0} ms (asked at +{at:.0} ms)",
            match &answer {
                Ok(a) => format!("{:?}", a.rcode),
                Err(e) => e.to_string(),
            },
            crate::log::since_start() - at
        );
        answer
    }

    /// One query to the zone data or the servers, uncached.
    async fn ask_backend(&self, qname: &Name, rtype: RecordType, dnssec_ok: bool) -> Outcome {
        let qname = qname.clone();
        match &self.backend {
            Backend::Zone(zone, fallback) => match zone.lookup(&qname, rtype) {
                Some(a) => Ok(Arc::new(Answer {
                    rcode: a.rcode,
                    records: a.answers,
                    authoritative: true,
                })),
                None if self.fallback_works(fallback).await => {
                    crate::debug!("dns: {qname} is outside the zone file: asking {fallback:?}");
                    self.ask_servers(fallback, &qname, rtype, dnssec_ok).await
                }
                None => Err(DnsError::NotInZone(qname.to_string())),
            },
            Backend::Servers(servers) => self.ask_servers(servers, &qname, rtype, dnssec_ok).await,
        }
    }

    /// `--zone` mode: every record of the zone file owned by `owner` (RRSIGs included), for
    /// judging the zone's own signatures. `None` outside zone mode.
    pub fn zone_records(&self, owner: &Name) -> Option<Vec<Record>> {
        let Backend::Zone(zone, _) = &self.backend else {
            return None;
        };
        let mut key = owner.to_lowercase();
        key.set_fqdn(true);
        Some(
            zone.records()
                .filter(|r| {
                    let mut n = r.name().to_lowercase();
                    n.set_fqdn(true);
                    n == key
                })
                .cloned()
                .collect(),
        )
    }

    /// What the live DNS (the parent zone) says, bypassing the zone file: for the DS of a
    /// zone, which lives in its parent. Outside zone mode, an ordinary DO-bit lookup. In zone
    /// mode, asks the resolvers for names outside the zone when they work, and fails with the
    /// reason when none does.
    pub async fn lookup_live(&self, qname: &Name, rtype: RecordType) -> Outcome {
        match &self.backend {
            Backend::Servers(_) => self.lookup_dnssec(qname, rtype).await,
            Backend::Zone(_, fallback) => {
                if !self.fallback_works(fallback).await {
                    let servers = if fallback.is_empty() {
                        "none is configured".to_string()
                    } else {
                        let list: Vec<String> = fallback.iter().map(|s| s.to_string()).collect();
                        format!("{} did not answer the root's NS", list.join(", "))
                    };
                    return Err(DnsError::Io(
                        "the live DNS".into(),
                        format!("no working resolver next to the zone file ({servers})"),
                    ));
                }
                self.stats.lookups.fetch_add(1, Ordering::Relaxed);
                self.stats.queries.fetch_add(1, Ordering::Relaxed);
                self.ask_servers(fallback, qname, rtype, true).await
            }
        }
    }

    /// Zone mode: whether the resolvers for names outside the zone work (asked once per run:
    /// the root's NS must come back NOERROR from one of them).
    async fn fallback_works(&self, servers: &[SocketAddr]) -> bool {
        if servers.is_empty() {
            return false;
        }
        *self
            .fallback_live
            .get_or_init(|| async {
                self.stats.queries.fetch_add(1, Ordering::Relaxed);
                for server in servers {
                    let root = Name::root();
                    if let Ok(msg) =
                        exchange(*server, &root, RecordType::NS, true, self.attempt_timeout).await
                    {
                        if msg.response_code() == ResponseCode::NoError {
                            return true;
                        }
                    }
                }
                false
            })
            .await
    }

    async fn ask_servers(
        &self,
        servers: &[SocketAddr],
        qname: &Name,
        rtype: RecordType,
        dnssec_ok: bool,
    ) -> Outcome {
        let Some(first) = servers.first() else {
            return Err(DnsError::Io(
                "system resolver".into(),
                "no nameserver in /etc/resolv.conf".into(),
            ));
        };
        let mut last = DnsError::Timeout(first.to_string());
        for server in servers {
            match exchange_with(*server, qname, rtype, true, dnssec_ok, self.attempt_timeout).await
            {
                Ok(msg) => {
                    let rcode = msg.response_code();
                    if rcode == ResponseCode::NoError || rcode == ResponseCode::NXDomain {
                        return Ok(Arc::new(Answer {
                            rcode,
                            authoritative: msg.authoritative(),
                            records: msg.answers().to_vec(),
                        }));
                    }
                    last = DnsError::Failure(server.to_string(), rcode);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Asks one server directly, without recursion and without the cache (lame-delegation
    /// checks). Counted like every other query.
    pub async fn query_direct(
        &self,
        server: SocketAddr,
        qname: &Name,
        rtype: RecordType,
    ) -> Result<Message, DnsError> {
        self.stats.lookups.fetch_add(1, Ordering::Relaxed);
        self.stats.queries.fetch_add(1, Ordering::Relaxed);
        exchange(server, qname, rtype, false, self.attempt_timeout).await
    }

    /// Every IPv4 and IPv6 address of a host, following CNAME chains (8 hops at most).
    /// An empty list means the name does not resolve.
    pub async fn addrs(&self, host: &str) -> Result<Vec<IpAddr>, DnsError> {
        let mut current = name(host)?;
        for _ in 0..8 {
            let (a, aaaa) = tokio::join!(
                self.lookup(&current, RecordType::A),
                self.lookup(&current, RecordType::AAAA)
            );
            let mut ips = Vec::new();
            let mut target = None;
            let mut first_err = None;
            for outcome in [a, aaaa] {
                match outcome {
                    Ok(ans) => {
                        ips.extend(ans.ips());
                        if target.is_none() {
                            target = last_cname_target(&ans);
                        }
                    }
                    Err(e) => first_err = first_err.or(Some(e)),
                }
            }
            if !ips.is_empty() {
                return Ok(ips);
            }
            if let Some(e) = first_err {
                return Err(e);
            }
            match target {
                Some(t) if t != current => current = t,
                _ => return Ok(Vec::new()),
            }
        }
        Ok(Vec::new())
    }
}

/// The end of the CNAME chain in an answer, when the chain doesn't end in an address.
fn last_cname_target(ans: &Answer) -> Option<Name> {
    let mut target = ans.cname_target()?.clone();
    for _ in 0..8 {
        let next = ans.records.iter().find_map(|r| match r.data() {
            Some(RData::CNAME(c)) if r.name() == &target => Some(c.0.clone()),
            _ => None,
        });
        match next {
            Some(n) if n != target => target = n,
            _ => break,
        }
    }
    Some(target)
}

/// One query/response exchange with a server: two UDP attempts, then TCP if truncated.
pub async fn exchange(
    server: SocketAddr,
    qname: &Name,
    rtype: RecordType,
    recursion: bool,
    attempt_timeout: Duration,
) -> Result<Message, DnsError> {
    exchange_with(server, qname, rtype, recursion, false, attempt_timeout).await
}

/// [`exchange`], with the EDNS DO bit set when `dnssec_ok` (RRSIGs wanted in the answer).
pub async fn exchange_with(
    server: SocketAddr,
    qname: &Name,
    rtype: RecordType,
    recursion: bool,
    dnssec_ok: bool,
    attempt_timeout: Duration,
) -> Result<Message, DnsError> {
    let id: u16 = rand_id();
    let mut msg = Message::new();
    msg.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(recursion)
        .add_query(Query::query(qname.clone(), rtype));
    let mut edns = Edns::new();
    edns.set_max_payload(1232);
    edns.set_dnssec_ok(dnssec_ok);
    msg.set_edns(edns);
    let wire = msg
        .to_vec()
        .map_err(|e| DnsError::Malformed(server.to_string(), e.to_string()))?;
    let s = server.to_string();
    let bind: SocketAddr = if server.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let sock = UdpSocket::bind(bind).await.map_err(|e| io_error(&s, e))?;
    sock.connect(server).await.map_err(|e| io_error(&s, e))?;
    let mut buf = vec![0u8; 4096];
    // A datagram that does not parse may be an off-path attacker's or a broken middlebox's:
    // like spoofing-resistant resolvers, keep waiting for the real answer, and only say
    // "malformed" when nothing else came.
    let mut malformed: Option<String> = None;
    for _attempt in 0..2 {
        sock.send(&wire).await.map_err(|e| io_error(&s, e))?;
        let deadline = tokio::time::Instant::now() + attempt_timeout;
        loop {
            let n = match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
                Err(_) => break,
                Ok(Err(e)) => return Err(io_error(&s, e)),
                Ok(Ok(n)) => n,
            };
            let reply = match judge_reply(&buf[..n], id, qname) {
                Reply::Ours(m) => m,
                Reply::Malformed(e) => {
                    malformed.get_or_insert(e);
                    continue;
                }
                Reply::Stray => continue, // a stray or spoofed datagram: keep waiting for ours
            };
            if reply.truncated() {
                return exchange_tcp(server, &wire, attempt_timeout * 2).await;
            }
            return Ok(reply);
        }
    }
    Err(match malformed {
        Some(e) => DnsError::Malformed(s, e),
        None => DnsError::Timeout(s),
    })
}

/// What a datagram received while waiting for an answer is.
#[derive(Debug)]
pub enum Reply {
    /// The answer to our question: same id, same name.
    Ours(Message),
    /// A DNS message, but not the answer to this query (stray, late or spoofed).
    Stray,
    /// Not a DNS message at all.
    Malformed(String),
}

/// Judges one datagram: never panics, whatever the bytes (fuzzed in `fuzz/`).
pub fn judge_reply(buf: &[u8], id: u16, qname: &Name) -> Reply {
    match Message::from_vec(buf) {
        Err(e) => Reply::Malformed(e.to_string()),
        Ok(m) if m.id() != id || m.queries().first().map(|q| q.name()) != Some(qname) => {
            Reply::Stray
        }
        Ok(m) => Reply::Ours(m),
    }
}

async fn exchange_tcp(
    server: SocketAddr,
    wire: &[u8],
    limit: Duration,
) -> Result<Message, DnsError> {
    let s = server.to_string();
    let io = |e: std::io::Error| io_error(&s, e);
    let work = async {
        let mut stream = TcpStream::connect(server).await.map_err(io)?;
        let len = u16::try_from(wire.len())
            .map_err(|_| DnsError::Malformed(server.to_string(), "query too long".into()))?;
        let mut framed = len.to_be_bytes().to_vec();
        framed.extend_from_slice(wire);
        stream.write_all(&framed).await.map_err(io)?;
        let n = stream.read_u16().await.map_err(io)? as usize;
        let mut body = vec![0u8; n];
        stream.read_exact(&mut body).await.map_err(io)?;
        Message::from_vec(&body).map_err(|e| DnsError::Malformed(server.to_string(), e.to_string()))
    };
    match timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => Err(DnsError::Timeout(server.to_string())),
    }
}

/// A query id that is hard to guess, without a random-number crate: the standard library's
/// randomly keyed hasher over a counter.
fn rand_id() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.finish() as u16
}

#[cfg(test)]
mod tests;
