//! Command-line interface: one module a subcommand.
//!
//! Exit codes, for every subcommand: 0 success, 1 findings (parse errors, lint errors,
//! files that `fmt --check` would change), 2 usage or I/O errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod parse;

/// Generate and lint KQL hunting queries for Microsoft Defender XDR and Microsoft Sentinel.
#[derive(Parser)]
#[command(name = "kqlsmith", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Parse(parse::Args),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => parse::run(args),
    }
}
