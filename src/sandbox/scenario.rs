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
}

fn yes() -> bool {
    true
}

impl Default for Web {
    fn default() -> Self {
        Web {
            https_redirect: true,
        }
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
