use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = match launchready::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    ExitCode::from(launchready::commands::run(cli))
}

/// Help and version go out as clap writes them; a usage error is one line on stderr and
/// exit 2, like every other bad input (`launchready: error: invalid value 'tsl' for
/// '--only <STAGES>' [possible values: …]; tip: a similar value exists: 'tls'`).
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit()
    }
    let text = e.to_string();
    let line = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
        })
        .collect::<Vec<_>>()
        .join("; ")
        .replace("; [possible values", " [possible values");
    let line = line.strip_prefix("error: ").unwrap_or(&line);
    eprintln!("launchready: error: {line}");
    ExitCode::from(2)
}

/// `launchready checks | head -1`: once the reader has gone, `println!` panics with EPIPE
/// (Rust ignores SIGPIPE). That is no error of ours: stop quietly instead of printing a panic
/// and exiting 101. Any other panic is reported as before.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info)
    }));
}
