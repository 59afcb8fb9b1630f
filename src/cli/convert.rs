//! `kqlsmith convert`: turn a Defender XDR query into a Sentinel one, or the other way round,
//! changing only the names that must change.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kqlsmith_lint::convert::{ConvertError, convert};
use kqlsmith_lint::output::{self, FileReport};
use kqlsmith_lint::{Config, Platform, Severity, infer_platform};

use super::{EXIT_USAGE, Fatal, finish, printable_message};
use super::{files, hosts, progress, transaction};

/// Convert KQL queries between Defender XDR and Sentinel
///
/// Only the names that differ between the platforms change, in place: the time column
/// (`Timestamp` on Defender XDR, `TimeGenerated` on Sentinel) and the tables and columns the
/// platform files rename (profiles/platforms/*.toml, `[convert.*]`). Every other byte, comments
/// and layout included, stays as it was. A name changes only where it refers to a platform
/// table's column: strings, comments and columns the query makes itself (`extend Timestamp =
/// ...`) keep theirs.
///
/// What has no equivalent on the target (a table or column it lacks, a platform function) is
/// reported rustc-style on standard error, with the lint code the converted query breaks.
///
/// The source platform is --from, else `platform` in kqlsmith.toml's [lint] table, else guessed
/// from the query (said in a note). Queries in Sentinel YAML and ARM templates are Sentinel's,
/// in Defender rule JSON Defender's; in such files only the queries' text changes.
///
/// The converted query goes to standard output; --in-place rewrites the files instead, also
/// when something is reported: all of them or none (when one cannot be written, every file
/// keeps its previous bytes), keeping their modes and links.
///
/// Exit status: 0 when everything converted; 1 when a file does not parse (it is left as it
/// was) or something could not be converted (an error is reported); 2 on a usage,
/// configuration or I/O error; 70 on an internal error.
///
/// Examples:
///   kqlsmith convert --to sentinel hunt.kql > hunt.sentinel.kql
///   kqlsmith convert --to defender --from sentinel hunts/ --in-place
///   cat hunt.kql | kqlsmith convert --to sentinel -
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ConvertArgs {
    /// Files or folders to convert (folders are searched for .kql files, in any case, and for
    /// queries inside .md, .yaml, .yml and rule .json files, passing over hidden names such as
    /// .git); `-` reads standard input. More than
    /// one needs --in-place.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The platform to convert to.
    #[arg(long, value_name = "PLATFORM", value_parser = super::platform_names())]
    to: String,

    /// The platform the queries are written for (default: from kqlsmith.toml, else guessed).
    #[arg(long, value_name = "PLATFORM", value_parser = super::platform_names())]
    from: Option<String>,

    /// Rewrite the files instead of printing the converted queries.
    #[arg(long)]
    in_place: bool,

    /// Use this configuration file instead of looking for kqlsmith.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(flatten)]
    hosts: hosts::HostArgs,
}

/// How one file came out.
#[derive(Default)]
struct Tally {
    files: usize,
    changed: usize,
    invalid: usize,
    /// What could not be converted, and files that could not be read or written.
    errors: usize,
    warnings: usize,
    /// Converted, but not written because a write of the run failed.
    unwritten: usize,
}

pub fn run(args: ConvertArgs) -> ExitCode {
    finish(convert_command(&args))
}

fn convert_command(args: &ConvertArgs) -> Result<ExitCode, Fatal> {
    let found = files::collect(&args.paths);
    let mut io_failed = found.report_errors();
    let files = found.files;
    let mut tally = Tally {
        errors: found.errors.len(),
        ..Tally::default()
    };
    if !args.in_place && files.len() > 1 {
        return Err(Fatal::Usage(format!(
            "{} files given: converting several needs --in-place (without it, the converted \
             query is printed)",
            files.len()
        )));
    }
    if args.in_place && files.iter().any(|f| files::is_stdin(f)) {
        return Err(Fatal::Usage(
            "standard input cannot be converted --in-place".into(),
        ));
    }
    let to = Platform::builtin(&args.to).map_err(|e| Fatal::Usage(e.to_string()))?;
    let explicit = match &args.config {
        Some(path) => Some(Config::load(path).map_err(|e| Fatal::Usage(e.to_string()))?),
        None => None,
    };
    let mut configs = files::Configs::default();
    let mut to_write = Vec::new();
    let progress = progress::bar("converting", files.len(), args.in_place);
    for file in &files {
        progress.inc(1);
        progress.set_message(file.display().to_string());
        let configured = match &explicit {
            Some(config) => config.platform.clone(),
            None => configs
                .for_file(file)
                .map_err(Fatal::Usage)?
                .platform
                .clone(),
        };
        // Messages about the file go to stderr with the bar out of the way.
        match progress.suspend(|| convert_file(file, args, &to, configured, &mut tally)) {
            Ok(None) => {}
            Ok(Some(text)) => to_write.push((file.clone(), text)),
            Err(Fatal::Usage(message)) => {
                progress.suspend(|| {
                    writeln!(anstream::stderr(), "error: {}", printable_message(&message)).ok()
                });
                tally.errors += 1;
                io_failed = true;
            }
            Err(internal) => return Err(internal),
        }
    }
    progress.finish_and_clear();
    // Every file, or none.
    if let Err(message) = transaction::write_all(&to_write) {
        let _ = writeln!(anstream::stderr(), "error: {}", printable_message(&message));
        tally.errors += 1;
        tally.unwritten = to_write.len();
        io_failed = true;
    }
    if args.in_place {
        let _ = writeln!(anstream::stderr(), "{}", summary(&tally, &to));
    }
    Ok(if io_failed {
        ExitCode::from(EXIT_USAGE)
    } else if tally.invalid > 0 || tally.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn convert_file(
    file: &Path,
    args: &ConvertArgs,
    to: &Platform,
    configured: Option<String>,
    tally: &mut Tally,
) -> Result<Option<String>, Fatal> {
    if let Some(host) = hosts::read(file, &args.hosts.read_options()) {
        let host = host.map_err(Fatal::Usage)?;
        let converted =
            hosts::convert(file, &host, args.from.as_deref(), configured.as_deref(), to)?;
        tally.files += 1;
        tally.invalid += usize::from(converted.invalid > 0);
        let changed = converted.text != host.text();
        tally.changed += usize::from(changed);
        tally.count(&converted.diagnostics);
        return write_out(args, &converted.text, changed);
    }
    let source = files::read(file).map_err(Fatal::Usage)?;
    let shown = file.display().to_string();
    let mut notes = Vec::new();
    let from_name = match (&args.from, configured) {
        (Some(name), _) => name.clone(),
        (None, Some(name)) => name,
        (None, None) => {
            let guess = infer_platform(&source);
            notes.push(format!(
                "converting from {} ({}); pass --from to choose",
                guess.platform, guess.reason
            ));
            guess.platform.to_string()
        }
    };
    let from = Platform::builtin(&from_name).map_err(|e| Fatal::Usage(e.to_string()))?;
    if from.name == to.name {
        notes.push(format!(
            "the query is already for {}: nothing to convert",
            to.title
        ));
    }
    tally.files += 1;
    let conversion = match convert(&source, &from, to) {
        Ok(conversion) => conversion,
        Err(ConvertError::Syntax(error)) => {
            files::report_syntax_error(&shown, &source, &error);
            tally.invalid += 1;
            return Ok(None);
        }
        Err(internal @ ConvertError::Internal(_)) => {
            return Err(Fatal::Internal(format!("{shown}: {internal}")));
        }
    };
    let changed = conversion.text != source;
    tally.changed += usize::from(changed);
    tally.count(&conversion.diagnostics);
    let to_write = write_out(args, &conversion.text, changed)?;
    if !conversion.diagnostics.is_empty() || !notes.is_empty() {
        let report = FileReport {
            path: shown,
            source: conversion.text,
            diagnostics: conversion.diagnostics,
            notes,
        };
        let text = output::human(&[report], std::io::stderr().is_terminal());
        let _ = write!(anstream::stderr(), "{text}");
    }
    Ok(to_write)
}

impl Tally {
    /// Counts the errors and warnings of a conversion.
    fn count(&mut self, diagnostics: &[kqlsmith_lint::Diagnostic]) {
        let count = |severity| {
            diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .count()
        };
        self.errors += count(Severity::Error);
        self.warnings += count(Severity::Warning);
    }
}

/// The converted text: with --in-place, the text to write over the file (when it changed);
/// else printed on standard output.
fn write_out(args: &ConvertArgs, text: &str, changed: bool) -> Result<Option<String>, Fatal> {
    if args.in_place {
        return Ok(changed.then(|| text.to_string()));
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Ok(()),
            _ => Err(Fatal::Usage(format!("cannot write standard output: {e}"))),
        })?;
    Ok(None)
}

/// The closing line of an --in-place run.
fn summary(tally: &Tally, to: &Platform) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut text = format!(
        "converted {} to {} ({} changed), {}, {}",
        plural(tally.files - tally.invalid, "file"),
        to.name,
        tally.changed,
        plural(tally.errors, "error"),
        plural(tally.warnings, "warning"),
    );
    if tally.invalid > 0 {
        text.push_str(&format!(
            "; {} not valid KQL (left as they were)",
            plural(tally.invalid, "file")
        ));
    }
    if tally.unwritten > 0 {
        text.push_str(&format!(
            "; {} not written (every file left as it was)",
            plural(tally.unwritten, "file")
        ));
    }
    text
}
