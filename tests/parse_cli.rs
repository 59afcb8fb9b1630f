//! `kqlsmith parse` as a user runs it: a line a file, JSON reports, the tree of one file, and
//! exit statuses a CI job can branch on (0 all parsed, 1 a file failed, 2 usage or I/O).

use std::io::Write;
use std::process::{Command, Stdio};

#[path = "support/cli.rs"]
mod cli;
use cli::{kqlsmith, text, write};

/// A folder with two valid queries, one broken on its second line, and a file that is not KQL.
fn queries() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "q/b.kql", b"DeviceLogonEvents | take 1\n");
    write(dir.path(), "q/a.kql", b"print 1\n");
    write(
        dir.path(),
        "q/sub/broken.kql",
        b"DeviceLogonEvents\n| where\n",
    );
    write(dir.path(), "q/notes.txt", b"| |");
    dir
}

#[test]
fn each_file_gets_a_line_in_sorted_order_and_a_failure_exits_1() {
    let dir = queries();
    let out = kqlsmith(dir.path(), &["parse", "q"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0], "q/a.kql: ok");
    assert_eq!(lines[1], "q/b.kql: ok");
    assert!(
        lines[2].starts_with("q/sub/broken.kql:3:1: error: found end of input, expected"),
        "{stdout}"
    );

    let ok = kqlsmith(dir.path(), &["parse", "q/a.kql", "q/b.kql"]);
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn json_reports_give_offsets_lines_columns_and_messages() {
    let dir = queries();
    let out = kqlsmith(dir.path(), &["parse", "--format", "json", "q"]);
    assert_eq!(out.status.code(), Some(1));
    let reports: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0]["file"], "q/a.kql");
    assert_eq!(reports[0]["ok"], true);
    assert_eq!(reports[0]["errors"].as_array().unwrap().len(), 0);
    let broken = &reports[2];
    assert_eq!(broken["ok"], false);
    let error = &broken["errors"][0];
    assert_eq!(error["line"], 3);
    assert_eq!(error["column"], 1);
    // The byte offset points at the same place as the line and column.
    assert_eq!(error["offset"], "DeviceLogonEvents\n| where\n".len());
    assert!(error["message"].as_str().unwrap().contains("expected"));
}

#[test]
fn the_tree_of_one_file_is_json_with_spans() {
    let dir = queries();
    let out = kqlsmith(dir.path(), &["parse", "--ast", "q/b.kql"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let tree: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tree["statements"].as_array().unwrap().len(), 1);
    assert_eq!(tree["span"]["start"], 0);

    let two = kqlsmith(dir.path(), &["parse", "--ast", "q/a.kql", "q/b.kql"]);
    assert_eq!(two.status.code(), Some(2));
    assert!(text(&two.stderr).contains("exactly one file"));
}

#[test]
fn missing_and_unreadable_files_exit_2_and_the_others_are_still_reported() {
    let dir = queries();
    write(dir.path(), "latin1.kql", b"print '\xe9'");
    let out = kqlsmith(dir.path(), &["parse", "nope.kql", "latin1.kql", "q/a.kql"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("nope.kql: no such file"), "{stderr}");
    assert!(
        stderr.contains("latin1.kql is not UTF-8 text (byte 7)"),
        "{stderr}"
    );
    assert_eq!(text(&out.stdout), "q/a.kql: ok\n");
}

#[test]
fn a_dash_reads_the_query_from_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"DeviceLogonEvents\n| where\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("-:3:1: error: "),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn control_characters_of_the_input_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "esc.kql", b"print \x1b[31mred\n");
    let out = kqlsmith(dir.path(), &["parse", "esc.kql"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    assert!(stdout.contains("\\u{1b}"), "{stdout}");
    // The human lint report carries the same message.
    let lint = kqlsmith(dir.path(), &["lint", "--platform", "defender", "esc.kql"]);
    let report = text(&lint.stdout);
    assert!(report.contains("found `\\u{1b}`"), "{report}");
    assert!(!report.contains('\x1b'), "{report:?}");
}
