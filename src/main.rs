use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = launchready::cli::Cli::parse();
    ExitCode::from(launchready::commands::run(cli))
}
