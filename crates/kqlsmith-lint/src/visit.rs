//! Walking every part of a script: rules that look at expressions or stages implement
//! `IrVisitor` and get called for each one, nested pipelines and function bodies included.

use crate::ir::*;

/// Called for every node of its kind; each method's default does nothing.
pub trait IrVisitor {
    fn expr(&mut self, _expr: &Expr) {}
    fn stage(&mut self, _stage: &Stage) {}
    fn source(&mut self, _source: &Source) {}
}

/// Nodes nested deeper than this are not visited. A chain (`a or b or c ...`) counts as one
/// level however long it is: it is walked with a loop, and every term of it is visited.
const MAX_DEPTH: usize = 400;

/// Visits every node of `script`.
pub fn walk_script(script: &Script, visitor: &mut impl IrVisitor) {
    statements(&script.statements, visitor, 0);
}

fn statements(list: &[Statement], v: &mut impl IrVisitor, depth: usize) {
    for statement in list {
        match statement {
            Statement::Let(l) => match &l.value {
                LetValue::Scalar(e) => expr(e, v, depth),
                LetValue::Tabular(p) => pipeline(p, v, depth),
                LetValue::Function(f) => statements(&f.body, v, depth + 1),
                LetValue::Other(_) => {}
            },
            Statement::Query(p) => pipeline(p, v, depth),
            Statement::Other(_) => {}
        }
    }
}

fn pipeline(p: &Pipeline, v: &mut impl IrVisitor, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let depth = depth + 1;
    v.source(&p.source);
    match &p.source {
        Source::Call(call) => call.args.iter().for_each(|a| expr(a, v, depth)),
        Source::Nested(inner) => pipeline(inner, v, depth),
        Source::Union(u) => union(u, v, depth),
        Source::Print(assignments) => assignments.iter().for_each(|a| expr(&a.expr, v, depth)),
        Source::Search {
            predicate: Some(e), ..
        } => expr(e, v, depth),
        Source::Range { exprs, .. } => exprs.iter().for_each(|e| expr(e, v, depth)),
        Source::Find { predicate: e, .. } | Source::Expr(e) => expr(e, v, depth),
        Source::Evaluate(call) => call.args.iter().for_each(|a| expr(a, v, depth)),
        Source::Stage(s) => stage(s, v, depth),
        Source::Name(_)
        | Source::Datatable(_)
        | Source::Externaldata(_)
        | Source::Search {
            predicate: None, ..
        } => {}
    }
    for s in &p.stages {
        stage(s, v, depth);
    }
}

fn union(u: &Union, v: &mut impl IrVisitor, depth: usize) {
    for member in &u.tables {
        pipeline(member, v, depth);
    }
}

fn assignments(list: &[Assignment], v: &mut impl IrVisitor, depth: usize) {
    for a in list {
        expr(&a.expr, v, depth);
    }
}

fn stage(s: &Stage, v: &mut impl IrVisitor, depth: usize) {
    v.stage(s);
    match &s.kind {
        StageKind::Where(e) | StageKind::Take(e) | StageKind::Reduce(e) => expr(e, v, depth),
        StageKind::Extend(a)
        | StageKind::Project(a)
        | StageKind::Serialize(a)
        | StageKind::Distinct(Some(a)) => assignments(a, v, depth),
        StageKind::MvExpand(m) => m.items.iter().for_each(|i| expr(&i.column.expr, v, depth)),
        StageKind::MvApply { expand, body } => {
            expand
                .items
                .iter()
                .for_each(|i| expr(&i.column.expr, v, depth));
            body.iter().for_each(|s| stage(s, v, depth));
        }
        StageKind::TopNested(clauses) => {
            for c in clauses {
                c.count
                    .iter()
                    .chain(&c.others)
                    .for_each(|e| expr(e, v, depth));
                expr(&c.of.expr, v, depth);
                expr(&c.by.expr, v, depth);
            }
        }
        StageKind::TopHitters { count, of, by } => {
            [count, of]
                .into_iter()
                .chain(by)
                .for_each(|e| expr(e, v, depth));
        }
        StageKind::SampleDistinct { count, of } => {
            expr(count, v, depth);
            expr(of, v, depth);
        }
        StageKind::Summarize { aggregates, by } => {
            assignments(aggregates, v, depth);
            assignments(by, v, depth);
        }
        StageKind::Sort(keys) => keys.iter().for_each(|k| expr(&k.expr, v, depth)),
        StageKind::Top { count, by } => {
            expr(count, v, depth);
            by.iter().for_each(|k| expr(&k.expr, v, depth));
        }
        StageKind::Join(j) | StageKind::Lookup(j) => {
            pipeline(&j.right, v, depth);
            j.on.iter().for_each(|e| expr(e, v, depth));
            j.hints.iter().for_each(|(_, e)| expr(e, v, depth));
        }
        StageKind::Union(u) => union(u, v, depth),
        StageKind::Parse { source, .. } => expr(source, v, depth),
        StageKind::MakeSeries {
            aggregates,
            on,
            by,
            other,
        } => {
            assignments(aggregates, v, depth);
            expr(on, v, depth);
            assignments(by, v, depth);
            other.iter().for_each(|e| expr(e, v, depth));
        }
        StageKind::Fork(branches) => branches.iter().flatten().for_each(|s| stage(s, v, depth)),
        StageKind::Facet { with, .. } => with.iter().for_each(|s| stage(s, v, depth)),
        StageKind::Partition { by, body } => {
            expr(by, v, depth);
            match body {
                PartitionBody::Stages(stages) => stages.iter().for_each(|s| stage(s, v, depth)),
                PartitionBody::Query(query) => pipeline(query, v, depth),
            }
        }
        StageKind::Scan(scan) => {
            scan.order_by.iter().for_each(|k| expr(&k.expr, v, depth));
            scan.partition_by.iter().for_each(|e| expr(e, v, depth));
            scan.declare
                .iter()
                .filter_map(|c| c.default.as_ref())
                .for_each(|e| expr(e, v, depth));
            for step in &scan.steps {
                expr(&step.condition, v, depth);
                step.assignments.iter().for_each(|(_, e)| expr(e, v, depth));
            }
        }
        StageKind::Evaluate(call) | StageKind::Invoke(call) => {
            call.args.iter().for_each(|a| expr(a, v, depth))
        }
        StageKind::ProjectAway(_)
        | StageKind::ProjectKeep(_)
        | StageKind::ProjectRename(_)
        | StageKind::ProjectReorder(_)
        | StageKind::Distinct(None)
        | StageKind::Count
        | StageKind::Passthrough(_)
        | StageKind::As(_)
        | StageKind::Getschema
        | StageKind::Unfollowed(_) => {}
    }
}

/// A chain (`a or b or c`) nests along `lhs` as deep as it is long: its operators are
/// visited with a loop down the left spine, then their right operands innermost first, in
/// the order and at the depths of a walk that recursed into each operand.
fn expr(e: &Expr, v: &mut impl IrVisitor, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let depth = depth + 1;
    // Down the chain's left spine, then its right operands, innermost first: the order of a
    // walk that recursed into each operand.
    let mut rights = Vec::new();
    let mut node = e;
    loop {
        v.expr(node);
        let ExprKind::Binary { lhs, rhs, .. } = &node.kind else {
            operands(node, v, depth);
            break;
        };
        rights.push(rhs);
        node = lhs;
    }
    for rhs in rights.into_iter().rev() {
        expr(rhs, v, depth);
    }
}

/// The expressions inside `e`, at `depth`.
fn operands(e: &Expr, v: &mut impl IrVisitor, depth: usize) {
    match &e.kind {
        // Walked by `expr`'s loop.
        ExprKind::Binary { .. } => {}
        ExprKind::Unary { operand, .. } => expr(operand, v, depth),
        ExprKind::Call(call) => call.args.iter().for_each(|a| expr(a, v, depth)),
        ExprKind::Member { target, .. } => expr(target, v, depth),
        ExprKind::Index { target, index } => {
            expr(target, v, depth);
            expr(index, v, depth);
        }
        ExprKind::List(items) => items.iter().for_each(|i| expr(i, v, depth)),
        ExprKind::Tabular(p) => pipeline(p, v, depth),
        ExprKind::NamedArg { value, .. } => expr(value, v, depth),
        ExprKind::Name(_) | ExprKind::Literal(_) | ExprKind::Star | ExprKind::Wildcard(_) => {}
    }
}
