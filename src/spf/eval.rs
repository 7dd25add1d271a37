//! `check_host()` (RFC 7208 §4): record lookup and selection, left-to-right evaluation of the
//! mechanisms (§5), `redirect` and `exp` (§6), the processing limits (§4.6.4) and the results
//! (§2.6), over the run's resolver.

use super::macros::{self, MacroEnv};
use super::record::{self, Directive, MacroString, Mechanism, Qualifier};
use super::{SpfResult, MAX_DNS_TERMS, MAX_MX_NAMES, MAX_PTR_NAMES, MAX_VOID_LOOKUPS};
use crate::net::dns::{Answer, DnsError, Resolver};
use hickory_proto::rr::{Name, RData, RecordType};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What `check_host()` concluded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub result: SpfResult,
    /// For `fail`: the `exp=` text if the domain published one, else a default. For the other
    /// results: why, in one sentence.
    pub explanation: String,
    /// The deciding term as written (`-all`, `include:_spf.example.com`, `redirect=…`), or
    /// empty when no term decided (none, and errors before evaluation).
    pub mechanism: String,
    /// Terms that caused DNS lookups (§4.6.4), across the whole evaluation.
    pub dns_lookups: u32,
    /// Lookups that returned NXDOMAIN or no answer (§4.6.4).
    pub void_lookups: u32,
}

/// Why evaluation stopped early.
enum Stop {
    Temp(String),
    Perm(String),
}

/// One evaluation of one record.
struct Eval {
    result: SpfResult,
    mechanism: String,
    /// For fail: the explanation text, when `exp` gave one.
    explanation: Option<String>,
    detail: String,
}

impl Eval {
    fn stop(stop: Stop, mechanism: &str) -> Eval {
        let (result, detail) = match stop {
            Stop::Temp(d) => (SpfResult::TempError, d),
            Stop::Perm(d) => (SpfResult::PermError, d),
        };
        Eval {
            result,
            mechanism: mechanism.to_string(),
            explanation: None,
            detail,
        }
    }

    fn simple(result: SpfResult, detail: impl Into<String>) -> Eval {
        Eval {
            result,
            mechanism: String::new(),
            explanation: None,
            detail: detail.into(),
        }
    }
}

/// The inputs of check_host() and the counters of one evaluation.
struct Checker<'r> {
    resolver: &'r Resolver,
    ip: IpAddr,
    sender: String,
    local: String,
    sender_domain: String,
    helo: String,
    lookups: AtomicU32,
    voids: AtomicU32,
}

/// §4.3: a domain check_host() can work with: labels of 1–63 octets (a trailing dot allowed),
/// at least two labels, at most 253 octets.
pub fn valid_domain(d: &str) -> bool {
    let d = d.strip_suffix('.').unwrap_or(d);
    let labels: Vec<&str> = d.split('.').collect();
    !d.is_empty()
        && d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.len() <= 63)
}

/// A query name from text, built from raw labels (SPF names may hold `%`, spaces, `:`, `/`).
pub fn query_name(d: &str) -> Option<Name> {
    let d = d.strip_suffix('.').unwrap_or(d);
    if d.is_empty() || d.len() > 253 {
        return None;
    }
    let labels: Vec<&[u8]> = d.split('.').map(str::as_bytes).collect();
    if labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return None;
    }
    let mut n = Name::from_labels(labels).ok()?;
    n.set_fqdn(true);
    Some(n)
}

/// The result of one lookup, as SPF sees it.
pub enum Lookup {
    /// NXDOMAIN, or a name outside the zone file, or a name no query can be built for.
    NoSuchName,
    Answer(Arc<Answer>),
}

/// A lookup that got no answer (§4.4: a temporary error for SPF).
#[derive(Debug, Clone, thiserror::Error)]
#[error("DNS error for {name} {rtype}: {source}")]
pub struct LookupError {
    pub name: String,
    pub rtype: RecordType,
    pub source: DnsError,
}

impl From<LookupError> for String {
    fn from(e: LookupError) -> String {
        e.to_string()
    }
}

/// §4.4 and §5: RCODE 0 and 3 are answers; anything else (and a timeout) is a DNS error.
pub async fn lookup(
    resolver: &Resolver,
    name: &str,
    rtype: RecordType,
) -> Result<Lookup, LookupError> {
    let Some(qname) = query_name(name) else {
        return Ok(Lookup::NoSuchName);
    };
    match resolver.lookup(&qname, rtype).await {
        Ok(a) if a.is_nxdomain() => Ok(Lookup::NoSuchName),
        Ok(a) => Ok(Lookup::Answer(a)),
        Err(DnsError::NotInZone(_) | DnsError::BadName(_)) => Ok(Lookup::NoSuchName),
        Err(source) => Err(LookupError {
            name: name.to_string(),
            rtype,
            source,
        }),
    }
}

/// The TXT records at a name, each as its character-strings joined without separators.
pub fn txt_records(answer: &Answer) -> Vec<Vec<u8>> {
    answer
        .data_of(RecordType::TXT)
        .filter_map(|d| match d {
            RData::TXT(t) => Some(
                t.txt_data()
                    .iter()
                    .flat_map(|s| s.iter().copied())
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// What record selection (§4.5) found at a domain.
pub enum Selected {
    None(String),
    One(Vec<u8>),
    Multiple(usize),
    Temp(String),
}

/// §4.4 and §4.5: the one `v=spf1` TXT record at a domain.
pub async fn select_record(resolver: &Resolver, domain: &str) -> Selected {
    match lookup(resolver, domain, RecordType::TXT).await {
        Err(e) => Selected::Temp(e.to_string()),
        Ok(Lookup::NoSuchName) => Selected::None(format!("{domain} does not exist (NXDOMAIN)")),
        Ok(Lookup::Answer(a)) => {
            let mut spf: Vec<Vec<u8>> = txt_records(&a)
                .into_iter()
                .filter(|t| record::is_spf_record(t))
                .collect();
            match spf.len() {
                0 => Selected::None(format!("{domain} has no v=spf1 TXT record")),
                1 => Selected::One(spf.remove(0)),
                n => Selected::Multiple(n),
            }
        }
    }
}

fn in_network(ip: IpAddr, net: IpAddr, v4: u8, v6: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if v4 == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(v4.min(32)))
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if v6 == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(v6.min(128)))
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// §5: an IPv4-mapped IPv6 address is an IPv4 address.
pub fn normalize_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// A name as text from its raw labels, lower-cased, without the trailing dot (no escaping:
/// SPF compares and re-queries these names, which may hold `:`, `/` or spaces).
pub fn name_text(n: &Name) -> String {
    n.iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join(".")
        .to_ascii_lowercase()
}

fn bare(d: &str) -> String {
    d.strip_suffix('.').unwrap_or(d).to_ascii_lowercase()
}

impl<'r> Checker<'r> {
    fn count_lookup(&self, term: &str) -> Result<(), Stop> {
        let n = self.lookups.fetch_add(1, Ordering::Relaxed) + 1;
        if n > MAX_DNS_TERMS {
            return Err(Stop::Perm(format!(
                "`{term}` is DNS-querying term number {n}: the limit is {MAX_DNS_TERMS} (RFC 7208 §4.6.4)"
            )));
        }
        Ok(())
    }

    fn count_void(&self, what: &str) -> Result<(), Stop> {
        let n = self.voids.fetch_add(1, Ordering::Relaxed) + 1;
        if n > MAX_VOID_LOOKUPS {
            return Err(Stop::Perm(format!(
                "{what} is void lookup number {n}: the limit is {MAX_VOID_LOOKUPS} (RFC 7208 §4.6.4)"
            )));
        }
        Ok(())
    }

    fn env<'a>(&'a self, domain: &'a str, validated: Option<&'a str>) -> MacroEnv<'a> {
        MacroEnv {
            sender: &self.sender,
            local: &self.local,
            sender_domain: &self.sender_domain,
            domain,
            ip: self.ip,
            helo: &self.helo,
            validated,
            receiver: "unknown",
            timestamp: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        }
    }

    /// Expands a macro-string in the context of `domain`, resolving `%{p}` when used.
    async fn expand(&self, ms: &MacroString, domain: &str) -> String {
        let validated = if ms.uses('p') {
            Some(self.p_value(domain).await)
        } else {
            None
        };
        macros::expand(ms, &self.env(domain, validated.as_deref()))
    }

    /// `%{p}` (§7.3): a validated name of the IP, preferring the domain or its subdomains.
    async fn p_value(&self, domain: &str) -> String {
        let names = self.validated_names(false).await.unwrap_or_default();
        let d = bare(domain);
        names
            .iter()
            .find(|n| **n == d)
            .or_else(|| names.iter().find(|n| n.ends_with(&format!(".{d}"))))
            .or_else(|| names.first())
            .cloned()
            .unwrap_or_else(|| "unknown".into())
    }

    /// §5.5: the PTR names of the IP (the first 10) whose own addresses include the IP.
    /// DNS errors make names (or the whole lookup) not match rather than fail the check.
    async fn validated_names(&self, count_void: bool) -> Result<Vec<String>, Stop> {
        let reverse = macros::reverse_name(self.ip);
        let names: Vec<String> = match lookup(self.resolver, &reverse, RecordType::PTR).await {
            Err(_) => return Ok(Vec::new()),
            Ok(Lookup::NoSuchName) => Vec::new(),
            Ok(Lookup::Answer(a)) => a
                .data_of(RecordType::PTR)
                .filter_map(|d| match d {
                    RData::PTR(p) => Some(name_text(&p.0)),
                    _ => None,
                })
                .collect(),
        };
        if names.is_empty() {
            if count_void {
                self.count_void(&format!("the PTR lookup of {reverse}"))?;
            }
            return Ok(Vec::new());
        }
        let mut validated = Vec::new();
        for name in names.into_iter().take(MAX_PTR_NAMES) {
            if let Ok(ips) = self.addresses(&name).await {
                if ips.contains(&self.ip) {
                    validated.push(name);
                }
            }
        }
        Ok(validated)
    }

    /// The addresses of a name of the connection's family (A for IPv4, AAAA for IPv6).
    async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        let rtype = if self.ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::AAAA
        };
        match lookup(self.resolver, name, rtype).await? {
            Lookup::NoSuchName => Ok(Vec::new()),
            Lookup::Answer(a) => Ok(a
                .ips()
                .into_iter()
                .filter(|ip| ip.is_ipv4() == self.ip.is_ipv4())
                .collect()),
        }
    }

    /// The target name of a mechanism: its domain-spec expanded, or the current domain.
    /// `None` when the expansion is not a name a query can be built for.
    async fn target(&self, spec: Option<&MacroString>, domain: &str) -> Option<String> {
        let name = match spec {
            Some(ms) => macros::target_name(&self.expand(ms, domain).await),
            None => bare(domain),
        };
        query_name(&name).map(|_| name)
    }

    /// §5: does one mechanism match?
    async fn matches(&self, d: &Directive, domain: &str, depth: u32) -> Result<bool, Stop> {
        if d.mechanism.queries_dns() {
            self.count_lookup(&d.text)?;
        }
        fn temp(e: impl ToString) -> Stop {
            Stop::Temp(e.to_string())
        }
        match &d.mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { net, len } => Ok(in_network(self.ip, IpAddr::V4(*net), *len, 0)),
            Mechanism::Ip6 { net, len } => Ok(in_network(self.ip, IpAddr::V6(*net), 0, *len)),
            Mechanism::Include(spec) => {
                let Some(target) = self.target(Some(spec), domain).await else {
                    return Err(Stop::Perm(format!(
                        "`{}` expands to a name that is not a valid domain",
                        d.text
                    )));
                };
                // §5.2: the included record is evaluated as a whole; its exp= is not used.
                let inner = self.check_host(target.clone(), depth + 1, false).await;
                match inner.result {
                    SpfResult::Pass => Ok(true),
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    SpfResult::TempError => Err(Stop::Temp(inner.detail)),
                    SpfResult::PermError => Err(Stop::Perm(inner.detail)),
                    SpfResult::None => Err(Stop::Perm(format!(
                        "`{}`: {} (an include target without an SPF record is a permerror, §5.2)",
                        d.text, inner.detail
                    ))),
                }
            }
            Mechanism::A {
                domain: spec,
                v4,
                v6,
            } => {
                let Some(target) = self.target(spec.as_ref(), domain).await else {
                    return Ok(false);
                };
                let ips = self.addresses(&target).await.map_err(temp)?;
                if ips.is_empty() {
                    self.count_void(&format!("`{}` ({target})", d.text))?;
                }
                Ok(ips.iter().any(|ip| in_network(self.ip, *ip, *v4, *v6)))
            }
            Mechanism::Mx {
                domain: spec,
                v4,
                v6,
            } => {
                let Some(target) = self.target(spec.as_ref(), domain).await else {
                    return Ok(false);
                };
                let exchanges: Vec<String> = match lookup(self.resolver, &target, RecordType::MX)
                    .await
                    .map_err(temp)?
                {
                    Lookup::NoSuchName => Vec::new(),
                    Lookup::Answer(a) => a
                        .data_of(RecordType::MX)
                        .filter_map(|r| match r {
                            RData::MX(mx) => Some(name_text(mx.exchange())),
                            _ => None,
                        })
                        .collect(),
                };
                if exchanges.is_empty() {
                    self.count_void(&format!("`{}` ({target} MX)", d.text))?;
                    return Ok(false);
                }
                if exchanges.len() > MAX_MX_NAMES {
                    return Err(Stop::Perm(format!(
                        "`{}`: {target} has {} MX records; at most {MAX_MX_NAMES} may be looked up (RFC 7208 §4.6.4)",
                        d.text,
                        exchanges.len()
                    )));
                }
                for mx in exchanges.iter().filter(|m| !m.is_empty()) {
                    // RFC 7505: a null MX ("." target) has no addresses.
                    let ips = self.addresses(mx).await.map_err(temp)?;
                    if ips.iter().any(|ip| in_network(self.ip, *ip, *v4, *v6)) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr(spec) => {
                let Some(target) = self.target(spec.as_ref(), domain).await else {
                    return Ok(false);
                };
                let validated = self.validated_names(true).await?;
                Ok(validated.iter().any(|n| {
                    *n == target.to_ascii_lowercase()
                        || n.ends_with(&format!(".{}", target.to_ascii_lowercase()))
                }))
            }
            Mechanism::Exists(spec) => {
                let Some(target) = self.target(Some(spec), domain).await else {
                    return Ok(false);
                };
                // §5.7: always an A lookup, whatever the connection's family.
                let found = match lookup(self.resolver, &target, RecordType::A)
                    .await
                    .map_err(temp)?
                {
                    Lookup::NoSuchName => false,
                    Lookup::Answer(a) => a.data_of(RecordType::A).next().is_some(),
                };
                if !found {
                    self.count_void(&format!("`{}` ({target})", d.text))?;
                }
                Ok(found)
            }
        }
    }

    /// §6.2: the explanation text, or `None` (then a default is used) when anything about it
    /// is wrong: a bad name, a DNS error, zero or several TXT records, a syntax error, non-ASCII.
    /// These lookups do not count toward the limits.
    async fn explanation(&self, exp: &MacroString, domain: &str) -> Option<String> {
        let name = macros::target_name(&self.expand(exp, domain).await);
        let Ok(Lookup::Answer(a)) = lookup(self.resolver, &name, RecordType::TXT).await else {
            return None;
        };
        let mut records = txt_records(&a);
        if records.len() != 1 {
            return None;
        }
        let text = String::from_utf8(records.remove(0)).ok()?;
        if !text.is_ascii() {
            return None;
        }
        let ms = record::parse_macro_string(&text, true, true).ok()?;
        Some(self.expand(&ms, domain).await)
    }

    /// check_host(<ip>, <domain>, <sender>) for one domain (§4).
    fn check_host(&self, domain: String, depth: u32, want_exp: bool) -> BoxFuture<'_, Eval> {
        Box::pin(async move {
            // §4.3: a malformed domain, or one that does not exist, gives none.
            if !valid_domain(&domain) {
                return Eval::simple(
                    SpfResult::None,
                    format!("{domain:?} is not a valid multi-label domain name"),
                );
            }
            let text = match select_record(self.resolver, &domain).await {
                Selected::Temp(e) => return Eval::simple(SpfResult::TempError, e),
                Selected::None(why) => return Eval::simple(SpfResult::None, why),
                Selected::Multiple(n) => {
                    return Eval::simple(
                        SpfResult::PermError,
                        format!(
                            "{domain} has {n} SPF records; exactly one is allowed (RFC 7208 §4.5)"
                        ),
                    )
                }
                Selected::One(t) => t,
            };
            let rec = match record::parse(&text) {
                Ok(r) => r,
                Err(e) => {
                    return Eval::simple(
                        SpfResult::PermError,
                        format!("syntax error in the SPF record of {domain}: {e}"),
                    )
                }
            };
            for d in &rec.directives {
                match self.matches(d, &domain, depth).await {
                    Err(stop) => return Eval::stop(stop, &d.text),
                    Ok(false) => {}
                    Ok(true) => {
                        let result = match d.qualifier {
                            Qualifier::Pass => SpfResult::Pass,
                            Qualifier::Fail => SpfResult::Fail,
                            Qualifier::SoftFail => SpfResult::SoftFail,
                            Qualifier::Neutral => SpfResult::Neutral,
                        };
                        let explanation = match (&rec.exp, result, want_exp) {
                            (Some(exp), SpfResult::Fail, true) => {
                                self.explanation(exp, &domain).await
                            }
                            _ => None,
                        };
                        return Eval {
                            result,
                            mechanism: d.text.clone(),
                            explanation,
                            detail: format!("`{}` in the record of {domain} matched", d.text),
                        };
                    }
                }
            }
            // §6.1: redirect applies only when no mechanism matched (and `all` always does).
            if let Some((spec, text)) = &rec.redirect {
                if let Err(stop) = self.count_lookup(text) {
                    return Eval::stop(stop, text);
                }
                let target = macros::target_name(&self.expand(spec, &domain).await);
                if !valid_domain(&target) || query_name(&target).is_none() {
                    return Eval::stop(
                        Stop::Perm(format!(
                            "`{text}` expands to {target:?}, not a valid domain"
                        )),
                        text,
                    );
                }
                let inner = self.check_host(target.clone(), depth + 1, want_exp).await;
                if inner.result == SpfResult::None {
                    return Eval::stop(
                        Stop::Perm(format!(
                            "`{text}`: {} (a redirect target without an SPF record is a permerror, §6.1)",
                            inner.detail
                        )),
                        text,
                    );
                }
                return inner;
            }
            // §4.7: no match and no redirect.
            Eval::simple(
                SpfResult::Neutral,
                format!("no mechanism in the record of {domain} matched (default result, §4.7)"),
            )
        })
    }
}

/// Splits the sender as §4.3 says: the local-part before the last `@` (default `postmaster`),
/// and the domain after it. An empty sender is `postmaster@<helo>` (§2.4).
pub fn split_sender(sender: &str, helo: &str) -> (String, String, String) {
    let sender = if sender.is_empty() {
        format!("postmaster@{helo}")
    } else {
        sender.to_string()
    };
    let (local, domain) = match sender.rsplit_once('@') {
        Some((l, d)) => (l.to_string(), d.to_string()),
        None => (String::new(), sender.clone()),
    };
    let local = if local.is_empty() {
        "postmaster".to_string()
    } else {
        local
    };
    (format!("{local}@{domain}"), local, domain)
}

/// RFC 7208 check_host() for a connection from `ip`, the MAIL FROM `sender` (empty: the HELO
/// identity) and the HELO name `helo`.
pub async fn check_host(resolver: &Resolver, ip: IpAddr, sender: &str, helo: &str) -> Outcome {
    let (sender, local, sender_domain) = split_sender(sender, helo);
    let checker = Checker {
        resolver,
        ip: normalize_ip(ip),
        sender,
        local,
        sender_domain: sender_domain.clone(),
        helo: helo.to_string(),
        lookups: AtomicU32::new(0),
        voids: AtomicU32::new(0),
    };
    let eval = checker.check_host(sender_domain.clone(), 0, true).await;
    let explanation = match eval.result {
        SpfResult::Fail => eval.explanation.unwrap_or_else(|| {
            format!(
                "{} is not allowed to send mail as {}: {}",
                checker.ip, sender_domain, eval.detail
            )
        }),
        _ => eval.detail,
    };
    Outcome {
        result: eval.result,
        explanation,
        mechanism: eval.mechanism,
        dns_lookups: checker.lookups.load(Ordering::Relaxed),
        void_lookups: checker.voids.load(Ordering::Relaxed),
    }
}
