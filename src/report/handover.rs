//! The handover (Markdown and HTML) as plain data, built once: the ranked risks grouped by
//! check, the accepted risks, and the inventory a founder needs to operate the site (DNS map,
//! certificates, email authentication, redirect chains, latency). Each renderer only escapes
//! and lays it out; nothing here is escaped yet.

use super::Report;
use crate::finding::Finding;

/// A table cell: text from the target (escaped as text), a value shown as code, or text we
/// wrote whose `code spans` stay code.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Code(String),
    Ours(String),
}

pub struct Table {
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

/// One inventory section: a title, a sentence that says what it shows, and its tables (each
/// with an optional caption).
pub struct Section {
    pub title: &'static str,
    pub intro: String,
    pub tables: Vec<(&'static str, Table)>,
}

/// One ranked check: every finding of it that is not suppressed (all its subjects), and its
/// fix once, tailored to the audited domain.
pub struct Risk<'a> {
    pub findings: Vec<&'a Finding>,
    pub fix: String,
}

impl Risk<'_> {
    pub fn first(&self) -> &Finding {
        self.findings[0]
    }
}

/// The open findings grouped by check, in rank order (the report's findings are ranked).
pub fn risks(report: &Report) -> Vec<Risk<'_>> {
    let mut groups: Vec<Risk<'_>> = Vec::new();
    for f in report.findings.iter().filter(|f| !f.suppressed) {
        match groups.iter_mut().find(|g| g.first().id == f.id) {
            Some(g) => g.findings.push(f),
            None => groups.push(Risk {
                findings: vec![f],
                fix: report.fix_for(f),
            }),
        }
    }
    groups
}

/// A suppressed finding with its reason and expiry taken apart (`REASON (until DATE)`).
pub struct Accepted<'a> {
    pub finding: &'a Finding,
    pub reason: String,
    pub expires: String,
}

pub fn accepted(report: &Report) -> Vec<Accepted<'_>> {
    report
        .findings
        .iter()
        .filter(|f| f.suppressed)
        .map(|f| {
            let text = f
                .suppression
                .as_deref()
                .unwrap_or("suppressed in launchready.toml");
            let (reason, expires) = match text.rsplit_once(" (until ") {
                Some((r, d)) if d.ends_with(')') => (r, d.trim_end_matches(')')),
                _ => (text, "—"),
            };
            Accepted {
                finding: f,
                reason: reason.to_string(),
                expires: expires.to_string(),
            }
        })
        .collect()
}

/// `2026-11-29T22:00:00Z` as `2026-11-29 22:00:00 UTC`; anything else as it is.
pub fn when(rfc3339: &str) -> String {
    match rfc3339.strip_suffix('Z').and_then(|s| s.split_once('T')) {
        Some((d, t)) => format!("{d} {t} UTC"),
        None => rfc3339.to_string(),
    }
}

/// With `--baseline`: the file, the findings new since then (id, subject) and those fixed.
pub struct Changes<'a> {
    pub file: String,
    pub new: Vec<&'a Finding>,
    pub unchanged: u64,
    pub fixed: Vec<(String, String)>,
}

pub fn changes(report: &Report) -> Option<Changes<'_>> {
    let b = report.baseline.as_ref()?;
    let fixed = b["fixed"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
                    (s("id"), s("subject"))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Changes {
        file: b["file"].as_str().unwrap_or("the baseline").to_string(),
        // After `apply_baseline` the report holds only what is new.
        new: report.findings.iter().collect(),
        unchanged: b["unchanged"].as_u64().unwrap_or(0),
        fixed,
    })
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn code(s: impl Into<String>) -> Cell {
    Cell::Code(s.into())
}

/// A JSON scalar as text: strings as they are, null as empty.
fn ms(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// Every inventory section that has something to show, in reading order.
pub fn inventory(report: &Report) -> Vec<Section> {
    [
        dns_map(report),
        certificates(report),
        email_auth(report),
        redirects(report),
        latency(report),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn dns_map(report: &Report) -> Option<Section> {
    let dns = report.inventory.dns.as_ref()?;
    let mut records: Vec<_> = dns.records.iter().collect();
    records.sort_by(|a, b| (&a.name, &a.rtype, &a.data).cmp(&(&b.name, &b.rtype, &b.data)));
    let rows = records
        .iter()
        .map(|r| {
            vec![
                text(&r.name),
                text(&r.rtype),
                text(r.ttl.to_string()),
                code(&r.data),
            ]
        })
        .collect();
    let ns = dns
        .nameservers
        .iter()
        .map(|n| vec![text(&n.name), text(n.addresses.join(", ")), text(&n.status)])
        .collect();
    let mut tables = vec![(
        "Records",
        Table {
            headers: &["Name", "Type", "TTL", "Data"],
            rows,
        },
    )];
    if !dns.nameservers.is_empty() {
        tables.push((
            "Nameservers",
            Table {
                headers: &["Nameserver", "Addresses", "Status"],
                rows: ns,
            },
        ));
    }
    Some(Section {
        title: "DNS map",
        intro: format!(
            "Every record seen, by name (zone {}, resolver {}){}.",
            if dns.zone.is_empty() { "?" } else { &dns.zone },
            dns.resolver,
            match &dns.caa {
                Some(owner) => format!("; CAA published at {owner}"),
                None => "; no CAA record".to_string(),
            }
        ),
        tables,
    })
}

fn certificates(report: &Report) -> Option<Section> {
    let certs = &report.inventory.certificates;
    if certs.is_empty() {
        return None;
    }
    let rows = certs
        .iter()
        .map(|c| {
            vec![
                text(c.hosts.join(", ")),
                text(c.role.to_string()),
                text(c.subject.clone()),
                text(c.issuer.clone()),
                text(c.expires.clone()),
                text(c.days_left.to_string()),
                text(c.key.clone()),
            ]
        })
        .collect();
    Some(Section {
        title: "Certificates",
        intro: "One row per certificate, with every host that served it.".into(),
        tables: vec![(
            "",
            Table {
                headers: &[
                    "Hosts",
                    "Role",
                    "Subject",
                    "Issuer",
                    "Expires",
                    "Days left",
                    "Key",
                ],
                rows,
            },
        )],
    })
}

fn email_auth(report: &Report) -> Option<Section> {
    use crate::checks::email::{DkimKeySummary, DmarcParsed};
    let e = report.inventory.email.as_ref()?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    match &e.spf {
        Some(spf) => {
            rows.push(vec![
                text("SPF record"),
                code(spf.record.clone().unwrap_or_default()),
            ]);
            rows.push(vec![
                text("SPF result"),
                text(format!(
                    "{}; {} of 10 DNS lookups, {} void",
                    spf.tree.status, spf.dns_lookups, spf.void_lookups
                )),
            ]);
        }
        None => rows.push(vec![text("SPF"), text("no record")]),
    }
    let dmarc = match e
        .dmarc
        .as_ref()
        .and_then(|d| d.parsed.as_ref().map(|p| (d, p)))
    {
        Some((
            d,
            DmarcParsed::Policy {
                policy,
                subdomain_policy,
                pct,
                rua,
                ..
            },
        )) => format!(
            "p={policy}{}, pct={pct}, reports to {} (at {})",
            subdomain_policy
                .map(|s| format!(", sp={s}"))
                .unwrap_or_default(),
            if rua.is_empty() {
                "nobody".to_string()
            } else {
                rua.join(", ")
            },
            d.found_at.as_deref().unwrap_or(&d.name),
        ),
        Some((_, DmarcParsed::Error { error })) => format!("invalid: {error}"),
        None => "no record".into(),
    };
    rows.push(vec![text("DMARC policy"), text(dmarc)]);
    let dkim: Vec<String> = e
        .dkim
        .iter()
        .map(|d| match &d.key {
            DkimKeySummary::Key {
                key_type,
                bits,
                revoked,
                testing,
            } => format!(
                "{} ({key_type}{}{}{})",
                d.selector,
                bits.map(|b| format!(" {b}")).unwrap_or_default(),
                if *revoked { ", revoked" } else { "" },
                if *testing { ", testing" } else { "" },
            ),
            DkimKeySummary::Error { error } => format!("{} (invalid: {error})", d.selector),
        })
        .collect();
    rows.push(vec![
        text("DKIM selectors found"),
        text(if dkim.is_empty() {
            "none among the selectors tried".to_string()
        } else {
            dkim.join(", ")
        }),
    ]);
    let mx: Vec<String> =
        e.mx.iter()
            .map(|m| format!("{} {}", m.preference, m.exchange))
            .collect();
    rows.push(vec![
        text("MX"),
        text(if e.null_mx {
            "null MX (the domain sends and receives no mail)".to_string()
        } else if mx.is_empty() {
            "none".to_string()
        } else {
            mx.join(", ")
        }),
    ]);
    let sts = match &e.mta_sts {
        Some(s) => match (&s.record, &s.policy) {
            (Some(r), Some(p)) => format!("{r}; policy mode {}, max_age {}", p.mode, p.max_age),
            (Some(r), None) => format!("{r}; no valid policy file"),
            (None, _) => "not published".into(),
        },
        None => "not checked".into(),
    };
    rows.push(vec![text("MTA-STS"), text(sts)]);
    let rpt = match e.tls_rpt.as_ref().map(|t| t.record.as_deref()) {
        Some(Some(r)) => r.to_string(),
        Some(None) => "not published".into(),
        None => "not checked".into(),
    };
    rows.push(vec![text("TLS-RPT"), text(rpt)]);
    Some(Section {
        title: "Email authentication",
        intro: "Who may send mail as the domain, and what receivers are told to do with the rest."
            .into(),
        tables: vec![(
            "",
            Table {
                headers: &["Item", "Value"],
                rows,
            },
        )],
    })
}

fn redirects(report: &Report) -> Option<Section> {
    let chains = report
        .inventory
        .redirects
        .as_ref()
        .filter(|a| !a.is_empty())?;
    let rows = chains
        .iter()
        .map(|c| {
            let mut notes: Vec<String> = c.error.iter().cloned().collect();
            if let Some(off) = &c.off_site {
                notes.push(format!("leaves the site for {off}"));
            }
            vec![
                text(c.start.clone()),
                text(c.chain.clone()),
                text(notes.join("; ")),
            ]
        })
        .collect();
    Some(Section {
        title: "Redirect chains",
        intro: "Every chain followed from each starting URL, hop by hop.".into(),
        tables: vec![(
            "",
            Table {
                headers: &["Start", "Chain", "Note"],
                rows,
            },
        )],
    })
}

fn latency(report: &Report) -> Option<Section> {
    if report.latency.is_empty() {
        return None;
    }
    let rows = report
        .latency
        .iter()
        .map(|l| {
            vec![
                text(&l.endpoint),
                text(l.load()),
                text(l.requests.to_string()),
                text(l.errors.to_string()),
                text(ms(l.p50_ms)),
                text(ms(l.p95_ms)),
                text(ms(l.p99_ms)),
                text(ms(l.max_ms)),
                text(l.budget_ms.to_string()),
            ]
        })
        .collect();
    let first = report
        .inventory
        .latency
        .as_ref()
        .and_then(|l| l.first_request.as_ref());
    Some(Section {
        title: "Latency",
        intro: match first {
            Some(p) => format!(
                "Per endpoint and load, in milliseconds. First request to {}: DNS {} ms, connect {} ms, TLS {} ms, first byte {} ms, total {} ms.",
                p.url,
                ms(p.dns_ms),
                ms(p.connect_ms),
                p.tls_ms.map(ms).unwrap_or_else(|| "—".into()),
                ms(p.ttfb_ms),
                ms(p.total_ms)
            ),
            None => "Per endpoint and load, in milliseconds.".into(),
        },
        tables: vec![(
            "",
            Table {
                headers: &[
                    "Endpoint", "Load", "Requests", "Errors", "p50", "p95", "p99", "max", "Budget",
                ],
                rows,
            },
        )],
    })
}

/// The latency percentiles as an inline SVG bar chart: per level, p50/p95/p99 on one scale,
/// the budget as a dashed line. It scales to its container (no fixed width). `esc` escapes
/// text for XML.
pub fn latency_svg(report: &Report, esc: fn(&str) -> String) -> Option<String> {
    if report.latency.is_empty() {
        return None;
    }
    const W: f64 = 640.0;
    const LEFT: f64 = 40.0;
    const RIGHT: f64 = 90.0;
    const ROW: f64 = 50.0;
    let top = report
        .latency
        .iter()
        .map(|l| l.p99_ms.max(l.budget_ms as f64))
        .fold(1.0_f64, f64::max)
        * 1.05;
    let x = |v: f64| LEFT + (W - LEFT - RIGHT) * (v / top).clamp(0.0, 1.0);
    let h = 20.0 + ROW * report.latency.len() as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"Latency percentiles per endpoint and load\" xmlns=\"http://www.w3.org/2000/svg\">\n\
<text x=\"0\" y=\"12\" font-size=\"11\" fill=\"#555\">p50 · p95 · p99 in ms; dashed line: budget</text>\n"
    );
    for (i, l) in report.latency.iter().enumerate() {
        let y0 = 20.0 + ROW * i as f64;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{:.0}\" font-size=\"12\" font-weight=\"600\">{} · {}</text>\n",
            y0 + 12.0,
            esc(&l.endpoint),
            esc(&l.load())
        ));
        for (j, (name, v, color)) in [
            ("p50", l.p50_ms, "#4e79a7"),
            ("p95", l.p95_ms, "#f28e2b"),
            ("p99", l.p99_ms, "#e15759"),
        ]
        .into_iter()
        .enumerate()
        {
            let y = y0 + 17.0 + 10.0 * j as f64;
            let end = x(v);
            svg.push_str(&format!(
                "<text x=\"0\" y=\"{:.0}\" font-size=\"9\">{name}</text><rect x=\"{LEFT}\" y=\"{y:.0}\" width=\"{:.1}\" height=\"8\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.0}\" font-size=\"9\">{} ms</text>\n",
                y + 8.0,
                (end - LEFT).max(1.0),
                end + 4.0,
                y + 8.0,
                ms(v)
            ));
        }
        let b = x(l.budget_ms as f64);
        svg.push_str(&format!(
            "<line x1=\"{b:.1}\" y1=\"{:.0}\" x2=\"{b:.1}\" y2=\"{:.0}\" stroke=\"#222\" stroke-dasharray=\"3 2\"/>\n",
            y0 + 15.0,
            y0 + 47.0
        ));
    }
    svg.push_str("</svg>\n");
    Some(svg)
}
