//! Redirect chains followed by hand, hop by hop, on the audited hosts only.

use super::*;

/// Whether a URL is on one of the audited hosts.
pub type Audited<'a> = dyn Fn(&str) -> bool + Sync + 'a;

/// One response of a redirect chain.
#[derive(Debug, Clone)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    /// The absolute URL the `Location` header points to, for 3xx answers.
    pub location: Option<String>,
}

/// A chain of redirects, followed by hand.
#[derive(Debug, Clone)]
pub struct Chain {
    pub start: String,
    /// Every response received, in order (redirects and the last answer).
    pub hops: Vec<Hop>,
    /// The last response (not a redirect), when the chain ended on one.
    pub last: Option<Response>,
    /// Why the chain stopped without a final answer, and at which URL.
    pub error: Option<HttpError>,
    pub failed_at: Option<String>,
    /// A URL came back: the chain loops.
    pub looped: bool,
    /// The first URL of the chain on a host that is not audited: it was asked once (the one
    /// request a browser makes) and nothing after it was followed.
    pub off_site: Option<String>,
    /// The hop limit was reached.
    pub too_long: bool,
}

impl Chain {
    /// A chain at `start` before anything was asked.
    pub fn new(start: &str) -> Chain {
        Chain {
            start: start.to_string(),
            hops: Vec::new(),
            last: None,
            error: None,
            failed_at: None,
            looped: false,
            too_long: false,
            off_site: None,
        }
    }

    pub fn redirects(&self) -> usize {
        self.hops.iter().filter(|h| h.location.is_some()).count()
    }

    /// The URL of the last answer (or of the last URL asked).
    pub fn final_url(&self) -> &str {
        self.hops
            .last()
            .map(|h| h.url.as_str())
            .unwrap_or(&self.start)
    }

    /// `url 301 → url 200`, for evidence and the inventory.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .hops
            .iter()
            .map(|h| format!("{} {}", h.url, h.status))
            .collect();
        if let (Some(e), Some(url)) = (&self.error, &self.failed_at) {
            parts.push(format!("{url} ✗ {e}"));
        }
        if self.looped {
            parts.push("… (loop)".into());
        }
        if let (Some(off), None) = (&self.off_site, &self.last) {
            if self.error.is_none() {
                parts.push(format!(
                    "… (left the audited hosts at {off}: not followed further)"
                ));
            }
        }
        parts.join(" → ")
    }
}

/// Resolves a `Location` value against the URL it came from (RFC 9110 §10.2.2, RFC 3986 §5).
pub fn resolve_location(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(location.to_string());
    }
    let uri: Uri = base.parse().ok()?;
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?.as_str();
    if let Some(rest) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    if location.starts_with('?') {
        return Some(format!("{scheme}://{authority}{}{location}", uri.path()));
    }
    let dir = match uri.path().rfind('/') {
        Some(i) => &uri.path()[..=i],
        None => "/",
    };
    Some(format!("{scheme}://{authority}{dir}{location}"))
}

impl Client {
    /// Follows redirects by hand, at most `max_hops` of them, recording every hop.
    pub async fn follow(&self, url: &str, max_hops: usize, headers: &[(&str, &str)]) -> Chain {
        self.follow_inner(url, max_hops, headers, None, true).await
    }

    /// Follows redirects within the audited hosts (`audited(url)`): a hop to another host is
    /// asked once — the request a browser would make, on a public address unless the target
    /// itself is on a private one — and the chain stops there.
    pub async fn follow_within(
        &self,
        url: &str,
        max_hops: usize,
        headers: &[(&str, &str)],
        audited: &Audited<'_>,
        domain: &str,
    ) -> Chain {
        self.follow_inner(url, max_hops, headers, Some((audited, domain)), true)
            .await
    }

    /// Follows redirects within the audited hosts and stops, without asking it, at the first
    /// URL on another host (recorded as `off_site`): for chains that repeat one already
    /// followed (one address of a round-robin set), so a third party is not asked again.
    pub async fn follow_on_hosts(
        &self,
        url: &str,
        max_hops: usize,
        audited: &Audited<'_>,
        domain: &str,
    ) -> Chain {
        self.follow_inner(url, max_hops, &[], Some((audited, domain)), false)
            .await
    }

    /// Follows the app URL within the audited hosts. When the only trouble is its certificate
    /// (expired, self-signed, unknown CA — not another name's), follows it again through
    /// [`Client::lenient`] and returns that client for the stage's other probes, with a note.
    pub async fn follow_app(
        &self,
        roots: &Arc<RootCertStore>,
        url: &str,
        audited: &Audited<'_>,
        domain: &str,
    ) -> (Chain, Client, Option<String>) {
        let chain = self.follow_within(url, 10, &[], audited, domain).await;
        let bad_cert = matches!(&chain.error, Some(HttpError::Tls(e))
            if e.contains("invalid peer certificate") && !e.contains("not valid for name"));
        if !bad_cert {
            return (chain, self.clone(), None);
        }
        let Ok(lenient) = self.lenient(roots.clone()) else {
            return (chain, self.clone(), None);
        };
        let again = lenient.follow_within(url, 10, &[], audited, domain).await;
        if again.last.is_none() {
            return (chain, self.clone(), None);
        }
        let note = format!(
            "{}: the certificate is not trusted (the tls stage reports it); the site was read without verifying it",
            chain.failed_at.as_deref().unwrap_or(url)
        );
        (again, lenient, Some(note))
    }

    async fn follow_inner(
        &self,
        url: &str,
        max_hops: usize,
        headers: &[(&str, &str)],
        scope: Option<(&Audited<'_>, &str)>,
        ask_off_site: bool,
    ) -> Chain {
        let mut chain = Chain::new(url);
        let mut seen = std::collections::HashSet::new();
        let mut current = url.to_string();
        loop {
            if !seen.insert(current.clone()) {
                chain.looped = true;
                return chain;
            }
            if chain.hops.len() > max_hops {
                chain.too_long = true;
                return chain;
            }
            let mut client = None;
            if let Some((audited, domain)) = scope {
                if !audited(&current) {
                    if chain.off_site.is_some() {
                        return chain;
                    }
                    chain.off_site = Some(current.clone());
                    if !ask_off_site {
                        return chain;
                    }
                    client = Some(self.for_target_urls(domain).await);
                }
            }
            let resp = match client
                .as_ref()
                .unwrap_or_else(|| self.for_hop(&current))
                .request_shared(&current, headers)
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    chain.error = Some(e);
                    chain.failed_at = Some(current);
                    return chain;
                }
            };
            let location = if resp.status.is_redirection() {
                resp.headers
                    .get(hyper::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| resolve_location(&current, l))
            } else {
                None
            };
            chain.hops.push(Hop {
                url: current.clone(),
                status: resp.status.as_u16(),
                location: location.clone(),
            });
            match location {
                Some(next) => current = next,
                None => {
                    chain.last = Some(resp);
                    return chain;
                }
            }
            if client.is_some() {
                // The off-site answer redirects again: not followed.
                return chain;
            }
        }
    }
}
