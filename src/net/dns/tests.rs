use super::*;

#[test]
fn parses_dns_server_forms() {
    assert_eq!(
        parse_server("127.0.0.1").ok(),
        Some("127.0.0.1:53".parse().expect("addr"))
    );
    assert_eq!(
        parse_server("127.0.0.1:5353").ok(),
        Some("127.0.0.1:5353".parse().expect("addr"))
    );
    assert_eq!(
        parse_server("[::1]:5353").ok(),
        Some("[::1]:5353".parse().expect("addr"))
    );
    assert_eq!(
        parse_server("dns.example"),
        Err(ServerAddrError {
            input: "dns.example".into()
        })
    );
}

/// A garbage datagram ahead of the real answer (an off-path spoofer, a broken middlebox)
/// is ignored, not taken as the answer; garbage alone is reported as malformed.
#[tokio::test]
async fn unparsable_datagrams_are_ignored_while_waiting_for_the_answer() {
    let server = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let addr = server.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 512];
        for round in 0..3 {
            let (n, peer) = server.recv_from(&mut buf).await.expect("query");
            let _ = server.send_to(b"\xff\x00garbage", peer).await;
            if round == 0 {
                let q = Message::from_vec(&buf[..n]).expect("query parses");
                let mut r = Message::new();
                r.set_id(q.id())
                    .set_message_type(MessageType::Response)
                    .set_response_code(ResponseCode::NoError);
                if let Some(question) = q.queries().first() {
                    r.add_query(question.clone());
                }
                let _ = server.send_to(&r.to_vec().expect("encode"), peer).await;
            }
        }
    });
    let qname = Name::from_ascii("example.test.").expect("name");
    let t = Duration::from_millis(300);
    let answer = exchange(addr, &qname, RecordType::A, true, t).await;
    assert!(answer.is_ok(), "{answer:?}");
    let garbage_only = exchange(addr, &qname, RecordType::A, true, t).await;
    assert!(
        matches!(garbage_only, Err(DnsError::Malformed(..))),
        "{garbage_only:?}"
    );
    task.abort();
}

/// `--zone` mode: a name outside the zone goes to the fallback resolvers when they answer
/// the sanity query, and stays NotInZone when none does.
#[tokio::test]
async fn names_outside_the_zone_use_a_working_fallback_only() {
    use crate::net::zonefile::parse_zone_str;
    use crate::sandbox::dns_server::{serve, Behaviour};
    let zone_text = "$ORIGIN example.test.\n$TTL 300\n\
        @ SOA ns1 hostmaster 1 7200 900 1209600 300\n\
        shop CNAME shops.vanished-provider.example.\n";
    let origin = name("example.test").expect("name");
    let records =
        parse_zone_str(zone_text, std::path::Path::new("z.zone"), Some(&origin)).expect("zone");
    let zone = Arc::new(ZoneData::new(records));
    let target = name("shops.vanished-provider.example").expect("name");
    let t = Duration::from_millis(300);

    // No fallback, or a fallback that doesn't answer: NotInZone.
    let offline = Resolver::new(Source::Zone(zone.clone()), t);
    let out = offline.lookup(&target, RecordType::A).await;
    assert!(matches!(out, Err(DnsError::NotInZone(_))), "{out:?}");
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let dead_addr = dead.local_addr().expect("addr");
    drop(dead);
    let unreachable = Resolver::new(Source::ZoneOr(zone.clone(), vec![dead_addr]), t);
    let out = unreachable.lookup(&target, RecordType::A).await;
    assert!(matches!(out, Err(DnsError::NotInZone(_))), "{out:?}");
    assert!(unreachable.describe().ends_with("no working resolver"));
    // In-zone names never leave the zone data.
    let shop = name("shop.example.test").expect("name");
    let ans = unreachable
        .lookup(&shop, RecordType::A)
        .await
        .expect("answer");
    assert_eq!(ans.cname_target(), Some(&target));

    // A live resolver on loopback that knows the target.
    let live_text = "shops.vanished-provider.example. 60 IN A 192.0.2.7\n";
    let live_records =
        parse_zone_str(live_text, std::path::Path::new("live.zone"), None).expect("zone");
    let (addr, tasks) = serve(
        "127.0.0.1:0".parse().expect("addr"),
        Arc::new(ZoneData::new(live_records)),
        Behaviour::Authoritative,
        Arc::new(Default::default()),
    )
    .await
    .expect("serve");
    let resolver = Resolver::new(Source::ZoneOr(zone, vec![addr]), t);
    let ans = resolver
        .lookup(&target, RecordType::A)
        .await
        .expect("answer");
    assert_eq!(ans.ips(), vec![IpAddr::from([192, 0, 2, 7])]);
    assert_eq!(
        resolver.addrs("shop.example.test").await.ok(),
        Some(vec![IpAddr::from([192, 0, 2, 7])])
    );
    assert!(
        resolver
            .describe()
            .ends_with(&format!("names outside it: the resolver {addr}")),
        "{}",
        resolver.describe()
    );
    for task in tasks {
        task.abort();
    }
}
