//! Parsing a text a piece at a time: each statement, and each pipe stage of a statement, is
//! parsed by pest and converted before the next one. pest keeps every token of a parse (two
//! of 24 to 40 bytes a rule match) until its pairs are dropped, so a big text parsed whole
//! holds about 35 bytes a byte of input; piece by piece, only one piece's tokens are alive.
//!
//! The pieces are cut at the `;` and `|` outside brackets, strings and comments. No rule of
//! the grammar reads a `|` or `;` there except as the end of a statement or the start of a
//! stage, so a piece parses on its own as it does within the whole text. Whatever does not fit
//! (a piece that fails to parse or convert, stages after a `set`) is left to the whole parse,
//! so errors read exactly the same however the text is cut.

use pest::Parser as _;
use pest::iterators::Pairs;

use super::{Converter, KqlParser, Rule};
use crate::ast::*;
use crate::scan;

/// The statements of `input` (the text pest reads, see `scan::pest_input`), or `None` when the
/// text must be parsed whole.
pub(super) fn statements(source: &str, input: &str) -> Option<Vec<Statement>> {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut stage_starts = Vec::new();
    let end_of_text = std::iter::once((input.len(), b';'));
    for (at, separator) in scan::separators(input).chain(end_of_text) {
        if separator == b'|' {
            stage_starts.push(at);
            continue;
        }
        if is_blank(&input[start..at]) {
            // Only a text's last `;` may have nothing after it.
            if at != input.len() || statements.is_empty() {
                return None;
            }
        } else {
            statements.push(statement(source, input, start..at, &stage_starts)?);
        }
        stage_starts.clear();
        start = at + 1;
    }
    Some(statements)
}

/// One statement, `input[range]`, whose top-level stages start at `stage_starts`.
fn statement(
    source: &str,
    input: &str,
    range: std::ops::Range<usize>,
    stage_starts: &[usize],
) -> Option<Statement> {
    let head_end = stage_starts.first().copied().unwrap_or(range.end);
    let head = parse_piece(Rule::statement_piece, input, range.start, head_end)?
        .next()
        .expect("a parsed statement piece holds the statement");
    let statement = Converter::at(source, range.start).statement(head).ok()?;
    if stage_starts.is_empty() {
        return Some(statement);
    }
    // The pipeline the stages continue: a query's, or the one a `let` binds.
    let (mut pipeline, binding) = match statement {
        Statement::Query(query) => (query, None),
        Statement::Let(LetStatement {
            name,
            value: LetValue::Tabular(tabular),
            span,
        }) => (tabular, Some((name, span))),
        Statement::Let(LetStatement {
            name,
            value: LetValue::Expr(expr),
            span,
        }) => (
            TabularExpr {
                span: expr.span(),
                source: Source::Expr(expr),
                stages: Vec::new(),
            },
            Some((name, span)),
        ),
        _ => return None,
    };
    let stage_ends = stage_starts.iter().skip(1).copied().chain([range.end]);
    for (start, end) in stage_starts.iter().copied().zip(stage_ends) {
        let pair = parse_piece(Rule::stage_piece, input, start, end)?
            .next()
            .expect("a parsed stage piece holds the stage");
        let stage = Converter::at(source, start).stage(pair).ok()?;
        pipeline.span = pipeline.span.cover(stage.span);
        pipeline.stages.push(stage);
    }
    Some(match binding {
        None => Statement::Query(pipeline),
        Some((name, span)) => Statement::Let(LetStatement {
            name,
            span: span.cover(pipeline.span),
            value: LetValue::Tabular(pipeline),
        }),
    })
}

/// pest's pairs for `input[start..end]` read by an entry rule; their offsets count from
/// `start`.
fn parse_piece(rule: Rule, input: &str, start: usize, end: usize) -> Option<Pairs<'_, Rule>> {
    KqlParser::parse(rule, &input[start..end]).ok()
}

/// Whether a piece holds only whitespace (and comments, filled as whitespace).
fn is_blank(piece: &str) -> bool {
    piece.bytes().all(|b| matches!(b, b'\t'..=b' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree, spans included, of the piece-by-piece parse and of the whole parse.
    fn both(text: &str) -> (Option<String>, String) {
        let pieces = statements(text, text).map(|s| format!("{:?}", Ok::<_, ()>(s)));
        let whole = format!("{:?}", super::super::whole(text, text));
        (pieces, whole)
    }

    #[test]
    fn pieces_give_the_whole_parse_tree_with_its_spans() {
        for text in [
            "T | where a == 1 | project b",
            "T\n| where a == 1;\nT | take 1;",
            "let x = T | where a > 1 | count;\nx",
            "let x = T;\nx | take 2",
            "let y = 5 | ;",
            "let f = (a:int) { T | where b == a | take 1 };\nf(1) | count",
            "T | where s == 'a|b;c' | where t == \"x;|\" | extend u = dynamic([1, 2])",
            "T | fork (where a == 1 | take 1) (take 2) | union (U | where b == 2)",
            "union A, (B | where x == 1) | where y == 2 ;  ",
            "print x = 1 | extend y = x + 1",
            "T\t|\twhere a == 1   |   summarize count() by b ; ",
        ] {
            let (pieces, whole) = both(text);
            if let Some(pieces) = pieces {
                assert_eq!(pieces, whole, "{text}");
            } else {
                assert!(
                    whole.starts_with("Err"),
                    "{text}: pieces refused a valid text"
                );
            }
        }
    }

    /// Over the corpus (comments, odd spaces, errors and all), parsing piece by piece gives
    /// what parsing whole gives: the same tree with the same spans, or the same error.
    #[test]
    fn the_corpus_parses_the_same_in_pieces_and_whole() {
        let Some(entries) = crate::corpus::entries() else {
            return;
        };
        let mut in_pieces = 0;
        for entry in &entries {
            let whole = super::super::parse_with(&entry.text, super::super::whole);
            // What `parse` does from `PIECES_FROM` on, whatever the text's size.
            let cut = super::super::parse_with(&entry.text, |source, input| {
                statements(source, input).map_or_else(|| super::super::whole(source, input), Ok)
            });
            assert_eq!(format!("{cut:?}"), format!("{whole:?}"), "{}", entry.file);
            in_pieces += usize::from(whole.is_ok());
        }
        assert!(
            in_pieces > entries.len() / 2,
            "only {in_pieces} texts parsed"
        );
    }

    #[test]
    fn what_the_cut_does_not_fit_is_left_to_the_whole_parse() {
        for text in [
            "",
            "  ",
            ";",
            "T;;U",
            "T | where",
            "T | | take 1",
            "set a = 1 | take 1",
            "let f = () { T } | take 1",
            "T | where (a | take 1",
            "T | where a == 1) | take 1",
        ] {
            assert_eq!(statements(text, text).map(|s| s.len()), None, "{text}");
        }
    }
}
