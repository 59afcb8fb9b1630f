//! The layout of each query operator.

use super::{Layout, concat, t};
use crate::ast::*;
use crate::format::doc::Doc;
use crate::span::Span;

/// A space, or nothing: `datatable(...)`, but `datatable kind=x (...)`.
fn space_if(space: bool) -> Doc {
    t(if space { " " } else { "" })
}

impl Layout<'_> {
    /// An operator, without its `|`. `stage` is the stage's span (empty for a query's first
    /// operator, which has none).
    pub(super) fn operator(&mut self, op: &Operator, stage: Span) -> Doc {
        let keyword = op.keyword();
        match op {
            Operator::Where { predicate, .. } => {
                let comments = self.comments.leading_inline(predicate.span().start);
                concat(vec![
                    t(format!("{keyword} ")),
                    comments,
                    self.expr(predicate),
                ])
            }
            Operator::Extend { columns }
            | Operator::Project { columns }
            | Operator::Print { columns }
            | Operator::Serialize { columns } => {
                self.keyword_list(t(keyword), columns, |c| c.span, Self::column_expr)
            }
            Operator::ProjectAway { columns } | Operator::ProjectKeep { columns } => {
                self.keyword_list(t(keyword), columns, Expr::span, Self::expr)
            }
            Operator::ProjectRename { renames } => self.keyword_list(
                t(keyword),
                renames,
                |r| r.span,
                |_, r| t(format!("{} = {}", r.new, r.old)),
            ),
            Operator::ProjectReorder { columns } => self.keyword_list(
                t(keyword),
                columns,
                |c| c.span,
                |this, item| {
                    let mut parts = vec![this.expr(&item.column)];
                    if let Some(order) = &item.order {
                        parts.push(t(format!(" {order}")));
                    }
                    concat(parts)
                },
            ),
            Operator::ProjectSmart | Operator::Count | Operator::Getschema => t(keyword),
            Operator::Summarize {
                params,
                aggregates,
                by,
            } => self.summarize(params, aggregates, by),
            Operator::Join(join) | Operator::Lookup(join) => self.join(keyword, join),
            Operator::Union { params, tables } => self.union(params, tables),
            Operator::Distinct { params, columns } => {
                let head = concat(vec![t(keyword), self.params(params)]);
                self.keyword_list(head, columns, |c| c.span, Self::column_expr)
            }
            Operator::Sort { params, keys, .. } => {
                let head = concat(vec![t(keyword), self.params(params), t(" by")]);
                self.keyword_list(head, keys, |k| k.span, Self::sort_key)
            }
            Operator::Take { params, count, .. } | Operator::Sample { params, count } => {
                concat(vec![
                    t(keyword),
                    self.params(params),
                    t(" "),
                    self.expr(count),
                ])
            }
            Operator::Top { params, count, by } => concat(vec![
                t(keyword),
                self.params(params),
                t(" "),
                self.expr(count),
                t(" by "),
                self.sort_key(by),
            ]),
            Operator::TopNested { clauses } => {
                let mut parts = Vec::new();
                for (i, clause) in clauses.iter().enumerate() {
                    if i > 0 {
                        parts.push(t(","));
                        parts.push(Doc::Line);
                    }
                    parts.push(self.comments.leading(
                        clause.span.start,
                        super::Blank::Drop,
                        i == 0,
                    ));
                    parts.push(self.top_nested_clause(clause));
                }
                Doc::group(Doc::indent(concat(parts)))
            }
            Operator::TopHitters { count, of, by } => {
                let mut parts = vec![
                    t(keyword),
                    t(" "),
                    self.expr(count),
                    t(" of "),
                    self.expr(of),
                ];
                if let Some(by) = by {
                    parts.push(t(" by "));
                    parts.push(self.expr(by));
                }
                concat(parts)
            }
            Operator::SampleDistinct { params, count, of } => concat(vec![
                t(keyword),
                self.params(params),
                t(" "),
                self.expr(count),
                t(" of "),
                self.expr(of),
            ]),
            Operator::MvExpand {
                params,
                items,
                limit,
            }
            | Operator::MvApply {
                params,
                items,
                limit,
                ..
            } => {
                let head = concat(vec![t(keyword), self.params(params)]);
                let mut parts = vec![self.keyword_list(head, items, |i| i.span, Self::mv_item)];
                if let Some(limit) = limit {
                    parts.push(t(" limit "));
                    parts.push(self.expr(limit));
                }
                if let Operator::MvApply { body, .. } = op {
                    parts.push(t(" on "));
                    let stages = self.stage_sequence(body);
                    parts.push(self.block("(", stages, ")", self.end(stage)));
                }
                concat(parts)
            }
            Operator::Parse {
                params,
                source,
                pattern,
                ..
            } => {
                let mut parts = vec![
                    t(keyword),
                    self.params(params),
                    t(" "),
                    self.expr(source),
                    t(" with"),
                ];
                for item in pattern {
                    parts.push(t(" "));
                    parts.push(match item {
                        ParsePatternItem::Star(_) => t("*"),
                        ParsePatternItem::Literal(l) => self.literal(l),
                        ParsePatternItem::Column {
                            name, type_name, ..
                        } => match type_name {
                            Some(ty) => t(format!("{name}:{}", ty.name)),
                            None => t(name.to_string()),
                        },
                    });
                }
                concat(parts)
            }
            Operator::ParseKv {
                source,
                columns,
                with,
            } => {
                let mut parts = vec![t(keyword), t(" "), self.expr(source), t(" as ")];
                let limit = self.close_after(columns.last().map(|c| c.span.end), ')');
                parts.push(self.bracketed(
                    "(",
                    columns,
                    |c| c.span,
                    |_, c| t(c.to_string()),
                    ")",
                    limit,
                ));
                parts.push(self.with_properties(with.as_deref()));
                concat(parts)
            }
            Operator::MakeSeries(series) => self.make_series(series),
            Operator::Evaluate { params, plugin } => concat(vec![
                t(keyword),
                self.params(params),
                t(" "),
                self.expr(plugin),
            ]),
            Operator::Render { chart, with } => concat(vec![
                t(format!("{keyword} {}", chart.name)),
                self.with_properties(with.as_deref()),
            ]),
            Operator::As { params, name } => {
                concat(vec![t(keyword), self.params(params), t(format!(" {name}"))])
            }
            Operator::Invoke { call } => concat(vec![t(format!("{keyword} ")), self.expr(call)]),
            Operator::Consume { params } => concat(vec![t(keyword), self.params(params)]),
            Operator::Reduce { params, by, with } => {
                let mut parts = vec![t(keyword), self.params(params), t(" by "), self.expr(by)];
                if !with.is_empty() {
                    parts.push(t(" with "));
                    let list = self.items(with, |p| p.span, Self::property, false);
                    parts.push(Doc::group(list));
                }
                concat(parts)
            }
            Operator::Fork { branches } => {
                let mut parts = vec![t(keyword)];
                for branch in branches {
                    parts.push(Doc::HardLine);
                    parts.push(
                        self.comments
                            .leading(branch.span.start, super::Blank::Drop, false),
                    );
                    if let Some(name) = &branch.name {
                        parts.push(t(format!("{name} = ")));
                    }
                    let stages = self.stage_sequence(&branch.stages);
                    parts.push(self.block("(", stages, ")", self.end(branch.span)));
                }
                Doc::indent(concat(parts))
            }
            Operator::Facet { columns, with } => {
                let head = t(format!("{keyword} by"));
                let mut parts =
                    vec![self.keyword_list(head, columns, |c| c.span, |_, c| t(c.to_string()))];
                if let Some(stages) = with {
                    parts.push(t(" with "));
                    let stages = self.stage_sequence(stages);
                    parts.push(self.block("(", stages, ")", self.end(stage)));
                }
                concat(parts)
            }
            Operator::Partition { params, by, body } => {
                let mut parts = vec![t(keyword), self.params(params), t(" by "), self.expr(by)];
                parts.push(t(" "));
                match body {
                    PartitionBody::Stages(stages) => {
                        let stages = self.stage_sequence(stages);
                        parts.push(self.block("(", stages, ")", self.end(stage)));
                    }
                    PartitionBody::Query(q) => {
                        let comments =
                            self.comments
                                .leading(q.span.start, super::Blank::Drop, true);
                        let inner = self.pipeline(q, false);
                        parts.push(self.block(
                            "{",
                            concat(vec![comments, inner]),
                            "}",
                            self.end(stage),
                        ));
                    }
                }
                concat(parts)
            }
            Operator::Scan(scan) => self.scan(scan, stage),
            Operator::Search {
                params,
                tables,
                predicate,
            } => {
                let mut parts = vec![t(keyword), self.params(params)];
                parts.push(self.in_tables(tables.as_deref()));
                parts.push(t(" "));
                parts.push(self.expr(predicate));
                concat(parts)
            }
            Operator::Find {
                params,
                tables,
                predicate,
                project,
            } => {
                let mut parts = vec![t(keyword), self.params(params)];
                parts.push(self.in_tables(tables.as_deref()));
                parts.push(t(" where "));
                parts.push(self.expr(predicate));
                match project {
                    Some(FindProject::Smart) => parts.push(t(" project-smart")),
                    Some(FindProject::Columns(columns)) => {
                        parts.push(t(" "));
                        parts.push(self.keyword_list(
                            t("project"),
                            columns,
                            |c| c.span,
                            Self::column_expr,
                        ));
                    }
                    None => {}
                }
                concat(parts)
            }
            Operator::Range {
                column,
                from,
                to,
                step,
            } => concat(vec![
                t(format!("{keyword} {column} from ")),
                self.expr(from),
                t(" to "),
                self.expr(to),
                t(" step "),
                self.expr(step),
            ]),
            Operator::Datatable {
                params,
                columns,
                values,
            } => {
                let head = concat(vec![
                    t(keyword),
                    self.params(params),
                    space_if(!params.is_empty()),
                ]);
                let columns_doc = self.typed_columns(columns);
                let rows = self.rows(values, columns.len().max(1));
                concat(vec![head, columns_doc, t(" "), rows])
            }
            Operator::Externaldata {
                params,
                columns,
                urls,
                with,
            } => {
                let head = concat(vec![
                    t(keyword),
                    self.params(params),
                    space_if(!params.is_empty()),
                ]);
                let columns_doc = self.typed_columns(columns);
                let limit = self.close_after(urls.last().map(|u| u.span().end), ']');
                let urls = self.bracketed("[", urls, Expr::span, Self::expr, "]", limit);
                let with = self.with_properties(with.as_deref());
                concat(vec![head, columns_doc, t(" "), urls, with])
            }
        }
    }

    /// ` name=value` for each parameter.
    fn params(&mut self, params: &[OpParam]) -> Doc {
        let mut parts = Vec::new();
        for p in params {
            parts.push(t(format!(" {}=", p.name.name)));
            parts.push(self.expr(&p.value));
        }
        concat(parts)
    }

    pub(super) fn column_expr(&mut self, c: &ColumnExpr) -> Doc {
        let target = match &c.target {
            Some(AssignTarget::Name(name)) => format!("{name} = "),
            Some(AssignTarget::Tuple(names)) => {
                let names: Vec<String> = names.iter().map(ToString::to_string).collect();
                format!("({}) = ", names.join(", "))
            }
            None => String::new(),
        };
        concat(vec![t(target), self.expr(&c.expr)])
    }

    fn sort_key(&mut self, key: &SortKey) -> Doc {
        let mut parts = vec![self.expr(&key.expr)];
        if let Some(direction) = key.direction {
            parts.push(t(format!(" {direction}")));
        }
        match key.nulls {
            Some(NullsPosition::First) => parts.push(t(" nulls first")),
            Some(NullsPosition::Last) => parts.push(t(" nulls last")),
            None => {}
        }
        concat(parts)
    }

    fn mv_item(&mut self, item: &MvItem) -> Doc {
        let mut parts = vec![self.column_expr(&item.column)];
        if let Some(ty) = &item.to_type {
            parts.push(t(format!(" to typeof({})", ty.name)));
        }
        concat(parts)
    }

    fn property(&mut self, p: &Property) -> Doc {
        let mut parts = vec![t(format!("{}=", p.name))];
        for (i, value) in p.values.iter().enumerate() {
            if i > 0 {
                parts.push(t(", "));
            }
            parts.push(self.expr(value));
        }
        concat(parts)
    }

    /// ` with (name=value, ...)`, if given.
    fn with_properties(&mut self, with: Option<&[Property]>) -> Doc {
        let Some(props) = with else {
            return concat(Vec::new());
        };
        let limit = self.close_after(props.last().map(|p| p.span.end), ')');
        let list = self.bracketed("(", props, |p| p.span, Self::property, ")", limit);
        concat(vec![t(" with "), list])
    }

    /// `(name:type, ...)` of `datatable` and `externaldata`.
    fn typed_columns(&mut self, columns: &[TypedColumn]) -> Doc {
        let limit = self.close_after(columns.last().map(|c| c.span.end), ')');
        self.bracketed(
            "(",
            columns,
            |c| c.span,
            |_, c| t(c.to_string()),
            ")",
            limit,
        )
    }

    /// `summarize [params] aggregates [by columns]`: on one line if it fits, else one
    /// aggregate a line and `by` on a line of its own, the `by` columns beside it (or, if they
    /// do not fit either, one a line below it).
    fn summarize(
        &mut self,
        params: &[OpParam],
        aggregates: &[ColumnExpr],
        by: &[ColumnExpr],
    ) -> Doc {
        let mut parts = vec![t("summarize"), self.params(params)];
        if !aggregates.is_empty() {
            let list = self.items(aggregates, |c| c.span, Self::column_expr, !by.is_empty());
            parts.push(Doc::indent(concat(vec![Doc::Line, list])));
        }
        if !by.is_empty() {
            let list = self.items(by, |c| c.span, Self::column_expr, false);
            let by_list = Doc::group(concat(vec![
                t("by"),
                Doc::indent(concat(vec![Doc::Line, list])),
            ]));
            parts.push(Doc::indent(concat(vec![Doc::Line, by_list])));
        }
        Doc::group(concat(parts))
    }

    /// `join`/`lookup`: the right side as a block when it is a parenthesised query, then
    /// `on` and the conditions.
    fn join(&mut self, keyword: &str, join: &Join) -> Doc {
        let mut parts = vec![t(keyword)];
        if let Some(kind) = &join.kind {
            parts.push(self.params(std::slice::from_ref(kind)));
        }
        parts.push(self.params(&join.hints));
        parts.push(t(" "));
        parts.push(self.table_ref(&join.right));
        // A comment after the right side stays on its line, which ends after `on`.
        parts.push(self.comments.trailing_past(join.right.span.end, "on"));
        if !join.on.is_empty() {
            let list = self.items(&join.on, Expr::span, Self::expr, false);
            parts.push(Doc::group(concat(vec![
                t(" on"),
                Doc::indent(concat(vec![Doc::Line, list])),
            ])));
        }
        concat(parts)
    }

    /// A table operand: a name, or a parenthesised query (a block when it has stages).
    fn table_ref(&mut self, table: &TableRef) -> Doc {
        let q = &table.query;
        match (table.parenthesized, !q.stages.is_empty()) {
            (true, true) => self.query_block(q, self.end(table.span)),
            (true, false) => concat(vec![t("("), self.pipeline(q, false), t(")")]),
            (false, _) => self.pipeline(q, false),
        }
    }

    /// `union [params] tables`: one a line when they do not fit; parenthesised queries follow
    /// each other as blocks: `union (` ... `), (` ... `)`.
    fn union(&mut self, params: &[OpParam], tables: &[TableRef]) -> Doc {
        let head = concat(vec![t("union"), self.params(params)]);
        let blocks = tables
            .iter()
            .any(|table| table.parenthesized && !table.query.stages.is_empty());
        if !blocks {
            return self.keyword_list(
                head,
                tables,
                |table| table.span,
                |this, table| this.table_ref(table),
            );
        }
        let mut parts = vec![head, t(" ")];
        for (i, table) in tables.iter().enumerate() {
            if i > 0 {
                parts.push(t(", "));
            }
            parts.push(self.comments.leading_inline(table.span.start));
            parts.push(self.table_ref(table));
        }
        concat(parts)
    }

    /// `in (tables)` of `search` and `find`, if given.
    fn in_tables(&mut self, tables: Option<&[TableRef]>) -> Doc {
        let Some(tables) = tables else {
            return concat(Vec::new());
        };
        let limit = self.close_after(tables.last().map(|t| t.span.end), ')');
        let list = self.bracketed(
            "(",
            tables,
            |table| table.span,
            |this, table| this.table_ref(table),
            ")",
            limit,
        );
        concat(vec![t(" in "), list])
    }

    fn top_nested_clause(&mut self, clause: &TopNestedClause) -> Doc {
        let mut parts = vec![t("top-nested")];
        if let Some(count) = &clause.count {
            parts.push(t(" "));
            parts.push(self.expr(count));
        }
        parts.push(t(" of "));
        parts.push(self.column_expr(&clause.of));
        if let Some(others) = &clause.others {
            parts.push(t(" with others = "));
            parts.push(self.expr(others));
        }
        parts.push(t(" by "));
        parts.push(self.column_expr(&clause.by));
        if let Some(direction) = clause.direction {
            parts.push(t(format!(" {direction}")));
        }
        concat(parts)
    }

    fn make_series(&mut self, series: &MakeSeries) -> Doc {
        let head = concat(vec![t("make-series"), self.params(&series.params)]);
        let aggregates = self.keyword_list(
            head,
            &series.aggregates,
            |a| a.span,
            |this, a| {
                let mut parts = vec![this.column_expr(&a.column)];
                if let Some(default) = &a.default {
                    parts.push(t(" default = "));
                    parts.push(this.expr(default));
                }
                concat(parts)
            },
        );
        let mut tail = vec![Doc::Line, t("on "), self.expr(&series.on)];
        match &series.range {
            SeriesRange::InRange { start, stop, step } => {
                tail.extend([
                    t(" in range("),
                    self.expr(start),
                    t(", "),
                    self.expr(stop),
                    t(", "),
                    self.expr(step),
                    t(")"),
                ]);
            }
            SeriesRange::FromTo { from, to, step } => {
                if let Some(from) = from {
                    tail.push(t(" from "));
                    tail.push(self.expr(from));
                }
                if let Some(to) = to {
                    tail.push(t(" to "));
                    tail.push(self.expr(to));
                }
                tail.push(t(" step "));
                tail.push(self.expr(step));
            }
        }
        if !series.by.is_empty() {
            tail.push(Doc::Line);
            tail.push(self.keyword_list(t("by"), &series.by, |c| c.span, Self::column_expr));
        }
        Doc::group(concat(vec![aggregates, Doc::indent(concat(tail))]))
    }

    fn scan(&mut self, scan: &Scan, stage: Span) -> Doc {
        let mut parts = vec![t("scan"), self.params(&scan.params)];
        if !scan.order_by.is_empty() {
            parts.push(t(" "));
            parts.push(self.keyword_list(
                t("order by"),
                &scan.order_by,
                |k| k.span,
                Self::sort_key,
            ));
        }
        if !scan.partition_by.is_empty() {
            parts.push(t(" "));
            parts.push(self.keyword_list(
                t("partition by"),
                &scan.partition_by,
                Expr::span,
                Self::expr,
            ));
        }
        if !scan.declare.is_empty() {
            parts.push(t(" declare "));
            let limit = self.close_after(scan.declare.last().map(|p| p.span.end), ')');
            parts.push(self.bracketed("(", &scan.declare, |p| p.span, Self::param, ")", limit));
        }
        parts.push(t(" with "));
        let mut steps = Vec::new();
        for (i, step) in scan.steps.iter().enumerate() {
            if i > 0 {
                steps.push(Doc::HardLine);
            }
            steps.push(
                self.comments
                    .leading(step.span.start, super::Blank::Drop, i == 0),
            );
            let mut head = format!("step {}", step.name);
            if let Some(output) = &step.output {
                head.push_str(&format!(" output={}", output.name));
            }
            head.push_str(": ");
            steps.push(t(head));
            steps.push(self.expr(&step.condition));
            for (i, (name, value)) in step.assignments.iter().enumerate() {
                steps.push(t(if i > 0 { ", " } else { " => " }));
                steps.push(t(format!("{name} = ")));
                steps.push(self.expr(value));
            }
            steps.push(t(";"));
            steps.push(self.comments.trailing(step.span.end));
        }
        parts.push(self.block("(", concat(steps), ")", self.end(stage)));
        concat(parts)
    }

    /// The values of a `datatable`, a row (as many values as columns) a line when they do not
    /// fit on one.
    fn rows(&mut self, values: &[Expr], width: usize) -> Doc {
        let mut parts = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let row_start = i % width == 0;
            if i > 0 {
                parts.push(t(","));
                parts.push(if row_start { Doc::Line } else { t(" ") });
            }
            if row_start {
                parts.push(
                    self.comments
                        .leading(value.span().start, super::Blank::Drop, i == 0),
                );
            }
            parts.push(self.expr(value));
            if (i + 1) % width == 0 && i + 1 < values.len() {
                parts.push(self.comments.trailing(value.span().end));
            }
        }
        let limit = self.close_after(values.last().map(|v| v.span().end), ']');
        let rest = self.comments.dangling(limit, super::Blank::Drop);
        Doc::group(concat(vec![
            t("["),
            Doc::indent(concat(vec![Doc::SoftLine, concat(parts), rest])),
            Doc::SoftLine,
            t("]"),
        ]))
    }
}
