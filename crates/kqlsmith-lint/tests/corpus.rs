//! Lints every query of the public corpus (`../shared/corpus`, or `$KQLSMITH_CORPUS`): no rule
//! may panic on any of them, and the count of findings per rule is printed (run with
//! `--nocapture` to see it).

use std::collections::BTreeMap;

use kqlsmith_lint::{Config, Linter, Platform, infer_platform, rules};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

#[test]
fn no_rule_panics_on_the_corpus() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    let linters: BTreeMap<&str, Linter> = ["defender", "sentinel"]
        .into_iter()
        .map(|p| (p, Linter::new(Platform::builtin(p).unwrap(), Config::new())))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files = 0;
    let mut panicked = Vec::new();
    for entry in &entries {
        let source = &entry.text;
        files += 1;
        let platform = entry
            .platform()
            .unwrap_or_else(|| infer_platform(source).platform);
        let linter = &linters[platform];
        match std::panic::catch_unwind(|| linter.lint(source)) {
            Ok(diagnostics) => {
                for d in diagnostics {
                    *counts.entry(d.code).or_default() += 1;
                }
            }
            Err(_) => panicked.push(entry.file.clone()),
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
