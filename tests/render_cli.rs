//! `kqlsmith render` from the outside: what it prints, what it writes, and how it refuses bad
//! input (exit status 2, a message that says where and what, nothing on stdout, no files).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn kqlsmith(args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("kqlsmith runs");
    Outcome {
        code: output.status.code().expect("kqlsmith exits"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs kqlsmith, expects it to refuse with exit status 2 and nothing on stdout, and returns
/// the message.
fn refused(args: &[&str]) -> String {
    let outcome = kqlsmith(args);
    assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
    assert_eq!(outcome.stdout, "", "{args:?}");
    assert!(
        outcome.stderr.starts_with("error"),
        "{args:?}: {}",
        outcome.stderr
    );
    outcome.stderr
}

const DEFAULT_PROFILE: &str = "profiles/hunts/internal-connections.toml";
const CLASSIC_PROFILE: &str = "profiles/hunts/internal-connections-classic.toml";

/// A copy of the default profile with `from` replaced by `to`, in `dir`; returns its path and
/// the one-based line of the change.
fn broken_profile(dir: &Path, from: &str, to: &str) -> (PathBuf, usize) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_PROFILE))
        .unwrap();
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{from} is in the profile"));
    let line = text[..at].matches('\n').count() + 1;
    let path = dir.join("broken.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    (path, line)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn renders_the_default_hunt_for_one_platform_and_device() {
    let outcome = kqlsmith(&["render", "--platform", "sentinel", "--device", "ws-042"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stderr, "");
    let query = outcome.stdout;
    assert!(query.contains("let CompromisedDevice = \"ws-042\";\n"));
    assert!(query.contains("| where TimeGenerated > ago(SearchWindow)"));
    assert!(!query.contains("// platform:"));
    assert!(query.ends_with('\n') && !query.ends_with("\n\n"));
}

#[test]
fn all_platforms_are_printed_as_sections_headed_by_a_comment() {
    let all = kqlsmith(&["render", "--platform", "all"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let defender = kqlsmith(&["render", "--platform", "defender"]).stdout;
    let sentinel = kqlsmith(&["render", "--platform", "sentinel"]).stdout;
    assert_eq!(
        all.stdout,
        format!("// platform: defender\n{defender}\n// platform: sentinel\n{sentinel}")
    );
    // `all` is the default.
    assert_eq!(kqlsmith(&["render"]).stdout, all.stdout);
}

#[test]
fn window_and_settings_change_the_query() {
    let outcome = kqlsmith(&[
        "render",
        "--platform",
        "defender",
        "--window",
        "7d",
        "--set",
        "device.match=case-insensitive",
        "--set",
        "filters.benign_ports=true",
        "--set",
        "search.action_types=ConnectionSuccess,ConnectionFailed",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let query = outcome.stdout;
    assert!(query.contains("let SearchWindow = 7d;"));
    assert!(query.contains("| where DeviceName =~ CompromisedDevice\n"));
    assert!(query.contains("set_difference(ConnectedPorts, dynamic([8008, 8009]))"));
    assert!(query.contains(r#"| where ActionType in ("ConnectionSuccess", "ConnectionFailed")"#));
}

#[test]
fn device_and_window_options_win_over_set() {
    let outcome = kqlsmith(&[
        "render",
        "--platform",
        "defender",
        "--device",
        "ws-1",
        "--set",
        "device.name=ws-2",
        "--window",
        "30m",
        "--set",
        "search.window=7d",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(outcome.stdout.contains("let CompromisedDevice = \"ws-1\";"));
    assert!(outcome.stdout.contains("let SearchWindow = 30m;"));
}

#[test]
fn a_hostile_device_name_stays_a_string_literal() {
    let outcome = kqlsmith(&[
        "render",
        "--platform",
        "defender",
        "--device",
        r#"ws-1" or 1==1 //"#,
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome
            .stdout
            .contains(r#"let CompromisedDevice = "ws-1\" or 1==1 //";"#)
    );
}

#[test]
fn the_classic_profile_renders_from_its_file_or_by_name() {
    let outcome = kqlsmith(&[
        "render",
        "--profile",
        CLASSIC_PROFILE,
        "--platform",
        "defender",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome
            .stdout
            .contains("| where DeviceName == CompromisedDevice\n")
    );
    assert!(
        outcome
            .stdout
            .contains("extract(IPRegex, 0, tostring(IPAddresses))")
    );
    let by_name = kqlsmith(&[
        "render",
        "--profile",
        "internal-connections-classic",
        "--platform",
        "defender",
    ]);
    assert_eq!(by_name.code, 0, "{}", by_name.stderr);
    assert_eq!(by_name.stdout, outcome.stdout);
}

#[test]
fn out_writes_one_file_per_platform_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let outcome = kqlsmith(&["render", "--device", "ws-042", "--out", out]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
    assert_eq!(
        files_in(dir.path()),
        [
            "internal-connections.defender.kql",
            "internal-connections.sentinel.kql"
        ]
    );
    for platform in ["defender", "sentinel"] {
        let written = std::fs::read_to_string(
            dir.path()
                .join(format!("internal-connections.{platform}.kql")),
        )
        .unwrap();
        let printed = kqlsmith(&["render", "--device", "ws-042", "--platform", platform]).stdout;
        assert_eq!(written, printed, "{platform}");
    }
    // A second run replaces the files.
    let outcome = kqlsmith(&[
        "render",
        "--device",
        "ws-043",
        "--platform",
        "defender",
        "--out",
        out,
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let written =
        std::fs::read_to_string(dir.path().join("internal-connections.defender.kql")).unwrap();
    assert!(written.contains("\"ws-043\""));
}

#[test]
fn out_writes_nothing_when_the_profile_is_bad() {
    let dir = tempfile::tempdir().unwrap();
    let message = refused(&[
        "render",
        "--window",
        "48 hours",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(message.contains("search.window"), "{message}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn out_writes_nothing_when_one_file_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    // The Sentinel file cannot be written: a folder has its name.
    std::fs::create_dir(dir.path().join("internal-connections.sentinel.kql")).unwrap();
    let message = refused(&["render", "--out", dir.path().to_str().unwrap()]);
    assert!(
        message.contains("internal-connections.sentinel.kql"),
        "{message}"
    );
    assert_eq!(files_in(dir.path()), ["internal-connections.sentinel.kql"]);
}

#[test]
fn out_needs_an_existing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let message = refused(&["render", "--out", missing.to_str().unwrap()]);
    assert!(message.contains("does not exist"), "{message}");
    assert!(!missing.exists());
}

#[test]
fn malformed_toml_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let (path, line) = broken_profile(dir.path(), "window = \"48h\"", "window = \"48h");
    let message = refused(&["render", "--profile", path.to_str().unwrap()]);
    assert!(
        message.contains(&format!("broken.toml:{line}:")),
        "{message}"
    );
    assert!(message.contains("window = \"48h\n"), "{message}");
}

#[test]
fn an_unknown_key_in_a_profile_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (path, line) = broken_profile(dir.path(), "match = ", "matc = ");
    let message = refused(&["render", "--profile", path.to_str().unwrap()]);
    assert!(
        message.contains(&format!("broken.toml:{line}:1")),
        "{message}"
    );
    assert!(message.contains("device.matc"), "{message}");
    assert!(
        message.contains("unknown field `matc`, expected `name` or `match`"),
        "{message}"
    );
}

#[test]
fn an_unknown_key_in_set_lists_the_valid_keys() {
    let message = refused(&["render", "--set", "device.matc=exact"]);
    assert!(message.contains("--set device.matc=exact"), "{message}");
    assert!(
        message.contains("the internal-connections hunt's profile has no key `device.matc`"),
        "{message}"
    );
    assert!(
        message.contains("did you mean `device.match`?"),
        "{message}"
    );
    assert!(message.contains("device.match, device.name"), "{message}");
    // A key of another table, by its last part.
    let message = refused(&["render", "--set", "window=7d"]);
    assert!(
        message.contains("did you mean `search.window`?"),
        "{message}"
    );
    // Nothing near: no guess.
    let message = refused(&["render", "--set", "colour=blue"]);
    assert!(!message.contains("did you mean"), "{message}");
    assert!(message.contains("search.window"), "{message}");
    let message = refused(&["render", "--set", "no-equals-sign"]);
    assert!(message.contains("expected KEY=VALUE"), "{message}");
}

#[test]
fn an_empty_device_name_is_refused() {
    let message = refused(&["render", "--device", ""]);
    assert!(
        message.contains("device.name") && message.contains("must not be empty"),
        "{message}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (path, line) = broken_profile(dir.path(), "name = \"compromiseddevice\"", "name = \"  \"");
    let message = refused(&["render", "--profile", path.to_str().unwrap()]);
    assert!(
        message.contains(&format!("broken.toml:{line}:")),
        "{message}"
    );
    assert!(message.contains("`device.name`"), "{message}");
}

#[test]
fn windows_that_are_not_positive_timespans_are_refused() {
    for (window, says) in [
        ("48 hours", "not a timespan"),
        ("0h", "longer than zero"),
        ("-48h", "negative"),
        ("2w", "not a timespan"),
    ] {
        let message = refused(&["render", &format!("--window={window}")]);
        assert!(message.contains("search.window"), "{window}: {message}");
        assert!(message.contains(says), "{window}: {message}");
        // The same, as two words: a value may start with a hyphen.
        let message = refused(&["render", "--window", window]);
        assert!(message.contains(says), "{window}: {message}");
    }
}

#[test]
fn an_invalid_cidr_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (path, line) = broken_profile(dir.path(), "\"169.254.0.0/16\"", "\"169.254.0.0/33\"");
    let message = refused(&["render", "--profile", path.to_str().unwrap()]);
    assert!(
        message.contains(&format!("broken.toml:{line}:")),
        "{message}"
    );
    assert!(
        message.contains("remote_device.excluded_ranges[0]"),
        "{message}"
    );
    assert!(message.contains("not a CIDR range"), "{message}");
    let message = refused(&[
        "render",
        "--set",
        "filters.private_ranges=fc00::/7,10.1.2.3/8",
    ]);
    assert!(
        message.contains("host bits") && message.contains("10.0.0.0/8"),
        "{message}"
    );
}

#[test]
fn an_unknown_action_type_is_refused_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (path, line) = broken_profile(
        dir.path(),
        "[\"ConnectionSuccess\"]",
        "[\"ConnectionSucces\"]",
    );
    let message = refused(&["render", "--profile", path.to_str().unwrap()]);
    assert!(
        message.contains(&format!("broken.toml:{line}:")),
        "{message}"
    );
    assert!(message.contains("search.action_types[0]"), "{message}");
    assert!(
        message.contains("unknown variant `ConnectionSucces`"),
        "{message}"
    );
    assert!(message.contains("InboundConnectionAccepted"), "{message}");
}

#[test]
fn an_option_the_hunt_does_not_read_is_refused_and_nothing_is_written() {
    // The detection searches every device that had an alert: it has no one device to set.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for args in [
        &[
            "render",
            "--profile",
            "internal-connections-detection",
            "--device",
            "ws-042",
        ][..],
        &[
            "render",
            "--profile",
            "internal-connections-detection",
            "--device",
            "ws-042",
            "--emit",
            "defender-json,sentinel-arm",
            "--out",
            out,
        ],
    ] {
        let message = refused(args);
        assert!(
            message.starts_with(
                "error: --device ws-042: the internal-connections-detection hunt does not read it: \
                 its profile has no key `device.name`"
            ),
            "{message}"
        );
        assert!(
            message.contains("internal-connections, internal-connections-classic, remote-logons"),
            "{message}"
        );
    }
    assert!(files_in(dir.path()).is_empty());
    // --window is read by every hunt, the detection too.
    let outcome = kqlsmith(&[
        "render",
        "--profile",
        "internal-connections-detection",
        "--window",
        "7d",
        "--platform",
        "sentinel",
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(outcome.stdout.contains("7d"), "{}", outcome.stdout);
    // A key the hunt lacks, given with --set, is refused too.
    let message = refused(&[
        "render",
        "--profile",
        "internal-connections-detection",
        "--set",
        "device.name=ws-042",
    ]);
    assert!(message.contains("has no key `device.name`"), "{message}");
}

#[test]
fn an_unknown_platform_is_refused_with_the_known_ones() {
    let message = refused(&["render", "--platform", "splunk"]);
    assert!(message.contains("splunk"), "{message}");
    assert!(message.contains("defender, sentinel, all"), "{message}");
}

#[test]
fn a_missing_profile_file_is_refused() {
    let message = refused(&["render", "--profile", "profiles/hunts/nope.toml"]);
    assert!(
        message.contains("cannot read profile profiles/hunts/nope.toml"),
        "{message}"
    );
    assert!(
        message.contains("internal-connections, internal-connections-classic"),
        "{message}"
    );
}

#[test]
fn help_teaches_with_examples_and_the_keys() {
    let outcome = kqlsmith(&["render", "--help"]);
    assert_eq!(outcome.code, 0);
    for part in [
        "kqlsmith render --platform sentinel --device ws-042",
        "--set device.match=case-insensitive",
        "Exit status",
        "search.window",
        "remote_device.exclude_self",
    ] {
        assert!(outcome.stdout.contains(part), "{part}:\n{}", outcome.stdout);
    }
}
