//! `kqlsmith lsp`: the language server, for editors.

use std::process::ExitCode;

use clap::Args;
use kqlsmith_lsp::Ending;

use super::{Fatal, finish};

/// Run the language server (for editors), speaking LSP on standard input and output
///
/// An editor starts it and talks to it; it is not meant to be typed. It gives, as the user
/// types: the findings of `kqlsmith lint` (with their fixes as quick fixes), `kqlsmith fmt` as
/// formatting, conversion to the other platform as a code action, hover (column types and
/// tables, `let` definitions, function signatures, rule documentation), completion (operators,
/// the columns in scope, tables, join kinds), go to definition, references, rename and
/// highlights of `let` names and parameters, an outline and signature help.
///
/// The platform and rules come from the `kqlsmith.toml` nearest each document (an unsaved
/// buffer in a folder counts), else the platform is inferred from the text and said on hover.
///
/// Set-up for VS Code, Neovim, Helix and Zed: see the README's "In the editor" section.
///
/// Exit status: 0 after `shutdown` and `exit`; 1 when the client exits without `shutdown` or
/// goes away; 2 when standard input or output fails.
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct LspArgs {
    /// Accepted for editors that pass it; standard input and output are the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(args: LspArgs) -> ExitCode {
    let _ = args.stdio;
    finish(match kqlsmith_lsp::run_stdio() {
        Ok(Ending::Clean) => Ok(ExitCode::SUCCESS),
        Ok(Ending::Abrupt) => Ok(ExitCode::from(1)),
        Err(message) => Err(Fatal::Usage(message)),
    })
}
