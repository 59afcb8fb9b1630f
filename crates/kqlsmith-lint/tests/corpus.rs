//! Lints every query of the public corpus (`../shared/corpus`, or `$KQLSMITH_CORPUS`): no rule
//! may panic on any of them, and the count of findings per rule is printed (run with
//! `--nocapture` to see it).

use std::collections::BTreeMap;
use std::path::PathBuf;

use kqlsmith_lint::{Config, Linter, Platform, infer_platform, rules};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KQLSMITH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    dir.join("manifest.tsv").is_file().then_some(dir)
}

#[test]
fn no_rule_panics_on_the_corpus() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: corpus not found (set KQLSMITH_CORPUS); the linter was not run on it");
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let linters: BTreeMap<&str, Linter> = ["defender", "sentinel"]
        .into_iter()
        .map(|p| (p, Linter::new(Platform::builtin(p).unwrap(), Config::new())))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files = 0;
    let mut panicked = Vec::new();
    for row in manifest.lines().skip(1) {
        let columns: Vec<&str> = row.split('\t').collect();
        let (file, dialect) = (columns[0], columns[5]);
        let Ok(source) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        files += 1;
        let platform = match dialect {
            "defender" | "sentinel" => dialect,
            _ => infer_platform(&source).platform,
        };
        let linter = &linters[platform];
        match std::panic::catch_unwind(|| linter.lint(&source)) {
            Ok(diagnostics) => {
                for d in diagnostics {
                    *counts.entry(d.code).or_default() += 1;
                }
            }
            Err(_) => panicked.push(file.to_string()),
        }
    }
    eprintln!("linted {files} corpus files; findings per rule:");
    for rule in rules::all() {
        eprintln!(
            "  {} {:32} {:>6}",
            rule.code,
            rule.name,
            counts.get(rule.code).copied().unwrap_or(0)
        );
    }
    assert!(files > 1000, "only {files} corpus files read");
    assert!(panicked.is_empty(), "the linter panicked on: {panicked:?}");
}
