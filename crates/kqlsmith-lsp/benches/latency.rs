//! How fast the server answers on a 10 KB query, and whether its memory stays flat over many
//! edits. Prints a table; run with `cargo bench -p kqlsmith-lsp --bench latency`.
//!
//! - change -> diagnostics: from sending a `didChange` (one character typed or deleted in the
//!   middle of the query) to receiving its `publishDiagnostics`, through the JSON-RPC
//!   messages of an in-process client;
//! - the same for the query inside a Markdown fence (the host read again on every change);
//! - completion: a `completion` request after `| where ` at the end of the query;
//! - memory: the process's resident set after 0, 1,000, 5,000 and 10,000 edits.

#[path = "../tests/client/mod.rs"]
mod client;

use std::time::{Duration, Instant};

use client::{Client, project, utf16_position};
use lsp_types::request as req;
use lsp_types::*;

/// A Defender hunt of at least 10 KB: `let`s, then a long pipeline over `DeviceNetworkEvents`.
fn query() -> String {
    let mut text = String::from(
        "let Window = 7d;\nlet Ports = dynamic([22, 3389, 5985, 5986]);\nDeviceNetworkEvents\n| where Timestamp > ago(Window)\n",
    );
    let mut i = 0;
    while text.len() < 10 * 1024 {
        text.push_str(&format!(
            "| where RemotePort != {i} and DeviceName !has \"host-{i}\"\n| extend Tag{i} = strcat(DeviceName, \"-\", tostring(RemotePort))\n"
        ));
        i += 1;
    }
    text.push_str("| summarize Connections = count(), Ports = make_set(RemotePort) by RemoteIP, DeviceName\n| where ");
    text
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

/// Types one character in the middle of the text, or deletes it again.
fn edit(client: &mut Client, uri: &Uri, text: &mut String, version: i32) {
    let middle = text.len() / 2;
    let at = (0..=middle)
        .rev()
        .find(|&i| text.is_char_boundary(i) && text[..i].ends_with(' '))
        .unwrap_or(0);
    let change = if version % 2 == 0 {
        text.insert(at, 'x');
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                utf16_position(text, at),
                utf16_position(text, at),
            )),
            range_length: None,
            text: "x".into(),
        }
    } else {
        let start = utf16_position(text, at);
        let end = utf16_position(text, at + 1);
        text.remove(at);
        TextDocumentContentChangeEvent {
            range: Some(Range::new(start, end)),
            range_length: None,
            text: String::new(),
        }
    };
    let published = client.change(uri, version, vec![change]);
    assert_eq!(published.version, Some(version));
}

/// 300 edits of `uri`, each timed from the change sent to its diagnostics received.
fn timed_changes(
    client: &mut Client,
    uri: &Uri,
    text: &mut String,
    version: &mut i32,
) -> Vec<Duration> {
    let mut changes = Vec::new();
    for _ in 0..300 {
        *version += 1;
        let started = Instant::now();
        edit(client, uri, text, *version);
        changes.push(started.elapsed());
    }
    changes.sort();
    changes
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (_dir, uri) = project("defender");
    let mut text = query();
    let mut client = Client::start(None);
    client.open(&uri, &text);
    let mut version = 1;

    let changes = timed_changes(&mut client, &uri, &mut text, &mut version);

    // The same query in a Markdown fence: read out of the host on every change.
    let (dir, _) = project("defender");
    let notes = client::uri(&dir.path().join("notes.md"));
    let mut markdown = format!("# Notes 😀\n\nThe hunt:\n\n```kql\n{}\n```\n", query());
    client.open_as(&notes, "markdown", &markdown);
    let mut markdown_version = 1;
    let fenced = timed_changes(&mut client, &notes, &mut markdown, &mut markdown_version);

    let mut completions = Vec::new();
    let end = utf16_position(&text, text.len());
    for _ in 0..300 {
        let started = Instant::now();
        let items = client.request::<req::Completion>(CompletionParams {
            text_document_position: TextDocumentPositionParams::new(
                TextDocumentIdentifier::new(uri.clone()),
                end,
            ),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: None,
        });
        completions.push(started.elapsed());
        assert!(
            matches!(items, Some(CompletionResponse::Array(ref i)) if i.iter().any(|i| i.label == "Connections"))
        );
    }
    completions.sort();

    let mut memory = vec![(0, resident_kib())];
    for n in 1..=10_000 {
        version += 1;
        edit(&mut client, &uri, &mut text, version);
        if matches!(n, 1_000 | 5_000 | 10_000) {
            memory.push((n, resident_kib()));
        }
    }
    client.shutdown().unwrap();

    println!(
        "query: {} bytes, {} lines",
        text.len(),
        text.lines().count()
    );
    println!("| measure | median | p99 | max |");
    println!("|---|---|---|---|");
    for (name, samples) in [
        ("change -> diagnostics", &changes),
        ("change -> diagnostics, in a Markdown fence", &fenced),
        ("completion after `| where `", &completions),
    ] {
        println!(
            "| {name} ({} samples) | {:.2} ms | {:.2} ms | {:.2} ms |",
            samples.len(),
            percentile(samples, 0.5).as_secs_f64() * 1e3,
            percentile(samples, 0.99).as_secs_f64() * 1e3,
            samples.last().unwrap().as_secs_f64() * 1e3,
        );
    }
    println!();
    println!("| edits | resident memory |");
    println!("|---|---|");
    for (n, kib) in memory {
        println!("| {n} | {:.1} MiB |", kib as f64 / 1024.0);
    }
}
