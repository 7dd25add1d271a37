//! The `email` stage: SPF (the whole include/redirect tree, walked with the RFC 7208 engine),
//! DMARC (with the organizational-domain fallback), DKIM keys under the configured and the
//! common providers' selectors, MX, MTA-STS and TLS-RPT. The inventory lists the SPF tree, the
//! DMARC policy and every DKIM key found. `launchready lint` runs the same checks over one
//! record that is not published yet.

use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Stage};
use crate::email::dkim::{self, DkimError, DkimKey};
use crate::email::dmarc::{self, Dmarc, DmarcError, Policy};
use crate::email::mtasts::{self, StsPolicy};
use crate::finding::{Finding, Impact, Severity};
use crate::net::dns::{DnsError, Resolver};
use crate::spf::eval::{query_name, txt_records};
use crate::spf::tree::{self, Status, Tree};
use crate::spf::MAX_DNS_TERMS;
use crate::stage::{StageDef, StageError};
use futures_util::future::join_all;
use hickory_proto::rr::{RData, RecordType};

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
    /// The mail servers' STARTTLS (only for a domain that receives mail).
    pub mx_tls: Option<MxTlsObservation>,
    /// Why the mail servers were not contacted at all (`--zone` audits are offline for
    /// mail): their STARTTLS checks are then not checked, never passed.
    pub mx_not_contacted: Option<String>,
}

fn txt_subject(name: &str) -> String {
    format!("{name} TXT")
}

mod dkim_missing;
mod dkim_syntax;
mod dkim_testing;
mod dkim_weak_key;
mod dmarc_missing;
mod dmarc_multiple;
mod dmarc_no_reports;
mod dmarc_policy_none;
mod dmarc_rua_unauthorized;
mod dmarc_syntax;
mod inventory;
mod lint;
mod mta_sts_invalid;
mod mta_sts_missing;
mod mx_cert_invalid;
mod mx_missing;
mod mx_starttls_missing;
mod mx_tls;
mod mx_unresolvable;
mod observe;
mod spf_include_loop;
mod spf_include_missing;
mod spf_missing;
mod spf_multiple;
mod spf_permissive;
mod spf_syntax;
mod spf_too_many_lookups;
mod spf_void_lookups;
mod tls_rpt_missing;

pub use dkim_missing::DkimMissing;
pub use dkim_syntax::DkimSyntax;
pub use dkim_testing::DkimTesting;
pub use dkim_weak_key::DkimWeakKey;
pub use dmarc_missing::DmarcMissing;
pub use dmarc_multiple::DmarcMultiple;
pub use dmarc_no_reports::DmarcNoReports;
pub use dmarc_policy_none::DmarcPolicyNone;
pub use dmarc_rua_unauthorized::DmarcRuaUnauthorized;
pub use dmarc_syntax::DmarcSyntax;
pub use inventory::{inventory, DkimKeySummary, DmarcParsed, Inventory};
pub use lint::{lint, LintKind};
pub use mta_sts_invalid::MtaStsInvalid;
pub use mta_sts_missing::MtaStsMissing;
pub use mx_cert_invalid::MxCertInvalid;
pub use mx_missing::MxMissing;
pub use mx_starttls_missing::MxStarttlsMissing;
pub use mx_tls::{MxServer, MxTlsObservation};
pub use mx_unresolvable::MxUnresolvable;
pub use observe::observe;
pub use spf_include_loop::SpfIncludeLoop;
pub use spf_include_missing::SpfIncludeMissing;
pub use spf_missing::SpfMissing;
pub use spf_multiple::SpfMultiple;
pub use spf_permissive::SpfPermissive;
pub use spf_syntax::SpfSyntax;
pub use spf_too_many_lookups::SpfTooManyLookups;
pub use spf_void_lookups::SpfVoidLookups;
pub use tls_rpt_missing::TlsRptMissing;

/// The stage's checks, in catalog order.
/// What each part of the mail setup could not see: a lookup that failed (SERVFAIL, timeout,
/// a name outside the zone file) leaves the checks of that part not checked, never passed.
impl Observed for EmailObservation {
    fn blind_for(&self, check: &CheckDoc) -> Vec<(String, String)> {
        let id = check.id;
        let domain = &self.domain;
        if id.starts_with("email.spf.") {
            let Some(t) = &self.spf else { return vec![] };
            let root_unknown = matches!(t.root.status, Status::Unknown(_));
            // Whether the domain has SPF at all is settled once its own record was fetched.
            if id == "email.spf.missing" && !root_unknown {
                return vec![];
            }
            let mut unseen = t.blind_spots();
            // A void check that could not be made blinds the void count only; a record that
            // was not read blinds every check of the tree.
            let records_unread = t.unwalked.len() > t.unwalked_voids;
            if id == "email.spf.void-lookups" || records_unread {
                unseen.extend(t.unwalked.iter().cloned());
            }
            let Some((name, why)) = unseen.first() else {
                return vec![];
            };
            let more = match unseen.len() {
                1 => String::new(),
                n => format!(" (and {} more SPF lookups not made)", n - 1),
            };
            return vec![(
                txt_subject(&self.domain),
                format!("SPF lookup of {name} not made or failed: {why}{more}"),
            )];
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
            if id == "email.mx.starttls.missing" || id == "email.mx.cert.invalid" {
                if let (None, Some(why)) = (&self.mx_tls, &self.mx_not_contacted) {
                    return m
                        .exchanges
                        .iter()
                        .map(|(_, host)| (host.clone(), why.clone()))
                        .collect();
                }
                return self
                    .mx_tls
                    .as_ref()
                    .map(MxTlsObservation::blind)
                    .unwrap_or_default();
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
    &MxStarttlsMissing,
    &MxCertInvalid,
    &MtaStsMissing,
    &MtaStsInvalid,
    &TlsRptMissing,
];

/// The stage: probes, then every check.
pub struct Email;

impl StageDef for Email {
    crate::stage_header!(Email, EmailObservation, Inventory => email, |obs, _| inventory(obs));

    async fn observe(
        ctx: &Context,
        notes: &mut Vec<String>,
    ) -> Result<EmailObservation, StageError> {
        let obs = observe(ctx).await;
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
        let offline = ctx.resolver.is_offline();
        if let Some(why) = obs.mta_sts.as_ref().and_then(|s| s.fetch_error.clone()) {
            if !offline {
                notes.push(why);
            }
        }
        notes.extend(obs.mx_tls.as_ref().and_then(MxTlsObservation::note));
        if offline {
            notes.push(crate::net::dns::offline(
                "the MTA-STS policy file was not fetched, the mail servers not contacted on port 25",
            ));
        }
        Ok(obs)
    }
}

/// Hand-built observations for the checks' unit tests: a domain with healthy mail
/// authentication to break one way at a time, and the stage's own evaluation over one check.
#[cfg(test)]
pub(crate) mod fixture;
