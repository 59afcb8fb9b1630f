//! The formatter over every public corpus query that parses: the formatted text parses to the
//! same tree, holds the same comments (count and text, in order), and formatting it again
//! changes nothing.

use std::path::PathBuf;

use kqlsmith::syntax::format::{FormatOptions, format};
use kqlsmith::syntax::parse;

/// The corpus folder: `$KQLSMITH_CORPUS`, or `../shared/corpus` beside the workspace root.
fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KQLSMITH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.join("manifest.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: no KQL corpus at {} (set KQLSMITH_CORPUS)",
            dir.display()
        );
        None
    }
}

/// Every corpus file named in the manifest, with its text.
fn corpus() -> Option<Vec<(String, String)>> {
    let dir = corpus_dir()?;
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest.tsv");
    let files = manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|file| !file.is_empty())
        .map(|file| {
            let bytes = std::fs::read(dir.join(file)).expect("corpus file is readable");
            (
                file.to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    Some(files)
}

fn comment_texts(source: &str) -> Vec<String> {
    parse(source)
        .map(|s| {
            s.comments
                .iter()
                .map(|c| c.text.trim_end().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn formatting_keeps_the_tree_and_the_comments_and_is_idempotent() {
    let Some(files) = corpus() else {
        return;
    };
    let options = FormatOptions::default();
    let (mut parsed, mut same_tree, mut comments_kept, mut idempotent) = (0, 0, 0, 0);
    let mut comments_total = 0;
    let mut failures = Vec::new();
    for (file, source) in &files {
        let Ok(tree) = parse(source) else {
            continue;
        };
        parsed += 1;
        comments_total += tree.comments.len();
        let formatted = match format(source, &options) {
            Ok(text) => text,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        match parse(&formatted) {
            Ok(again) if again == tree => same_tree += 1,
            Ok(_) => failures.push(format!("{file}: formatted text is a different query")),
            Err(e) => failures.push(format!("{file}: formatted text does not parse: {e}")),
        }
        if comment_texts(&formatted) == comment_texts(source) {
            comments_kept += 1;
        } else {
            failures.push(format!("{file}: comments differ"));
        }
        match format(&formatted, &options) {
            Ok(twice) if twice == formatted => idempotent += 1,
            Ok(twice) => failures.push(format!(
                "{file}: not idempotent:\n--- once\n{formatted}\n--- twice\n{twice}"
            )),
            Err(e) => failures.push(format!("{file}: formatting again failed: {e}")),
        }
    }
    println!(
        "fmt over the corpus: {parsed} of {} files parse; same tree {same_tree}, comments kept \
         {comments_kept} ({comments_total} comments), idempotent {idempotent}",
        files.len()
    );
    for failure in &failures {
        println!("FAIL {failure}");
    }
    assert!(parsed > 1000, "the corpus should mostly parse: {parsed}");
    assert!(failures.is_empty(), "{} failures", failures.len());
    assert_eq!(
        (same_tree, comments_kept, idempotent),
        (parsed, parsed, parsed)
    );
}
