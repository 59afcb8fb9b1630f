//! The corpus was extracted from fenced blocks of public Markdown hunts (`manifest.tsv` names
//! each query's source file). This rebuilds one Markdown file a source file, with the queries
//! in the layouts hunts use (``` and ~~~ fences, `KQL`/`kql`/`kusto` tags, blocks inside
//! numbered lists and block quotes, prose and other languages' fences between), and checks that
//! kqlsmith reads back exactly the corpus's queries, in order.

#[path = "../../../tests/support/corpus.rs"]
mod corpus;
#[path = "support/layout.rs"]
mod layout;

use std::collections::BTreeMap;

use kqlsmith_hosts::{HostFile, HostKind, ReadOptions};

#[test]
fn markdown_built_from_the_corpus_layout_reads_back_the_corpus_queries() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    // One Markdown file a source file of a repository (both repositories have a README.md).
    let mut sources: BTreeMap<String, Vec<&corpus::Entry>> = BTreeMap::new();
    for entry in &entries {
        if entry.source.to_ascii_lowercase().ends_with(".md") {
            let repo = entry.file.split('/').next().unwrap_or_default();
            sources
                .entry(format!("{repo}/{}", entry.source))
                .or_default()
                .push(entry);
        }
    }
    let (mut queries, mut exact) = (0, 0);
    let mut mismatches = Vec::new();
    for (source, entries) in &sources {
        let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
        let markdown = layout::markdown(source, &texts);
        let host = HostFile::read(HostKind::Markdown, &markdown, &ReadOptions::default()).unwrap();
        let read: Vec<&str> = host.queries().iter().map(|q| q.text.as_str()).collect();
        let expected: Vec<_> = entries
            .iter()
            .filter(|e| !e.text.trim().is_empty())
            .collect();
        assert_eq!(read.len(), expected.len(), "{source}: one query a block");
        for ((got, entry), query) in read.iter().zip(expected).zip(host.queries()) {
            queries += 1;
            // Every character of the query is the host character its offset maps to.
            for (offset, c) in query.text.char_indices() {
                let at = query.to_host(offset);
                assert_eq!(
                    host.text()[at..].chars().next(),
                    Some(c),
                    "{source}: {offset}"
                );
            }
            if got.trim_end_matches('\n') == entry.text.trim_end_matches('\n') {
                exact += 1;
            } else {
                mismatches.push(entry.file.clone());
            }
        }
    }
    eprintln!(
        "corpus Markdown: {} files rebuilt, {queries} queries, {exact} read back exactly",
        sources.len()
    );
    assert!(
        queries > 800,
        "the corpus has its Markdown queries ({queries})"
    );
    assert!(
        mismatches.is_empty(),
        "not read back exactly: {mismatches:?}"
    );
}
