//! The email stage and the `lint` command end to end: the real binary, the sandbox.

mod common;

use common::*;
use serde_json::Value;

fn lint(kind: &str, record: &str) -> (i32, Value) {
    let run = launchready(["lint", kind, record, "--format", "json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}: {}",
        run.code,
        run.stderr
    );
    (run.code, run.json())
}

fn lint_ids(kind: &str, record: &str) -> Vec<String> {
    let (_, v) = lint(kind, record);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn lint_spf_reports_the_stage_ids() {
    let (code, v) = lint("spf", "v=spf1 include:_spf.google.com ~all");
    assert_eq!((code, v["findings"].as_array().map(Vec::len)), (0, Some(0)));
    assert_eq!(lint_ids("spf", "v=spf1 mx +all"), ["email.spf.permissive"]);
    assert_eq!(lint_ids("spf", "v=spf1 ?all"), ["email.spf.permissive"]);
    assert_eq!(
        lint_ids("spf", "v=spf1 ip4:mail.example.com -all"),
        ["email.spf.syntax"]
    );
    assert_eq!(lint_ids("spf", "spf1 -all"), ["email.spf.syntax"]);
    let eleven = format!("v=spf1 {}-all", "include:a.example.com ".repeat(11));
    assert_eq!(lint_ids("spf", &eleven), ["email.spf.too-many-lookups"]);
    // The evidence names the bad term precisely.
    let (_, v) = lint("spf", "v=spf1 a/33 -all");
    let evidence = v["findings"][0]["evidence"].as_str().expect("evidence");
    assert!(
        evidence.contains("a/33") && evidence.contains("32"),
        "{evidence}"
    );
}

#[test]
fn lint_dmarc_and_dkim() {
    assert!(lint_ids("dmarc", "v=DMARC1; p=reject; rua=mailto:d@example.com").is_empty());
    assert_eq!(
        lint_ids("dmarc", "v=DMARC1; p=none"),
        ["email.dmarc.policy-none", "email.dmarc.no-reports"]
    );
    assert_eq!(
        lint_ids("dmarc", "v=DMARC1; p=reject; pct=120"),
        ["email.dmarc.syntax"]
    );
    // A 512-bit RSA SubjectPublicKeyInfo.
    let weak = "v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMDX7/2gZtaPLFahhW50EFP8/952Vm+70FjN4NaJSy2mPm2Y7iFs1arGuIPWRkTTftV95DNIwQa7nf9sW8fsQl0CAwEAAQ==";
    assert_eq!(lint_ids("dkim", weak), ["email.dkim.weak-key"]);
    let (_, v) = lint("dkim", weak);
    assert_eq!(v["findings"][0]["severity"], "high");
    assert_eq!(lint_ids("dkim", "v=DKIM1; p=%%%"), ["email.dkim.syntax"]);
    assert!(
        lint_ids("dkim", "v=DKIM1; p=").is_empty(),
        "a revoked key is not an error"
    );
}

#[test]
fn lint_text_output_and_usage_errors() {
    let run = launchready(["lint", "spf", "v=spf1 -all"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("ok:"), "{}", run.stdout);
    let run = launchready(["lint", "spf", "v=spf1 +all"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("email.spf.permissive"),
        "{}",
        run.stdout
    );
    let run = launchready(["lint", "bimi", "v=BIMI1"]);
    assert_eq!(run.code, 2);
}

#[test]
fn healthy_email_is_silent_and_inventoried_quickly() {
    let sb = sandbox("healthy");
    let run = audit(&sb, &["--only", "email"]);
    let r = run.json();
    assert_report_shape(&r);
    assert!(ids(&r).is_empty(), "{:?}", ids(&r));
    let stage = r["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == "email")
        .expect("email stage")
        .clone();
    assert_eq!(stage["status"], "ran", "{stage}");
    let ms = stage["duration_ms"].as_u64().expect("ms");
    assert!(ms < 1000, "email stage took {ms} ms");
    let inv = &r["inventory"]["email"];
    assert_eq!(inv["spf"]["record"], "v=spf1 mx -all");
    assert_eq!(inv["spf"]["dns_lookups"], 1);
    assert_eq!(inv["dmarc"]["parsed"]["policy"], "reject");
    let dkim = inv["dkim"].as_array().expect("dkim");
    assert_eq!(dkim.len(), 1, "{dkim:?}");
    assert_eq!(
        (dkim[0]["selector"].as_str(), dkim[0]["bits"].as_u64()),
        (Some("google"), Some(2048))
    );
    assert_eq!(inv["mx"][0]["exchange"], "mail.example.test");
    assert_eq!(inv["mta_sts"]["policy"]["mode"], "enforce");
}

#[test]
fn spf_tree_counts_over_the_whole_include_chain() {
    let sb = sandbox("spf-too-many-lookups");
    let r = audit(&sb, &["--only", "email"]).json();
    assert_eq!(r["inventory"]["email"]["spf"]["dns_lookups"], 11);
    let f = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == "email.spf.too-many-lookups")
        .expect("finding")
        .clone();
    assert_eq!(f["subject"], "example.test TXT");
    assert_eq!(f["impact"], "email");
    // And the engine agrees: the 11th include is a permerror.
    let run = launchready([
        "spf",
        "check-host",
        "--ip",
        "192.0.2.1",
        "--sender",
        "a@example.test",
        "--dns-server",
        &sb.info.dns.to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(run.json()["result"], "permerror");
}

#[test]
fn offline_zone_audit_runs_the_email_stage() {
    let zone = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/scenarios/dmarc-policy-none.zone"
    );
    let run = launchready([
        "audit",
        "example.test",
        "--zone",
        zone,
        "--only",
        "email",
        "--format",
        "json",
    ]);
    let r = run.json();
    let got = ids(&r);
    assert!(
        got.contains("email.dmarc.policy-none") && got.contains("email.dmarc.no-reports"),
        "{got:?}"
    );
    assert_eq!(got.len(), 2, "{got:?}");
    // Offline, the policy file is not fetched and port 25 not dialled: those checks are not
    // checked (each with why), never passed, so the run is incomplete, not GO.
    let unseen: std::collections::BTreeMap<String, String> = not_checked(&r)
        .into_iter()
        .map(|(id, _, reason)| (id, reason))
        .collect();
    for id in [
        "email.mta-sts.invalid",
        "email.mx.starttls.missing",
        "email.mx.cert.invalid",
    ] {
        assert!(
            unseen
                .get(id)
                .is_some_and(|why| why.contains("offline (--zone)")),
            "{id}: {unseen:?}"
        );
    }
    assert_eq!(r["complete"], false);
    assert_eq!(run.code, 3, "{}", run.stderr);
}
