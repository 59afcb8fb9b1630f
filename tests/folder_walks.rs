//! Folder walks of `parse`, `lint`, `fmt` and `convert`: an entry that cannot be read (a
//! dangling link, a link loop) is an error for that path, every other file is still processed,
//! and the run ends with status 2. `.kql` is matched in any case. Hidden files and folders are
//! passed over unless named, and so is a `.json` file that is not recognisably a rule.

#[path = "support/cli.rs"]
mod cli;
use cli::{kqlsmith, text, write};

/// `q/` with two queries (one named in upper case), a dangling link and two loops.
#[cfg(unix)]
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "q/a.kql", "DeviceProcessEvents|take 1\n");
    write(dir.path(), "q/sub/B.KQL", "DeviceProcessEvents|take 2\n");
    let link = |name: &str, to: &str| {
        std::os::unix::fs::symlink(to, dir.path().join("q").join(name)).unwrap()
    };
    link("dangling.kql", "missing.kql");
    link("self.kql", "self.kql");
    link("sub/up", "..");
    dir
}

#[cfg(unix)]
fn assert_bad_entries_named(stderr: &str) {
    assert!(
        stderr.contains("q/dangling.kql: a symbolic link to a file or folder that does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("q/self.kql: cannot read it"), "{stderr}");
    assert!(
        stderr.contains("q/sub/up: a symbolic link loop"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn parse_reports_the_bad_entries_and_every_other_file() {
    let dir = folder();
    let out = kqlsmith(dir.path(), &["parse", "q"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "q/a.kql: ok\nq/sub/B.KQL: ok\n");
    assert_bad_entries_named(&text(&out.stderr));
}

#[cfg(unix)]
#[test]
fn lint_reports_the_bad_entries_and_lints_every_other_file() {
    let dir = folder();
    let out = kqlsmith(
        dir.path(),
        &["lint", "--platform", "defender", "--format", "json", "q"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    // Both files are linted: each has a table scanned without a time filter.
    assert!(stdout.contains("q/a.kql"), "{stdout}");
    assert!(stdout.contains("q/sub/B.KQL"), "{stdout}");
    assert_bad_entries_named(&text(&out.stderr));
}

#[cfg(unix)]
#[test]
fn fmt_and_convert_process_every_other_file() {
    let dir = folder();
    let out = kqlsmith(dir.path(), &["fmt", "q"]);
    assert_eq!(out.status.code(), Some(2));
    assert_bad_entries_named(&text(&out.stderr));
    for file in ["q/a.kql", "q/sub/B.KQL"] {
        let formatted = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(formatted.contains("\n| take "), "{file}: {formatted}");
    }
    write(
        dir.path(),
        "q/a.kql",
        "DeviceProcessEvents\n| where Timestamp > ago(1d)\n",
    );
    let out = kqlsmith(
        dir.path(),
        &[
            "convert",
            "--from",
            "defender",
            "--to",
            "sentinel",
            "--in-place",
            "q",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_bad_entries_named(&stderr);
    assert!(stderr.contains("3 errors"), "{stderr}");
    let converted = std::fs::read_to_string(dir.path().join("q/a.kql")).unwrap();
    assert!(converted.contains("TimeGenerated"), "{converted}");
}

/// A detection repository: one query and one Defender XDR rule, beside files that are not
/// hosts (an editor's settings with comments and trailing commas, a `package.json`, a JSON
/// Schema) and hidden folders with files that would be errors if read.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "repo/hunts/a.kql",
        "DeviceProcessEvents|where Timestamp > ago(1d)\n",
    );
    write(
        dir.path(),
        "repo/rules/rule.json",
        "{\n  // a Defender XDR custom detection\n  \"displayName\": \"x\",\n  \"queryCondition\": {\"queryText\": \"DeviceProcessEvents|where Timestamp > ago(1d)\"}\n}\n",
    );
    write(
        dir.path(),
        "repo/.vscode/settings.json",
        "{\n  // the editor's\n  \"files.exclude\": {\"**/.git\": true,},\n}\n",
    );
    write(
        dir.path(),
        "repo/package.json",
        "{\"name\": \"detections\", \"private\": true,}\n",
    );
    write(
        dir.path(),
        "repo/schema.json",
        "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"}",
    );
    write(dir.path(), "repo/.git/hooks/x.kql", "where where\n");
    write(dir.path(), "repo/.draft.kql", "where where\n");
    dir
}

#[test]
fn walks_pass_over_hidden_files_and_json_that_holds_no_rule() {
    let dir = repository();
    let out = kqlsmith(dir.path(), &["parse", "repo"]);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "repo/hunts/a.kql: ok\nrepo/rules/rule.json:4: ok (queryCondition.queryText)\n"
    );
    assert_eq!(out.status.code(), Some(0));
    let out = kqlsmith(
        dir.path(),
        &["lint", "--platform", "defender", "--format", "json", "repo"],
    );
    assert_eq!(text(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = kqlsmith(dir.path(), &["fmt", "--check", "repo"]);
    assert_eq!(
        text(&out.stdout),
        "repo/hunts/a.kql\nrepo/rules/rule.json\n"
    );
    assert!(
        text(&out.stderr).contains("2 files would be reformatted"),
        "{}",
        text(&out.stderr)
    );
    // One query file in the folder: printed, as a single file is.
    let out = kqlsmith(
        dir.path(),
        &[
            "convert",
            "--from",
            "defender",
            "--to",
            "sentinel",
            "repo/hunts",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("TimeGenerated"));
    // Named on the command line, a hidden file or folder is read.
    let out = kqlsmith(dir.path(), &["parse", "repo/.draft.kql", "repo/.git"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("repo/.draft.kql:1:"), "{stdout}");
    assert!(stdout.contains("repo/.git/hooks/x.kql:1:"), "{stdout}");
}

#[test]
fn a_json_file_named_that_is_no_rule_is_an_error_saying_so() {
    let dir = repository();
    for command in ["parse", "lint", "fmt"] {
        let out = kqlsmith(dir.path(), &[command, "repo/package.json", "repo/hunts"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(
                "error: repo/package.json: not a JSON file kqlsmith reads queries from: it reads \
                 an ARM deployment template"
            ),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("`queryCondition`"), "{command}: {stderr}");
    }
    let out = kqlsmith(
        dir.path(),
        &["convert", "--to", "sentinel", "repo/.vscode/settings.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("repo/.vscode/settings.json: not a JSON file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_broken_rule_met_in_a_walk_is_an_error_with_its_place() {
    let dir = repository();
    let template = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [\n    {\"type\": \"Microsoft.SecurityInsights/alertRules\",\n     \"properties\": {\"query\": \"DeviceProcessEvents\",}}\n  ]\n}\n";
    write(dir.path(), "repo/rules/arm.json", template);
    let out = kqlsmith(dir.path(), &["parse", "repo"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: repo/rules/arm.json: not valid JSON: Trailing commas are not allowed (line 5, \
         column 51)\n"
    );
    // The other files are still read.
    assert!(text(&out.stdout).contains("repo/hunts/a.kql: ok"));
    let out = kqlsmith(dir.path(), &["fmt", "repo"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("repo/rules/arm.json")).unwrap(),
        template
    );
}
