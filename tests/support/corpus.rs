//! The public corpus of KQL queries, for the tests and benchmarks of every crate: the folder
//! `$KQLSMITH_CORPUS`, else `../shared/corpus` beside the workspace. Each crate includes this
//! file with `#[path]`, so there is one reader of the manifest and no test-only crate.
//!
//! When the corpus is absent, [`entries`] says SKIPPED on standard error and gives `None`.

#![allow(dead_code)] // Each test or benchmark reads the fields it needs.

use std::path::{Path, PathBuf};

/// A corpus query, with what its manifest row says of it.
pub struct Entry {
    /// The file's path inside the corpus folder.
    pub file: String,
    /// The file of its source repository it was extracted from (a Markdown file or a `.kql`).
    pub source: String,
    /// The query (bytes that are not UTF-8 replaced).
    pub text: String,
    /// `defender`, `sentinel` or another guess of the platform it was written for.
    pub dialect: String,
    /// Whether Microsoft's parser accepts it.
    pub oracle_ok: bool,
    /// Microsoft's parser's first error, when it rejects it.
    pub oracle_error: String,
}

impl Entry {
    /// `defender` or `sentinel` when the manifest names one of them.
    pub fn platform(&self) -> Option<&'static str> {
        match self.dialect.as_str() {
            "defender" => Some("defender"),
            "sentinel" => Some("sentinel"),
            _ => None,
        }
    }
}

/// The corpus folder: `$KQLSMITH_CORPUS`, else the nearest `../shared/corpus` above the crate.
pub fn dir() -> Option<PathBuf> {
    let found = match std::env::var_os("KQLSMITH_CORPUS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|folder| folder.join("../shared/corpus"))
            .find(|dir| dir.join("manifest.tsv").is_file()),
    };
    match found {
        Some(dir) if dir.join("manifest.tsv").is_file() => Some(dir),
        _ => {
            let missing =
                "no KQL corpus (../shared/corpus beside the workspace; set KQLSMITH_CORPUS)";
            if on_ci() {
                panic!("{missing}: CI runs the corpus tests, so the corpus must be there");
            }
            // Written to the process's standard error itself, not through `eprintln!`, which
            // the test harness captures (and hides for a passing test).
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "SKIPPED: {missing}");
            None
        }
    }
}

/// Whether the tests run on CI: `CI` is set to anything but `false` or `0`.
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Every query the manifest lists, in its order.
pub fn entries() -> Option<Vec<Entry>> {
    let dir = dir()?;
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
    let (file, source, dialect, ok, error) = (
        column("file"),
        column("source_path"),
        column("dialect_guess"),
        column("oracle_syntax_ok"),
        column("oracle_first_error"),
    );
    let entries = lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| fields.get(i).copied().unwrap_or_default().to_string();
            let bytes = std::fs::read(dir.join(fields[file])).expect("corpus file is readable");
            Entry {
                file: field(file),
                source: field(source),
                text: String::from_utf8_lossy(&bytes).into_owned(),
                dialect: field(dialect),
                oracle_ok: fields.get(ok) == Some(&"yes"),
                oracle_error: field(error),
            }
        })
        .collect();
    Some(entries)
}
