//! `kqlsmith parse`: check that files are valid KQL, or print a file's syntax tree.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::{EXIT_USAGE, files, hosts};

/// Check that KQL files parse; print where and why when they do not.
#[derive(clap::Args)]
#[command(
    long_about = "Check that KQL files parse, with kqlsmith's own KQL grammar.\n\n\
        Prints one line a file: `PATH: ok`, or `PATH:LINE:COL: error: MESSAGE` where the \
        message says what was found and what was expected. Directories are searched \
        recursively for `.kql` files (the extension in any case) and host files (`.md`, \
        `.yaml`, `.yml`, and `.json` files that are Sentinel or Defender XDR rules), in sorted \
        order, passing over hidden files and folders (`.git`, `.vscode`) unless named; a path \
        that cannot be read (a dangling link, a link loop) is an error for it alone; `-` reads \
        standard input. A host file gives one line a query, at its host line: \
        `PATH:LINE: ok (KEY)`.\n\n\
        Exit status: 0 if every file parses, 1 if any does not, 2 if a file cannot be read \
        or the arguments are wrong.",
    after_help = "Examples:\n  \
        kqlsmith parse hunts/                     check every .kql file under hunts/\n  \
        kqlsmith parse --format json a.kql b.kql  one JSON object a file, for scripts\n  \
        kqlsmith parse --ast a.kql                the syntax tree of a.kql as JSON\n  \
        pbpaste | kqlsmith parse -                check the query on the clipboard"
)]
pub struct Args {
    /// Files to parse, directories to search for `.kql` and host files, or `-` for standard
    /// input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format: `text` (one line a file) or `json` (one JSON object a line).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print the syntax tree of a single file as JSON instead of checking files.
    #[arg(long)]
    ast: bool,

    #[command(flatten)]
    hosts: hosts::HostArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// One file's result in `--format json`.
#[derive(Serialize)]
struct FileReport<'a> {
    file: &'a str,
    ok: bool,
    errors: Vec<ErrorReport>,
}

#[derive(Serialize)]
struct ErrorReport {
    /// Byte offsets of the error's span.
    offset: usize,
    end: usize,
    line: usize,
    column: usize,
    message: String,
}

pub fn run(args: Args) -> ExitCode {
    // A path that cannot be read is reported; the others' results still come.
    let found = files::collect(&args.paths);
    let mut io_failed = found.report_errors();
    let files = found.files;
    if args.ast {
        return print_ast(&files, io_failed);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut any_failed = false;
    for file in &files {
        let shown = files::printable_path(file);
        if let Some(host) = hosts::read(file, &args.hosts.read_options()) {
            match host {
                Ok(host) => {
                    match hosts::parse(&mut out, &shown, &host, args.format == Format::Json) {
                        Ok(failed) => any_failed |= failed,
                        // The reader went away (a closed pipe): nothing more can be reported.
                        Err(_) => return ExitCode::from(EXIT_USAGE),
                    }
                }
                Err(error) => {
                    eprintln!("error: {}", super::printable_message(&error));
                    io_failed = true;
                }
            }
            continue;
        }
        let source = match files::read(file) {
            Ok(source) => source,
            Err(error) => {
                eprintln!("error: {}", super::printable_message(&error));
                io_failed = true;
                continue;
            }
        };
        let result = kqlsmith::syntax::check(&source);
        any_failed |= result.is_err();
        let written = match args.format {
            Format::Text => match &result {
                Ok(_) => writeln!(out, "{shown}: ok"),
                Err(e) => writeln!(out, "{shown}:{}:{}: error: {}", e.line, e.column, e.message),
            },
            Format::Json => {
                let errors = result
                    .as_ref()
                    .err()
                    .map(|e| ErrorReport {
                        offset: e.span.start,
                        end: e.span.end,
                        line: e.line,
                        column: e.column,
                        message: e.message.clone(),
                    })
                    .into_iter()
                    .collect();
                let report = FileReport {
                    file: &shown,
                    ok: result.is_ok(),
                    errors,
                };
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&report).unwrap_or_default()
                )
            }
        };
        if written.is_err() {
            // The reader went away (a closed pipe): nothing more can be reported.
            return ExitCode::from(EXIT_USAGE);
        }
    }
    if io_failed {
        ExitCode::from(EXIT_USAGE)
    } else if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_ast(queries: &[PathBuf], io_failed: bool) -> ExitCode {
    if io_failed {
        return ExitCode::from(EXIT_USAGE);
    }
    let [file] = queries else {
        eprintln!(
            "error: --ast prints the tree of exactly one file; {} given",
            queries.len()
        );
        return ExitCode::from(EXIT_USAGE);
    };
    if kqlsmith_hosts::HostKind::from_path(file).is_some() {
        eprintln!(
            "error: --ast prints the tree of a .kql file; {} holds queries inside another format",
            file.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let source = match files::read(file) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match kqlsmith::syntax::parse(&source) {
        Ok(script) => match serde_json::to_string_pretty(&script) {
            Ok(json) => {
                // A reader that goes away early (a closed pipe) is not an error worth a panic.
                let _ = writeln!(std::io::stdout().lock(), "{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!(
                    "{}: error: cannot write the tree as JSON: {error}",
                    file.display()
                );
                ExitCode::from(EXIT_USAGE)
            }
        },
        Err(e) => {
            let _ = writeln!(
                std::io::stdout().lock(),
                "{}:{}:{}: error: {}",
                file.display(),
                e.line,
                e.column,
                e.message
            );
            ExitCode::from(1)
        }
    }
}
