//! Every rule against its fixtures (`tests/fixtures/<rule_name>/*.kql`, PRQL-style): a file
//! named `bad*` must raise the rule, a file named `good*` must not; the full human output of
//! every file is snapshotted for review. A fixture's first line names its platform:
//! `// platform: defender`.

use std::path::Path;

use kqlsmith_lint::output::{self, FileReport};
use kqlsmith_lint::{Applicability, Config, Linter, Platform, rules};

fn rule_of_folder(path: &Path) -> &'static rules::RuleInfo {
    let folder = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    rules::all()
        .iter()
        .copied()
        .find(|r| r.name.replace('-', "_") == folder)
        .unwrap_or_else(|| panic!("fixture folder `{folder}` names no rule"))
}

fn linter_for(source: &str) -> Linter {
    let platform = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// platform: "))
        .expect("a fixture starts with `// platform: NAME`");
    Linter::new(Platform::builtin(platform.trim()).unwrap(), Config::new())
}

#[test]
fn rule_fixtures() {
    insta::glob!("fixtures/**/*.kql", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let rule = rule_of_folder(path);
        let linter = linter_for(&source);
        let diagnostics = linter.lint(&source);
        let file = path.file_name().unwrap().to_str().unwrap();
        let hits = diagnostics.iter().filter(|d| d.code == rule.code).count();
        if file.starts_with("bad") {
            assert!(
                hits > 0,
                "{file}: expected {} {}, got {diagnostics:#?}",
                rule.code,
                rule.name
            );
        } else {
            assert_eq!(
                hits, 0,
                "{file}: unexpected {} {}: {diagnostics:#?}",
                rule.code, rule.name
            );
        }

        // Safe fixes resolve what they fix, and the fixed text still parses (or `fix` says
        // why it applied nothing).
        let safe = diagnostics
            .iter()
            .filter(|d| d.code == rule.code)
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == Applicability::Safe)
            })
            .count();
        if safe > 0 {
            let fixed = linter.fix(&source, None).unwrap();
            assert!(
                fixed.applied >= safe,
                "{file}: {} of {safe} applied",
                fixed.applied
            );
            let left = fixed
                .remaining
                .iter()
                .filter(|d| d.code == rule.code)
                .count();
            assert!(left < hits, "{file}: fixes left {left} of {hits}");
        }

        let shown = format!(
            "{}/{file}",
            path.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
        );
        let report = FileReport {
            path: shown,
            source: source.clone(),
            diagnostics,
            notes: Vec::new(),
        };
        insta::assert_snapshot!(output::human(&[report], false));
    });
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for rule in rules::all() {
        let folder = root.join(rule.name.replace('-', "_"));
        let names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap_or_else(|_| panic!("{} has no fixture folder {}", rule.code, folder.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("bad")),
            "{}: no bad fixture",
            rule.code
        );
        assert!(
            names.iter().any(|n| n.starts_with("good")),
            "{}: no good fixture",
            rule.code
        );
    }
}
