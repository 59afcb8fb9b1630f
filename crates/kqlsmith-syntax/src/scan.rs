//! A lexical pass over the source, run outside pest: it skips string literals and finds
//! comments and bracket nesting.
//!
//! Nesting is checked before pest runs because the parser, the tree conversion, and every
//! recursive walk over the tree (printing, dropping, comparing) recurse once a level: a
//! bounded depth is what makes any input safe from stack overflow.

use crate::ast::Comment;
use crate::span::Span;

/// Brackets (`(`, `[`, `{`) nested deeper than this are refused before parsing.
pub const MAX_NESTING: usize = 64;

/// A run of prefix signs (`- - - x`) longer than this is refused: each sign is a level.
const MAX_SIGNS: usize = 64;

/// Where the source nests too deeply: the byte offset of the opening that goes too deep.
pub(crate) fn check_nesting(source: &str) -> Result<(), usize> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut signs = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(end) = skip_trivia_or_string(bytes, i) {
            if !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/') {
                signs = 0;
            }
            i = end;
            continue;
        }
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if b == b'-' || b == b'+' {
            signs += 1;
            if signs > MAX_SIGNS {
                return Err(i);
            }
        } else if !b.is_ascii_whitespace() {
            signs = 0;
        }
        i += 1;
    }
    Ok(())
}

/// The `//` comments of the source, in order.
pub(crate) fn comments(source: &str) -> Vec<Comment> {
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match skip_trivia_or_string(bytes, i) {
            Some(end) => {
                if bytes[i] == b'/' {
                    found.push(Comment {
                        text: source[i..end].trim_end_matches('\r').to_string(),
                        span: Span::new(i, end),
                    });
                }
                i = end;
            }
            None => i += 1,
        }
    }
    found
}

/// If a comment or a string literal starts at `i`, the offset just past it.
fn skip_trivia_or_string(bytes: &[u8], i: usize) -> Option<usize> {
    let b = bytes[i];
    let rest = &bytes[i..];
    if rest.starts_with(b"//") {
        return Some(
            rest.iter()
                .position(|&c| c == b'\n')
                .map_or(bytes.len(), |p| i + p),
        );
    }
    if rest.starts_with(b"```") || rest.starts_with(b"~~~") {
        let fence = &rest[..3];
        let end = rest[3..].windows(3).position(|w| w == fence);
        return Some(end.map_or(bytes.len(), |p| i + 3 + p + 3));
    }
    if b != b'\'' && b != b'"' {
        return None;
    }
    let verbatim = i > 0 && bytes[i - 1] == b'@';
    let mut j = i + 1;
    while j < bytes.len() {
        let c = bytes[j];
        if c == b'\\' && !verbatim {
            j += 2;
            continue;
        }
        if c == b'\n' {
            return Some(j);
        }
        if c == b {
            return Some(j + 1);
        }
        j += 1;
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        let src = "T // one\n| where x == \"http://a\" // two\n| where y == @'c:\\' // three";
        let texts: Vec<_> = comments(src).into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["// one", "// two", "// three"]);
    }

    #[test]
    fn bounds_bracket_nesting_outside_strings() {
        assert!(check_nesting(&"(".repeat(MAX_NESTING)).is_ok());
        assert_eq!(
            check_nesting(&"(".repeat(MAX_NESTING + 1)),
            Err(MAX_NESTING)
        );
        assert!(check_nesting(&format!("print '{}'", "(".repeat(1000))).is_ok());
        assert!(check_nesting(&format!("print {}1", "- ".repeat(1000))).is_err());
    }
}
