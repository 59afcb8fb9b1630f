//! Shared by the tests: where the public corpus is, and its labelled files.

use std::path::PathBuf;

/// The corpus folder: `$KQLSMITH_CORPUS`, or `../shared/corpus` beside the workspace root.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KQLSMITH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
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

/// A corpus query and whether Microsoft's parser accepts it.
#[allow(dead_code)] // Each test crate reads the fields it needs.
pub struct Entry {
    pub file: String,
    pub text: String,
    pub oracle_ok: bool,
    pub oracle_error: String,
}

pub fn corpus() -> Option<Vec<Entry>> {
    let dir = corpus_dir()?;
    let manifest =
        std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest.tsv is readable");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("manifest has a header")
        .split('\t')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("manifest has no {name} column"))
    };
    let (file, ok, error) = (
        column("file"),
        column("oracle_syntax_ok"),
        column("oracle_first_error"),
    );
    let entries = lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let bytes = std::fs::read(dir.join(fields[file])).expect("corpus file is readable");
            Entry {
                file: fields[file].to_string(),
                text: String::from_utf8_lossy(&bytes).into_owned(),
                oracle_ok: fields[ok] == "yes",
                oracle_error: fields.get(error).unwrap_or(&"").to_string(),
            }
        })
        .collect();
    Some(entries)
}
