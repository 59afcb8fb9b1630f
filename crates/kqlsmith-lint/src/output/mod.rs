//! Printing diagnostics: rustc-style text for people, JSON and SARIF for machines, and
//! workflow commands for GitHub Actions.

mod github;
mod human;
mod json;
mod sarif;

pub use github::github;
pub use human::{human, summary};
pub use json::json;
pub use sarif::sarif;

use crate::diagnostic::{Diagnostic, Severity};

/// The diagnostics of one linted file, with the text they point into.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file's path as the user gave it (or `-` for standard input).
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Things worth saying that are not findings, e.g. which platform was inferred.
    pub notes: Vec<String>,
}

impl FileReport {
    /// How many diagnostics of this severity the file has.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// A 1-based line and column (in characters) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The position of byte `offset` in `source` (clamped to the text, and back to the start of
/// a character). A column counts characters, so it matches what editors show.
pub fn position(source: &str, offset: usize) -> Position {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(position(text, 3), Position { line: 2, column: 1 });
        // `d` is byte 7 (é is two bytes) and character 4 of its line.
        assert_eq!(position(text, 7), Position { line: 2, column: 4 });
        // Inside `é`: moves back to its start; past the end: clamped.
        assert_eq!(position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(position(text, 99), Position { line: 3, column: 1 });
    }
}
