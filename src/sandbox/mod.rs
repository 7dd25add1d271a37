//! The built-in loopback sandbox: a real DNS server, real HTTP and HTTPS servers with a CA made
//! at start, serving one named scenario. `launchready demo` and the tests both use it, and reach
//! it only through the flags a user has: `--dns-server`, `--connect-to`, `--ca-file`.
//!
//! Addresses: the DNS server answers on 127.0.0.1:P, which is also the first nameserver of
//! every scenario zone. 127.0.0.3:P is a second authoritative server, 127.0.0.2:P a lame one
//! (REFUSED) and 127.0.0.4:P a dead one (never answers), so a zone picks its nameservers'
//! behaviour by their addresses. The audit asks nameservers directly on the `--dns-server`
//! port. Web servers listen on 127.0.0.1 on their own ports, reached through `--connect-to`.

mod background;
pub mod dns_server;
pub mod dnssec;
mod error;
pub mod nodes;
pub mod pki;
pub mod scenario;
pub mod smtp;
pub mod tls;
pub mod web;

use crate::net::zone::ZoneData;
use crate::net::zonefile;
pub use background::Background;
use dns_server::{Behaviour, Faults};
pub use error::SandboxError;
use hickory_proto::rr::Name;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Where a running sandbox is and what it serves: plain data, handy to pass around.
#[derive(Debug, Clone)]
pub struct SandboxInfo {
    pub scenario: &'static str,
    pub description: String,
    pub domain: String,
    /// More domains served as exact copies of `domain` (DNS, certificate, site), for
    /// multi-target runs: `example-1.test`, `example-2.test`, … Empty unless asked for.
    pub aliases: Vec<String>,
    pub subdomains: Vec<String>,
    /// The check ids the scenario must trigger.
    pub expect: Vec<String>,
    /// The check ids the scenario leaves not checked.
    pub expect_not_checked: Vec<String>,
    /// The verdict at the default `--fail-on`, when the scenario names one.
    pub expect_verdict: Option<String>,
    /// Extra `audit` flags of the scenario.
    pub args: Vec<String>,
    pub dns: SocketAddr,
    pub http: SocketAddr,
    pub https: SocketAddr,
    /// The mail server, reached as port 25 of every MX host.
    pub smtp: SocketAddr,
    /// `--connect-to` rules for single addresses of the zone (dead or stale nodes), given
    /// before the catch-all rules so that they win.
    pub node_rules: Vec<String>,
    pub ca_file: PathBuf,
    /// What the web servers saw (connections, load requests).
    pub counters: Arc<web::Counters>,
    /// `host path` of every request the web servers answered (capped), for tests.
    pub requests: Arc<std::sync::Mutex<Vec<String>>>,
}

impl SandboxInfo {
    /// The `audit` arguments that reach this sandbox, domain first.
    pub fn audit_args(&self) -> Vec<String> {
        let mut args = vec![
            self.domain.clone(),
            "--dns-server".into(),
            self.dns.to_string(),
        ];
        for rule in &self.node_rules {
            args.push("--connect-to".into());
            args.push(rule.clone());
        }
        args.extend([
            "--connect-to".into(),
            format!(":80:{}:{}", self.http.ip(), self.http.port()),
            "--connect-to".into(),
            format!(":443:{}:{}", self.https.ip(), self.https.port()),
            "--connect-to".into(),
            format!(":25:{}:{}", self.smtp.ip(), self.smtp.port()),
            "--ca-file".into(),
            self.ca_file.display().to_string(),
        ]);
        for s in &self.subdomains {
            args.push("--subdomain".into());
            args.push(s.clone());
        }
        args.extend(self.args.iter().cloned());
        args
    }
}

/// A running sandbox. Dropping it stops the servers and removes its files.
pub struct Sandbox {
    pub info: SandboxInfo,
    dir: PathBuf,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        unregister(&self.dir);
    }
}

/// A fresh directory only this user can enter, under an unguessable name: another local user
/// cannot pre-create it, plant a CA file in it or read ours. `create_dir` (not `_all`) fails
/// when the name exists, so a planted directory or link is never reused.
fn private_dir() -> Result<PathBuf, SandboxError> {
    use std::hash::{BuildHasher, Hasher};
    let mut last = String::new();
    for _ in 0..16 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let dir = std::env::temp_dir().join(format!("launchready-sandbox-{:016x}", h.finish()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&dir) {
            Ok(()) => {
                register_for_cleanup(&dir);
                return Ok(dir);
            }
            Err(e) => last = format!("{}: {e}", dir.display()),
        }
    }
    Err(SandboxError::PrivateDir(last))
}

/// Sandbox directories still in use, removed by [`cleanup_on_signal`] when the process is
/// told to stop (Ctrl-C, SIGTERM, SIGHUP) before the sandbox is dropped.
static LIVE_DIRS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn register_for_cleanup(dir: &std::path::Path) {
    if let Ok(mut dirs) = LIVE_DIRS.lock() {
        dirs.push(dir.to_path_buf());
    }
}

fn unregister(dir: &std::path::Path) {
    if let Ok(mut dirs) = LIVE_DIRS.lock() {
        dirs.retain(|d| d != dir);
    }
}

/// Removes every live sandbox directory. Called on a stop signal, just before exiting.
pub fn remove_live_dirs() {
    let dirs = match LIVE_DIRS.lock() {
        Ok(mut d) => std::mem::take(&mut *d),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    for d in dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Waits for Ctrl-C, SIGTERM or SIGHUP, removes the sandbox's files, and exits (130 for
/// Ctrl-C, 143 for SIGTERM, 129 for SIGHUP). Spawn it next to a running sandbox.
pub async fn cleanup_on_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            remove_live_dirs();
            std::process::exit(130);
        };
        let code = tokio::select! {
            _ = tokio::signal::ctrl_c() => 130,
            _ = term.recv() => 143,
            _ = hup.recv() => 129,
        };
        remove_live_dirs();
        std::process::exit(code);
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        remove_live_dirs();
        std::process::exit(130);
    }
}

/// A loopback port nothing listens on (free a moment ago): connections to it are refused.
fn closed_port() -> Result<u16, SandboxError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(SandboxError::io("sandbox"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(SandboxError::io("sandbox"))
}

fn loopback(last: u8, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)), port)
}

type Tasks = Vec<JoinHandle<()>>;

async fn start_dns(
    zone: Arc<ZoneData>,
    main: Behaviour,
    faults: Faults,
) -> Result<(SocketAddr, Tasks), SandboxError> {
    let faults = Arc::new(faults);
    let none = Arc::new(Faults::default());
    // The extra servers must share the main server's port; retry if that port is taken there.
    let mut last_err = String::new();
    for _ in 0..20 {
        // UDP port 0, then TCP on the same number, which may be taken: try another.
        let (addr, mut tasks) =
            match dns_server::serve(loopback(1, 0), zone.clone(), main, faults.clone()).await {
                Ok(bound) => bound,
                Err(e) => {
                    last_err = e.to_string();
                    continue;
                }
            };
        let mut ok = true;
        for (ip, behaviour) in [
            (3, Behaviour::Authoritative),
            (2, Behaviour::Refuse),
            (4, Behaviour::Swallow),
        ] {
            let serving = dns_server::serve(
                loopback(ip, addr.port()),
                zone.clone(),
                behaviour,
                none.clone(),
            );
            match serving.await {
                Ok((_, more)) => tasks.extend(more),
                Err(e) => {
                    last_err = e.to_string();
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Ok((addr, tasks));
        }
        for t in tasks {
            t.abort();
        }
    }
    Err(SandboxError::DnsBind(last_err))
}

impl Sandbox {
    /// Starts the named scenario on fresh loopback ports.
    pub async fn start(name: &str) -> Result<Sandbox, SandboxError> {
        Sandbox::start_with_aliases(name, 0).await
    }

    /// Starts the named scenario and serves it under `aliases` more domains too (see
    /// [`SandboxInfo::aliases`]): one DNS server, one certificate, one site for all.
    pub async fn start_with_aliases(name: &str, aliases: usize) -> Result<Sandbox, SandboxError> {
        let files =
            scenario::find(name).ok_or_else(|| SandboxError::UnknownScenario(name.to_string()))?;
        let sc = files.parse()?;
        let origin = crate::net::dns::name(&sc.domain)?;
        let label = PathBuf::from(format!("fixtures/scenarios/{}.zone", files.name));
        let records = zonefile::parse_zone_str(files.zone, &label, Some(&origin))?;
        let signing = dnssec::Signing::parse(&sc.dns.dnssec)?;
        let mut records = dnssec::sign(records, &origin, signing)?;
        let alias_names = alias_domains(&sc.domain, aliases);
        let mut sc = sc;
        for alias in &alias_names {
            let origin = crate::net::dns::name(alias)?;
            let text = files.zone.replace(&sc.domain, alias);
            let copy = zonefile::parse_zone_str(&text, &label, Some(&origin))?;
            records.extend(dnssec::sign(copy, &origin, signing)?);
            let copies: Vec<scenario::Route> = sc
                .web
                .routes
                .iter()
                .filter(|r| r.host.as_deref().is_some_and(|h| h.contains(&sc.domain)))
                .map(|r| scenario::Route {
                    host: r.host.as_ref().map(|h| h.replace(&sc.domain, alias)),
                    body: r.body.replace(&sc.domain, alias),
                    ..r.clone()
                })
                .collect();
            sc.web.routes.extend(copies);
        }
        let zone = Arc::new(ZoneData::new(records));
        let behaviour = match sc.dns.mode.as_str() {
            "swallow" => Behaviour::Swallow,
            "deny-all" => Behaviour::DenyAll,
            _ => Behaviour::Authoritative,
        };
        let mut faults = Faults::default();
        for entry in &sc.dns.servfail {
            let mut words = entry.split_whitespace();
            let owner = words.next().unwrap_or("@");
            let fqdn = if owner == "@" {
                format!("{}.", sc.domain)
            } else {
                format!("{owner}.{}.", sc.domain)
            };
            let bad = |e: &dyn std::fmt::Display| SandboxError::Setting {
                setting: "[dns] servfail",
                value: entry.clone(),
                expected: e.to_string(),
            };
            let name = Name::from_ascii(&fqdn).map_err(|e| bad(&e))?;
            let rtype = match words.next() {
                Some(t) => Some(
                    t.parse::<hickory_proto::rr::RecordType>()
                        .map_err(|e| bad(&e))?,
                ),
                None => None,
            };
            faults.servfail.push((name, rtype));
        }
        let (dns, mut tasks) = start_dns(zone, behaviour, faults).await?;

        let pki = tls::prepare_with(&sc.tls, &sc.domain, &alias_names).await?;
        tasks.extend(pki.tasks);
        let (smtp, mail) =
            smtp::serve(&sc.smtp, &sc.domain, &alias_names, pki.issuer.as_deref()).await?;
        tasks.extend(mail);
        let mut node_rules = Vec::new();
        for addr in &sc.tls.stale_nodes {
            let ip: IpAddr = addr.parse().map_err(|_| SandboxError::Setting {
                setting: "[tls] stale_nodes",
                value: addr.clone(),
                expected: "expected an IP address".into(),
            })?;
            let (stale, task) = nodes::serve_stale_node(&sc.domain, pki.issuer.as_deref()).await?;
            tasks.push(task);
            let host = match ip {
                IpAddr::V6(v6) => format!("[{v6}]"),
                IpAddr::V4(v4) => v4.to_string(),
            };
            node_rules.push(format!("{host}:443:127.0.0.1:{}", stale.port()));
        }
        for addr in &sc.dns.dead_addresses {
            let ip: IpAddr = addr.parse().map_err(|_| SandboxError::Setting {
                setting: "[dns] dead_addresses",
                value: addr.clone(),
                expected: "expected an IP address".into(),
            })?;
            let dead = closed_port()?;
            let host = match ip {
                IpAddr::V6(v6) => format!("[{v6}]"),
                IpAddr::V4(v4) => v4.to_string(),
            };
            for port in [80, 443] {
                node_rules.push(format!("{host}:{port}:127.0.0.1:{dead}"));
            }
        }
        for addr in &sc.web.plain_nodes {
            let ip: IpAddr = addr.parse().map_err(|_| SandboxError::Setting {
                setting: "[web] plain_nodes",
                value: addr.clone(),
                expected: "expected an IP address".into(),
            })?;
            let (plain, task) = nodes::serve_plain_node(&sc.domain).await?;
            tasks.push(task);
            let host = match ip {
                IpAddr::V6(v6) => format!("[{v6}]"),
                IpAddr::V4(v4) => v4.to_string(),
            };
            node_rules.push(format!("{host}:80:127.0.0.1:{}", plain.port()));
        }
        let mut site = web::Site::new(sc.web, sc.domain.clone());
        site.aliases = alias_names.clone();
        let web = Arc::new(site);
        let counters = web.counters.clone();
        let requests = web.log.clone();
        let (http, t1) = web::serve_http(web.clone())
            .await
            .map_err(SandboxError::io("sandbox HTTP"))?;
        let (https, t2) = web::serve_https(web, pki.config)
            .await
            .map_err(SandboxError::io("sandbox HTTPS"))?;
        tasks.extend([t1, t2]);
        // Legacy TLS, weak suites and hostile ports are answered in front of rustls.
        let (https, front) = tls::front(&sc.tls, https).await?;
        tasks.extend(front);

        let dir = private_dir()?;
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, &pki.ca_pem).map_err(SandboxError::io("sandbox CA file"))?;
        Ok(Sandbox {
            info: SandboxInfo {
                scenario: files.name,
                description: sc.description,
                domain: sc.domain,
                aliases: alias_names,
                subdomains: sc.subdomains,
                expect: sc.expect,
                expect_not_checked: sc.expect_not_checked,
                expect_verdict: sc.expect_verdict,
                args: sc.args,
                dns,
                http,
                https,
                smtp,
                node_rules,
                ca_file,
                counters,
                requests,
            },
            dir,
            tasks,
        })
    }
}

/// `n` more names for `domain`: `example.test` gives `example-1.test` … `example-n.test`.
pub fn alias_domains(domain: &str, n: usize) -> Vec<String> {
    let (label, rest) = domain.split_once('.').unwrap_or((domain, "test"));
    (1..=n).map(|i| format!("{label}-{i}.{rest}")).collect()
}
