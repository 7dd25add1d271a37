//! What is audited: the domain, the app URL and the subdomains, validated before anything runs.

use std::net::IpAddr;

/// The audit target.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Lower-case, without a trailing dot.
    pub domain: String,
    /// The app URL (default `https://<domain>/`).
    pub url: String,
    /// Fully qualified subdomains to check besides the apex and www.
    pub subdomains: Vec<String>,
    /// DKIM selectors to look up besides the common providers' (config `dkim_selectors`).
    pub dkim_selectors: Vec<String>,
    /// Whether the domain sends mail (config `sends_mail`; unknown counts as yes).
    pub sends_mail: Option<bool>,
    /// The sign-in and account pages (config `auth_paths`); empty means the defaults.
    pub auth_paths: Vec<String>,
    /// OAuth callback paths (config `auth_callbacks`); empty means [`DEFAULT_AUTH_CALLBACKS`].
    pub auth_callbacks: Vec<String>,
    /// Webhook endpoints (config `webhooks`), probed only with `--probe-webhooks`.
    pub webhooks: Vec<String>,
    /// Signup, password reset… (config `rate_limit_paths`): more targets of the login burst.
    pub rate_limit_paths: Vec<String>,
}

/// The webhook paths `--probe-webhooks` posts to when the config names none.
pub const DEFAULT_WEBHOOKS: &[&str] =
    &["/api/webhooks/stripe", "/webhooks/stripe", "/api/webhooks"];

/// The callback paths looked for when the config names none.
pub const DEFAULT_AUTH_CALLBACKS: &[&str] = &[
    "/auth/callback",
    "/api/auth/callback/google",
    "/oauth/callback",
    "/login/callback",
];

/// The sign-in and account pages looked for when the config names none.
pub const DEFAULT_AUTH_PATHS: &[&str] = &["/login", "/signin", "/account"];

/// Labels of staging-like hosts the exposure stage asks about (`staging.<domain>`, …).
pub const STAGING_LABELS: &[&str] = &["staging", "dev", "test", "preview"];

/// First labels that mark a staging-like name (`staging-2`, `dev.eu`, `uat`…): such names should
/// not resolve publicly before a launch, and such configured subdomains are probed as staging.
pub const STAGING_PREFIXES: &[&str] = &["staging", "stage", "dev", "test", "preview", "uat", "qa"];

impl Target {
    /// The pages the auth checks (cache, cookies, rate limit, latency budget) look at: the
    /// configured `auth_paths`, else [`DEFAULT_AUTH_PATHS`].
    pub fn auth_paths(&self) -> Vec<&str> {
        if self.auth_paths.is_empty() {
            DEFAULT_AUTH_PATHS.to_vec()
        } else {
            self.auth_paths.iter().map(String::as_str).collect()
        }
    }

    /// The hosts this audit may send probes to: the apex, www, the app URL's host, the
    /// declared subdomains and the staging names. Nothing else is probed: a redirect to another
    /// host is followed for one request at most.
    pub fn audited_hosts(&self) -> Vec<String> {
        let mut hosts = vec![self.domain.clone(), format!("www.{}", self.domain)];
        if let Some(h) = host_of(&self.url) {
            hosts.push(h);
        }
        hosts.extend(self.subdomains.iter().cloned());
        hosts.extend(
            STAGING_LABELS
                .iter()
                .map(|l| format!("{l}.{}", self.domain)),
        );
        hosts.sort();
        hosts.dedup();
        hosts
    }

    /// The OAuth callback paths the edge stage asks about.
    pub fn auth_callbacks(&self) -> Vec<&str> {
        if self.auth_callbacks.is_empty() {
            DEFAULT_AUTH_CALLBACKS.to_vec()
        } else {
            self.auth_callbacks.iter().map(String::as_str).collect()
        }
    }

    /// The webhook paths `--probe-webhooks` posts to: the config's `webhooks`, else
    /// [`DEFAULT_WEBHOOKS`] (a 404 there is the app's answer, not a challenge).
    pub fn webhooks(&self) -> Vec<&str> {
        if self.webhooks.is_empty() {
            DEFAULT_WEBHOOKS.to_vec()
        } else {
            self.webhooks.iter().map(String::as_str).collect()
        }
    }

    /// Whether `url` is on one of the audited hosts.
    pub fn audits(&self, url: &str) -> bool {
        match host_of(url) {
            Some(h) => {
                h == self.domain
                    || h == format!("www.{}", self.domain)
                    || host_of(&self.url).as_deref() == Some(h.as_str())
                    || self.subdomains.contains(&h)
                    || STAGING_LABELS
                        .iter()
                        .any(|l| h == format!("{l}.{}", self.domain))
            }
            None => false,
        }
    }
}

/// The lower-case host of a URL, without a trailing dot.
pub fn host_of(url: &str) -> Option<String> {
    let uri = url.parse::<hyper::Uri>().ok()?;
    let host = uri.host()?.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Why a domain, a subdomain or an app URL given by the user is refused; each variant carries
/// the input as given. The messages are the CLI's (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the URL contains credentials (user:password@); launchready neither sends nor prints credentials: give the URL without them")]
    Credentials,
    #[error("{input:?} is a URL with a path; give the domain (and the page with --url)")]
    UrlWithPath { input: String },
    #[error("the domain is empty")]
    EmptyDomain,
    #[error("{input:?} is not a domain: it contains spaces")]
    Whitespace { input: String },
    #[error("{input:?} is not a domain")]
    NotADomain { input: String },
    #[error("{input:?} is an IP address; launchready audits a domain (use --connect-to to aim at an address)")]
    IpAddress { input: String },
    #[error("{input:?} is not ASCII; give the punycode form (xn--…)")]
    NotAscii { input: String },
    #[error("{input:?} is longer than 253 characters")]
    TooLong { input: String },
    #[error("{input:?} is not a public domain name (no dot); give e.g. example.com")]
    NoDot { input: String },
    #[error("{input:?} is not a domain: {label}")]
    Label { input: String, label: LabelError },
    #[error("{input:?} is not a domain: the top-level label is numeric")]
    NumericTld { input: String },
    #[error("empty subdomain")]
    EmptySubdomain,
    #[error("{subdomain:?}: {label}")]
    SubdomainLabel {
        subdomain: String,
        label: LabelError,
    },
    #[error("{input:?} is not a URL")]
    NotAUrl { input: String },
    #[error("{input:?}: the URL must start with https:// or http://")]
    Scheme { input: String },
    #[error("{input:?}: the URL has no host")]
    NoHost { input: String },
}

/// What is wrong with one label of a host name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("empty label (\"..\")")]
    Empty,
    #[error("label {0:?} is longer than 63 characters")]
    TooLong(String),
    #[error("label {0:?} has characters a host name cannot have")]
    Characters(String),
    #[error("label {0:?} starts or ends with '-'")]
    Hyphen(String),
}

/// Refuses a URL that carries credentials (`https://user:pass@host/`): they would be sent to
/// the site and echoed in every report.
pub fn refuse_credentials(s: &str) -> Result<(), TargetError> {
    let rest = s.split_once("://").map(|(_, r)| r).unwrap_or(s);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(TargetError::Credentials);
    }
    Ok(())
}

/// Accepts a domain, or a bare URL (`https://example.com/`) whose host is taken.
pub fn validate_domain(input: &str) -> Result<String, TargetError> {
    // Checked before anything quotes the input: credentials are never echoed.
    refuse_credentials(input.trim())?;
    let s = input.trim();
    let given = || input.to_string();
    let host = if let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    {
        let (host, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if !(path.is_empty() || path == "/") {
            return Err(TargetError::UrlWithPath { input: given() });
        }
        match host.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host,
        }
    } else {
        s
    };
    if host.is_empty() {
        return Err(TargetError::EmptyDomain);
    }
    if host.contains(char::is_whitespace) {
        return Err(TargetError::Whitespace { input: given() });
    }
    if host.contains('/') || host.contains("://") {
        return Err(TargetError::NotADomain { input: given() });
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return Err(TargetError::IpAddress { input: given() });
    }
    if !host.is_ascii() {
        return Err(TargetError::NotAscii { input: given() });
    }
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host.len() > 253 {
        return Err(TargetError::TooLong { input: given() });
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(TargetError::NoDot { input: given() });
    }
    for label in &labels {
        validate_label(label).map_err(|label| TargetError::Label {
            input: given(),
            label,
        })?;
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(TargetError::NumericTld { input: given() });
    }
    Ok(host)
}

fn validate_label(label: &str) -> Result<(), LabelError> {
    if label.is_empty() {
        return Err(LabelError::Empty);
    }
    if label.len() > 63 {
        return Err(LabelError::TooLong(label.to_string()));
    }
    if !label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(LabelError::Characters(label.to_string()));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(LabelError::Hyphen(label.to_string()));
    }
    Ok(())
}

/// A subdomain as the user wrote it: `app` or `app.example.com`.
pub fn validate_label_path(s: &str) -> Result<(), TargetError> {
    let s = s.trim().trim_end_matches('.');
    if s.is_empty() {
        return Err(TargetError::EmptySubdomain);
    }
    for label in s.split('.') {
        validate_label(label).map_err(|label| TargetError::SubdomainLabel {
            subdomain: s.to_string(),
            label,
        })?;
    }
    Ok(())
}

/// The fully qualified form of a subdomain under the domain.
pub fn qualify(sub: &str, domain: &str) -> String {
    let sub = sub.trim().trim_end_matches('.').to_ascii_lowercase();
    if sub == domain || sub.ends_with(&format!(".{domain}")) {
        sub
    } else {
        format!("{sub}.{domain}")
    }
}

/// Validates an app URL: http or https, with a host.
pub fn parse_url(s: &str) -> Result<hyper::Uri, TargetError> {
    refuse_credentials(s)?;
    let input = || s.to_string();
    let uri: hyper::Uri = s
        .parse()
        .map_err(|_| TargetError::NotAUrl { input: input() })?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(TargetError::Scheme { input: input() }),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(TargetError::NoHost { input: input() });
    }
    Ok(uri)
}

#[cfg(test)]
mod tests;
