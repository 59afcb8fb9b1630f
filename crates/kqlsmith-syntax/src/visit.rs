//! Walking the tree: a [`Visitor`] is called for every statement, tabular expression,
//! operator and expression, in source order.
//!
//! Override the methods for the nodes of interest; call the matching `walk_*` function to
//! keep descending into children.
//!
//! A flat chain (`a or b or c`, `x + y - z`) is one visit: `visit_expr` sees its last
//! operator, and `walk_expr` then visits the chain's operands in order (see
//! [`BinaryExpr::chain`] for its links). Chains can be thousands of links long; visiting each
//! link in turn would nest a call per link.
//!
//! ```
//! use kqlsmith_syntax::{ast::*, visit::{Visitor, walk_expr}};
//!
//! struct Calls(Vec<String>);
//! impl Visitor for Calls {
//!     fn visit_expr(&mut self, expr: &Expr) {
//!         if let Expr::Call(call) = expr {
//!             self.0.push(call.name.name.clone());
//!         }
//!         walk_expr(self, expr);
//!     }
//! }
//! let script = kqlsmith_syntax::parse("T | where ago(1d) < now() | summarize count()").unwrap();
//! let mut calls = Calls(Vec::new());
//! calls.visit_script(&script);
//! assert_eq!(calls.0, ["ago", "now", "count"]);
//! ```

use crate::ast::*;

pub trait Visitor {
    fn visit_script(&mut self, script: &Script) {
        for statement in &script.statements {
            self.visit_statement(statement);
        }
    }

    fn visit_statement(&mut self, statement: &Statement) {
        walk_statement(self, statement);
    }

    fn visit_tabular(&mut self, tabular: &TabularExpr) {
        walk_tabular(self, tabular);
    }

    fn visit_operator(&mut self, operator: &Operator) {
        walk_operator(self, operator);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        walk_expr(self, expr);
    }
}

pub fn walk_statement<V: Visitor + ?Sized>(v: &mut V, statement: &Statement) {
    match statement {
        Statement::Let(l) => match &l.value {
            LetValue::Expr(e) => v.visit_expr(e),
            LetValue::Tabular(t) => v.visit_tabular(t),
            LetValue::Function(def) => {
                walk_params(v, &def.params);
                for s in &def.body {
                    v.visit_statement(s);
                }
            }
        },
        Statement::Set(s) => {
            if let Some(e) = &s.value {
                v.visit_expr(e);
            }
        }
        Statement::Declare(d) => walk_params(v, &d.params),
        Statement::Query(q) => v.visit_tabular(q),
    }
}

fn walk_params<V: Visitor + ?Sized>(v: &mut V, params: &[FunctionParam]) {
    for p in params {
        if let Some(d) = &p.default {
            v.visit_expr(d);
        }
    }
}

pub fn walk_tabular<V: Visitor + ?Sized>(v: &mut V, tabular: &TabularExpr) {
    match &tabular.source {
        Source::Expr(e) => v.visit_expr(e),
        Source::Operator(op) => v.visit_operator(op),
    }
    walk_stages(v, &tabular.stages);
}

fn walk_stages<V: Visitor + ?Sized>(v: &mut V, stages: &[Stage]) {
    for stage in stages {
        v.visit_operator(&stage.operator);
    }
}

fn exprs<'a, V: Visitor + ?Sized>(v: &mut V, items: impl IntoIterator<Item = &'a Expr>) {
    for e in items {
        v.visit_expr(e);
    }
}

fn columns<V: Visitor + ?Sized>(v: &mut V, columns: &[ColumnExpr]) {
    exprs(v, columns.iter().map(|c| &c.expr));
}

fn op_params<V: Visitor + ?Sized>(v: &mut V, params: &[OpParam]) {
    exprs(v, params.iter().map(|p| &p.value));
}

fn props<V: Visitor + ?Sized>(v: &mut V, props: &[Property]) {
    exprs(v, props.iter().flat_map(|p| &p.values));
}

fn tables<V: Visitor + ?Sized>(v: &mut V, tables: &[TableRef]) {
    for t in tables {
        v.visit_tabular(&t.query);
    }
}

pub fn walk_operator<V: Visitor + ?Sized>(v: &mut V, operator: &Operator) {
    match operator {
        Operator::Where { predicate, .. } => v.visit_expr(predicate),
        Operator::Extend { columns: c }
        | Operator::Project { columns: c }
        | Operator::Print { columns: c }
        | Operator::Serialize { columns: c } => columns(v, c),
        Operator::ProjectAway { columns: c } | Operator::ProjectKeep { columns: c } => exprs(v, c),
        Operator::ProjectReorder { columns: c } => exprs(v, c.iter().map(|i| &i.column)),
        Operator::ProjectRename { .. }
        | Operator::ProjectSmart
        | Operator::Count
        | Operator::Getschema => {}
        Operator::Summarize {
            params,
            aggregates,
            by,
        } => {
            op_params(v, params);
            columns(v, aggregates);
            columns(v, by);
        }
        Operator::Join(j) | Operator::Lookup(j) => {
            op_params(v, j.kind.as_slice());
            op_params(v, &j.hints);
            v.visit_tabular(&j.right.query);
            exprs(v, &j.on);
        }
        Operator::Union { params, tables: t } => {
            op_params(v, params);
            tables(v, t);
        }
        Operator::Distinct { params, columns: c } => {
            op_params(v, params);
            columns(v, c);
        }
        Operator::Sort { params, keys, .. } => {
            op_params(v, params);
            exprs(v, keys.iter().map(|k| &k.expr));
        }
        Operator::Take { params, count, .. } | Operator::Sample { params, count } => {
            op_params(v, params);
            v.visit_expr(count);
        }
        Operator::Top { params, count, by } => {
            op_params(v, params);
            v.visit_expr(count);
            v.visit_expr(&by.expr);
        }
        Operator::TopNested { clauses } => {
            for c in clauses {
                exprs(
                    v,
                    c.count
                        .iter()
                        .chain([&c.of.expr])
                        .chain(&c.others)
                        .chain([&c.by.expr]),
                );
            }
        }
        Operator::TopHitters { count, of, by } => exprs(v, [count, of].into_iter().chain(by)),
        Operator::SampleDistinct { params, count, of } => {
            op_params(v, params);
            exprs(v, [count, of]);
        }
        Operator::MvExpand {
            params,
            items,
            limit,
        } => {
            op_params(v, params);
            exprs(v, items.iter().map(|i| &i.column.expr).chain(limit));
        }
        Operator::MvApply {
            params,
            items,
            limit,
            body,
        } => {
            op_params(v, params);
            exprs(v, items.iter().map(|i| &i.column.expr).chain(limit));
            walk_stages(v, body);
        }
        Operator::Parse { params, source, .. } => {
            op_params(v, params);
            v.visit_expr(source);
        }
        Operator::ParseKv { source, with, .. } => {
            v.visit_expr(source);
            props(v, with.as_deref().unwrap_or_default());
        }
        Operator::MakeSeries(ms) => {
            op_params(v, &ms.params);
            for a in &ms.aggregates {
                exprs(v, [&a.column.expr].into_iter().chain(&a.default));
            }
            v.visit_expr(&ms.on);
            match &ms.range {
                SeriesRange::InRange { start, stop, step } => exprs(v, [start, stop, step]),
                SeriesRange::FromTo { from, to, step } => {
                    exprs(v, from.iter().chain(to).chain([step]))
                }
            }
            columns(v, &ms.by);
        }
        Operator::Evaluate { params, plugin } => {
            op_params(v, params);
            v.visit_expr(plugin);
        }
        Operator::Render { with, .. } => props(v, with.as_deref().unwrap_or_default()),
        Operator::As { params, .. } | Operator::Consume { params } => op_params(v, params),
        Operator::Invoke { call } => v.visit_expr(call),
        Operator::Reduce { params, by, with } => {
            op_params(v, params);
            v.visit_expr(by);
            props(v, with);
        }
        Operator::Fork { branches } => {
            for b in branches {
                walk_stages(v, &b.stages);
            }
        }
        Operator::Facet { with, .. } => walk_stages(v, with.as_deref().unwrap_or_default()),
        Operator::Partition { params, by, body } => {
            op_params(v, params);
            v.visit_expr(by);
            match body {
                PartitionBody::Stages(s) => walk_stages(v, s),
                PartitionBody::Query(q) => v.visit_tabular(q),
            }
        }
        Operator::Scan(scan) => {
            op_params(v, &scan.params);
            exprs(
                v,
                scan.order_by
                    .iter()
                    .map(|k| &k.expr)
                    .chain(&scan.partition_by),
            );
            walk_params(v, &scan.declare);
            for step in &scan.steps {
                exprs(
                    v,
                    [&step.condition]
                        .into_iter()
                        .chain(step.assignments.iter().map(|(_, e)| e)),
                );
            }
        }
        Operator::Search {
            params,
            tables: t,
            predicate,
        }
        | Operator::Find {
            params,
            tables: t,
            predicate,
            ..
        } => {
            op_params(v, params);
            tables(v, t.as_deref().unwrap_or_default());
            v.visit_expr(predicate);
            if let Operator::Find {
                project: Some(FindProject::Columns(c)),
                ..
            } = operator
            {
                columns(v, c);
            }
        }
        Operator::Range { from, to, step, .. } => exprs(v, [from, to, step]),
        Operator::Datatable { params, values, .. } => {
            op_params(v, params);
            exprs(v, values);
        }
        Operator::Externaldata {
            params, urls, with, ..
        } => {
            op_params(v, params);
            exprs(v, urls);
            props(v, with.as_deref().unwrap_or_default());
        }
    }
}

pub fn walk_expr<V: Visitor + ?Sized>(v: &mut V, expr: &Expr) {
    match expr {
        Expr::Name(_) | Expr::Wildcard(_) | Expr::Star(_) | Expr::Literal(_) => {}
        Expr::Binary(b) => {
            let (first, links) = b.chain();
            v.visit_expr(first);
            for link in links {
                v.visit_expr(&link.right);
            }
        }
        Expr::Unary(u) => v.visit_expr(&u.operand),
        Expr::Call(c) => exprs(v, &c.args),
        Expr::Member(m) => v.visit_expr(&m.object),
        Expr::Index(i) => {
            v.visit_expr(&i.object);
            v.visit_expr(&i.index);
        }
        Expr::In(i) => {
            v.visit_expr(&i.expr);
            exprs(v, &i.list);
        }
        Expr::Between(b) => exprs(v, [&b.expr, &b.low, &b.high]),
        Expr::Paren(p) => v.visit_expr(&p.inner),
        Expr::Bracketed(b) => v.visit_expr(&b.inner),
        Expr::NamedArg(n) => v.visit_expr(&n.value),
        Expr::Query(q) => v.visit_tabular(q),
    }
}
