//! The app's Strict-Transport-Security header as seen, and its parser (RFC 6797 §6.1).

/// The parsed Strict-Transport-Security header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HstsPolicy {
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

/// Why browsers ignore a Strict-Transport-Security header (RFC 6797 §6.1, §8.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HstsError {
    /// A directive may appear only once.
    #[error("the {0} directive appears twice")]
    Duplicate(String),
    #[error("max-age has no value")]
    MaxAgeWithoutValue,
    /// max-age is not a plain number of seconds.
    #[error("max-age {0:?} is not a number of seconds")]
    BadMaxAge(String),
    #[error("no max-age directive")]
    NoMaxAge,
}

/// What the app URL's HTTPS answer says about HSTS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hsts {
    /// The header as sent, and how it parsed.
    Header {
        url: String,
        value: String,
        policy: Result<HstsPolicy, HstsError>,
    },
    Missing {
        url: String,
    },
    /// The app URL's answer could not be read: the HSTS checks are not checked.
    NotChecked(String),
    /// HSTS does not apply (the app URL is plain http: the redirects stage judges that).
    NotApplicable(String),
}

/// Parses a Strict-Transport-Security value. Directive names are case-insensitive, values may
/// be quoted, a directive may appear only once, and max-age is required.
pub fn parse_hsts(value: &str) -> Result<HstsPolicy, HstsError> {
    let mut max_age = None;
    let mut include_subdomains = false;
    let mut preload = false;
    let mut seen = std::collections::HashSet::new();
    for part in value.split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, val) = match part.split_once('=') {
            Some((n, v)) => (
                n.trim().to_ascii_lowercase(),
                Some(v.trim().trim_matches('"')),
            ),
            None => (part.to_ascii_lowercase(), None),
        };
        if !seen.insert(name.clone()) {
            return Err(HstsError::Duplicate(name));
        }
        match name.as_str() {
            "max-age" => {
                let v = val.ok_or(HstsError::MaxAgeWithoutValue)?;
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(HstsError::BadMaxAge(v.to_string()));
                }
                max_age = Some(v.parse::<u64>().unwrap_or(u64::MAX));
            }
            "includesubdomains" => include_subdomains = true,
            "preload" => preload = true,
            _ => {} // unknown directives are ignored (RFC 6797 §6.1)
        }
    }
    Ok(HstsPolicy {
        max_age: max_age.ok_or(HstsError::NoMaxAge)?,
        include_subdomains,
        preload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hsts_like_rfc_6797() {
        let p = parse_hsts("max-age=31536000; includeSubDomains; preload").expect("valid");
        assert_eq!(p.max_age, 31_536_000);
        assert!(p.include_subdomains && p.preload);
        let p = parse_hsts("MAX-AGE=\"86400\"").expect("quoted");
        assert_eq!(p.max_age, 86_400);
        assert!(!p.include_subdomains);
        assert!(parse_hsts("max-age=10; foo=bar").is_ok());
        let huge = parse_hsts("max-age=99999999999999999999999").expect("saturates");
        assert_eq!(huge.max_age, u64::MAX);
    }

    #[test]
    fn each_fault_has_its_variant() {
        assert_eq!(parse_hsts("includeSubDomains"), Err(HstsError::NoMaxAge));
        assert_eq!(parse_hsts(""), Err(HstsError::NoMaxAge));
        assert_eq!(
            parse_hsts("max-age=abc"),
            Err(HstsError::BadMaxAge("abc".into()))
        );
        assert_eq!(
            parse_hsts("max-age=-1"),
            Err(HstsError::BadMaxAge("-1".into()))
        );
        assert_eq!(
            parse_hsts("max-age=\"\""),
            Err(HstsError::BadMaxAge("".into()))
        );
        assert_eq!(parse_hsts("max-age"), Err(HstsError::MaxAgeWithoutValue));
        assert_eq!(
            parse_hsts("max-age=1; Max-Age=2"),
            Err(HstsError::Duplicate("max-age".into()))
        );
        assert_eq!(
            parse_hsts("max-age=1; preload; PRELOAD"),
            Err(HstsError::Duplicate("preload".into()))
        );
    }

    #[test]
    fn messages_say_what_browsers_ignore() {
        assert_eq!(
            HstsError::Duplicate("max-age".into()).to_string(),
            "the max-age directive appears twice"
        );
        assert_eq!(
            HstsError::BadMaxAge("1y".into()).to_string(),
            "max-age \"1y\" is not a number of seconds"
        );
    }
}
