//! The canonical layout: the tree turned into a [`Doc`], with the comments put back.
//!
//! - statements end with `;` (all but the last) and each starts a line; blank lines between
//!   statements and between pipe stages are kept, runs of them collapsed to one;
//! - a query's source starts its line and every `| stage` starts a line of its own, at the
//!   same indentation (one level deeper under a `let`);
//! - a parenthesised query opens a block: `(`, the query indented, `)` on a line of its own;
//! - a list (`project`, `summarize`, call arguments, `in (...)`) stays on one line when it fits,
//!   else puts each item on a line of its own, one level deeper;
//! - `and`/`or` chains that do not fit break before each `and`/`or`.
//!
//! The walk follows the source order, so that [`Comments`] can hand out each comment at the
//! first element after it.

mod expr;
mod operator;

use super::comments::{Blank, Comments};
use super::doc::Doc;
use crate::ast::*;
use crate::span::Span;

pub(super) struct Layout<'s> {
    comments: Comments<'s>,
    source: &'s str,
}

/// Text.
fn t(text: impl Into<String>) -> Doc {
    Doc::text(text)
}

fn concat(parts: Vec<Doc>) -> Doc {
    Doc::concat(parts)
}

impl<'s> Layout<'s> {
    pub(super) fn new(source: &'s str, comments: &[Comment]) -> Self {
        Layout {
            comments: Comments::new(source, comments.to_vec()),
            source,
        }
    }

    /// How many comments were never placed (zero unless the layout has a bug).
    pub(super) fn unplaced_comments(&self) -> usize {
        self.comments.remaining()
    }

    pub(super) fn script(&mut self, script: &Script) -> Doc {
        if script.statements.is_empty() {
            // Only comments: each on its line.
            return self.comments.leading(usize::MAX, Blank::Keep, true);
        }
        let body = self.statements(&script.statements);
        concat(vec![body, self.comments.dangling(usize::MAX, Blank::Keep)])
    }

    /// Statements, `;` after all but the last, each on a line of its own.
    fn statements(&mut self, statements: &[Statement]) -> Doc {
        let mut parts = Vec::new();
        for (i, statement) in statements.iter().enumerate() {
            if i > 0 {
                parts.push(Doc::HardLine);
            }
            let span = statement.span();
            parts.push(self.comments.leading(span.start, Blank::Keep, i == 0));
            parts.push(self.statement(statement));
            if i + 1 < statements.len() {
                parts.push(t(";"));
            }
            parts.push(self.comments.trailing(span.end));
        }
        concat(parts)
    }

    fn statement(&mut self, statement: &Statement) -> Doc {
        match statement {
            Statement::Let(l) => self.let_statement(l),
            Statement::Set(s) => {
                let mut parts = vec![t(format!("set {}", s.name.name))];
                if let Some(value) = &s.value {
                    parts.push(t(" = "));
                    parts.push(self.expr(value));
                }
                concat(parts)
            }
            Statement::Declare(d) => {
                let params = self.bracketed(
                    "(",
                    &d.params,
                    |p| p.span,
                    Self::param,
                    ")",
                    self.end(d.span),
                );
                concat(vec![t("declare query_parameters"), params])
            }
            Statement::Query(q) => self.pipeline(q, false),
        }
    }

    fn let_statement(&mut self, l: &LetStatement) -> Doc {
        let head = t(format!("let {} = ", l.name));
        let value = match &l.value {
            LetValue::Expr(e) => {
                let comments = self.comments.leading_inline(e.span().start);
                concat(vec![comments, self.expr(e)])
            }
            LetValue::Tabular(q) => {
                let comments = self.comments.leading_inline(q.span.start);
                concat(vec![comments, self.pipeline(q, true)])
            }
            LetValue::Function(def) => self.function(def),
        };
        concat(vec![head, value])
    }

    /// `[view] (params) { body }`, the body indented.
    fn function(&mut self, def: &FunctionDef) -> Doc {
        let mut parts = Vec::new();
        if def.view {
            parts.push(t("view "));
        }
        let limit = self.close_after(def.params.last().map(|p| p.span.end), ')');
        parts.push(self.bracketed("(", &def.params, |p| p.span, Self::param, ")", limit));
        parts.push(t(" {"));
        let body = self.statements(&def.body);
        let rest = self.comments.dangling(self.end(def.span), Blank::Drop);
        parts.push(Doc::indent(concat(vec![Doc::HardLine, body, rest])));
        parts.push(Doc::HardLine);
        parts.push(t("}"));
        concat(parts)
    }

    fn param(&mut self, p: &FunctionParam) -> Doc {
        let mut text = format!("{}:", p.name);
        match &p.ty {
            ParamType::Scalar(ty) => text.push_str(&ty.name),
            ParamType::Tabular { columns, open } => {
                let mut items: Vec<String> = columns.iter().map(ToString::to_string).collect();
                if *open {
                    items.push("*".into());
                }
                text.push_str(&format!("({})", items.join(", ")));
            }
        }
        let mut parts = vec![t(text)];
        if let Some(default) = &p.default {
            parts.push(t(" = "));
            parts.push(self.expr(default));
        }
        concat(parts)
    }

    /// A query: its source, then each stage on a line of its own; `indent_stages` puts the
    /// stages one level deeper (under a `let`).
    fn pipeline(&mut self, q: &TabularExpr, indent_stages: bool) -> Doc {
        let source = self.source_doc(&q.source);
        if q.stages.is_empty() {
            return source;
        }
        let source_end = self.comments.code_end(q.stages[0].span.start);
        let mut parts = vec![source, self.comments.trailing(source_end)];
        let mut stages = Vec::new();
        for stage in &q.stages {
            stages.push(Doc::HardLine);
            stages.push(self.comments.leading(stage.span.start, Blank::Keep, false));
            stages.push(t("| "));
            stages.push(self.operator(&stage.operator, stage.span));
            stages.push(self.comments.trailing(stage.span.end));
        }
        let stages = concat(stages);
        parts.push(if indent_stages {
            Doc::indent(stages)
        } else {
            stages
        });
        concat(parts)
    }

    fn source_doc(&mut self, source: &Source) -> Doc {
        match source {
            Source::Expr(e) => self.expr(e),
            Source::Operator(op) => self.operator(op, Span::default()),
        }
    }

    /// The stages of a `fork` branch, `facet ... with`, `mv-apply ... on`, `partition`: the
    /// first without its `|`.
    fn stage_sequence(&mut self, stages: &[Stage]) -> Doc {
        let mut parts = Vec::new();
        for (i, stage) in stages.iter().enumerate() {
            if i > 0 {
                parts.push(Doc::HardLine);
                parts.push(self.comments.leading(stage.span.start, Blank::Keep, false));
                parts.push(t("| "));
            } else {
                parts.push(self.comments.leading(stage.span.start, Blank::Drop, true));
            }
            parts.push(self.operator(&stage.operator, stage.span));
            parts.push(self.comments.trailing(stage.span.end));
        }
        concat(parts)
    }

    /// `open`, the block indented on lines of its own, `close` on a line of its own; `end` is
    /// where the block's source ends (comments before it are printed inside).
    fn block(&mut self, open: &str, inner: Doc, close: &str, end: usize) -> Doc {
        let rest = self.comments.dangling(end, Blank::Drop);
        concat(vec![
            t(open),
            Doc::indent(concat(vec![Doc::HardLine, inner, rest])),
            Doc::HardLine,
            t(close),
        ])
    }

    /// A parenthesised query as a block: `(`, the query, `)`.
    fn query_block(&mut self, q: &TabularExpr, end: usize) -> Doc {
        let comments = self.comments.leading(q.span.start, Blank::Drop, true);
        let inner = self.pipeline(q, false);
        self.block("(", concat(vec![comments, inner]), ")", end)
    }

    /// Items separated by `,` and a line break (a space when the group fits on one line),
    /// with their comments. The last item's trailing comment is left to the enclosing element
    /// unless `last_trailing`.
    fn items<T>(
        &mut self,
        items: &[T],
        span: impl Fn(&T) -> Span,
        mut each: impl FnMut(&mut Self, &T) -> Doc,
        last_trailing: bool,
    ) -> Doc {
        let mut parts = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_span = span(item);
            if i > 0 {
                parts.push(t(","));
                parts.push(Doc::Line);
            }
            parts.push(self.comments.leading(item_span.start, Blank::Drop, i == 0));
            parts.push(each(self, item));
            if i + 1 < items.len() || last_trailing {
                parts.push(self.comments.trailing(item_span.end));
            }
        }
        concat(parts)
    }

    /// `keyword item, item, ...`: on one line if it fits, else the keyword alone and one item a
    /// line, indented. A single item stays beside the keyword and breaks inside if it must.
    fn keyword_list<T>(
        &mut self,
        keyword: Doc,
        items: &[T],
        span: impl Fn(&T) -> Span,
        mut each: impl FnMut(&mut Self, &T) -> Doc,
    ) -> Doc {
        match items {
            [] => keyword,
            [item] => {
                let comments = self.comments.leading_inline(span(item).start);
                concat(vec![keyword, t(" "), comments, each(self, item)])
            }
            _ => {
                let list = self.items(items, span, each, false);
                Doc::group(concat(vec![
                    keyword,
                    Doc::indent(concat(vec![Doc::Line, list])),
                ]))
            }
        }
    }

    /// `open item, item close`: on one line if it fits, else one item a line between the
    /// brackets. `limit` is where the closing bracket ends in the source: comments before it
    /// are printed inside.
    fn bracketed<T>(
        &mut self,
        open: &str,
        items: &[T],
        span: impl Fn(&T) -> Span,
        each: impl FnMut(&mut Self, &T) -> Doc,
        close: &str,
        limit: usize,
    ) -> Doc {
        let list = self.items(items, span, each, false);
        let rest = self.comments.dangling(limit, Blank::Drop);
        Doc::group(concat(vec![
            t(open),
            Doc::indent(concat(vec![Doc::SoftLine, list, rest])),
            Doc::SoftLine,
            t(close),
        ]))
    }

    /// The end of the closing bracket `close` that follows `end` in the source (past spaces
    /// and comments); `end` itself when something else follows (or `end` is not known).
    fn close_after(&self, end: Option<usize>, close: char) -> usize {
        let Some(end) = end else { return 0 };
        let mut at = end.min(self.source.len());
        loop {
            let rest = &self.source[at..];
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                at += crate::scan::comment_len(trimmed.as_bytes());
                continue;
            }
            return if trimmed.starts_with(close) {
                at + 1
            } else {
                end
            };
        }
    }

    /// Where the code of `span` ends (its span may run on over spaces and comments).
    fn end(&self, span: Span) -> usize {
        self.comments.code_end(span.end)
    }
}
