//! Any datagram the stub resolver receives while it waits for an answer: judged as ours,
//! stray or malformed, without a panic; an answer of ours is then read like a real one
//! (addresses, CNAME chain).
#![no_main]
use launchready::net::dns::{judge_reply, name, Reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(qname) = name("example.test") else {
        return;
    };
    let id = data
        .get(..2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .unwrap_or(0);
    if let Reply::Ours(m) = judge_reply(data, id, &qname) {
        let answer = launchready::net::dns::Answer {
            rcode: m.response_code(),
            records: m.answers().to_vec(),
            authoritative: m.authoritative(),
        };
        let _ = answer.ips();
        let _ = answer.cname_target();
        let _ = answer.is_nxdomain();
    }
});
