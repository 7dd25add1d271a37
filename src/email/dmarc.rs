//! DMARC policy records (RFC 7489 §6.3 and §6.4): record selection, every tag parsed and
//! validated, and the organizational domain (§3.2) from the Public Suffix List.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    None,
    Quarantine,
    Reject,
}

impl Policy {
    fn parse(s: &str) -> Option<Policy> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Some(Policy::None),
            "quarantine" => Some(Policy::Quarantine),
            "reject" => Some(Policy::Reject),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }
}

/// One `rua`/`ruf` destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportUri {
    pub uri: String,
    /// For `mailto:` URIs, the domain of the address.
    pub mail_domain: Option<String>,
}

/// A parsed DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dmarc {
    pub p: Policy,
    pub sp: Option<Policy>,
    pub rua: Vec<ReportUri>,
    pub ruf: Vec<ReportUri>,
    pub pct: u8,
    /// `r` (relaxed, default) or `s` (strict).
    pub adkim: char,
    pub aspf: char,
    pub fo: Vec<String>,
    pub rf: Vec<String>,
    pub ri: u32,
    /// Tags this version does not know (ignored, as §6.3 requires).
    pub unknown: Vec<String>,
}

/// What is wrong with a DMARC record, with the tag and value it concerns (RFC 7489 §6.4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DmarcError {
    #[error("the record contains non-ASCII characters")]
    NonAscii,
    #[error("`{0}` is not a tag=value pair")]
    NotTagValue(String),
    #[error("`{0}`: bad tag name")]
    BadTagName(String),
    #[error("the record must start with v=DMARC1")]
    VersionNotFirst,
    #[error("v={0}: the version must be exactly DMARC1")]
    BadVersion(String),
    #[error("tag `{0}` appears more than once")]
    DuplicateTag(String),
    #[error(
        "the required p= tag (none, quarantine or reject) is missing; it must follow v=DMARC1"
    )]
    MissingPolicy,
    #[error("{tag}={value}: must be none, quarantine or reject")]
    BadPolicy { tag: &'static str, value: String },
    #[error("{tag}: empty URI in the list")]
    EmptyUri { tag: &'static str },
    #[error("{tag}: `!{limit}` is not a size limit (e.g. !10m)")]
    BadSizeLimit { tag: &'static str, limit: String },
    #[error("{tag}: `{uri}` is not a URI (write mailto:dmarc@example.com)")]
    NotAUri { tag: &'static str, uri: String },
    #[error("{tag}: `{uri}` has no valid URI scheme")]
    BadScheme { tag: &'static str, uri: String },
    #[error("{tag}: `{uri}` has no email address")]
    NoAddress { tag: &'static str, uri: String },
    #[error("{tag}: `{address}` is not an email address")]
    BadAddress { tag: &'static str, address: String },
    #[error("pct={0}: must be a whole number from 0 to 100")]
    BadPct(String),
    #[error("{tag}={value}: must be r (relaxed) or s (strict)")]
    BadAlignment { tag: &'static str, value: String },
    #[error("{tag}={value}: `{item}` {why}")]
    BadListItem {
        tag: &'static str,
        value: String,
        item: String,
        why: &'static str,
    },
    #[error("ri={0}: must be a number of seconds")]
    BadInterval(String),
}

/// §6.6.3: a TXT record at `_dmarc` is a DMARC record when it starts with `v=DMARC1`.
/// Records that start with `v=DMARC` at all are taken, so that a malformed one is reported
/// as a syntax error instead of as no record.
pub fn is_dmarc_record(txt: &str) -> bool {
    let t: String = txt
        .trim_start()
        .chars()
        .filter(|c| *c != ' ' && *c != '\t')
        .take(7)
        .collect();
    t.eq_ignore_ascii_case("v=dmarc")
}

fn parse_uris(tag: &'static str, value: &str) -> Result<Vec<ReportUri>, DmarcError> {
    let mut out = Vec::new();
    for raw in value.split(',').map(str::trim) {
        if raw.is_empty() {
            return Err(DmarcError::EmptyUri { tag });
        }
        // dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
        let (uri, size) = match raw.rsplit_once('!') {
            Some((u, s)) => (u, Some(s)),
            None => (raw, None),
        };
        if let Some(s) = size {
            let digits = s.trim_end_matches(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']);
            if digits.is_empty()
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || s.len() - digits.len() > 1
            {
                return Err(DmarcError::BadSizeLimit {
                    tag,
                    limit: s.to_string(),
                });
            }
        }
        let Some((scheme, rest)) = uri.split_once(':') else {
            return Err(DmarcError::NotAUri {
                tag,
                uri: uri.to_string(),
            });
        };
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return Err(DmarcError::BadScheme {
                tag,
                uri: uri.to_string(),
            });
        }
        let mail_domain = if scheme.eq_ignore_ascii_case("mailto") {
            let addr = rest.split('?').next().unwrap_or("");
            let Some((local, domain)) = addr.rsplit_once('@') else {
                return Err(DmarcError::NoAddress {
                    tag,
                    uri: uri.to_string(),
                });
            };
            if local.is_empty()
                || !domain.contains('.')
                || domain.starts_with('.')
                || domain.ends_with('.')
            {
                return Err(DmarcError::BadAddress {
                    tag,
                    address: addr.to_string(),
                });
            }
            Some(domain.to_ascii_lowercase())
        } else {
            None
        };
        out.push(ReportUri {
            uri: uri.to_string(),
            mail_domain,
        });
    }
    Ok(out)
}

/// A colon-separated tag value (`fo`, `rf`), lower-cased, every item one of `allowed`.
fn colon_list(
    tag: &'static str,
    value: Option<&str>,
    default: &str,
    allowed: &[&str],
    why: &'static str,
) -> Result<Vec<String>, DmarcError> {
    let Some(v) = value else {
        return Ok(vec![default.to_string()]);
    };
    let list: Vec<String> = v
        .split(':')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    match list.iter().find(|s| !allowed.contains(&s.as_str())) {
        Some(bad) => Err(DmarcError::BadListItem {
            tag,
            value: v.to_string(),
            item: bad.clone(),
            why,
        }),
        None => Ok(list),
    }
}

/// Parses a DMARC record (RFC 7489 §6.4). Unknown tags are kept aside, not errors.
pub fn parse(txt: &str) -> Result<Dmarc, DmarcError> {
    if !txt.is_ascii() {
        return Err(DmarcError::NonAscii);
    }
    let mut tags: Vec<(String, String)> = Vec::new();
    for (i, part) in txt.split(';').enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((k, v)) = part.split_once('=') else {
            return Err(DmarcError::NotTagValue(part.to_string()));
        };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim().to_string();
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(DmarcError::BadTagName(part.to_string()));
        }
        if i == 0 && k != "v" {
            return Err(DmarcError::VersionNotFirst);
        }
        if tags.iter().any(|(t, _)| *t == k) {
            return Err(DmarcError::DuplicateTag(k));
        }
        tags.push((k, v));
    }
    match tags.first() {
        Some((k, v)) if k == "v" && v == "DMARC1" => {}
        Some((k, v)) if k == "v" => return Err(DmarcError::BadVersion(v.clone())),
        _ => return Err(DmarcError::VersionNotFirst),
    }
    let get = |name: &str| {
        tags.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let p = match get("p") {
        None => return Err(DmarcError::MissingPolicy),
        Some(v) => Policy::parse(v).ok_or_else(|| DmarcError::BadPolicy {
            tag: "p",
            value: v.to_string(),
        })?,
    };
    let sp = match get("sp") {
        None => None,
        Some(v) => Some(Policy::parse(v).ok_or_else(|| DmarcError::BadPolicy {
            tag: "sp",
            value: v.to_string(),
        })?),
    };
    let rua = match get("rua") {
        None => Vec::new(),
        Some(v) => parse_uris("rua", v)?,
    };
    let ruf = match get("ruf") {
        None => Vec::new(),
        Some(v) => parse_uris("ruf", v)?,
    };
    let pct = match get("pct") {
        None => 100,
        Some(v) => match v.parse::<u8>() {
            Ok(n) if n <= 100 && v.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(DmarcError::BadPct(v.to_string())),
        },
    };
    let align = |tag: &'static str| -> Result<char, DmarcError> {
        match get(tag).map(str::to_ascii_lowercase).as_deref() {
            None | Some("r") => Ok('r'),
            Some("s") => Ok('s'),
            Some(v) => Err(DmarcError::BadAlignment {
                tag,
                value: v.to_string(),
            }),
        }
    };
    let adkim = align("adkim")?;
    let aspf = align("aspf")?;
    let fo = colon_list(
        "fo",
        get("fo"),
        "0",
        &["0", "1", "d", "s"],
        "is not one of 0, 1, d, s",
    )?;
    let rf = colon_list(
        "rf",
        get("rf"),
        "afrf",
        &["afrf", "iodef"],
        "is not a report format (afrf)",
    )?;
    let ri = match get("ri") {
        None => 86_400,
        Some(v) => v
            .parse::<u32>()
            .map_err(|_| DmarcError::BadInterval(v.to_string()))?,
    };
    let known = [
        "v", "p", "sp", "rua", "ruf", "pct", "adkim", "aspf", "fo", "rf", "ri",
    ];
    let unknown = tags
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    Ok(Dmarc {
        p,
        sp,
        rua,
        ruf,
        pct,
        adkim,
        aspf,
        fo,
        rf,
        ri,
        unknown,
    })
}

/// §3.2: the organizational domain, from the Public Suffix List.
pub fn organizational_domain(domain: &str) -> String {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    psl::domain_str(&d).map(str::to_string).unwrap_or(d)
}

#[cfg(test)]
mod tests;
