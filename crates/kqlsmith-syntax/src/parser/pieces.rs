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
//!
//! Each top-level stage, once converted, is kept in its statement's pipeline, handed to the
//! caller, or dropped ([`Stages`]): a caller that turns stages into something else, or only
//! wants to know whether the text parses, never holds the tree of the whole text. Handed
//! over, a long stage goes as its first slice, then its chain's other operands or its
//! list's other items one by one, so that not even one huge stage is whole.

use pest::Parser as _;
use pest::iterators::Pairs;

use super::{Converter, KqlParser, Rule};
use crate::ast::*;
use crate::scan;
use crate::span::Span;

/// What becomes of each top-level stage of a statement once it is converted.
pub(super) enum Stages<'f> {
    /// Kept in its statement's pipeline: the tree of the whole text.
    Kept,
    /// Handed over, in order, and not kept: each statement as soon as its head is built
    /// ([`crate::Streamed::Statement`], kept too), then its stages
    /// ([`crate::Streamed::Stage`]).
    Handed(&'f mut dyn FnMut(crate::Streamed<'_>)),
    /// Dropped, and so is each operand of a long filter: only whether the text parses counts.
    Dropped,
}

/// The statements of `input` (the text pest reads, see `scan::pest_input`), or `None` when the
/// text must be parsed whole. Each statement's span covers its stages, whatever `stages`
/// does with them.
pub(super) fn statements(
    source: &str,
    input: &str,
    stages: &mut Stages<'_>,
) -> Option<Vec<Statement>> {
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
            let index = statements.len();
            let statement = statement(source, input, start..at, &stage_starts, index, stages)?;
            statements.push(statement);
        }
        stage_starts.clear();
        start = at + 1;
    }
    Some(statements)
}

/// Statement `index`, `input[range]`, whose top-level stages start at `stage_starts`.
fn statement(
    source: &str,
    input: &str,
    range: std::ops::Range<usize>,
    stage_starts: &[usize],
    index: usize,
    stages: &mut Stages<'_>,
) -> Option<Statement> {
    let head_end = stage_starts.first().copied().unwrap_or(range.end);
    let head = parse_piece(Rule::statement_piece, input, range.start, head_end)?
        .next()
        .expect("a parsed statement piece holds the statement");
    let statement = Converter::at(source, range.start).statement(head).ok()?;
    if stage_starts.is_empty() {
        if let Stages::Handed(hand) = stages {
            hand(crate::Streamed::Statement {
                statement: index,
                head: &statement,
            });
        }
        return Some(statement);
    }
    // The pipeline the stages continue: a query's, or the one a `let` binds.
    let mut statement = match statement {
        Statement::Query(_)
        | Statement::Let(LetStatement {
            value: LetValue::Tabular(_),
            ..
        }) => statement,
        Statement::Let(LetStatement {
            name,
            value: LetValue::Expr(expr),
            span,
        }) => Statement::Let(LetStatement {
            name,
            span,
            value: LetValue::Tabular(TabularExpr {
                span: expr.span(),
                source: Source::Expr(expr),
                stages: Vec::new(),
            }),
        }),
        _ => return None,
    };
    if let Stages::Handed(hand) = stages {
        hand(crate::Streamed::Statement {
            statement: index,
            head: &statement,
        });
    }
    let stage_ends = stage_starts.iter().skip(1).copied().chain([range.end]);
    let link = !matches!(stages, Stages::Dropped);
    let mut covered = statement.span();
    let pipeline = statement
        .pipeline_mut()
        .expect("a statement with stages has a pipeline");
    // Handed over, a long chain's operands or a long list's items follow their stage one by
    // one.
    let leave_rest = matches!(stages, Stages::Handed(_));
    for (start, end) in stage_starts.iter().copied().zip(stage_ends) {
        let sliced = (end - start >= LONG_STAGE)
            .then(|| long_stage(source, input, start, end, link, leave_rest))
            .flatten();
        let (stage, left) = match sliced {
            Some(sliced) => sliced,
            None => (stage(source, input, start, end)?, None),
        };
        pipeline.span = pipeline.span.cover(stage.span);
        covered = covered.cover(stage.span);
        match stages {
            Stages::Kept => pipeline.stages.push(stage),
            Stages::Handed(hand) => {
                let span = stage.span;
                hand(crate::Streamed::Stage {
                    statement: index,
                    stage,
                });
                if let Some(left) = &left {
                    let whole = hand_rest(source, input, index, left, span, *hand)?;
                    pipeline.span = pipeline.span.cover(whole);
                    covered = covered.cover(whole);
                }
            }
            Stages::Dropped => {}
        }
    }
    // A long pipeline's vector grew by doubling: give back what it will never use.
    pipeline.stages.shrink_to_fit();
    if let Statement::Let(binding) = &mut statement {
        binding.span = covered;
    }
    Some(statement)
}

/// Hands over, one at a time, what the first slice of a long stage of statement
/// `statement` left: the other operands of its chain, or the other items of its list. The
/// span of the whole stage (`span`, the first slice's, over all of them); `None` when one
/// does not parse on its own.
fn hand_rest(
    source: &str,
    input: &str,
    statement: usize,
    left: &Left,
    mut span: Span,
    hand: &mut dyn FnMut(crate::Streamed<'_>),
) -> Option<Span> {
    match left {
        Left::Operands(operands) => {
            for parsed in operands.parsed(source, input) {
                let (op, operand) = parsed?;
                span = span.cover(operand.span());
                hand(crate::Streamed::Operand {
                    statement,
                    op,
                    operand,
                });
            }
        }
        Left::Items(items) => {
            let count = items.commas.len();
            for (n, (item_start, item_end)) in items.slices().enumerate() {
                let item = shallow(source, input, Rule::item_piece, item_start, item_end)?;
                span = span.cover(item.span());
                hand(crate::Streamed::Item {
                    statement,
                    list_end: items.end(),
                    item,
                    after: count - n - 1,
                });
            }
        }
    }
    Some(span)
}

/// The stage `input[start..end]`, parsed in one go.
fn stage(source: &str, input: &str, start: usize, end: usize) -> Option<Stage> {
    let pair = parse_piece(Rule::stage_piece, input, start, end)?
        .next()
        .expect("a parsed stage piece holds the stage");
    Converter::at(source, start).stage(pair).ok()
}

/// Stages this long are looked into: a long `or` chain or `in (...)` list is parsed a slice
/// at a time.
const LONG_STAGE: usize = 64 << 10;

/// Fewer links or items than this are not worth slicing.
const MANY: usize = 64;

/// Operands and items nested deeper than this are left to the whole parse, which alone
/// knows how deep they sit (see `MAX_EXPR_DEPTH`).
const SHALLOW: u32 = 16;

/// A long stage, `input[start..end]`, parsed a slice at a time when it has one of the shapes
/// of big filters: `where a or b or ...` (or `and`), one operand a slice, or a long
/// `in (...)` list at its top level, one item a slice. `None` for any other stage, and when
/// a slice does not parse: the caller then parses the stage in one go. Without `link`, each
/// operand or item is checked and dropped: the stage returned holds only the first. With
/// `leave_rest`, the operands or items after the first are left to the caller, unparsed.
fn long_stage(
    source: &str,
    input: &str,
    start: usize,
    end: usize,
    link: bool,
    leave_rest: bool,
) -> Option<(Stage, Option<Left>)> {
    let text = &input[start..end];
    let (mut ors, mut ands) = (Vec::new(), Vec::new());
    // The commas of the top-level bracket being read, and the closing bracket and commas of
    // the one with the most so far.
    let mut commas = Vec::new();
    let mut list = (0, Vec::new());
    for (at, b, depth) in scan::structure(text) {
        match (b, depth) {
            (b'o' | b'a', 0) => {
                let word = text[at..].split(|c: char| !c.is_ascii_alphanumeric() && c != '_');
                match word.into_iter().next() {
                    Some("or") => ors.push(at),
                    Some("and") => ands.push(at),
                    _ => {}
                }
            }
            (b'(', 0) => commas.clear(),
            (b',', 1) => commas.push(at),
            (b')', 0) if commas.len() > list.1.len() => list = (at, std::mem::take(&mut commas)),
            _ => {}
        }
    }
    let chain_of = |links, kind| LeftOperands {
        start,
        end,
        links,
        kind,
    };
    let left = if ors.len() >= MANY {
        let operands = chain_of(ors, BinaryOpKind::Or);
        (
            chain_head(source, input, &operands)?,
            Left::Operands(operands),
        )
    } else if ors.is_empty() && ands.len() >= MANY {
        let operands = chain_of(ands, BinaryOpKind::And);
        (
            chain_head(source, input, &operands)?,
            Left::Operands(operands),
        )
    } else if list.1.len() >= MANY {
        let (close, commas) = list;
        let stage = list_head(source, input, (start, end), close, &commas)?;
        let items = LeftItems {
            start,
            commas,
            close,
        };
        (stage, Left::Items(items))
    } else {
        return None;
    };
    match left {
        (stage, left) if leave_rest => Some((stage, Some(left))),
        (stage, Left::Operands(operands)) => {
            chain(source, input, stage, &operands, link).map(|s| (s, None))
        }
        (stage, Left::Items(items)) => {
            long_list(source, input, stage, &items, link).map(|s| (s, None))
        }
    }
}

/// The operands after the first of a long chain `where a op b op ...`: the chain's stage
/// spans `start..end`, and its operators are at `links` (offsets from `start`).
pub(super) struct LeftOperands {
    start: usize,
    end: usize,
    links: Vec<usize>,
    kind: BinaryOpKind,
}

impl LeftOperands {
    /// Each operator and the operand after it, parsed on its own; `None` for an operand
    /// that does not parse (or is nested deeper than [`SHALLOW`]).
    fn parsed<'i>(
        &'i self,
        source: &'i str,
        input: &'i str,
    ) -> impl Iterator<Item = Option<(BinaryOp, Expr)>> + 'i {
        let width = self.kind.as_str().len();
        let operand_ends = self.links.iter().skip(1).map(|&at| self.start + at);
        let operand_ends = operand_ends.chain([self.end]);
        self.links
            .iter()
            .zip(operand_ends)
            .map(move |(&at, operand_end)| {
                let op_start = self.start + at;
                let operand = shallow(
                    source,
                    input,
                    Rule::operand_piece,
                    op_start + width,
                    operand_end,
                )?;
                let op = BinaryOp {
                    kind: self.kind,
                    text: BinaryOp::spelling(self.kind, &input[op_start..op_start + width]),
                    span: Span::new(op_start, op_start + width),
                };
                Some((op, operand))
            })
    }
}

/// The stage of a long chain up to its first operator, `None` when it is not a `where` or
/// its first operand is not one (`where Name = value or ...` compares `Name` with the whole
/// chain).
fn chain_head(source: &str, input: &str, operands: &LeftOperands) -> Option<Stage> {
    let stage = self::stage(
        source,
        input,
        operands.start,
        operands.start + operands.links[0],
    )?;
    let Operator::Where { predicate, .. } = &stage.operator else {
        return None;
    };
    if matches!(predicate, Expr::Binary(b) if b.op.text == "=") {
        return None;
    }
    Some(stage)
}

/// The stage of [`chain_head`] with each other operand parsed on its own, linked as the
/// Pratt parser links them (with `link`).
fn chain(
    source: &str,
    input: &str,
    mut stage: Stage,
    operands: &LeftOperands,
    link: bool,
) -> Option<Stage> {
    for parsed in operands.parsed(source, input) {
        let (op, operand) = parsed?;
        if link {
            stage.link_operand(op, operand);
        } else {
            stage.span = stage.span.cover(operand.span());
        }
    }
    Some(stage)
}

/// What a long stage's first slice leaves to parse: the other operands of a chain, or the
/// other items of a list.
pub(super) enum Left {
    Operands(LeftOperands),
    Items(LeftItems),
}

/// The items after the first of a long `in (...)` list: the list's stage starts at `start`,
/// and the offsets of its commas and closing bracket count from there.
pub(super) struct LeftItems {
    start: usize,
    commas: Vec<usize>,
    close: usize,
}

impl LeftItems {
    /// Where the list ends, past its closing bracket.
    fn end(&self) -> usize {
        self.start + self.close + 1
    }

    /// Where each item is in the text, in order.
    fn slices(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let item_ends = self.commas.iter().skip(1).copied().chain([self.close]);
        self.commas
            .iter()
            .zip(item_ends)
            .map(|(&comma, end)| (self.start + comma + 1, self.start + end))
    }
}

/// A stage with a long `in (...)` list at its top level, closed at `close` with commas at
/// `commas` (offsets in the stage), parsed with every item but the first blanked out
/// (spaces, so every offset stays).
fn list_head(
    source: &str,
    input: &str,
    (start, end): (usize, usize),
    close: usize,
    commas: &[usize],
) -> Option<Stage> {
    let text = &input[start..end];
    let mut blanked = String::with_capacity(text.len());
    blanked.push_str(&text[..commas[0]]);
    blanked.extend(std::iter::repeat_n(' ', close - commas[0]));
    blanked.push_str(&text[close..]);
    let pair = KqlParser::parse(Rule::stage_piece, &blanked)
        .ok()?
        .next()
        .expect("a parsed stage piece holds the stage");
    let mut stage = Converter::at(source, start).stage(pair).ok()?;
    stage
        .in_list_ending_at(start + close + 1)
        .filter(|list| list.len() == 1)?;
    Some(stage)
}

/// The stage of [`list_head`] with the list's other items, each parsed on its own (and added
/// to the list with `link`).
fn long_list(
    source: &str,
    input: &str,
    mut stage: Stage,
    items: &LeftItems,
    link: bool,
) -> Option<Stage> {
    let list = stage.in_list_ending_at(items.end())?;
    if link {
        list.reserve_exact(items.commas.len());
    }
    for (item_start, item_end) in items.slices() {
        let item = shallow(source, input, Rule::item_piece, item_start, item_end)?;
        if link {
            list.push(item);
        }
    }
    Some(stage)
}

/// The expression `input[start..end]` read by `rule` (an operand or a list item), if it is
/// no deeper than [`SHALLOW`].
fn shallow(source: &str, input: &str, rule: Rule, start: usize, end: usize) -> Option<Expr> {
    let pair = parse_piece(rule, input, start, end)?
        .next()
        .expect("a parsed piece holds its expression");
    let converter = Converter::at(source, start);
    let expr = match rule {
        Rule::item_piece => converter.pipe_value(pair),
        _ => converter.expr(pair),
    }
    .ok()?;
    (converter.nested.get() <= SHALLOW).then_some(expr)
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
        let pieces =
            statements(text, text, &mut Stages::Kept).map(|s| format!("{:?}", Ok::<_, ()>(s)));
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
                statements(source, input, &mut Stages::Kept)
                    .map_or_else(|| super::super::whole(source, input), Ok)
            });
            assert_eq!(format!("{cut:?}"), format!("{whole:?}"), "{}", entry.file);
            in_pieces += usize::from(whole.is_ok());
        }
        assert!(
            in_pieces > entries.len() / 2,
            "only {in_pieces} texts parsed"
        );
    }

    /// `input` read piece by piece with each way of treating the stages: kept, handed over
    /// (then put back where they came from), dropped. The first two give one tree; dropping
    /// them gives the same verdict.
    fn every_way(text: &str) -> Option<Vec<Statement>> {
        let kept = statements(text, text, &mut Stages::Kept);
        let mut handed = Vec::new();
        // Each statement is shown once, in order, before its stages; a long chain's operands
        // and a long list's items follow their stage.
        let mut shown = Vec::new();
        let mut handed_operands_or_items = false;
        let mut hand = |event: crate::Streamed<'_>| match event {
            crate::Streamed::Statement { statement, .. } => shown.push(statement),
            crate::Streamed::Stage { statement, stage } => {
                assert_eq!(shown.last(), Some(&statement));
                handed.push((statement, stage));
            }
            crate::Streamed::Operand {
                statement,
                op,
                operand,
            } => {
                handed_operands_or_items = true;
                let (of, stage) = handed.last_mut().expect("an operand follows its stage");
                assert_eq!(*of, statement);
                assert!(stage.link_operand(op, operand), "an operand of a `where`");
            }
            crate::Streamed::Item {
                statement,
                list_end,
                item,
                ..
            } => {
                handed_operands_or_items = true;
                let (of, stage) = handed.last_mut().expect("an item follows its stage");
                assert_eq!(*of, statement);
                stage
                    .in_list_ending_at(list_end)
                    .expect("an item's list is in its stage")
                    .push(item);
            }
            crate::Streamed::Restart => {}
        };
        let mut rebuilt = statements(text, text, &mut Stages::Handed(&mut hand));
        // When the pieces do not fit, the stages handed over are void (`Streamed::Restart`).
        let handed = if rebuilt.is_some() {
            handed
        } else {
            Vec::new()
        };
        for (index, stage) in handed {
            let statement = &mut rebuilt.as_mut().expect("stages of a parse")[index];
            match statement.pipeline_mut() {
                Some(query) => query.stages.push(stage),
                None => panic!("a stage handed over for {statement:?}"),
            }
        }
        // Handed over, a long stage's other operands or items are parsed once the stage has
        // gone: one that does not parse on its own (nested deeper than `SHALLOW`) voids the
        // pieces, and the text is read whole, where kept it is read again as a whole stage.
        let voided_late = rebuilt.is_none() && kept.is_some() && handed_operands_or_items;
        if !voided_late {
            assert_eq!(
                format!("{rebuilt:?}"),
                format!("{kept:?}"),
                "{}",
                &text[..text.len().min(80)]
            );
        }
        let dropped = statements(text, text, &mut Stages::Dropped);
        // The same verdict, and statements that span the same text.
        let spans = |s: &Option<Vec<Statement>>| {
            s.as_ref()
                .map(|s| s.iter().map(Statement::span).collect::<Vec<_>>())
        };
        assert_eq!(
            format!("{:?}", spans(&dropped)),
            format!("{:?}", spans(&kept)),
            "{}",
            &text[..text.len().min(80)]
        );
        kept
    }

    #[test]
    fn stages_handed_over_or_dropped_leave_the_same_statements_and_verdicts() {
        let Some(entries) = crate::corpus::entries() else {
            return;
        };
        for entry in &entries {
            every_way(&entry.text);
        }
    }

    #[test]
    fn long_filters_checked_and_dropped_give_the_verdict_of_the_whole_parse() {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(|| {
                for (text, _) in long_stages() {
                    every_way(&text);
                    let big = format!("{text}\n{}", "| take 1\n".repeat(8 << 10));
                    let whole = crate::parse(&big);
                    assert_eq!(
                        crate::check(&big),
                        whole.clone().map(drop),
                        "{}",
                        &text[..80]
                    );
                    let streamed = crate::parse_streaming(&big, |_| {});
                    assert_eq!(
                        streamed.map(|s| s.statements.len()),
                        whole.map(|s| s.statements.len()),
                        "{}",
                        &text[..80]
                    );
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn stages_handed_over_are_void_when_the_text_is_read_again_whole() {
        // The first statement is read piece by piece, its stages handed over; the second
        // does not parse, so the whole text is read again to report the error.
        let text = format!("T\n{}; U | where", "| where A != 1\n".repeat(8 << 10));
        let mut events = Vec::new();
        let parsed = crate::parse_streaming(&text, |event| {
            events.push(match event {
                crate::Streamed::Statement { statement, head } => {
                    assert!(head.pipeline().is_some_and(|p| p.stages.is_empty()));
                    Some((statement, "statement"))
                }
                crate::Streamed::Stage { statement, .. } => Some((statement, "stage")),
                crate::Streamed::Item { statement, .. } => Some((statement, "item")),
                crate::Streamed::Operand { statement, .. } => Some((statement, "operand")),
                crate::Streamed::Restart => None,
            })
        });
        assert_eq!(parsed, crate::parse(&text));
        assert!(parsed.is_err());
        // The second statement's head is shown before its stage fails to parse.
        assert_eq!(events.len(), (8 << 10) + 3);
        assert_eq!(events[0], Some((0, "statement")));
        assert!(events[1..=8 << 10].iter().all(|e| *e == Some((0, "stage"))));
        assert_eq!(events[(8 << 10) + 1], Some((1, "statement")));
        assert_eq!(events.last(), Some(&None));
        // A small text is read whole from the start: nothing is handed over, nothing void.
        let mut small = 0;
        assert!(crate::parse_streaming("T | where A != 1; U | where", |_| small += 1).is_err());
        assert_eq!(small, 0);
    }

    /// Long filters of the shapes sliced inside a stage, and near misses that are not.
    fn long_stages() -> Vec<(String, bool)> {
        let terms = |each: &dyn Fn(usize) -> String, sep: &str| {
            (0..4000).map(each).collect::<Vec<_>>().join(sep)
        };
        let ports = terms(&|i| format!("RemotePort == {i}"), " or ");
        let items = terms(&|i| format!("\"10.0.{}.{}\"", i / 256, i % 256), ",\n  ");
        let deep = format!("{}1{}", "(".repeat(20), ")".repeat(20));
        vec![
            (format!("T | where {ports}\n| take 1"), true),
            (
                format!(
                    "T | filter {}",
                    terms(&|i| format!("A has 'x{i}'"), " and ")
                ),
                true,
            ),
            (format!("T | where x == 1 and B == 2 or {ports}"), true),
            (format!("T | where * has 'a' or {ports} or * has 'b'"), true),
            (format!("T\n| where RemoteIP in ({items})\n"), true),
            (
                format!("T | where A == 1 and B !in~ ({items}) or C has_any ({items})"),
                true,
            ),
            (
                format!("T | where A in ({items}, dynamic([1, 2]), (U | project A))"),
                true,
            ),
            // Not sliced: the tree is the same either way.
            (format!("T | where A = 1 or {ports}"), false),
            (format!("T | extend x = {ports}"), false),
            (format!("T | where {ports} or B == {deep}"), false),
            (format!("T | where not(A in ({items}))"), false),
            (format!("T | where B == ({items})"), false),
            // Errors: the slices refuse them, the whole parse reports them.
            (format!("T | where {ports} or or B == 1"), false),
            (format!("T | where {ports} or"), false),
            (format!("T | where A in ({items},)"), false),
            (format!("T | where A in ({items}, B == 1 == 2)"), false),
        ]
    }

    #[test]
    fn long_filters_parse_in_slices_as_they_do_whole() {
        // `Debug` follows a chain by recursion: print them on a stack with room for it.
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(compare_long_filters)
            .unwrap()
            .join()
            .unwrap();
    }

    fn compare_long_filters() {
        for (text, sliced) in long_stages() {
            let first_pipe = text.find('|').unwrap();
            let stage_end = text[first_pipe + 1..]
                .find("\n|")
                .map_or(text.len(), |i| first_pipe + 1 + i);
            assert_eq!(
                long_stage(&text, &text, first_pipe, stage_end, true, false).is_some(),
                sliced,
                "{}",
                &text[..80]
            );
            let (pieces, whole) = both(&text);
            match pieces {
                Some(pieces) => assert_eq!(pieces, whole, "{}", &text[..80]),
                None => assert!(whole.starts_with("Err"), "{}", &text[..80]),
            }
            assert_eq!(
                format!("{:?}", super::super::parse(&text)),
                format!("{:?}", super::super::parse_with(&text, super::super::whole)),
                "{}",
                &text[..80]
            );
        }
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
            assert_eq!(
                statements(text, text, &mut Stages::Kept).map(|s| s.len()),
                None,
                "{text}"
            );
        }
    }
}
