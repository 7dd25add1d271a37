//! The command line (SPEC §1).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "launchready",
    version,
    about = "Is this product ready to meet its first customers? DNS, redirects, TLS, email, secrets, headers and latency in one run, with one GO / NO-GO verdict.",
    after_help = "Exit codes: 0 GO, 1 NO-GO, 2 usage or configuration error, 3 the audit could not run completely."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a domain; the exit code is the verdict.
    Audit(Box<AuditArgs>),
    /// Start the built-in loopback sandbox site and audit it.
    Demo(DemoArgs),
    /// List every check: id, stage, severity, what it catches.
    Checks(ChecksArgs),
    /// What a check means, why it matters for a launch, and how to fix it.
    Explain {
        /// A check id, e.g. dns.ns.lame
        check_id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Ask this resolver instead of the system's (port default 53).
    #[arg(long, value_name = "IP[:PORT]", conflicts_with = "zone")]
    pub dns_server: Option<String>,
    /// Answer DNS from this RFC 1035 master file only (offline).
    #[arg(long, value_name = "FILE")]
    pub zone: Option<PathBuf>,
    /// Connect there instead, like curl (repeatable; empty HOST or PORT matches any).
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
    /// Write the report there (the table summary still goes to the terminal).
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
    /// The domain to audit (or a bare URL such as https://example.com/).
    pub domain: Option<String>,
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
    #[arg(long, value_name = "STAGES", conflicts_with = "skip")]
    pub only: Option<String>,
    /// Skip these stages (comma list).
    #[arg(long, value_name = "STAGES")]
    pub skip: Option<String>,
    /// The lowest severity that makes the verdict NO-GO.
    #[arg(long, value_name = "SEVERITY", default_value = "blocker", value_parser = ["blocker", "high", "medium", "low", "never"])]
    pub fail_on: String,
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
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = ["blocker", "high", "medium", "low", "never"])]
    pub fail_on: String,
    /// Exit with the audit's code (1 on NO-GO) instead of 0 once the report is printed.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ChecksArgs {
    /// Only this stage's checks.
    #[arg(long)]
    pub stage: Option<String>,
    /// table or json.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 86400"
        )),
    }
}
