//! Parse errors: where (byte span, line, column) and what (found X, expected Y, in words).

use serde::Serialize;

use crate::span::{LineIndex, Span};

/// Why a text is not valid KQL.
///
/// `line` and `column` are 1-based (the column counts characters) and locate `span.start`.
/// `message` says what was found and what was expected, in words:
/// ``found `)`, expected an expression``.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn at(index: &LineIndex<'_>, span: Span, message: impl Into<String>) -> Self {
        let (line, column) = index.line_col(span.start);
        ParseError {
            span,
            line,
            column,
            message: message.into(),
        }
    }
}

/// Words for what stands at `offset`: a quoted token, or "end of input".
pub(crate) fn describe_found(source: &str, offset: usize) -> (String, Span) {
    let rest = source.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return (
            "end of input".to_string(),
            Span::new(source.len(), source.len()),
        );
    };
    let len = if first.is_alphanumeric() || first == '_' || first == '$' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '-'))
            .unwrap_or(rest.len())
    } else if first == '\n' || first == '\r' {
        return (
            "end of line".to_string(),
            Span::new(offset, offset + first.len_utf8()),
        );
    } else {
        let two = rest.get(..2).unwrap_or("");
        if ["==", "!=", "<>", "<=", ">=", "=~", "!~", "=>", "..", "//"].contains(&two) {
            2
        } else {
            first.len_utf8()
        }
    };
    // At most 40 characters (not bytes: a byte cut could split a character).
    let token: String = rest[..len].chars().take(40).collect();
    (format!("`{token}`"), Span::new(offset, offset + len))
}
