//! `parse`, `lint`, `fmt` and `convert` on queries inside Markdown, Sentinel YAML and Defender
//! JSON: positions in the host, the host's platform, edits written back into the host only.

#[path = "support/cli.rs"]
mod cli;

use cli::{kqlsmith, text, write};

/// A Defender query written for Sentinel (`TimeGenerated`) with `<>`: two safe fixes.
const BAD: &str = "DeviceNetworkEvents\n| where TimeGenerated > ago(1d)\n| where InitiatingProcessFileName <> \"x\"\n";

fn markdown(query: &str) -> String {
    format!(
        "# Hunt\n\nSome prose.\n\n1. The query:\n\n   ```kql\n{}   ```\n\nMore prose.\n",
        query
            .lines()
            .map(|l| format!("   {l}\n"))
            .collect::<String>()
    )
}

fn defender_json(query: &str) -> String {
    format!(
        "{{\n  \"displayName\": \"x\",\n  \"queryCondition\": {{\n    \"queryText\": {}\n  }}\n}}\n",
        serde_json::to_string(query).unwrap()
    )
}

#[test]
fn lint_json_findings_carry_the_host_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hunt.md", markdown(BAD));
    write(dir.path(), "rule.json", defender_json(BAD));
    let out = kqlsmith(
        dir.path(),
        &["lint", "--format", "json", "--platform", "defender", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let where_ = |file: &str, code: &str| {
        let d = findings
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["file"] == file && d["code"] == code)
            .unwrap_or_else(|| panic!("{file} {code}: {findings:#}"));
        (
            d["start"]["line"].as_u64().unwrap(),
            d["start"]["column"].as_u64().unwrap(),
        )
    };
    // Markdown: line 9 of the file, after the list's three spaces and `| where `.
    assert_eq!(where_("./hunt.md", "KQL401"), (9, 12));
    // JSON: all on line 4; the column counts the escapes as the editor shows them.
    let json = defender_json(BAD);
    let line = json.lines().nth(3).unwrap();
    let column = line.find("TimeGenerated").unwrap() as u64 + 1;
    assert_eq!(where_("./rule.json", "KQL401"), (4, column));
}

#[test]
fn the_host_names_the_platform_and_human_output_shows_the_host_line() {
    let dir = tempfile::tempdir().unwrap();
    // A Sentinel rule: `TimeGenerated` is right there, whatever --platform says.
    let yaml = "id: 1\nquery: |\n  SigninLogs\n  | where TimeGenerated > ago(1d)\n  | where NoSuchColumn == 1\n";
    write(dir.path(), "rule.yaml", yaml);
    let out = kqlsmith(dir.path(), &["lint", "--platform", "defender", "rule.yaml"]);
    let shown = text(&out.stdout);
    assert!(!shown.contains("KQL401"), "{shown}");
    assert!(shown.contains("rule.yaml:5:11"), "{shown}");
    assert!(shown.contains("  | where NoSuchColumn == 1"), "{shown}");
}

#[test]
fn fix_and_fmt_rewrite_only_the_query_inside_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let md = write(dir.path(), "hunt.md", markdown(BAD));
    let json = write(dir.path(), "rule.json", defender_json(BAD));
    let out = kqlsmith(
        dir.path(),
        &["lint", "--platform", "defender", "--fix", "."],
    );
    assert!(
        text(&out.stdout).contains("applied 2 fixes"),
        "{}",
        text(&out.stdout)
    );
    let fixed = "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where InitiatingProcessFileName != \"x\"\n";
    assert_eq!(std::fs::read_to_string(&md).unwrap(), markdown(fixed));
    // The query keeps its own final line break.
    assert_eq!(
        std::fs::read_to_string(&json).unwrap(),
        defender_json(fixed)
    );

    // One line, formatted back into the fence and the string; a second run changes nothing.
    // Without a final line break in the JSON string, the formatted query has none either.
    let one_line = "DeviceNetworkEvents|where Timestamp>ago(1d)|take 10";
    write(dir.path(), "hunt.md", markdown(one_line));
    write(dir.path(), "rule.json", defender_json(one_line));
    let out = kqlsmith(dir.path(), &["fmt", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| take 10\n";
    assert_eq!(std::fs::read_to_string(&md).unwrap(), markdown(formatted));
    assert_eq!(
        std::fs::read_to_string(&json).unwrap(),
        defender_json(formatted.trim_end())
    );
    let again = kqlsmith(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

#[test]
fn parse_json_prints_one_object_a_query_with_host_positions() {
    let dir = tempfile::tempdir().unwrap();
    let md = "# Two\n\n```kql\nT | take 1\n```\n\n~~~Kusto\nT\n| where\n~~~\n";
    write(dir.path(), "two.md", md);
    let out = kqlsmith(dir.path(), &["parse", "--format", "json", "two.md"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["file"], "two.md");
    assert_eq!(lines[0]["line"], 4);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[1]["line"], 8);
    assert_eq!(lines[1]["ok"], false);
    // The query ends too early: the error is at its end, the line of the closing fence.
    assert_eq!(lines[1]["errors"][0]["line"], 10);
    assert_eq!(lines[1]["errors"][0]["column"], 1);
}

#[test]
fn convert_in_place_changes_the_queries_of_a_markdown_hunt() {
    let dir = tempfile::tempdir().unwrap();
    let query = "DeviceLogonEvents // last day\n| where Timestamp > ago(1d)\n";
    let path = write(dir.path(), "hunt.md", markdown(query));
    let out = kqlsmith(
        dir.path(),
        &[
            "convert",
            "--to",
            "sentinel",
            "--from",
            "defender",
            "--in-place",
            "hunt.md",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        markdown("DeviceLogonEvents // last day\n| where TimeGenerated > ago(1d)\n")
    );
}

#[test]
fn a_bad_host_file_is_an_error_for_that_file_only_and_others_are_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "id: 1\nquery: |\n  T\n bad: [\n";
    write(dir.path(), "broken.yaml", broken);
    write(
        dir.path(),
        "not-a-string.json",
        "{\"queryCondition\": {\"queryText\": [1]}}",
    );
    write(dir.path(), "package.json", "{\"name\": \"x\"}");
    write(
        dir.path(),
        "notes.md",
        "# No KQL here\n\n```powershell\nGet-Date\n```\n",
    );
    let hunt = write(dir.path(), "hunt.md", markdown("DeviceLogonEvents|take 1"));
    let out = kqlsmith(dir.path(), &["fmt", "."]);
    assert_eq!(out.status.code(), Some(2));
    let errors = text(&out.stderr);
    assert!(errors.contains("broken.yaml: not valid YAML"), "{errors}");
    assert!(
        errors.contains("not-a-string.json: `queryCondition.queryText` is not a string (line 1)"),
        "{errors}"
    );
    assert!(
        !errors.contains("package.json") && !errors.contains("notes.md"),
        "{errors}"
    );
    // The good file was still formatted; the broken one kept its bytes.
    assert_eq!(
        std::fs::read_to_string(hunt).unwrap(),
        markdown("DeviceLogonEvents\n| take 1\n")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.yaml")).unwrap(),
        broken
    );
}

#[test]
fn suppression_comments_and_per_file_ignores_work_inside_hosts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kqlsmith.toml",
        "[lint]\nplatform = \"defender\"\n\n[lint.per-file-ignores]\n\"legacy/*.md\" = [\"KQL402\"]\n",
    );
    let suppressed =
        "DeviceNetworkEvents\n| where TimeGenerated > ago(1d) // kqlsmith: ignore KQL401\n";
    write(dir.path(), "hunt.md", markdown(suppressed));
    write(
        dir.path(),
        "legacy/old.md",
        markdown("DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where RemoteIP <> \"x\"\n"),
    );
    let out = kqlsmith(dir.path(), &["lint", "--format", "json", "."]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings.as_array().unwrap().len(), 0, "{findings:#}");
    assert_eq!(out.status.code(), Some(0));
}

/// A hunt with `query` in a fence without a language tag, and a shell fence.
fn untagged(query: &str) -> String {
    format!("# Hunt\n\n```\n{query}\n```\n\n```sh\nls -la\n```\n")
}

#[test]
fn untagged_fences_are_read_as_kql_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let hunt = write(dir.path(), "hunt.md", untagged(BAD.trim_end()));
    let out = kqlsmith(dir.path(), &["parse", "hunt.md"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    let out = kqlsmith(
        dir.path(),
        &["parse", "--untagged-fences", "kql", "hunt.md"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hunt.md:4: ok (```)\n");

    // Without the option, --fix has nothing to fix; with it, the fence is fixed in place
    // and read back with the same option.
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", "--platform", "defender", "--fix"];
        args.extend(extra);
        args.push("hunt.md");
        kqlsmith(dir.path(), &args)
    };
    let out = lint(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        std::fs::read_to_string(&hunt).unwrap(),
        untagged(BAD.trim_end())
    );
    let out = lint(&["--untagged-fences=kql"]);
    assert!(
        text(&out.stdout).contains("applied 2 fixes"),
        "{}",
        text(&out.stdout)
    );
    let fixed = "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where InitiatingProcessFileName != \"x\"";
    assert_eq!(std::fs::read_to_string(&hunt).unwrap(), untagged(fixed));

    let one_line = "DeviceNetworkEvents|where Timestamp>ago(1d)|take 10";
    write(dir.path(), "hunt.md", untagged(one_line));
    let out = kqlsmith(dir.path(), &["fmt", "--check", "hunt.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = kqlsmith(dir.path(), &["fmt", "--untagged-fences", "kql", "hunt.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| take 10";
    assert_eq!(std::fs::read_to_string(&hunt).unwrap(), untagged(formatted));

    let out = kqlsmith(
        dir.path(),
        &[
            "convert",
            "--from",
            "defender",
            "--to",
            "sentinel",
            "--untagged-fences",
            "kql",
            "hunt.md",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        untagged(&formatted.replace("Timestamp", "TimeGenerated"))
    );
}

#[test]
fn help_explains_the_untagged_fences_option() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["parse", "lint", "fmt", "convert"] {
        let out = kqlsmith(dir.path(), &[command, "--help"]);
        let help = text(&out.stdout);
        assert!(help.contains("--untagged-fences <AS>"), "{command}: {help}");
        assert!(
            help.contains("Markdown code fences without a language tag"),
            "{command}: {help}"
        );
        assert!(help.contains("[default: skip]"), "{command}: {help}");
    }
}
