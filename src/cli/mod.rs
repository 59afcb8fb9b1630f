//! Command-line interface: one module a subcommand.
//!
//! Exit codes, for every subcommand: 0 success, 1 findings (parse errors, lint errors,
//! files that `fmt --check` would change), 2 usage or I/O errors, 70 internal errors
//! (kqlsmith produced something it cannot stand behind, such as a query its own parser
//! rejects: a bug).

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod convert;
mod files;
mod fmt;
mod hosts;
mod lint;
mod lsp;
mod parse;
mod progress;
mod render;
mod rules;
mod transaction;

/// Exit status of a usage, input or I/O error.
const EXIT_USAGE: u8 = 2;
/// Exit status of an internal error (`EX_SOFTWARE` in sysexits.h).
const EXIT_INTERNAL: u8 = 70;

/// What stops a command with a status other than 0 or 1.
enum Fatal {
    /// A usage, configuration or I/O error (status 2).
    Usage(String),
    /// kqlsmith failed its own check, such as an output that does not parse (status 70).
    Internal(String),
}

/// A command's exit status; its fatal error, if any, on standard error.
/// `--platform`'s choices: the names of the shipped platform files, so a new platform file
/// is a new choice with no code to change.
fn platform_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        kqlsmith_lint::Platform::builtins()
            .into_iter()
            .map(|p| p.name),
    )
}

fn finish(result: Result<ExitCode, Fatal>) -> ExitCode {
    let (message, status) = match result {
        Ok(code) => return code,
        Err(Fatal::Usage(message)) => (message, EXIT_USAGE),
        Err(Fatal::Internal(message)) => (message, EXIT_INTERNAL),
    };
    let _ = writeln!(anstream::stderr(), "error: {}", printable_message(&message));
    ExitCode::from(status)
}

/// A message for the terminal: each line with its control characters escaped, so that bytes
/// from a file or a file name cannot drive the terminal.
fn printable_message(message: &str) -> String {
    message
        .split('\n')
        .map(|line| kqlsmith_syntax::printable(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Generate and lint KQL hunting queries for Microsoft Defender XDR and Microsoft Sentinel.
#[derive(Parser)]
#[command(
    name = "kqlsmith",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  \
        kqlsmith render --platform sentinel --device ws-042  the lateral-movement hunt for one device\n  \
        kqlsmith render --all --out generated/               every hunt profile, for both platforms\n  \
        kqlsmith lint --platform defender hunts/             check queries against the schema\n  \
        kqlsmith fmt --check hunts/                          CI: are the queries formatted?\n  \
        kqlsmith convert --to sentinel hunt.kql              a Defender query for Sentinel\n  \
        kqlsmith lsp                                         the language server, for editors\n\n\
        Exit status: 0 success; 1 findings (a parse or lint error, a file fmt --check would \
        change); 2 usage, configuration or I/O error; 70 internal error.\n\n\
        `kqlsmith help COMMAND` explains a command, with more examples."
)]
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
    Lsp(lsp::LspArgs),
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
        Command::Lsp(args) => lsp::run(args),
    }
}
