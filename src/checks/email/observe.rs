//! The email stage's probes: the SPF tree, DMARC (with the organizational-domain fallback),
//! DKIM selectors, MX and their addresses, MTA-STS (record and policy) and TLS-RPT.

use super::*;
use crate::net::http::HttpError;

/// The TXT records at a name (NXDOMAIN and no records are both an empty list).
async fn txt(resolver: &Resolver, name: &str) -> Txt {
    let Some(q) = query_name(name) else {
        return Txt::Records(Vec::new());
    };
    match resolver.lookup(&q, RecordType::TXT).await {
        Ok(a) => Txt::Records(
            txt_records(&a)
                .into_iter()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .collect(),
        ),
        Err(e) => Txt::Unknown(e.to_string()),
    }
}

async fn observe_dmarc(resolver: &Resolver, domain: &str) -> DmarcObservation {
    let name = format!("_dmarc.{domain}");
    let mut obs = DmarcObservation {
        name: name.clone(),
        found_at: None,
        records: Vec::new(),
        parsed: None,
        unauthorized: Vec::new(),
        unknown: None,
    };
    let org = dmarc::organizational_domain(domain);
    let mut candidates = vec![name.clone()];
    if org != domain {
        candidates.push(format!("_dmarc.{org}"));
    }
    for at in candidates {
        match txt(resolver, &at).await {
            Txt::Unknown(e) => {
                obs.unknown = Some(e);
                return obs;
            }
            Txt::Records(rs) => {
                let found: Vec<String> = rs
                    .into_iter()
                    .filter(|r| dmarc::is_dmarc_record(r))
                    .collect();
                if !found.is_empty() {
                    obs.found_at = Some(at);
                    obs.records = found;
                    break;
                }
            }
        }
    }
    if obs.records.len() == 1 {
        let parsed = dmarc::parse(&obs.records[0]);
        if let (Ok(p), Some(at)) = (&parsed, &obs.found_at) {
            let policy_domain = at.trim_start_matches("_dmarc.").to_string();
            let policy_org = dmarc::organizational_domain(&policy_domain);
            let checks = p.rua.iter().chain(&p.ruf).filter_map(|u| {
                let dest = u.mail_domain.clone()?;
                if dmarc::organizational_domain(&dest) == policy_org {
                    return None;
                }
                let auth = format!("{policy_domain}._report._dmarc.{dest}");
                let uri = u.uri.clone();
                Some(async move {
                    match txt(resolver, &auth).await {
                        Txt::Records(rs) if !rs.iter().any(|r| dmarc::is_dmarc_record(r)) => {
                            Some((uri, auth))
                        }
                        _ => None,
                    }
                })
            });
            obs.unauthorized = join_all(checks).await.into_iter().flatten().collect();
        }
        obs.parsed = Some(parsed);
    }
    obs
}

async fn observe_dkim(resolver: &Resolver, domain: &str, configured: &[String]) -> DkimObservation {
    let mut selectors: Vec<String> = configured
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    for s in dkim::COMMON_SELECTORS {
        if !selectors.iter().any(|x| x == s) {
            selectors.push(s.to_string());
        }
    }
    let lookups = selectors.iter().map(|sel| {
        let name = format!("{sel}._domainkey.{domain}");
        async move {
            let answer = txt(resolver, &name).await;
            (sel.clone(), name, answer)
        }
    });
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let results = join_all(lookups).await;
    for (selector, name, answer) in results.iter().cloned() {
        match answer {
            Txt::Unknown(why) => failed.push((name, why)),
            Txt::Records(rs) => {
                for record in rs.into_iter().filter(|r| dkim::looks_like_key(r)) {
                    found.push(DkimFound {
                        selector: selector.clone(),
                        name: name.clone(),
                        key: dkim::parse(&record),
                        record,
                    });
                }
            }
        }
    }
    DkimObservation {
        unknown: !results.is_empty() && failed.len() == results.len(),
        selectors,
        found,
        failed,
    }
}

/// The MX set (its hosts not yet resolved: see [`resolve_mx_hosts`]).
async fn mx_records(resolver: &Resolver, domain: &str) -> MxObservation {
    let mut obs = MxObservation {
        exchanges: Vec::new(),
        null_mx: false,
        unresolvable: Vec::new(),
        unknown_hosts: Vec::new(),
        unknown: None,
    };
    let Some(q) = query_name(domain) else {
        return obs;
    };
    match resolver.lookup(&q, RecordType::MX).await {
        Err(e) => {
            obs.unknown = Some(e.to_string());
            return obs;
        }
        Ok(a) => {
            obs.exchanges = a
                .data_of(RecordType::MX)
                .filter_map(|d| match d {
                    RData::MX(mx) => {
                        Some((mx.preference(), crate::spf::eval::name_text(mx.exchange())))
                    }
                    _ => None,
                })
                .collect();
        }
    }
    obs.exchanges.sort();
    obs.null_mx = obs.exchanges.len() == 1 && obs.exchanges[0].1.is_empty();
    obs
}

/// Resolves the MX hosts of a domain that receives mail ([`receives`]).
async fn resolve_mx_hosts(resolver: &Resolver, obs: &mut MxObservation) {
    let hosts = obs
        .exchanges
        .iter()
        .map(|(_, h)| h.clone())
        .collect::<Vec<_>>();
    let checks = hosts.iter().map(|h| async move {
        if h.is_empty() {
            return Some(Ok((
                ".".to_string(),
                "a null MX (\".\") next to other MX records (RFC 7505 §3)".to_string(),
            )));
        }
        match resolver.addrs(h).await {
            Ok(ips) if ips.is_empty() => Some(Ok((h.clone(), "no A or AAAA record".to_string()))),
            Ok(_) => None,
            Err(DnsError::BadName(_)) => Some(Ok((h.clone(), "not a valid host name".to_string()))),
            Err(e) => Some(Err((h.clone(), e.to_string()))),
        }
    });
    for outcome in join_all(checks).await.into_iter().flatten() {
        match outcome {
            Ok(bad) => obs.unresolvable.push(bad),
            Err(unknown) => obs.unknown_hosts.push(unknown),
        }
    }
}

/// Whether the domain receives mail: an MX set that was read, not empty, not a null MX.
fn receives(mx: &MxObservation) -> bool {
    mx.unknown.is_none() && !mx.exchanges.is_empty() && !mx.null_mx
}

/// `exchanges`: the MX set's (preference, host) pairs, for the policy's coverage.
async fn observe_mta_sts(
    ctx: &Context,
    domain: &str,
    exchanges: &[(u16, String)],
) -> StsObservation {
    let name = format!("_mta-sts.{domain}");
    let policy_url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let mut obs = StsObservation {
        name: name.clone(),
        record: None,
        problem: None,
        policy: None,
        policy_url: policy_url.clone(),
        fetch_error: None,
        unknown: None,
    };
    let records = match txt(&ctx.resolver, &name).await {
        Txt::Unknown(e) => {
            obs.unknown = Some(e);
            return obs;
        }
        Txt::Records(rs) => rs,
    };
    let sts: Vec<String> = records
        .into_iter()
        .filter(|r| r.starts_with("v=STSv1"))
        .collect();
    let Some(record) = sts.first().cloned() else {
        return obs;
    };
    obs.record = Some(record.clone());
    if sts.len() > 1 {
        obs.problem = Some(format!(
            "{} v=STSv1 records at {name}; senders ignore them all",
            sts.len()
        ));
        return obs;
    }
    if let Err(e) = mtasts::parse_sts_record(&record) {
        obs.problem = Some(format!("{name}: {e}"));
        return obs;
    }
    if ctx.resolver.is_offline() {
        // Not a pass: whether the policy is served and covers the MX set is not known.
        obs.fetch_error = Some(crate::net::dns::offline(format_args!(
            "the MTA-STS policy {policy_url} was not fetched"
        )));
        return obs;
    }
    let response = match ctx.http.get(&policy_url).await {
        Ok(r) => r,
        // The policy host answered with a certificate that does not validate for its name
        // (expired, wrong name, untrusted): senders cannot fetch the policy either, and that
        // is the target's doing, not this machine's.
        Err(HttpError::Tls(why)) if why.contains("certificate") => {
            obs.problem = Some(format!(
                "the MTA-STS policy host's certificate is not valid, so senders cannot fetch {policy_url}: {why}"
            ));
            return obs;
        }
        Err(e) => {
            obs.fetch_error = Some(format!(
                "the MTA-STS policy {policy_url} could not be fetched: {e}"
            ));
            return obs;
        }
    };
    if response.truncated {
        obs.fetch_error = Some(format!(
            "the MTA-STS policy {policy_url} is larger than the body cap and was not read"
        ));
        return obs;
    }
    if response.status.as_u16() != 200 {
        obs.problem = Some(format!(
            "the policy URL answered HTTP {}",
            response.status.as_u16()
        ));
        return obs;
    }
    let body = String::from_utf8_lossy(&response.body);
    match mtasts::parse_sts_policy(&body) {
        Err(e) => obs.problem = Some(format!("the policy is malformed: {e}")),
        Ok(p) => {
            let uncovered: Vec<&str> = exchanges
                .iter()
                .map(|(_, h)| h.as_str())
                .filter(|h| !h.is_empty() && !p.mx.iter().any(|pat| mtasts::mx_matches(pat, h)))
                .collect();
            if p.mode != "none" && !uncovered.is_empty() {
                obs.problem = Some(format!(
                    "the policy (mode {}) does not list the MX host(s) {}",
                    p.mode,
                    uncovered.join(", ")
                ));
            }
            obs.policy = Some(p);
        }
    }
    obs
}

async fn observe_tls_rpt(resolver: &Resolver, domain: &str) -> TlsRptObservation {
    let name = format!("_smtp._tls.{domain}");
    let mut obs = TlsRptObservation {
        name: name.clone(),
        record: None,
        problem: None,
        unknown: None,
    };
    match txt(resolver, &name).await {
        Txt::Unknown(e) => obs.unknown = Some(e),
        Txt::Records(rs) => {
            let recs: Vec<String> = rs
                .into_iter()
                .filter(|r| r.starts_with("v=TLSRPT"))
                .collect();
            if let Some(r) = recs.first() {
                obs.record = Some(r.clone());
                if recs.len() > 1 {
                    obs.problem = Some(format!(
                        "{} TLS-RPT records; senders ignore them all",
                        recs.len()
                    ));
                } else if let Err(e) = mtasts::parse_tlsrpt_record(r) {
                    obs.problem = Some(e.to_string());
                }
            }
        }
    }
    obs
}

/// Runs the probes.
pub async fn observe(ctx: &Context) -> EmailObservation {
    let domain = ctx.target.domain.clone();
    let resolver = ctx.resolver.as_ref();
    // MTA-STS and TLS-RPT protect mail sent *to* the domain: only for domains with MX. The
    // policy fetch leaves as soon as the MX set is read (beside the MX hosts' addresses and
    // the SPF walk, which it does not need); the port-25 conversations once the hosts resolve.
    // `--zone` audits are offline for mail: no policy fetch, no port-25 conversation.
    let offline = ctx.resolver.is_offline();
    let mail = async {
        let mut mx = mx_records(resolver, &domain).await;
        if !receives(&mx) {
            return (mx, None, None);
        }
        let exchanges = mx.exchanges.clone();
        let (sts, tls) = tokio::join!(observe_mta_sts(ctx, &domain, &exchanges), async {
            resolve_mx_hosts(resolver, &mut mx).await;
            match offline {
                true => None,
                false => Some(super::mx_tls::observe_mx_tls(ctx, &mx).await),
            }
        });
        (mx, Some(sts), tls)
    };
    let (spf, dmarc, dkim, (mx, mta_sts, mx_tls), tls_rpt) = tokio::join!(
        tree::walk_tree(resolver, &domain),
        observe_dmarc(resolver, &domain),
        observe_dkim(resolver, &domain, &ctx.target.dkim_selectors),
        mail,
        observe_tls_rpt(resolver, &domain),
    );
    let receives = receives(&mx);
    EmailObservation {
        domain,
        sends_mail: ctx.target.sends_mail != Some(false),
        spf: Some(spf),
        dmarc: Some(dmarc),
        dkim: Some(dkim),
        mx: Some(mx),
        mta_sts,
        tls_rpt: receives.then_some(tls_rpt),
        mx_not_contacted: (receives && offline)
            .then(|| crate::net::dns::offline("the mail servers are not contacted on port 25")),
        mx_tls,
    }
}
