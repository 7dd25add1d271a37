//! `headers.cookie.insecure`.

use super::*;

/// Cookie names that look like a session: these also need HttpOnly.
const SESSIONISH: [&str; 8] = [
    "sess", "sid", "auth", "token", "jwt", "remember", "login", "user",
];

crate::check! {
    CookieInsecure for HeadersObservation = CheckDoc {
        id: "headers.cookie.insecure",
        stage: Stage::Headers,
        severity: Severity::Medium,
        impact: Impact::Security,
        title: "Cookie without Secure, HttpOnly or SameSite",
        catches: "A Set-Cookie lacks `Secure`, or `SameSite`, or — for session-looking cookies (session, sid, auth, token, jwt, remember…) — `HttpOnly`.",
        why: "Without Secure the session cookie crosses any plain-HTTP request; without HttpOnly any XSS steals it; without SameSite other sites can ride it (CSRF). Observatory: −40 for session cookies without Secure, −5 without SameSite; we rate any of them medium.",
        fix: "Set session cookies as `Secure; HttpOnly; SameSite=Lax; Path=/` (and the `__Host-` prefix where you can). Most frameworks have one setting for it.",
        refs: &["RFC 6265bis", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies", "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"],
    };
    fn evaluate(o, out, doc) {
        let mut seen = BTreeSet::new();
        for p in &o.pages {
            let https = p.url.starts_with("https://");
            for c in p
                .headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
            {
                let (name, missing) = missing_attributes(c, https);
                if !missing.is_empty() && seen.insert(name.clone()) {
                    out.push(doc.finding(
                        &p.url,
                        format!("cookie {name:?} set without {}", missing.join(", ")),
                    ));
                }
            }
        }
    }
}

/// The cookie's name, and the attributes it should have and lacks.
fn missing_attributes(set_cookie: &str, https: bool) -> (String, Vec<&'static str>) {
    let mut parts = set_cookie.split(';');
    let name = parts
        .next()
        .and_then(|nv| nv.split('=').next())
        .unwrap_or("")
        .trim()
        .to_string();
    let attrs: Vec<String> = parts
        .map(|a| {
            a.split('=')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let has = |a: &str| attrs.iter().any(|x| x == a);
    let lname = name.to_ascii_lowercase();
    let sessionish = SESSIONISH.iter().any(|k| lname.contains(k));
    let mut missing = Vec::new();
    if https && !has("secure") {
        missing.push("Secure");
    }
    if sessionish && !has("httponly") {
        missing.push("HttpOnly");
    }
    if !has("samesite") {
        missing.push("SameSite");
    }
    (name, missing)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;

    #[test]
    fn fires_on_a_session_cookie_without_its_attributes() {
        let mut o = healthy();
        set(&mut o.pages[1], "set-cookie", "sessionid=abc; Path=/");
        let (found, _) = judge(&CookieInsecure, &o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].evidence,
            "cookie \"sessionid\" set without Secure, HttpOnly, SameSite"
        );
        assert!(!found[0].evidence.contains("abc"));
    }

    #[test]
    fn plain_cookies_need_no_httponly_and_http_pages_no_secure() {
        assert!(missing_attributes("theme=dark; Secure; SameSite=Lax", true)
            .1
            .is_empty());
        assert_eq!(
            missing_attributes("auth=x; SameSite=Lax; HttpOnly", false).1,
            Vec::<&str>::new()
        );
        assert_eq!(
            missing_attributes("jwt=x; Secure", true).1,
            ["HttpOnly", "SameSite"]
        );
    }

    #[test]
    fn an_auth_page_that_did_not_answer_is_not_checked() {
        let mut o = healthy();
        o.unseen.push((
            CookieInsecure::DOC.id,
            "https://example.com/account".into(),
            "timed out".into(),
        ));
        let (found, unseen) = judge(&CookieInsecure, &o);
        assert!(found.is_empty());
        assert_eq!(unseen.len(), 1);
        assert_eq!(unseen[0].subject, "https://example.com/account");
    }
}
