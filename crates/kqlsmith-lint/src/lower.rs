//! Building the linter's view (`ir`) from `kqlsmith_syntax`'s syntax tree.

use std::ops::Range;

use kqlsmith_syntax::ast;

use crate::ir::*;
use crate::schema::ColumnType;

/// Parses `source` and builds its `ir::Script`; a parse error is returned as is.
pub fn parse(source: &str) -> Result<Script, kqlsmith_syntax::ParseError> {
    let tree = kqlsmith_syntax::parse(source)?;
    Ok(script(source, &tree))
}

/// The `ir::Script` of a syntax tree parsed from `source`.
pub fn script(source: &str, tree: &ast::Script) -> Script {
    Script {
        statements: Lowering { source }.statements(&tree.statements),
    }
}

/// The `ir` statements of one statement of the tree parsed from `source` (a `declare` gives
/// one a name).
pub fn statement(source: &str, statement: &ast::Statement) -> Vec<Statement> {
    let mut out = Vec::new();
    Lowering { source }.statement(statement, &mut out);
    out
}

/// A statement's span over `span`, extended over the `;` that ends it, if there is one.
pub fn statement_span(source: &str, span: Range<usize>) -> Range<usize> {
    Lowering { source }.with_semicolon(span)
}

/// The `ir::Stage` of a stage parsed from `source`, which it consumes: a `where` over a long
/// chain frees each link of the syntax tree once it is lowered, so the two trees of a huge
/// filter are never whole in memory together.
pub fn stage(source: &str, stage: ast::Stage) -> Stage {
    let lowering = Lowering { source };
    let keyword = lowering.keyword_of(stage.span, stage.operator.keyword());
    let kind = match stage.operator {
        ast::Operator::Where { predicate, .. } => StageKind::Where(lowering.expr_owned(predicate)),
        operator => lowering.operator(&operator, &keyword),
    };
    lowering.finish_stage(stage.span, keyword, kind)
}

/// The `ir::Expr` of an operand of a long chain or an item of a long `in (...)` list, handed
/// over after its stage (see `kqlsmith_syntax::Streamed`), which it consumes.
pub fn handed_expr(source: &str, expr: ast::Expr) -> Expr {
    Lowering { source }.expr_owned(expr)
}

/// The items of the lowered `in (...)` list that ends at byte `end` among the operands of a
/// `where` stage's operators: where the items handed after the stage go.
pub fn in_list_ending_at(stage: &mut Stage, end: usize) -> Option<&mut Vec<Expr>> {
    fn find(expr: &mut Expr, end: usize) -> Option<&mut Vec<Expr>> {
        match &mut expr.kind {
            ExprKind::List(items) if expr.span.end == end => Some(items),
            ExprKind::Binary { lhs, rhs, .. } => find(lhs, end).or_else(move || find(rhs, end)),
            ExprKind::Unary { operand, .. } => find(operand, end),
            _ => None,
        }
    }
    match &mut stage.kind {
        StageKind::Where(predicate) => find(predicate, end),
        _ => None,
    }
}

struct Lowering<'s> {
    source: &'s str,
}

fn span(s: kqlsmith_syntax::Span) -> Range<usize> {
    s.start..s.end
}

fn ident(i: &ast::Ident) -> Ident {
    Ident {
        name: i.name.clone(),
        span: span(i.span),
    }
}

impl Lowering<'_> {
    fn statements(&self, list: &[ast::Statement]) -> Vec<Statement> {
        let mut out = Vec::new();
        for statement in list {
            self.statement(statement, &mut out);
        }
        out
    }

    /// Pushes the lowered `statement` onto `out` (a `declare` gives one statement a name).
    fn statement(&self, statement: &ast::Statement, out: &mut Vec<Statement>) {
        match statement {
            ast::Statement::Let(l) => out.push(Statement::Let(Let {
                name: ident(&l.name),
                value: match &l.value {
                    ast::LetValue::Expr(e) => LetValue::Scalar(self.expr(e)),
                    ast::LetValue::Tabular(t) => LetValue::Tabular(self.pipeline(t)),
                    ast::LetValue::Function(f) => LetValue::Function(Function {
                        params: f.params.iter().map(param).collect(),
                        body: self.statements(&f.body),
                    }),
                },
                span: self.with_semicolon(span(l.span)),
            })),
            // Query parameters are names in scope, like `let`s whose value is unknown.
            ast::Statement::Declare(d) => {
                for p in &d.params {
                    out.push(Statement::Let(Let {
                        name: ident(&p.name),
                        value: LetValue::Other(span(p.span)),
                        span: span(p.span),
                    }));
                }
            }
            ast::Statement::Set(s) => out.push(Statement::Other(span(s.span))),
            ast::Statement::Query(q) => out.push(Statement::Query(self.pipeline(q))),
        }
    }

    /// Extends a statement's span over the `;` that ends it, if there is one.
    fn with_semicolon(&self, s: Range<usize>) -> Range<usize> {
        let rest = self.source.get(s.end..).unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.starts_with(';') {
            s.start..s.end + (rest.len() - trimmed.len()) + 1
        } else {
            s
        }
    }

    fn pipeline(&self, t: &ast::TabularExpr) -> Pipeline {
        Pipeline {
            source: self.source_of(&t.source),
            stages: t.stages.iter().map(|s| self.stage(s)).collect(),
            span: span(t.span),
        }
    }

    fn table_ref(&self, t: &ast::TableRef) -> Pipeline {
        self.pipeline(&t.query)
    }

    fn source_of(&self, source: &ast::Source) -> Source {
        match source {
            ast::Source::Expr(e) => self.expr_source(e),
            ast::Source::Operator(op) => match op.as_ref() {
                ast::Operator::Union { params, tables } => {
                    Source::Union(self.union(params, tables, span_of_refs(tables)))
                }
                ast::Operator::Range {
                    column,
                    from,
                    to,
                    step,
                } => Source::Range {
                    column: ident(column),
                    exprs: vec![self.expr(from), self.expr(to), self.expr(step)],
                },
                ast::Operator::Print { columns } => Source::Print(self.assignments(columns)),
                ast::Operator::Datatable { columns, .. } => {
                    Source::Datatable(columns.iter().map(typed_column).collect())
                }
                ast::Operator::Externaldata { columns, .. } => {
                    Source::Externaldata(columns.iter().map(typed_column).collect())
                }
                ast::Operator::Search {
                    tables, predicate, ..
                } => Source::Search {
                    tables: tables.as_ref().map(|list| {
                        list.iter()
                            .filter_map(|t| match &t.query.source {
                                ast::Source::Expr(ast::Expr::Name(n)) => Some(ident(n)),
                                _ => None,
                            })
                            .collect()
                    }),
                    predicate: Some(self.expr(predicate)),
                    span: self.keyword_at(predicate.span().start, "search"),
                },
                ast::Operator::Find { predicate, .. } => Source::Find {
                    predicate: self.expr(predicate),
                    span: self.keyword_at(predicate.span().start, "find"),
                },
                ast::Operator::Evaluate {
                    plugin: ast::Expr::Call(c),
                    ..
                } => Source::Evaluate(self.call(c)),
                // An operator that starts a query with no input (`where x == 1`,
                // `project a`): the binder treats it as the stage it is.
                other => {
                    let keyword = self.keyword_at(0, other.keyword());
                    Source::Stage(Box::new(Stage {
                        kind: self.operator(other, &keyword),
                        span: keyword.clone(),
                        keyword,
                    }))
                }
            },
        }
    }

    fn expr_source(&self, e: &ast::Expr) -> Source {
        match e {
            ast::Expr::Name(n) => Source::Name(ident(n)),
            ast::Expr::Call(c) => Source::Call(self.call(c)),
            ast::Expr::Paren(p) => self.expr_source(&p.inner),
            ast::Expr::Query(q) => Source::Nested(Box::new(self.pipeline(q))),
            other => Source::Expr(self.expr(other)),
        }
    }

    /// The span of `keyword` at or before `hint` (for operators whose tree has no keyword
    /// span); falls back to an empty span at `hint`.
    fn keyword_at(&self, hint: usize, keyword: &str) -> Range<usize> {
        let before = self.source.get(..hint).unwrap_or("");
        match before.rfind(keyword) {
            Some(start) => start..start + keyword.len(),
            None => hint..hint,
        }
    }

    fn union(
        &self,
        params: &[ast::OpParam],
        tables: &[ast::TableRef],
        whole: Range<usize>,
    ) -> Union {
        let mut union = Union {
            tables: Vec::new(),
            wildcard: None,
            with_source: None,
            inner: false,
            span: whole,
        };
        for p in params {
            match (p.name.name.as_str(), &p.value) {
                ("withsource", ast::Expr::Name(n)) => union.with_source = Some(ident(n)),
                ("kind", ast::Expr::Name(n)) => union.inner = n.name == "inner",
                _ => {}
            }
        }
        for t in tables {
            match &t.query.source {
                ast::Source::Expr(ast::Expr::Wildcard(w)) if t.query.stages.is_empty() => {
                    union.wildcard = Some(ColumnPattern {
                        text: w.name.clone(),
                        span: span(w.span),
                    });
                }
                ast::Source::Expr(ast::Expr::Star(s)) if t.query.stages.is_empty() => {
                    union.wildcard = Some(ColumnPattern {
                        text: "*".to_string(),
                        span: span(*s),
                    });
                }
                _ => union.tables.push(self.table_ref(t)),
            }
        }
        union
    }

    fn stage(&self, stage: &ast::Stage) -> Stage {
        let keyword = self.keyword_of(stage.span, stage.operator.keyword());
        let kind = self.operator(&stage.operator, &keyword);
        self.finish_stage(stage.span, keyword, kind)
    }

    /// The span of a stage's keyword (`keyword`'s length): the stage's span starts at `|`,
    /// the keyword is the first word after it.
    fn keyword_of(&self, stage: kqlsmith_syntax::Span, keyword: &str) -> Range<usize> {
        let whole = span(stage);
        let text = self.source.get(whole.clone()).unwrap_or("");
        let after_pipe = text.strip_prefix('|').map_or(0, |_| 1);
        let skipped = text[after_pipe..].len() - text[after_pipe..].trim_start().len();
        let keyword_start = whole.start + after_pipe + skipped;
        keyword_start..keyword_start + keyword.len()
    }

    fn finish_stage(
        &self,
        stage: kqlsmith_syntax::Span,
        keyword: Range<usize>,
        kind: StageKind,
    ) -> Stage {
        Stage {
            kind,
            span: keyword.start..stage.end,
            keyword,
        }
    }

    /// Every operator of the syntax tree, each with its own arm: a new operator in the tree
    /// does not compile until it is decided here.
    fn operator(&self, op: &ast::Operator, keyword: &Range<usize>) -> StageKind {
        use ast::Operator as O;
        match op {
            O::Where { predicate, .. } => StageKind::Where(self.expr(predicate)),
            O::Extend { columns } => StageKind::Extend(self.assignments(columns)),
            O::Project { columns } => StageKind::Project(self.assignments(columns)),
            O::Serialize { columns } => StageKind::Serialize(self.assignments(columns)),
            O::ProjectAway { columns } => StageKind::ProjectAway(patterns(columns)),
            O::ProjectKeep { columns } => StageKind::ProjectKeep(patterns(columns)),
            O::ProjectReorder { columns } => StageKind::ProjectReorder(patterns(
                &columns.iter().map(|c| c.column.clone()).collect::<Vec<_>>(),
            )),
            O::ProjectRename { renames } => StageKind::ProjectRename(
                renames
                    .iter()
                    .map(|r| (ident(&r.new), ident(&r.old)))
                    .collect(),
            ),
            O::ProjectSmart => StageKind::Passthrough(Passthrough::ProjectSmart),
            O::Summarize { aggregates, by, .. } => StageKind::Summarize {
                aggregates: self.assignments(aggregates),
                by: self.assignments(by),
            },
            O::Join(j) => StageKind::Join(Box::new(self.join(j))),
            O::Lookup(j) => StageKind::Lookup(Box::new(self.join(j))),
            O::Union { params, tables } => {
                StageKind::Union(Box::new(self.union(params, tables, keyword.clone())))
            }
            O::Distinct { columns, .. } => match columns.as_slice() {
                [only] if matches!(only.expr, ast::Expr::Star(_)) => StageKind::Distinct(None),
                _ => StageKind::Distinct(Some(self.assignments(columns))),
            },
            O::Sort { keys, .. } => {
                StageKind::Sort(keys.iter().map(|k| self.sort_key(k)).collect())
            }
            O::Take { count, .. } | O::Sample { count, .. } => StageKind::Take(self.expr(count)),
            O::Top { count, by, .. } => StageKind::Top {
                count: Box::new(self.expr(count)),
                by: vec![self.sort_key(by)],
            },
            O::TopNested { clauses } => StageKind::TopNested(
                clauses
                    .iter()
                    .map(|c| TopNestedClause {
                        count: c.count.as_ref().map(|e| self.expr(e)),
                        of: self.assignment(&c.of),
                        others: c.others.as_ref().map(|e| self.expr(e)),
                        by: self.assignment(&c.by),
                    })
                    .collect(),
            ),
            O::TopHitters { count, of, by } => StageKind::TopHitters {
                count: Box::new(self.expr(count)),
                of: Box::new(self.expr(of)),
                by: by.as_ref().map(|e| Box::new(self.expr(e))),
            },
            O::SampleDistinct { count, of, .. } => StageKind::SampleDistinct {
                count: Box::new(self.expr(count)),
                of: Box::new(self.expr(of)),
            },
            O::Reduce { by, .. } => StageKind::Reduce(self.expr(by)),
            O::Count => StageKind::Count,
            O::MvExpand { params, items, .. } => StageKind::MvExpand(self.mv_expand(params, items)),
            O::MvApply {
                params,
                items,
                body,
                ..
            } => StageKind::MvApply {
                expand: self.mv_expand(params, items),
                body: body.iter().map(|s| self.stage(s)).collect(),
            },
            O::Parse {
                source, pattern, ..
            } => StageKind::Parse {
                source: Box::new(self.expr(source)),
                columns: pattern
                    .iter()
                    .filter_map(|item| match item {
                        ast::ParsePatternItem::Column {
                            name, type_name, ..
                        } => Some((
                            ident(name),
                            type_name.as_ref().and_then(|t| ColumnType::parse(&t.name)),
                        )),
                        ast::ParsePatternItem::Star(_) | ast::ParsePatternItem::Literal(_) => None,
                    })
                    .collect(),
            },
            O::ParseKv {
                source, columns, ..
            } => StageKind::Parse {
                source: Box::new(self.expr(source)),
                columns: columns.iter().map(typed_column).collect(),
            },
            O::MakeSeries(m) => {
                let mut other = Vec::new();
                match &m.range {
                    ast::SeriesRange::InRange { start, stop, step } => {
                        other.extend([self.expr(start), self.expr(stop), self.expr(step)]);
                    }
                    ast::SeriesRange::FromTo { from, to, step } => {
                        other.extend(from.iter().chain(to.iter()).map(|e| self.expr(e)));
                        other.push(self.expr(step));
                    }
                }
                other.extend(
                    m.aggregates
                        .iter()
                        .filter_map(|a| a.default.as_ref())
                        .map(|e| self.expr(e)),
                );
                StageKind::MakeSeries {
                    aggregates: m
                        .aggregates
                        .iter()
                        .map(|a| self.assignment(&a.column))
                        .collect(),
                    on: Box::new(self.expr(&m.on)),
                    by: self.assignments(&m.by),
                    other,
                }
            }
            O::Evaluate { plugin, .. } => match plugin {
                ast::Expr::Call(c) => StageKind::Evaluate(self.call(c)),
                _ => StageKind::Unfollowed(Unfollowed::NotACall),
            },
            O::Invoke { call } => match call {
                ast::Expr::Call(c) => StageKind::Invoke(self.call(c)),
                _ => StageKind::Unfollowed(Unfollowed::NotACall),
            },
            O::Getschema => StageKind::Getschema,
            O::As { name, .. } => StageKind::As(ident(name)),
            O::Render { .. } => StageKind::Passthrough(Passthrough::Render),
            O::Consume { .. } => StageKind::Passthrough(Passthrough::Consume),
            O::Search { .. } => StageKind::Passthrough(Passthrough::Search),
            O::Fork { branches } => {
                StageKind::Fork(branches.iter().map(|b| self.stages(&b.stages)).collect())
            }
            O::Facet { columns, with } => StageKind::Facet {
                columns: columns.iter().map(ident).collect(),
                with: with.as_deref().map_or_else(Vec::new, |w| self.stages(w)),
            },
            O::Partition { by, body, .. } => StageKind::Partition {
                by: self.expr(by),
                body: match body {
                    ast::PartitionBody::Stages(stages) => {
                        PartitionBody::Stages(self.stages(stages))
                    }
                    ast::PartitionBody::Query(query) => {
                        PartitionBody::Query(Box::new(self.pipeline(query)))
                    }
                },
            },
            O::Scan(scan) => StageKind::Scan(Box::new(self.scan(scan))),
            O::Find { .. } => StageKind::Unfollowed(Unfollowed::Find),
            O::Range { .. } | O::Print { .. } | O::Datatable { .. } | O::Externaldata { .. } => {
                StageKind::Unfollowed(Unfollowed::SourceOnly)
            }
        }
    }

    /// The stages of a subquery (`fork`, `facet`, `partition`).
    fn stages(&self, stages: &[ast::Stage]) -> Vec<Stage> {
        stages.iter().map(|s| self.stage(s)).collect()
    }

    fn scan(&self, scan: &ast::Scan) -> Scan {
        Scan {
            match_id: scan.params.iter().find_map(|p| match &p.value {
                ast::Expr::Name(n) if p.name.name.eq_ignore_ascii_case("with_match_id") => {
                    Some(ident(n))
                }
                _ => None,
            }),
            order_by: scan.order_by.iter().map(|k| self.sort_key(k)).collect(),
            partition_by: scan.partition_by.iter().map(|e| self.expr(e)).collect(),
            declare: scan
                .declare
                .iter()
                .map(|c| ScanColumn {
                    name: ident(&c.name),
                    ty: match &c.ty {
                        ast::ParamType::Scalar(t) => ColumnType::parse(&t.name),
                        ast::ParamType::Tabular { .. } => None,
                    },
                    default: c.default.as_ref().map(|e| self.expr(e)),
                })
                .collect(),
            steps: scan
                .steps
                .iter()
                .map(|step| ScanStep {
                    name: ident(&step.name),
                    condition: self.expr(&step.condition),
                    assignments: step
                        .assignments
                        .iter()
                        .map(|(column, value)| (ident(column), self.expr(value)))
                        .collect(),
                })
                .collect(),
        }
    }

    fn sort_key(&self, k: &ast::SortKey) -> SortKey {
        SortKey {
            expr: self.expr(&k.expr),
            direction: k.direction,
        }
    }

    fn mv_expand(&self, params: &[ast::OpParam], items: &[ast::MvItem]) -> MvExpand {
        MvExpand {
            items: items
                .iter()
                .map(|i| MvItem {
                    column: self.assignment(&i.column),
                    to_type: i.to_type.as_ref().and_then(|t| ColumnType::parse(&t.name)),
                })
                .collect(),
            item_index: params.iter().find_map(|p| match &p.value {
                ast::Expr::Name(n) if p.name.name.eq_ignore_ascii_case("with_itemindex") => {
                    Some(ident(n))
                }
                _ => None,
            }),
        }
    }

    fn join(&self, j: &ast::Join) -> Join {
        Join {
            kind: j.kind.as_ref().map(|k| match &k.value {
                ast::Expr::Name(n) => ident(n),
                other => Ident {
                    name: String::new(),
                    span: span(other.span()),
                },
            }),
            hints: j
                .hints
                .iter()
                .map(|h| (ident(&h.name), self.expr(&h.value)))
                .collect(),
            right: self.table_ref(&j.right),
            on: j.on.iter().map(|e| self.expr(e)).collect(),
        }
    }

    fn assignments(&self, list: &[ast::ColumnExpr]) -> Vec<Assignment> {
        list.iter().map(|c| self.assignment(c)).collect()
    }

    fn assignment(&self, c: &ast::ColumnExpr) -> Assignment {
        Assignment {
            names: match &c.target {
                None => Vec::new(),
                Some(ast::AssignTarget::Name(n)) => vec![ident(n)],
                Some(ast::AssignTarget::Tuple(names)) => names.iter().map(ident).collect(),
            },
            expr: self.expr(&c.expr),
            span: span(c.span),
        }
    }

    fn call(&self, c: &ast::Call) -> Call {
        Call {
            name: ident(&c.name),
            args: c.args.iter().map(|a| self.expr(a)).collect(),
            span: span(c.span),
        }
    }

    fn expr(&self, e: &ast::Expr) -> Expr {
        let kind = match e {
            ast::Expr::Name(n) => ExprKind::Name(ident(n)),
            ast::Expr::Star(_) => ExprKind::Star,
            ast::Expr::Wildcard(w) => ExprKind::Wildcard(ident(w)),
            ast::Expr::NamedArg(a) => ExprKind::NamedArg {
                name: Box::new(ident(&a.name)),
                value: Box::new(self.expr(&a.value)),
            },
            ast::Expr::Literal(l) => ExprKind::Literal(literal(l)),
            ast::Expr::Binary(b) => return self.chain(b),
            ast::Expr::Unary(u) => ExprKind::Unary {
                op: u.op,
                operand: Box::new(self.expr(&u.operand)),
            },
            ast::Expr::Call(c) => ExprKind::Call(Box::new(self.call(c))),
            ast::Expr::Member(m) => ExprKind::Member {
                target: Box::new(self.expr(&m.object)),
                name: Box::new(ident(&m.member)),
            },
            ast::Expr::Index(i) => ExprKind::Index {
                target: Box::new(self.expr(&i.object)),
                index: Box::new(self.expr(&i.index)),
            },
            ast::Expr::In(i) => in_list(
                i,
                self.expr(&i.expr),
                i.list.iter().map(|x| self.expr(x)).collect(),
            ),
            ast::Expr::Between(b) => {
                let lhs = self.expr(&b.expr);
                let low = self.expr(&b.low);
                let op_span = lhs.span.end..low.span.start;
                ExprKind::Binary {
                    op: BinaryOp::Between { negated: b.negated },
                    spelling: OpSpelling::Canonical,
                    op_span: op_span.clone(),
                    lhs: Box::new(lhs),
                    rhs: Box::new(Expr {
                        kind: ExprKind::List(vec![low, self.expr(&b.high)]),
                        span: op_span.end..b.span.end,
                    }),
                }
            }
            ast::Expr::Paren(p) => return self.expr(&p.inner),
            // A name computed from a string (`[strcat('a', 'b')]`): the analyzer types the
            // inner value; no rule reads more into it.
            ast::Expr::Bracketed(b) => ExprKind::List(vec![self.expr(&b.inner)]),
            ast::Expr::Query(q) => ExprKind::Tabular(Box::new(self.pipeline(q))),
        };
        Expr {
            kind,
            span: span(e.span()),
        }
    }
}

impl Lowering<'_> {
    /// A chain (`a or b or c`) nests along its left operands as deep as it is long: it is
    /// lowered with a loop down that spine, each operator before its left operand, since
    /// recursing would cost stack a link (and a list of the links, heap).
    fn chain(&self, last: &ast::BinaryExpr) -> Expr {
        let mut root = self.link(last);
        let mut slot = &mut root;
        let mut left = &last.left;
        // `slot` is always the operator just built, and `left` its left operand.
        while let ExprKind::Binary { lhs, .. } = &mut slot.kind {
            let ast::Expr::Binary(link) = left else {
                **lhs = self.expr(left);
                break;
            };
            **lhs = self.link(link);
            slot = lhs;
            left = &link.left;
        }
        root
    }

    /// [`Self::expr`] of an expression it consumes: the links of a chain are freed one by one
    /// as they are lowered.
    fn expr_owned(&self, e: ast::Expr) -> Expr {
        let mut last = match e {
            ast::Expr::Binary(b) => b,
            ast::Expr::Paren(p) => return self.expr_owned(p.inner),
            // An IOC list: each item's string moves over instead of being copied.
            ast::Expr::In(mut i) => {
                let lhs = self.expr_owned(std::mem::replace(&mut i.expr, placeholder()));
                let items = std::mem::take(&mut i.list);
                let items = items.into_iter().map(|x| self.expr_owned(x)).collect();
                return Expr {
                    kind: in_list(&i, lhs, items),
                    span: span(i.span),
                };
            }
            ast::Expr::Literal(l) => {
                return Expr {
                    span: span(l.span),
                    kind: ExprKind::Literal(match l.value {
                        ast::LiteralValue::String(s) => Literal::String(s.into()),
                        _ => literal(&l),
                    }),
                };
            }
            e => return self.expr(&e),
        };
        let (mut root, mut left) = self.link_owned(&mut last);
        drop(last);
        let mut slot = &mut root;
        // As in `chain`: `slot` is the operator just built, and `left` its left operand, now
        // owned; the link it came from is already gone.
        while let ExprKind::Binary { lhs, .. } = &mut slot.kind {
            let ast::Expr::Binary(mut link) = left else {
                **lhs = self.expr_owned(left);
                break;
            };
            (**lhs, left) = self.link_owned(&mut link);
            drop(link);
            slot = lhs;
        }
        root
    }

    /// One operator of a chain, with a placeholder for its left operand.
    fn link(&self, b: &ast::BinaryExpr) -> Expr {
        link(b, self.expr(&b.right))
    }

    /// [`Self::link`] of a link it empties: the right operand is lowered from the tree it
    /// consumes, and the left one is handed back.
    fn link_owned(&self, b: &mut ast::BinaryExpr) -> (Expr, ast::Expr) {
        let right = std::mem::replace(&mut b.right, placeholder());
        (link(b, self.expr_owned(right)), take_left(b))
    }
}

/// An operator of a chain with its lowered right operand, and a placeholder for its left.
fn link(b: &ast::BinaryExpr, rhs: Expr) -> Expr {
    Expr {
        kind: ExprKind::Binary {
            op: BinaryOp::Scalar(b.op.kind),
            spelling: match &*b.op.text {
                "<>" => OpSpelling::AngleBrackets,
                "=" => OpSpelling::SingleEquals,
                _ => OpSpelling::Canonical,
            },
            op_span: span(b.op.span),
            lhs: Box::new(Expr {
                kind: ExprKind::Star,
                span: 0..0,
            }),
            rhs: Box::new(rhs),
        },
        span: span(b.span),
    }
}

/// `lhs in (items)`: the list is the right operand, spanning from after the operator.
fn in_list(i: &ast::InExpr, lhs: Expr, items: Vec<Expr>) -> ExprKind {
    ExprKind::Binary {
        op: BinaryOp::In(i.op),
        spelling: OpSpelling::Canonical,
        op_span: span(i.op_span),
        lhs: Box::new(lhs),
        rhs: Box::new(Expr {
            kind: ExprKind::List(items),
            span: i.op_span.end..i.span.end,
        }),
    }
}

/// A link's left operand, moved out (the link's own drop then has no spine to unlink).
fn take_left(link: &mut ast::BinaryExpr) -> ast::Expr {
    std::mem::replace(&mut link.left, placeholder())
}

/// What is left in the syntax tree where an operand was moved out of it.
fn placeholder() -> ast::Expr {
    ast::Expr::Star(Default::default())
}

fn literal(l: &ast::Literal) -> Literal {
    use ast::LiteralValue as V;
    match &l.value {
        V::String(s) => Literal::String(s.as_str().into()),
        V::Bool(b) => Literal::Bool(*b),
        V::Long(n) => Literal::Long(*n),
        V::Real(r) => Literal::Real(*r),
        V::Timespan(_) => Literal::Timespan,
        V::Datetime(_) => Literal::DateTime,
        V::Guid(_) => Literal::Guid,
        V::Dynamic(text) => Literal::Dynamic {
            array: text.trim_start().starts_with('['),
        },
        V::Null => Literal::Null,
        V::Typed { type_name, .. } => {
            Literal::Typed(ColumnType::parse(type_name).unwrap_or(ColumnType::Unknown))
        }
    }
}

fn param(p: &ast::FunctionParam) -> Param {
    Param {
        name: ident(&p.name),
        tabular: matches!(p.ty, ast::ParamType::Tabular { .. }),
        optional: p.default.is_some(),
    }
}

fn typed_column(c: &ast::TypedColumn) -> (Ident, Option<ColumnType>) {
    (ident(&c.name), ColumnType::parse(&c.type_name.name))
}

fn patterns(columns: &[ast::Expr]) -> Vec<ColumnPattern> {
    columns
        .iter()
        .filter_map(|c| match c {
            ast::Expr::Name(n) | ast::Expr::Wildcard(n) => Some(ColumnPattern {
                text: n.name.clone(),
                span: span(n.span),
            }),
            _ => None,
        })
        .collect()
}

fn span_of_refs(tables: &[ast::TableRef]) -> Range<usize> {
    match (tables.first(), tables.last()) {
        (Some(a), Some(b)) => a.span.start..b.span.end,
        _ => 0..0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stage lowered from a tree it consumes is the stage lowered from a borrowed tree:
    /// chains (of every precedence, behind brackets, with other operators inside), `filter`,
    /// and operators the consuming path hands on.
    #[test]
    fn a_consumed_stage_lowers_as_a_borrowed_one() {
        let long_chain: String = (0..2_000).map(|i| format!(" or P == {i}")).collect();
        let sources = [
            "T | where A == 1 or B < 2 and not(C) or D in (1, 2)".to_string(),
            "T | filter ((A + 1) * 2 > B - 3 - 4)".to_string(),
            "T | where X between (1 .. 2) and Y !in~ ('a', 'b') and (Z or W)".to_string(),
            "T | where (RemoteIP in ('10.0.0.1', @'10.0.0.2', 3, dynamic(null), true))".to_string(),
            "T | where 'a' 'b' == Name".to_string(),
            "T | where A in ('x', 'y') or B !in ('z') and C has_any ('w')".to_string(),
            format!("T | where P == -1{long_chain}"),
            "T | extend Z = A + B + C | project Z".to_string(),
        ];
        for source in &sources {
            let tree = kqlsmith_syntax::parse(source).unwrap();
            let stages = &tree.statements[0].pipeline().unwrap().stages;
            for borrowed in stages {
                let expected = Lowering { source }.stage(borrowed);
                let consumed = stage(source, borrowed.clone());
                assert_eq!(format!("{consumed:?}"), format!("{expected:?}"), "{source}");
                assert_eq!(consumed.keyword, expected.keyword);
            }
        }
    }
}
