//! The formatter over every public corpus query that parses: the formatted text parses to the
//! same tree, holds the same comments (count and text, in order), and formatting it again
//! changes nothing.

use kqlsmith::syntax::format::{FormatOptions, format};
use kqlsmith::syntax::parse;

#[path = "support/corpus.rs"]
mod corpus;

/// Every corpus file named in the manifest, with its text.
fn queries() -> Option<Vec<(String, String)>> {
    let entries = corpus::entries()?;
    Some(entries.into_iter().map(|e| (e.file, e.text)).collect())
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
    let Some(files) = queries() else {
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

/// A missing corpus is reported where a plain `cargo test` shows it, and fails on CI. The test
/// runs this test binary again on a corpus folder that does not exist.
#[test]
fn a_missing_corpus_is_reported_and_fails_on_ci() {
    let run = |ci: Option<&str>| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--exact",
                "formatting_keeps_the_tree_and_the_comments_and_is_idempotent",
            ])
            .env("KQLSMITH_CORPUS", "/nonexistent/kqlsmith-corpus");
        match ci {
            Some(value) => command.env("CI", value),
            None => command.env_remove("CI"),
        };
        command.output().unwrap()
    };
    let local = run(None);
    assert!(local.status.success());
    let stderr = String::from_utf8_lossy(&local.stderr);
    assert!(stderr.contains("SKIPPED: no KQL corpus"), "{stderr}");
    let ci = run(Some("true"));
    assert!(!ci.status.success());
    let stdout = String::from_utf8_lossy(&ci.stdout);
    assert!(stdout.contains("the corpus must be there"), "{stdout}");
}
