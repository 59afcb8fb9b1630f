//! KQL inside host files (Markdown fences, Sentinel YAML, Defender XDR JSON), through the
//! protocol: findings, fixes, hover, rename and formatting land in host lines and columns,
//! and every edit is spelled as the host needs it.

mod client;

use std::path::Path;

use client::{
    Client, apply_edits, decoded_tokens, hover_text, position_of, project, published, uri,
    utf16_position,
};
use kqlsmith_hosts::{HostFile, HostKind, ReadOptions};
use kqlsmith_lint::{Config, Linter, Platform};
use lsp_types::request as req;
use lsp_types::*;

/// A host document beside a `kqlsmith.toml` choosing `platform`.
fn host_uri(dir: &Path, name: &str) -> Uri {
    uri(&dir.join("rules").join(name))
}

/// The codes and UTF-16 ranges `kqlsmith lint` reports for a host file: each query linted on
/// the host's platform (else `platform`), its findings mapped to host bytes.
fn lint_host(kind: HostKind, text: &str, platform: &str) -> Vec<(String, Range)> {
    let host = HostFile::read(kind, text, &ReadOptions::default()).unwrap();
    let mut found = Vec::new();
    for query in host.queries() {
        let name = query.platform.unwrap_or(platform);
        let linter = Linter::new(Platform::builtin(name).unwrap(), Config::new());
        for d in linter.lint(&query.text) {
            let d = query.to_host_diagnostic(d);
            let range = Range::new(
                utf16_position(text, d.range.start),
                utf16_position(text, d.range.end),
            );
            found.push((d.code.to_string(), range));
        }
    }
    found
}

fn code_actions(client: &mut Client, uri: &Uri, at: Position) -> Vec<CodeAction> {
    client
        .request::<req::CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range: Range::new(at, at),
            context: CodeActionContext::default(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => Some(a),
            CodeActionOrCommand::Command(_) => None,
        })
        .collect()
}

/// The edits of the quick fix for `code`.
fn fix_edits(actions: &[CodeAction], uri: &Uri, code: &str) -> Vec<TextEdit> {
    let fix = actions
        .iter()
        .find(|a| a.kind == Some(CodeActionKind::QUICKFIX) && a.title.contains(code))
        .unwrap_or_else(|| panic!("a fix for {code} among {actions:?}"));
    fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[uri].clone()
}

fn format_edits(client: &mut Client, uri: &Uri) -> Vec<TextEdit> {
    client
        .request::<req::Formatting>(DocumentFormattingParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        })
        .expect("formatting edits")
}

const MARKDOWN: &str = "# Lateral movement 😀 notes\n\nRésumé: the hunt below.\n\n```kql\nDeviceNetworkEvents\n| where TimeGenerated > ago(1d)\n| project RemoteIP\n```\n\n```python\nprint('not KQL')\n```\n";

#[test]
fn markdown_fences_after_an_emoji_get_host_positions_fixes_and_hover() {
    let (dir, _) = project("defender");
    let uri = host_uri(dir.path(), "notes.md");
    let mut client = Client::start(None);
    let p = client.open_as(&uri, "markdown", MARKDOWN);
    let found = published(&p);
    assert_eq!(found, lint_host(HostKind::Markdown, MARKDOWN, "defender"));
    // `TimeGenerated` is on line 6 of the file (0-based), after `| where `.
    let foreign = found
        .iter()
        .find(|(code, _)| code == "KQL401")
        .expect("the foreign time column is reported");
    assert_eq!(
        foreign.1,
        Range::new(Position::new(6, 8), Position::new(6, 21))
    );

    let actions = code_actions(&mut client, &uri, Position::new(6, 10));
    let edits = fix_edits(&actions, &uri, "KQL401");
    assert_eq!(
        apply_edits(MARKDOWN, &edits),
        MARKDOWN.replace("TimeGenerated", "Timestamp")
    );

    let table = hover_text(&mut client, &uri, position_of(MARKDOWN, "NetworkEvents"));
    assert!(
        table.contains("`DeviceNetworkEvents`: table of Microsoft Defender XDR"),
        "{table}"
    );
    // Outside a fence there is nothing to say.
    let outside = client.request::<req::HoverRequest>(HoverParams {
        text_document_position_params: TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(uri.clone()),
            position_of(MARKDOWN, "not KQL"),
        ),
        work_done_progress_params: Default::default(),
    });
    assert_eq!(outside, None);

    let symbols = client.request::<req::DocumentSymbolRequest>(DocumentSymbolParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    });
    let Some(DocumentSymbolResponse::Nested(symbols)) = symbols else {
        panic!("an outline")
    };
    assert_eq!(symbols.len(), 1);
    assert_eq!(symbols[0].selection_range.start, Position::new(5, 0));

    // Only the fence is coloured, at its place in the file.
    let tokens = decoded_tokens(&mut client, &uri, MARKDOWN, None);
    assert_eq!(
        tokens.first(),
        Some(&(
            "DeviceNetworkEvents".to_string(),
            "class".to_string(),
            false
        ))
    );
    assert!(tokens.contains(&("RemoteIP".to_string(), "property".to_string(), false)));
    assert!(!tokens.iter().any(|(t, _, _)| t.contains("print")));
    client.shutdown().unwrap();
}

const YAML: &str = "id: 0f4ab3c4\nname: Password spray\nseverity: Medium\nquery: |\n  let threshold = 5;\n  SigninLogs\n  | where TimeGenerated > ago(1d)\n  | where ResultType == \"50126\"\n  | summarize Failures=count() by UserPrincipalName\n  | where Failures > threshold\nqueryFrequency: 1h\n";

#[test]
fn a_yaml_block_scalar_is_checked_as_sentinel_renamed_and_formatted_in_place() {
    // The configuration says Defender XDR; the Sentinel rule file says Sentinel, and wins.
    let (dir, _) = project("defender");
    let uri = host_uri(dir.path(), "spray.yaml");
    let mut client = Client::start(None);
    let p = client.open_as(&uri, "yaml", YAML);
    assert_eq!(published(&p), lint_host(HostKind::Yaml, YAML, "defender"));
    assert!(
        !p.diagnostics
            .iter()
            .any(|d| d.code == Some(NumberOrString::String("KQL401".into()))),
        "`TimeGenerated` is Sentinel's own column: {:?}",
        p.diagnostics
    );

    let hover = hover_text(&mut client, &uri, position_of(YAML, "UserPrincipalName"));
    assert!(hover.contains("Microsoft Sentinel"), "{hover}");
    assert!(hover.contains("named by the file"), "{hover}");

    let rename = client
        .request::<req::Rename>(RenameParams {
            text_document_position: TextDocumentPositionParams::new(
                TextDocumentIdentifier::new(uri.clone()),
                position_of(YAML, "threshold\n"),
            ),
            new_name: "limit".into(),
            work_done_progress_params: Default::default(),
        })
        .expect("a rename");
    let edits = &rename.changes.unwrap()[&uri];
    assert_eq!(edits.len(), 2);
    assert_eq!(
        edits.iter().map(|e| e.range.start).collect::<Vec<_>>(),
        vec![Position::new(4, 6), Position::new(9, 21)]
    );
    assert_eq!(apply_edits(YAML, edits), YAML.replace("threshold", "limit"));

    // Completion inside the block: the Sentinel table's columns that reach the cursor.
    let after_where = YAML.find("ResultType ==").unwrap();
    let items = client.request::<req::Completion>(CompletionParams {
        text_document_position: TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(uri.clone()),
            utf16_position(YAML, after_where),
        ),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
        context: None,
    });
    let Some(CompletionResponse::Array(items)) = items else {
        panic!("completion items")
    };
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(
        labels.contains(&"ResultType") && labels.contains(&"threshold"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"Timestamp"),
        "Defender's columns are not offered"
    );

    let formatted = apply_edits(YAML, &format_edits(&mut client, &uri));
    // What `kqlsmith fmt --stdout spray.yaml` prints: the query laid out, still a block
    // under `query:` with its two spaces, every other line as it was.
    assert_eq!(
        formatted,
        "id: 0f4ab3c4\nname: Password spray\nseverity: Medium\nquery: |\n  let threshold = 5;\n  SigninLogs\n  | where TimeGenerated > ago(1d)\n  | where ResultType == \"50126\"\n  | summarize Failures = count() by UserPrincipalName\n  | where Failures > threshold\nqueryFrequency: 1h\n"
    );
    client.shutdown().unwrap();
}

const JSON: &str = "{\n  \"displayName\": \"Encoded PowerShell\",\n  \"queryCondition\": {\n    \"queryText\": \"DeviceProcessEvents\\n| where TimeGenerated > ago(1d)\\n| where tolower(FileName) == \\\"powershell.exe\\\"\"\n  }\n}\n";

#[test]
fn a_json_query_with_escapes_maps_ranges_and_fixes_through_them() {
    let (dir, _) = project("sentinel");
    let uri = host_uri(dir.path(), "detection.json");
    let mut client = Client::start(None);
    let p = client.open_as(&uri, "json", JSON);
    let found = published(&p);
    assert_eq!(found, lint_host(HostKind::Json, JSON, "sentinel"));
    // A Defender XDR rule: `TimeGenerated` is foreign there, whatever the configuration says.
    // It sits on line 3 after `"queryText": "DeviceProcessEvents\n| where `.
    let start = JSON.find("TimeGenerated").unwrap();
    let foreign = found
        .iter()
        .find(|(code, _)| code == "KQL401")
        .expect("KQL401 on a Defender XDR rule");
    assert_eq!(
        foreign.1,
        Range::new(
            utf16_position(JSON, start),
            utf16_position(JSON, start + "TimeGenerated".len())
        )
    );
    assert_eq!(foreign.1.start, Position::new(3, 47));

    // The fix writes `FileName =~ "powershell.exe"`: its quotes are escaped in the JSON.
    let at = position_of(JSON, "tolower");
    let edits = fix_edits(&code_actions(&mut client, &uri, at), &uri, "KQL302");
    let fixed = apply_edits(JSON, &edits);
    assert_eq!(
        fixed,
        JSON.replace(
            "tolower(FileName) == \\\"powershell.exe\\\"",
            "FileName =~ \\\"powershell.exe\\\""
        )
    );
    let value: serde_json::Value = serde_json::from_str(&fixed).unwrap();
    assert_eq!(
        value["queryCondition"]["queryText"],
        "DeviceProcessEvents\n| where TimeGenerated > ago(1d)\n| where FileName =~ \"powershell.exe\""
    );
    client.shutdown().unwrap();
}

#[test]
fn host_files_without_kql_or_that_do_not_parse() {
    let (dir, _) = project("defender");
    let mut client = Client::start(None);
    for (name, language, text) in [
        ("readme.md", "markdown", "# Notes\n\nNo queries here.\n"),
        ("config.yaml", "yaml", "name: x\nitems: [1, 2]\n"),
        ("package.json", "json", "{\"name\": \"x\"}\n"),
        // Comments and trailing commas: JSON a rule may not have, but an editor's settings do.
        (
            ".vscode/settings.json",
            "jsonc",
            "{\n  // the editor's\n  \"files.exclude\": {\"**/.git\": true,},\n}\n",
        ),
    ] {
        let p = client.open_as(&host_uri(dir.path(), name), language, text);
        assert_eq!(p.diagnostics, Vec::new(), "{name}");
    }
    // A YAML syntax error is one error diagnostic at its place, not a failure.
    let broken = "query: |\n  T\nname: [unclosed\n";
    let p = client.open_as(&host_uri(dir.path(), "broken.yml"), "yaml", broken);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    let error = &p.diagnostics[0];
    assert_eq!(error.severity, Some(DiagnosticSeverity::ERROR));
    assert!(
        error.message.contains("not valid YAML"),
        "{}",
        error.message
    );
    assert!(error.range.start.line >= 2, "{:?}", error.range);
    // A rule with a trailing comma is still a rule: its error is shown.
    let rule = "{\"queryCondition\": {\"queryText\": \"T\",}}\n";
    let p = client.open_as(&host_uri(dir.path(), "rule.json"), "json", rule);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert!(
        p.diagnostics[0].message.contains("not valid JSON"),
        "{}",
        p.diagnostics[0].message
    );
    client.shutdown().unwrap();
}

#[test]
fn an_untitled_buffer_is_read_by_its_language_id() {
    let mut client = Client::start(None);
    let uri: Uri = "untitled:Untitled-1".parse().unwrap();
    let text = "```kusto\nSigninLogs\n| where TimeGenerated > ago(1d)\n| where ResultType contains \"50126\"\n```\n";
    let p = client.open_as(&uri, "markdown", text);
    let contains = p
        .diagnostics
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("KQL301".into())))
        .unwrap_or_else(|| panic!("`contains` reported: {:?}", p.diagnostics));
    assert_eq!(contains.range.start, position_of(text, "contains"));
    client.shutdown().unwrap();
}
