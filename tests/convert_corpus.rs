//! The converter over every public corpus query that parses: the converted text parses, only
//! names change, a Defender query converted to Sentinel gets no foreign time column finding
//! (KQL401) it did not have unless the converter reported one, and a Defender query that uses
//! only Defender's names (no unknown table or column), converted to Sentinel without findings
//! and back, is the query it was.

use kqlsmith::lint::convert::convert;
use kqlsmith::lint::{Config, Linter, Platform};

#[path = "support/corpus.rs"]
mod corpus;

#[test]
fn conversions_parse_change_only_names_and_round_trip() {
    let Some(entries) = corpus::entries() else {
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
    let time_only = |platform: &Platform| {
        let config = Config::parse(
            "[lint]\nselect = [\"foreign-time-column\"]\n",
            std::path::Path::new("kqlsmith.toml"),
        )
        .unwrap();
        Linter::new(platform.clone(), config)
    };
    let (time_on_defender, time_on_sentinel) = (time_only(&defender), time_only(&sentinel));
    let mut time_checked = 0;
    let (mut converted, mut changed, mut with_findings, mut round_trips, mut defender_clean) =
        (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for entry in &entries {
        let (from, to) = match entry.platform() {
            Some("defender") => (&defender, &sentinel),
            Some(_) => (&sentinel, &defender),
            None => continue,
        };
        let (file, source) = (&entry.file, &entry.text);
        if kqlsmith::syntax::parse(source).is_err() {
            continue;
        }
        let conversion = match convert(source, from, to) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
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
                failures.push(format!("{file}: `{old}` -> `{}`", edit.replacement));
            }
        }
        if from.name == "defender" && !conversion.diagnostics.iter().any(|d| d.code == "KQL401") {
            time_checked += 1;
            let before = time_on_defender.lint(source).len();
            let after = time_on_sentinel.lint(&conversion.text).len();
            if after > before {
                failures.push(format!(
                    "{file}: {after} KQL401 on Sentinel after converting, {before} before"
                ));
            }
        }
        if from.name == "defender"
            && conversion.diagnostics.is_empty()
            && names_checker.lint(source).is_empty()
        {
            defender_clean += 1;
            match convert(&conversion.text, to, from) {
                Ok(back) if back.text == *source => round_trips += 1,
                Ok(back) => failures.push(format!(
                    "{file}: does not round trip:\n{source}\n---\n{}",
                    back.text
                )),
                Err(e) => failures.push(format!("{file}: back: {e}")),
            }
        }
    }
    println!(
        "convert over the corpus: {converted} queries converted ({changed} changed, \
         {with_findings} with findings); {round_trips} of {defender_clean} Defender queries \
         with known names and without findings convert to Sentinel and back unchanged; \
         {time_checked} Defender queries checked for new KQL401 findings on Sentinel"
    );
    for failure in &failures {
        println!("FAIL {failure}");
    }
    assert!(converted > 900, "{converted}");
    assert!(time_checked > 250, "{time_checked}");
    assert!(failures.is_empty(), "{} failures", failures.len());
}
