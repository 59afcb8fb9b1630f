//! Every hunt that `kqlsmith render` produces lints clean on its own platform; the classic
//! profile (the published hunt as published) shows the published defects.
//!
//! Runs the binary's `render` subcommand; where the binary has none, says SKIPPED.

use std::path::{Path, PathBuf};
use std::process::Command;

fn kqlsmith(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(args)
        .output()
        .unwrap()
}

/// The shipped hunt profiles (`profiles/hunts/*.toml`).
fn profiles() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/hunts");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// One rendered file, linted on its own platform.
struct Linted {
    /// The profile's file stem, e.g. `internal-connections-classic`.
    profile: String,
    /// The rendered file's name, `<hunt>.<platform>.kql`.
    file: String,
    status: Option<i32>,
    codes: Vec<String>,
}

/// Renders every shipped profile for every platform and lints each file, or says SKIPPED and
/// returns `None` where the binary has no `render`.
fn lint_rendered() -> Option<Vec<Linted>> {
    if !kqlsmith(&["render", "--help"]).status.success() || profiles().is_empty() {
        eprintln!("SKIPPED: this build has no `kqlsmith render` or no hunt profiles");
        return None;
    }
    let mut results = Vec::new();
    for profile in profiles() {
        let stem = profile.file_stem().unwrap().to_str().unwrap().to_string();
        let out = std::env::temp_dir().join(format!(
            "kqlsmith-hunts-{}-{stem}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&out).unwrap();
        let rendered = kqlsmith(&[
            "render",
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            rendered.status.success(),
            "{stem}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{stem}: nothing rendered");
        for file in files {
            // `<hunt>.<platform>.kql`
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let platform = name.rsplit('.').nth(1).unwrap().to_string();
            let linted = kqlsmith(&[
                "lint",
                "--platform",
                &platform,
                "--format",
                "json",
                file.to_str().unwrap(),
            ]);
            let items: serde_json::Value = serde_json::from_slice(&linted.stdout).unwrap();
            let codes = items
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_string())
                .collect();
            results.push(Linted {
                profile: stem.clone(),
                file: name,
                status: linted.status.code(),
                codes,
            });
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
    Some(results)
}

#[test]
fn rendered_hunts_have_no_error_on_their_own_platform() {
    let Some(results) = lint_rendered() else {
        return;
    };
    for r in results {
        assert_eq!(r.status, Some(0), "{}: {:?}", r.file, r.codes);
    }
}

#[test]
fn the_classic_hunt_shows_the_published_defects() {
    let Some(results) = lint_rendered() else {
        return;
    };
    let classic: Vec<_> = results
        .iter()
        .filter(|r| r.profile.ends_with("classic"))
        .collect();
    assert!(!classic.is_empty(), "no classic profile rendered");
    for r in classic {
        // `extract` over `tostring(IPAddresses)`; `DeviceName == CompromisedDevice`.
        for defect in ["KQL203", "KQL202"] {
            assert!(
                r.codes.iter().any(|c| c == defect),
                "{}: {defect} missing from {:?}",
                r.file,
                r.codes
            );
        }
    }
}

#[test]
fn hardened_hunts_have_no_findings_at_all() {
    let Some(results) = lint_rendered() else {
        return;
    };
    for r in results.iter().filter(|r| !r.profile.ends_with("classic")) {
        assert!(r.codes.is_empty(), "{}: {:?}", r.file, r.codes);
    }
}
