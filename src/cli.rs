//! The command line (SPEC §1).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "launchready",
    version,
    about = "Is this product ready to meet its first customers? DNS, redirects, TLS, email, secrets, headers and latency in one run, with one GO / NO-GO verdict.",
    after_help = EXIT_CODES,
    // A flag given twice takes its last value (as curl does), so flags can be appended to the
    // ones `demo --serve` prints.
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes, in every command's help.
pub const EXIT_CODES: &str = "Exit codes: 0 GO, 1 NO-GO, 2 usage or configuration error, 3 the audit could not run completely (INCOMPLETE), 130 interrupted (Ctrl-C; the report holds what was gathered). Several targets: 1 if any is NO-GO, else 3 if any is incomplete, else 0.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit one or more domains; the exit code is the verdict.
    #[command(after_help = EXIT_CODES)]
    Audit(Box<AuditArgs>),
    /// Start the built-in loopback sandbox site and audit it.
    Demo(DemoArgs),
    /// List every check: id, stage, severity, what it catches.
    Checks(ChecksArgs),
    /// Scan a source tree (and with --history its git history) for secrets.
    Secrets(SecretsArgs),
    /// RFC 7208 SPF: `spf check-host --ip IP --sender ADDR [--helo NAME]`.
    Spf {
        #[command(subcommand)]
        command: SpfCommand,
    },
    /// Lint an SPF, DMARC or DKIM record before publishing it (offline).
    Lint(LintArgs),
    /// What a check means, why it matters for a launch, and how to fix it.
    Explain {
        /// A check id, e.g. dns.ns.lame (case does not matter)
        check_id: String,
    },
    /// Print a shell completion script: `launchready completions bash > ~/.local/share/bash-completion/completions/launchready`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff): `launchready man > launchready.1 && man ./launchready.1`.
    Man,
}

/// The shells `completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

/// `--fail-on`: the lowest severity that makes the verdict NO-GO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Blocker,
    High,
    Medium,
    Low,
    Never,
}

impl From<FailOnArg> for crate::finding::FailOn {
    fn from(f: FailOnArg) -> Self {
        use crate::finding::{FailOn, Severity};
        match f {
            FailOnArg::Blocker => FailOn::At(Severity::Blocker),
            FailOnArg::High => FailOn::At(Severity::High),
            FailOnArg::Medium => FailOn::At(Severity::Medium),
            FailOnArg::Low => FailOn::At(Severity::Low),
            FailOnArg::Never => FailOn::Never,
        }
    }
}

/// `checks --format`: the list is a table or JSON, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

/// `--shard I/N`: the I-th (1-based) of N stable shares of the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("{s:?} is not a shard such as 1/4 (I from 1 to N)");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let index: u32 = i.trim().parse().map_err(|_| bad())?;
    let count: u32 = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || index == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
}

#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Ask this resolver instead of the system's (port default 53). With `--zone`: the
    /// resolver for names outside the zone file and for the parent's DS.
    #[arg(long, value_name = "IP[:PORT]")]
    pub dns_server: Option<String>,
    /// Answer DNS from this RFC 1035 master file (names outside it, and the parent's DS, go to
    /// the system resolver or `--dns-server` when one works, and are reported as not checked
    /// when none does).
    #[arg(long, value_name = "FILE")]
    pub zone: Option<PathBuf>,
    /// Connect there instead, like curl (repeatable; empty HOST or PORT matches any; the first
    /// rule that matches wins).
    #[arg(long, value_name = "HOST:PORT:ADDR:PORT")]
    pub connect_to: Vec<String>,
    /// Extra trust anchors added to the web PKI roots (PEM).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// One deadline for the whole run, in seconds.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_timeout)]
    pub timeout: f64,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report there (the table summary still goes to the terminal); without
    /// --format, the extension picks it: .json .sarif .xml (JUnit) .md .html.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Quieter: no warnings, no summary when writing to a file.
    #[arg(short, long)]
    pub quiet: bool,
    /// More log on stderr (-vv for every DNS query).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// The domains to audit (or bare URLs such as https://example.com/). Several are audited
    /// concurrently, sharing one DNS cache and one connection pool, into one combined report.
    #[arg(value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// Read more targets from FILE: one domain or URL per line, `#` starts a comment.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Audit only share I of N of the targets (1-based), picked by a stable hash (FNV-1a) of
    /// each domain: the same on every run and machine, so a CI matrix splits a list.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// How many targets are audited at once.
    #[arg(long, value_name = "N", default_value = "8", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// launchready.toml (default: ./launchready.toml when present).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The app URL (default https://<DOMAIN>/).
    #[arg(long)]
    pub url: Option<String>,
    /// A subdomain to check too (repeatable): app, api, status…
    #[arg(long, value_name = "NAME")]
    pub subdomain: Vec<String>,
    /// Run only these stages (comma list).
    #[arg(
        long,
        value_name = "STAGES",
        value_enum,
        value_delimiter = ',',
        conflicts_with = "skip"
    )]
    pub only: Option<Vec<crate::check::Stage>>,
    /// Skip these stages (comma list).
    #[arg(long, value_name = "STAGES", value_enum, value_delimiter = ',')]
    pub skip: Option<Vec<crate::check::Stage>>,
    /// The lowest severity that makes the verdict NO-GO.
    #[arg(long, value_name = "SEVERITY", value_enum, default_value = "blocker")]
    pub fail_on: FailOnArg,
    /// Requests per endpoint and concurrency level (latency stage; default 50).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub requests: Option<u64>,
    /// The concurrency ladder, e.g. 1,10,100 (default 1,10,50).
    #[arg(long, value_name = "LIST", value_parser = parse_levels)]
    pub concurrency: Option<Levels>,
    /// Open-loop mode: this many requests per second, latency measured from when each was due.
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// The safety cap on all load requests of the run (default 1000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_requests: Option<u64>,
    /// An endpoint path to measure (repeatable; default: the app, auth and health pages).
    #[arg(long, value_name = "PATH")]
    pub endpoint: Vec<String>,
    /// Report only what is new or fixed since this earlier JSON report.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Opt in to a burst of 30 failed logins in 3 s against the auth page (edge stage).
    #[arg(long)]
    pub probe_rate_limit: bool,
    /// Opt in to one POST (`Content-Type: application/json`, empty body, no signature) to each
    /// webhook of the config's `webhooks` (edge stage): it must reach the app, not a challenge.
    #[arg(long)]
    pub probe_webhooks: bool,
    /// Also run the secrets stage on this source tree (working tree and git history).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SecretsArgs {
    /// The source tree to scan.
    pub path: PathBuf,
    /// Also scan every blob of every branch and tag of its git history.
    #[arg(long)]
    pub history: bool,
    /// launchready.toml for `[[suppress]]` (default: ./launchready.toml, else PATH/launchready.toml).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The lowest severity that makes the verdict NO-GO.
    #[arg(long, value_name = "SEVERITY", value_enum, default_value = "blocker")]
    pub fail_on: FailOnArg,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The scenario to serve (see --list).
    #[arg(long, default_value = "launch-day")]
    pub scenario: String,
    /// List the scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// Keep the sandbox running and print the flags that reach it, instead of auditing it.
    #[arg(long)]
    pub serve: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The lowest severity that makes the verdict NO-GO (the demo shows a launch sprint's bar: high).
    #[arg(long, value_name = "SEVERITY", value_enum, default_value = "high")]
    pub fail_on: FailOnArg,
    /// Exit with the audit's code (1 on NO-GO) instead of 0 once the report is printed.
    #[arg(long)]
    pub strict: bool,
    /// Serve the scenario under N more domains too (example-1.test …), for multi-target runs
    /// and benches/many-targets.sh.
    #[arg(long, value_name = "N", default_value = "0", value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub aliases: u16,
}

#[derive(Debug, Clone, Args)]
pub struct ChecksArgs {
    /// Only these stages' checks (comma list).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub stage: Option<Vec<crate::check::Stage>>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// A concurrency ladder such as `1,10,50`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels(pub Vec<u32>);

fn parse_levels(s: &str) -> Result<Levels, String> {
    let levels: Result<Vec<u32>, _> = s.split(',').map(|x| x.trim().parse::<u32>()).collect();
    match levels {
        Ok(l)
            if !l.is_empty()
                && l.iter()
                    .all(|c| (1..=crate::config::MAX_CONCURRENCY).contains(&u64::from(*c))) =>
        {
            Ok(Levels(l))
        }
        _ => Err(format!(
            "{s:?} is not a list of concurrency levels such as 1,10,50 (1 to 10000)"
        )),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v <= 1_000_000.0 => Ok(v),
        _ => Err(format!("{s:?} is not a rate in requests per second")),
    }
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum SpfCommand {
    /// check_host(): may IP send mail as SENDER? Prints the result, the deciding mechanism
    /// and why, and the DNS lookups the evaluation used (exit 0 whatever the result).
    CheckHost(CheckHostArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct CheckHostArgs {
    /// The connecting client's IP address (IPv4, IPv6 or IPv4-mapped IPv6).
    #[arg(long)]
    pub ip: String,
    /// The MAIL FROM address (empty: the HELO identity is checked).
    #[arg(long, allow_hyphen_values = true)]
    pub sender: String,
    /// The HELO/EHLO name (the `%{h}` macro; the identity when --sender is empty).
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub helo: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
    /// Ask this resolver instead of the system's (port default 53).
    #[arg(long, value_name = "IP[:PORT]", conflicts_with = "zone")]
    pub dns_server: Option<String>,
    /// Answer DNS from this RFC 1035 master file only (its origin: the sender's domain).
    #[arg(long, value_name = "FILE")]
    pub zone: Option<PathBuf>,
    /// One deadline for the whole evaluation, in seconds (then: temperror).
    #[arg(long, value_name = "SECS", default_value = "20", value_parser = parse_timeout)]
    pub timeout: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintKind {
    Spf,
    Dmarc,
    Dkim,
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Which kind of record.
    #[arg(value_enum)]
    pub kind: LintKind,
    /// The record text, e.g. 'v=spf1 include:_spf.google.com -all' (quote it).
    #[arg(allow_hyphen_values = true)]
    pub record: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}
