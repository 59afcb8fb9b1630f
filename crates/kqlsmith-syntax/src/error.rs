//! Parse errors: where (byte span, line, column) and what (found X, expected Y, in words).

use std::borrow::Cow;

use serde::Serialize;

use crate::span::{LineIndex, Span};

/// Why a text is not valid KQL.
///
/// `line` and `column` are 1-based (the column counts characters) and locate `span.start`.
/// `message` says what was found and what was expected, in words:
/// ``found `)`, expected an expression``. It holds no control character: those the input
/// had are escaped (see [`printable`]).
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
            message: printable(&message.into()).into_owned(),
        }
    }
}

/// `text` safe to show on a terminal: control characters (an ESC byte that would start a
/// terminal escape sequence, a carriage return that would overwrite the line) and the
/// invisible characters that reorder or hide text (bidirectional overrides, zero-width
/// characters, the byte-order mark) are written as escapes such as `\u{1b}` and `\t`.
///
/// ```
/// assert_eq!(kqlsmith_syntax::printable("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\\tc");
/// assert_eq!(kqlsmith_syntax::printable("Timestamp"), "Timestamp");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if hidden(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
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
