//! The commands: turn validated arguments into a run and a report, and the outcome into an
//! exit code (SPEC §2).

use crate::audit::{self, Options, Selection};
use crate::check::{self, Stage};
use crate::cli::{
    AuditArgs, ChecksArgs, Cli, Command, DemoArgs, Format, ListFormat, OutputArgs, SecretsArgs,
};
use crate::config;
use crate::finding::FailOn;
use crate::net::dns::{self, Source};
use crate::net::http::{self, ConnectTo};
use crate::net::zone::ZoneData;
use crate::net::zonefile;
use crate::report::{self, Report};
use crate::target::{self, Target};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

/// The DNS source the flags ask for: `--dns-server`, `--zone` (read by `deadline`), or the
/// system's resolvers. With `--zone`, `outside_too` sends names outside the zone to
/// `--dns-server` (or the system's resolvers) instead of leaving them unknown.
pub(crate) fn dns_source(
    server: Option<&str>,
    zone: Option<&std::path::Path>,
    origin: impl FnOnce() -> Result<hickory_proto::rr::Name, dns::DnsError>,
    deadline: Option<std::time::Instant>,
    outside_too: bool,
) -> Result<Source, Failure> {
    Ok(match (server, zone) {
        (Some(server), None) => {
            Source::Server(dns::parse_server(server).map_err(|e| Failure::Usage(e.to_string()))?)
        }
        (server, Some(path)) => {
            let origin = origin().map_err(|e| Failure::Usage(e.to_string()))?;
            let limits = zonefile::Limits {
                deadline,
                ..zonefile::Limits::default()
            };
            let records = zonefile::parse_zone_file_with(path, Some(&origin), &limits)
                .map_err(|e| Failure::Usage(format!("--zone {e}")))?;
            let zone = Arc::new(ZoneData::new(records));
            if outside_too {
                let live = match server {
                    Some(s) => {
                        vec![dns::parse_server(s).map_err(|e| Failure::Usage(e.to_string()))?]
                    }
                    None => dns::system_servers(),
                };
                Source::ZoneOr(zone, live)
            } else {
                Source::Zone(zone)
            }
        }
        (None, None) => Source::System,
    })
}

/// `spf check-host` and `lint`.
mod email;
/// Several targets in one run: `audit a b c`, `--targets FILE`, `--shard I/N`.
pub mod multi;
/// The combined report of several targets in every format.
mod multi_render;
/// `completions`, `man`, and the "did you mean" hints.
mod shell;

pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;
/// Ctrl-C (128 + SIGINT), after the report of what was gathered is written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let outcome = match cli.command {
        Command::Audit(args) => audit_command(*args),
        Command::Demo(args) => demo_command(args),
        Command::Checks(args) => checks_command(args),
        Command::Secrets(args) => secrets_command(args),
        Command::Spf {
            command: crate::cli::SpfCommand::CheckHost(args),
        } => email::check_host_command(args),
        Command::Lint(args) => email::lint_command(args),
        Command::Explain { check_id } => explain_command(&check_id),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            eprintln!("launchready: error: {}", report::sanitize::terminal(&msg));
            EXIT_USAGE
        }
        Err(Failure::Run(msg)) => {
            eprintln!("launchready: error: {}", report::sanitize::terminal(&msg));
            EXIT_INCOMPLETE
        }
    }
}

/// Why a command stopped before producing a report.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: exit 2.
    Usage(String),
    /// The audit could not run: exit 3.
    Run(String),
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Run(format!("cannot start the async runtime: {e}")))
}

fn set_log_level(out: &OutputArgs) {
    crate::log::set_level(if out.quiet { 0 } else { 1 + out.verbose });
}

/// Validates everything before anything runs: nothing is half-run on bad input.
pub fn prepare(args: &AuditArgs) -> Result<Options, Failure> {
    prepare_target(args, args.domains.first().map(String::as_str))
}

/// [`prepare`] for one target of the command line (`None`: the config's `domain`).
pub fn prepare_target(args: &AuditArgs, domain: Option<&str>) -> Result<Options, Failure> {
    let usage = Failure::Usage;
    let loaded = match config::locate(args.config.as_deref()) {
        Some(path) => config::load(&path).map_err(|e| usage(e.to_string()))?,
        None => config::Loaded::default(),
    };
    let raw_domain = domain
        .map(str::to_string)
        .or_else(|| loaded.domain().map(str::to_string))
        .ok_or_else(|| {
            usage("no domain: give one (launchready audit example.com) or set `domain` in launchready.toml".into())
        })?;
    let domain = target::validate_domain(&raw_domain).map_err(|e| usage(e.to_string()))?;
    let url = match args
        .url
        .clone()
        .or_else(|| loaded.config.url.as_ref().map(|u| u.get_ref().clone()))
    {
        Some(u) => {
            target::parse_url(&u).map_err(|e| usage(format!("--url {e}")))?;
            u
        }
        None => format!("https://{domain}/"),
    };
    let mut subdomains: Vec<String> = Vec::new();
    for s in args
        .subdomain
        .iter()
        .chain(loaded.config.subdomains.iter().map(|s| s.get_ref()))
    {
        target::validate_label_path(s).map_err(|e| usage(format!("--subdomain {e}")))?;
        let q = target::qualify(s, &domain);
        if !subdomains.contains(&q) {
            subdomains.push(q);
        }
    }

    // --timeout covers reading the zone too. Names outside the zone (a CNAME to a provider, an
    // include: in SPF) go to the system's resolvers when they work; otherwise they stay not
    // checked.
    let dns_source = dns_source(
        args.net.dns_server.as_deref(),
        args.net.zone.as_deref(),
        || dns::name(&domain),
        std::time::Instant::now().checked_add(Duration::from_secs_f64(args.net.timeout)),
        true,
    )?;
    // A domain outside the zone file would leave every name "outside the zone": not checked,
    // exit 3. That is the user's mistake, said once.
    if let Source::ZoneOr(zone, _) = &dns_source {
        if let Ok(name) = dns::name(&domain) {
            if !zone.contains(&name) {
                let apexes: Vec<String> = zone.origins().iter().map(|o| o.to_string()).collect();
                return Err(usage(format!(
                    "--zone: {domain} is outside the zone file (its apex: {})",
                    apexes.join(", ")
                )));
            }
        }
    }
    let connect_to = args
        .net
        .connect_to
        .iter()
        .map(|c| ConnectTo::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| usage(e.to_string()))?;
    let ca_certs = match &args.net.ca_file {
        Some(p) => http::read_ca_file(p).map_err(|e| usage(e.to_string()))?,
        None => Vec::new(),
    };
    let only = args.only.clone();
    let skip = args.skip.clone();
    let stages = Stage::ALL
        .iter()
        .map(|st| {
            let sel = match (&only, &skip) {
                (Some(only), _) if !only.contains(st) => Selection::NotSelected,
                (_, Some(skip)) if skip.contains(st) => Selection::Skipped,
                _ => Selection::Run,
            };
            (*st, sel)
        })
        .collect();
    let fail_on = FailOn::from(args.fail_on);
    if let (None, Some(stage)) = (
        &args.repo,
        only.as_ref()
            .and_then(|o| o.iter().find(|s| s.reads_repo())),
    ) {
        return Err(usage(format!(
            "--only {stage} needs --repo PATH (the source tree to read)"
        )));
    }
    Ok(Options {
        target: Target {
            domain,
            url,
            subdomains,
            dkim_selectors: loaded.config.dkim_selectors.clone(),
            sends_mail: loaded.config.sends_mail,
            auth_paths: loaded
                .config
                .auth_paths
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
            auth_callbacks: paths(&loaded.config.auth_callbacks),
            webhooks: paths(&loaded.config.webhooks),
            rate_limit_paths: paths(&loaded.config.rate_limit_paths),
        },
        dns: dns_source,
        connect_to,
        ca_certs,
        timeout: Duration::from_secs_f64(args.net.timeout),
        stages,
        fail_on,
        load: load_plan(args, &loaded.config),
        suppressions: loaded.suppressions,
        repo: args.repo.as_deref().map(source_tree).transpose()?,
    })
}

/// A source tree to scan for secrets: a directory, or one file (scanned as a file).
fn source_tree(path: &std::path::Path) -> Result<std::path::PathBuf, Failure> {
    if path.is_dir() || path.is_file() {
        Ok(path.to_path_buf())
    } else if path.exists() {
        Err(Failure::Usage(format!(
            "{} is not a file or a directory",
            path.display()
        )))
    } else {
        Err(Failure::Usage(format!(
            "{}: no such file or directory",
            path.display()
        )))
    }
}

/// `launchready secrets PATH`: the secrets stage alone, in the audit's report shape.
fn secrets_command(args: SecretsArgs) -> Result<u8, Failure> {
    set_log_level(&args.output);
    let fail_on = FailOn::from(args.fail_on);
    let root = source_tree(&args.path)?;
    // `[[suppress]]` from -c FILE, else ./launchready.toml, else the scanned tree's own.
    let config_path = config::locate(args.config.as_deref()).or_else(|| {
        let own = root.join("launchready.toml");
        (root.is_dir() && own.is_file()).then_some(own)
    });
    let suppressions = match config_path {
        Some(path) => {
            config::load(&path)
                .map_err(|e| Failure::Usage(e.to_string()))?
                .suppressions
        }
        None => Vec::new(),
    };
    check_output(&args.output)?;
    let started = std::time::Instant::now();
    let (status, note, output) = match crate::checks::secrets::scan(&root, args.history) {
        Ok(out) => (
            report::StageStatus::Ran,
            out.note.clone().unwrap_or_default(),
            out,
        ),
        Err(why) => (
            report::StageStatus::Failed,
            why.to_string(),
            crate::checks::StageOutput::default(),
        ),
    };
    let elapsed = started.elapsed();
    crate::info!(
        "secrets: {} in {}",
        status.as_str(),
        crate::log::duration(elapsed)
    );
    let absolute = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let target = Target {
        domain: args.path.display().to_string(),
        url: format!("file://{}", absolute.display()),
        ..Target::default()
    };
    let stage = report::StageReport::new(Stage::Secrets, status, elapsed, note);
    let mut report = Report::build(
        &target,
        vec![(Stage::Secrets, stage, output)],
        fail_on,
        &suppressions,
        config::Date::today(),
    );
    report.duration_ms = elapsed.as_millis() as u64;
    emit(&report, &args.output)?;
    Ok(report.exit_code())
}

fn paths(list: &[toml::Spanned<String>]) -> Vec<String> {
    list.iter().map(|p| p.get_ref().clone()).collect()
}

/// The latency/edge plan: flags first, then the config, then the defaults.
fn load_plan(args: &AuditArgs, config: &config::Config) -> crate::net::load::LoadPlan {
    let defaults = crate::net::load::LoadPlan::default();
    let latency = config.latency.as_ref();
    let configured: Vec<String> = config
        .endpoints
        .iter()
        .filter(|e| !e.path.contains('*'))
        .map(|e| e.path.clone())
        .collect();
    crate::net::load::LoadPlan {
        endpoints: if args.endpoint.is_empty() {
            configured
        } else {
            args.endpoint.clone()
        },
        concurrency: args
            .concurrency
            .clone()
            .map(|l| l.0)
            .or_else(|| latency.and_then(|l| l.levels()))
            .unwrap_or(defaults.concurrency),
        requests: args
            .requests
            .or_else(|| latency.and_then(|l| l.requests()))
            .unwrap_or(defaults.requests),
        rate: args.rate,
        max_requests: args
            .max_requests
            .or_else(|| latency.and_then(|l| l.max_requests()))
            .unwrap_or(defaults.max_requests),
        probe_rate_limit: args.probe_rate_limit,
        probe_webhooks: args.probe_webhooks,
        budgets: config
            .endpoints
            .iter()
            .filter_map(|e| e.budget_ms.map(|b| (e.path.clone(), b)))
            .collect(),
    }
}

fn color_enabled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `COLUMNS`, else the terminal's width, else 80.
fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| comfy_table::Table::new().width())
        .unwrap_or(80)
}

fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Table => {
            report::table::render_with(report, color, terminal_width(), crate::log::enabled(2))
        }
        Format::Json => report::json(report) + "\n",
        Format::Markdown => report::markdown::render(report),
        Format::Sarif => report::sarif::render(report),
        Format::Junit => report::junit::render(report),
        Format::Html => report::html::render(report),
    }
}

/// The format a report file's name asks for: `.json`, `.sarif`, `.xml` (JUnit), `.md`,
/// `.html`; None for anything else.
pub fn format_for_path(path: &std::path::Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "json" => Some(Format::Json),
        "sarif" => Some(Format::Sarif),
        "xml" => Some(Format::Junit),
        "md" | "markdown" => Some(Format::Markdown),
        "html" | "htm" => Some(Format::Html),
        _ => None,
    }
}

/// The format of the report: `--format`, else the `-o` file's extension, else the table.
fn output_format(out: &OutputArgs) -> Format {
    out.format
        .or_else(|| out.output.as_deref().and_then(format_for_path))
        .unwrap_or(Format::Table)
}

/// Fails with a usage error (exit 2) when the `-o` file cannot be written, so that nothing
/// is probed for a report that would be lost. A file created for the test is removed again.
pub fn check_output(out: &OutputArgs) -> Result<(), Failure> {
    let Some(path) = &out.output else {
        return Ok(());
    };
    let fail = |why: String| Failure::Usage(format!("-o {}: {why}", path.display()));
    if path.is_dir() {
        return Err(fail("is a directory".into()));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| fail(e.to_string()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Writes to stdout; a reader that went away (EPIPE) is not an error worth more than silence.
fn print_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Prints or writes the report as asked.
fn emit(report: &Report, out: &OutputArgs) -> Result<(), Failure> {
    let format = output_format(out);
    match &out.output {
        Some(path) => {
            std::fs::write(path, render(report, format, false))
                .map_err(|e| Failure::Usage(format!("-o {}: {e}", path.display())))?;
            if !out.quiet {
                print_out(&render(report, Format::Table, color_enabled()));
                print_out(&format!(
                    "report written to {}\n",
                    report::sanitize::terminal_line(&path.display().to_string())
                ));
            }
        }
        None => print_out(&render(
            report,
            format,
            format == Format::Table && color_enabled(),
        )),
    }
    Ok(())
}

/// The (id, subject) of every finding of an earlier JSON report.
fn read_baseline(path: &std::path::Path) -> Result<Vec<(String, String)>, Failure> {
    let bad = |why: String| Failure::Usage(format!("--baseline {}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a JSON report ({e})")))?;
    let findings = v["findings"]
        .as_array()
        .ok_or_else(|| bad("no findings array: not a launchready JSON report".into()))?;
    Ok(findings
        .iter()
        .filter_map(|f| {
            Some((
                f["id"].as_str()?.to_string(),
                f["subject"].as_str()?.to_string(),
            ))
        })
        .collect())
}

fn audit_command(args: AuditArgs) -> Result<u8, Failure> {
    set_log_level(&args.output);
    if multi::is_multi(&args) {
        return multi::audit_many(&args);
    }
    let opts = prepare(&args)?;
    check_output(&args.output)?;
    let baseline = match &args.baseline {
        Some(path) => Some((path.display().to_string(), read_baseline(path)?)),
        None => None,
    };
    let rt = runtime()?;
    let shared = audit::Shared::new(&opts).map_err(|e| Failure::Run(e.to_string()))?;
    let (report, interrupted) = rt
        .block_on(multi::interruptible(
            &shared,
            audit::run_shared(opts, &shared),
        ))
        .map_err(|e| Failure::Run(e.to_string()))?;
    let mut report = report;
    if let Some((file, earlier)) = &baseline {
        report.apply_baseline(file, earlier);
    }
    emit(&report, &args.output)?;
    // Stop background servers and pooled connections without waiting on them.
    rt.shutdown_background();
    Ok(if interrupted {
        EXIT_INTERRUPTED
    } else {
        report.exit_code()
    })
}

fn demo_command(args: DemoArgs) -> Result<u8, Failure> {
    set_log_level(&args.output);
    if args.list {
        for files in crate::sandbox::scenario::ALL {
            let sc = files.parse().map_err(|e| Failure::Run(e.to_string()))?;
            println!("{:<24} {}", files.name, sc.description);
        }
        return Ok(0);
    }
    if crate::sandbox::scenario::find(&args.scenario).is_none() {
        let names = crate::sandbox::scenario::ALL.iter().map(|f| f.name);
        let hint = match shell::did_you_mean(&args.scenario, names) {
            Some(close) => format!("did you mean {close:?}? "),
            None => String::new(),
        };
        return Err(Failure::Usage(format!(
            "unknown scenario {:?}; {hint}`launchready demo --list` shows them",
            args.scenario
        )));
    }
    check_output(&args.output)?;
    let rt = runtime()?;
    let code = rt.block_on(async {
        let sandbox = crate::sandbox::Sandbox::start_with_aliases(&args.scenario, args.aliases.into())
            .await
            .map_err(|e| Failure::Run(e.to_string()))?;
        // A stop signal must not leave the sandbox's CA and files behind.
        tokio::spawn(crate::sandbox::cleanup_on_signal());
        let info = &sandbox.info;
        if args.serve {
            println!(
                "launchready sandbox: scenario {} — {}\n",
                info.scenario, info.description
            );
            println!("  DNS    {} (UDP and TCP)", info.dns);
            println!("  HTTP   {}", info.http);
            println!("  HTTPS  {}", info.https);
            println!("  CA     {}\n", info.ca_file.display());
            println!("Audit it with:\n  launchready audit {}\n", info.audit_args().join(" "));
            if !info.aliases.is_empty() {
                println!(
                    "The same site is served as {} more domains ({} … {}): give them as more targets.\n",
                    info.aliases.len(),
                    info.aliases[0],
                    info.aliases[info.aliases.len() - 1]
                );
            }
            println!(
                "Or ask it yourself:\n  dig @{} -p {} {} A\n  curl --connect-to ::{}:{} --cacert {} https://{}/\n",
                info.dns.ip(),
                info.dns.port(),
                info.domain,
                info.https.ip(),
                info.https.port(),
                info.ca_file.display(),
                info.domain
            );
            println!("Press Ctrl-C to stop.");
            // Runs until a stop signal; the cleanup task removes the files and exits.
            std::future::pending::<()>().await;
            return Ok(0);
        }
        let mut argv = vec!["launchready".to_string(), "audit".to_string()];
        argv.extend(info.audit_args());
        argv.extend([
            "--fail-on".into(),
            FailOn::from(args.fail_on).as_str().to_string(),
        ]);
        let parsed = Cli::try_parse_from(&argv).map_err(|e| Failure::Run(e.to_string()))?;
        let Command::Audit(mut audit_args) = parsed.command else {
            return Err(Failure::Run("internal: demo did not build an audit".into()));
        };
        audit_args.output = args.output.clone();
        audit_args.config = Some(std::path::PathBuf::from("/dev/null"));
        let opts = prepare(&audit_args)?;
        let report = audit::run(opts)
            .await
            .map_err(|e| Failure::Run(e.to_string()))?;
        emit(&report, &args.output)?;
        Ok(if args.strict { report.exit_code() } else { 0 })
    });
    rt.shutdown_background();
    code
}

fn checks_command(args: ChecksArgs) -> Result<u8, Failure> {
    let stage = args.stage.clone();
    let docs: Vec<_> = check::registry()
        .into_iter()
        .filter(|d| stage.as_ref().is_none_or(|st| st.contains(&d.stage)))
        .collect();
    match args.format {
        ListFormat::Json => {
            let v: Vec<_> = docs
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id, "stage": d.stage.as_str(), "severity": d.severity,
                        "impact": d.impact, "title": d.title, "catches": d.catches,
                        "why": d.why, "fix": d.fix, "refs": d.refs,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ListFormat::Table => {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_width(terminal_width())
                .set_header(vec!["Check", "Stage", "Severity", "Impact", "Catches"]);
            for d in &docs {
                t.add_row(vec![
                    d.id,
                    d.stage.as_str(),
                    d.severity.as_str(),
                    d.impact.as_str(),
                    d.title,
                ]);
            }
            println!("{t}");
            println!(
                "{} checks. `launchready explain <CHECK>` for the details.",
                docs.len()
            );
        }
    }
    Ok(0)
}

fn explain_command(id: &str) -> Result<u8, Failure> {
    let wanted = id.trim().to_ascii_lowercase();
    let Some(d) = check::lookup(&wanted) else {
        let ids = check::registry().into_iter().map(|d| d.id);
        // A typo first; else the checks that start with it or share its second part.
        let mut close: Vec<&str> = shell::did_you_mean(&wanted, ids.clone())
            .into_iter()
            .collect();
        if close.is_empty() {
            close.extend(
                ids.filter(|c| {
                    c.starts_with(wanted.as_str())
                        || (wanted.contains('.') && c.split('.').nth(1) == wanted.split('.').nth(1))
                })
                .take(8),
            );
        }
        let hint = if close.is_empty() {
            "`launchready checks` lists them".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        return Err(Failure::Usage(format!("unknown check {id:?}; {hint}")));
    };
    println!("{} — {}\n", d.id, d.title);
    println!(
        "Stage: {} · default severity: {} · impact: {}\n",
        d.stage, d.severity, d.impact
    );
    println!("What it catches\n  {}\n", d.catches);
    println!("Why it matters for a launch\n  {}\n", d.why);
    println!("How to fix it\n  {}\n", d.fix);
    println!("References");
    for r in d.refs {
        println!("  - {r}");
    }
    Ok(0)
}
