//! The sandbox's DNS server: real DNS over UDP and TCP on loopback, answering from zone data
//! (the same `ZoneData` that `--zone` audits use). It can also misbehave on purpose — refuse
//! (a lame nameserver) or swallow every query (a dead one) — which is why it is written on
//! hickory-proto's wire format rather than on hickory-server's catalog, which only serves.

use crate::net::zone::ZoneData;
use hickory_proto::op::{Edns, Message, MessageType, ResponseCode};
use hickory_proto::rr::dnssec::rdata::DNSSECRData;
use hickory_proto::rr::rdata::NS;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers from the zone data with the AA bit.
    Authoritative,
    /// Answers REFUSED to everything: a lame delegation.
    Refuse,
    /// Reads every query and never answers.
    Swallow,
    /// Answers NXDOMAIN to everything, the root included: a captive portal, or a CI runner's
    /// resolver without egress. The auditor is blind, the site is not at fault.
    DenyAll,
}

/// Names (and optionally one type) the server answers SERVFAIL for, as a broken upstream or
/// DNSSEC failure would.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub servfail: Vec<(Name, Option<RecordType>)>,
}

impl Faults {
    fn servfails(&self, name: &Name, rtype: RecordType) -> bool {
        self.servfail
            .iter()
            .any(|(n, t)| n == name && t.is_none_or(|t| t == rtype))
    }
}

/// Builds the answer to one query, or `None` to stay silent.
pub fn respond(
    zone: &ZoneData,
    behaviour: Behaviour,
    faults: &Faults,
    query: &[u8],
    udp: bool,
) -> Option<Vec<u8>> {
    if behaviour == Behaviour::Swallow {
        return None;
    }
    let q = Message::from_vec(query).ok()?;
    let mut resp = Message::new();
    resp.set_id(q.id())
        .set_message_type(MessageType::Response)
        .set_op_code(q.op_code())
        .set_recursion_desired(q.recursion_desired());
    let client_payload = q.extensions().as_ref().map(|e| e.max_payload());
    let dnssec_ok = q.extensions().as_ref().is_some_and(|e| e.dnssec_ok());
    if let Some(payload) = client_payload {
        let mut edns = Edns::new();
        edns.set_max_payload(payload.max(512));
        resp.set_edns(edns);
    }
    let question = q.queries().first().cloned();
    if let Some(question) = &question {
        resp.add_query(question.clone());
    }
    match (behaviour, question) {
        (Behaviour::Refuse, _) | (_, None) => {
            resp.set_response_code(ResponseCode::Refused);
        }
        (Behaviour::DenyAll, _) => {
            resp.set_response_code(ResponseCode::NXDomain);
        }
        (_, Some(question)) if faults.servfails(question.name(), question.query_type()) => {
            resp.set_response_code(ResponseCode::ServFail);
        }
        (_, Some(question)) => match zone.lookup(question.name(), question.query_type()) {
            // Like the recursive resolver it stands in for, the sandbox knows the root: the
            // audit's sanity query (`. NS`) must see a working resolver.
            None if question.name().is_root() && question.query_type() == RecordType::NS => {
                let root_ns = Name::from_ascii("a.root-servers.net.").ok()?;
                resp.set_response_code(ResponseCode::NoError)
                    .add_answer(Record::from_rdata(
                        Name::root(),
                        518_400,
                        RData::NS(NS(root_ns)),
                    ));
            }
            None => {
                resp.set_response_code(ResponseCode::Refused);
            }
            Some(answer) => {
                let mut answers = answer.answers;
                if dnssec_ok && question.query_type() != RecordType::RRSIG {
                    answers.extend(covering_sigs(zone, &answers));
                }
                resp.set_authoritative(true)
                    .set_response_code(answer.rcode)
                    .add_answers(answers)
                    .add_name_servers(answer.authority);
            }
        },
    }
    let wire = resp.to_vec().ok()?;
    let limit = usize::from(client_payload.unwrap_or(512).max(512));
    if udp && wire.len() > limit {
        // Too big for this datagram: say so and let the client retry over TCP.
        resp.answers_mut().clear();
        resp.name_servers_mut().clear();
        resp.set_truncated(true);
        return resp.to_vec().ok();
    }
    Some(wire)
}

/// The RRSIGs of the zone over the sets in an answer (for a query with the DO bit).
fn covering_sigs(zone: &ZoneData, answers: &[Record]) -> Vec<Record> {
    let mut sets: Vec<(&Name, RecordType)> = answers
        .iter()
        .map(|r| (r.name(), r.record_type()))
        .collect();
    sets.dedup();
    let mut sigs = Vec::new();
    for (name, rtype) in sets {
        let Some(found) = zone.lookup(name, RecordType::RRSIG) else {
            continue;
        };
        sigs.extend(found.answers.into_iter().filter(|r| {
            r.name() == name
                && matches!(r.data(), Some(RData::DNSSEC(DNSSECRData::RRSIG(s))) if s.type_covered() == rtype)
        }));
    }
    sigs
}

/// Serves UDP and TCP on `addr` until the returned tasks are aborted.
pub async fn serve(
    addr: SocketAddr,
    zone: Arc<ZoneData>,
    behaviour: Behaviour,
    faults: Arc<Faults>,
) -> std::io::Result<(SocketAddr, Vec<JoinHandle<()>>)> {
    let udp = UdpSocket::bind(addr).await?;
    let bound = udp.local_addr()?;
    let tcp = TcpListener::bind(bound).await?;
    let z = zone.clone();
    let f = faults.clone();
    let udp_task = tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = udp.recv_from(&mut buf).await else {
                continue;
            };
            if let Some(reply) = respond(&z, behaviour, &f, &buf[..n], true) {
                let _ = udp.send_to(&reply, peer).await;
            }
        }
    });
    let tcp_task = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = tcp.accept().await else {
                continue;
            };
            let zone = zone.clone();
            let faults = faults.clone();
            tokio::spawn(async move {
                // One connection may carry several queries (RFC 7766); each is length-prefixed.
                loop {
                    let Ok(len) = stream.read_u16().await else {
                        return;
                    };
                    let mut buf = vec![0u8; usize::from(len)];
                    if stream.read_exact(&mut buf).await.is_err() {
                        return;
                    }
                    match respond(&zone, behaviour, &faults, &buf, false) {
                        Some(reply) => {
                            let Ok(n) = u16::try_from(reply.len()) else {
                                return;
                            };
                            let mut framed = n.to_be_bytes().to_vec();
                            framed.extend_from_slice(&reply);
                            if stream.write_all(&framed).await.is_err() {
                                return;
                            }
                        }
                        None => {
                            // Swallowing: hold the connection open and say nothing.
                            let mut sink = [0u8; 512];
                            while let Ok(n) = stream.read(&mut sink).await {
                                if n == 0 {
                                    return;
                                }
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    Ok((bound, vec![udp_task, tcp_task]))
}
