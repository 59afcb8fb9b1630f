//! Random edits over corpus queries: the server never fails, answers every request with a
//! well-formed result, and after each edit publishes exactly the findings `kqlsmith lint`
//! gives for the same text (codes and UTF-16 ranges).

mod client;

use client::{Client, project, uri as file_uri, utf16_position};
use kqlsmith_lint::{Config, Linter, Platform};
use lsp_types::request as req;
use lsp_types::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// Every 16th corpus query: a spread of authors and shapes, quick to run.
fn queries() -> Option<Vec<String>> {
    let entries = corpus::entries()?;
    Some(entries.into_iter().step_by(16).map(|e| e.text).collect())
}

/// Text typed into queries: KQL's punctuation and words, line breaks, and characters that
/// are more than one UTF-16 unit or UTF-8 byte.
const TYPED: &[&str] = &[
    "| ",
    "| where ",
    "(",
    ")",
    "\"",
    "'",
    "//",
    "\n",
    " ",
    "😀",
    "é",
    "let x = 1;",
    "x",
    "==",
    "RemoteIP",
    "TimeGenerated",
    "Timestamp",
    "kind=",
    "join ",
    ",",
    "[",
    "]",
    "{",
    "}",
    ";",
    "summarize count() by ",
    "```",
    "\r\n",
];

#[derive(Debug, Clone)]
struct EditOp {
    /// Where, as a fraction of the text.
    at: f64,
    /// How many characters to delete there.
    delete: usize,
    insert: &'static str,
}

fn edit_op() -> impl Strategy<Value = EditOp> {
    (0.0..=1.0f64, 0usize..8, proptest::sample::select(TYPED))
        .prop_map(|(at, delete, insert)| EditOp { at, delete, insert })
}

/// The offset at fraction `at` of `text`, moved back to where an editor can put its cursor:
/// a character boundary, not between the `\r` and the `\n` of a line break.
fn cursor_at(text: &str, at: f64) -> usize {
    let i = (((text.len() as f64) * at) as usize).min(text.len());
    cursor_before(text, i)
}

fn cursor_before(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) || (text[..i].ends_with('\r') && text[i..].starts_with('\n')) {
        i -= 1;
    }
    i
}

#[test]
fn random_edits_over_corpus_queries() {
    random_edits(Host::None);
}

/// The same edits over corpus queries in a Markdown file (a heading with non-ASCII text before
/// the fence), which they may break anywhere, fence included: every answer well-formed, every
/// change published.
#[test]
fn random_edits_over_queries_in_markdown() {
    random_edits(Host::Markdown);
}

/// Where the edited queries live.
#[derive(Clone, Copy, PartialEq)]
enum Host {
    /// A `.kql` file: the findings must also equal `kqlsmith lint`'s, and formatting `fmt`'s.
    None,
    Markdown,
}

fn random_edits(host: Host) {
    let Some(queries) = queries() else {
        return;
    };
    let (dir, uri) = project("sentinel");
    let uri = match host {
        Host::None => uri,
        Host::Markdown => file_uri(&dir.path().join("hunts").join("notes.md")),
    };
    let linter = Linter::new(Platform::builtin("sentinel").unwrap(), Config::new());
    // The runner takes a `Fn`: the session and the version counter live in cells.
    let client = std::cell::RefCell::new(Client::start(None));
    client.borrow_mut().open(&uri, "");
    let version = std::cell::Cell::new(1);
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 48,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let strategy = (
        0..queries.len(),
        proptest::collection::vec(edit_op(), 1..12),
    );
    let result = runner.run(&strategy, |(index, ops)| {
        let mut client = client.borrow_mut();
        let mut text = match host {
            Host::None => queries[index].clone(),
            Host::Markdown => format!("# Hunt ☕ notes\n\n```kql\n{}\n```\n", queries[index]),
        };
        version.set(version.get() + 1);
        client.change(
            &uri,
            version.get(),
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: text.clone(),
            }],
        );
        for op in &ops {
            let start = cursor_at(&text, op.at);
            let end = text[start..]
                .char_indices()
                .nth(op.delete)
                .map_or(text.len(), |(i, _)| cursor_before(&text, start + i));
            let range = Range::new(utf16_position(&text, start), utf16_position(&text, end));
            text.replace_range(start..end, op.insert);
            version.set(version.get() + 1);
            let published = client.change(
                &uri,
                version.get(),
                vec![TextDocumentContentChangeEvent {
                    range: Some(range),
                    range_length: None,
                    text: op.insert.into(),
                }],
            );
            prop_assert_eq!(published.version, Some(version.get()));
            if host == Host::None {
                let expected: Vec<(String, Range)> = linter
                    .lint(&text)
                    .into_iter()
                    .map(|d| {
                        let r = Range::new(
                            utf16_position(&text, d.range.start),
                            utf16_position(&text, d.range.end),
                        );
                        (d.code.to_string(), r)
                    })
                    .collect();
                let got: Vec<(String, Range)> = published
                    .diagnostics
                    .iter()
                    .map(|d| match &d.code {
                        Some(NumberOrString::String(c)) => (c.clone(), d.range),
                        _ => (String::new(), d.range),
                    })
                    .collect();
                prop_assert_eq!(got, expected, "text: {:?}", text);
            }

            // Requests at the edit: each answered with a well-formed result (the client
            // panics on an error or a result that does not decode).
            let at = TextDocumentPositionParams::new(
                TextDocumentIdentifier::new(uri.clone()),
                utf16_position(&text, start + op.insert.len()),
            );
            client.request::<req::Completion>(CompletionParams {
                text_document_position: at.clone(),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                context: None,
            });
            client.request::<req::HoverRequest>(HoverParams {
                text_document_position_params: at.clone(),
                work_done_progress_params: Default::default(),
            });
            client.request::<req::SignatureHelpRequest>(SignatureHelpParams {
                context: None,
                text_document_position_params: at.clone(),
                work_done_progress_params: Default::default(),
            });
            client.request::<req::DocumentHighlightRequest>(DocumentHighlightParams {
                text_document_position_params: at.clone(),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            });
        }
        // Whole-document requests on the final text.
        let doc = TextDocumentIdentifier::new(uri.clone());
        client.request::<req::DocumentSymbolRequest>(DocumentSymbolParams {
            text_document: doc.clone(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        });
        let tokens = client.request::<req::SemanticTokensFullRequest>(SemanticTokensParams {
            text_document: doc.clone(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        });
        // Each token lies on a line of the text, within it.
        if let Some(SemanticTokensResult::Tokens(tokens)) = tokens {
            let lines: Vec<usize> = client::lines(&text)
                .into_iter()
                .map(|l| text[l].encode_utf16().count())
                .collect();
            let (mut line, mut start) = (0usize, 0u32);
            for t in &tokens.data {
                if t.delta_line > 0 {
                    line += t.delta_line as usize;
                    start = t.delta_start;
                } else {
                    start += t.delta_start;
                }
                prop_assert!(line < lines.len(), "a token past the last line");
                prop_assert!(
                    (start + t.length) as usize <= lines[line],
                    "a token past its line's end"
                );
            }
        }
        client.request::<req::CodeActionRequest>(CodeActionParams {
            text_document: doc.clone(),
            range: Range::new(Position::new(0, 0), utf16_position(&text, text.len())),
            context: CodeActionContext::default(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        });
        let edits = client.request::<req::Formatting>(DocumentFormattingParams {
            text_document: doc,
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        });
        if let Some(edits) = edits.filter(|_| host == Host::None) {
            let formatted = client::apply_edits(&text, &edits);
            let expected = kqlsmith_syntax::format::format(&text, &Default::default()).unwrap();
            prop_assert_eq!(formatted, expected);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    client.into_inner().shutdown().unwrap();
}
