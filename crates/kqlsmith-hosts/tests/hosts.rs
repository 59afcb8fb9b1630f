//! Reading queries out of real-shaped host files, mapping their positions, and writing them
//! back: byte-exact outside the queries, still loading to the same keys.

use std::path::Path;

use kqlsmith_hosts::{HostError, HostFile, HostKind, ReadOptions};

fn fixture(name: &str) -> (HostKind, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let kind = HostKind::from_path(&path).expect("a host extension");
    (
        kind,
        std::fs::read_to_string(path).expect("fixture is readable"),
    )
}

fn read(name: &str) -> HostFile {
    let (kind, text) = fixture(name);
    HostFile::read(kind, &text, &ReadOptions::default()).expect("fixture reads")
}

const FIXTURES: [&str; 6] = [
    "hunt.md",
    "analytic-rule.yaml",
    "parser.yaml",
    "function.yml",
    "arm-template.json",
    "defender-rule.json",
];

#[test]
fn each_host_gives_its_queries_with_key_and_platform() {
    let summary = |name: &str| {
        read(name)
            .queries()
            .iter()
            .map(|q| (q.key.clone(), q.platform))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        summary("hunt.md"),
        [
            ("KQL".to_string(), None),
            ("kusto".to_string(), None),
            ("kql".to_string(), None)
        ]
    );
    assert_eq!(
        summary("analytic-rule.yaml"),
        [("query".to_string(), Some("sentinel"))]
    );
    assert_eq!(
        summary("parser.yaml"),
        [("ParserQuery".to_string(), Some("sentinel"))]
    );
    assert_eq!(
        summary("function.yml"),
        [("FunctionQuery".to_string(), Some("sentinel"))]
    );
    // The third resource's query is an ARM expression, not KQL.
    assert_eq!(
        summary("arm-template.json"),
        [
            (
                "resources[0].properties.query".to_string(),
                Some("sentinel")
            ),
            (
                "resources[1].properties.query".to_string(),
                Some("sentinel")
            )
        ]
    );
    assert_eq!(
        summary("defender-rule.json"),
        [("queryCondition.queryText".to_string(), Some("defender"))]
    );
}

#[test]
fn queries_read_as_their_hosts_parsers_read_them() {
    let md = read("hunt.md");
    assert_eq!(
        md.queries()[1].text,
        "SigninLogs\n| where TimeGenerated > ago(1d)\n| take 10\n"
    );
    assert_eq!(md.queries()[2].text, "DeviceLogonEvents\n| take 5\n");
    let parser = read("parser.yaml");
    // `|-`: no final line break; the deeper line keeps its extra indentation.
    assert_eq!(
        parser.queries()[0].text,
        "let Lookback = 1d;\nSigninLogs\n| where TimeGenerated > ago(Lookback)\n    | take 100"
    );
    assert_eq!(
        read("function.yml").queries()[0].text,
        r#"SigninLogs | where UserPrincipalName == "admin@contoso.com" | take 10"#
    );
    let arm = read("arm-template.json");
    assert_eq!(
        arm.queries()[1].text,
        "DeviceLogonEvents | where DeviceName == \"caf\u{e9}\" | take 5"
    );
    assert!(
        read("defender-rule.json").queries()[0]
            .text
            .contains("\r\n| where")
    );
}

/// Every character of every query maps to the host character the user sees for it: the same
/// character, or the backslash of the escape that spells it.
#[test]
fn every_query_character_maps_to_its_host_character() {
    for name in FIXTURES {
        let host = read(name);
        for query in host.queries() {
            for (offset, c) in query.text.char_indices() {
                let at = query.to_host(offset);
                let shown = host.text()[at..].chars().next().unwrap();
                let escaped =
                    shown == '\\' && matches!(host.kind(), HostKind::Json | HostKind::Yaml);
                assert!(
                    shown == c || escaped,
                    "{name} `{}`: query byte {offset} {c:?} maps to {shown:?}",
                    query.key
                );
                if shown == c {
                    assert_eq!(query.to_query(at), Some(offset), "{name}: back from {at}");
                }
            }
        }
    }
}

#[test]
fn positions_are_host_lines_and_columns() {
    let md = read("hunt.md");
    let take = md.queries()[1].text.find("take").unwrap();
    // Line 29 of the file, after the list item's three spaces and `| `.
    assert_eq!(md.position(md.queries()[1].to_host(take)), (29, 6));
    let quoted = md.queries()[2].text.find("take").unwrap();
    assert_eq!(md.position(md.queries()[2].to_host(quoted)), (36, 5));

    let parser = read("parser.yaml");
    let take = parser.queries()[0].text.find("take").unwrap();
    assert_eq!(parser.position(parser.queries()[0].to_host(take)), (9, 11));

    let arm = read("arm-template.json");
    let location = arm.queries()[0].text.find("Location").unwrap();
    let (line, column) = arm.position(arm.queries()[0].to_host(location));
    assert_eq!(line, 17);
    let host_line = arm.text().lines().nth(16).unwrap();
    assert_eq!(
        host_line
            .chars()
            .skip(column - 1)
            .take(8)
            .collect::<String>(),
        "Location"
    );
    // After an escape (`\u00e9` is one character of the query), columns still count what the
    // editor shows.
    let take = arm.queries()[1].text.find("take").unwrap();
    let (line, column) = arm.position(arm.queries()[1].to_host(take));
    let host_line = arm.text().lines().nth(line - 1).unwrap();
    assert_eq!(
        host_line
            .chars()
            .skip(column - 1)
            .take(4)
            .collect::<String>(),
        "take"
    );
    assert_eq!(
        arm.offset(line, column),
        Some(arm.queries()[1].to_host(take))
    );
}

/// Rewrites every query with `edit`, and checks that nothing outside the queries changed
/// and that the new file reads back with the new queries.
fn rewrite_all(name: &str, edit: impl Fn(&str) -> String) -> (HostFile, String) {
    let host = read(name);
    let replacements: Vec<(usize, String)> = host
        .queries()
        .iter()
        .enumerate()
        .map(|(i, q)| (i, edit(&q.text)))
        .collect();
    let written = host.rewrite(&replacements).expect("rewrite");
    let reread = HostFile::read(host.kind(), &written, &ReadOptions::default()).unwrap();
    assert_eq!(reread.queries().len(), host.queries().len(), "{name}");
    // Outside the queries' host text, every byte is as it was.
    let outside = |file: &HostFile| {
        let mut parts = Vec::new();
        let mut at = 0;
        for q in file.queries() {
            parts.push(file.text()[at..q.host_range().start].to_string());
            at = q.host_range().end;
        }
        parts.push(file.text()[at..].to_string());
        parts
    };
    assert_eq!(
        outside(&host),
        outside(&reread),
        "{name}: bytes outside the queries"
    );
    (reread, written)
}

#[test]
fn formatted_queries_go_back_byte_exact_outside_and_a_second_run_changes_nothing() {
    let options = kqlsmith_syntax::format::FormatOptions::default();
    let format = |q: &str| kqlsmith_syntax::format::format(q, &options).expect("formats");
    for name in FIXTURES {
        let (once, written) = rewrite_all(name, format);
        for q in once.queries() {
            let formatted = format(&q.text);
            assert_eq!(
                q.text.trim_end().replace("\r\n", "\n"),
                formatted.trim_end(),
                "{name}: `{}` reads back formatted",
                q.key
            );
        }
        let replacements: Vec<_> = once
            .queries()
            .iter()
            .enumerate()
            .map(|(i, q)| (i, format(&q.text)))
            .collect();
        assert_eq!(
            once.rewrite(&replacements).unwrap(),
            written,
            "{name}: second run"
        );
    }
}

#[test]
fn yaml_and_json_load_to_the_same_keys_after_a_rewrite() {
    let edit = |q: &str| format!("{}\n| take 1\n", q.trim_end());
    for name in ["analytic-rule.yaml", "parser.yaml", "function.yml"] {
        let (_, text) = fixture(name);
        let (reread, written) = rewrite_all(name, edit);
        let before: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let mut after: serde_norway::Value = serde_norway::from_str(&written).unwrap();
        let key = &reread.queries()[0].key;
        let new = after[key.as_str()].as_str().unwrap().to_string();
        assert!(
            new.ends_with("| take 1") || new.ends_with("| take 1\n"),
            "{name}: {new:?}"
        );
        assert_eq!(new, reread.queries()[0].text, "{name}");
        after[key.as_str()] = before[key.as_str()].clone();
        assert_eq!(before, after, "{name}: every other key as it was");
    }
    let (_, text) = fixture("defender-rule.json");
    let (_, written) = rewrite_all("defender-rule.json", edit);
    let before: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut after: serde_json::Value = serde_json::from_str(&written).unwrap();
    let query = after["queryCondition"]["queryText"].as_str().unwrap();
    // The query's own line breaks (CRLF, as escapes in the string) are kept.
    assert!(query.ends_with("RemoteIP\r\n| take 1"), "{query:?}");
    after["queryCondition"]["queryText"] = before["queryCondition"]["queryText"].clone();
    assert_eq!(before, after);
}

#[test]
fn yaml_queries_that_need_a_leading_space_or_a_hash_still_round_trip() {
    for name in ["analytic-rule.yaml", "parser.yaml", "function.yml"] {
        for new in [
            "  T // a leading space\n| take 1\n",
            "T // # not a YAML comment\n| where A == '#'\n",
            "print '#', \"\\\"\", ': x'",
        ] {
            let host = read(name);
            let written = host.rewrite(&[(0, new.to_string())]).expect(name);
            let value: serde_norway::Value = serde_norway::from_str(&written).unwrap();
            let key = &host.queries()[0].key;
            let read_back = value[key.as_str()].as_str().unwrap();
            assert_eq!(read_back.trim_end(), new.trim_end(), "{name}:\n{written}");
        }
    }
}

#[test]
fn line_endings_and_byte_order_marks_are_kept() {
    let (_, text) = fixture("hunt.md");
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let host = HostFile::read(HostKind::Markdown, &crlf, &ReadOptions::default()).unwrap();
    assert_eq!(host.queries().len(), 3);
    let written = host
        .rewrite(&[(1, "SigninLogs\n| take 10\n".to_string())])
        .unwrap();
    assert!(written.starts_with('\u{feff}'));
    assert!(written.contains("   ~~~~kusto\r\n   SigninLogs\r\n   | take 10\r\n   ~~~~\r\n"));
    assert!(!written.replace("\r\n", "").contains('\n'));

    let (_, yaml) = fixture("analytic-rule.yaml");
    let crlf = yaml.replace('\n', "\r\n");
    let host = HostFile::read(HostKind::Yaml, &crlf, &ReadOptions::default()).unwrap();
    let written = host.rewrite(&[(0, "T\n| take 1\n".to_string())]).unwrap();
    assert!(written.contains("query: |\r\n  T\r\n  | take 1\r\nentityMappings:"));
}

#[test]
fn untagged_fences_are_read_only_when_asked() {
    let (_, text) = fixture("hunt.md");
    let options = ReadOptions {
        untagged_fences: true,
    };
    let host = HostFile::read(HostKind::Markdown, &text, &options).unwrap();
    assert_eq!(host.queries().len(), 4);
    assert_eq!(
        host.queries()[1].text,
        "untagged fence, left alone by default\n"
    );
}

#[test]
fn json_is_a_host_by_what_its_reader_looks_for_even_when_malformed() {
    let json = |text: &str| HostKind::recognise(Path::new("x.json"), text);
    for name in FIXTURES {
        let (kind, text) = fixture(name);
        assert_eq!(
            HostKind::recognise(Path::new(name), &text),
            Some(kind),
            "{name}"
        );
    }
    let hosts = [
        // A broken ARM template: a trailing comma, and one cut off after its schema.
        "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",}",
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#\",\n  \"resources\": [",
        // A Sentinel rule as the API returns it, no template around it.
        "{\"type\": \"Microsoft.SecurityInsights/alertRules\", \"properties\": {}}",
        "[{\"type\": \"Microsoft.OperationalInsights/workspaces/SavedSearches\"}]",
        // A Defender XDR rule, in a list, behind a comment; and a broken one.
        "// rules\n{\"value\": [{\"queryCondition\": {\"queryText\": \"T\"}}]}",
        "\u{feff}{\"queryCondition\" /* c */ : {\"queryText\": \"T\" \"x\"}",
    ];
    for text in hosts {
        assert_eq!(json(text), Some(HostKind::Json), "{text}");
    }
    let others = [
        // An editor's settings: comments and trailing commas.
        "{\n  // editor\n  \"files.exclude\": {\"**/.git\": true,},\n}\n",
        "{\"name\": \"x\", \"description\": \"queryCondition\", \"type\": \"module\"}",
        "{\"$schema\": \"https://json.schemastore.org/tsconfig\"}",
        // Parameters of a deployment are not a template.
        "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#\"}",
        // A value named like a key is not one.
        "[\"queryCondition\", \"type\", \"alertRules\"]",
        // A string left open swallows what follows it.
        "{\"a\": \"unclosed, \"queryCondition\": {}}",
        "",
        "not json at all",
    ];
    for text in others {
        assert_eq!(json(text), None, "{text}");
    }
    assert_eq!(
        HostKind::recognise(Path::new("notes.md"), ""),
        Some(HostKind::Markdown)
    );
    assert_eq!(HostKind::recognise(Path::new("q.kql"), "{}"), None);
}

#[test]
fn bad_hosts_are_errors_that_say_where() {
    let error = |kind, text: &str| HostFile::read(kind, text, &ReadOptions::default()).unwrap_err();
    assert!(matches!(
        error(HostKind::Yaml, "id: 1\nquery: \"unclosed\nname: x\n"),
        HostError::Syntax {
            kind: HostKind::Yaml,
            line: 2,
            column: 8,
            ..
        }
    ));
    assert_eq!(
        error(HostKind::Yaml, "id: 1\nquery:\n  a: b\n"),
        HostError::NotAString {
            key: "query".into(),
            line: 3
        }
    );
    assert_eq!(
        error(HostKind::Yaml, "id: 1\nquery: [T, T2]\n"),
        HostError::NotAString {
            key: "query".into(),
            line: 2
        }
    );
    assert!(matches!(
        error(HostKind::Yaml, "query: 42\n"),
        HostError::NotAString { line: 1, .. }
    ));
    // A tab where a block scalar's indentation should be.
    let tabs = error(HostKind::Yaml, "query: |\n\tT\n\t| take 1\n");
    assert!(
        matches!(tabs, HostError::Syntax { line: 1, .. }),
        "{tabs:?}"
    );
    assert!(tabs.to_string().contains("tab"), "{tabs}");
    assert!(matches!(
        error(
            HostKind::Json,
            "{\n  \"queryCondition\": {\"queryText\": \"T\",}\n}"
        ),
        HostError::Syntax {
            kind: HostKind::Json,
            line: 2,
            ..
        }
    ));
    assert_eq!(
        error(HostKind::Json, "{\"queryCondition\": {\"queryText\": 7}}"),
        HostError::NotAString {
            key: "queryCondition.queryText".into(),
            line: 1
        }
    );
    let big = " ".repeat(kqlsmith_hosts::MAX_HOST_BYTES as usize + 1);
    assert!(matches!(
        error(HostKind::Json, &big),
        HostError::TooLarge { .. }
    ));
    // A file without query keys has no queries and is no error.
    let none = HostFile::read(HostKind::Json, "{\"name\": \"x\"}", &ReadOptions::default());
    assert!(none.unwrap().queries().is_empty());
}

#[test]
fn a_rewrite_that_would_not_parse_or_read_back_writes_nothing() {
    let host = read("analytic-rule.yaml");
    let error = host.rewrite(&[(0, "T | where".to_string())]).unwrap_err();
    assert!(error.to_string().contains("does not parse"), "{error}");
    // A line that would close the Markdown fence cannot go inside it.
    let md = read("hunt.md");
    let error = md
        .rewrite(&[(0, "T\n```\n| take 1\n".to_string())])
        .unwrap_err();
    assert!(matches!(error, HostError::Rewrite { .. }), "{error}");
}

/// Each YAML scalar style Sentinel content uses, with what YAML reads from it.
const YAML_STYLES: [&str; 9] = [
    "query: |\n  T\n  | take 1\nnext: 1\n",
    "query: |+\n  T\n  | take 1\n\n\nnext: 1\n",
    "query: >\n  T\n  | take 1\n\n  | count\nnext: 1\n",
    "query: >-\n  T\n  | take 1\nnext: 1\n",
    "query: |4\n      T\n    | take 1\nnext: 1\n",
    "query: T\n  | take 1\nnext: 1\n",
    "query: 'T\n  | where A == ''x'''\nnext: 1\n",
    "query: \"T\\n| where A == \\\"x\\u00e9\\\"\"\nnext: 1\n",
    "id: 1\nquery: | # the query\n  T\n\n  | take 1\nnext: 1\n",
];

#[test]
fn every_yaml_style_reads_maps_and_writes_back_as_yaml_reads_it() {
    for yaml in YAML_STYLES {
        let host = HostFile::read(HostKind::Yaml, yaml, &ReadOptions::default()).unwrap();
        let expected: serde_norway::Value = serde_norway::from_str(yaml).unwrap();
        let query = &host.queries()[0];
        assert_eq!(query.text, expected["query"].as_str().unwrap(), "{yaml}");
        // Every character maps to itself, to the backslash of its escape or, for a folded
        // line break, to the line break it folds.
        for (offset, c) in query.text.char_indices() {
            let shown = host.text()[query.to_host(offset)..].chars().next().unwrap();
            let folded = c == ' ' && shown == '\n';
            let doubled = c == '\'' && shown == '\'';
            assert!(
                shown == c || shown == '\\' || folded || doubled,
                "{yaml:?} {offset}: {c:?} at {shown:?}"
            );
        }
        for new in ["T\n| where A == 'x'\n| take 1\n", "  T // # x\n| take 1"] {
            let written = host.rewrite(&[(0, new.to_string())]).unwrap();
            let mut after: serde_norway::Value = serde_norway::from_str(&written).unwrap();
            let read_back = after["query"].as_str().unwrap().to_string();
            assert_eq!(
                read_back.trim_end(),
                new.trim_end(),
                "{yaml:?} became {written:?}"
            );
            // The query keeps its own final line breaks.
            let breaks = |s: &str| s.len() - s.trim_end_matches('\n').len();
            assert_eq!(breaks(&read_back), breaks(&query.text), "{written:?}");
            after["query"] = expected["query"].clone();
            assert_eq!(after, expected, "{written:?}: other keys");
            assert!(written.ends_with("next: 1\n"), "{written:?}");
        }
    }
}

#[test]
fn every_document_of_a_yaml_file_gives_its_query() {
    let yaml = "query: |\n  T\n---\nname: x\n---\nFunctionQuery: U | take 1\n";
    let host = HostFile::read(HostKind::Yaml, yaml, &ReadOptions::default()).unwrap();
    let texts: Vec<_> = host.queries().iter().map(|q| q.text.as_str()).collect();
    assert_eq!(texts, ["T\n", "U | take 1"]);
}

#[test]
fn json_strings_keep_the_unicode_escapes_they_were_written_with() {
    // ARM exports spell `'` as `\u0027`; this one also spells `é` so.
    let json = r#"{"type": "Microsoft.SecurityInsights/alertRules", "properties": {"query": "T | where A == \u0027caf\u00e9\u0027|take 1"}}"#;
    let host = HostFile::read(HostKind::Json, json, &ReadOptions::default()).unwrap();
    assert_eq!(host.queries()[0].text, "T | where A == 'café'|take 1");
    let written = host
        .rewrite(&[(0, "T\n| where A == 'café'\n| take 1\n".to_string())])
        .unwrap();
    assert_eq!(
        written,
        r#"{"type": "Microsoft.SecurityInsights/alertRules", "properties": {"query": "T\n| where A == \u0027caf\u00e9\u0027\n| take 1"}}"#
    );
}
