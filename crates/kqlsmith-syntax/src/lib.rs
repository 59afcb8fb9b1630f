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

/// Whether `source` parses, with [`parse`]'s error if not, in a fraction of the memory: a
/// big text is read a piece at a time (a statement, a pipe stage, an operand of a long `or`
/// chain, an item of a long `in (...)` list) and each piece's tree is dropped once built.
///
/// ```
/// assert!(kqlsmith_syntax::check("T | where A == 1").is_ok());
/// let error = kqlsmith_syntax::check("T | where").unwrap_err();
/// assert_eq!(error, kqlsmith_syntax::parse("T | where").unwrap_err());
/// ```
pub fn check(source: &str) -> Result<(), ParseError> {
    parser::check(source)
}

/// Whether [`parse_streaming`] reads `source` piece by piece, handing its statements and
/// stages over (else it parses it whole and hands nothing over).
pub fn is_read_in_pieces(source: &str) -> bool {
    parser::big(source)
}

/// What [`parse_streaming`] hands over, in the text's order.
// Moved once into the consumer, never stored: a box would cost an allocation a stage.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Streamed<'t> {
    /// The statement with this index, as soon as it is read up to its first top-level stage
    /// (whole, when it has none). The tree returned holds it too, without the stages handed
    /// after it; a `let` statement's span already covers them.
    Statement {
        statement: usize,
        head: &'t ast::Statement,
    },
    /// The next stage of the statement with this index (among the script's statements).
    Stage { statement: usize, stage: ast::Stage },
    /// The next operator and operand of a long chain (`where a or b or ...`) of the stage
    /// just handed over, which holds the chain's first operand: linked to it as the parser
    /// links them ([`ast::Stage::link_operand`]).
    Operand {
        statement: usize,
        op: ast::BinaryOp,
        operand: ast::Expr,
    },
    /// The next item of a long `in (...)` list of the stage just handed over, which holds the
    /// list's first item: the list that ends at byte `list_end`
    /// ([`ast::Stage::in_list_ending_at`]).
    Item {
        statement: usize,
        list_end: usize,
        item: ast::Expr,
        /// How many items follow this one (so that the list can be sized once).
        after: usize,
    },
    /// The stages handed so far are void: the pieces of a big text did not fit (an error,
    /// or a shape they do not take), so it is read again in one go, and the tree returned
    /// holds every stage.
    Restart,
}

/// Parses like [`parse`], but a big text's top-level pipe stages (`| where ...`) are handed
/// to `on_stage` one by one as soon as each is built, instead of being kept in the tree: a
/// consumer that turns each stage into something smaller never holds the tree of the whole
/// text. Each statement is shown to it first ([`Streamed::Statement`]), so that it can follow
/// the text in order. The statements returned lack the stages handed over (their spans still cover
/// them); those of statement `i` follow the stages its tree holds. Small texts are parsed
/// whole and nothing is handed over.
///
/// ```
/// use kqlsmith_syntax::{Streamed, ast::Statement};
///
/// let text = format!("T\n{}", "| where A != 1\n".repeat(10_000));
/// let mut handed = 0;
/// let script = kqlsmith_syntax::parse_streaming(&text, |event| match event {
///     Streamed::Stage { statement, .. } => handed += 1 + statement,
///     Streamed::Statement { .. } | Streamed::Operand { .. } | Streamed::Item { .. } => {}
///     Streamed::Restart => handed = 0,
/// })?;
/// let Statement::Query(query) = &script.statements[0] else { unreachable!() };
/// assert_eq!(handed + query.stages.len(), 10_000);
/// # Ok::<(), kqlsmith_syntax::ParseError>(())
/// ```
pub fn parse_streaming(
    source: &str,
    mut on_stage: impl FnMut(Streamed<'_>),
) -> Result<Script, ParseError> {
    parser::parse_streaming(source, &mut on_stage)
}
