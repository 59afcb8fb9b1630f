//! The pest parser and the conversion of its pairs into the typed tree.
//!
//! pest's `Pair` and `Rule` stay in this module: the rest of the crate, and every crate that
//! uses it, sees only the tree of `crate::ast`. One method a grammar rule.

mod expr;
mod pieces;
mod query;

use std::cell::Cell;

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};

use crate::ast::*;
use crate::error::{ParseError, describe_found};
use crate::scan::{self, MAX_NESTING};
use crate::span::{LineIndex, Span};

#[derive(pest_derive::Parser)]
#[grammar = "kql.pest"]
struct KqlParser;

type P<'s> = Pair<'s, Rule>;

/// The type names a column or parameter declaration may use.
const SCALAR_TYPES: [&str; 17] = [
    "bool", "boolean", "int", "int8", "int64", "long", "real", "double", "decimal", "string",
    "datetime", "date", "timespan", "time", "guid", "uniqueid", "dynamic",
];

/// Keywords that name no declared column, `let` or parameter unless bracketed: operator
/// parameters and sort words.
const NOT_DECLARED: [&str; 12] = [
    "kind",
    "withsource",
    "isfuzzy",
    "flags",
    "decodeblocks",
    "bagexpansion",
    "with_itemindex",
    "with_match_id",
    "asc",
    "desc",
    "first",
    "last",
];

/// Type names that are keywords: no name, declared or used, unless bracketed (`print string`
/// and `extend int = 1` are errors for Microsoft's parser; `bool` and `guid` are not).
pub(crate) const TYPE_KEYWORDS: [&str; 14] = [
    "string", "int", "long", "real", "decimal", "double", "time", "date", "int64", "uniqueid",
    "boolean", "timespan", "datetime", "dynamic",
];

/// Expressions nested deeper than this (operands of operands...) are refused, so that the
/// tree can be walked recursively without overflowing the stack.
pub(crate) const MAX_EXPR_DEPTH: u32 = 1000;

/// Texts smaller than this are parsed in one go: pest's tokens for them take little memory,
/// and cutting them into pieces (`pieces.rs`) would cost more time than it saves.
const PIECES_FROM: usize = 64 << 10;

pub(crate) fn parse(source: &str) -> Result<Script, ParseError> {
    parse_with(source, |source, input| {
        by_pieces(source, input, &mut pieces::Stages::Kept).map_or_else(|| whole(source, input), Ok)
    })
}

/// `parse`, handing each top-level stage converted piece by piece to `on_stage` instead of
/// keeping it (see `crate::parse_streaming`).
pub(crate) fn parse_streaming(
    source: &str,
    on_stage: &mut dyn FnMut(crate::Streamed<'_>),
) -> Result<Script, ParseError> {
    parse_with(source, |source, input| {
        match by_pieces(source, input, &mut pieces::Stages::Handed(on_stage)) {
            Some(statements) => Ok(statements),
            None => {
                if big(source) {
                    on_stage(crate::Streamed::Restart);
                }
                whole(source, input)
            }
        }
    })
}

/// Whether `source` parses: `parse`'s verdict, dropping each piece once converted.
pub(crate) fn check(source: &str) -> Result<(), ParseError> {
    parse_with(source, |source, input| {
        by_pieces(source, input, &mut pieces::Stages::Dropped)
            .map_or_else(|| whole(source, input), Ok)
    })
    .map(drop)
}

/// The statements of a big text read piece by piece; `None` when the text is small, or the
/// pieces do not fit, and it is to be read whole.
fn by_pieces(source: &str, input: &str, stages: &mut pieces::Stages<'_>) -> Option<Vec<Statement>> {
    big(source)
        .then(|| pieces::statements(source, input, stages))
        .flatten()
}

/// Whether a text is big enough to be read piece by piece.
pub(crate) fn big(source: &str) -> bool {
    source.len() >= PIECES_FROM
}

/// Prepares the text pest reads, and gets the statements of it from `statements` (given the
/// source and that text).
fn parse_with(
    source: &str,
    statements: impl FnOnce(&str, &str) -> Result<Vec<Statement>, ParseError>,
) -> Result<Script, ParseError> {
    // One pass over the text finds the comments and checks nesting; the line index is only
    // needed for an error.
    let scanned = match scan::scan(source) {
        Ok(scanned) => scanned,
        Err(offset) => {
            let index = LineIndex::new(source);
            let message = format!(
                "found nesting deeper than {MAX_NESTING} levels (brackets or signs), expected a shallower query: split it with `let` statements"
            );
            return Err(ParseError::at(
                &index,
                Span::new(offset, offset + 1),
                message,
            ));
        }
    };
    let comments = scanned.comments;
    // Rare Unicode spaces become ASCII ones first, keeping every byte offset.
    let normalized;
    let source = if scanned.unicode_spaces {
        normalized = scan::ascii_spaces(source);
        normalized.as_str()
    } else {
        source
    };
    // pest reads the text with its comments filled (see `scan::pest_input`): trying a
    // comment rule before every token cost more than the rest of the whitespace rule.
    let filled;
    let input = if comments.is_empty() && scanned.controls.is_empty() {
        source
    } else {
        filled = scan::pest_input(source, &comments, &scanned.controls);
        filled.as_str()
    };
    let statements = statements(source, input)?;
    Ok(Script {
        statements,
        comments,
        span: Span::new(0, source.len()),
    })
}

/// Parses the text in one go: for what the piece-by-piece parse does not take (see
/// `pieces.rs`), and so for every error, which then reads the same however the text is cut.
fn whole(source: &str, input: &str) -> Result<Vec<Statement>, ParseError> {
    let mut pairs = match KqlParser::parse(Rule::script, input) {
        Ok(pairs) => pairs,
        Err(_) => {
            // Parse again, collecting the literal tokens that were expected (`)`, `,`...):
            // pest gathers them only when asked, at some cost, so only for invalid text.
            pest::set_error_detail(true);
            let detailed = KqlParser::parse(Rule::script, input);
            pest::set_error_detail(false);
            let index = LineIndex::new(source);
            return Err(match detailed {
                Err(error) => syntax_error(source, &index, error),
                Ok(_) => ParseError::at(
                    &index,
                    Span::new(0, 0),
                    "found text that parses only sometimes, expected a query",
                ),
            });
        }
    };
    let script = pairs.next().ok_or_else(|| {
        ParseError::at(
            &LineIndex::new(source),
            Span::new(0, 0),
            "found nothing, expected a query",
        )
    })?;
    Converter::at(source, 0).statements(script.into_inner())
}

/// Turns pest's error into words: what stands at the error, and what could stand there.
fn syntax_error(
    source: &str,
    index: &LineIndex<'_>,
    error: pest::error::Error<Rule>,
) -> ParseError {
    let offset = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let (found, span) = describe_found(source, offset);
    if let Some(quote) = source.get(offset..).and_then(|rest| {
        ["```", "~~~", "'", "\""]
            .into_iter()
            .find(|q| rest.starts_with(q))
    }) {
        return ParseError::at(
            index,
            span,
            format!("found a string literal that is never closed, expected a closing {quote}"),
        );
    }
    let mut expected: Vec<String> = Vec::new();
    let mut add = |word: String| {
        if !expected.contains(&word) {
            expected.push(word);
        }
    };
    if let Some(attempts) = error.parse_attempts() {
        // Punctuation that closes or separates; the other tokens (the letters of keywords,
        // the characters that start a literal) read better as the rule words below.
        const STRUCTURAL: [&str; 7] = [")", "]", "}", ",", ";", "..", "=>"];
        for token in attempts.expected_tokens() {
            let token = token.to_string();
            if STRUCTURAL.contains(&token.as_str()) {
                add(format!("`{token}`"));
            }
        }
    }
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(word) = describe_rule(*rule) {
                add(word);
            }
        }
    }
    // What may continue any complete expression is noise when something else is expected.
    const CONTINUATIONS: [&str; 5] = ["an operator", "`in`", "`between`", "`.`", "`[`"];
    if expected
        .iter()
        .any(|w| !CONTINUATIONS.contains(&w.as_str()))
    {
        expected.retain(|w| !CONTINUATIONS.contains(&w.as_str()));
    }
    if let ErrorVariant::CustomError { message } = &error.variant {
        return ParseError::at(index, span, format!("found {found}: {message}"));
    }
    let message = match expected.len() {
        0 => format!("found {found}, which is not valid here"),
        1 => format!("found {found}, expected {}", expected[0]),
        n => {
            let shown = expected.len().min(8);
            let mut list = expected[..shown - 1].join(", ");
            list.push_str(&format!(" or {}", expected[shown - 1]));
            if n > shown {
                list.push_str(", ...");
            }
            format!("found {found}, expected {list}")
        }
    };
    ParseError::at(index, span, message)
}

/// Words for a grammar rule in an error message; `None` for rules a person need not hear of.
fn describe_rule(rule: Rule) -> Option<String> {
    use Rule::*;
    let words = match rule {
        EOI => "end of input",
        script | statement | let_stmt | set_stmt | declare_stmt => "a statement",
        pipe_expr | source => "a query",
        stage => "`|` and a query operator",
        stage_seq => "a query operator",
        operator | where_op | extend_op | project_op | project_away_op | project_keep_op
        | project_rename_op | project_reorder_op | project_smart_op | summarize_op | join_op
        | distinct_op | sort_op | take_op | top_op | top_nested_op | top_hitters_op | count_op
        | mv_expand_op | mv_apply_op | parse_op | parse_kv_op | union_op | lookup_op
        | make_series_op | evaluate_op | render_op | as_op | serialize_op | getschema_op
        | invoke_op | fork_op | facet_op | scan_op | partition_op | sample_op
        | sample_distinct_op | search_op | find_op | reduce_op | consume_op => "a query operator",
        range_src | print_src | datatable_src | externaldata_src => "a query",
        kw_where | kw_filter | kw_extend | kw_project | kw_project_away | kw_project_keep
        | kw_project_rename | kw_project_reorder | kw_project_smart | kw_summarize
        | kw_distinct | kw_sort | kw_order | kw_take | kw_limit | kw_top | kw_top_nested
        | kw_top_hitters | kw_count | kw_sample | kw_sample_distinct | kw_mv_expand
        | kw_mv_apply | kw_parse | kw_parse_where | kw_parse_kv | kw_union | kw_join
        | kw_lookup | kw_make_series | kw_evaluate | kw_render | kw_serialize | kw_getschema
        | kw_invoke | kw_consume | kw_reduce | kw_fork | kw_facet | kw_partition | kw_scan
        | kw_search | kw_find => "a query operator",
        expr | primary | paren | bracketed | string_lit | string_part | number | typed_literal
        | dynamic_lit | bool_lit | null_lit | star | call_or_name | neg_op | pos_op | literal => {
            "an expression"
        }
        ident | bracket_ident | name | option_name => "a name",
        kw_dynamic => return None,
        wildcard => "a column name or wildcard",
        partition_key => "a column",
        type_name | param_type | tabular_type => "a type name",
        or_op | and_op | cmp_op | add_op | mul_op | infix => "an operator",
        in_op | in_kind => "`in`",
        between_op | between_kind => "`between`",
        member => "`.`",
        index => "`[`",
        call_args | arg => "`(`",
        op_param | param_name => "a parameter such as `kind=`",
        render_prop | render_name | render_list_name => "a render property such as `title=`",
        sort_dir => "`asc` or `desc`",
        nulls => "`nulls first` or `nulls last`",
        typed_column => "a column declaration `name:type`",
        fn_param => "a parameter `name:type`",
        column_expr | column_list => "a column or `Name = expression`",
        rename => "`NewName = OldName`",
        parse_column | parse_pattern => "a parse pattern",
        dyn_array | dyn_object | dyn_pair | dyn_number => "a dynamic value",
        other => {
            let rule_name = format!("{other:?}");
            return rule_name
                .strip_prefix("kw_")
                .map(|kw| format!("`{}`", kw.replace('_', "-")));
        }
    };
    Some(words.to_string())
}

/// Converts pest pairs into the tree; remembers the depth of the expression just converted
/// (see `MAX_EXPR_DEPTH`).
pub(crate) struct Converter<'s> {
    source: &'s str,
    /// Where the text pest parsed starts in `source`: a piece of it (see `pieces.rs`), or all.
    base: usize,
    nested: Cell<u32>,
}

/// The children of a pair, with a look at the next one.
struct Children<'s> {
    pairs: std::iter::Peekable<Pairs<'s, Rule>>,
    span: Span,
}

impl<'s> Children<'s> {
    /// The next child, which the grammar guarantees.
    fn next(&mut self) -> P<'s> {
        // The grammar fixes the children's shape; a missing one is a bug in this module.
        self.pairs.next().expect("grammar guarantees this child")
    }

    /// The next child if it is of this rule.
    fn take(&mut self, rule: Rule) -> Option<P<'s>> {
        self.pairs.next_if(|p| p.as_rule() == rule)
    }

    fn peek_rule(&mut self) -> Option<Rule> {
        self.pairs.peek().map(|p| p.as_rule())
    }

    fn rest(self) -> impl Iterator<Item = P<'s>> {
        self.pairs
    }
}

impl<'s> Converter<'s> {
    /// A converter of the pairs pest gave for the text of `source` from `base` on.
    fn at(source: &'s str, base: usize) -> Self {
        Converter {
            source,
            base,
            nested: Cell::new(0),
        }
    }

    /// The span of a pair in the source.
    fn span(&self, pair: &P<'_>) -> Span {
        let s = pair.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    /// The children of a pair, with the pair's span.
    fn children<'p>(&self, pair: P<'p>) -> Children<'p> {
        Children {
            span: self.span(&pair),
            pairs: pair.into_inner().peekable(),
        }
    }

    /// The source text of a pair, comments included (pest saw them filled).
    fn text(&self, pair: &P<'_>) -> &'s str {
        let s = self.span(pair);
        &self.source[s.start..s.end]
    }

    fn error(&self, span: Span, message: impl Into<String>) -> ParseError {
        ParseError::at(&LineIndex::new(self.source), span, message)
    }

    fn statements(&self, pairs: Pairs<'_, Rule>) -> Result<Vec<Statement>, ParseError> {
        pairs
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| self.statement(p))
            .collect()
    }

    fn statement(&self, pair: P<'_>) -> Result<Statement, ParseError> {
        Ok(match pair.as_rule() {
            Rule::let_stmt => Statement::Let(self.let_stmt(pair)?),
            Rule::set_stmt => {
                let mut c = self.children(pair);
                c.next(); // set
                let option = c.next();
                let name = Ident {
                    name: option.as_str().to_string(),
                    quoted: None,
                    span: self.span(&option),
                };
                let value = match c.pairs.next() {
                    Some(v) => Some(self.option_value(v)?),
                    None => None,
                };
                Statement::Set(SetStatement {
                    name,
                    value,
                    span: c.span,
                })
            }
            Rule::declare_stmt => {
                let mut c = self.children(pair);
                c.next();
                c.next();
                let span = c.span;
                let params = c
                    .rest()
                    .map(|p| self.fn_param(p))
                    .collect::<Result<_, _>>()?;
                Statement::Declare(DeclareStatement { params, span })
            }
            _ => Statement::Query(self.tabular(pair)?),
        })
    }

    fn let_stmt(&self, pair: P<'_>) -> Result<LetStatement, ParseError> {
        let mut c = self.children(pair);
        c.next(); // let
        let name = self.declared_name(c.next())?;
        let value = c.next();
        let value = if value.as_rule() == Rule::function_def {
            LetValue::Function(self.function_def(value)?)
        } else {
            let tabular = self.tabular(value)?;
            match tabular {
                TabularExpr {
                    source: Source::Expr(e),
                    stages,
                    ..
                } if stages.is_empty() => LetValue::Expr(e),
                t => LetValue::Tabular(t),
            }
        };
        Ok(LetStatement {
            name,
            value,
            span: c.span,
        })
    }

    fn function_def(&self, pair: P<'_>) -> Result<FunctionDef, ParseError> {
        let mut c = self.children(pair);
        let view = c.take(Rule::kw_view).is_some();
        let mut params = Vec::new();
        while let Some(p) = c.take(Rule::fn_param) {
            params.push(self.fn_param(p)?);
        }
        let body = self.statements(c.next().into_inner())?;
        Ok(FunctionDef {
            view,
            params,
            body,
            span: c.span,
        })
    }

    fn fn_param(&self, pair: P<'_>) -> Result<FunctionParam, ParseError> {
        let mut c = self.children(pair);
        let name = self.declared_name(c.next())?;
        let ty_pair = c
            .next()
            .into_inner()
            .next()
            .expect("param_type has a child");
        let ty = if ty_pair.as_rule() == Rule::tabular_type {
            let mut columns = Vec::new();
            let mut open = false;
            for p in ty_pair.into_inner() {
                match p.as_rule() {
                    Rule::star => open = true,
                    _ => columns.push(self.typed_column(p)?),
                }
            }
            ParamType::Tabular { columns, open }
        } else {
            ParamType::Scalar(self.scalar_type(&ty_pair)?)
        };
        let default = match c.pairs.next() {
            Some(p) => Some(self.expr(p)?),
            None => None,
        };
        Ok(FunctionParam {
            name,
            ty,
            default,
            span: c.span,
        })
    }

    fn typed_column(&self, pair: P<'_>) -> Result<TypedColumn, ParseError> {
        let mut c = self.children(pair);
        let name = self.name(c.next())?;
        let type_name = self.scalar_type(&c.next())?;
        Ok(TypedColumn {
            name,
            type_name,
            span: c.span,
        })
    }

    fn option_value(&self, pair: P<'_>) -> Result<Expr, ParseError> {
        let inner = pair.into_inner().next().expect("value has a child");
        match inner.as_rule() {
            Rule::literal => self.literal(inner.into_inner().next().expect("literal has a child")),
            _ => Ok(Expr::Name(self.name(inner)?)),
        }
    }

    /// A scalar type where a column or parameter is declared (`name: type`): one of the
    /// names Microsoft's parser accepts there, or an error.
    fn scalar_type(&self, pair: &P<'_>) -> Result<Ident, ParseError> {
        let ident = self.plain_ident(pair);
        if SCALAR_TYPES.contains(&ident.name.as_str()) {
            return Ok(ident);
        }
        Err(self.error(
            ident.span,
            format!(
                "found `{}`, expected a type: {}",
                ident.name,
                SCALAR_TYPES.join(", ")
            ),
        ))
    }

    /// An identifier token as a name, spelled as in the source.
    fn plain_ident(&self, pair: &P<'_>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            quoted: None,
            span: self.span(pair),
        }
    }

    /// A name being declared (`let x`, `extend x =`, a parameter): a few keywords are no such
    /// name unless bracketed, as for Microsoft's parser (`extend kind = 1` is an error).
    fn declared_name(&self, pair: P<'_>) -> Result<Ident, ParseError> {
        let name = self.name(pair)?;
        if name.quoted.is_none()
            && (NOT_DECLARED.contains(&name.name.as_str())
                || TYPE_KEYWORDS.contains(&name.name.as_str()))
        {
            return Err(self.error(
                name.span,
                format!(
                    "found the keyword `{0}`, expected a name: write ['{0}'] to declare it",
                    name.name
                ),
            ));
        }
        Ok(name)
    }

    /// `ident` or `bracket_ident`.
    fn name(&self, pair: P<'_>) -> Result<Ident, ParseError> {
        match pair.as_rule() {
            Rule::bracket_ident => {
                let quoted = self.text(&pair).into();
                let sp = self.span(&pair);
                let lit = pair
                    .into_inner()
                    .next()
                    .expect("bracket_ident has a string");
                let name =
                    crate::literal::decode_string_literal(lit.as_str()).ok_or_else(|| {
                        self.error(sp, "found a malformed bracketed name, expected ['name']")
                    })?;
                Ok(Ident {
                    name,
                    quoted: Some(quoted),
                    span: sp,
                })
            }
            _ => Ok(self.plain_ident(&pair)),
        }
    }
}
