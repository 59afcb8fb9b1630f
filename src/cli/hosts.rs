//! Queries inside host files (Markdown, Sentinel YAML, ARM templates, Defender XDR JSON) for
//! `parse`, `lint`, `fmt` and `convert`: each query is checked, formatted or converted on its
//! own, findings point at host lines and columns, and edits go back into the host through one
//! checked rewrite and one atomic write.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use kqlsmith_hosts::{HostError, HostFile, HostKind, MAX_HOST_BYTES, ReadOptions};
use kqlsmith_lint::convert::ConvertError;
use kqlsmith_lint::output::{self, FileReport};
use kqlsmith_lint::rules::syntax_error;
use kqlsmith_lint::{Config, Diagnostic, Linter, Platform, infer_platform};
use kqlsmith_syntax::format::{FormatError, FormatOptions, format};
use serde::Serialize;

use super::{Fatal, files};

/// How Markdown code fences without a language tag are read.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UntaggedFences {
    /// Leave them alone: only fences tagged kql or kusto hold queries.
    Skip,
    /// Read them as KQL, as fences tagged kql are.
    Kql,
}

/// How queries are found inside host files: the options `parse`, `lint`, `fmt` and `convert`
/// share.
#[derive(clap::Args)]
pub struct HostArgs {
    /// How to read Markdown code fences without a language tag: `skip` them (only fences
    /// tagged kql or kusto hold queries), or read them as `kql` too, for hunts written with
    /// bare ``` fences. A fence tagged with another language is never read.
    #[arg(
        long,
        value_enum,
        value_name = "AS",
        default_value_t = UntaggedFences::Skip
    )]
    untagged_fences: UntaggedFences,
}

impl HostArgs {
    /// The choices for reading host files.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            untagged_fences: self.untagged_fences == UntaggedFences::Kql,
        }
    }
}

/// Whether `path` may hold queries, by its name: a `.kql` file or a host file (extensions in
/// any case).
pub fn is_query_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("kql"))
        || HostKind::from_path(path).is_some()
}

/// Whether a folder walk takes the file at `path`: a `.kql`, Markdown or YAML file, and a
/// `.json` file only when it is recognisably a host (see [`HostKind::recognise`]), so that a
/// `package.json` or an editor's settings in a detection repository are passed over. A
/// `.json` file that cannot be read is taken, so that the error is reported.
pub fn walk_takes(path: &Path) -> bool {
    if HostKind::from_path(path) != Some(HostKind::Json) {
        return is_query_file(path);
    }
    let mut bytes = Vec::new();
    // A file too large to read is told by its first bytes, as a rule's `$schema` comes first.
    let read = std::fs::File::open(path)
        .and_then(|file| file.take(MAX_HOST_BYTES).read_to_end(&mut bytes));
    read.is_err() || HostKind::recognise(path, &String::from_utf8_lossy(&bytes)).is_some()
}

/// What a `.json` file must hold to be read, for the error about one that does not.
const JSON_HOSTS: &str = "an ARM deployment template (`$schema` ending in \
    deploymentTemplate.json#), a Sentinel alert rule or saved search (`type` ending in \
    /alertRules or /savedSearches) or a Defender XDR custom detection rule (`queryCondition`)";

/// `path` read as a host file, or `None` when it is not one (a `.kql` file, standard input).
/// An error names the file and says where and what; a `.json` file that is not recognisably
/// a host is one.
pub fn read(path: &Path, options: &ReadOptions) -> Option<Result<HostFile, String>> {
    let kind = HostKind::from_path(path)?;
    let shown = path.display();
    let read = || {
        // A huge file is refused before it is loaded.
        if let Ok(metadata) = std::fs::metadata(path)
            && metadata.len() > MAX_HOST_BYTES
        {
            let error = HostError::TooLarge {
                bytes: metadata.len(),
            };
            return Err(format!("{shown}: {error}"));
        }
        let text = files::read(path)?;
        if HostKind::recognise(path, &text).is_none() {
            return Err(format!(
                "{shown}: not a JSON file kqlsmith reads queries from: it reads {JSON_HOSTS}"
            ));
        }
        HostFile::read(kind, &text, options).map_err(|e| format!("{shown}: {e}"))
    };
    Some(read())
}

/// A diagnostic of one query, in host bytes.
fn in_host(host: &HostFile, index: usize, diagnostic: Diagnostic) -> Diagnostic {
    host.queries()[index].to_host_diagnostic(diagnostic)
}

/// Prints diagnostics of a host file rustc-style on standard error.
fn report(shown: &str, host: &HostFile, diagnostics: Vec<Diagnostic>, notes: Vec<String>) {
    if diagnostics.is_empty() && notes.is_empty() {
        return;
    }
    let report = FileReport {
        path: shown.to_string(),
        source: host.text().to_string(),
        diagnostics,
        notes,
    };
    let text = output::human(&[report], std::io::stderr().is_terminal());
    let _ = write!(anstream::stderr(), "{text}");
}

/// One query's result in `parse --format json`.
#[derive(Serialize)]
struct ParseReport<'a> {
    file: &'a str,
    /// The key (or Markdown fence tag) the query is under.
    key: &'a str,
    /// The 1-based host line where the query's text starts.
    line: usize,
    ok: bool,
    errors: Vec<ParseErrorReport>,
}

#[derive(Serialize)]
struct ParseErrorReport {
    /// Byte offsets of the error's span in the host file.
    offset: usize,
    end: usize,
    /// 1-based host line and column (in characters).
    line: usize,
    column: usize,
    message: String,
}

/// `parse` of a host file: one line (or JSON object) a query. Returns whether any failed.
pub fn parse(
    out: &mut impl Write,
    shown: &str,
    host: &HostFile,
    json: bool,
) -> std::io::Result<bool> {
    let mut any_failed = false;
    for query in host.queries() {
        let result = kqlsmith_syntax::check(&query.text);
        any_failed |= result.is_err();
        let (line, _) = host.position(query.to_host(0));
        let error = result.err().map(|e| {
            let (start, end) = (query.to_host(e.span.start), query.to_host(e.span.end));
            let (line, column) = host.position(start);
            ParseErrorReport {
                offset: start,
                end,
                line,
                column,
                message: e.message,
            }
        });
        if json {
            let report = ParseReport {
                file: shown,
                key: &query.key,
                line,
                ok: error.is_none(),
                errors: error.into_iter().collect(),
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string(&report).unwrap_or_default()
            )?;
        } else {
            match error {
                None => writeln!(out, "{shown}:{line}: ok ({})", query.key)?,
                Some(e) => writeln!(out, "{shown}:{}:{}: error: {}", e.line, e.column, e.message)?,
            }
        }
    }
    Ok(any_failed)
}

/// How `lint` chooses a platform for a query the host does not name one for.
pub struct PlatformChoice<'a> {
    /// `--platform`.
    pub given: Option<&'a str>,
    pub config: &'a Config,
}

impl PlatformChoice<'_> {
    /// The platform of `query`: the host's, else `--platform`, else `kqlsmith.toml`'s, else
    /// inferred (and said in a note).
    fn for_query(
        &self,
        host_platform: Option<&str>,
        text: &str,
        line: usize,
        notes: &mut Vec<String>,
    ) -> Result<Platform, Fatal> {
        let name = match (host_platform, self.given, &self.config.platform) {
            (Some(p), _, _) | (None, Some(p), _) => p.to_string(),
            (None, None, Some(p)) => p.clone(),
            (None, None, None) => {
                let inferred = infer_platform(text);
                notes.push(format!(
                    "the query at line {line} linted as {} ({}); pass --platform to choose",
                    inferred.platform, inferred.reason
                ));
                inferred.platform.to_string()
            }
        };
        Platform::builtin(&name).map_err(|e| Fatal::Usage(e.to_string()))
    }
}

/// `lint` (and `lint --fix`) of a host file: every query linted on its platform, findings in
/// host positions. Fixes go back in one checked rewrite, which the caller writes with the
/// run's other files; a rewrite that cannot be made is a note and nothing is written.
/// What `lint` of a host file gives: the report and, when fixes were applied, the fixed text
/// to write with the report of the file as it is (shown again if the write fails).
pub struct Linted {
    pub report: FileReport,
    pub fixed: Option<(String, FileReport)>,
}

pub fn lint(
    file: &Path,
    host: HostFile,
    choice: &PlatformChoice,
    fix: bool,
) -> Result<Linted, Fatal> {
    let shown = file.display().to_string();
    let mut notes = Vec::new();
    let mut diagnostics = Vec::new();
    let mut fixed = Vec::new();
    let mut applied = 0;
    for (index, query) in host.queries().iter().enumerate() {
        let (line, _) = host.position(query.to_host(0));
        let platform = choice.for_query(query.platform, &query.text, line, &mut notes)?;
        let linter = Linter::new(platform, choice.config.clone());
        if fix {
            match linter.fix(&query.text, Some(file)) {
                Ok(result) if result.applied > 0 => {
                    applied += result.applied;
                    fixed.push((index, result.source));
                }
                Ok(_) => {}
                Err(refused) => notes.push(format!("the query at line {line}: {refused}")),
            }
        }
        let found = linter.lint_file(&query.text, Some(file));
        diagnostics.extend(found.into_iter().map(|d| in_host(&host, index, d)));
    }
    if !fixed.is_empty() {
        match host.rewrite(&fixed) {
            Ok(text) => {
                let before_fixes = FileReport {
                    path: shown.clone(),
                    source: host.text().to_string(),
                    diagnostics,
                    notes,
                };
                let fixed_host =
                    HostFile::read(host.kind(), &text, host.options()).map_err(|e| {
                        Fatal::Internal(format!("{shown}: the fixed file does not read back: {e}"))
                    })?;
                let mut report = lint(file, fixed_host, choice, false)?.report;
                report.notes.push(format!(
                    "applied {applied} fix{}",
                    if applied == 1 { "" } else { "es" }
                ));
                return Ok(Linted {
                    report,
                    fixed: Some((text, before_fixes)),
                });
            }
            Err(error) => notes.push(format!("fixes not applied: {error}")),
        }
    }
    let report = FileReport {
        path: shown,
        source: host.text().to_string(),
        diagnostics,
        notes,
    };
    Ok(Linted {
        report,
        fixed: None,
    })
}

/// `fmt` of a host file: the host text with every query that parses formatted (the others
/// reported and left as they were), and whether every query parsed.
pub fn format_host(
    file: &Path,
    host: &HostFile,
    options: &FormatOptions,
) -> Result<(String, bool), Fatal> {
    let shown = file.display().to_string();
    let mut replacements = Vec::new();
    let mut invalid = Vec::new();
    for (index, query) in host.queries().iter().enumerate() {
        match format(&query.text, options) {
            Ok(text) => replacements.push((index, text)),
            Err(FormatError::Syntax(error)) => invalid.push(in_host(
                host,
                index,
                syntax_error::diagnostic(&query.text, &error),
            )),
            Err(internal @ FormatError::Internal(_)) => {
                return Err(Fatal::Internal(format!(
                    "{shown} (`{}`): {internal}",
                    query.key
                )));
            }
        }
    }
    let all_valid = invalid.is_empty();
    report(&shown, host, invalid, Vec::new());
    let text = host
        .rewrite(&replacements)
        .map_err(|e| Fatal::Usage(format!("{shown}: {e}")))?;
    Ok((text, all_valid))
}

/// What `convert` did to a host file.
#[derive(Default)]
pub struct Converted {
    /// The host text with its queries converted.
    pub text: String,
    /// How many queries do not parse (reported, left as they were).
    pub invalid: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// `convert` of a host file: each query from its platform (the host's, else `--from`, else
/// `kqlsmith.toml`'s, else inferred) to `to`. Findings are reported on standard error in host
/// positions of the converted file.
pub fn convert(
    file: &Path,
    host: &HostFile,
    given: Option<&str>,
    configured: Option<&str>,
    to: &Platform,
) -> Result<Converted, Fatal> {
    let shown = file.display().to_string();
    let mut notes = Vec::new();
    let mut invalid = Vec::new();
    let mut replacements = Vec::new();
    let mut found = Vec::new();
    for (index, query) in host.queries().iter().enumerate() {
        let (line, _) = host.position(query.to_host(0));
        let from_name = match (query.platform, given, configured) {
            (Some(p), _, _) | (None, Some(p), _) | (None, None, Some(p)) => p.to_string(),
            (None, None, None) => {
                let guess = infer_platform(&query.text);
                notes.push(format!(
                    "the query at line {line} converted from {} ({}); pass --from to choose",
                    guess.platform, guess.reason
                ));
                guess.platform.to_string()
            }
        };
        let from = Platform::builtin(&from_name).map_err(|e| Fatal::Usage(e.to_string()))?;
        if from.name == to.name {
            continue;
        }
        match kqlsmith_lint::convert::convert(&query.text, &from, to) {
            Ok(conversion) => {
                found.push((index, conversion.diagnostics));
                replacements.push((index, conversion.text));
            }
            Err(ConvertError::Syntax(error)) => invalid.push(in_host(
                host,
                index,
                syntax_error::diagnostic(&query.text, &error),
            )),
            Err(internal @ ConvertError::Internal(_)) => {
                return Err(Fatal::Internal(format!(
                    "{shown} (`{}`): {internal}",
                    query.key
                )));
            }
        }
    }
    let invalid_count = invalid.len();
    report(&shown, host, invalid, Vec::new());
    let text = host
        .rewrite(&replacements)
        .map_err(|e| Fatal::Usage(format!("{shown}: {e}")))?;
    // The findings point into the converted queries: map them through the converted file.
    let converted = HostFile::read(host.kind(), &text, host.options()).map_err(|e| {
        Fatal::Internal(format!(
            "{shown}: the converted file does not read back: {e}"
        ))
    })?;
    let diagnostics: Vec<Diagnostic> = found
        .into_iter()
        .flat_map(|(index, list)| list.into_iter().map(move |d| (index, d)))
        .map(|(index, d)| in_host(&converted, index, d))
        .collect();
    report(&shown, &converted, diagnostics.clone(), notes);
    Ok(Converted {
        text,
        invalid: invalid_count,
        diagnostics,
    })
}
