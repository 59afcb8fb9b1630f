//! A CI check for a repository of queries: lint every `.kql` file below a folder, print the
//! findings, and fail when any is an error.
//!
//! ```sh
//! cargo run --example lint_repo                         # examples/queries
//! cargo run --example lint_repo -- hunts/ sentinel      # every query as a Sentinel query
//! ```
//!
//! Without a platform, each file is linted for the platform its tables and time column point
//! to.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kqlsmith::{Platform, Severity};

/// One finding, located.
struct Finding {
    file: PathBuf,
    line: usize,
    code: &'static str,
    severity: Severity,
    message: String,
}

/// Every `.kql` file below `dir`, sorted.
fn queries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "kql") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Lints every query below `dir`, for `platform` or the platform each file points to.
fn run(
    dir: &Path,
    platform: Option<&Platform>,
) -> Result<Vec<Finding>, Box<dyn std::error::Error>> {
    let mut findings = Vec::new();
    for file in queries(dir)? {
        let source = std::fs::read_to_string(&file)?;
        let platform = match platform {
            Some(platform) => platform.clone(),
            None => kqlsmith::infer_platform(&source)?,
        };
        for diagnostic in kqlsmith::lint(&source, &platform) {
            let line = source[..diagnostic.range.start.min(source.len())]
                .matches('\n')
                .count()
                + 1;
            findings.push(Finding {
                file: file.clone(),
                line,
                code: diagnostic.code,
                severity: diagnostic.severity,
                message: diagnostic.message,
            });
        }
    }
    Ok(findings)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "examples/queries".into()));
    let platform = match args
        .next()
        .map(|name| kqlsmith::platform(&name))
        .transpose()
    {
        Ok(platform) => platform,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match run(&dir, platform.as_ref()) {
        Ok(findings) => {
            for f in &findings {
                println!(
                    "{}:{}: {} {}: {}",
                    f.file.display(),
                    f.line,
                    f.severity.as_str(),
                    f.code,
                    f.message
                );
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            eprintln!("{errors} errors, {} findings", findings.len());
            if errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_queries_have_no_errors() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/queries");
        assert!(queries(&dir).unwrap().len() >= 2);
        let findings = run(&dir, None).unwrap();
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}:{} {} {}", f.file.display(), f.line, f.code, f.message))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_broken_query_is_an_error_with_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("nested")).unwrap();
        std::fs::write(
            dir.path().join("nested/bad.kql"),
            "DeviceLogonEvents\n| where TimeGenerated > ago(1d)\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("broken.kql"),
            "DeviceLogonEvents\n| where\n",
        )
        .unwrap();
        let defender = kqlsmith::platform("defender").unwrap();
        let findings = run(dir.path(), Some(&defender)).unwrap();
        let errors: Vec<(String, usize, &str)> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| {
                let name = f
                    .file
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string();
                (name, f.line, f.code)
            })
            .collect();
        assert!(
            errors
                .iter()
                .any(|(name, line, code)| name == "broken.kql" && *line >= 2 && *code == "KQL001"),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|(name, line, _)| name == "nested/bad.kql" && *line == 2),
            "{errors:?}"
        );
    }
}
