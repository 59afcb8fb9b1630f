//! `kqlsmith lint` and `kqlsmith rules` as a user runs them: output formats, exit codes,
//! configuration, suppression comments and `--fix`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch folder for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kqlsmith-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn kqlsmith(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

const BAD: &str = "DeviceNetworkEvents\n| where TimeGenerated > ago(1d)\n| where InitiatingProcessFileName <> \"x\"\n";
const CLEAN: &str =
    "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where RemotePort == 3389\n";

#[test]
fn human_output_shows_the_line_the_caret_the_fix_and_a_summary() {
    let dir = Scratch::new("human");
    dir.write("q.kql", BAD);
    let out = kqlsmith(&dir.0, &["lint", "--platform", "defender", "q.kql"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("error[KQL401]"), "{text}");
    assert!(text.contains("q.kql:2:9"), "{text}");
    assert!(text.contains("| where TimeGenerated > ago(1d)"), "{text}");
    assert!(text.contains("^^^^^^^^^^^^^ foreign-time-column"), "{text}");
    assert!(text.contains("use `Timestamp` (safe fix"), "{text}");
    assert!(text.contains("warning[KQL402]"), "{text}");
    assert!(
        text.trim_end()
            .ends_with("1 error, 1 warning in 1 file (2 fixable with --fix)"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn exit_status_is_zero_without_errors_and_two_on_bad_paths() {
    let dir = Scratch::new("exit");
    dir.write("clean.kql", CLEAN);
    let out = kqlsmith(&dir.0, &["lint", "--platform", "defender", "clean.kql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 errors, 0 warnings in 1 file"));

    let out = kqlsmith(&dir.0, &["lint", "missing.kql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.kql"), "{}", stderr(&out));

    let out = kqlsmith(&dir.0, &["lint", "--format", "xml", "clean.kql"]);
    assert_eq!(out.status.code(), Some(2));

    dir.write("binary.kql", "");
    std::fs::write(dir.0.join("binary.kql"), [0xff, 0xfe, 0x00]).unwrap();
    let out = kqlsmith(&dir.0, &["lint", "--platform", "defender", "binary.kql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not UTF-8"), "{}", stderr(&out));
}

#[test]
fn folders_are_searched_for_kql_files() {
    let dir = Scratch::new("folders");
    dir.write("hunts/a.kql", BAD);
    dir.write("hunts/deeper/b.kql", CLEAN);
    dir.write("hunts/notes.txt", "not KQL");
    // Linked files are linted too.
    std::os::unix::fs::symlink(dir.0.join("hunts/a.kql"), dir.0.join("hunts/link.kql")).unwrap();
    let out = kqlsmith(
        &dir.0,
        &[
            "lint",
            "--platform",
            "defender",
            "--format",
            "json",
            "hunts",
        ],
    );
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let files: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| f.ends_with("a.kql") || f.ends_with("link.kql")),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with("link.kql")), "{files:?}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn json_has_one_stable_object_a_diagnostic() {
    let dir = Scratch::new("json");
    dir.write("q.kql", BAD);
    let out = kqlsmith(
        &dir.0,
        &[
            "lint",
            "--platform",
            "defender",
            "--format",
            "json",
            "q.kql",
        ],
    );
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let first = &items[0];
    assert_eq!(first["code"], "KQL401");
    assert_eq!(first["rule"], "foreign-time-column");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "q.kql");
    assert_eq!(first["start"]["line"], 2);
    assert_eq!(first["start"]["column"], 9);
    assert_eq!(first["end"]["line"], 2);
    assert_eq!(first["end"]["column"], 22);
    assert_eq!(first["start_offset"], 28);
    assert_eq!(first["end_offset"], 41);
    assert!(first["message"].as_str().unwrap().contains("Timestamp"));
    assert_eq!(first["fix"]["applicability"], "safe");
    assert_eq!(first["fix"]["edits"][0]["replacement"], "Timestamp");
}

#[test]
fn sarif_is_a_valid_code_scanning_log() {
    let dir = Scratch::new("sarif");
    dir.write("q.kql", BAD);
    let out = kqlsmith(
        &dir.0,
        &[
            "lint",
            "--platform",
            "defender",
            "--format",
            "sarif",
            "q.kql",
        ],
    );
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kqlsmith::lint::rules::all().len());
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[field].as_u64().unwrap() >= 1, "{field}");
        }
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "q.kql"
        );
    }
}

#[test]
fn github_format_prints_workflow_annotations() {
    let dir = Scratch::new("github");
    dir.write("q.kql", BAD);
    let out = kqlsmith(
        &dir.0,
        &[
            "lint",
            "--platform",
            "defender",
            "--format",
            "github",
            "q.kql",
        ],
    );
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=q.kql,line=2,col=9,endLine=2,endColumn=22,title=KQL401 foreign-time-column::"
        ),
        "{text}"
    );
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("::warning file=q.kql,line=3,")
    );
}

#[test]
fn the_inferred_platform_is_said_in_a_note() {
    let dir = Scratch::new("infer");
    dir.write("q.kql", "SigninLogs\n| where TimeGenerated > ago(1d)\n");
    let out = kqlsmith(&dir.0, &["lint", "q.kql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("linted as sentinel (it uses `TimeGenerated`)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn configuration_is_found_upwards_and_bad_configuration_is_exit_two() {
    let dir = Scratch::new("config");
    dir.write("kqlsmith.toml", "[lint]\nplatform = \"defender\"\nignore = [\"KQL402\"]\n[lint.severity]\nforeign-time-column = \"warning\"\n");
    dir.write("hunts/q.kql", BAD);
    let out = kqlsmith(&dir.0.join("hunts"), &["lint", "q.kql"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning[KQL401]") && !text.contains("KQL402"),
        "{text}"
    );
    assert!(
        !text.contains("linted as"),
        "the platform came from the file: {text}"
    );

    dir.write(
        "kqlsmith.toml",
        "[lint]\nplatform = \"defender\"\n\nselect = [\"KQL999\"]\n",
    );
    let out = kqlsmith(&dir.0.join("hunts"), &["lint", "q.kql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("kqlsmith.toml:4") && err.contains("KQL999"),
        "{err}"
    );
}

#[test]
fn custom_tables_from_configuration_are_known() {
    let dir = Scratch::new("custom");
    dir.write(
        "kqlsmith.toml",
        "[lint]\nplatform = \"sentinel\"\n[lint.tables.MyHunt_CL]\nTimeGenerated = \"datetime\"\nHost = \"string\"\n",
    );
    dir.write(
        "q.kql",
        "MyHunt_CL\n| where TimeGenerated > ago(1d)\n| where Host =~ \"a\" and Hots =~ \"b\"\n",
    );
    let out = kqlsmith(&dir.0, &["lint", "--format", "json", "q.kql"]);
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let codes: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["KQL102"], "only `Hots` is unknown");
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `Host`")
    );
}

#[test]
fn suppression_comments_silence_findings() {
    let dir = Scratch::new("suppress");
    dir.write(
        "q.kql",
        "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n// kqlsmith: ignore KQL402\n| where InitiatingProcessFileName <> \"x\"\n| where InitiatingProcessFileName <> \"y\" // kqlsmith: ignore angle-bracket-not-equal\n| where InitiatingProcessFileName <> \"z\"\n",
    );
    let out = kqlsmith(
        &dir.0,
        &[
            "lint",
            "--platform",
            "defender",
            "--format",
            "json",
            "q.kql",
        ],
    );
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let lines: Vec<u64> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6]);
}

#[test]
fn fix_applies_safe_fixes_only_and_leaves_other_files_untouched() {
    let dir = Scratch::new("fix");
    let bad = dir.write("bad.kql", BAD);
    let clean = dir.write("clean.kql", CLEAN);
    let broken_text = "DeviceNetworkEvents\n| where TimeGenerated > ago(1d\n";
    let broken = dir.write("broken.kql", broken_text);
    let before = std::fs::metadata(&clean).unwrap().modified().unwrap();
    let out = kqlsmith(&dir.0, &["lint", "--platform", "defender", "--fix", "."]);
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where InitiatingProcessFileName != \"x\"\n"
    );
    assert_eq!(std::fs::read_to_string(&clean).unwrap(), CLEAN);
    assert_eq!(
        std::fs::metadata(&clean).unwrap().modified().unwrap(),
        before
    );
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), broken_text);
    // The syntax error is still there: exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("applied 2 fixes"), "{}", stdout(&out));
}

#[test]
fn rules_lists_every_rule_and_explains_one() {
    let dir = Scratch::new("rules");
    let out = kqlsmith(&dir.0, &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for rule in kqlsmith::lint::rules::all() {
        let line = text.lines().find(|l| l.starts_with(rule.code)).unwrap();
        assert!(
            line.contains(rule.name) && line.contains(rule.severity.as_str()),
            "{line}"
        );
    }
    let out = kqlsmith(&dir.0, &["rules", "contains-operator"]);
    let doc = stdout(&out);
    assert!(doc.starts_with("# KQL301 contains-operator"), "{doc}");
    for section in [
        "## What it does",
        "## Why is this bad",
        "## Example",
        "## Fix",
    ] {
        assert!(doc.contains(section), "{doc}");
    }
    assert_eq!(stdout(&kqlsmith(&dir.0, &["rules", "kql301"])), doc);
    let out = kqlsmith(&dir.0, &["rules", "KQL999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn standard_input_and_an_explicit_configuration_file() {
    use std::io::Write;
    let dir = Scratch::new("stdin");
    let config = dir.write(
        "other.toml",
        "[lint]\nplatform = \"defender\"\nignore = [\"KQL402\"]\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args([
            "lint",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
            "-",
        ])
        .current_dir(&dir.0)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(BAD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["KQL401"],
        "the file's platform and ignore list apply"
    );
    assert_eq!(items[0]["file"], "-");
    assert_eq!(out.status.code(), Some(1));

    let out = kqlsmith(&dir.0, &["lint", "--config", "missing.toml", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.toml"), "{}", stderr(&out));
}
