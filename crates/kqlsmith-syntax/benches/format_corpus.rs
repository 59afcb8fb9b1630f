//! Formatting speed over the public corpus: every file that parses, one thread, including the
//! formatter's own check (the formatted text is parsed back and compared). divan reports the
//! time a pass and the throughput in bytes a second.
//!
//! `cargo bench -p kqlsmith-syntax --bench format_corpus` (release profile).

use std::path::PathBuf;

use divan::Bencher;
use divan::counter::BytesCount;
use kqlsmith_syntax::format::{FormatOptions, format};

fn main() {
    divan::main();
}

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// The corpus queries that parse (none when the corpus is absent).
fn queries() -> Vec<String> {
    corpus::entries()
        .unwrap_or_default()
        .into_iter()
        .map(|entry| entry.text)
        .filter(|text| kqlsmith_syntax::parse(text).is_ok())
        .collect()
}

#[divan::bench(sample_count = 20)]
fn whole_corpus(bencher: Bencher) {
    let files = queries();
    let bytes: usize = files.iter().map(String::len).sum();
    let options = FormatOptions::default();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let mut formatted = 0;
        for text in &files {
            formatted += usize::from(format(divan::black_box(text), &options).is_ok());
        }
        formatted
    });
}

#[divan::bench(sample_count = 30)]
fn published_hunt(bencher: Bencher) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seed/internal-connections.defender.kql");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let options = FormatOptions::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| format(divan::black_box(&text), &options).is_ok());
}
