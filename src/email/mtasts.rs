//! SMTP transport security records: MTA-STS (RFC 8461: the `_mta-sts` TXT record and the
//! policy file) and TLS reporting (RFC 8460: the `_smtp._tls` TXT record).

/// What is wrong with an MTA-STS or TLS-RPT record, or an MTA-STS policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    #[error("the record must start with {0}")]
    Version(&'static str),
    #[error("id={0}: must be 1 to 32 letters or digits")]
    BadId(String),
    #[error("the required {0}= field is missing")]
    MissingField(&'static str),
    #[error("`{0}` is not a `key: value` line")]
    NotKeyValue(String),
    #[error("max_age: {0}: must be 0 to 31557600 seconds")]
    BadMaxAge(String),
    #[error("version: STSv1 is missing")]
    PolicyVersion,
    #[error("{0}: is missing")]
    MissingKey(&'static str),
    #[error("mode: {0}: must be enforce, testing or none")]
    BadMode(String),
    #[error("no mx: line: the policy names no mail server")]
    NoMx,
    #[error("rua: `{0}` must be a mailto: or https: URI")]
    BadRua(String),
}

/// RFC 8461 §3.1: `v=STSv1; id=…;`. Returns the policy id.
pub fn parse_sts_record(txt: &str) -> Result<String, StsError> {
    let mut fields = txt.split(';').map(str::trim).filter(|f| !f.is_empty());
    match fields.next() {
        Some("v=STSv1") => {}
        _ => return Err(StsError::Version("v=STSv1")),
    }
    let mut id = None;
    for f in fields {
        if let Some(v) = f.strip_prefix("id=") {
            if v.is_empty() || v.len() > 32 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(StsError::BadId(v.to_string()));
            }
            id = Some(v.to_string());
        }
    }
    id.ok_or(StsError::MissingField("id"))
}

/// An MTA-STS policy (RFC 8461 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StsPolicy {
    pub mode: String,
    pub mx: Vec<String>,
    pub max_age: u64,
}

/// Parses the policy file served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
pub fn parse_sts_policy(body: &str) -> Result<StsPolicy, StsError> {
    let (mut version, mut mode, mut max_age) = (None, None, None);
    let mut mx = Vec::new();
    for line in body.lines().map(|l| l.trim_end_matches('\r')) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(StsError::NotKeyValue(line.to_string()));
        };
        let (k, v) = (k.trim(), v.trim());
        match k {
            "version" => version = Some(v.to_string()),
            "mode" => mode = Some(v.to_string()),
            "max_age" => {
                max_age = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| *n <= 31_557_600)
                        .ok_or_else(|| StsError::BadMaxAge(v.to_string()))?,
                )
            }
            "mx" => mx.push(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    if version.as_deref() != Some("STSv1") {
        return Err(StsError::PolicyVersion);
    }
    let mode = mode.ok_or(StsError::MissingKey("mode"))?;
    if !matches!(mode.as_str(), "enforce" | "testing" | "none") {
        return Err(StsError::BadMode(mode));
    }
    let max_age = max_age.ok_or(StsError::MissingKey("max_age"))?;
    if mode != "none" && mx.is_empty() {
        return Err(StsError::NoMx);
    }
    Ok(StsPolicy { mode, mx, max_age })
}

/// Whether an MX host matches a policy `mx:` pattern (`*.example.com` matches one label).
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.split_once('.').is_some_and(|(_, rest)| rest == suffix),
        None => host == pattern,
    }
}

/// RFC 8460 §3: `v=TLSRPTv1; rua=mailto:…,https://…`. Returns the report URIs.
pub fn parse_tlsrpt_record(txt: &str) -> Result<Vec<String>, StsError> {
    let mut fields = txt.split(';').map(str::trim).filter(|f| !f.is_empty());
    match fields.next() {
        Some("v=TLSRPTv1") => {}
        _ => return Err(StsError::Version("v=TLSRPTv1")),
    }
    let mut rua = None;
    for f in fields {
        if let Some(v) = f.strip_prefix("rua=") {
            let uris: Vec<String> = v.split(',').map(|u| u.trim().to_string()).collect();
            if let Some(bad) = uris
                .iter()
                .find(|u| !(u.starts_with("mailto:") || u.starts_with("https://")))
            {
                return Err(StsError::BadRua(bad.clone()));
            }
            rua = Some(uris);
        }
    }
    rua.ok_or(StsError::MissingField("rua"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8461_records_and_policies() {
        assert_eq!(
            parse_sts_record("v=STSv1; id=20240101T000000;").as_deref(),
            Ok("20240101T000000")
        );
        assert_eq!(
            parse_sts_record("v=STSv1;"),
            Err(StsError::MissingField("id"))
        );
        let p = parse_sts_policy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
            .expect("valid");
        assert_eq!(
            (p.mode.as_str(), p.mx.len(), p.max_age),
            ("enforce", 2, 604800)
        );
        assert_eq!(
            parse_sts_policy("version: STSv1\nmode: enforce\nmax_age: 1\n"),
            Err(StsError::NoMx)
        );
        assert_eq!(
            parse_sts_policy("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n"),
            Err(StsError::BadMode("strict".into()))
        );
        assert!(mx_matches("*.example.net", "mx1.example.net"));
        assert!(!mx_matches("*.example.net", "a.b.example.net"));
    }

    #[test]
    fn rfc8460_tlsrpt_record() {
        assert_eq!(
            parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:tls@example.com").map(|r| r.len()),
            Ok(1)
        );
        assert!(parse_tlsrpt_record("v=TLSRPTv1;").is_err());
        assert!(parse_tlsrpt_record("v=TLSRPTv1; rua=ftp://x").is_err());
    }
}
