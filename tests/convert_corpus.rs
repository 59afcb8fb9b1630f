//! The converter over every public corpus query that parses: the converted text parses, only
//! names change, and a Defender query that uses only Defender's names (no unknown table or
//! column), converted to Sentinel without findings and back, is the query it was.

use std::path::PathBuf;

use kqlsmith::lint::convert::convert;
use kqlsmith::lint::{Config, Linter, Platform};

/// The corpus folder: `$KQLSMITH_CORPUS`, or `../shared/corpus` beside the workspace root.
fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KQLSMITH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    if dir.join("manifest.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: no KQL corpus at {} (set KQLSMITH_CORPUS)",
            dir.display()
        );
        None
    }
}

#[test]
fn conversions_parse_change_only_names_and_round_trip() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let defender = Platform::builtin("defender").unwrap();
    let sentinel = Platform::builtin("sentinel").unwrap();
    let names_only = Config::parse(
        "[lint]\nselect = [\"unknown-table\", \"unknown-column\"]\n",
        std::path::Path::new("kqlsmith.toml"),
    )
    .unwrap();
    let names_checker = Linter::new(defender.clone(), names_only);
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let mut header = manifest.lines().next().unwrap().split('\t');
    let guess = header
        .position(|h| h == "dialect_guess")
        .expect("dialect_guess column");
    let (mut converted, mut changed, mut with_findings, mut round_trips, mut defender_clean) =
        (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (from, to) = match fields[guess] {
            "defender" => (&defender, &sentinel),
            "sentinel" => (&sentinel, &defender),
            _ => continue,
        };
        let bytes = std::fs::read(dir.join(fields[0])).unwrap();
        let source = String::from_utf8_lossy(&bytes);
        if kqlsmith::syntax::parse(&source).is_err() {
            continue;
        }
        let conversion = match convert(&source, from, to) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{}: {e}", fields[0]));
                continue;
            }
        };
        converted += 1;
        changed += usize::from(!conversion.edits.is_empty());
        with_findings += usize::from(!conversion.diagnostics.is_empty());
        // Every edit replaces a name with a name.
        for edit in &conversion.edits {
            let old = &source[edit.range.clone()];
            let is_name = |s: &str| {
                s.chars()
                    .all(|c| c.is_alphanumeric() || "_[]'\" ".contains(c))
            };
            if !is_name(old) || !is_name(&edit.replacement) {
                failures.push(format!("{}: `{old}` -> `{}`", fields[0], edit.replacement));
            }
        }
        if from.name == "defender"
            && conversion.diagnostics.is_empty()
            && names_checker.lint(&source).is_empty()
        {
            defender_clean += 1;
            match convert(&conversion.text, to, from) {
                Ok(back) if back.text == source => round_trips += 1,
                Ok(back) => failures.push(format!(
                    "{}: does not round trip:\n{}\n---\n{}",
                    fields[0], source, back.text
                )),
                Err(e) => failures.push(format!("{}: back: {e}", fields[0])),
            }
        }
    }
    println!(
        "convert over the corpus: {converted} queries converted ({changed} changed, \
         {with_findings} with findings); {round_trips} of {defender_clean} Defender queries \
         with known names and without findings convert to Sentinel and back unchanged"
    );
    for failure in &failures {
        println!("FAIL {failure}");
    }
    assert!(converted > 900, "{converted}");
    assert!(failures.is_empty(), "{} failures", failures.len());
}
