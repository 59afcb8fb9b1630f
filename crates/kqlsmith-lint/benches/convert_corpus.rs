//! Conversion speed over the public corpus: every file that parses and names a platform
//! (Defender queries to Sentinel, Sentinel queries to Defender), one thread, including the
//! converter's own check (the converted text is parsed back).
//!
//! `cargo bench -p kqlsmith-lint --bench convert_corpus` (release profile).

use divan::Bencher;
use divan::counter::BytesCount;
use kqlsmith_lint::Platform;
use kqlsmith_lint::convert::convert;

fn main() {
    divan::main();
}

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// The corpus queries that parse and name their platform, with that platform.
fn queries() -> Vec<(String, &'static str)> {
    corpus::entries()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|entry| {
            let platform = entry.platform()?;
            kqlsmith_syntax::parse(&entry.text).ok()?;
            Some((entry.text, platform))
        })
        .collect()
}

#[divan::bench(sample_count = 20)]
fn whole_corpus(bencher: Bencher) {
    let files = queries();
    let defender = Platform::builtin("defender").unwrap();
    let sentinel = Platform::builtin("sentinel").unwrap();
    // Parse both schemas before timing.
    let _ = (defender.schema().len(), sentinel.schema().len());
    let bytes: usize = files.iter().map(|(text, _)| text.len()).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let mut converted = 0;
        for (text, platform) in &files {
            let (from, to) = if *platform == "defender" {
                (&defender, &sentinel)
            } else {
                (&sentinel, &defender)
            };
            converted += usize::from(convert(divan::black_box(text), from, to).is_ok());
        }
        converted
    });
}
