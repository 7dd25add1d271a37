//! The `email` stage: SPF (the whole include/redirect tree, walked with the RFC 7208 engine),
//! DMARC (with the organizational-domain fallback), DKIM keys under the configured and the
//! common providers' selectors, MX, MTA-STS and TLS-RPT. The inventory lists the SPF tree, the
//! DMARC policy and every DKIM key found. `launchready lint` runs the same checks over one
//! record that is not published yet.

use super::StageOutput;
use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Outcomes, Stage};
use crate::email::dkim::{self, DkimError, DkimKey};
use crate::email::dmarc::{self, Dmarc, DmarcError, Policy};
use crate::email::mtasts::{self, StsPolicy};
use crate::finding::{Finding, Impact, Severity};
use crate::net::dns::{DnsError, Resolver};
use crate::spf::eval::{query_name, txt_records};
use crate::spf::tree::{self, Status, Tree};
use crate::spf::MAX_DNS_TERMS;
use futures_util::future::join_all;
use hickory_proto::rr::{RData, RecordType};
use serde_json::{json, Value};

/// What a TXT lookup gave.
#[derive(Debug, Clone)]
pub enum Txt {
    /// The TXT records (character-strings joined), possibly none.
    Records(Vec<String>),
    /// The resolver could not tell (DNS error, outside the zone file).
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct DmarcObservation {
    /// Where the record was looked for first: `_dmarc.<domain>`.
    pub name: String,
    /// Where it was found (the domain's or the organizational domain's `_dmarc`).
    pub found_at: Option<String>,
    /// The DMARC records at that name.
    pub records: Vec<String>,
    pub parsed: Option<Result<Dmarc, DmarcError>>,
    /// Report destinations outside the organizational domain without their authorization
    /// record: `(uri, the name that should hold v=DMARC1)`.
    pub unauthorized: Vec<(String, String)>,
    pub unknown: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DkimFound {
    pub selector: String,
    pub name: String,
    pub record: String,
    pub key: Result<DkimKey, DkimError>,
}

#[derive(Debug, Clone)]
pub struct DkimObservation {
    pub selectors: Vec<String>,
    pub found: Vec<DkimFound>,
    /// No selector could be asked (DNS errors, offline).
    pub unknown: bool,
    /// `(name, why)` for each selector whose lookup failed: a key may hide there.
    pub failed: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct MxObservation {
    pub exchanges: Vec<(u16, String)>,
    /// RFC 7505: a single MX with the root as exchange: the domain accepts no mail.
    pub null_mx: bool,
    /// Exchanges that do not resolve, with why.
    pub unresolvable: Vec<(String, String)>,
    /// Exchanges whose address lookups failed (timeout, SERVFAIL), with why.
    pub unknown_hosts: Vec<(String, String)>,
    pub unknown: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StsObservation {
    pub name: String,
    pub record: Option<String>,
    /// What is wrong with the record or the policy, when something is.
    pub problem: Option<String>,
    pub policy: Option<StsPolicy>,
    pub policy_url: String,
    /// The policy could not be fetched at all (connection, TLS): the tls stage owns those
    /// faults, so this is a note, not a finding.
    pub fetch_error: Option<String>,
    pub unknown: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TlsRptObservation {
    pub name: String,
    pub record: Option<String>,
    pub problem: Option<String>,
    pub unknown: Option<String>,
}

/// Everything the email probes saw. A part that was not looked at (lint of another kind,
/// MTA-STS for a domain without MX) is `None`, and its checks stay silent.
#[derive(Debug, Clone, Default)]
pub struct EmailObservation {
    pub domain: String,
    pub sends_mail: bool,
    pub spf: Option<Tree>,
    pub dmarc: Option<DmarcObservation>,
    pub dkim: Option<DkimObservation>,
    pub mx: Option<MxObservation>,
    pub mta_sts: Option<StsObservation>,
    pub tls_rpt: Option<TlsRptObservation>,
}

fn txt_subject(name: &str) -> String {
    format!("{name} TXT")
}

// ---------------------------------------------------------------------------------------
// The checks: one unit per id.

pub struct SpfMissing;
static SPF_MISSING: CheckDoc = CheckDoc {
    id: "email.spf.missing",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "No SPF record",
    catches: "The domain has no TXT record starting with `v=spf1` (RFC 7208 §4.5): check_host() returns none.",
    why: "Without SPF, receivers cannot tell your password resets and invites from forgeries: Gmail and Yahoo require SPF or DKIM from every sender and SPF plus DKIM plus DMARC from bulk senders, so your mail lands in spam — and anyone can send as your domain.",
    fix: "Publish one TXT record at the domain listing who sends for you, e.g. `v=spf1 include:_spf.google.com -all`. A domain that sends no mail publishes `v=spf1 -all`.",
    refs: &["RFC 7208 §4.5", "https://support.google.com/a/answer/81126"],
};
impl Check<EmailObservation> for SpfMissing {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(t) = &o.spf {
            if let Status::Missing(why) = &t.root.status {
                out.push(self.doc().finding(txt_subject(&o.domain), why.clone()));
            }
        }
    }
}

pub struct SpfMultiple;
static SPF_MULTIPLE: CheckDoc = CheckDoc {
    id: "email.spf.multiple",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "More than one SPF record",
    catches: "A name in the SPF tree (the domain or an include) has two or more `v=spf1` TXT records.",
    why: "RFC 7208 §4.5 makes that a permerror: receivers treat the domain as having a broken SPF, so mail fails authentication. It usually happens when a second provider's setup guide says \"add this TXT record\" instead of merging.",
    fix: "Merge the records into one: one `v=spf1`, every `include:`/`ip4:` from both, and a single `-all` or `~all` at the end. Delete the others.",
    refs: &["RFC 7208 §4.5", "RFC 7208 §3.2"],
};
impl Check<EmailObservation> for SpfMultiple {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_MULTIPLE
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for (name, n) in o.spf.iter().flat_map(|t| &t.multiple) {
            out.push(self.doc().finding(
                txt_subject(name),
                format!("{name} has {n} v=spf1 TXT records; exactly one is allowed"),
            ));
        }
    }
}

pub struct SpfSyntax;
static SPF_SYNTAX: CheckDoc = CheckDoc {
    id: "email.spf.syntax",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "SPF record has a syntax error",
    catches: "A record in the SPF tree does not follow the RFC 7208 grammar: an unknown mechanism, a bad IP or prefix length, a malformed macro, `redirect`/`exp` twice, non-ASCII or control characters.",
    why: "Any syntax error anywhere in the record makes check_host() a permerror before a single mechanism is tried (RFC 7208 §4.6): receivers see broken SPF and your mail fails authentication.",
    fix: "Correct the term the evidence names and check it with `launchready lint spf 'RECORD'` before publishing. Common slips: `ip4:` with a host name, `include=` instead of `include:`, a missing space.",
    refs: &["RFC 7208 §4.6", "RFC 7208 §12 (ABNF)"],
};
impl Check<EmailObservation> for SpfSyntax {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_SYNTAX
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for (name, e) in o.spf.iter().flat_map(|t| &t.syntax) {
            out.push(self.doc().finding(txt_subject(name), e.clone()));
        }
    }
}

pub struct SpfTooManyLookups;
static SPF_TOO_MANY_LOOKUPS: CheckDoc = CheckDoc {
    id: "email.spf.too-many-lookups",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "SPF needs more than 10 DNS lookups",
    catches: "The terms that cause DNS lookups (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) over the whole include/redirect tree number more than 10, or an include loop makes them unbounded.",
    why: "RFC 7208 §4.6.4 caps an evaluation at 10; beyond it receivers return permerror and your mail fails SPF. Chains grow silently: every provider's include pulls in its own includes.",
    fix: "Remove includes of services you no longer use, replace `a`/`mx`/`ptr` with `ip4:`/`ip6:` ranges, or move a sending service to a subdomain with its own SPF. Keep a margin: providers add includes without notice.",
    refs: &["RFC 7208 §4.6.4"],
};
impl Check<EmailObservation> for SpfTooManyLookups {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_TOO_MANY_LOOKUPS
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        let Some(t) = &o.spf else { return };
        if !t.loops.is_empty() {
            out.push(self.doc().finding(
                txt_subject(&o.domain),
                format!(
                    "unbounded: the include/redirect chain loops ({}), so every evaluation that reaches it exceeds {MAX_DNS_TERMS} lookups",
                    t.loops[0].join(" → ")
                ),
            ));
        } else if t.total_lookups > MAX_DNS_TERMS as usize {
            out.push(self.doc().finding(
                txt_subject(&o.domain),
                format!(
                    "{} DNS-querying terms over the include tree (limit {MAX_DNS_TERMS})",
                    t.total_lookups
                ),
            ));
        }
    }
}

pub struct SpfVoidLookups;
static SPF_VOID_LOOKUPS: CheckDoc = CheckDoc {
    id: "email.spf.void-lookups",
    stage: Stage::Email,
    severity: Severity::Medium,
    impact: Impact::Email,
    title: "SPF makes more than 2 void lookups",
    catches: "More than two `a`, `mx` or `exists` terms in the SPF tree look up names that do not exist or have no record of the type asked.",
    why: "RFC 7208 §4.6.4 lets receivers stop at two void lookups with a permerror, to blunt DNS abuse; stale `a:` and `mx:` entries for retired hosts are the usual cause, and they make SPF fail for everyone.",
    fix: "Remove the terms that point at names which no longer exist (the evidence lists them).",
    refs: &["RFC 7208 §4.6.4"],
};
impl Check<EmailObservation> for SpfVoidLookups {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_VOID_LOOKUPS
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        let Some(t) = &o.spf else { return };
        if t.voids.len() > crate::spf::MAX_VOID_LOOKUPS as usize {
            out.push(self.doc().finding(
                txt_subject(&o.domain),
                format!(
                    "{} void lookups (limit 2): {}",
                    t.voids.len(),
                    t.voids.join("; ")
                ),
            ));
        }
    }
}

pub struct SpfPermissive;
static SPF_PERMISSIVE: CheckDoc = CheckDoc {
    id: "email.spf.permissive",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "SPF allows anyone to send (`+all` / `?all`)",
    catches: "The record ends in `+all` (every IP on the internet passes) or `?all` (neutral: SPF says nothing), or an included record has `+all`.",
    why: "`+all` authorizes every spammer to send as you; `?all` gives receivers no verdict, so forged mail is judged on content alone and DMARC cannot rely on SPF.",
    fix: "End the record with `-all` (or `~all` while you roll out DMARC) after listing every legitimate sender.",
    refs: &["RFC 7208 §5.1", "RFC 7208 §8.1"],
};
impl Check<EmailObservation> for SpfPermissive {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_PERMISSIVE
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for (name, term) in o.spf.iter().flat_map(|t| &t.permissive) {
            out.push(self.doc().finding(
                txt_subject(name),
                format!("{name} ends its SPF record with `{term}`"),
            ));
        }
    }
}

pub struct SpfIncludeMissing;
static SPF_INCLUDE_MISSING: CheckDoc = CheckDoc {
    id: "email.spf.include-missing",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "SPF includes a name without an SPF record",
    catches: "An `include:` or `redirect=` target does not exist or publishes no `v=spf1` record.",
    why: "RFC 7208 §5.2 and §6.1 make that a permerror the moment an evaluation reaches it: usually a provider you left, or a typo in its include host, and every message from a server listed after it fails SPF.",
    fix: "Fix the include host (copy it from the provider's current docs) or remove it if you no longer use that service.",
    refs: &["RFC 7208 §5.2", "RFC 7208 §6.1"],
};
impl Check<EmailObservation> for SpfIncludeMissing {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_INCLUDE_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for (from, term, target, why) in o.spf.iter().flat_map(|t| &t.missing) {
            out.push(self.doc().finding(
                txt_subject(target),
                format!("`{term}` in the record of {from}: {why}"),
            ));
        }
    }
}

pub struct SpfIncludeLoop;
static SPF_INCLUDE_LOOP: CheckDoc = CheckDoc {
    id: "email.spf.include-loop",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "SPF include/redirect chain loops",
    catches: "A record includes or redirects to a name that is already on its own include path.",
    why: "An evaluation that reaches the loop runs into the 10-lookup limit of RFC 7208 §4.6.4 and ends in permerror, so the mail fails SPF.",
    fix: "Break the cycle: a record must never include (directly or through others) itself. Usually one of the two names should list `ip4:`/`ip6:` ranges instead.",
    refs: &["RFC 7208 §4.6.4", "RFC 7208 §5.2"],
};
impl Check<EmailObservation> for SpfIncludeLoop {
    fn doc(&self) -> &'static CheckDoc {
        &SPF_INCLUDE_LOOP
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(path) = o.spf.iter().flat_map(|t| &t.loops).next() {
            let at = path.last().cloned().unwrap_or_default();
            out.push(
                self.doc()
                    .finding(txt_subject(&at), format!("loop: {}", path.join(" → "))),
            );
        }
    }
}

pub struct DmarcMissing;
static DMARC_MISSING: CheckDoc = CheckDoc {
    id: "email.dmarc.missing",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "No DMARC record",
    catches: "Neither `_dmarc.<domain>` nor `_dmarc.<organizational domain>` (Public Suffix List) has a `v=DMARC1` TXT record.",
    why: "Gmail and Yahoo require DMARC from bulk senders since 2024 and rank unauthenticated mail down; without it nothing tells receivers to reject forgeries of your domain, the raw material of phishing your users.",
    fix: "Publish a TXT record at `_dmarc.<domain>`: start with `v=DMARC1; p=none; rua=mailto:dmarc@<domain>` to collect reports, then move to `p=quarantine` and `p=reject`.",
    refs: &["RFC 7489 §6.1", "RFC 7489 §6.6.3", "https://support.google.com/a/answer/81126"],
};
impl Check<EmailObservation> for DmarcMissing {
    fn doc(&self) -> &'static CheckDoc {
        &DMARC_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(d) = &o.dmarc {
            if d.unknown.is_none() && d.records.is_empty() {
                out.push(self.doc().finding(
                    txt_subject(&d.name),
                    format!(
                        "no v=DMARC1 TXT record at {} (nor at the organizational domain)",
                        d.name
                    ),
                ));
            }
        }
    }
}

pub struct DmarcSyntax;
static DMARC_SYNTAX: CheckDoc = CheckDoc {
    id: "email.dmarc.syntax",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "DMARC record is invalid",
    catches: "The DMARC record breaks RFC 7489 §6.4: `v=DMARC1` not first, `p=` missing or not none/quarantine/reject, a bad `rua`/`ruf` URI, `pct` outside 0–100, bad `adkim`/`aspf`/`fo`/`rf`/`ri`, a repeated tag.",
    why: "Receivers discard an invalid record, so the domain behaves as if it had no DMARC at all.",
    fix: "Correct the tag the evidence names; a minimal valid record is `v=DMARC1; p=none; rua=mailto:dmarc@<domain>`. Check it with `launchready lint dmarc 'RECORD'`.",
    refs: &["RFC 7489 §6.3", "RFC 7489 §6.4"],
};
impl Check<EmailObservation> for DmarcSyntax {
    fn doc(&self) -> &'static CheckDoc {
        &DMARC_SYNTAX
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(d) = &o.dmarc {
            if let Some(Err(e)) = &d.parsed {
                let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                out.push(self.doc().finding(txt_subject(&at), e.to_string()));
            }
        }
    }
}

pub struct DmarcMultiple;
static DMARC_MULTIPLE: CheckDoc = CheckDoc {
    id: "email.dmarc.multiple",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "More than one DMARC record",
    catches: "`_dmarc.<domain>` has two or more TXT records starting with `v=DMARC1`.",
    why: "RFC 7489 §6.6.3 tells receivers to ignore DMARC entirely in that case: your policy and reports silently stop.",
    fix: "Merge them into one record and delete the others.",
    refs: &["RFC 7489 §6.6.3"],
};
impl Check<EmailObservation> for DmarcMultiple {
    fn doc(&self) -> &'static CheckDoc {
        &DMARC_MULTIPLE
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(d) = &o.dmarc {
            if d.records.len() > 1 {
                let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                out.push(self.doc().finding(
                    txt_subject(&at),
                    format!(
                        "{} DMARC records: {}",
                        d.records.len(),
                        d.records.join(" | ")
                    ),
                ));
            }
        }
    }
}

pub struct DmarcPolicyNone;
static DMARC_POLICY_NONE: CheckDoc = CheckDoc {
    id: "email.dmarc.policy-none",
    stage: Stage::Email,
    severity: Severity::Medium,
    impact: Impact::Email,
    title: "DMARC policy is p=none (monitoring only)",
    catches: "The DMARC record asks receivers to take no action on mail that fails authentication.",
    why: "p=none is the right first step, but it protects nobody: forged mail from your domain is still delivered. Launch is when phishers start to care about your brand.",
    fix: "Once the aggregate reports show your real senders pass, move to `p=quarantine`, then `p=reject`. Use `pct=` to ramp up gradually.",
    refs: &["RFC 7489 §6.3", "RFC 7489 §7"],
};
impl Check<EmailObservation> for DmarcPolicyNone {
    fn doc(&self) -> &'static CheckDoc {
        &DMARC_POLICY_NONE
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(d) = &o.dmarc {
            if let Some(Ok(p)) = &d.parsed {
                if d.records.len() == 1 && p.p == Policy::None {
                    let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                    out.push(self.doc().finding(txt_subject(&at), d.records[0].clone()));
                }
            }
        }
    }
}

pub struct DmarcNoReports;
static DMARC_NO_REPORTS: CheckDoc = CheckDoc {
    id: "email.dmarc.no-reports",
    stage: Stage::Email,
    severity: Severity::Low,
    impact: Impact::Email,
    title: "DMARC asks for no aggregate reports (no rua)",
    catches: "The DMARC record has no `rua=` tag.",
    why: "Without aggregate reports you cannot see who sends as your domain, so you cannot tighten the policy safely or notice a forgery campaign.",
    fix: "Add `rua=mailto:dmarc@<domain>` (or a DMARC report service's address) to the record.",
    refs: &["RFC 7489 §6.3", "RFC 7489 §7.2"],
};
impl Check<EmailObservation> for DmarcNoReports {
    fn doc(&self) -> &'static CheckDoc {
        &DMARC_NO_REPORTS
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(d) = &o.dmarc {
            if let Some(Ok(p)) = &d.parsed {
                if d.records.len() == 1 && p.rua.is_empty() {
                    let at = d.found_at.clone().unwrap_or_else(|| d.name.clone());
                    out.push(self.doc().finding(txt_subject(&at), d.records[0].clone()));
                }
            }
        }
    }
}

pub struct DmarcRuaUnauthorized;
static DMARC_RUA_UNAUTHORIZED: CheckDoc = CheckDoc {
    id: "email.dmarc.rua-unauthorized",
    stage: Stage::Email,
    severity: Severity::Low,
    impact: Impact::Email,
    title: "DMARC reports go to another domain that has not authorized them",
    catches: "A `rua`/`ruf` address is outside the domain's organizational domain and `<domain>._report._dmarc.<destination>` has no `v=DMARC1` record.",
    why: "RFC 7489 §7.1 tells receivers not to send reports to an external destination that has not opted in, so the reports you rely on to tighten the policy never arrive.",
    fix: "Ask the report destination (your DMARC service) to publish `<domain>._report._dmarc.<their domain> TXT \"v=DMARC1\"`, or send reports to an address on your own domain.",
    refs: &["RFC 7489 §7.1"],
};
impl Check<EmailObservation> for DmarcRuaUnauthorized {
    fn doc(&self) -> &'static CheckDoc {
        &DMARC_RUA_UNAUTHORIZED
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for (uri, name) in o.dmarc.iter().flat_map(|d| &d.unauthorized) {
            out.push(self.doc().finding(
                txt_subject(name),
                format!("{uri}: no v=DMARC1 record at {name}"),
            ));
        }
    }
}

pub struct DkimMissing;
static DKIM_MISSING: CheckDoc = CheckDoc {
    id: "email.dkim.missing",
    stage: Stage::Email,
    severity: Severity::Medium,
    impact: Impact::Email,
    title: "No DKIM key found",
    catches: "No usable DKIM key record under the selectors in launchready.toml (`dkim_selectors`) nor under the common providers' selectors (Google Workspace, Microsoft 365, SendGrid, Mailgun, Postmark, Amazon SES, Mailchimp, Zoho, Fastmail, …).",
    why: "Without DKIM, DMARC can only rely on SPF, which breaks on every forward; Gmail and Yahoo expect DKIM from bulk senders. If your provider signs with a custom selector, tell launchready so it can check the key.",
    fix: "Turn on DKIM signing at your mail provider and publish the TXT (or CNAME) record it gives you. If you already sign, add the selector to `dkim_selectors` in launchready.toml.",
    refs: &["RFC 6376 §3.6.2", "https://support.google.com/a/answer/174124"],
};
impl Check<EmailObservation> for DkimMissing {
    fn doc(&self) -> &'static CheckDoc {
        &DKIM_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        let Some(d) = &o.dkim else { return };
        if d.unknown || !o.sends_mail {
            return;
        }
        let usable = d
            .found
            .iter()
            .any(|f| matches!(&f.key, Ok(k) if !k.revoked));
        let broken = d.found.iter().any(|f| f.key.is_err());
        if !usable && !broken {
            let revoked: Vec<&str> = d.found.iter().map(|f| f.selector.as_str()).collect();
            let mut evidence = format!(
                "no DKIM key under {} selectors ({})",
                d.selectors.len(),
                d.selectors.join(", ")
            );
            if !revoked.is_empty() {
                evidence.push_str(&format!("; revoked (empty p=): {}", revoked.join(", ")));
            }
            out.push(
                self.doc()
                    .finding(txt_subject(&format!("_domainkey.{}", o.domain)), evidence),
            );
        }
    }
}

pub struct DkimWeakKey;
static DKIM_WEAK_KEY: CheckDoc = CheckDoc {
    id: "email.dkim.weak-key",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "DKIM key is too short",
    catches: "An RSA DKIM key shorter than 2048 bits: high below 1024 bits (RFC 8301 forbids them; verifiers treat the signature as absent), low from 1024 to 2047.",
    why: "512-bit RSA keys can be factored in hours on rented hardware, after which anyone can sign mail as you; 1024-bit keys are the minimum RFC 8301 allows and are being phased out.",
    fix: "Generate a 2048-bit key at your mail provider, publish it under a new selector, switch signing to it, then revoke the old selector with an empty `p=`.",
    refs: &["RFC 8301 §3.2", "RFC 6376 §3.3.3"],
};
impl Check<EmailObservation> for DkimWeakKey {
    fn doc(&self) -> &'static CheckDoc {
        &DKIM_WEAK_KEY
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for f in o.dkim.iter().flat_map(|d| &d.found) {
            if let Ok(k) = &f.key {
                if let (dkim::KeyType::Rsa, Some(bits)) = (k.key_type, k.bits) {
                    if bits < 2048 {
                        let mut finding = self.doc().finding(
                            txt_subject(&f.name),
                            format!("RSA key of {bits} bits under selector {}", f.selector),
                        );
                        if bits >= 1024 {
                            finding.severity = Severity::Low;
                        }
                        out.push(finding);
                    }
                }
            }
        }
    }
}

pub struct DkimSyntax;
static DKIM_SYNTAX: CheckDoc = CheckDoc {
    id: "email.dkim.syntax",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "DKIM key record is invalid",
    catches: "A DKIM key record breaks RFC 6376 §3.6.1: no `p=`, `p=` not base64 or not a public key, an unknown `k=` or `h=`, `v=` not first or not DKIM1, a repeated tag.",
    why: "Verifiers cannot check the signature: every message signed with that selector fails DKIM (and DMARC, if SPF does not align).",
    fix: "Re-copy the record from your mail provider exactly, as one TXT record (long keys are split into several quoted strings, not several records). Check it with `launchready lint dkim 'RECORD'`.",
    refs: &["RFC 6376 §3.6.1"],
};
impl Check<EmailObservation> for DkimSyntax {
    fn doc(&self) -> &'static CheckDoc {
        &DKIM_SYNTAX
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for f in o.dkim.iter().flat_map(|d| &d.found) {
            if let Err(e) = &f.key {
                out.push(self.doc().finding(txt_subject(&f.name), e.to_string()));
            }
        }
    }
}

pub struct DkimTesting;
static DKIM_TESTING: CheckDoc = CheckDoc {
    id: "email.dkim.testing",
    stage: Stage::Email,
    severity: Severity::Low,
    impact: Impact::Email,
    title: "DKIM key is in testing mode (t=y)",
    catches: "A DKIM key record carries the `t=y` flag.",
    why: "Verifiers may treat messages signed with a testing key as unsigned (RFC 6376 §3.6.1), so DKIM gives you no reputation and no DMARC alignment.",
    fix: "Remove `t=y` from the key record once signing works.",
    refs: &["RFC 6376 §3.6.1"],
};
impl Check<EmailObservation> for DkimTesting {
    fn doc(&self) -> &'static CheckDoc {
        &DKIM_TESTING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for f in o.dkim.iter().flat_map(|d| &d.found) {
            if matches!(&f.key, Ok(k) if k.testing && !k.revoked) {
                out.push(self.doc().finding(
                    txt_subject(&f.name),
                    format!("t=y under selector {}: {}", f.selector, f.record),
                ));
            }
        }
    }
}

pub struct MxMissing;
static MX_MISSING: CheckDoc = CheckDoc {
    id: "email.mx.missing",
    stage: Stage::Email,
    severity: Severity::Medium,
    impact: Impact::Email,
    title: "No MX record",
    catches: "The domain has no MX record and no null MX (RFC 7505).",
    why: "Replies to your onboarding mail, bounces and abuse@/postmaster@ go nowhere (or to the apex A record, RFC 5321 §5.1), and some receivers score mail from a domain that cannot receive as suspicious.",
    fix: "Publish the MX records of your mail provider. A domain that never receives mail publishes a null MX: `@ IN MX 0 .`.",
    refs: &["RFC 5321 §5.1", "RFC 7505"],
};
impl Check<EmailObservation> for MxMissing {
    fn doc(&self) -> &'static CheckDoc {
        &MX_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(m) = &o.mx {
            if m.unknown.is_none() && m.exchanges.is_empty() {
                out.push(self.doc().finding(
                    format!("{} MX", o.domain),
                    format!("{} has no MX record", o.domain),
                ));
            }
        }
    }
}

pub struct MxUnresolvable;
static MX_UNRESOLVABLE: CheckDoc = CheckDoc {
    id: "email.mx.unresolvable",
    stage: Stage::Email,
    severity: Severity::High,
    impact: Impact::Email,
    title: "An MX host does not resolve",
    catches: "An MX record names a host with no A or AAAA record (NXDOMAIN or no address).",
    why: "Senders cannot deliver to that exchange: with one MX, all incoming mail (replies, bounces, customer support) is lost after the retry period.",
    fix: "Point the MX at the hostnames your mail provider documents, or add the missing A/AAAA record. MX targets must be host names, never CNAMEs or IP addresses (RFC 2181 §10.3).",
    refs: &["RFC 5321 §5.1", "RFC 2181 §10.3"],
};
impl Check<EmailObservation> for MxUnresolvable {
    fn doc(&self) -> &'static CheckDoc {
        &MX_UNRESOLVABLE
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        for (host, why) in o.mx.iter().flat_map(|m| &m.unresolvable) {
            out.push(
                self.doc()
                    .finding(host, format!("MX {} → {host}: {why}", o.domain)),
            );
        }
    }
}

pub struct MtaStsMissing;
static MTA_STS_MISSING: CheckDoc = CheckDoc {
    id: "email.mta-sts.missing",
    stage: Stage::Email,
    severity: Severity::Low,
    impact: Impact::Email,
    title: "No MTA-STS policy",
    catches: "A domain that receives mail has no `_mta-sts` TXT record (RFC 8461).",
    why: "Without MTA-STS, an attacker on the path can strip STARTTLS and read or alter mail sent to you — password resets included.",
    fix: "Publish `_mta-sts.<domain> TXT \"v=STSv1; id=<date>\"` and serve the policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (start with `mode: testing`).",
    refs: &["RFC 8461 §3"],
};
impl Check<EmailObservation> for MtaStsMissing {
    fn doc(&self) -> &'static CheckDoc {
        &MTA_STS_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(s) = &o.mta_sts {
            if s.unknown.is_none() && s.record.is_none() {
                out.push(self.doc().finding(
                    txt_subject(&s.name),
                    format!("no v=STSv1 record at {}", s.name),
                ));
            }
        }
    }
}

pub struct MtaStsInvalid;
static MTA_STS_INVALID: CheckDoc = CheckDoc {
    id: "email.mta-sts.invalid",
    stage: Stage::Email,
    severity: Severity::Low,
    impact: Impact::Email,
    title: "MTA-STS is announced but its policy is broken",
    catches: "The `_mta-sts` record is malformed, or the policy file at `https://mta-sts.<domain>/.well-known/mta-sts.txt` is unreachable, not HTTP 200, malformed, or does not list the domain's MX hosts.",
    why: "Senders that honour MTA-STS cannot apply a broken policy (so there is no protection), and with `mode: enforce` a policy that omits your MX makes them refuse to deliver to you.",
    fix: "Serve the policy over HTTPS with a valid certificate for mta-sts.<domain>, with `version: STSv1`, `mode`, one `mx:` line per MX host and `max_age`; bump the `id=` in the TXT record after each change.",
    refs: &["RFC 8461 §3.2", "RFC 8461 §3.3"],
};
impl Check<EmailObservation> for MtaStsInvalid {
    fn doc(&self) -> &'static CheckDoc {
        &MTA_STS_INVALID
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(s) = &o.mta_sts {
            if let (Some(_), Some(problem)) = (&s.record, &s.problem) {
                out.push(self.doc().finding(s.policy_url.clone(), problem.clone()));
            }
        }
    }
}

pub struct TlsRptMissing;
static TLS_RPT_MISSING: CheckDoc = CheckDoc {
    id: "email.tls-rpt.missing",
    stage: Stage::Email,
    severity: Severity::Low,
    impact: Impact::Email,
    title: "No valid TLS-RPT record",
    catches: "A domain that receives mail has no valid `_smtp._tls` TXT record (`v=TLSRPTv1; rua=…`, RFC 8460).",
    why: "Without TLS reports you never hear that senders fail to deliver to you over TLS (expired certificate on the MX, a broken MTA-STS policy) until customers complain.",
    fix: "Publish `_smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\"`.",
    refs: &["RFC 8460 §3"],
};
impl Check<EmailObservation> for TlsRptMissing {
    fn doc(&self) -> &'static CheckDoc {
        &TLS_RPT_MISSING
    }
    fn evaluate(&self, o: &EmailObservation, out: &mut Outcomes) {
        if let Some(t) = &o.tls_rpt {
            if t.unknown.is_none() && (t.record.is_none() || t.problem.is_some()) {
                let evidence = match (&t.record, &t.problem) {
                    (Some(r), Some(p)) => format!("{r}: {p}"),
                    _ => format!("no v=TLSRPTv1 record at {}", t.name),
                };
                out.push(self.doc().finding(txt_subject(&t.name), evidence));
            }
        }
    }
}

/// The stage's checks, in catalog order.
/// What each part of the mail setup could not see: a lookup that failed (SERVFAIL, timeout,
/// a name outside the zone file) leaves the checks of that part not checked, never passed.
impl Observed for EmailObservation {
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        let id = check.id;
        let domain = &self.domain;
        if id.starts_with("email.spf.") {
            let Some(t) = &self.spf else { return vec![] };
            return t
                .blind_spots()
                .into_iter()
                .map(|(name, why)| (txt_subject(&name), format!("SPF lookup failed: {why}")))
                .collect();
        }
        if id.starts_with("email.dmarc.") {
            return self
                .dmarc
                .iter()
                .filter_map(|d| {
                    let why = d.unknown.as_ref()?;
                    Some((txt_subject(&d.name), format!("DMARC lookup failed: {why}")))
                })
                .collect();
        }
        if id.starts_with("email.dkim.") {
            let Some(d) = &self.dkim else { return vec![] };
            // One key found anywhere settles "missing"; the others judge each selector's key.
            if id == "email.dkim.missing" && (!self.sends_mail || !d.found.is_empty()) {
                return vec![];
            }
            return d
                .failed
                .iter()
                .map(|(name, why)| (txt_subject(name), format!("DKIM lookup failed: {why}")))
                .collect();
        }
        if id.starts_with("email.mx.") {
            let Some(m) = &self.mx else { return vec![] };
            if let Some(why) = &m.unknown {
                return vec![(format!("{domain} MX"), format!("MX lookup failed: {why}"))];
            }
            if id == "email.mx.unresolvable" {
                return m
                    .unknown_hosts
                    .iter()
                    .map(|(h, why)| (h.clone(), format!("address lookup failed: {why}")))
                    .collect();
            }
            return vec![];
        }
        if id.starts_with("email.mta-sts.") {
            return self
                .mta_sts
                .iter()
                .filter_map(|s| {
                    let why = s.unknown.as_ref()?;
                    Some((
                        txt_subject(&s.name),
                        format!("MTA-STS lookup failed: {why}"),
                    ))
                })
                .collect();
        }
        if id.starts_with("email.tls-rpt.") {
            return self
                .tls_rpt
                .iter()
                .filter_map(|t| {
                    let why = t.unknown.as_ref()?;
                    Some((
                        txt_subject(&t.name),
                        format!("TLS-RPT lookup failed: {why}"),
                    ))
                })
                .collect();
        }
        vec![]
    }
}

pub static CHECKS: &[&dyn Check<EmailObservation>] = &[
    &SpfMissing,
    &SpfMultiple,
    &SpfSyntax,
    &SpfTooManyLookups,
    &SpfVoidLookups,
    &SpfPermissive,
    &SpfIncludeMissing,
    &SpfIncludeLoop,
    &DmarcMissing,
    &DmarcSyntax,
    &DmarcMultiple,
    &DmarcPolicyNone,
    &DmarcNoReports,
    &DmarcRuaUnauthorized,
    &DkimMissing,
    &DkimWeakKey,
    &DkimSyntax,
    &DkimTesting,
    &MxMissing,
    &MxUnresolvable,
    &MtaStsMissing,
    &MtaStsInvalid,
    &TlsRptMissing,
];

// ---------------------------------------------------------------------------------------
// The probes.

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

async fn observe_mx(resolver: &Resolver, domain: &str) -> MxObservation {
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
    if obs.null_mx {
        return obs;
    }
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
    obs
}

async fn observe_mta_sts(ctx: &Context, domain: &str, mx: &MxObservation) -> StsObservation {
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
        return obs;
    }
    let response = match ctx.http.get(&policy_url).await {
        Ok(r) => r,
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
            let uncovered: Vec<&str> = mx
                .exchanges
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
                    obs.problem = Some(e);
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
    let (spf, dmarc, dkim, mx, tls_rpt) = tokio::join!(
        tree::walk_tree(resolver, &domain),
        observe_dmarc(resolver, &domain),
        observe_dkim(resolver, &domain, &ctx.target.dkim_selectors),
        observe_mx(resolver, &domain),
        observe_tls_rpt(resolver, &domain),
    );
    // MTA-STS and TLS-RPT protect mail sent *to* the domain: only for domains with MX.
    let receives = mx.unknown.is_none() && !mx.exchanges.is_empty() && !mx.null_mx;
    let mta_sts = if receives {
        Some(observe_mta_sts(ctx, &domain, &mx).await)
    } else {
        None
    };
    EmailObservation {
        domain,
        sends_mail: ctx.target.sends_mail != Some(false),
        spf: Some(spf),
        dmarc: Some(dmarc),
        dkim: Some(dkim),
        mx: Some(mx),
        mta_sts,
        tls_rpt: receives.then_some(tls_rpt),
    }
}

fn dmarc_json(d: &DmarcObservation) -> Value {
    let parsed = match &d.parsed {
        Some(Ok(p)) => json!({
            "policy": p.p.as_str(),
            "subdomain_policy": p.sp.map(Policy::as_str),
            "pct": p.pct,
            "rua": p.rua.iter().map(|u| u.uri.clone()).collect::<Vec<_>>(),
            "ruf": p.ruf.iter().map(|u| u.uri.clone()).collect::<Vec<_>>(),
            "adkim": p.adkim.to_string(),
            "aspf": p.aspf.to_string(),
        }),
        Some(Err(e)) => json!({"error": e.to_string()}),
        None => Value::Null,
    };
    json!({"name": d.name, "found_at": d.found_at, "records": d.records, "parsed": parsed})
}

/// The inventory: the SPF tree, the DMARC policy, every DKIM key found, MX, MTA-STS, TLS-RPT.
pub fn inventory(o: &EmailObservation) -> Value {
    json!({
        "spf": o.spf.as_ref().map(Tree::to_json),
        "dmarc": o.dmarc.as_ref().map(dmarc_json),
        "dkim": o.dkim.iter().flat_map(|d| &d.found).map(|f| match &f.key {
            Ok(k) => json!({"selector": f.selector, "name": f.name, "key_type": k.key_type.as_str(), "bits": k.bits, "revoked": k.revoked, "testing": k.testing}),
            Err(e) => json!({"selector": f.selector, "name": f.name, "error": e.to_string()}),
        }).collect::<Vec<_>>(),
        "mx": o.mx.iter().flat_map(|m| &m.exchanges).map(|(p, h)| json!({"preference": p, "exchange": if h.is_empty() { "." } else { h.as_str() }})).collect::<Vec<_>>(),
        "null_mx": o.mx.as_ref().is_some_and(|m| m.null_mx),
        "mta_sts": o.mta_sts.as_ref().map(|s| json!({"record": s.record, "policy": s.policy.as_ref().map(|p| json!({"mode": p.mode, "mx": p.mx, "max_age": p.max_age}))})),
        "tls_rpt": o.tls_rpt.as_ref().map(|t| json!({"record": t.record})),
    })
}

/// The stage: probes, then every check.
pub async fn run(ctx: &Context) -> Result<StageOutput, String> {
    let obs = observe(ctx).await;
    let outcomes = evaluate_all(CHECKS, &obs);
    let mut notes = Vec::new();
    if obs
        .spf
        .as_ref()
        .is_some_and(|t| matches!(t.root.status, Status::Unknown(_)))
    {
        notes.push("SPF could not be looked up".to_string());
    }
    if let Some(why) = obs.dmarc.as_ref().and_then(|d| d.unknown.clone()) {
        notes.push(format!("DMARC could not be looked up ({why})"));
    }
    if let Some(why) = obs.mta_sts.as_ref().and_then(|s| s.fetch_error.clone()) {
        notes.push(why);
    }
    if ctx.resolver.is_offline() {
        notes.push("offline (--zone): the MTA-STS policy file was not fetched".into());
    }
    Ok(StageOutput::new(outcomes, inventory(&obs), notes))
}

// ---------------------------------------------------------------------------------------
// `launchready lint`: the same checks over one record that is not published yet.

/// Which record `lint` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintKind {
    Spf,
    Dmarc,
    Dkim,
}

/// Lints one record offline: syntax, and what the record alone shows (for SPF, the lookup
/// terms it already has and a permissive `all`).
pub fn lint(kind: LintKind, record: &str) -> Vec<Finding> {
    let mut obs = EmailObservation {
        domain: "(record)".into(),
        // Lint judges the record given, not whether a domain has one (no dkim.missing).
        sends_mail: false,
        ..Default::default()
    };
    match kind {
        LintKind::Spf => obs.spf = Some(tree::offline("(record)", record)),
        LintKind::Dmarc => {
            let parsed = dmarc::parse(record);
            obs.dmarc = Some(DmarcObservation {
                name: "_dmarc".into(),
                found_at: Some("_dmarc".into()),
                records: vec![record.to_string()],
                parsed: Some(parsed),
                unauthorized: Vec::new(),
                unknown: None,
            });
        }
        LintKind::Dkim => {
            obs.dkim = Some(DkimObservation {
                selectors: vec!["(selector)".into()],
                found: vec![DkimFound {
                    selector: "(selector)".into(),
                    name: "(selector)._domainkey".into(),
                    record: record.to_string(),
                    key: dkim::parse(record),
                }],
                unknown: false,
                failed: Vec::new(),
            });
        }
    }
    evaluate_all(CHECKS, &obs).findings
}
