//! Scenarios are data: `fixtures/scenarios/NAME.toml` (what the site does) and
//! `fixtures/scenarios/NAME.zone` (its DNS, an ordinary zone file that `--zone` also reads).
//! They are compiled into the binary so that `launchready demo` works from any directory.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub description: String,
    pub domain: String,
    /// Passed as `--subdomain` by the demo and the tests.
    #[serde(default)]
    pub subdomains: Vec<String>,
    /// The check ids this scenario must trigger (the tests hold it to that).
    #[serde(default)]
    pub expect: Vec<String>,
    #[serde(default)]
    pub dns: Dns,
    #[serde(default)]
    pub web: Web,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// `authoritative` (default) or `swallow` (the server never answers).
    #[serde(default = "authoritative")]
    pub mode: String,
}

fn authoritative() -> String {
    "authoritative".into()
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            mode: authoritative(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Web {
    /// Plain HTTP answers with a 301 to the same path over HTTPS.
    #[serde(default = "yes")]
    pub https_redirect: bool,
    /// Routes answered before the healthy site's defaults, first match wins.
    #[serde(default)]
    pub routes: Vec<Route>,
}

fn yes() -> bool {
    true
}

impl Default for Web {
    fn default() -> Self {
        Web {
            https_redirect: true,
            routes: Vec::new(),
        }
    }
}

/// One canned answer of the sandbox site.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The Host it answers for (default: any).
    pub host: Option<String>,
    /// An exact path, or a prefix ending in `*`.
    pub path: String,
    /// `http`, `https` or `any` (default).
    #[serde(default = "any")]
    pub scheme: String,
    #[serde(default = "ok")]
    pub status: u16,
    /// Response headers, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

fn any() -> String {
    "any".into()
}

fn ok() -> u16 {
    200
}

impl Route {
    pub fn matches(&self, host: &str, path: &str, tls: bool) -> bool {
        let scheme_ok = match self.scheme.as_str() {
            "http" => !tls,
            "https" => tls,
            _ => true,
        };
        let host_ok = self
            .host
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(host));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        scheme_ok && host_ok && path_ok
    }
}

/// A scenario's files, embedded.
pub struct Files {
    pub name: &'static str,
    pub toml: &'static str,
    pub zone: &'static str,
}

macro_rules! scenario {
    ($name:literal) => {
        Files {
            name: $name,
            toml: include_str!(concat!("../../fixtures/scenarios/", $name, ".toml")),
            zone: include_str!(concat!("../../fixtures/scenarios/", $name, ".zone")),
        }
    };
}

/// Every scenario, `healthy` and `launch-day` first.
pub static ALL: &[Files] = &[
    scenario!("healthy"),
    scenario!("launch-day"),
    scenario!("apex-unresolvable"),
    scenario!("www-missing"),
    scenario!("dangling-cname"),
    scenario!("ns-single"),
    scenario!("ns-lame"),
    scenario!("caa-missing"),
    scenario!("aaaa-missing"),
    scenario!("ttl-long"),
    scenario!("staging-public"),
    scenario!("subdomain-unresolvable"),
    scenario!("dns-unresponsive"),
];

pub fn find(name: &str) -> Option<&'static Files> {
    ALL.iter().find(|f| f.name == name)
}

impl Files {
    pub fn parse(&self) -> Result<Scenario, String> {
        toml::from_str(self.toml).map_err(|e| format!("scenario {}: {}", self.name, e.message()))
    }
}
