//! `launchready spf check-host` (RFC 7208 check_host() over the network, a resolver or a
//! zone file) and `launchready lint spf|dmarc|dkim RECORD` (offline, the email stage's ids).

use super::{runtime, Failure};
use crate::checks::email::{lint, LintKind};
use crate::cli::{CheckHostArgs, LintArgs, LintKind as CliLintKind, TextOrJson};
use crate::net::dns::{self, Resolver};
use crate::spf::{self, tree, SpfResult};
use std::net::IpAddr;
use std::time::Duration;

/// The zone file's origin: the sender's domain, else the HELO name, else the root.
fn zone_origin(domain: &str, helo: &str) -> hickory_proto::rr::Name {
    [domain, helo]
        .iter()
        .filter(|d| spf::eval::valid_domain(d))
        .find_map(|d| dns::name(d).ok())
        .unwrap_or_else(hickory_proto::rr::Name::root)
}

pub fn check_host_command(args: CheckHostArgs) -> Result<u8, Failure> {
    let ip: IpAddr = args
        .ip
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| {
            Failure::Usage(format!("--ip {:?} is not an IPv4 or IPv6 address", args.ip))
        })?;
    if args.sender.is_empty() && args.helo.is_empty() {
        return Err(Failure::Usage(
            "give --sender ADDR (or an empty --sender and --helo NAME to check the HELO identity)"
                .into(),
        ));
    }
    let (_, _, domain) = spf::eval::split_sender(&args.sender, &args.helo);
    let source = super::dns_source(
        args.dns_server.as_deref(),
        args.zone.as_deref(),
        || Ok(zone_origin(&domain, &args.helo)),
        None,
        false,
    )?;
    let resolver = Resolver::new(source, crate::audit::DNS_ATTEMPT_TIMEOUT);
    let limit = Duration::from_secs_f64(args.timeout);
    let rt = runtime()?;
    let (outcome, walked) = rt.block_on(async {
        let outcome = match tokio::time::timeout(
            limit,
            spf::check_host(&resolver, ip, &args.sender, &args.helo),
        )
        .await
        {
            Ok(o) => o,
            Err(_) => spf::Outcome {
                result: SpfResult::TempError,
                explanation: format!(
                    "the evaluation did not finish within {}s",
                    limit.as_secs_f64()
                ),
                mechanism: String::new(),
                dns_lookups: 0,
                void_lookups: 0,
            },
        };
        // The text output also shows the whole include tree, to see how close it is to the limits.
        let walked = if args.format == TextOrJson::Text && spf::eval::valid_domain(&domain) {
            tokio::time::timeout(limit, tree::walk_tree(&resolver, &domain))
                .await
                .ok()
        } else {
            None
        };
        (outcome, walked)
    });
    rt.shutdown_background();
    match args.format {
        TextOrJson::Json => {
            let v = serde_json::json!({
                "result": outcome.result.as_str(),
                "explanation": outcome.explanation,
                "mechanism": outcome.mechanism,
                "dns_lookups": outcome.dns_lookups,
                "void_lookups": outcome.void_lookups,
            });
            println!("{v}");
        }
        TextOrJson::Text => {
            println!("result:       {}", outcome.result);
            if !outcome.mechanism.is_empty() {
                println!("mechanism:    {}", outcome.mechanism);
            }
            println!("explanation:  {}", outcome.explanation);
            println!(
                "lookups:      {} of {} DNS-querying terms, {} of {} void lookups (this evaluation)",
                outcome.dns_lookups,
                spf::MAX_DNS_TERMS,
                outcome.void_lookups,
                spf::MAX_VOID_LOOKUPS
            );
            if let Some(t) = walked {
                let mut line = format!(
                    "include tree: {} DNS-querying terms over every branch, {} void lookups",
                    t.total_lookups,
                    t.voids.len()
                );
                if !t.loops.is_empty() {
                    line.push_str(&format!("; loop: {}", t.loops[0].join(" → ")));
                }
                println!("{line}");
                print_node(&t.root, 1);
            }
        }
    }
    Ok(0)
}

fn print_node(n: &tree::Node, depth: usize) {
    let pad = "  ".repeat(depth);
    let label = if n.term.is_empty() {
        n.domain.clone()
    } else {
        format!("{} ({})", n.term, n.domain)
    };
    match (&n.status, &n.record) {
        (tree::Status::Ok, Some(r)) => println!("{pad}{label}: {r}  [{} lookups]", n.lookup_terms),
        (status, _) => println!("{pad}{label}: {}", describe(status)),
    }
    for c in &n.children {
        print_node(c, depth + 1);
    }
}

/// A node's status as a sentence for the terminal (not Rust's Debug form).
fn describe(status: &tree::Status) -> String {
    use tree::Status as S;
    match status {
        S::Ok => "found, no record text".into(),
        S::Missing(why) => format!("no SPF record ({why})"),
        S::Multiple(n) => format!("{n} SPF records where there must be one (permerror)"),
        S::Syntax(e) => format!("the record does not parse ({e})"),
        S::Unknown(why) => format!("could not be read ({why})"),
        S::Loop => "already on the path from the root: evaluation would loop".into(),
        S::NotFollowed(why) => format!("not followed ({why})"),
    }
}

pub fn lint_command(args: LintArgs) -> Result<u8, Failure> {
    let (kind, name) = match args.kind {
        CliLintKind::Spf => (LintKind::Spf, "spf"),
        CliLintKind::Dmarc => (LintKind::Dmarc, "dmarc"),
        CliLintKind::Dkim => (LintKind::Dkim, "dkim"),
    };
    if args.record.len() > 16 * 1024 {
        return Err(Failure::Usage("the record is longer than 16 KiB".into()));
    }
    let findings = lint(kind, &args.record);
    match args.format {
        TextOrJson::Json => {
            let v = serde_json::json!({"kind": name, "record": args.record, "findings": findings});
            println!("{v}");
        }
        TextOrJson::Text => {
            if findings.is_empty() {
                println!("ok: no problem found in this {name} record");
            }
            for f in &findings {
                println!(
                    "{} {}: {}\n    {}\n    fix: {}",
                    f.severity, f.id, f.title, f.evidence, f.fix
                );
            }
        }
    }
    Ok(u8::from(!findings.is_empty()))
}
