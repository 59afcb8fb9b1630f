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

#[test]
fn rendered_hunts_lint_clean_and_the_classic_one_shows_its_defects() {
    if !kqlsmith(&["render", "--help"]).status.success() || profiles().is_empty() {
        eprintln!("SKIPPED: this build has no `kqlsmith render` or no hunt profiles");
        return;
    }
    for profile in profiles() {
        let stem = profile.file_stem().unwrap().to_str().unwrap().to_string();
        let out =
            std::env::temp_dir().join(format!("kqlsmith-hunts-{}-{stem}", std::process::id()));
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
            let codes: Vec<&str> = items
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["code"].as_str().unwrap())
                .collect();
            if stem.ends_with("classic") {
                assert_eq!(linted.status.code(), Some(0), "{name}: {codes:?}");
                for defect in ["KQL203", "KQL202"] {
                    assert!(
                        codes.contains(&defect),
                        "{name}: {defect} missing from {codes:?}"
                    );
                }
            } else {
                assert!(
                    codes.is_empty(),
                    "{name} is not clean: {}",
                    serde_json::to_string_pretty(&items).unwrap()
                );
                assert_eq!(linted.status.code(), Some(0));
            }
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
}
