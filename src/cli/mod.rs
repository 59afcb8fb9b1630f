//! Command-line interface: one module a subcommand.
//!
//! Exit codes, for every subcommand: 0 success, 1 findings (parse errors, lint errors,
//! files that `fmt --check` would change), 2 usage or I/O errors, 70 internal errors
//! (kqlsmith produced something it cannot stand behind, such as a query its own parser
//! rejects: a bug).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod convert;
mod files;
mod fmt;
mod lint;
mod parse;
mod progress;
mod render;
mod rules;

/// Exit status of a usage, input or I/O error.
const EXIT_USAGE: u8 = 2;
/// Exit status of an internal error (`EX_SOFTWARE` in sysexits.h).
const EXIT_INTERNAL: u8 = 70;

/// Generate and lint KQL hunting queries for Microsoft Defender XDR and Microsoft Sentinel.
#[derive(Parser)]
#[command(name = "kqlsmith", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Render(render::RenderArgs),
    Parse(parse::Args),
    Lint(lint::LintArgs),
    Rules(rules::RulesArgs),
    Fmt(fmt::FmtArgs),
    Convert(convert::ConvertArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render(args) => render::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Convert(args) => convert::run(args),
    }
}
