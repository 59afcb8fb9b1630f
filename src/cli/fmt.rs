//! `kqlsmith fmt`: lay KQL files out in the canonical layout, keeping every comment.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kqlsmith_lint::Config;
use kqlsmith_syntax::format::{FormatError, FormatOptions, format};

use super::{EXIT_USAGE, Fatal, finish, printable_message};
use super::{files, hosts, progress, transaction};
use kqlsmith_syntax::format::LineStyle;

/// Format KQL files: one canonical layout, every comment kept
///
/// Each pipe stage goes on a line of its own, `let` statements one a line; operators and commas
/// get single spaces; lists that do not fit (`project`, `summarize`, call arguments, `in (...)`)
/// go one item a line, indented; keywords take their canonical spelling (`mv-expand`). Comments
/// stay where they were: on a line of their own before what they preceded, or at the end of
/// their code's line. Blank lines between statements and stages are kept (one at most).
///
/// The line width and indentation come from the `[format]` table of `kqlsmith.toml`, the
/// nearest one in the file's folder or above it:
///
///   [format]
///   line-width = 100
///   indent = 4
///
/// Files are rewritten in place, all of them or none: when one cannot be written, every file
/// keeps its previous bytes. Each keeps its line endings (CRLF or LF, the more frequent one
/// when mixed), its byte-order mark, its mode and its links. A file that does not parse is
/// reported, rustc-style, and left as it was. In Markdown, YAML and JSON files only the
/// queries' text changes (re-indented, re-escaped); a host file with a query that does not
/// parse is reported and left as it was.
///
/// Exit status: 0 when every file is formatted (or, with --check, already was); 1 when a file
/// does not parse, or --check finds a file to reformat; 2 on a usage, configuration or I/O
/// error; 70 on an internal error (the formatter produced text it could not stand behind).
///
/// Examples:
///   kqlsmith fmt hunts/                  format every .kql file below hunts/, in place
///   kqlsmith fmt --check .               list the files that would change (for CI)
///   kqlsmith fmt --stdout hunt.kql       print the formatted text, change nothing
///   cat hunt.kql | kqlsmith fmt -        format standard input to standard output
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct FmtArgs {
    /// Files or folders to format (folders are searched for .kql files, in any case, and for
    /// queries inside .md, .yaml, .yml and rule .json files, passing over hidden names such as
    /// .git); `-` reads standard input and writes
    /// standard output.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Change nothing: print the files that would change, and exit with 1 if there are any.
    #[arg(long, conflicts_with = "stdout")]
    check: bool,

    /// Print the formatted text of one file instead of rewriting it.
    #[arg(long)]
    stdout: bool,

    /// Use this configuration file instead of looking for kqlsmith.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(flatten)]
    hosts: hosts::HostArgs,
}

/// How one file came out.
enum Outcome {
    Unchanged,
    /// Reformatted: printed, or with --check would be.
    Changed,
    /// Reformatted, to be written with the others at the end of the run.
    ToWrite(String),
    /// Not valid KQL: reported, left alone.
    Invalid,
}

pub fn run(args: FmtArgs) -> ExitCode {
    finish(fmt(&args))
}

fn fmt(args: &FmtArgs) -> Result<ExitCode, Fatal> {
    let found = files::collect(&args.paths);
    let mut io_failed = found.report_errors();
    let files = found.files;
    if args.stdout && files.len() > 1 {
        return Err(Fatal::Usage(format!(
            "--stdout prints one file; {} were given (without it, files are rewritten in place)",
            files.len()
        )));
    }
    let explicit = match &args.config {
        Some(path) => Some(Config::load(path).map_err(|e| Fatal::Usage(e.to_string()))?),
        None => None,
    };
    let mut settings = Settings {
        explicit: explicit.map(|c| c.format),
        configs: files::Configs::default(),
    };
    let (mut changed, mut unchanged, mut invalid) = (0, 0, 0);
    let mut to_write = Vec::new();
    // Text on standard output stands alone: no bar then.
    let only_text = args.stdout || files.iter().all(|f| files::is_stdin(f));
    let progress = progress::bar("formatting", files.len(), !only_text);
    for file in &files {
        progress.inc(1);
        progress.set_message(file.display().to_string());
        let options = settings.for_file(file)?;
        // Messages about the file go to stderr with the bar out of the way.
        match progress.suspend(|| format_file(file, &options, args)) {
            Ok(Outcome::Unchanged) => unchanged += 1,
            Ok(Outcome::Changed) => changed += 1,
            Ok(Outcome::ToWrite(text)) => to_write.push((file.clone(), text)),
            Ok(Outcome::Invalid) => invalid += 1,
            Err(Fatal::Usage(message)) => {
                progress.suspend(|| {
                    writeln!(anstream::stderr(), "error: {}", printable_message(&message)).ok()
                });
                io_failed = true;
            }
            Err(internal) => return Err(internal),
        }
    }
    progress.finish_and_clear();
    // Every file, or none.
    let mut unwritten = 0;
    match transaction::write_all(&to_write) {
        Ok(()) => changed += to_write.len(),
        Err(message) => {
            let _ = writeln!(anstream::stderr(), "error: {}", printable_message(&message));
            io_failed = true;
            unwritten = to_write.len();
        }
    }
    // Unless the text is all that was asked for, say what was done.
    if !only_text {
        let counts = Counts {
            changed,
            unchanged,
            invalid,
            unwritten,
        };
        let _ = writeln!(anstream::stderr(), "{}", summary(args.check, &counts));
    }
    Ok(if io_failed {
        ExitCode::from(EXIT_USAGE)
    } else if invalid > 0 || (args.check && changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The formatter options of each file: from --config, else the nearest kqlsmith.toml, else
/// the defaults.
struct Settings {
    explicit: Option<FormatOptions>,
    configs: files::Configs,
}

impl Settings {
    fn for_file(&mut self, file: &Path) -> Result<FormatOptions, Fatal> {
        match self.explicit {
            Some(options) => Ok(options),
            None => Ok(self.configs.for_file(file).map_err(Fatal::Usage)?.format),
        }
    }
}

fn format_file(file: &Path, options: &FormatOptions, args: &FmtArgs) -> Result<Outcome, Fatal> {
    let shown = file.display().to_string();
    let (source, formatted) = match hosts::read(file, &args.hosts.read_options()) {
        // A host file is written only when every query in it parses.
        Some(host) => {
            let host = host.map_err(Fatal::Usage)?;
            let (formatted, all_valid) = hosts::format_host(file, &host, options)?;
            if !all_valid {
                return Ok(Outcome::Invalid);
            }
            (host.text().to_string(), formatted)
        }
        None => {
            let source = files::read(file).map_err(Fatal::Usage)?;
            let (style, text) = LineStyle::of(&source);
            let formatted = match format(text, options) {
                Ok(formatted) => style.apply(&formatted),
                Err(FormatError::Syntax(error)) => {
                    // The error's place is in the text without the byte-order mark.
                    files::report_syntax_error(&shown, text, &error);
                    return Ok(Outcome::Invalid);
                }
                Err(internal @ FormatError::Internal(_)) => {
                    return Err(Fatal::Internal(format!("{shown}: {internal}")));
                }
            };
            (source, formatted)
        }
    };
    let outcome = if formatted == source {
        Outcome::Unchanged
    } else {
        Outcome::Changed
    };
    if args.check {
        if matches!(outcome, Outcome::Changed) {
            let _ = writeln!(std::io::stdout(), "{shown}");
        }
    } else if args.stdout || files::is_stdin(file) {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(formatted.as_bytes())
            .and_then(|()| stdout.flush())
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::BrokenPipe => Ok(()),
                _ => Err(Fatal::Usage(format!("cannot write standard output: {e}"))),
            })?;
    } else if matches!(outcome, Outcome::Changed) {
        return Ok(Outcome::ToWrite(formatted));
    }
    Ok(outcome)
}

/// How many files came out which way.
struct Counts {
    changed: usize,
    unchanged: usize,
    invalid: usize,
    /// Reformatted, but not written because a write of the run failed.
    unwritten: usize,
}

/// The closing line: what was done to how many files.
fn summary(check: bool, counts: &Counts) -> String {
    let Counts {
        changed,
        unchanged,
        invalid,
        unwritten,
    } = *counts;
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    let mut text = if check {
        format!(
            "{} would be reformatted, {} already formatted",
            files(changed),
            files(unchanged)
        )
    } else {
        format!(
            "{} reformatted, {} already formatted",
            files(changed),
            files(unchanged)
        )
    };
    if invalid > 0 {
        text.push_str(&format!(
            ", {} not valid KQL (left as they were)",
            files(invalid)
        ));
    }
    if unwritten > 0 {
        text.push_str(&format!(
            ", {} not written (every file left as it was)",
            files(unwritten)
        ));
    }
    text
}
