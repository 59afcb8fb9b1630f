//! `kqlsmith lint`: check KQL files against a platform's schema and the lint rules.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use kqlsmith_lint::output::{self, FileReport};
use kqlsmith_lint::{Config, Linter, Platform, Severity, rules};

use super::{EXIT_USAGE, Fatal, files, finish, hosts, printable_message, progress, transaction};

/// Lint KQL queries: schema-aware checks with precise locations and fixes
///
/// Each file is checked against a platform's tables and columns (Defender XDR advanced hunting
/// or Sentinel). The platform comes from --platform, else from `kqlsmith.toml` (the nearest one
/// in the file's folder or above), else it is inferred from the query (`TimeGenerated` means
/// Sentinel, `Timestamp` on Device* tables means Defender) and said in a note.
///
/// Exit status: 0 when no error-level finding, 1 when there is one, 2 on a usage, configuration
/// or I/O error.
///
/// Examples:
///   kqlsmith lint hunts/                        every .kql file below hunts/
///   kqlsmith lint --platform sentinel q.kql     lint as a Sentinel query
///   kqlsmith lint --format sarif . > kql.sarif  for code scanning
///   kqlsmith lint --fix hunts/                  apply the safe fixes in place
///   kqlsmith lint Detections/rule.yaml          the query of a Sentinel rule
///   kqlsmith lint --untagged-fences kql hunts/  also the Markdown fences without a language tag
///
/// Queries inside Markdown fences (```kql), Sentinel YAML (`query:`), ARM templates and Defender
/// XDR rule JSON are linted where they are, with positions in that file; the platform comes from
/// the file where it says (Sentinel YAML and ARM: Sentinel; Defender JSON: Defender).
///
/// Rules are listed by `kqlsmith rules`; `kqlsmith rules KQL301` explains one. Silence one
/// finding with a comment `// kqlsmith: ignore KQL301` on the line before it or at the end of
/// its line, or a whole file with `// kqlsmith: ignore-file KQL301`.
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct LintArgs {
    /// Files or folders to lint (folders are searched for .kql files and for queries inside .md,
    /// .yaml, .yml and rule .json files, passing over hidden names such as .git); `-` reads
    /// standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The platform to check against (default: from kqlsmith.toml, else inferred per file).
    #[arg(long, value_name = "NAME", value_parser = super::platform_names())]
    platform: Option<String>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Apply the safe fixes to the files (never writes a file that would not parse).
    #[arg(long)]
    fix: bool,

    /// Use this configuration file instead of looking for kqlsmith.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(flatten)]
    hosts: hosts::HostArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// rustc-style text with the source line, a caret and the fix; colour on a terminal.
    Human,
    /// A JSON array, one object a diagnostic.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

pub fn run(args: LintArgs) -> ExitCode {
    finish(lint(&args))
}

fn lint(args: &LintArgs) -> Result<ExitCode, Fatal> {
    let found = files::collect(&args.paths);
    let mut io_failed = found.report_errors();
    let files = found.files;
    let explicit_config = args
        .config
        .as_ref()
        .map(|path| Config::load(path).map_err(|e| Fatal::Usage(e.to_string())))
        .transpose()?;
    let mut configs = files::Configs::default();
    let mut reports = Vec::new();
    // Fixed files, written together at the end: each with its report's index and the
    // report it had before the fixes, shown again if the writes fail.
    let mut fixed_files: Vec<(PathBuf, String)> = Vec::new();
    let mut unfixed: Vec<(usize, FileReport)> = Vec::new();

    let progress = progress::bar("linting", files.len(), true);
    for file in &files {
        progress.inc(1);
        let shown = file.display().to_string();
        progress.set_message(shown.clone());
        let config = match &explicit_config {
            Some(config) => config.clone(),
            None => configs.for_file(file).map_err(Fatal::Usage)?.clone(),
        };
        let read = match hosts::read(file, &args.hosts.read_options()) {
            Some(Ok(host)) => {
                let choice = hosts::PlatformChoice {
                    given: args.platform.as_deref(),
                    config: &config,
                };
                let linted = hosts::lint(file, host, &choice, args.fix)?;
                if let Some((fixed, before_fixes)) = linted.fixed {
                    unfixed.push((reports.len(), before_fixes));
                    fixed_files.push((file.clone(), fixed));
                }
                reports.push(linted.report);
                continue;
            }
            Some(Err(message)) => Err(message),
            None => files::read(file),
        };
        let source = match read {
            Ok(source) => source,
            Err(message) => {
                progress.suspend(|| {
                    writeln!(anstream::stderr(), "error: {}", printable_message(&message)).ok()
                });
                io_failed = true;
                continue;
            }
        };
        let mut notes = Vec::new();
        let platform_name = match (&args.platform, &config.platform) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => {
                let inferred = kqlsmith_lint::infer_platform(&source);
                notes.push(format!(
                    "linted as {} ({}); pass --platform to choose",
                    inferred.platform, inferred.reason
                ));
                inferred.platform.to_string()
            }
        };
        let platform =
            Platform::builtin(&platform_name).map_err(|e| Fatal::Usage(e.to_string()))?;
        let linter = Linter::new(platform, config);
        let path = (!files::is_stdin(file)).then_some(file.as_path());

        let mut diagnostics = linter.lint_file(&source, path);
        if args.fix && path.is_some() {
            match linter.fix(&source, path) {
                Ok(fixed) if fixed.applied > 0 => {
                    unfixed.push((
                        reports.len(),
                        FileReport {
                            path: shown.clone(),
                            source: source.clone(),
                            diagnostics,
                            notes: notes.clone(),
                        },
                    ));
                    fixed_files.push((file.clone(), fixed.source.clone()));
                    notes.push(format!(
                        "applied {} fix{}",
                        fixed.applied,
                        if fixed.applied == 1 { "" } else { "es" }
                    ));
                    diagnostics = fixed.remaining;
                    reports.push(FileReport {
                        path: shown,
                        source: fixed.source,
                        diagnostics,
                        notes,
                    });
                    continue;
                }
                Ok(_) => {}
                Err(refused) => notes.push(refused.to_string()),
            }
        }
        reports.push(FileReport {
            path: shown,
            source,
            diagnostics,
            notes,
        });
    }

    progress.finish_and_clear();
    // Every fixed file, or none: when a write fails, the reports are those of the files as
    // they stayed.
    if let Err(message) = transaction::write_all(&fixed_files) {
        let _ = writeln!(anstream::stderr(), "error: {}", printable_message(&message));
        io_failed = true;
        for (index, mut report) in unfixed {
            report
                .notes
                .push("fixes not written: the file was left as it was".to_string());
            reports[index] = report;
        }
    }

    // Machine formats keep stdout to the format; their notes go to stderr.
    if args.format != Format::Human {
        let mut stderr = anstream::stderr().lock();
        for report in &reports {
            for note in &report.notes {
                let _ = writeln!(stderr, "note: {}: {note}", report.path);
            }
        }
    }
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal();
            let mut text = output::human(&reports, color);
            text.push_str(&output::summary(&reports));
            text.push('\n');
            text
        }
        Format::Json => output::json(&reports) + "\n",
        Format::Sarif => output::sarif(&reports, rules::all()) + "\n",
        Format::Github => output::github(&reports),
    };
    let mut stdout = anstream::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Fatal::Usage(format!("cannot write the report: {e}")));
    }

    let errors = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error);
    Ok(if io_failed {
        ExitCode::from(EXIT_USAGE)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
