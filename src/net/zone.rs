//! Authoritative answers from zone data: used by `--zone FILE` (offline audits) and by the
//! sandbox's DNS server, so both answer exactly alike.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Records indexed by owner name (lower-cased, fully qualified).
#[derive(Debug, Default)]
pub struct ZoneData {
    by_name: HashMap<Name, Vec<Record>>,
    /// Every owner name and every name between an owner and its zone apex (empty non-terminals).
    existing: HashSet<Name>,
    /// Zone apexes (SOA owners). Names outside all of them are out of zone.
    origins: Vec<Name>,
    /// Records in all.
    total: usize,
    /// Records kept opaque (types the reader does not interpret), by type mnemonic.
    uninterpreted: BTreeMap<String, usize>,
}

/// What an authoritative server would answer.
#[derive(Debug, Clone)]
pub struct ZoneAnswer {
    pub rcode: ResponseCode,
    pub answers: Vec<Record>,
    /// The zone's SOA for negative answers (RFC 2308).
    pub authority: Vec<Record>,
}

fn key(name: &Name) -> Name {
    let mut n = name.to_lowercase();
    n.set_fqdn(true);
    n
}

impl ZoneData {
    pub fn new(records: Vec<Record>) -> ZoneData {
        let mut zone = ZoneData::default();
        for r in &records {
            if r.record_type() == RecordType::SOA {
                zone.origins.push(key(r.name()));
            }
        }
        zone.total = records.len();
        for r in &records {
            if matches!(
                r.data(),
                Some(RData::Unknown { .. } | RData::NULL(_)) | None
            ) {
                let code = u16::from(r.record_type());
                *zone
                    .uninterpreted
                    .entry(crate::net::zonefile::type_name(code))
                    .or_default() += 1;
            }
        }
        for r in records {
            let owner = key(r.name());
            let mut n = owner.clone();
            // Mark the owner and every ancestor up to the apex (or the root) as existing.
            loop {
                if !zone.existing.insert(n.clone()) && n != owner {
                    break;
                }
                if n.is_root() || zone.origins.contains(&n) {
                    break;
                }
                n = n.base_name();
            }
            zone.by_name.entry(owner).or_default().push(r);
        }
        zone
    }

    /// Records in the zone data.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Records of types the reader keeps opaque, by type mnemonic.
    pub fn uninterpreted(&self) -> &BTreeMap<String, usize> {
        &self.uninterpreted
    }

    /// "N records of types CERT, LOC kept uninterpreted", when there are any.
    pub fn uninterpreted_note(&self) -> Option<String> {
        if self.uninterpreted.is_empty() {
            return None;
        }
        let n: usize = self.uninterpreted.values().sum();
        let types: Vec<&str> = self.uninterpreted.keys().map(String::as_str).collect();
        Some(format!(
            "{n} record{} of type{} {} kept uninterpreted",
            if n == 1 { "" } else { "s" },
            if types.len() == 1 { "" } else { "s" },
            types.join(", ")
        ))
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.by_name.values().flatten()
    }

    fn origin_of(&self, name: &Name) -> Option<&Name> {
        if self.origins.is_empty() {
            return None;
        }
        self.origins
            .iter()
            .filter(|o| o.zone_of(name))
            .max_by_key(|o| o.num_labels())
    }

    /// The zone apexes (SOA owners) the data holds.
    pub fn origins(&self) -> &[Name] {
        &self.origins
    }

    /// True when the name lies inside the zone data (always true without any SOA).
    pub fn contains(&self, name: &Name) -> bool {
        self.origins.is_empty() || self.origin_of(&key(name)).is_some()
    }

    /// Answers a query; `None` when the name is outside every zone in the data.
    pub fn lookup(&self, name: &Name, rtype: RecordType) -> Option<ZoneAnswer> {
        let name = key(name);
        if !self.contains(&name) {
            return None;
        }
        let soa: Vec<Record> = self
            .origin_of(&name)
            .and_then(|o| self.by_name.get(o))
            .map(|rs| {
                rs.iter()
                    .filter(|r| r.record_type() == RecordType::SOA)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut answers = Vec::new();
        let mut current = name.clone();
        // Follow CNAMEs inside the zone data (at most 8 hops, loops stop there).
        for _ in 0..8 {
            let owned = match self.records_at(&current) {
                Some(rs) => rs,
                None => {
                    // RFC 6604: the code describes the last name of the chain.
                    let rcode = if self.existing.contains(&current) {
                        ResponseCode::NoError
                    } else {
                        ResponseCode::NXDomain
                    };
                    return Some(ZoneAnswer {
                        rcode,
                        answers,
                        authority: soa,
                    });
                }
            };
            let matching: Vec<Record> = owned
                .iter()
                .filter(|r| rtype == RecordType::ANY || r.record_type() == rtype)
                .cloned()
                .collect();
            if !matching.is_empty() {
                answers.extend(matching);
                break;
            }
            let cname = owned.iter().find(|r| r.record_type() == RecordType::CNAME);
            match cname.and_then(|r| r.data()) {
                Some(RData::CNAME(target)) if rtype != RecordType::CNAME => {
                    if let Some(r) = cname {
                        answers.push(r.clone());
                    }
                    let target = key(&target.0);
                    if !self.contains(&target) {
                        break;
                    }
                    current = target;
                }
                _ => break,
            }
        }
        let authority = if answers.is_empty() { soa } else { Vec::new() };
        Some(ZoneAnswer {
            rcode: ResponseCode::NoError,
            answers,
            authority,
        })
    }

    /// Records owned by `name`, synthesised from a wildcard (RFC 4592) when the name itself
    /// does not exist.
    fn records_at(&self, name: &Name) -> Option<Vec<Record>> {
        if let Some(rs) = self.by_name.get(name) {
            return Some(rs.clone());
        }
        if self.existing.contains(name) {
            return Some(Vec::new());
        }
        // Closest encloser: the nearest existing ancestor; a wildcard directly below it applies.
        let mut ancestor = name.base_name();
        loop {
            if self.existing.contains(&ancestor) {
                let wildcard = Name::from_ascii("*").ok()?.append_domain(&ancestor).ok()?;
                let rs = self.by_name.get(&wildcard)?;
                return Some(
                    rs.iter()
                        .map(|r| {
                            let mut r = r.clone();
                            r.set_name(name.clone());
                            r
                        })
                        .collect(),
                );
            }
            if ancestor.is_root() {
                return None;
            }
            ancestor = ancestor.base_name();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uninterpreted_types_are_listed_in_a_note() {
        let records = crate::net::zonefile::parse_zone_str(
            "$TTL 60\n\
             @ LOC 52 22 23.000 N 4 53 32.000 E -2.00m\n\
             @ CERT PGP 0 0 AAAA\n\
             @ DS 60485 RSASHA1 1 2BB183AF5F22588179A53B0A98631FAD1A292118\n\
             @ EUI48 00-00-5e-00-53-2a\n\
             @ A 192.0.2.1\n",
            std::path::Path::new("test.zone"),
            Some(&hickory_proto::rr::Name::from_ascii("example.com.").expect("a valid name")),
        )
        .expect("the zone loads");
        let zone = super::ZoneData::new(records);
        assert_eq!(zone.len(), 5);
        assert_eq!(
            zone.uninterpreted_note().as_deref(),
            Some("4 records of types CERT, DS, EUI48, LOC kept uninterpreted")
        );
    }

    use super::*;
    use hickory_proto::rr::rdata::{A, CNAME, SOA};
    use std::str::FromStr;

    fn n(s: &str) -> Name {
        Name::from_str(s).expect("test name")
    }

    fn zone() -> ZoneData {
        let soa = SOA::new(n("ns1.ex.test."), n("h.ex.test."), 1, 3600, 600, 86400, 300);
        ZoneData::new(vec![
            Record::from_rdata(n("ex.test."), 300, RData::SOA(soa)),
            Record::from_rdata(n("ex.test."), 300, RData::A(A::new(127, 0, 0, 1))),
            Record::from_rdata(n("www.ex.test."), 300, RData::CNAME(CNAME(n("ex.test.")))),
            Record::from_rdata(n("a.b.ex.test."), 300, RData::A(A::new(127, 0, 0, 2))),
            Record::from_rdata(n("*.w.ex.test."), 300, RData::A(A::new(127, 0, 0, 3))),
            Record::from_rdata(
                n("loop.ex.test."),
                300,
                RData::CNAME(CNAME(n("loop.ex.test."))),
            ),
        ])
    }

    #[test]
    fn answers_follow_cnames_and_tell_nodata_from_nxdomain() {
        let z = zone();
        let a = z
            .lookup(&n("WWW.ex.test."), RecordType::A)
            .expect("in zone");
        assert_eq!(a.rcode, ResponseCode::NoError);
        assert_eq!(a.answers.len(), 2);
        let ent = z.lookup(&n("b.ex.test."), RecordType::A).expect("in zone");
        assert_eq!((ent.rcode, ent.answers.len()), (ResponseCode::NoError, 0));
        assert_eq!(ent.authority.len(), 1);
        let nx = z
            .lookup(&n("nope.ex.test."), RecordType::A)
            .expect("in zone");
        assert_eq!(nx.rcode, ResponseCode::NXDomain);
        assert!(z.lookup(&n("other.test."), RecordType::A).is_none());
        let wild = z
            .lookup(&n("x.w.ex.test."), RecordType::A)
            .expect("in zone");
        assert_eq!(wild.answers[0].name(), &n("x.w.ex.test."));
        let looped = z
            .lookup(&n("loop.ex.test."), RecordType::A)
            .expect("in zone");
        assert!(looped.answers.len() <= 8);
    }
}
