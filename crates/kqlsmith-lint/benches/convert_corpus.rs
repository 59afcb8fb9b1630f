//! Conversion speed over the public corpus: every file that parses and names a platform
//! (Defender queries to Sentinel, Sentinel queries to Defender), one thread, including the
//! converter's own check (the converted text is parsed back).
//!
//! `cargo bench -p kqlsmith-lint --bench convert_corpus` (release profile).

use std::path::PathBuf;

use divan::Bencher;
use divan::counter::BytesCount;
use kqlsmith_lint::Platform;
use kqlsmith_lint::convert::convert;

fn main() {
    divan::main();
}

/// The corpus queries with the platform each was written for.
fn corpus() -> Vec<(String, &'static str)> {
    let dir = match std::env::var_os("KQLSMITH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.tsv")) else {
        eprintln!(
            "SKIPPED: no KQL corpus at {} (set KQLSMITH_CORPUS)",
            dir.display()
        );
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let platform = match *fields.get(5)? {
                "defender" => "defender",
                "sentinel" => "sentinel",
                _ => return None,
            };
            let text =
                String::from_utf8_lossy(&std::fs::read(dir.join(fields[0])).ok()?).into_owned();
            kqlsmith_syntax::parse(&text).ok()?;
            Some((text, platform))
        })
        .collect()
}

#[divan::bench(sample_count = 20)]
fn whole_corpus(bencher: Bencher) {
    let files = corpus();
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
