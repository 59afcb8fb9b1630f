//! What reading KQL out of host files costs next to reading the same queries as `.kql` text.
//!
//! Every corpus query goes into a Markdown hunt (grouped by source file, as published), a
//! Sentinel YAML rule and a Defender XDR JSON rule. For each host, one pass reads every host
//! file and parses every query in it; the baseline parses the same queries from their text.
//! Prints the median of 15 passes of each, run in turn, in a table; the target is a ratio of at
//! most 1.5.
//!
//! `cargo bench -p kqlsmith-hosts --bench host_cost` (release build).

#[path = "../../../tests/support/corpus.rs"]
mod corpus;
#[path = "../tests/support/layout.rs"]
mod layout;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kqlsmith_hosts::{HostFile, HostKind, ReadOptions};

const PASSES: usize = 15;

/// The median times of two passes, run in turn so that the machine's load weighs on both
/// alike.
fn medians(mut first: impl FnMut(), mut second: impl FnMut()) -> (Duration, Duration) {
    let time = |pass: &mut dyn FnMut()| {
        let start = Instant::now();
        pass();
        start.elapsed()
    };
    let (mut a, mut b): (Vec<Duration>, Vec<Duration>) = (0..PASSES)
        .map(|_| (time(&mut first), time(&mut second)))
        .unzip();
    a.sort();
    b.sort();
    (a[PASSES / 2], b[PASSES / 2])
}

fn main() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    let mut by_source: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for entry in &entries {
        let repo = entry.file.split('/').next().unwrap_or_default();
        by_source
            .entry(format!("{repo}/{}", entry.source))
            .or_default()
            .push(&entry.text);
    }
    let hosts: [(HostKind, Vec<String>); 3] = [
        (
            HostKind::Markdown,
            by_source
                .iter()
                .map(|(source, queries)| layout::markdown(source, queries))
                .collect(),
        ),
        (
            HostKind::Yaml,
            entries
                .iter()
                .map(|e| layout::sentinel_yaml(&e.text))
                .collect(),
        ),
        (
            HostKind::Json,
            entries
                .iter()
                .map(|e| layout::defender_json(&e.text))
                .collect(),
        ),
    ];
    let options = ReadOptions::default();
    println!("| host | files | host MB | query MB | host pass ms | .kql pass ms | ratio |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (kind, files) in &hosts {
        // A query a YAML block cannot hold (a control character) leaves its file out.
        let files: Vec<&String> = files
            .iter()
            .filter(|text| HostFile::read(*kind, text, &options).is_ok())
            .collect();
        // The queries as the host gives them, so both passes parse the same text.
        let queries: Vec<String> = files
            .iter()
            .flat_map(|text| {
                let host = HostFile::read(*kind, text, &options).expect("host reads");
                host.queries()
                    .iter()
                    .map(|q| q.text.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        let (host_time, kql_time) = medians(
            || {
                for text in &files {
                    let host = HostFile::read(*kind, text, &options).expect("host reads");
                    for query in host.queries() {
                        std::hint::black_box(kqlsmith_syntax::parse(&query.text).is_ok());
                    }
                }
            },
            || {
                for query in &queries {
                    std::hint::black_box(kqlsmith_syntax::parse(query).is_ok());
                }
            },
        );
        let mb = |bytes: usize| bytes as f64 / 1e6;
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.1} | {:.1} | {:.2} |",
            kind.name(),
            files.len(),
            mb(files.iter().map(|f| f.len()).sum()),
            mb(queries.iter().map(String::len).sum()),
            host_time.as_secs_f64() * 1e3,
            kql_time.as_secs_f64() * 1e3,
            host_time.as_secs_f64() / kql_time.as_secs_f64(),
        );
    }
}
