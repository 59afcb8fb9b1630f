//! `kqlsmith convert` as a user runs it: the published hunt in both directions, --in-place,
//! reported conversions, the source platform, and files it must not touch.

use std::path::PathBuf;

#[path = "support/cli.rs"]
mod cli;
use cli::{kqlsmith, text, write};

/// The published hunt's folder, `../shared/seed` beside the workspace root.
fn seed_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    if dir.join("internal-connections.defender.kql").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: no published hunt at {}", dir.display());
        None
    }
}

#[test]
fn the_published_hunt_converts_byte_for_byte_both_ways() {
    let Some(seed) = seed_dir() else {
        return;
    };
    let defender = std::fs::read(seed.join("internal-connections.defender.kql")).unwrap();
    let sentinel = std::fs::read(seed.join("internal-connections.sentinel.kql")).unwrap();
    assert_ne!(defender, sentinel);

    let out = kqlsmith(
        &seed,
        &[
            "convert",
            "--to",
            "sentinel",
            "internal-connections.defender.kql",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout == sentinel, "{}", text(&out.stdout));

    let back = kqlsmith(
        &seed,
        &[
            "convert",
            "--to",
            "defender",
            "internal-connections.sentinel.kql",
        ],
    );
    assert_eq!(back.status.code(), Some(0), "{}", text(&back.stderr));
    assert!(back.stdout == defender, "{}", text(&back.stdout));
    // Nothing was reported but the guessed source platform.
    assert!(!text(&back.stderr).contains("error") && !text(&back.stderr).contains("warning"));
    assert!(text(&back.stderr).contains("converting from sentinel"));
}

#[test]
fn in_place_rewrites_every_file_below_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "hunts/a.kql",
        "DeviceEvents\n| where Timestamp > ago(1d) // Timestamp\n",
    );
    let b = write(dir.path(), "hunts/b.kql", "print 1\n");
    let out = kqlsmith(
        dir.path(),
        &[
            "convert",
            "--from",
            "defender",
            "--to",
            "sentinel",
            "--in-place",
            "hunts",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "DeviceEvents\n| where TimeGenerated > ago(1d) // Timestamp\n"
    );
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "print 1\n");
    assert!(
        text(&out.stderr).contains("converted 2 files to sentinel (1 changed), 0 errors"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("hunts")).unwrap().count(),
        2
    );
}

#[test]
fn what_cannot_be_converted_is_reported_with_its_place_and_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "q.kql",
        "DeviceFileEvents\n| where Timestamp > ago(1d)\n| invoke FileProfile(SHA1)\n",
    );
    let out = kqlsmith(
        dir.path(),
        &["convert", "--from", "defender", "--to", "sentinel", "q.kql"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "DeviceFileEvents\n| where TimeGenerated > ago(1d)\n| invoke FileProfile(SHA1)\n"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[KQL104]"), "{stderr}");
    assert!(stderr.contains("--> q.kql:3:10"), "{stderr}");
    assert!(stderr.contains("^^^^^^^^^^^"), "{stderr}");
}

#[test]
fn the_source_platform_comes_from_kqlsmith_toml() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kqlsmith.toml",
        "[lint]\nplatform = \"sentinel\"\n",
    );
    // Nothing in the query names a platform; the configuration says Sentinel.
    write(dir.path(), "q.kql", "DeviceEvents | project Timestamp\n");
    let out = kqlsmith(dir.path(), &["convert", "--to", "defender", "q.kql"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "DeviceEvents | project Timestamp\n");
    assert_eq!(text(&out.stderr), "", "no guess to report");

    let same = kqlsmith(dir.path(), &["convert", "--to", "sentinel", "q.kql"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(text(&same.stderr).contains("nothing to convert"));
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "DeviceEvents\n| where Timestamp > \n";
    let path = write(dir.path(), "broken.kql", broken);
    let out = kqlsmith(
        dir.path(),
        &[
            "convert",
            "--from",
            "defender",
            "--to",
            "sentinel",
            "--in-place",
            "broken.kql",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[KQL001]") && stderr.contains("broken.kql:2:22"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(path).unwrap(), broken);
}

#[test]
fn usage_and_io_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.kql", "print 1");
    write(dir.path(), "b.kql", "print 2");
    let several = kqlsmith(
        dir.path(),
        &["convert", "--to", "sentinel", "a.kql", "b.kql"],
    );
    assert_eq!(several.status.code(), Some(2));
    assert!(text(&several.stderr).contains("needs --in-place"));

    let missing = kqlsmith(dir.path(), &["convert", "--to", "sentinel", "nope.kql"]);
    assert_eq!(missing.status.code(), Some(2));

    let unknown = kqlsmith(dir.path(), &["convert", "--to", "splunk", "a.kql"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("defender, sentinel"));
}
