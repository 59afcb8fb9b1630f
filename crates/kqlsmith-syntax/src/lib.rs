//! KQL syntax: the one lexer ([`tokens`]: comments and string literals), the pest grammar, a typed AST with byte spans, parse errors and the printer.
//!
//! ```
//! use kqlsmith_syntax::{parse, ast::*};
//!
//! let script = parse("DeviceNetworkEvents // recent\n| where Timestamp > ago(1d)")?;
//! let Statement::Query(query) = &script.statements[0] else { unreachable!() };
//! assert!(matches!(query.stages[0].operator, Operator::Where { .. }));
//! assert_eq!(script.comments[0].text, "// recent");
//! // Printing gives KQL that parses back to an equal tree (spans are not compared).
//! assert_eq!(parse(&script.to_string())?, script);
//! # Ok::<(), kqlsmith_syntax::ParseError>(())
//! ```
//!
//! Errors say where and what, in words:
//!
//! ```
//! let error = kqlsmith_syntax::parse("T | where").unwrap_err();
//! assert_eq!((error.line, error.column), (1, 10));
//! assert_eq!(error.message, "found end of input, expected an expression");
//! ```

pub mod ast;
mod error;
pub mod format;
mod literal;
mod parser;
mod print;
mod scan;
mod span;
pub mod visit;

/// The public corpus, for the unit tests that compare two ways of doing the same thing.
#[cfg(test)]
#[path = "../../../tests/support/corpus.rs"]
mod corpus;

pub use ast::Script;
pub use error::{ParseError, printable};
pub use literal::{decode_string_literal, quote_string};
pub use scan::{MAX_NESTING, StringForm, Token, TokenKind, code_words, tokens};
pub use span::{LineIndex, Span};

/// Parses a KQL text: statements separated by `;` (`let`, `set`, `declare
/// query_parameters`, queries).
///
/// Any input gives a tree or an error, never a panic: brackets nested deeper than
/// [`MAX_NESTING`] levels are refused before parsing, and so are expressions nested deeper
/// than a fixed limit. Flat chains (`a or b or ...`, `x + y + ...`) of any length parse.
pub fn parse(source: &str) -> Result<Script, ParseError> {
    parser::parse(source)
}
