use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = launchready::cli::Cli::parse();
    ExitCode::from(launchready::commands::run(cli))
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
