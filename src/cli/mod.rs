//! Command-line interface: one module a subcommand.
//!
//! Exit codes, for every subcommand: 0 success, 1 findings (parse errors, lint errors,
//! files that `fmt --check` would change), 2 usage or I/O errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod lint;
mod rules;

/// Generate and lint KQL hunting queries for Microsoft Defender XDR and Microsoft Sentinel.
#[derive(Parser)]
#[command(name = "kqlsmith", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Lint(lint::LintArgs),
    Rules(rules::RulesArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
    }
}
