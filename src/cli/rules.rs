//! `kqlsmith rules`: list the lint rules, or print one rule's documentation.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use kqlsmith_lint::rules;

use super::EXIT_USAGE;

/// List the lint rules, or explain one.
///
/// Without an argument, prints every rule: code, name, default severity and a one-line summary.
/// With a code (`KQL301`) or a name (`contains-operator`), prints that rule's documentation:
/// what it does, why it matters, an example and how to fix it.
#[derive(Args)]
pub struct RulesArgs {
    /// A rule's code or name.
    rule: Option<String>,
}

pub fn run(args: RulesArgs) -> ExitCode {
    let mut out = anstream::stdout().lock();
    let written = match &args.rule {
        None => {
            let width = rules::all().iter().map(|r| r.name.len()).max().unwrap_or(0);
            rules::all().iter().try_for_each(|rule| {
                writeln!(
                    out,
                    "{}  {:width$}  {:7}  {}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str(),
                    rule.summary.replace('`', ""),
                )
            })
        }
        Some(wanted) => match rules::find(rules::all(), wanted) {
            Some(rule) => writeln!(
                out,
                "# {} {}\n\nDefault severity: {}. {}.\n\n{}",
                rule.code,
                rule.name,
                rule.severity,
                rule.summary,
                rule.documentation().trim_end()
            ),
            None => {
                eprintln!(
                    "error: no rule has the code or name `{wanted}` (`kqlsmith rules` lists them)"
                );
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`kqlsmith rules | head`) is not worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
