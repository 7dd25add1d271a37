//! The headers part of the report's inventory: each page checked, with the headers that matter
//! (cookie values redacted).

use super::*;
use serde::Serialize;

/// The headers the inventory keeps, in this order.
const KEEP: [&str; 9] = [
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cache-control",
    "server",
    "x-powered-by",
    "set-cookie",
];

/// The pages checked (`inventory.pages`).
pub type Inventory = Vec<PageHeaders>;

/// One page checked. Fields in alphabetical order, as the report has always written them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageHeaders {
    pub auth: bool,
    pub headers: Vec<HeaderValues>,
    pub status: u16,
    pub url: String,
}

/// Every value of one header on a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderValues {
    pub name: &'static str,
    pub values: Vec<String>,
}

pub fn inventory(o: &HeadersObservation) -> Inventory {
    o.pages
        .iter()
        .map(|p| PageHeaders {
            auth: p.auth,
            headers: KEEP
                .iter()
                .filter_map(|k| {
                    let values: Vec<String> = p
                        .headers
                        .get_all(*k)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(|v| {
                            if *k == "set-cookie" {
                                redact_cookie(v)
                            } else {
                                v.to_string()
                            }
                        })
                        .collect();
                    (!values.is_empty()).then_some(HeaderValues { name: k, values })
                })
                .collect(),
            status: p.status,
            url: p.url.clone(),
        })
        .collect()
}

/// A Set-Cookie value for the report: the name and the attributes, never the value
/// (`session=<redacted 24 chars>; Path=/; Secure`).
pub fn redact_cookie(set_cookie: &str) -> String {
    let mut parts = set_cookie.splitn(2, ';');
    let pair = parts.next().unwrap_or("");
    let attrs = parts.next();
    let shown = match pair.split_once('=') {
        Some((name, value)) => format!(
            "{}=<redacted {} chars>",
            name.trim(),
            value.trim().chars().count()
        ),
        None => format!("<redacted {} chars>", pair.trim().chars().count()),
    };
    match attrs {
        Some(a) => format!("{shown};{a}"),
        None => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    /// The fuzzer's first `headers` crash: a value that spells part of our placeholder
    /// (`ted 13 chars>` inside `<redacted 13 chars>`). The value itself is never shown.
    #[test]
    fn a_value_that_spells_the_placeholder_is_still_redacted() {
        let header = "`=ted 13 chars>;\0`=;\0=";
        let redacted = redact_cookie(header);
        assert_eq!(redacted, "`=<redacted 13 chars>;\0`=;\0=");
        let shown = redacted.replacen("<redacted 13 chars>", "", 1);
        assert!(!shown.contains("ted 13 chars>"));
    }

    #[test]
    fn cookie_values_never_reach_the_inventory() {
        assert_eq!(
            redact_cookie("session=s3ss10n; Path=/; Secure"),
            "session=<redacted 7 chars>; Path=/; Secure"
        );
        assert_eq!(redact_cookie("novalue"), "<redacted 7 chars>");
        assert_eq!(redact_cookie("a="), "a=<redacted 0 chars>");
        let inv = inventory(&healthy());
        let json = serde_json::to_string(&inv).expect("json");
        assert!(!json.contains("s3cr3t-session-value"), "{json}");
        assert!(json.contains("session=<redacted 20 chars>"), "{json}");
    }

    /// The JSON the report has always had: `{auth, headers: [{name, values}], status, url}`.
    #[test]
    fn pages_serialise_as_before() {
        let inv = inventory(&healthy());
        let v = serde_json::to_value(&inv).expect("json");
        assert_eq!(v[0]["url"], "https://example.com/");
        assert_eq!(v[0]["status"], 200);
        assert_eq!(v[0]["auth"], false);
        assert_eq!(v[0]["headers"][0]["name"], "content-security-policy");
        assert!(v[0]["headers"][0]["values"].is_array());
        assert_eq!(v[1]["auth"], true);
    }
}
