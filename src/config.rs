//! `launchready.toml` (SPEC §5). Unknown keys and bad values are errors that name the key and
//! the line, so a typo never silently turns a check off.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub domain: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
    #[serde(default)]
    pub subdomains: Vec<Spanned<String>>,
    /// Whether the domain sends mail (default true): a domain that never sends can publish a
    /// null SPF/DMARC instead.
    pub sends_mail: Option<bool>,
    #[serde(default)]
    pub dkim_selectors: Vec<String>,
    /// Pages that need the auth checks (default: whichever of /login, /signin, /account exist).
    #[serde(default)]
    pub auth_paths: Vec<Spanned<String>>,
    /// OAuth/OIDC callback paths that must never come from a shared cache (default: the
    /// common ones; only those that exist are judged).
    #[serde(default)]
    pub auth_callbacks: Vec<Spanned<String>>,
    /// Webhook endpoints probed with one unsigned POST, only with `--probe-webhooks`.
    #[serde(default)]
    pub webhooks: Vec<Spanned<String>>,
    /// More paths the `--probe-rate-limit` burst covers (signup, password reset).
    #[serde(default)]
    pub rate_limit_paths: Vec<Spanned<String>>,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    pub latency: Option<Latency>,
    #[serde(default)]
    pub suppress: Vec<Suppress>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// A path, or a glob such as `/api/*`.
    pub path: String,
    /// The p95 budget in milliseconds.
    pub budget_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Signed, so that a negative value gets our message naming the key, not serde's.
    pub requests: Option<Spanned<i64>>,
    pub concurrency: Option<Spanned<Vec<i64>>>,
    pub max_requests: Option<Spanned<i64>>,
}

/// The highest concurrency level, in the config as on the command line (`--concurrency`).
pub const MAX_CONCURRENCY: u64 = 10_000;

impl Latency {
    /// The ladder, once validated by [`parse`] (every level within 1..=[`MAX_CONCURRENCY`]).
    pub fn levels(&self) -> Option<Vec<u32>> {
        self.concurrency.as_ref().map(|c| {
            c.get_ref()
                .iter()
                .map(|&l| u32::try_from(l).unwrap_or(u32::MAX))
                .collect()
        })
    }

    /// `requests`, once validated (positive).
    pub fn requests(&self) -> Option<u64> {
        self.requests
            .as_ref()
            .map(|v| u64::try_from(*v.get_ref()).unwrap_or(1))
    }

    /// `max_requests`, once validated (positive).
    pub fn max_requests(&self) -> Option<u64> {
        self.max_requests
            .as_ref()
            .map(|v| u64::try_from(*v.get_ref()).unwrap_or(1))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppress {
    pub id: Spanned<String>,
    pub subject: Option<String>,
    pub reason: Spanned<String>,
    pub expires: Spanned<toml::Value>,
}

/// A suppression as the audit applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub id: String,
    pub subject: Option<String>,
    pub reason: String,
    pub expires: Date,
}

/// Now, in UTC, as RFC 3339 (`2026-11-29T21:07:00Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let d = Date::from_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!("{d}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

/// A calendar date (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let year = it.next()?.parse().ok()?;
        let month = it.next()?.parse().ok()?;
        let day = it.next()?.parse().ok()?;
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(date)
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_days((secs / 86_400) as i64)
    }

    /// The civil date of a count of days since 1970-01-01 (H. Hinnant's algorithm).
    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A config error: file, line and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `key` is the setting concerned (`auth_paths`, `suppress.id`…), or `toml` when the file
    /// is not valid TOML or does not fit the schema.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

/// The config file to read: `-c FILE`, else `./launchready.toml` when present.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let p = PathBuf::from("launchready.toml");
            p.exists().then_some(p)
        }
    }
}

/// A loaded, validated config.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    pub suppressions: Vec<Suppression>,
}

impl Loaded {
    pub fn domain(&self) -> Option<&str> {
        self.config.domain.as_ref().map(|d| d.get_ref().as_str())
    }
}

/// The most `auth_paths` a config may name (each is requested by several stages).
pub const MAX_AUTH_PATHS: usize = 10;

pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Loaded, ConfigError> {
    // Messages start with the key they concern: `auth_paths: …`.
    let at = |offset: usize, message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        key: message
            .split_once(": ")
            .map(|(k, _)| k.to_string())
            .unwrap_or_default(),
        message,
    };
    let config: Config = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            key: "toml".into(),
            message: e.message().trim().replace('\n', " "),
        }
    })?;
    if let Some(d) = &config.domain {
        crate::target::validate_domain(d.get_ref())
            .map_err(|e| at(d.span().start, format!("domain: {e}")))?;
    }
    if let Some(u) = &config.url {
        crate::target::parse_url(u.get_ref())
            .map_err(|e| at(u.span().start, format!("url: {e}")))?;
    }
    for s in &config.subdomains {
        crate::target::validate_label_path(s.get_ref())
            .map_err(|e| at(s.span().start, format!("subdomains: {e}")))?;
    }
    if config.auth_paths.len() > MAX_AUTH_PATHS {
        return Err(at(
            config.auth_paths[MAX_AUTH_PATHS].span().start,
            format!("auth_paths: at most {MAX_AUTH_PATHS} pages"),
        ));
    }
    for a in &config.auth_paths {
        let p = a.get_ref();
        if !p.starts_with('/')
            || p.len() > 512
            || p.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(at(
                a.span().start,
                "auth_paths: each entry is a path on the app's host, such as \"/login\"".into(),
            ));
        }
    }
    for (key, list) in [
        ("auth_callbacks", &config.auth_callbacks),
        ("webhooks", &config.webhooks),
        ("rate_limit_paths", &config.rate_limit_paths),
    ] {
        if list.len() > MAX_AUTH_PATHS {
            return Err(at(
                list[MAX_AUTH_PATHS].span().start,
                format!("{key}: at most {MAX_AUTH_PATHS} paths"),
            ));
        }
        for a in list {
            let p = a.get_ref();
            if !p.starts_with('/')
                || p.len() > 512
                || p.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(at(
                    a.span().start,
                    format!("{key}: each entry is a path on the app's host, such as \"/api/webhooks/stripe\""),
                ));
            }
        }
    }
    if let Some(l) = &config.latency {
        // The same limits as the flags: a config file is no way around them.
        if let Some(c) = &l.concurrency {
            if c.get_ref().is_empty()
                || c.get_ref().iter().any(|l| {
                    u64::try_from(*l).map_or(true, |l| !(1..=MAX_CONCURRENCY).contains(&l))
                })
            {
                return Err(at(
                    c.span().start,
                    format!(
                        "latency.concurrency: levels must be integers from 1 to {MAX_CONCURRENCY}, such as [1, 10, 50]"
                    ),
                ));
            }
        }
        for (key, value) in [("requests", &l.requests), ("max_requests", &l.max_requests)] {
            if let Some(v) = value.as_ref().filter(|v| *v.get_ref() < 1) {
                return Err(at(
                    v.span().start,
                    format!("latency.{key}: must be a positive integer"),
                ));
            }
        }
    }
    let mut suppressions = Vec::new();
    for s in &config.suppress {
        let id = s.id.get_ref();
        if crate::check::lookup(id).is_none() {
            return Err(at(
                s.id.span().start,
                format!("suppress.id: unknown check id {id:?} (see `launchready checks`)"),
            ));
        }
        if s.reason.get_ref().trim().is_empty() {
            return Err(at(
                s.reason.span().start,
                "suppress.reason: a suppression needs a reason".into(),
            ));
        }
        let expires = match s.expires.get_ref() {
            toml::Value::Datetime(dt) => dt.date.map(|d| Date {
                year: i32::from(d.year),
                month: u32::from(d.month),
                day: u32::from(d.day),
            }),
            toml::Value::String(text) => Date::parse(text),
            _ => None,
        }
        .ok_or_else(|| {
            at(
                s.expires.span().start,
                "suppress.expires: expected a date such as 2026-12-31".into(),
            )
        })?;
        suppressions.push(Suppression {
            id: id.clone(),
            subject: s.subject.clone(),
            reason: s.reason.get_ref().clone(),
            expires,
        });
    }
    Ok(Loaded {
        config,
        suppressions,
    })
}

#[cfg(test)]
mod tests;
