//! Each capability, checked through the protocol: an in-process client speaks JSON-RPC to the
//! server about real queries.

mod client;

use client::{
    Client, apply_edits, decoded_tokens, hover_text, position_of, project, published,
    utf16_position,
};
use kqlsmith_lint::{Config, Linter, Platform};
use kqlsmith_lsp::Ending;
use lsp_types::request as req;
use lsp_types::*;

const HUNT: &str = "let Window = 1d;\nDeviceNetworkEvents\n| where TimeGenerated > ago(Window)\n| where RemoteIP has \"10.\"\n| summarize Connections = count() by RemoteIP, DeviceName\n";

fn at(uri: &Uri, position: Position) -> TextDocumentPositionParams {
    TextDocumentPositionParams::new(TextDocumentIdentifier::new(uri.clone()), position)
}

fn defender() -> Linter {
    Linter::new(Platform::builtin("defender").unwrap(), Config::new())
}

/// The codes and UTF-16 ranges `kqlsmith lint` gives for `text` on Defender XDR.
fn lint_ranges(text: &str) -> Vec<(String, Range)> {
    defender()
        .lint(text)
        .into_iter()
        .map(|d| {
            let range = Range::new(
                utf16_position(text, d.range.start),
                utf16_position(text, d.range.end),
            );
            (d.code.to_string(), range)
        })
        .collect()
}

#[test]
fn initialize_advertises_the_capabilities_and_utf16_by_default() {
    let client = Client::start(None);
    let caps = &client.initialize.as_ref().unwrap().capabilities;
    assert_eq!(caps.position_encoding, Some(PositionEncodingKind::UTF16));
    assert_eq!(
        caps.text_document_sync,
        Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL
        ))
    );
    for (name, on) in [
        ("hover", caps.hover_provider.is_some()),
        ("completion", caps.completion_provider.is_some()),
        ("definition", caps.definition_provider.is_some()),
        ("references", caps.references_provider.is_some()),
        ("rename", caps.rename_provider.is_some()),
        ("highlight", caps.document_highlight_provider.is_some()),
        ("symbols", caps.document_symbol_provider.is_some()),
        ("code actions", caps.code_action_provider.is_some()),
        ("formatting", caps.document_formatting_provider.is_some()),
        (
            "range formatting",
            caps.document_range_formatting_provider.is_some(),
        ),
        ("signature help", caps.signature_help_provider.is_some()),
    ] {
        assert!(on, "{name} is advertised");
    }
    assert_eq!(client.shutdown(), Ok(Ending::Clean));
}

#[test]
fn diagnostics_equal_lint_with_utf16_columns_after_an_emoji() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "DeviceNetworkEvents\n| where DeviceName == \"😀é\" and TimeGenerated > ago(1d)\n";
    let p = client.open(&uri, text);
    assert_eq!(p.uri, uri);
    assert_eq!(p.version, Some(1));
    let found = published(&p);
    assert_eq!(found, lint_ranges(text));
    // `TimeGenerated` starts at UTF-16 unit 32: the emoji is two units (it is one character
    // and four bytes), `é` one (two bytes).
    let foreign = p
        .diagnostics
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("KQL401".into())))
        .expect("the foreign time column is reported");
    assert_eq!(
        foreign.range,
        Range::new(Position::new(1, 32), Position::new(1, 45))
    );
    assert_eq!(foreign.source.as_deref(), Some("kqlsmith"));
    assert_eq!(foreign.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(
        foreign
            .code_description
            .as_ref()
            .map(|c| c.href.as_str().to_string())
            .as_deref(),
        Some(
            "https://github.com/kqlsmith/kqlsmith/blob/main/crates/kqlsmith-lint/src/rules/foreign_time_column.rs"
        ),
        "the link is the rule's own page"
    );
    assert_eq!(client.shutdown(), Ok(Ending::Clean));
}

#[test]
fn utf8_positions_when_the_client_prefers_them() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(Some(vec![PositionEncodingKind::UTF8]));
    let caps = &client.initialize.as_ref().unwrap().capabilities;
    assert_eq!(caps.position_encoding, Some(PositionEncodingKind::UTF8));
    let text = "DeviceNetworkEvents\n| where DeviceName == \"😀\" and TimeGenerated > ago(1d)\n";
    let p = client.open(&uri, text);
    let foreign = p
        .diagnostics
        .iter()
        .find(|d| d.message.contains("Timestamp"))
        .unwrap();
    // Bytes this time: the emoji is four (two UTF-16 units, one character).
    assert_eq!(foreign.range.start, Position::new(1, 33));
    client.shutdown().unwrap();
}

#[test]
fn every_change_publishes_and_a_clean_text_gets_an_empty_list() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "DeviceNetworkEvents\n| where TimeGenerated > ago(1d)";
    assert_eq!(published(&client.open(&uri, text)), lint_ranges(text));
    // Two incremental changes in one message, the second read in the text the first left.
    let p = client.change(
        &uri,
        2,
        vec![
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(1, 8), Position::new(1, 21))),
                range_length: None,
                text: "Timestamp".into(),
            },
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(1, 30), Position::new(1, 30))),
                range_length: None,
                text: "\n| take 10".into(),
            },
        ],
    );
    assert_eq!(p.version, Some(2));
    assert_eq!(p.diagnostics, Vec::new(), "clean: an empty list");
    // Broken text: the same findings as the linter gives.
    let broken = "DeviceNetworkEvents\n| where (Timestamp > ";
    let p = client.change(
        &uri,
        3,
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: broken.into(),
        }],
    );
    let found = published(&p);
    assert_eq!(found, lint_ranges(broken));
    assert_eq!(found[0].0, "KQL001");
    client.shutdown().unwrap();
}

/// The protocol ends lines at `\n`, `\r\n` and a lone `\r`: a finding after a lone `\r` is on
/// the next line, and an edit there lands where the client means it.
#[test]
fn a_lone_carriage_return_ends_a_line_for_positions_both_ways() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "DeviceNetworkEvents\r| where TimeGenerated > ago(1d)\r\n| take 1";
    let opened = published(&client.open(&uri, text));
    assert_eq!(opened, lint_ranges(text));
    assert_eq!(opened[0].1.start, Position::new(1, 8));
    let p = client.change(
        &uri,
        2,
        vec![TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 8), Position::new(1, 21))),
            range_length: None,
            text: "Timestamp".into(),
        }],
    );
    assert_eq!(p.diagnostics, Vec::new(), "the edit replaced TimeGenerated");
    client.shutdown().unwrap();
}

#[test]
fn a_fix_is_a_preferred_quickfix_with_its_exact_edit_and_conversion_is_offered() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "DeviceNetworkEvents\n| where TimeGenerated > ago(1d)\n";
    client.open(&uri, text);
    let actions = client
        .request::<req::CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range: Range::new(Position::new(1, 10), Position::new(1, 10)),
            context: CodeActionContext::default(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let actions: Vec<CodeAction> = actions
        .into_iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a,
            CodeActionOrCommand::Command(c) => panic!("a bare command: {c:?}"),
        })
        .collect();
    let fix = actions
        .iter()
        .find(|a| a.kind == Some(CodeActionKind::QUICKFIX))
        .expect("a quick fix");
    assert_eq!(fix.is_preferred, Some(true));
    let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
    assert_eq!(
        edits,
        &vec![TextEdit::new(
            Range::new(Position::new(1, 8), Position::new(1, 21)),
            "Timestamp".into()
        )]
    );
    assert_eq!(
        fix.diagnostics.as_ref().unwrap()[0].code,
        Some(NumberOrString::String("KQL401".into()))
    );
    assert!(
        !actions.iter().any(|a| a.title.contains("Sentinel")),
        "nothing to convert: `TimeGenerated` is already Sentinel's"
    );

    let text = "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n";
    client.change(
        &uri,
        2,
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.into(),
        }],
    );
    let actions = client
        .request::<req::CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
            context: CodeActionContext::default(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let Some(CodeActionOrCommand::CodeAction(convert)) = actions
        .into_iter()
        .find(|a| matches!(a, CodeActionOrCommand::CodeAction(a) if a.title.contains("Sentinel")))
    else {
        panic!("a conversion to Sentinel")
    };
    let edits = &convert.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
    let converted = apply_edits(text, edits);
    assert_eq!(
        converted,
        "DeviceNetworkEvents\n| where TimeGenerated > ago(1d)\n"
    );
    let expected = kqlsmith_lint::convert::convert(
        text,
        &Platform::builtin("defender").unwrap(),
        &Platform::builtin("sentinel").unwrap(),
    )
    .unwrap();
    assert_eq!(converted, expected.text);
    client.shutdown().unwrap();
}

#[test]
fn hover_names_a_columns_type_and_table_and_a_lets_definition() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    client.open(&uri, HUNT);
    let text_of = |h: Option<Hover>| match h.expect("a hover").contents {
        HoverContents::Markup(m) => m.value,
        other => panic!("{other:?}"),
    };
    let column = text_of(client.request::<req::HoverRequest>(HoverParams {
        text_document_position_params: at(&uri, position_of(HUNT, "RemoteIP has")),
        work_done_progress_params: Default::default(),
    }));
    assert!(column.contains("`RemoteIP`: `string`"), "{column}");
    assert!(column.contains("DeviceNetworkEvents"), "{column}");
    assert!(
        column.contains("Defender XDR"),
        "the platform is said: {column}"
    );
    let window = text_of(client.request::<req::HoverRequest>(HoverParams {
        text_document_position_params: at(&uri, position_of(HUNT, "Window)")),
        work_done_progress_params: Default::default(),
    }));
    assert!(window.contains("`Window`: `timespan`"), "{window}");
    assert!(window.contains("let Window = 1d;"), "{window}");
    let rule = text_of(client.request::<req::HoverRequest>(HoverParams {
        text_document_position_params: at(&uri, position_of(HUNT, "TimeGenerated")),
        work_done_progress_params: Default::default(),
    }));
    assert!(rule.contains("KQL401 foreign-time-column"), "{rule}");
    let function = hover_text(&mut client, &uri, position_of(HUNT, "ago("));
    assert!(function.contains("ago(timespan: timespan)"), "{function}");
    assert!(
        function.contains("The current UTC time minus a timespan"),
        "the summary is shown: {function}"
    );
    let aggregate = hover_text(&mut client, &uri, position_of(HUNT, "count()"));
    assert!(
        aggregate.contains("aggregation function")
            && aggregate.contains("The number of rows in the group."),
        "{aggregate}"
    );

    // A column a stage made: its type and that stage.
    let made = "DeviceNetworkEvents\n| extend Port = tostring(RemotePort)\n| where Port == \"22\"";
    client.change(
        &uri,
        2,
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: made.into(),
        }],
    );
    let port = text_of(client.request::<req::HoverRequest>(HoverParams {
        text_document_position_params: at(&uri, position_of(made, "Port ==")),
        work_done_progress_params: Default::default(),
    }));
    assert!(port.contains("`Port`: `string`"), "{port}");
    assert!(port.contains("made by `extend` on line 2"), "{port}");
    client.shutdown().unwrap();
}

#[test]
fn hover_on_a_function_names_its_parameters_in_every_overload() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "DeviceInfo\n| summarize by bin(Timestamp, 1h)\n| invoke FileProfile(SHA1)";
    client.open(&uri, text);
    let bin = hover_text(&mut client, &uri, position_of(text, "bin("));
    let overloads = "```kql\nbin(value: number, roundTo: number)\nbin(value: timespan, roundTo: timespan)\nbin(value: datetime, roundTo: datetime)\nbin(value: datetime, roundTo: timespan)\n```";
    assert!(bin.starts_with(overloads), "{bin}");
    let summary =
        kqlsmith_lint::functions::lookup(kqlsmith_lint::functions::FunctionKind::Scalar, "bin")
            .and_then(|f| f.summary())
            .unwrap();
    assert!(bin.ends_with(summary), "the summary follows: {bin}");
    // A name that is a scalar and an aggregation function shows both.
    let both = "DeviceInfo\n| summarize any(DeviceName)";
    client.replace_text(&uri, 2, both);
    let any = hover_text(&mut client, &uri, position_of(both, "any("));
    assert!(
        any.contains("any(pattern_element: scalar, expression: bool)\n```\nscalar function")
            && any.contains(
                "any(expr: scalar)\nany(expr: scalar, ...)\nany(*)\n```\naggregation function"
            ),
        "{any}"
    );
    client.replace_text(&uri, 3, text);
    // A platform function whose data names no parameters is shown by its argument count.
    let profile = hover_text(&mut client, &uri, position_of(text, "FileProfile"));
    assert!(profile.contains("FileProfile([arg1], [arg2])"), "{profile}");
    client.shutdown().unwrap();
}

/// The signature help at the `^` of `marked`, sent as the document's text.
fn help_at(client: &mut Client, uri: &Uri, version: i32, marked: &str) -> SignatureHelp {
    let cursor = marked.find('^').expect("a ^ in the text");
    let text = marked.replace('^', "");
    client.replace_text(uri, version, &text);
    client
        .request::<req::SignatureHelpRequest>(SignatureHelpParams {
            context: None,
            text_document_position_params: at(uri, utf16_position(&text, cursor)),
            work_done_progress_params: Default::default(),
        })
        .expect("signature help")
}

/// The active signature's label and the text of its active parameter.
fn active(help: &SignatureHelp) -> (String, String) {
    let signature = &help.signatures[help.active_signature.expect("an active signature") as usize];
    let index = help.active_parameter.expect("an active parameter");
    assert_eq!(signature.active_parameter, Some(index));
    let parameters = signature.parameters.as_ref().expect("parameters");
    let ParameterLabel::LabelOffsets([start, end]) = parameters[index as usize].label else {
        panic!("parameters are labelled by offsets: {parameters:?}");
    };
    let units: Vec<u16> = signature.label.encode_utf16().collect();
    let parameter = String::from_utf16(&units[start as usize..end as usize]).unwrap();
    (signature.label.clone(), parameter)
}

#[test]
fn signature_help_names_the_parameter_the_cursor_is_in_and_the_overload_that_fits() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    client.open(&uri, "DeviceInfo");
    // The second argument of `iff` is its `then`, whether the call is closed or not.
    let iff = help_at(
        &mut client,
        &uri,
        2,
        "DeviceInfo\n| extend x = iff(true, De^viceName, \"\")",
    );
    assert_eq!(
        active(&iff),
        (
            "iff(if: bool, then: scalar, else: scalar)".into(),
            "then: scalar".into()
        )
    );
    let typing = help_at(&mut client, &uri, 3, "DeviceInfo\n| extend x = iff(true, ^");
    assert_eq!(active(&typing).1, "then: scalar");

    // `extract` has an overload of three arguments and one of four: the count picks it.
    let three = help_at(
        &mut client,
        &uri,
        4,
        "DeviceInfo\n| extend x = extract(\"(a)\", ^1, DeviceName)",
    );
    assert_eq!(three.signatures.len(), 2);
    assert_eq!(three.active_signature, Some(0));
    assert_eq!(active(&three).1, "captureGroup: long");
    let four = help_at(
        &mut client,
        &uri,
        5,
        "DeviceInfo\n| extend x = extract(\"(a)\", 1, DeviceName, ^typeof(long))",
    );
    assert_eq!(four.active_signature, Some(1));
    assert_eq!(
        active(&four),
        (
            "extract(regex: string, captureGroup: long, source: string, typeLiteral: type)".into(),
            "typeLiteral: type".into()
        )
    );

    // A variadic function keeps the cursor's argument on its repeated tail.
    let strcat = help_at(
        &mut client,
        &uri,
        6,
        "DeviceInfo\n| extend x = strcat(\"a\", \"b\", \"c\", \"d\", ^",
    );
    assert_eq!(
        active(&strcat),
        ("strcat(arg: scalar, ...)".into(), "arg: scalar".into())
    );
    let strcat_delim = help_at(
        &mut client,
        &uri,
        7,
        "DeviceInfo\n| extend x = strcat_delim(\"-\", \"a\", ^\"b\")",
    );
    assert_eq!(active(&strcat_delim).1, "arg: scalar");
    let case = help_at(
        &mut client,
        &uri,
        8,
        "DeviceInfo\n| extend x = case(a, 1, b, ^2, 3)",
    );
    assert_eq!(active(&case).1, "then: scalar");

    // `tdigest_merge` of one argument is the aggregation function, of two the scalar one.
    let one = help_at(
        &mut client,
        &uri,
        9,
        "DeviceInfo\n| summarize tdigest_merge(^x)",
    );
    let aggregate = &one.signatures[one.active_signature.unwrap() as usize];
    assert_eq!(
        aggregate.documentation,
        Some(Documentation::String(
            "The t-digests of the group merged into one.".into()
        ))
    );
    let two = help_at(&mut client, &uri, 10, "print tdigest_merge(x, ^y)");
    let scalar = &two.signatures[two.active_signature.unwrap() as usize];
    assert_eq!(scalar.label, "tdigest_merge(tdigest: array|dynamic, ...)");
    assert_eq!(
        scalar.documentation,
        Some(Documentation::String(
            "Several t-digests merged into one.".into()
        ))
    );

    // A platform function whose data names no parameters keeps numbered ones.
    let profile = help_at(
        &mut client,
        &uri,
        11,
        "DeviceInfo\n| invoke FileProfile(SHA1, ^",
    );
    assert_eq!(
        active(&profile),
        ("FileProfile([arg1], [arg2])".into(), "[arg2]".into())
    );
    client.shutdown().unwrap();
}

fn labels(items: Option<CompletionResponse>) -> Vec<String> {
    match items.expect("completions") {
        CompletionResponse::Array(items) => items.into_iter().map(|i| i.label).collect(),
        CompletionResponse::List(list) => list.items.into_iter().map(|i| i.label).collect(),
    }
}

fn complete(client: &mut Client, uri: &Uri, text: &str, version: i32) -> Vec<String> {
    client.change(
        uri,
        version,
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.into(),
        }],
    );
    labels(client.request::<req::Completion>(CompletionParams {
        text_document_position: at(uri, utf16_position(text, text.len())),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
        context: None,
    }))
}

#[test]
fn completion_offers_the_columns_in_scope_operators_tables_and_join_kinds() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    client.open(&uri, "");
    let has = |labels: &[String], name: &str| labels.iter().any(|l| l == name);

    let after_where = complete(
        &mut client,
        &uri,
        "let Recent = 1d;\nDeviceNetworkEvents\n| where ",
        2,
    );
    assert!(has(&after_where, "RemoteIP") && has(&after_where, "Timestamp"));
    assert!(has(&after_where, "Recent"), "the `let` names");
    assert!(has(&after_where, "ago"), "the functions");
    assert!(
        !has(&after_where, "TimeGenerated"),
        "no column of another platform"
    );
    assert!(!has(&after_where, "FileName"), "no column of another table");
    assert!(!has(&after_where, "DeviceNetworkEvents"), "no tables");

    let after_project = complete(
        &mut client,
        &uri,
        "DeviceNetworkEvents\n| project Ip = RemoteIP, DeviceName\n| where ",
        3,
    );
    assert!(has(&after_project, "Ip") && has(&after_project, "DeviceName"));
    assert!(!has(&after_project, "RemoteIP"), "projected away");

    let by = complete(
        &mut client,
        &uri,
        "DeviceNetworkEvents\n| summarize count() by Rem",
        4,
    );
    assert!(
        has(&by, "RemotePort") && has(&by, "make_set"),
        "columns and aggregates"
    );

    let operators = complete(&mut client, &uri, "DeviceNetworkEvents\n| ", 5);
    assert!(
        has(&operators, "where") && has(&operators, "summarize") && has(&operators, "mv-expand")
    );
    assert!(!has(&operators, "RemoteIP"), "no columns after a pipe");

    let tables = complete(&mut client, &uri, "Device", 6);
    assert!(has(&tables, "DeviceNetworkEvents") && has(&tables, "DeviceLogonEvents"));
    assert!(!has(&tables, "SigninLogs"), "a Sentinel table");

    let kinds = complete(&mut client, &uri, "DeviceNetworkEvents\n| join kind=", 7);
    assert!(has(&kinds, "inner") && has(&kinds, "leftanti"));
    assert!(!has(&kinds, "RemoteIP"));

    let inside_join = complete(
        &mut client,
        &uri,
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | where ",
        8,
    );
    assert!(has(&inside_join, "OSPlatform"), "the right side's columns");
    assert!(!has(&inside_join, "RemotePort"), "not the left side's");
    client.shutdown().unwrap();
}

#[test]
fn definition_references_highlights_and_rename_cover_lets_and_parameters() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "let Window = 1d;\nlet Recent = (T: (*), w: timespan) { T | where Timestamp > ago(w) };\nDeviceNetworkEvents\n| invoke Recent(Window)\n| where \"Window\" != Window\n";
    client.open(&uri, text);
    let decl = Range::new(Position::new(0, 4), Position::new(0, 10));
    let use_at = position_of(text, "Window)");
    let definition = client
        .request::<req::GotoDefinition>(GotoDefinitionParams {
            text_document_position_params: at(&uri, use_at),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    assert_eq!(
        definition,
        GotoDefinitionResponse::Scalar(Location::new(uri.clone(), decl))
    );

    let references = client
        .request::<req::References>(ReferenceParams {
            text_document_position: at(&uri, use_at),
            context: ReferenceContext {
                include_declaration: true,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let last_use = text.rfind("Window").unwrap();
    let expected: Vec<Location> = [decl.start, use_at, utf16_position(text, last_use)]
        .into_iter()
        .map(|start| {
            Location::new(
                uri.clone(),
                Range::new(start, Position::new(start.line, start.character + 6)),
            )
        })
        .collect();
    assert_eq!(references, expected);

    let highlights = client
        .request::<req::DocumentHighlightRequest>(DocumentHighlightParams {
            text_document_position_params: at(&uri, decl.start),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    assert_eq!(highlights.len(), 3);

    let rename = client
        .request::<req::Rename>(RenameParams {
            text_document_position: at(&uri, use_at),
            new_name: "Lookback".into(),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    let renamed = apply_edits(text, &rename.changes.unwrap()[&uri]);
    assert_eq!(
        renamed,
        text.replace("let Window", "let Lookback")
            .replace("(Window)", "(Lookback)")
            .replace("!= Window", "!= Lookback")
    );
    assert!(renamed.contains("\"Window\""), "strings are not names");

    // A parameter: its uses in the body, nothing outside.
    let param_use = position_of(text, "w) }");
    let param = client
        .request::<req::References>(ReferenceParams {
            text_document_position: at(&uri, param_use),
            context: ReferenceContext {
                include_declaration: true,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let starts: Vec<Position> = param.iter().map(|l| l.range.start).collect();
    assert_eq!(starts, [position_of(text, "w: timespan"), param_use]);

    let bad = client.raw_request(
        "textDocument/rename",
        serde_json::json!({
            "textDocument": {"uri": uri.as_str()},
            "position": use_at,
            "newName": "not a name",
        }),
    );
    assert!(
        bad.response_result.is_err(),
        "a name KQL does not accept is refused"
    );
    client.shutdown().unwrap();
}

#[test]
fn formatting_gives_the_text_kqlsmith_fmt_writes() {
    let (dir, uri) = project("defender");
    std::fs::write(
        dir.path().join("kqlsmith.toml"),
        "[lint]\nplatform = \"defender\"\n[format]\nindent = 2\nline-width = 40\n",
    )
    .unwrap();
    let mut client = Client::start(None);
    let text = "let  x=1d;DeviceNetworkEvents|where Timestamp>ago(x)// recent\n|summarize arg_max(Timestamp,*),Ports=make_set(RemotePort) by RemoteIP,DeviceName";
    client.open(&uri, text);
    let edits = client
        .request::<req::Formatting>(DocumentFormattingParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    let options = kqlsmith_syntax::format::FormatOptions {
        line_width: 40,
        indent: 2,
    };
    let expected = kqlsmith_syntax::format::format(text, &options).unwrap();
    assert_eq!(apply_edits(text, &edits), expected);
    let ranged = client
        .request::<req::RangeFormatting>(DocumentRangeFormattingParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range: Range::new(Position::new(1, 0), Position::new(1, 3)),
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    assert_eq!(apply_edits(text, &ranged), expected);
    client.shutdown().unwrap();
}

#[test]
fn outline_and_signature_help() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "let Window = 1d;\nlet f = (a: string, b: long) { a };\nDeviceInfo\n| extend x = f(DeviceName, strcat(\"a\", ";
    client.open(&uri, text);
    let symbols = client.request::<req::DocumentSymbolRequest>(DocumentSymbolParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    });
    // The text does not parse yet: no outline, and no failure.
    assert!(
        matches!(&symbols, Some(DocumentSymbolResponse::Nested(s)) if s.is_empty())
            || matches!(&symbols, Some(DocumentSymbolResponse::Flat(s)) if s.is_empty())
    );
    let help = client
        .request::<req::SignatureHelpRequest>(SignatureHelpParams {
            context: None,
            text_document_position_params: at(&uri, utf16_position(text, text.len())),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    assert!(
        help.signatures[0].label.starts_with("strcat("),
        "{:?}",
        help.signatures
    );
    // The second argument of `strcat` is on its repeated `arg`.
    assert_eq!(help.active_parameter, Some(0));
    // A built-in's signature says what the function gives; a `let` function's has no summary.
    assert_eq!(
        help.signatures[0].documentation,
        Some(Documentation::String(
            "Joins its arguments, converted to strings, into one string.".into()
        ))
    );
    let inner = position_of(text, "DeviceName,");
    let help = client
        .request::<req::SignatureHelpRequest>(SignatureHelpParams {
            context: None,
            text_document_position_params: at(&uri, inner),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    assert_eq!(help.signatures[0].label, "f(a, b)");
    assert_eq!(help.active_parameter, Some(0));
    assert_eq!(help.signatures[0].documentation, None);

    let full =
        "let Window = 1d;\nlet f = (a: string) { a };\nDeviceInfo | take 1;\nDeviceInfo | take 2";
    client.change(
        &uri,
        2,
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: full.into(),
        }],
    );
    let Some(DocumentSymbolResponse::Nested(symbols)) = client
        .request::<req::DocumentSymbolRequest>(DocumentSymbolParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
    else {
        panic!("nested symbols")
    };
    let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Window",
            "f",
            "query 1: DeviceInfo | take 1",
            "query 2: DeviceInfo | take 2"
        ]
    );
    client.shutdown().unwrap();
}

#[test]
fn the_platform_comes_from_the_text_without_a_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let uri = client::uri(&dir.path().join("q.kql"));
    let mut client = Client::start(None);
    // `TimeGenerated`: Sentinel, where `DeviceNetworkEvents` has it: nothing to report.
    let p = client.open(
        &uri,
        "DeviceNetworkEvents | where TimeGenerated > ago(1d) | take 5",
    );
    assert_eq!(p.diagnostics, Vec::new());
    let hover = client
        .request::<req::HoverRequest>(HoverParams {
            text_document_position_params: at(&uri, Position::new(0, 2)),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    let HoverContents::Markup(m) = hover.contents else {
        panic!()
    };
    assert!(
        m.value.contains("inferred: it uses `TimeGenerated`"),
        "{}",
        m.value
    );
    client.shutdown().unwrap();
}

#[test]
fn exit_without_shutdown_and_requests_after_shutdown() {
    let mut client = Client::start(None);
    let response = client.raw_request("textDocument/unknownThing", serde_json::json!({}));
    assert_eq!(
        response.response_result.unwrap_err().code,
        lsp_server::ErrorCode::MethodNotFound as i32
    );
    let response = client.raw_request("shutdown", serde_json::Value::Null);
    assert!(response.response_result.is_ok());
    let after = client.raw_request("textDocument/hover", serde_json::json!({}));
    assert_eq!(
        after.response_result.unwrap_err().code,
        lsp_server::ErrorCode::InvalidRequest as i32
    );
}

#[test]
fn semantic_tokens_name_each_kind_in_utf16_positions() {
    let (_dir, uri) = project("sentinel");
    let mut client = Client::start(None);
    let text = "// failed sign-ins\nlet Threshold = 5;\nlet Recent = (span: timespan) { SigninLogs | where TimeGenerated > ago(span) };\nRecent(1d)\n| where UserPrincipalName has \"é😀\" or ResultType == \"50126\"\n| summarize Failures = count() by UserPrincipalName\n| where Failures > Threshold\n";
    client.open(&uri, text);
    let tokens = decoded_tokens(&mut client, &uri, text, None);
    let kind_of = |word: &str| -> Vec<(String, bool)> {
        tokens
            .iter()
            .filter(|(t, _, _)| t == word)
            .map(|(_, kind, declared)| (kind.clone(), *declared))
            .collect()
    };
    let one = |kind: &str, declared| vec![(kind.to_string(), declared)];
    assert_eq!(kind_of("// failed sign-ins"), one("comment", false));
    assert_eq!(kind_of("let").len(), 2);
    assert!(kind_of("let").iter().all(|(k, _)| k == "keyword"));
    assert_eq!(
        kind_of("Threshold"),
        [one("variable", true), one("variable", false)].concat()
    );
    assert_eq!(kind_of("5"), one("number", false));
    assert_eq!(kind_of("1d"), one("number", false));
    assert_eq!(
        kind_of("Recent"),
        [one("function", true), one("function", false)].concat()
    );
    assert_eq!(
        kind_of("span"),
        [one("parameter", true), one("parameter", false)].concat()
    );
    assert_eq!(kind_of("SigninLogs"), one("class", false));
    assert_eq!(kind_of("TimeGenerated"), one("property", false));
    assert_eq!(kind_of("ago"), one("function", false));
    assert_eq!(kind_of("count"), one("function", false));
    assert_eq!(kind_of("summarize"), one("keyword", false));
    assert_eq!(kind_of(">").len(), 2);
    assert!(kind_of(">").iter().all(|(k, _)| k == "operator"));
    assert_eq!(kind_of("\"é😀\""), one("string", false));
    // After the emoji (two UTF-16 units) the positions still land on the names.
    assert_eq!(kind_of("ResultType"), one("property", false));
    assert_eq!(kind_of("\"50126\""), one("string", false));
    assert_eq!(
        kind_of("Failures"),
        [one("property", true), one("property", false)].concat()
    );
    assert_eq!(kind_of("UserPrincipalName").len(), 2);

    // A range gives the tokens of its lines only.
    let last = decoded_tokens(
        &mut client,
        &uri,
        text,
        Some(Range::new(Position::new(6, 0), Position::new(6, 27))),
    );
    let words: Vec<&str> = last.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(words, ["|", "where", "Failures", ">", "Threshold"]);
    client.shutdown().unwrap();
}

#[test]
fn references_rename_and_hover_reach_into_partition_and_scan_bodies() {
    let (_dir, uri) = project("defender");
    let mut client = Client::start(None);
    let text = "let Window = 1d;\nDeviceEvents\n| partition by DeviceId (where Timestamp > ago(Window) | take 1)\n| scan declare (Hits: long) with (step s: Timestamp > ago(Window) => Hits = s.Hits + 1;)\n";
    client.open(&uri, text);
    let in_partition = position_of(text, "Window) | take");
    let references = client
        .request::<req::References>(ReferenceParams {
            text_document_position: at(&uri, in_partition),
            context: ReferenceContext {
                include_declaration: true,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap();
    let starts: Vec<Position> = references.iter().map(|l| l.range.start).collect();
    let in_scan = utf16_position(text, text.rfind("Window").unwrap());
    assert_eq!(
        starts,
        [position_of(text, "Window ="), in_partition, in_scan],
        "the declaration and both uses inside the bodies"
    );

    let rename = client
        .request::<req::Rename>(RenameParams {
            text_document_position: at(&uri, in_scan),
            new_name: "Lookback".into(),
            work_done_progress_params: Default::default(),
        })
        .unwrap();
    let renamed = apply_edits(text, &rename.changes.unwrap()[&uri]);
    assert_eq!(renamed, text.replace("Window", "Lookback"));

    let column = hover_text(
        &mut client,
        &uri,
        position_of(text, "Timestamp > ago(Window) |"),
    );
    assert!(column.contains("`Timestamp`: `datetime`"), "{column}");
    assert!(column.contains("DeviceEvents"), "{column}");
    // Valid: only the warning that the table is read before any time filter of its own.
    let codes: Vec<String> = lint_ranges(text)
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    assert_eq!(codes, ["KQL303"]);
    client.shutdown().unwrap();
}
