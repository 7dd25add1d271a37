//! Issue 11 item 5: the SPF tree walker has a query budget. A hostile tree (wide and deep,
//! every record full of `a:` terms) costs at most the budget, and what it did not walk is
//! reported, never counted as void lookups.

mod common;

use common::*;

/// A zone whose SPF tree asks for ~1,100 lookups: 9 includes, each with 30 `a:` terms and a
/// further include with 30 more.
fn hostile_zone() -> String {
    let mut z = String::from(
        "$ORIGIN example.com.\n@ 300 IN SOA ns.example.com. h.example.com. 1 3600 600 86400 300\n@ 300 IN NS ns.example.com.\nns 300 IN A 192.0.2.53\n",
    );
    let includes: Vec<String> = (1..=9)
        .map(|k| format!("include:i{k}.example.com"))
        .collect();
    z.push_str(&format!(
        "@ 300 IN TXT \"v=spf1 {} -all\"\n",
        includes.join(" ")
    ));
    let terms = |prefix: &str| -> String {
        (0..30)
            .map(|j| format!("a:{prefix}h{j}.example.com"))
            .collect::<Vec<_>>()
            .chunks(8)
            .map(|c| format!("\"{} \"", c.join(" ")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for k in 1..=9 {
        z.push_str(&format!(
            "i{k} 300 IN TXT \"v=spf1 \" {} \"include:n{k}.example.com -all\"\n",
            terms(&format!("i{k}"))
        ));
        z.push_str(&format!(
            "n{k} 300 IN TXT \"v=spf1 \" {} \"-all\"\n",
            terms(&format!("n{k}"))
        ));
    }
    z
}

#[test]
fn a_hostile_spf_tree_costs_at_most_the_query_budget() {
    let dir = std::env::temp_dir().join(format!("launchready-spf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let zone = dir.join("hostile.zone");
    std::fs::write(&zone, hostile_zone()).expect("zone");
    let run = launchready([
        "audit",
        "example.com",
        "--zone",
        zone.to_str().expect("utf-8"),
        "--only",
        "email",
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    let r = run.json();
    let spf = &r["inventory"]["email"]["spf"];
    // Every record was fetched (19 < 40 nodes): the lookup count is whole.
    assert_eq!(spf["dns_lookups"], 9 + 9 * 31 + 9 * 30, "{spf}");
    let queries = spf["queries"].as_u64().expect("queries");
    assert!(queries <= 200, "the walker asked {queries} queries");
    // The whole run: the walker's budget plus the rest of the email stage (DMARC, DKIM, MX, …).
    let total = r["dns_queries"].as_u64().expect("dns_queries");
    assert!(total <= 240, "{total} DNS queries in the run");
    assert_eq!(spf["budget_exhausted"], true, "{spf}");
    let unwalked = spf["unwalked"].as_array().expect("unwalked");
    assert!(!unwalked.is_empty());
    assert!(
        unwalked.iter().all(|u| u["reason"]
            .as_str()
            .is_some_and(|s| s.contains("query budget exhausted"))
            && u["name"].is_string()),
        "{unwalked:?}"
    );
    // What was not looked up is never a void lookup: only lookups that were made count.
    let voids = spf["void_lookups"].as_u64().expect("void_lookups");
    assert!(
        voids as usize + unwalked.len() <= 540,
        "{voids} voids and {} unwalked out of 540 `a:` terms",
        unwalked.len()
    );
    assert!(voids <= queries, "{voids} voids from {queries} queries");
}
