//! Tabular expressions and the query operators.

use super::{Children, Converter, P, Rule};
use crate::ast::*;
use crate::error::ParseError;
use crate::span::Span;

type R<T> = Result<T, ParseError>;

impl Converter<'_> {
    /// A `pipe_expr`: a source and its stages.
    pub(super) fn tabular(&self, pair: P<'_>) -> R<TabularExpr> {
        let mut c = self.children(pair);
        let source_pair = c.next();
        let source = match source_pair.as_rule() {
            Rule::expr => Source::Expr(self.expr(source_pair)?),
            _ => Source::Operator(Box::new(self.operator(source_pair)?)),
        };
        let span = c.span;
        let stages = c.rest().map(|p| self.stage(p)).collect::<R<_>>()?;
        Ok(TabularExpr {
            source,
            stages,
            span,
        })
    }

    pub(super) fn stage(&self, pair: P<'_>) -> R<Stage> {
        let sp = self.span(&pair);
        let operator = self.operator(pair.into_inner().next().expect("stage has an operator"))?;
        Ok(Stage { operator, span: sp })
    }

    /// A `stage_seq`: stages with no source, the first without its `|`.
    fn stage_seq(&self, pair: P<'_>) -> R<Vec<Stage>> {
        let mut c = self.children(pair);
        let first = c.next();
        let mut stages = vec![Stage {
            span: self.span(&first),
            operator: self.operator(first)?,
        }];
        for p in c.rest() {
            stages.push(self.stage(p)?);
        }
        Ok(stages)
    }

    fn params(&self, c: &mut Children<'_>) -> R<Vec<OpParam>> {
        let mut params = Vec::new();
        while let Some(p) = c.take(Rule::op_param) {
            let sp = self.span(&p);
            let mut pc = self.children(p);
            let name = self.plain_ident(&pc.next());
            let value = self.option_value(pc.next())?;
            params.push(OpParam {
                name,
                value,
                span: sp,
            });
        }
        Ok(params)
    }

    /// A `where` predicate: an expression, or `Name = expression`, which compares the name
    /// with the whole expression after the `=` (kept in brackets when it binds looser than a
    /// comparison, so that the printed text reads the same).
    fn where_predicate(&self, c: &mut Children<'_>) -> R<Expr> {
        let Some(name) = c.take(Rule::where_name) else {
            return self.expr(c.next());
        };
        let name_span = self.span(&name);
        let left = Expr::Name(self.name(name.into_inner().next().expect("where_name has a name"))?);
        let mut right = self.expr(c.next())?;
        let eq = self.source[name_span.end..right.span().start]
            .find('=')
            .map_or(name_span.end, |i| name_span.end + i);
        if right.precedence() <= precedence::COMPARISON {
            let span = right.span();
            right = Expr::Paren(Box::new(ParenExpr { inner: right, span }));
        }
        let span = left.span().cover(right.span());
        Ok(Expr::Binary(Box::new(BinaryExpr {
            left,
            op: BinaryOp {
                kind: BinaryOpKind::Eq,
                text: "=".into(),
                span: Span::new(eq, eq + 1),
            },
            right,
            span,
        })))
    }

    fn column_list(&self, pair: P<'_>) -> R<Vec<ColumnExpr>> {
        pair.into_inner().map(|p| self.column_expr(p)).collect()
    }

    fn column_expr(&self, pair: P<'_>) -> R<ColumnExpr> {
        let mut c = self.children(pair);
        let first = c.next();
        let Some(expr) = c.pairs.next() else {
            return Ok(ColumnExpr {
                target: None,
                expr: self.expr(first)?,
                span: c.span,
            });
        };
        let target = if first.as_rule() == Rule::name_tuple {
            AssignTarget::Tuple(
                first
                    .into_inner()
                    .map(|n| self.declared_name(n))
                    .collect::<R<_>>()?,
            )
        } else {
            AssignTarget::Name(self.declared_name(first)?)
        };
        Ok(ColumnExpr {
            target: Some(target),
            expr: self.expr(expr)?,
            span: c.span,
        })
    }

    fn optional_columns(&self, c: &mut Children<'_>) -> R<Vec<ColumnExpr>> {
        match c.take(Rule::column_list) {
            Some(list) => self.column_list(list),
            None => Ok(Vec::new()),
        }
    }

    fn exprs<'s>(&self, pairs: impl Iterator<Item = P<'s>>) -> R<Vec<Expr>> {
        pairs.map(|p| self.expr(p)).collect()
    }

    /// A name or wildcard of `project-away`, `project-keep`, `project-reorder`.
    fn pattern(&self, pair: P<'_>) -> R<Expr> {
        if pair.as_rule() == Rule::wildcard {
            return Ok(Expr::Wildcard(self.plain_ident(&pair)));
        }
        Ok(Expr::Name(self.name(pair)?))
    }

    /// `wildcard` or `expr` as a table operand; `(query)` is a parenthesised one.
    fn table_ref(&self, pair: P<'_>) -> R<TableRef> {
        let sp = self.span(&pair);
        let source = if pair.as_rule() == Rule::wildcard {
            Expr::Wildcard(self.plain_ident(&pair))
        } else {
            self.expr(pair)?
        };
        let bare = |source: Expr| TabularExpr {
            source: Source::Expr(source),
            stages: Vec::new(),
            span: sp,
        };
        let (query, parenthesized) = match source {
            Expr::Paren(paren) => match paren.inner {
                Expr::Query(query) => (*query, true),
                inner => (bare(inner), true),
            },
            source => (bare(source), false),
        };
        Ok(TableRef {
            query,
            parenthesized,
            span: sp,
        })
    }

    fn sort_key(&self, pair: P<'_>) -> R<SortKey> {
        let mut c = self.children(pair);
        let expr = self.expr(c.next())?;
        let direction = c.take(Rule::sort_dir).map(|d| direction(d.as_str()));
        let nulls = c.take(Rule::nulls).map(|n| {
            if n.as_str().ends_with("first") {
                NullsPosition::First
            } else {
                NullsPosition::Last
            }
        });
        Ok(SortKey {
            expr,
            direction,
            nulls,
            span: c.span,
        })
    }

    fn with_props(&self, pair: Option<P<'_>>) -> R<Option<Vec<Property>>> {
        let Some(pair) = pair else { return Ok(None) };
        let mut c = self.children(pair);
        c.next(); // with
        Ok(Some(c.rest().map(|p| self.prop(p)).collect::<R<_>>()?))
    }

    fn prop(&self, pair: P<'_>) -> R<Property> {
        let mut c = self.children(pair);
        let name = self.name(c.next())?;
        let values = self.exprs(c.next().into_inner())?;
        Ok(Property {
            name,
            values,
            span: c.span,
        })
    }

    fn mv_item(&self, pair: P<'_>) -> R<MvItem> {
        let mut c = self.children(pair);
        let column = self.column_expr(c.next())?;
        let to_type = match c.take(Rule::kw_to) {
            Some(to) => {
                c.next(); // typeof
                Some(match c.take(Rule::type_name) {
                    Some(ty) => self.plain_ident(&ty),
                    None => Ident {
                        name: String::new(),
                        quoted: None,
                        span: Span::new(self.span(&to).end, c.span.end),
                    },
                })
            }
            None => None,
        };
        Ok(MvItem {
            column,
            to_type,
            span: c.span,
        })
    }

    fn mv_items(&self, c: &mut Children<'_>) -> R<(Vec<MvItem>, Option<Expr>)> {
        let mut items = Vec::new();
        while let Some(p) = c.take(Rule::mv_item) {
            items.push(self.mv_item(p)?);
        }
        let limit = match c.take(Rule::mv_limit) {
            Some(l) => Some(self.expr(l.into_inner().nth(1).expect("limit has a count"))?),
            None => None,
        };
        Ok((items, limit))
    }

    fn join(&self, c: &mut Children<'_>) -> R<Join> {
        let mut kind = None;
        let mut hints = Vec::new();
        for p in self.params(c)? {
            if kind.is_none() && p.name.name == "kind" {
                kind = Some(p);
            } else {
                hints.push(p);
            }
        }
        let right = self.table_ref(c.next())?;
        let on = match c.take(Rule::kw_on) {
            Some(_) => self.exprs(c.pairs.by_ref())?,
            None => Vec::new(),
        };
        Ok(Join {
            kind,
            hints,
            right,
            on,
        })
    }

    pub(super) fn operator(&self, pair: P<'_>) -> R<Operator> {
        let rule = pair.as_rule();
        let mut c = self.children(pair);
        let keyword = c.next();
        Ok(match rule {
            Rule::where_op => Operator::Where {
                filter_keyword: keyword.as_rule() == Rule::kw_filter,
                predicate: self.where_predicate(&mut c)?,
            },
            Rule::extend_op => Operator::Extend {
                columns: self.column_list(c.next())?,
            },
            Rule::project_op => Operator::Project {
                columns: self.optional_columns(&mut c)?,
            },
            Rule::project_away_op | Rule::project_keep_op => {
                let columns = c
                    .rest()
                    .flat_map(|list| list.into_inner())
                    .map(|p| self.pattern(p))
                    .collect::<R<_>>()?;
                if rule == Rule::project_away_op {
                    Operator::ProjectAway { columns }
                } else {
                    Operator::ProjectKeep { columns }
                }
            }
            Rule::project_rename_op => {
                let renames = c
                    .rest()
                    .map(|p| {
                        let sp = self.span(&p);
                        let mut rc = self.children(p);
                        Ok(Rename {
                            new: self.declared_name(rc.next())?,
                            old: self.name(rc.next())?,
                            span: sp,
                        })
                    })
                    .collect::<R<_>>()?;
                Operator::ProjectRename { renames }
            }
            Rule::project_reorder_op => {
                let columns = c
                    .rest()
                    .map(|p| {
                        let sp = self.span(&p);
                        let mut rc = self.children(p);
                        let column = self.pattern(rc.next())?;
                        let order = rc.pairs.next().map(|o| o.as_str().to_string());
                        Ok(ReorderItem {
                            column,
                            order,
                            span: sp,
                        })
                    })
                    .collect::<R<_>>()?;
                Operator::ProjectReorder { columns }
            }
            Rule::project_smart_op => Operator::ProjectSmart,
            Rule::summarize_op => {
                let params = self.params(&mut c)?;
                let aggregates = self.optional_columns(&mut c)?;
                let by = match c.take(Rule::by_clause) {
                    Some(b) => self.column_list(b.into_inner().nth(1).expect("by has columns"))?,
                    None => Vec::new(),
                };
                Operator::Summarize {
                    params,
                    aggregates,
                    by,
                }
            }
            Rule::join_op => Operator::Join(Box::new(self.join(&mut c)?)),
            Rule::lookup_op => Operator::Lookup(Box::new(self.join(&mut c)?)),
            Rule::union_op => {
                let params = self.params(&mut c)?;
                let tables = c.rest().map(|p| self.table_ref(p)).collect::<R<_>>()?;
                Operator::Union { params, tables }
            }
            Rule::distinct_op => {
                let params = self.params(&mut c)?;
                let list = c.next();
                let columns = if list.as_rule() == Rule::star {
                    let star = self.span(&list);
                    vec![ColumnExpr {
                        target: None,
                        expr: Expr::Star(star),
                        span: star,
                    }]
                } else {
                    self.column_list(list)?
                };
                Operator::Distinct { params, columns }
            }
            Rule::sort_op => {
                let order_keyword = keyword.as_rule() == Rule::kw_order;
                let params = self.params(&mut c)?;
                c.next(); // by
                let keys = c.rest().map(|p| self.sort_key(p)).collect::<R<_>>()?;
                Operator::Sort {
                    params,
                    keys,
                    order_keyword,
                }
            }
            Rule::take_op => {
                let limit_keyword = keyword.as_rule() == Rule::kw_limit;
                let params = self.params(&mut c)?;
                Operator::Take {
                    params,
                    count: self.expr(c.next())?,
                    limit_keyword,
                }
            }
            Rule::top_op => {
                let params = self.params(&mut c)?;
                let count = self.expr(c.next())?;
                c.next(); // by
                Operator::Top {
                    params,
                    count,
                    by: self.sort_key(c.next())?,
                }
            }
            Rule::top_hitters_op => {
                let count = self.expr(c.next())?;
                c.next(); // of
                let of = self.expr(c.next())?;
                let by = match c.take(Rule::kw_by) {
                    Some(_) => Some(self.expr(c.next())?),
                    None => None,
                };
                Operator::TopHitters { count, of, by }
            }
            Rule::top_nested_op => {
                let mut clauses = vec![self.top_nested(keyword)?];
                for p in c.rest() {
                    clauses.push(self.top_nested(p)?);
                }
                Operator::TopNested { clauses }
            }
            Rule::count_op => Operator::Count,
            Rule::sample_op => {
                let params = self.params(&mut c)?;
                Operator::Sample {
                    params,
                    count: self.expr(c.next())?,
                }
            }
            Rule::sample_distinct_op => {
                let params = self.params(&mut c)?;
                let count = self.expr(c.next())?;
                c.next(); // of
                Operator::SampleDistinct {
                    params,
                    count,
                    of: self.expr(c.next())?,
                }
            }
            Rule::mv_expand_op => {
                let params = self.params(&mut c)?;
                let (items, limit) = self.mv_items(&mut c)?;
                Operator::MvExpand {
                    params,
                    items,
                    limit,
                }
            }
            Rule::mv_apply_op => {
                let params = self.params(&mut c)?;
                let (items, limit) = self.mv_items(&mut c)?;
                c.next(); // on
                Operator::MvApply {
                    params,
                    items,
                    limit,
                    body: self.stage_seq(c.next())?,
                }
            }
            Rule::parse_op => {
                let parse_where = keyword.as_rule() == Rule::kw_parse_where;
                let params = self.params(&mut c)?;
                let source = self.expr(c.next())?;
                c.next(); // with
                let pattern = c
                    .next()
                    .into_inner()
                    .map(|p| self.parse_item(p))
                    .collect::<R<_>>()?;
                Operator::Parse {
                    parse_where,
                    params,
                    source,
                    pattern,
                }
            }
            Rule::parse_kv_op => {
                let source = self.expr(c.next())?;
                c.next(); // as
                let mut columns = Vec::new();
                while let Some(p) = c.take(Rule::typed_column) {
                    columns.push(self.typed_column(p)?);
                }
                Operator::ParseKv {
                    source,
                    columns,
                    with: self.with_props(c.pairs.next())?,
                }
            }
            Rule::make_series_op => Operator::MakeSeries(Box::new(self.make_series(&mut c)?)),
            Rule::evaluate_op => {
                let params = self.params(&mut c)?;
                Operator::Evaluate {
                    params,
                    plugin: self.expr(c.next())?,
                }
            }
            Rule::render_op => {
                let chart = self.plain_ident(&c.next());
                Operator::Render {
                    chart,
                    with: self.with_props(c.pairs.next())?,
                }
            }
            Rule::as_op => {
                let params = self.params(&mut c)?;
                Operator::As {
                    params,
                    name: self.name(c.next())?,
                }
            }
            Rule::serialize_op => Operator::Serialize {
                columns: self.optional_columns(&mut c)?,
            },
            Rule::getschema_op => Operator::Getschema,
            Rule::invoke_op => Operator::Invoke {
                call: self.expr(c.next())?,
            },
            Rule::consume_op => Operator::Consume {
                params: self.params(&mut c)?,
            },
            Rule::reduce_op => {
                let params = self.params(&mut c)?;
                c.next(); // by
                let by = self.expr(c.next())?;
                c.take(Rule::kw_with);
                let with = c.rest().map(|p| self.prop(p)).collect::<R<_>>()?;
                Operator::Reduce { params, by, with }
            }
            Rule::fork_op => {
                let branches = c
                    .rest()
                    .map(|b| {
                        let sp = self.span(&b);
                        let mut bc = self.children(b);
                        let name = match bc.peek_rule() {
                            Some(Rule::stage_seq) => None,
                            _ => Some(self.name(bc.next())?),
                        };
                        Ok(ForkBranch {
                            name,
                            stages: self.stage_seq(bc.next())?,
                            span: sp,
                        })
                    })
                    .collect::<R<_>>()?;
                Operator::Fork { branches }
            }
            Rule::facet_op => {
                c.next(); // by
                let mut columns = Vec::new();
                while matches!(c.peek_rule(), Some(Rule::ident | Rule::bracket_ident)) {
                    columns.push(self.name(c.next())?);
                }
                let with = match c.take(Rule::kw_with) {
                    Some(_) => Some(self.stage_seq(c.next())?),
                    None => None,
                };
                Operator::Facet { columns, with }
            }
            Rule::partition_op => {
                let params = self.params(&mut c)?;
                c.next(); // by
                let by = self.expr(c.next())?;
                let body = c.next();
                let body = if body.as_rule() == Rule::stage_seq {
                    PartitionBody::Stages(self.stage_seq(body)?)
                } else {
                    PartitionBody::Query(Box::new(self.tabular(body)?))
                };
                Operator::Partition { params, by, body }
            }
            Rule::scan_op => Operator::Scan(Box::new(self.scan(&mut c)?)),
            Rule::search_op | Rule::find_op => {
                let params = self.params(&mut c)?;
                let tables = match c.take(Rule::search_in) {
                    Some(s) => Some(
                        s.into_inner()
                            .skip(1)
                            .map(|p| self.table_ref(p))
                            .collect::<R<_>>()?,
                    ),
                    None => None,
                };
                if rule == Rule::search_op {
                    let predicate = c.next();
                    let predicate = if predicate.as_rule() == Rule::star {
                        Expr::Star(self.span(&predicate))
                    } else {
                        self.expr(predicate)?
                    };
                    Operator::Search {
                        params,
                        tables,
                        predicate,
                    }
                } else {
                    c.take(Rule::kw_where);
                    let predicate = self.expr(c.next())?;
                    let project = match c.pairs.next() {
                        Some(fp) => {
                            let mut fc = self.children(fp);
                            let kw = fc.next();
                            if kw.as_rule() == Rule::kw_project_smart {
                                Some(FindProject::Smart)
                            } else {
                                Some(FindProject::Columns(self.column_list(fc.next())?))
                            }
                        }
                        None => None,
                    };
                    Operator::Find {
                        params,
                        tables,
                        predicate,
                        project,
                    }
                }
            }
            Rule::range_src => {
                let column = self.name(c.next())?;
                c.next(); // from
                let from = self.expr(c.next())?;
                c.next(); // to
                let to = self.expr(c.next())?;
                c.next(); // step
                Operator::Range {
                    column,
                    from,
                    to,
                    step: self.expr(c.next())?,
                }
            }
            Rule::print_src => {
                let columns = self.optional_columns(&mut c)?;
                if columns.is_empty() {
                    // As for Microsoft's parser: `print` prints at least one value.
                    return Err(self.error(
                        Span::new(c.span.end, c.span.end),
                        "found the end of `print`, expected an expression to print",
                    ));
                }
                Operator::Print { columns }
            }
            Rule::datatable_src | Rule::externaldata_src => {
                let params = self.params(&mut c)?;
                let mut columns = Vec::new();
                while let Some(p) = c.take(Rule::typed_column) {
                    columns.push(self.typed_column(p)?);
                }
                let mut values = Vec::new();
                while let Some(p) = c.take(Rule::expr) {
                    let value = self.expr(p)?;
                    if rule == Rule::datatable_src && !is_signed_literal(&value) {
                        return Err(self.error(
                            value.span(),
                            "found an expression among a datatable's values, expected a literal \
                             (a string, number, timespan, `true`, `datetime(...)`, `dynamic(...)`...)",
                        ));
                    }
                    values.push(value);
                }
                if rule == Rule::datatable_src {
                    Operator::Datatable {
                        params,
                        columns,
                        values,
                    }
                } else {
                    Operator::Externaldata {
                        params,
                        columns,
                        urls: values,
                        with: self.with_props(c.pairs.next())?,
                    }
                }
            }
            other => {
                return Err(self.error(
                    c.span,
                    format!("found {other:?}, expected a query operator"),
                ));
            }
        })
    }

    fn top_nested(&self, pair: P<'_>) -> R<TopNestedClause> {
        let mut c = self.children(pair);
        c.next(); // top-nested
        let count = match c.take(Rule::expr) {
            Some(p) => Some(self.expr(p)?),
            None => None,
        };
        c.next(); // of
        let of = self.column_expr(c.next())?;
        let others = match c.take(Rule::others) {
            Some(o) => Some(self.expr(o.into_inner().nth(2).expect("others has a value"))?),
            None => None,
        };
        c.next(); // by
        let by = self.column_expr(c.next())?;
        let direction = c.take(Rule::sort_dir).map(|d| direction(d.as_str()));
        Ok(TopNestedClause {
            count,
            of,
            others,
            by,
            direction,
            span: c.span,
        })
    }

    fn parse_item(&self, pair: P<'_>) -> R<ParsePatternItem> {
        Ok(match pair.as_rule() {
            Rule::star => ParsePatternItem::Star(self.span(&pair)),
            Rule::string_lit => match self.literal(pair)? {
                Expr::Literal(l) => ParsePatternItem::Literal(l),
                other => {
                    return Err(self.error(
                        other.span(),
                        "found an expression, expected a string in the parse pattern",
                    ));
                }
            },
            _ => {
                let mut c = self.children(pair);
                let name = self.name(c.next())?;
                let type_name = c.pairs.next().map(|t| self.scalar_type(&t)).transpose()?;
                ParsePatternItem::Column {
                    name,
                    type_name,
                    span: c.span,
                }
            }
        })
    }

    fn make_series(&self, c: &mut Children<'_>) -> R<MakeSeries> {
        let params = self.params(c)?;
        let mut aggregates = Vec::new();
        while let Some(p) = c.take(Rule::series_agg) {
            let sp = self.span(&p);
            let mut ac = self.children(p);
            let column = self.column_expr(ac.next())?;
            let default = match ac.take(Rule::kw_default) {
                Some(_) => Some(self.expr(ac.next())?),
                None => None,
            };
            aggregates.push(SeriesAggregate {
                column,
                default,
                span: sp,
            });
        }
        c.next(); // on
        let on = self.expr(c.next())?;
        let mut rc = self.children(c.next());
        let range = if rc.take(Rule::kw_in).is_some() {
            rc.next(); // range
            SeriesRange::InRange {
                start: self.expr(rc.next())?,
                stop: self.expr(rc.next())?,
                step: self.expr(rc.next())?,
            }
        } else {
            let from = match rc.take(Rule::kw_from) {
                Some(_) => Some(self.expr(rc.next())?),
                None => None,
            };
            let to = match rc.take(Rule::kw_to) {
                Some(_) => Some(self.expr(rc.next())?),
                None => None,
            };
            rc.next(); // step
            SeriesRange::FromTo {
                from,
                to,
                step: self.expr(rc.next())?,
            }
        };
        let by = match c.take(Rule::by_clause) {
            Some(b) => self.column_list(b.into_inner().nth(1).expect("by has columns"))?,
            None => Vec::new(),
        };
        Ok(MakeSeries {
            params,
            aggregates,
            on,
            range,
            by,
        })
    }

    fn scan(&self, c: &mut Children<'_>) -> R<Scan> {
        let params = self.params(c)?;
        let order_by = match c.take(Rule::scan_order) {
            Some(o) => o
                .into_inner()
                .skip(2)
                .map(|k| self.sort_key(k))
                .collect::<R<_>>()?,
            None => Vec::new(),
        };
        let partition_by = match c.take(Rule::scan_partition) {
            Some(p) => self.exprs(p.into_inner().skip(2))?,
            None => Vec::new(),
        };
        let declare = match c.take(Rule::scan_declare) {
            Some(d) => d
                .into_inner()
                .skip(1)
                .map(|p| self.fn_param(p))
                .collect::<R<_>>()?,
            None => Vec::new(),
        };
        c.next(); // with
        let steps = c
            .pairs
            .by_ref()
            .map(|s| {
                let sp = self.span(&s);
                let mut sc = self.children(s);
                sc.next(); // step
                let name = self.name(sc.next())?;
                let output = sc
                    .take(Rule::kw_output)
                    .map(|_| self.plain_ident(&sc.next()));
                let condition = self.expr(sc.next())?;
                let assignments = sc
                    .rest()
                    .map(|a| {
                        let mut ac = self.children(a);
                        Ok((self.name(ac.next())?, self.expr(ac.next())?))
                    })
                    .collect::<R<_>>()?;
                Ok(ScanStep {
                    name,
                    output,
                    condition,
                    assignments,
                    span: sp,
                })
            })
            .collect::<R<_>>()?;
        Ok(Scan {
            params,
            order_by,
            partition_by,
            declare,
            steps,
        })
    }
}

fn direction(text: &str) -> SortDirection {
    if text == "asc" {
        SortDirection::Asc
    } else {
        SortDirection::Desc
    }
}

/// A literal, with a sign right before it or not: what a datatable's values may be, as for
/// Microsoft's parser (`[1, 'a', -2, dynamic([1])]`; not `x`, `now()`, `1 + 1`, `- 2` or a
/// bare `null`).
fn is_signed_literal(value: &Expr) -> bool {
    match value {
        Expr::Literal(l) => !matches!(l.value, LiteralValue::Null),
        Expr::Unary(u) => {
            matches!(&u.operand, Expr::Literal(l) if !matches!(l.value, LiteralValue::Null))
                && u.operand.span().start == u.span.start + 1
        }
        _ => false,
    }
}
