//! Parsing speed over the public corpus: every file, one thread. divan reports the time a
//! pass and the throughput in bytes a second.
//!
//! `cargo bench -p kqlsmith-syntax` (release profile: LTO, one codegen unit).

use std::path::PathBuf;

use divan::Bencher;
use divan::counter::BytesCount;

fn main() {
    divan::main();
}

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// The corpus queries (none when the corpus is absent).
fn queries() -> Vec<String> {
    corpus::entries()
        .unwrap_or_default()
        .into_iter()
        .map(|entry| entry.text)
        .collect()
}

#[divan::bench(sample_count = 30)]
fn whole_corpus(bencher: Bencher) {
    let files = queries();
    let bytes: usize = files.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let mut parsed = 0;
        for text in &files {
            parsed += usize::from(kqlsmith_syntax::parse(divan::black_box(text)).is_ok());
        }
        parsed
    });
}

#[divan::bench(sample_count = 30)]
fn published_hunt(bencher: Bencher) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seed/internal-connections.defender.kql");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| kqlsmith_syntax::parse(divan::black_box(&text)).is_ok());
}
