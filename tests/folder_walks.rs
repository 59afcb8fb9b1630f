//! Folder walks of `parse`, `lint`, `fmt` and `convert`: an entry that cannot be read (a
//! dangling link, a link loop) is an error for that path, every other file is still processed,
//! and the run ends with status 2. `.kql` is matched in any case.

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
