//! Inline suppression comments.
//!
//! - `// kqlsmith: ignore KQL301` at the end of a line silences those rules on that line;
//!   on a line of its own, on the next line. Several codes or names may be given, separated
//!   by spaces or commas; with none, every rule is silenced there.
//! - `// kqlsmith: ignore-file KQL303` anywhere silences those rules (or, with none, every
//!   rule) in the whole file.
//!
//! A finding belongs to the line its primary span starts on.

use crate::diagnostic::Diagnostic;
use crate::rules::{self, RuleInfo};

/// What a directive silences.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Codes {
    All,
    Some(Vec<&'static str>),
}

impl Codes {
    fn covers(&self, code: &str) -> bool {
        match self {
            Codes::All => true,
            Codes::Some(codes) => codes.contains(&code),
        }
    }
}

/// The suppressions of one source text.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// `(0-based line, codes)`.
    lines: Vec<(usize, Codes)>,
    file: Vec<Codes>,
}

impl Suppressions {
    /// Finds the directives in the comments of `source`.
    pub fn parse(source: &str) -> Suppressions {
        let mut found = Suppressions::default();
        for comment in comments(source) {
            let text = source[comment.clone()].trim_start_matches('/').trim();
            let Some(rest) = text.strip_prefix("kqlsmith:") else {
                continue;
            };
            let rest = rest.trim();
            let (file_wide, list) = if let Some(list) = rest.strip_prefix("ignore-file") {
                (true, list)
            } else if let Some(list) = rest.strip_prefix("ignore") {
                (false, list)
            } else {
                continue;
            };
            let codes = parse_codes(list);
            if file_wide {
                found.file.push(codes);
                continue;
            }
            let line = source[..comment.start].matches('\n').count();
            let line_start = source[..comment.start].rfind('\n').map_or(0, |i| i + 1);
            let alone = source[line_start..comment.start].trim().is_empty();
            found
                .lines
                .push((if alone { line + 1 } else { line }, codes));
        }
        found
    }

    /// Whether the diagnostic is silenced.
    pub fn suppresses(&self, source: &str, diagnostic: &Diagnostic) -> bool {
        if self.file.iter().any(|c| c.covers(diagnostic.code)) {
            return true;
        }
        if self.lines.is_empty() {
            return false;
        }
        let start = diagnostic.range.start.min(source.len());
        let line = source.as_bytes()[..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.lines
            .iter()
            .any(|(l, codes)| *l == line && codes.covers(diagnostic.code))
    }
}

fn parse_codes(list: &str) -> Codes {
    let words: Vec<&str> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Codes::All;
    }
    let all = rules::all();
    Codes::Some(
        words
            .iter()
            .flat_map(|w| rules::select(all, w).unwrap_or_default())
            .map(|r: &RuleInfo| r.code)
            .collect(),
    )
}

/// The byte ranges of the `//` comments of `source`, as the lexer finds them.
fn comments(source: &str) -> impl Iterator<Item = std::ops::Range<usize>> {
    kqlsmith_syntax::tokens(source)
        .into_iter()
        .filter(|t| t.kind == kqlsmith_syntax::TokenKind::Comment)
        .map(|t| t.span.start..t.span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(code: &str, at: usize) -> Diagnostic {
        Diagnostic::new(
            rules::find(rules::all(), code).unwrap(),
            at..at + 1,
            String::new(),
        )
    }

    #[test]
    fn a_comment_alone_covers_the_next_line_a_trailing_one_its_own() {
        let source = "T\n// kqlsmith: ignore KQL301\n| where a contains \"x\"\n\
                      | where b contains \"y\" // kqlsmith: ignore contains-operator, KQL402\n\
                      | where c contains \"z\"\n";
        let s = Suppressions::parse(source);
        let at = |needle: &str| source.find(needle).unwrap();
        assert!(s.suppresses(source, &diagnostic("KQL301", at("a contains"))));
        assert!(!s.suppresses(source, &diagnostic("KQL201", at("a contains"))));
        assert!(s.suppresses(source, &diagnostic("KQL301", at("b contains"))));
        assert!(s.suppresses(source, &diagnostic("KQL402", at("b contains"))));
        assert!(!s.suppresses(source, &diagnostic("KQL301", at("c contains"))));
    }

    #[test]
    fn file_directives_and_bare_ignores() {
        let source = "// kqlsmith: ignore-file KQL3\nT\n| take 1 // kqlsmith: ignore\n";
        let s = Suppressions::parse(source);
        assert!(s.suppresses(source, &diagnostic("KQL303", 31)));
        assert!(!s.suppresses(source, &diagnostic("KQL101", 30)));
        let take = source.find("take").unwrap();
        assert!(s.suppresses(source, &diagnostic("KQL101", take)));
    }

    #[test]
    fn comment_markers_inside_strings_are_not_comments() {
        let source = "T | where a == \"// kqlsmith: ignore\" and b == @'c:\\' // real\n";
        let found: Vec<_> = comments(source).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(&source[found[0].clone()], "// real");
        assert!(Suppressions::parse(source).lines.is_empty());
    }

    /// A directive inside a multi-line string is text, not a comment: it silences nothing.
    #[test]
    fn directives_inside_multi_line_strings_are_not_comments() {
        for fence in ["~~~", "```"] {
            let source = format!(
                "T\n| extend Banner = {fence}\n// kqlsmith: ignore-file\n{fence}\n| where a contains \"x\"\n"
            );
            let s = Suppressions::parse(&source);
            assert!(s.file.is_empty(), "{fence}");
            let at = source.find("a contains").unwrap();
            assert!(!s.suppresses(&source, &diagnostic("KQL301", at)), "{fence}");
        }
    }
}
