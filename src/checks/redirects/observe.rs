//! The redirect probes: four chains followed by hand, hop by hop, on the audited hosts; and
//! the same chains on each address of the apex, www and each subdomain (round-robin DNS),
//! all at once.

use super::*;
use crate::net::nodes;
use futures_util::future::join_all;
use std::net::IpAddr;

/// A www chain that fails only because www does not exist is the dns stage's finding.
fn www_exists(c: &Chain) -> bool {
    !matches!(&c.error, Some(HttpError::Resolve(_)))
}

/// The host's http:// and https:// start URLs, each followed on every chosen address of
/// `host` (its name pinned to the address on ports 80 and 443, through `--connect-to`). A
/// host that a `--connect-to` rule pins, or with one address, gives none.
async fn node_chains(
    ctx: &Context,
    host: &str,
    starts: [&str; 2],
    notes: &mut Vec<String>,
) -> Vec<NodeChain> {
    let (on80, on443) = tokio::join!(
        nodes::addresses(&ctx.resolver, &ctx.connect_to, host, 80),
        nodes::addresses(&ctx.resolver, &ctx.connect_to, host, 443),
    );
    if on80.cut > 0 {
        notes.push(format!(
            "{host} publishes {} more addresses than the {} per family probed one by one: those were not followed on their own",
            on80.cut,
            nodes::MAX_PER_HOST
        ));
    }
    let domain = &ctx.target.domain;
    let audited = |u: &str| ctx.target.audits(u);
    let probes = on80.chosen.iter().map(|(ip, to80)| {
        let to443 = on443
            .chosen
            .iter()
            .find(|(i, _)| i == ip)
            .map_or_else(|| std::net::SocketAddr::new(*ip, 443), |(_, t)| *t);
        let client = ctx.http.pinned(host, &[(80, *to80), (443, to443)]);
        // Two connections to the node's HTTPS, opened now: one for the https:// start, one
        // for the http:// start's redirect to it (it would otherwise wait for a handshake of
        // its own after the first hop).
        if let Some(https) = starts.iter().find(|u| u.starts_with("https://")) {
            client.preconnect(https, 2);
        }
        let audited = &audited;
        async move {
            let chains = join_all(
                starts
                    .iter()
                    .map(|u| client.follow_on_hosts(u, MAX_HOPS, audited, domain)),
            )
            .await;
            chains
                .into_iter()
                .map(|chain| NodeChain { ip: *ip, chain })
                .collect::<Vec<_>>()
        }
    });
    join_all(probes).await.into_iter().flatten().collect()
}

/// Whether a node's chain answered like its host's: the same hops on the audited hosts
/// (status and target) and the same end — the same off-site URL (node chains do not ask it),
/// or the same answer or failure.
fn alike(host: &Chain, node: &Chain) -> bool {
    let hops = |c: &Chain| -> Vec<(u16, Option<String>)> {
        c.hops
            .iter()
            .filter(|h| c.off_site.as_deref() != Some(h.url.as_str()))
            .map(|h| (h.status, h.location.clone()))
            .collect()
    };
    let end = |c: &Chain| {
        (
            c.last.as_ref().map(|r| r.status.as_u16()),
            c.error.as_ref().map(std::mem::discriminant),
            c.looped,
            c.too_long,
        )
    };
    let same_end = match (&host.off_site, &node.off_site) {
        (Some(a), Some(b)) => a == b,
        (None, None) => end(host) == end(node),
        _ => false,
    };
    hops(host) == hops(node) && same_end
}

/// The addresses of `host` probed one by one, sorted (empty: at most one, or pinned).
async fn address_set(ctx: &Context, host: &str) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = nodes::each_address(&ctx.resolver, &ctx.connect_to, host, 80)
        .await
        .into_iter()
        .map(|(ip, _)| ip)
        .collect();
    ips.sort_unstable();
    ips
}

/// The subdomains whose addresses are probed one by one: those with more than one address
/// that is not the set of the apex, www or an earlier subdomain (a subdomain that is a
/// CNAME to the apex runs on the machines the apex's node chains already asked), at most
/// [`MAX_SUBDOMAINS`]. The resolver caches every answer: the probes ask it again for free.
async fn subdomains_to_split<'a>(
    ctx: &'a Context,
    www: &str,
    notes: &mut Vec<String>,
) -> Vec<&'a str> {
    let domain = ctx.target.domain.as_str();
    let names: Vec<&str> = ctx
        .target
        .subdomains
        .iter()
        .map(String::as_str)
        .filter(|s| *s != domain && *s != www)
        .collect();
    let (apex, www, sets) = tokio::join!(
        address_set(ctx, domain),
        address_set(ctx, www),
        join_all(names.iter().map(|s| address_set(ctx, s))),
    );
    let mut seen = vec![apex, www];
    let (mut picked, mut cut) = (Vec::new(), 0);
    for (name, set) in names.into_iter().zip(sets) {
        if set.len() < 2 || seen.contains(&set) {
            continue;
        }
        if picked.len() == MAX_SUBDOMAINS {
            cut += 1;
            continue;
        }
        seen.push(set);
        picked.push(name);
    }
    if cut > 0 {
        notes.push(format!(
            "{cut} more subdomain(s) with addresses of their own than the {MAX_SUBDOMAINS} followed address by address: their nodes were not compared"
        ));
    }
    picked
}

/// A subdomain's own http:// and https:// chains (the base its nodes are compared with) and
/// its chains on each of its addresses.
async fn subdomain_nodes(ctx: &Context, host: &str) -> (Vec<Chain>, Vec<NodeChain>, Vec<String>) {
    let mut notes = Vec::new();
    let starts = [
        format!("http://{host}{PROBE_PATH}"),
        format!("https://{host}{PROBE_PATH}"),
    ];
    let domain = &ctx.target.domain;
    let audited = |u: &str| ctx.target.audits(u);
    let (own, nodes) = tokio::join!(
        join_all(
            starts
                .iter()
                .map(|u| ctx.http.follow_within(u, MAX_HOPS, &[], &audited, domain))
        ),
        node_chains(ctx, host, [&starts[0], &starts[1]], &mut notes),
    );
    (own, nodes, notes)
}

pub async fn observe(ctx: &Context, notes: &mut Vec<String>) -> RedirectObservation {
    let domain = ctx.target.domain.clone();
    let www = format!("www.{domain}");
    let starts = [
        format!("http://{domain}{PROBE_PATH}"),
        format!("http://{www}{PROBE_PATH}"),
        format!("https://{domain}{PROBE_PATH}"),
        format!("https://{www}{PROBE_PATH}"),
    ];
    let audited = |u: &str| ctx.target.audits(u);
    let (mut apex_notes, mut www_notes, mut split_notes) = (Vec::new(), Vec::new(), Vec::new());
    let subdomains = async {
        let split = subdomains_to_split(ctx, &www, &mut split_notes).await;
        join_all(split.into_iter().map(|s| subdomain_nodes(ctx, s))).await
    };
    let (mut chains, apex_nodes, www_nodes, subdomains) = tokio::join!(
        join_all(starts.iter().map(|u| ctx.http.follow_within(
            u,
            MAX_HOPS,
            &[],
            &audited,
            &domain
        )),),
        node_chains(ctx, &domain, [&starts[0], &starts[2]], &mut apex_notes),
        node_chains(ctx, &www, [&starts[1], &starts[3]], &mut www_notes),
        subdomains,
    );
    notes.extend(apex_notes.into_iter().chain(www_notes).chain(split_notes));
    let (mut subdomain_chains, mut subdomain_node_chains) = (Vec::new(), Vec::new());
    for (own, nodes, sub_notes) in subdomains {
        subdomain_chains.extend(own);
        subdomain_node_chains.extend(nodes);
        notes.extend(sub_notes);
    }
    let https_www = chains.pop().filter(www_exists);
    let https_apex = chains.pop().unwrap_or_else(|| Chain::new(&starts[2]));
    let http_www = chains.pop().filter(www_exists);
    let http_apex = chains.pop().unwrap_or_else(|| Chain::new(&starts[0]));
    let from_here = match &https_apex.error {
        Some(e) if https_apex.hops.is_empty() => ctx.http.blind_from_here(e).await,
        _ => None,
    };
    let mut obs = RedirectObservation {
        domain,
        http_apex,
        http_www,
        https_apex,
        https_www,
        from_here,
        subdomains: subdomain_chains,
        nodes: Vec::new(),
    };
    if obs.from_here.is_none() {
        let mut differing = Vec::new();
        let mut noted = std::collections::HashSet::new();
        for n in apex_nodes
            .into_iter()
            .chain(www_nodes)
            .chain(subdomain_node_chains)
        {
            let Some(host) = obs.host_chain(&n.chain.start) else {
                continue;
            };
            if alike(host, &n.chain) {
                continue;
            }
            // One note per address: its other chains failed the same way.
            if let Some(note) = node_note(n.ip, &n.chain) {
                if noted.insert(n.ip) {
                    notes.push(note);
                }
            }
            differing.push(n);
        }
        obs.nodes = differing;
    }
    obs
}

/// The stage note for a node chain that other stages judge (a certificate, a dead AAAA).
fn node_note(ip: IpAddr, c: &Chain) -> Option<String> {
    let (Some(e), Some(url)) = (&c.error, &c.failed_at) else {
        return None;
    };
    match e {
        HttpError::Tls(_) => Some(format!(
            "{url} on {ip}: {e} (the tls stage judges the certificate)"
        )),
        HttpError::Connect(_) | HttpError::Timeout if ip.is_ipv6() && c.hops.is_empty() => Some(
            format!("{url} on {ip}: {e} (a dead AAAA is dns.aaaa.unreachable)"),
        ),
        _ => None,
    }
}
