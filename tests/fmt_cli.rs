//! `kqlsmith fmt` as a user runs it: rewriting in place, --check, --stdout, standard input,
//! settings from kqlsmith.toml, and files it must not touch.

use std::process::{Command, Stdio};

#[path = "support/cli.rs"]
mod cli;
use cli::{kqlsmith, text, write};

const MESSY: &str =
    "DeviceProcessEvents|where Timestamp>ago(1d) // recent\n|project DeviceName,FileName";
const TIDY: &str =
    "DeviceProcessEvents\n| where Timestamp > ago(1d) // recent\n| project DeviceName, FileName\n";

#[test]
fn files_are_rewritten_in_place_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "hunts/a.kql", MESSY);
    let tidy = write(dir.path(), "hunts/b.kql", TIDY);
    write(dir.path(), "hunts/notes.txt", MESSY);

    let out = kqlsmith(dir.path(), &["fmt", "hunts"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    assert_eq!(std::fs::read_to_string(&tidy).unwrap(), TIDY);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hunts/notes.txt")).unwrap(),
        MESSY,
        "only .kql files are formatted"
    );
    assert!(
        text(&out.stderr).contains("1 file reformatted, 1 file already formatted"),
        "{}",
        text(&out.stderr)
    );
    // No temporary file is left beside them.
    assert_eq!(
        std::fs::read_dir(dir.path().join("hunts")).unwrap().count(),
        3
    );

    let again = kqlsmith(dir.path(), &["fmt", "--check", "hunts"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), "");
}

#[test]
fn check_lists_the_files_that_would_change_and_changes_none() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.kql", MESSY);
    write(dir.path(), "b.kql", TIDY);
    let out = kqlsmith(dir.path(), &["fmt", "--check", "a.kql", "b.kql"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "a.kql\n");
    assert!(text(&out.stderr).contains("1 file would be reformatted"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.kql")).unwrap(),
        MESSY
    );
}

#[test]
fn stdout_prints_the_formatted_text_of_one_file_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.kql", MESSY);
    let out = kqlsmith(dir.path(), &["fmt", "--stdout", "a.kql"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), TIDY);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.kql")).unwrap(),
        MESSY
    );

    write(dir.path(), "b.kql", TIDY);
    let two = kqlsmith(dir.path(), &["fmt", "--stdout", "a.kql", "b.kql"]);
    assert_eq!(two.status.code(), Some(2));
    assert!(text(&two.stderr).contains("--stdout prints one file"));
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(["fmt", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(MESSY.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), TIDY);
    assert_eq!(text(&out.stderr), "", "no summary for standard input");

    let mut check = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(["fmt", "--check", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(MESSY.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "-\n",
        "--check names standard input, prints no text"
    );
}

#[test]
fn a_file_that_does_not_parse_is_reported_with_its_location_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "DeviceProcessEvents\n| where FileName == \"cmd.exe\n| take 1";
    write(dir.path(), "broken.kql", broken);
    write(dir.path(), "fine.kql", MESSY);
    let out = kqlsmith(dir.path(), &["fmt", "broken.kql", "fine.kql"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[KQL001]: syntax error"), "{stderr}");
    assert!(stderr.contains("--> broken.kql:2:21"), "{stderr}");
    assert!(stderr.contains("^"), "a caret under the error: {stderr}");
    assert!(stderr.contains("1 file not valid KQL"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.kql")).unwrap(),
        broken
    );
    // The other files are still formatted.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fine.kql")).unwrap(),
        TIDY
    );
}

#[test]
fn settings_come_from_the_nearest_kqlsmith_toml_above_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kqlsmith.toml",
        "[format]\nline-width = 30\nindent = 2\n",
    );
    write(
        dir.path(),
        "deep/er/q.kql",
        "T | project Alpha, Beta, Gamma, Delta",
    );
    let out = kqlsmith(dir.path(), &["fmt", "--stdout", "deep/er/q.kql"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "T\n| project\n  Alpha,\n  Beta,\n  Gamma,\n  Delta\n"
    );

    write(dir.path(), "kqlsmith.toml", "[format]\nindent = 40\n");
    let bad = kqlsmith(dir.path(), &["fmt", "deep/er/q.kql"]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = text(&bad.stderr);
    assert!(
        stderr.contains("kqlsmith.toml:2") && stderr.contains("1 to 16"),
        "{stderr}"
    );
}

#[test]
fn missing_and_unreadable_files_are_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = kqlsmith(dir.path(), &["fmt", "nope.kql"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("nope.kql: no such file"));

    let latin1 = dir.path().join("latin1.kql");
    std::fs::write(&latin1, b"print '\xe9'").unwrap();
    let out = kqlsmith(dir.path(), &["fmt", "latin1.kql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not UTF-8 text (byte 7)"));
    assert_eq!(std::fs::read(&latin1).unwrap(), b"print '\xe9'");
}

#[test]
fn line_endings_and_the_byte_order_mark_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let windows = write(dir.path(), "w.kql", format!("\u{feff}{}", crlf(MESSY)));
    let tidy = write(dir.path(), "t.kql", format!("\u{feff}{}", crlf(TIDY)));
    // Mixed: two CRLF breaks and one LF break; CRLF wins.
    let mixed = write(dir.path(), "m.kql", "T\r\n| where x>1\r\n| take 1\n");

    let check = kqlsmith(dir.path(), &["fmt", "--check", "t.kql"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));

    let out = kqlsmith(dir.path(), &["fmt", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&windows).unwrap(),
        format!("\u{feff}{}", crlf(TIDY))
    );
    assert_eq!(
        std::fs::read_to_string(&tidy).unwrap(),
        format!("\u{feff}{}", crlf(TIDY))
    );
    assert_eq!(
        std::fs::read_to_string(&mixed).unwrap(),
        "T\r\n| where x > 1\r\n| take 1\r\n"
    );
}

#[test]
fn a_syntax_error_after_a_byte_order_mark_is_shown_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "DeviceProcessEvents\n| where é ==\n";
    write(dir.path(), "plain/q.kql", broken);
    write(dir.path(), "bom/q.kql", format!("\u{feff}{broken}"));
    let plain = kqlsmith(dir.path(), &["fmt", "plain/q.kql"]);
    let bom = kqlsmith(dir.path(), &["fmt", "bom/q.kql"]);
    assert_eq!(bom.status.code(), Some(1));
    assert!(
        text(&plain.stderr).contains("plain/q.kql:2:9"),
        "{}",
        text(&plain.stderr)
    );
    assert_eq!(
        text(&bom.stderr).replace("bom/", ""),
        text(&plain.stderr).replace("plain/", "")
    );
}
