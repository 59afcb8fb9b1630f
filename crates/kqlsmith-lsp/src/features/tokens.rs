//! `textDocument/semanticTokens/full` and `/range`: every query's comments and strings (from
//! the lexer), its names (from the binder: columns, tables, functions, `let` names,
//! parameters), and, in the code between them, numbers, keywords and operators.
//!
//! Tokens are sent in the protocol's relative encoding: five numbers a token (line delta,
//! start delta on the same line, length, type, modifiers), positions in the client's encoding.
//! A token never spans lines (clients need not support that), so a multi-line string or a
//! string across a YAML block's lines is sent one line at a time.

use std::ops::Range;

use kqlsmith_syntax::TokenKind;
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

use crate::document::Document;
use crate::semantics::{NameKind, Semantics};
use crate::settings::Settings;

/// The kinds of token, in the legend's order (a token's type is its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Operator,
    String,
    Number,
    Comment,
    Column,
    Table,
    Function,
    Variable,
    Parameter,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::Keyword,
        Kind::Operator,
        Kind::String,
        Kind::Number,
        Kind::Comment,
        Kind::Column,
        Kind::Table,
        Kind::Function,
        Kind::Variable,
        Kind::Parameter,
    ];

    /// The protocol's standard name for the kind: a column is a `property` of its rows, a
    /// table a `class` of them.
    pub fn lsp(self) -> SemanticTokenType {
        match self {
            Kind::Keyword => SemanticTokenType::KEYWORD,
            Kind::Operator => SemanticTokenType::OPERATOR,
            Kind::String => SemanticTokenType::STRING,
            Kind::Number => SemanticTokenType::NUMBER,
            Kind::Comment => SemanticTokenType::COMMENT,
            Kind::Column => SemanticTokenType::PROPERTY,
            Kind::Table => SemanticTokenType::CLASS,
            Kind::Function => SemanticTokenType::FUNCTION,
            Kind::Variable => SemanticTokenType::VARIABLE,
            Kind::Parameter => SemanticTokenType::PARAMETER,
        }
    }

    fn index(self) -> u32 {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u32
    }
}

/// The bytes operators are written with (`|`, `==`, `=~`, `!has` starts with `!`, ...).
const OPERATOR_BYTES: &[u8] = b"=!<>~|+-*/%:?&^";

/// The one modifier: the name is declared here (`let X`, `extend X =`, a parameter).
const DECLARATION: u32 = 1;

/// The legend `initialize` advertises.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: Kind::ALL.iter().map(|k| k.lsp()).collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

/// A token in document bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    range: Range<usize>,
    kind: Kind,
    declaration: bool,
}

/// The tokens of the document, or of the part of it in `within` (document bytes).
pub fn semantic_tokens(
    document: &Document,
    settings: &[Settings],
    within: Option<Range<usize>>,
) -> SemanticTokens {
    let mut tokens = Vec::new();
    for (region, settings) in document.regions().iter().zip(settings) {
        let range = region.range();
        if let Some(w) = &within
            && (w.end < range.start || range.end < w.start)
        {
            continue;
        }
        let semantics = Semantics::new(region.text(), &settings.linter);
        for token in query_tokens(&semantics) {
            tokens.push(Token {
                range: region.to_document(token.range),
                ..token
            });
        }
    }
    if let Some(w) = &within {
        tokens.retain(|t| t.range.start < w.end && w.start < t.range.end);
    }
    SemanticTokens {
        result_id: None,
        data: encode(document, &tokens),
    }
}

/// The tokens of one query, in query bytes, in order and not overlapping.
fn query_tokens(semantics: &Semantics<'_>) -> Vec<Token> {
    let text = semantics.text();
    let mut tokens: Vec<Token> = kqlsmith_syntax::tokens(text)
        .into_iter()
        .map(|t| Token {
            range: t.span.start..t.span.end,
            kind: match t.kind {
                TokenKind::Comment => Kind::Comment,
                TokenKind::String(_) => Kind::String,
            },
            declaration: false,
        })
        .collect();
    let names = semantics.names();
    let mut code = Vec::new();
    let mut at = 0;
    for skipped in tokens.iter().map(|t| t.range.clone()).collect::<Vec<_>>() {
        code.extend(code_tokens(
            text,
            at..skipped.start,
            &names,
            semantics.parses(),
        ));
        at = skipped.end;
    }
    code.extend(code_tokens(
        text,
        at..text.len(),
        &names,
        semantics.parses(),
    ));
    tokens.extend(code);
    tokens.sort_by_key(|t| t.range.start);
    tokens
}

/// The tokens of code (no strings, no comments) in `range`: the binder's names, numbers,
/// and, when the query parses, the other words as keywords and punctuation as operators.
fn code_tokens(
    text: &str,
    range: Range<usize>,
    names: &[crate::semantics::Name],
    parses: bool,
) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let b = bytes[i];
        if b.is_ascii_alphabetic() || b == b'_' || b.is_ascii_digit() {
            let end = word_end(bytes, i, range.end);
            if b.is_ascii_digit() {
                // A number, with a unit or exponent (`1d`, `1.5e3`, `0x1F`).
                let mut end = end;
                while end < range.end
                    && bytes[end] == b'.'
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    end = word_end(bytes, end + 1, range.end);
                }
                out.push(token(i..end, Kind::Number, false));
                i = end;
                continue;
            }
            if let Some(name) = names.iter().find(|n| n.span.start == i) {
                let kind = match name.kind {
                    NameKind::Column => Kind::Column,
                    NameKind::Table => Kind::Table,
                    NameKind::Function => Kind::Function,
                    NameKind::Variable => Kind::Variable,
                    NameKind::Parameter => Kind::Parameter,
                };
                out.push(token(i..name.span.end.max(end), kind, name.declaration));
                i = name.span.end.max(end);
                continue;
            }
            // A keyword, dashes included (`project-away`, `mv-expand`).
            let mut end = end;
            while end + 1 < range.end
                && bytes[end] == b'-'
                && bytes[end + 1].is_ascii_alphabetic()
                && !names.iter().any(|n| n.span.start == end + 1)
            {
                end = word_end(bytes, end + 1, range.end);
            }
            if parses {
                out.push(token(i..end, Kind::Keyword, false));
            }
            i = end;
        } else if OPERATOR_BYTES.contains(&b) {
            let mut end = i + 1;
            while end < range.end && OPERATOR_BYTES.contains(&bytes[end]) {
                end += 1;
            }
            if parses {
                out.push(token(i..end, Kind::Operator, false));
            }
            i = end;
        } else {
            // Spaces, brackets, non-ASCII text: skipped a character at a time.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

fn word_end(bytes: &[u8], start: usize, limit: usize) -> usize {
    let mut end = start;
    while end < limit && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    end
}

fn token(range: Range<usize>, kind: Kind, declaration: bool) -> Token {
    Token {
        range,
        kind,
        declaration,
    }
}

/// The tokens in the protocol's relative encoding, each cut at line breaks.
fn encode(document: &Document, tokens: &[Token]) -> Vec<SemanticToken> {
    let mut data = Vec::new();
    let (mut last_line, mut last_start) = (0u32, 0u32);
    let mut previous_end = 0;
    for t in tokens {
        // A token over another (a host mapping two offsets to one byte) is dropped.
        if t.range.start < previous_end || t.range.is_empty() {
            continue;
        }
        previous_end = t.range.end;
        let mut start = t.range.start;
        while start < t.range.end {
            let line_end = document.text[start..t.range.end]
                .find(['\n', '\r'])
                .map_or(t.range.end, |i| start + i);
            if line_end > start {
                let range = document.range(start..line_end);
                let (line, character) = (range.start.line, range.start.character);
                data.push(SemanticToken {
                    delta_line: line - last_line,
                    delta_start: if line == last_line {
                        character - last_start
                    } else {
                        character
                    },
                    length: range.end.character - character,
                    token_type: t.kind.index(),
                    token_modifiers_bitset: if t.declaration { DECLARATION } else { 0 },
                });
                (last_line, last_start) = (line, character);
            }
            // Past the line break (`\r\n` is one).
            start = line_end;
            while start < t.range.end && matches!(document.text.as_bytes()[start], b'\n' | b'\r') {
                start += 1;
            }
        }
    }
    data
}
