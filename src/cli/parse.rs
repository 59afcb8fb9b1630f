//! `kqlsmith parse`: check that files are valid KQL, or print a file's syntax tree.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

/// Check that KQL files parse; print where and why when they do not.
#[derive(clap::Args)]
#[command(
    long_about = "Check that KQL files parse, with kqlsmith's own KQL grammar.\n\n\
        Prints one line a file: `PATH: ok`, or `PATH:LINE:COL: error: MESSAGE` where the \
        message says what was found and what was expected. Directories are searched \
        recursively for `.kql` files, in sorted order.\n\n\
        Exit status: 0 if every file parses, 1 if any does not, 2 if a file cannot be read \
        or the arguments are wrong.",
    after_help = "Examples:\n  \
        kqlsmith parse hunts/                     check every .kql file under hunts/\n  \
        kqlsmith parse --format json a.kql b.kql  one JSON object a file, for scripts\n  \
        kqlsmith parse --ast a.kql                the syntax tree of a.kql as JSON"
)]
pub struct Args {
    /// Files to parse, or directories to search for `.kql` files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format: `text` (one line a file) or `json` (one JSON object a line).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print the syntax tree of a single file as JSON instead of checking files.
    #[arg(long)]
    ast: bool,
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
    let mut files = Vec::new();
    let mut io_failed = false;
    for path in &args.paths {
        if let Err(error) = collect(path, &mut files) {
            eprintln!("{}: error: {error}", path.display());
            io_failed = true;
        }
    }
    if args.ast {
        return print_ast(&files, io_failed);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut any_failed = false;
    for file in &files {
        let shown = file.display().to_string();
        let source = match read(file) {
            Ok(source) => source,
            Err(error) => {
                eprintln!("{shown}: error: {error}");
                io_failed = true;
                continue;
            }
        };
        let result = kqlsmith::syntax::parse(&source);
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
            return ExitCode::from(2);
        }
    }
    if io_failed {
        ExitCode::from(2)
    } else if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_ast(files: &[PathBuf], io_failed: bool) -> ExitCode {
    if io_failed {
        return ExitCode::from(2);
    }
    let [file] = files else {
        eprintln!(
            "error: --ast prints the tree of exactly one file; {} given",
            files.len()
        );
        return ExitCode::from(2);
    };
    let source = match read(file) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("{}: error: {error}", file.display());
            return ExitCode::from(2);
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
                ExitCode::from(2)
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

/// A file's text; bytes that are not UTF-8 are an error that says where.
fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

/// A file as given, or the `.kql` files under a directory, sorted.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut found = Vec::new();
    walk(path, &mut found)?;
    found.sort();
    files.extend(found);
    Ok(())
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "kql") {
            found.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_give_their_kql_files_sorted_and_recursively() {
        let dir = std::env::temp_dir().join(format!("kqlsmith-parse-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.kql", "a.kql", "sub/c.kql", "notes.txt"] {
            std::fs::write(dir.join(name), "T").unwrap();
        }
        let mut files = Vec::new();
        collect(&dir, &mut files).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.kql", "b.kql", "sub/c.kql"]);
        assert!(collect(&dir.join("missing"), &mut files).is_err());
        std::fs::write(dir.join("latin1.kql"), b"print '\xe9'").unwrap();
        assert_eq!(
            read(&dir.join("latin1.kql")).unwrap_err(),
            "not UTF-8 text (byte 7)"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
