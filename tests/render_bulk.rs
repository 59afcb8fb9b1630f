//! `kqlsmith render --all`: every profile of a folder, every platform, in one run; a stable,
//! sorted layout of files; all of them written or none.

use std::path::Path;
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

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn shipped(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles/hunts")
            .join(format!("{name}.toml")),
    )
    .unwrap()
}

const EVERY_FORMAT: &str = "kql,sentinel-yaml,sentinel-rule,sentinel-arm,defender-json";

#[test]
fn all_renders_every_profile_for_every_platform() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--profiles",
        "profiles/hunts",
        "--emit",
        EVERY_FORMAT,
        "--out",
        out,
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
    let mut expected = Vec::new();
    for hunt in [
        "internal-connections",
        "internal-connections-classic",
        "internal-connections-detection",
        "remote-logons",
    ] {
        for suffix in [
            "defender.kql",
            "sentinel.kql",
            "sentinel.yaml",
            "sentinel.arm.json",
        ] {
            expected.push(format!("{hunt}.{suffix}"));
        }
    }
    // Scheduled rules only for the detection: the hunts of one device still name the
    // placeholder device, and skip them with a note.
    expected.push("internal-connections-detection.defender.json".to_string());
    expected.push("internal-connections-detection.sentinel.rule.yaml".to_string());
    expected.sort();
    assert_eq!(files_in(dir.path()), expected);
    for hunt in [
        "internal-connections",
        "internal-connections-classic",
        "remote-logons",
    ] {
        for format in ["sentinel-rule", "defender-json"] {
            let note = format!("note: skipped {hunt}.{format}: hunt `{hunt}` cannot be a");
            assert!(outcome.stderr.contains(&note), "{note}\n{}", outcome.stderr);
        }
    }
    // Not a terminal: no progress bar, only notes and the summary line.
    let last = outcome.stderr.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "Rendered 4 hunt profiles for 2 platforms: 18 files in {out} (6 skipped: see the notes above)"
        )
    );
    assert!(
        !outcome.stderr.contains("rendering ["),
        "{}",
        outcome.stderr
    );
    // Each query is what a single render prints.
    for (hunt, platform) in [
        ("remote-logons", "sentinel"),
        ("internal-connections", "defender"),
    ] {
        let single = kqlsmith(&["render", "--profile", hunt, "--platform", platform]).stdout;
        let written =
            std::fs::read_to_string(dir.path().join(format!("{hunt}.{platform}.kql"))).unwrap();
        assert_eq!(written, single);
    }
    // A second run gives the same bytes: the folder diffs cleanly.
    let before: Vec<String> = expected
        .iter()
        .map(|name| std::fs::read_to_string(dir.path().join(name)).unwrap())
        .collect();
    assert_eq!(
        kqlsmith(&["render", "--all", "--emit", EVERY_FORMAT, "--out", out]).code,
        0
    );
    let after: Vec<String> = expected
        .iter()
        .map(|name| std::fs::read_to_string(dir.path().join(name)).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn all_with_a_device_writes_the_rules_of_the_hunts_that_can_be_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--device",
        "ws-042",
        "--emit",
        EVERY_FORMAT,
        "--out",
        out,
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let files = files_in(dir.path());
    for name in [
        "internal-connections.defender.json",
        "internal-connections.sentinel.rule.yaml",
        "remote-logons.defender.json",
        "internal-connections-classic.sentinel.rule.yaml",
        "internal-connections-detection.defender.json",
    ] {
        assert!(files.contains(&name.to_string()), "{name} in {files:?}");
    }
    // The published hunt still cannot be a Defender XDR rule: it lacks Timestamp and ReportId.
    assert!(!files.contains(&"internal-connections-classic.defender.json".to_string()));
    assert!(
        outcome
            .stderr
            .contains("note: skipped internal-connections-classic.defender-json"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn all_applies_device_and_window_to_every_profile() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--device",
        "ws-042",
        "--window",
        "7d",
        "--platform",
        "sentinel",
        "--out",
        out,
    ]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let files = files_in(dir.path());
    assert_eq!(files.len(), 4);
    for name in files
        .iter()
        .filter(|name| !name.starts_with("internal-connections-detection"))
    {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(
            text.contains(r#"let CompromisedDevice = "ws-042";"#),
            "{name}"
        );
        assert!(text.contains("let SearchWindow = 7d;"), "{name}");
        assert!(name.ends_with(".sentinel.kql"), "{name}");
    }
}

#[test]
fn all_notes_the_profiles_that_do_not_read_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let outcome = kqlsmith(&["render", "--all", "--device", "ws-042", "--out", out]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains(
            "note: --device ws-042 not applied to internal-connections-detection: the \
             internal-connections-detection hunt's profile has no key `device.name`"
        ),
        "{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("remote-logons:"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn all_refuses_an_option_that_no_profile_reads() {
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(
        profiles.path().join("detection.toml"),
        shipped("internal-connections-detection"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--profiles",
        profiles.path().to_str().unwrap(),
        "--device",
        "ws-042",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.starts_with(
            "error: --device ws-042: no profile of the run reads it: none has the key `device.name`"
        ),
        "{}",
        outcome.stderr
    );
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn all_writes_nothing_when_one_profile_is_bad() {
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(profiles.path().join("a.toml"), shipped("remote-logons")).unwrap();
    std::fs::write(
        profiles.path().join("b.toml"),
        shipped("internal-connections").replace("window = \"48h\"", "window = \"2 days\""),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--profiles",
        profiles.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("b.toml"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("search.window"),
        "{}",
        outcome.stderr
    );
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn all_refuses_two_profiles_with_one_name() {
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(profiles.path().join("a.toml"), shipped("remote-logons")).unwrap();
    std::fs::write(profiles.path().join("b.toml"), shipped("remote-logons")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--profiles",
        profiles.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .contains("two profiles are named `remote-logons`"),
        "{}",
        outcome.stderr
    );
    assert!(files_in(out.path()).is_empty());
}

#[test]
fn all_needs_an_output_folder_and_profiles() {
    let outcome = kqlsmith(&["render", "--all"]);
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("--out"), "{}", outcome.stderr);
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = kqlsmith(&[
        "render",
        "--all",
        "--profiles",
        empty.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("no *.toml"), "{}", outcome.stderr);
}

#[test]
fn generated_queries_are_already_in_the_formatters_layout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let rendered = kqlsmith(&["render", "--all", "--device", "ws-042", "--out", out]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    assert!(!files_in(dir.path()).is_empty());
    let check = kqlsmith(&["fmt", "--check", out]);
    assert_eq!(check.code, 0, "fmt would change: {}", check.stdout);
    assert_eq!(check.stdout, "");
}
