//! Lints every query of the public corpus (`../shared/corpus`, or `$KQLSMITH_CORPUS`): no rule
//! may panic on any of them, and the count of findings per rule is printed (run with
//! `--nocapture` to see it).
//!
//! Unknown names are checked against Microsoft's analyzer: `tests/data/corpus_oracle.tsv`
//! holds, for each corpus file, the platform it is linted as and the byte offsets where the
//! analyzer (run with that platform's schema, see `tests/data/README.md`) reports an unknown
//! name. Every error-level unknown-name finding of kqlsmith (KQL102, KQL103, KQL104) that the
//! analyzer does not make must be explained in `tests/data/corpus_explained.tsv`.

use std::collections::{BTreeMap, HashMap, HashSet};

use kqlsmith_lint::{Config, Linter, Platform, Severity, infer_platform, rules};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// The unknown-name rules compared with the analyzer.
const UNKNOWN_NAME_RULES: [&str; 3] = ["KQL102", "KQL103", "KQL104"];

#[test]
fn no_rule_panics_on_the_corpus() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    let linters: BTreeMap<&str, Linter> = ["defender", "sentinel"]
        .into_iter()
        .map(|p| (p, Linter::new(Platform::builtin(p).unwrap(), Config::new())))
        .collect();
    let oracle = OracleLabels::load();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files = 0;
    let mut panicked = Vec::new();
    let mut comparison = Comparison::default();
    let print_findings = std::env::var_os("KQLSMITH_CORPUS_FINDINGS").is_some();
    for entry in &entries {
        let source = &entry.text;
        files += 1;
        let platform = entry
            .platform()
            .unwrap_or_else(|| infer_platform(source).platform);
        let linter = &linters[platform];
        if print_findings {
            eprintln!("platform\t{}\t{platform}", entry.file);
        }
        match std::panic::catch_unwind(|| linter.lint(source)) {
            Ok(diagnostics) => {
                for d in &diagnostics {
                    *counts.entry(d.code).or_default() += 1;
                    if print_findings {
                        eprintln!(
                            "finding\t{}\t{platform}\t{}\t{}\t{}",
                            entry.file, d.code, d.range.start, d.range.end
                        );
                    }
                }
                if entry.oracle_ok
                    && let Some(oracle) = &oracle
                {
                    comparison.add(&entry.file, platform, &diagnostics, oracle);
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
    if oracle.is_some() {
        comparison.report();
    }
}

/// What Microsoft's analyzer says of each corpus file: `file -> (platform, offsets)`.
struct OracleLabels {
    files: HashMap<String, (String, HashSet<usize>)>,
    /// `(file, byte offset, code) -> reason`.
    explained: HashMap<(String, usize, String), String>,
}

impl OracleLabels {
    fn load() -> Option<OracleLabels> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let labels = std::fs::read_to_string(dir.join("corpus_oracle.tsv")).ok()?;
        let explained =
            std::fs::read_to_string(dir.join("corpus_explained.tsv")).unwrap_or_default();
        let rows = |text: &str| -> Vec<Vec<String>> {
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect()
        };
        let files = rows(&labels)
            .into_iter()
            .map(|row| {
                let offsets = row
                    .get(2)
                    .map(|o| o.split(',').filter_map(|n| n.parse().ok()).collect())
                    .unwrap_or_default();
                (row[0].clone(), (row[1].clone(), offsets))
            })
            .collect();
        let explained = rows(&explained)
            .into_iter()
            .map(|row| {
                let offset = row[1].parse().expect("a byte offset");
                ((row[0].clone(), offset, row[2].clone()), row[3].clone())
            })
            .collect();
        Some(OracleLabels { files, explained })
    }
}

/// kqlsmith's unknown-name errors against the analyzer's.
#[derive(Default)]
struct Comparison {
    /// Both report an unknown name there.
    agree: usize,
    /// Only kqlsmith: `(file, offset, code, reason)`.
    own: Vec<(String, usize, &'static str, Option<String>)>,
    /// Unknown names the analyzer reports and kqlsmith does not (it lacks the platforms'
    /// own functions, for one).
    analyzer_only: usize,
    /// Files linted as another platform than the labels were made with.
    other_platform: usize,
}

impl Comparison {
    fn add(
        &mut self,
        file: &str,
        platform: &str,
        diagnostics: &[kqlsmith_lint::Diagnostic],
        oracle: &OracleLabels,
    ) {
        let Some((labelled, offsets)) = oracle.files.get(file) else {
            return;
        };
        if labelled != platform {
            self.other_platform += 1;
            return;
        }
        self.analyzer_only += offsets
            .iter()
            .filter(|&&o| !diagnostics.iter().any(|d| d.range.start == o))
            .count();
        for d in diagnostics {
            if d.severity != Severity::Error || !UNKNOWN_NAME_RULES.contains(&d.code) {
                continue;
            }
            if offsets.contains(&d.range.start) {
                self.agree += 1;
            } else {
                let key = (file.to_string(), d.range.start, d.code.to_string());
                let reason = oracle.explained.get(&key).cloned();
                self.own
                    .push((file.to_string(), d.range.start, d.code, reason));
            }
        }
    }

    fn report(&self) {
        eprintln!(
            "unknown names (KQL102/103/104 at error level) on files Microsoft's parser accepts: \
             {} where Microsoft's analyzer reports one too, {} kqlsmith-only; {} unknown names \
             only the analyzer reports",
            self.agree,
            self.own.len(),
            self.analyzer_only
        );
        for (file, offset, code, reason) in &self.own {
            eprintln!(
                "  kqlsmith-only {code} {file}@{offset}: {}",
                reason.as_deref().unwrap_or("NOT EXPLAINED")
            );
        }
        if self.other_platform > 0 {
            eprintln!(
                "  {} files not compared: linted as another platform than the labels were made with",
                self.other_platform
            );
        }
        let unexplained: Vec<_> = self.own.iter().filter(|o| o.3.is_none()).collect();
        assert!(
            unexplained.is_empty(),
            "kqlsmith-only unknown names with no explanation in tests/data/corpus_explained.tsv: \
             {unexplained:?}"
        );
    }
}
