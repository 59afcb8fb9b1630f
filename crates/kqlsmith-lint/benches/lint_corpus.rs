//! How long linting the whole public corpus takes (parse, semantic model, every rule).
//!
//! ```sh
//! cargo bench -p kqlsmith-lint --bench lint_corpus
//! ```
//!
//! Reads `../shared/corpus` (or `$KQLSMITH_CORPUS`); prints SKIPPED and measures nothing when
//! it is absent.

use std::path::PathBuf;

use kqlsmith_lint::{Config, Linter, Platform, infer_platform};

fn main() {
    divan::main();
}

/// Every corpus query with the platform it is written for.
fn corpus() -> Vec<(String, &'static str)> {
    let dir = std::env::var_os("KQLSMITH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.tsv")) else {
        eprintln!(
            "SKIPPED: corpus not found at {} (set KQLSMITH_CORPUS)",
            dir.display()
        );
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|row| {
            let columns: Vec<&str> = row.split('\t').collect();
            let source = std::fs::read_to_string(dir.join(columns[0])).ok()?;
            let platform = match columns[5] {
                "defender" => "defender",
                "sentinel" => "sentinel",
                _ => infer_platform(&source).platform,
            };
            Some((source, platform))
        })
        .collect()
}

/// Lints every corpus file once (the schemas are parsed before timing starts).
#[divan::bench(sample_count = 20)]
fn lint_whole_corpus(bencher: divan::Bencher) {
    let files = corpus();
    let defender = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    let sentinel = Linter::new(Platform::builtin("sentinel").unwrap(), Config::new());
    defender.platform().schema();
    sentinel.platform().schema();
    bencher.bench_local(|| {
        let mut findings = 0;
        for (source, platform) in &files {
            let linter = if *platform == "defender" {
                &defender
            } else {
                &sentinel
            };
            findings += linter.lint(divan::black_box(source)).len();
        }
        findings
    });
}

/// Parsing alone, for comparison: the part of linting that is the parser's.
#[divan::bench(sample_count = 20)]
fn parse_whole_corpus(bencher: divan::Bencher) {
    let files = corpus();
    bencher.bench_local(|| {
        files
            .iter()
            .filter(|(source, _)| kqlsmith_syntax::parse(divan::black_box(source)).is_ok())
            .count()
    });
}

/// Parsing Sentinel's 925-table schema from its embedded text, as the first lint does.
#[divan::bench(sample_count = 20)]
fn parse_sentinel_schema() -> usize {
    let text = include_str!("../../../profiles/platforms/sentinel.tables");
    kqlsmith_lint::schema::Schema::parse(divan::black_box(text))
        .unwrap()
        .len()
}
