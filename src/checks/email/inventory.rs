//! The email part of the report's inventory: the SPF tree, the DMARC policy, every DKIM key
//! found, MX, MTA-STS and TLS-RPT.

use super::*;
use crate::spf::summary::TreeSummary;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// The SPF tree as walked (record, lookups, voids, every include).
    pub spf: Option<TreeSummary>,
    pub dmarc: Option<DmarcSummary>,
    pub dkim: Vec<DkimSummary>,
    pub mx: Vec<Exchange>,
    pub null_mx: bool,
    pub mta_sts: Option<MtaSts>,
    pub tls_rpt: Option<TlsRpt>,
    /// Each probed MX's STARTTLS and TLS (port 25).
    pub mx_tls: Option<Vec<super::mx_tls::MxTlsRow>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DmarcSummary {
    pub name: String,
    pub found_at: Option<String>,
    pub records: Vec<String>,
    pub parsed: Option<DmarcParsed>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum DmarcParsed {
    Policy {
        policy: &'static str,
        subdomain_policy: Option<&'static str>,
        pct: u8,
        rua: Vec<String>,
        ruf: Vec<String>,
        adkim: String,
        aspf: String,
    },
    Error {
        error: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct DkimSummary {
    pub selector: String,
    pub name: String,
    #[serde(flatten)]
    pub key: DkimKeySummary,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum DkimKeySummary {
    Key {
        key_type: &'static str,
        bits: Option<usize>,
        revoked: bool,
        testing: bool,
    },
    Error {
        error: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub preference: u16,
    pub exchange: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MtaSts {
    pub record: Option<String>,
    pub policy: Option<StsPolicy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TlsRpt {
    pub record: Option<String>,
}

fn dmarc(d: &DmarcObservation) -> DmarcSummary {
    let parsed = d.parsed.as_ref().map(|p| match p {
        Ok(p) => DmarcParsed::Policy {
            policy: p.p.as_str(),
            subdomain_policy: p.sp.map(Policy::as_str),
            pct: p.pct,
            rua: p.rua.iter().map(|u| u.uri.clone()).collect(),
            ruf: p.ruf.iter().map(|u| u.uri.clone()).collect(),
            adkim: p.adkim.to_string(),
            aspf: p.aspf.to_string(),
        },
        Err(e) => DmarcParsed::Error {
            error: e.to_string(),
        },
    });
    DmarcSummary {
        name: d.name.clone(),
        found_at: d.found_at.clone(),
        records: d.records.clone(),
        parsed,
    }
}

pub fn inventory(o: &EmailObservation) -> Inventory {
    Inventory {
        spf: o.spf.as_ref().map(TreeSummary::from),
        dmarc: o.dmarc.as_ref().map(dmarc),
        dkim: o
            .dkim
            .iter()
            .flat_map(|d| &d.found)
            .map(|f| DkimSummary {
                selector: f.selector.clone(),
                name: f.name.clone(),
                key: match &f.key {
                    Ok(k) => DkimKeySummary::Key {
                        key_type: k.key_type.as_str(),
                        bits: k.bits,
                        revoked: k.revoked,
                        testing: k.testing,
                    },
                    Err(e) => DkimKeySummary::Error {
                        error: e.to_string(),
                    },
                },
            })
            .collect(),
        mx: o
            .mx
            .iter()
            .flat_map(|m| &m.exchanges)
            .map(|(p, h)| Exchange {
                preference: *p,
                exchange: if h.is_empty() { ".".into() } else { h.clone() },
            })
            .collect(),
        null_mx: o.mx.as_ref().is_some_and(|m| m.null_mx),
        mta_sts: o.mta_sts.as_ref().map(|s| MtaSts {
            record: s.record.clone(),
            policy: s.policy.clone(),
        }),
        tls_rpt: o.tls_rpt.as_ref().map(|t| TlsRpt {
            record: t.record.clone(),
        }),
        mx_tls: o.mx_tls.as_ref().map(super::mx_tls::inventory_rows),
    }
}
