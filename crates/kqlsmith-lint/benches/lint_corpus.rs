//! How long linting the whole public corpus takes (parse, semantic model, every rule).
//!
//! ```sh
//! cargo bench -p kqlsmith-lint --bench lint_corpus
//! ```
//!
//! Reads `../shared/corpus` (or `$KQLSMITH_CORPUS`); prints SKIPPED and measures nothing when
//! it is absent.

use kqlsmith_lint::{Config, Linter, Platform, infer_platform};

fn main() {
    divan::main();
}

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// Every corpus query with the platform it is written for (inferred where the manifest does
/// not say).
fn queries() -> Vec<(String, &'static str)> {
    corpus::entries()
        .unwrap_or_default()
        .into_iter()
        .map(|entry| {
            let platform = entry
                .platform()
                .unwrap_or_else(|| infer_platform(&entry.text).platform);
            (entry.text, platform)
        })
        .collect()
}

/// Lints every corpus file once (the schemas are parsed before timing starts).
#[divan::bench(sample_count = 20)]
fn lint_whole_corpus(bencher: divan::Bencher) {
    let files = queries();
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
    let files = queries();
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
    let text = include_str!("../data/platforms/sentinel.tables");
    kqlsmith_lint::schema::Schema::parse(divan::black_box(text))
        .unwrap()
        .len()
}
