//! Where the probes look: the scripts a page loads, their source maps, and the app's own API
//! routes (from its code and from an OpenAPI document at the usual paths).

use super::signatures::re;
use regex::Regex;
use std::sync::OnceLock;

/// Where frameworks publish their OpenAPI (Swagger) document. Asked on the app's origin
/// only; the GET routes it lists feed the error probes.
pub const OPENAPI_PATHS: &[&str] = &[
    "/openapi.json",
    "/swagger.json",
    "/v3/api-docs",
    "/api-docs",
    "/swagger/v1/swagger.json",
    "/docs/openapi.json",
];

/// The `src` of every `<script>` of a page.
pub fn script_srcs(html: &str) -> Vec<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(r) = re(&RE, r#"(?is)<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)"#) else {
        return vec![];
    };
    r.captures_iter(html)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .collect()
}

/// Same-origin API paths the page and its scripts call: `fetch('/api/…')`, `axios.get('/…')`,
/// `xhr.open('GET', '/…')`, and `apiBase`/`API_URL`-style constants. Only absolute paths
/// (`/…`) are taken: a full URL may point anywhere.
pub fn api_routes(code: &str) -> Vec<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(r) = re(
        &RE,
        r#"(?:\bfetch\(\s*|\baxios(?:\.(?:get|head|delete|post|put|patch|request))?\(\s*|\.open\(\s*["'][A-Za-z]+["']\s*,\s*|\b(?:api_?base(?:_?url)?|api_?url|API_(?:BASE|URL|ROOT))\s*[:=]\s*)["'`](/[A-Za-z0-9_\-./]*)"#,
    ) else {
        return vec![];
    };
    let mut out: Vec<String> = Vec::new();
    for c in r.captures_iter(code) {
        if let Some(m) = c.get(1) {
            let p = m.as_str().trim_end_matches('/').to_string();
            if p.len() > 1 && !p.starts_with("//") && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// The GET routes of an OpenAPI 3 or Swagger 2 document, as paths on the app's origin: the
/// templates' parameters (`{id}`) become `1`, a relative server URL or `basePath` is kept in
/// front. Anything that is not such a document gives nothing.
pub fn openapi_routes(body: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(body) else {
        return vec![];
    };
    if doc.get("openapi").is_none() && doc.get("swagger").is_none() {
        return vec![];
    }
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return vec![];
    };
    // A server URL on another origin is not ours to probe: only a path prefix is kept.
    let prefix = doc
        .get("servers")
        .and_then(|s| s.get(0))
        .and_then(|s| s.get("url"))
        .or_else(|| doc.get("basePath"))
        .and_then(|u| u.as_str())
        .filter(|u| u.starts_with('/') && !u.starts_with("//"))
        .unwrap_or("")
        .trim_end_matches('/');
    let mut out = Vec::new();
    for (template, ops) in paths {
        if !template.starts_with('/') || ops.get("get").is_none() {
            continue;
        }
        let mut path = String::with_capacity(template.len());
        let mut in_param = false;
        for ch in template.chars() {
            match ch {
                '{' => in_param = true,
                '}' if in_param => {
                    in_param = false;
                    path.push('1');
                }
                _ if in_param => {}
                c if c.is_ascii_alphanumeric() || "-_./".contains(c) => path.push(c),
                _ => {}
            }
        }
        let full = format!("{prefix}{path}");
        let full = full.trim_end_matches('/').to_string();
        if full.len() > 1 && !out.contains(&full) {
            out.push(full);
        }
    }
    out
}

/// The `sourceMappingURL` of a script, unless it is an inline `data:` map.
pub fn source_map_ref(js: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    re(&RE, r"(?m)^\s*//[#@]\s*sourceMappingURL=(\S+)\s*$")?
        .captures_iter(js)
        .last()
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .filter(|u| !u.starts_with("data:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_apps_own_api_routes() {
        let code = r#"fetch('/api/items/1').then(r=>r.json()); axios.get("/api/user"); x.open("GET", '/api/v2/orders'); const API_URL = "/api"; fetch("https://evil.test/x"); fetch('//cdn.test/y')"#;
        assert_eq!(
            api_routes(code),
            ["/api/items/1", "/api/user", "/api/v2/orders", "/api"]
        );
        assert!(api_routes("<h1>hello</h1>").is_empty());
    }

    #[test]
    fn reads_the_get_routes_of_an_openapi_document() {
        let v3 = r#"{"openapi":"3.1.0","servers":[{"url":"/v1"}],"paths":{
            "/items/{item_id}":{"get":{}},"/items":{"post":{}},"/users/{id}/orders":{"get":{},"put":{}}}}"#;
        assert_eq!(openapi_routes(v3), ["/v1/items/1", "/v1/users/1/orders"]);
        let v2 = r#"{"swagger":"2.0","basePath":"/api","paths":{"/pets/{petId}":{"get":{}}}}"#;
        assert_eq!(openapi_routes(v2), ["/api/pets/1"]);
        let elsewhere = r#"{"openapi":"3.0.0","servers":[{"url":"https://api.other.test"}],"paths":{"/x":{"get":{}}}}"#;
        assert_eq!(openapi_routes(elsewhere), ["/x"]);
        assert!(openapi_routes("<!doctype html><div id=root>").is_empty());
        assert!(openapi_routes(r#"{"paths":{"/x":{"get":{}}}}"#).is_empty());
    }

    #[test]
    fn finds_scripts_and_source_maps() {
        assert_eq!(
            script_srcs(
                r#"<script src="/a.js"></script><script>inline()</script><script type=module src=b.js>"#
            ),
            ["/a.js", "b.js"]
        );
        assert_eq!(
            source_map_ref("x();\n//# sourceMappingURL=app.js.map\n").as_deref(),
            Some("app.js.map")
        );
        assert_eq!(
            source_map_ref("//# sourceMappingURL=data:application/json;base64,e30="),
            None
        );
    }
}
