//! Following the columns through a query, to know which names refer to a platform table's
//! column (and so take the target platform's name) and which the query made itself.
//!
//! Each pipeline starts with the columns of its source: a table's columns come from the source
//! platform's schema; a `let`, a function or `as` gives the columns it was bound to. Every
//! stage then changes them as KQL does (`project` keeps what it names, `extend X = ...` makes a
//! column of the query's own, `summarize` keeps its `by` columns and names its aggregates,
//! `join` adds the right side's columns, suffixing clashing names with `1`, ...). A name used in
//! an expression is looked up there: a table column is renamed if the target names it
//! differently; a column of the query's own never is.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use kqlsmith_syntax::ast::*;
use kqlsmith_syntax::visit::{Visitor, walk_expr};

use super::names::{NameMap, Target};
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::functions::{self, FunctionKind};
use crate::rules::{self, RuleInfo};
use crate::semantic::naming::{self, JoinColumns, JoinKind, MultiColumnAggregate, fresh_name};

/// Stands for the column's own name in the template of a name derived from it.
const COLUMN: &str = "\u{0}";

/// How deep the walk follows nested queries and expressions; names below are left to the
/// final sweep, which reports them.
const MAX_DEPTH: usize = 200;

/// Where a column's values come from, as far as conversion is concerned.
#[derive(Clone, Debug, PartialEq)]
enum Origin {
    /// A column of a source platform table, under a name that is `template` with [`COLUMN`]
    /// standing for the column's name (`max_` + it, it + `1` after a join...).
    Table {
        table: Rc<str>,
        column: Rc<str>,
        template: Rc<str>,
    },
    /// A column the query made (`extend X = ...`, `parse`, a table the target names the same):
    /// never renamed.
    Query,
}

impl Origin {
    /// The same column under a name with `suffix` added (`Timestamp1` after a join).
    fn suffixed(&self, suffix: &str) -> Origin {
        match self {
            Origin::Table {
                table,
                column,
                template,
            } => Origin::Table {
                table: table.clone(),
                column: column.clone(),
                template: format!("{template}{suffix}").into(),
            },
            Origin::Query => Origin::Query,
        }
    }
}

/// The columns of the rows at one point of a query, in order.
#[derive(Clone, Debug, Default)]
struct Columns {
    known: Vec<(String, Origin)>,
    /// Where each name is in `known`.
    index: HashMap<String, usize>,
    /// The rows come (partly) from something kqlsmith cannot see into (a table neither
    /// platform has, a function parameter): its name. Names not in `known` may be its columns.
    unknown: Option<Rc<str>>,
}

impl Columns {
    fn unknown(name: &str) -> Columns {
        Columns {
            unknown: Some(name.into()),
            ..Columns::default()
        }
    }

    fn from_list(known: Vec<(String, Origin)>) -> Columns {
        let mut columns = Columns::default();
        for (name, origin) in known {
            columns.set(&name, origin);
        }
        columns
    }

    fn get(&self, name: &str) -> Option<&Origin> {
        self.index.get(name).map(|&i| &self.known[i].1)
    }

    fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Adds a column, or replaces the one of that name.
    fn set(&mut self, name: &str, origin: Origin) {
        match self.index.get(name) {
            Some(&i) => self.known[i].1 = origin,
            None => {
                self.index.insert(name.to_string(), self.known.len());
                self.known.push((name.to_string(), origin));
            }
        }
    }

    /// Keeps the columns whose name passes `keep`.
    fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.known.retain(|(name, _)| keep(name));
        self.index = self
            .known
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect();
    }

    fn remove(&mut self, name: &str) {
        if self.contains(name) {
            self.retain(|n| n != name);
        }
    }

    /// The columns of rows that come from several places (a `union`).
    fn merge(&mut self, other: Columns) {
        for (name, origin) in other.known {
            if !self.contains(&name) {
                self.set(&name, origin);
            }
        }
        if self.unknown.is_none() {
            self.unknown = other.unknown;
        }
    }

    /// Rows with no columns yet, from the same places as these.
    fn emptied(&self) -> Columns {
        Columns {
            unknown: self.unknown.clone(),
            ..Columns::default()
        }
    }
}

/// What a name in scope is bound to.
#[derive(Clone, Debug)]
enum Binding {
    /// Rows: a tabular `let`, `as`, a tabular parameter.
    Rows(Columns),
    /// A function returning these rows (unknown ones when its result is not a query).
    Function(Columns),
    /// A scalar.
    Value,
}

/// What to do with one name.
enum Decision {
    Keep,
    Rename(String),
    /// A table column the target's table does not have.
    Missing {
        table: Rc<str>,
        column: Rc<str>,
    },
    /// It would be renamed to a name the query gave a column of its own.
    Clash {
        new: String,
    },
    /// Rows from an unknown source: maybe a platform column, maybe not.
    Unsure {
        source: Rc<str>,
    },
}

/// Walks a script, collecting the edits that convert it and the diagnostics of what cannot
/// be converted (byte ranges in the source).
pub(super) struct Resolver<'m, 'p> {
    names: &'m NameMap<'p>,
    scope: Vec<(String, Binding)>,
    pub edits: Vec<Edit>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each name this walk looked at starts, for the final sweep.
    visited: HashSet<usize>,
    depth: usize,
}

impl<'m, 'p> Resolver<'m, 'p> {
    pub fn new(names: &'m NameMap<'p>) -> Self {
        Resolver {
            names,
            scope: Vec::new(),
            edits: Vec::new(),
            diagnostics: Vec::new(),
            visited: HashSet::new(),
            depth: 0,
        }
    }

    pub fn script(&mut self, script: &Script) {
        self.statements(&script.statements);
        self.sweep(script);
    }

    /// The statements in order; the columns of the last query, if there is one.
    fn statements(&mut self, statements: &[Statement]) -> Option<Columns> {
        let mut last = None;
        for statement in statements {
            match statement {
                Statement::Let(l) => {
                    let binding = self.let_value(&l.name.name, &l.value);
                    self.scope.push((l.name.name.clone(), binding));
                }
                Statement::Set(s) => {
                    if let Some(value) = &s.value {
                        self.expr(value, &Columns::default());
                    }
                }
                Statement::Declare(d) => {
                    for p in &d.params {
                        self.param(p);
                    }
                }
                Statement::Query(q) => last = Some(self.pipeline(q)),
            }
        }
        last
    }

    fn let_value(&mut self, name: &str, value: &LetValue) -> Binding {
        match value {
            LetValue::Tabular(q) => Binding::Rows(self.pipeline(q)),
            LetValue::Expr(e) => match self.rows_of(e) {
                Some(columns) => Binding::Rows(columns),
                None => {
                    self.expr(e, &Columns::default());
                    Binding::Value
                }
            },
            LetValue::Function(def) => {
                let mark = self.scope.len();
                for p in &def.params {
                    self.param(p);
                }
                let result = self.statements(&def.body);
                self.scope.truncate(mark);
                Binding::Function(result.unwrap_or_else(|| Columns::unknown(name)))
            }
        }
    }

    /// A function or query parameter comes into scope: rows of unknown columns, or a value.
    fn param(&mut self, p: &FunctionParam) {
        if let Some(default) = &p.default {
            self.expr(default, &Columns::default());
        }
        let binding = match p.ty {
            ParamType::Tabular { .. } => Binding::Rows(Columns::unknown(&p.name.name)),
            ParamType::Scalar(_) => Binding::Value,
        };
        self.scope.push((p.name.name.clone(), binding));
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b)
    }

    fn pipeline(&mut self, q: &TabularExpr) -> Columns {
        if self.depth > MAX_DEPTH {
            return Columns::unknown("a query nested too deeply");
        }
        self.depth += 1;
        let mut columns = self.source(&q.source);
        for stage in &q.stages {
            self.stage(&stage.operator, &mut columns);
        }
        self.depth -= 1;
        columns
    }

    fn source(&mut self, source: &Source) -> Columns {
        match source {
            Source::Expr(e) => match self.rows_of(e) {
                Some(columns) => columns,
                None => {
                    let name = match e {
                        Expr::Name(ident) | Expr::Wildcard(ident) => ident.name.clone(),
                        Expr::Call(call) => format!("{}()", call.name.name),
                        _ => "an expression".to_string(),
                    };
                    if !matches!(e, Expr::Name(_) | Expr::Wildcard(_)) {
                        self.expr(e, &Columns::default());
                    }
                    Columns::unknown(&name)
                }
            },
            Source::Operator(op) => self.source_operator(op),
        }
    }

    /// The rows an expression stands for, if it is tabular: a table, a `let` of rows, a
    /// function call, a parenthesised query, `materialize(...)`.
    fn rows_of(&mut self, e: &Expr) -> Option<Columns> {
        match e {
            Expr::Name(ident) => {
                match self.lookup(&ident.name) {
                    Some(Binding::Rows(columns)) | Some(Binding::Function(columns)) => {
                        return Some(columns.clone());
                    }
                    Some(Binding::Value) => return None,
                    None => {}
                }
                if self.names.source_table(&ident.name).is_some() {
                    return Some(self.table(ident));
                }
                if self.names.to.schema().table(&ident.name).is_some() {
                    // Already the target's table: its names are the target's.
                    return Some(Columns::default());
                }
                None
            }
            Expr::Wildcard(pattern) => self.wildcard_tables(pattern),
            Expr::Call(call) => {
                let name = call.name.name.as_str();
                if let Some(Binding::Function(columns)) = self.lookup(name).cloned() {
                    self.call_args(call, &Columns::default());
                    return Some(columns);
                }
                if name == "materialize" && call.args.len() == 1 {
                    return Some(self.rows_of(&call.args[0]).unwrap_or_else(|| {
                        self.expr(&call.args[0], &Columns::default());
                        Columns::unknown(name)
                    }));
                }
                let function = self.names.from.function(name)?;
                self.platform_function(&call.name);
                self.call_args(call, &Columns::default());
                let returns = function.returns_columns.as_ref()?;
                Some(Columns::from_list(
                    returns
                        .iter()
                        .map(|c| (c.name.to_string(), self.table_origin(name, &c.name)))
                        .collect(),
                ))
            }
            Expr::Paren(p) => self.rows_of(&p.inner),
            Expr::Query(q) => Some(self.pipeline(q)),
            _ => None,
        }
    }

    fn table_origin(&self, table: &str, column: &str) -> Origin {
        Origin::Table {
            table: table.into(),
            column: column.into(),
            template: COLUMN.into(),
        }
    }

    /// A source platform table read by name: renamed if the target calls it differently,
    /// reported if the target has no such table.
    fn table(&mut self, ident: &Ident) -> Columns {
        self.visited.insert(ident.span.start);
        let name = ident.name.as_str();
        let Some(table) = self.names.source_table(name) else {
            return Columns::unknown(name);
        };
        if self.names.target_table(name).is_some() {
            let target = self.names.table(name);
            if target != name {
                self.rename(ident, target);
            }
        } else {
            let message = format!(
                "`{name}` is a table of {} that {} does not have, and no equivalent is known: \
                 the query cannot run there as it is",
                self.names.from.title, self.names.to.title
            );
            self.report(&rules::unknown_table::RULE, ident, message, Severity::Error);
        }
        Columns::from_list(
            table
                .columns
                .iter()
                .map(|c| (c.name.to_string(), self.table_origin(name, &c.name)))
                .collect(),
        )
    }

    /// `union Device*`, `union *`: the source tables the pattern matches. Only their columns
    /// that may have to change are followed (a pattern may match hundreds of tables).
    fn wildcard_tables(&mut self, pattern: &Ident) -> Option<Columns> {
        let matcher = crate::ir::ColumnPattern {
            text: pattern.name.clone(),
            span: 0..0,
        };
        let mut tables: Vec<&crate::schema::Table> = self
            .names
            .from
            .schema()
            .tables()
            .filter(|t| matcher.matches(&t.name))
            .collect();
        if tables.is_empty() {
            return None;
        }
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        let mut columns = Columns::default();
        for table in tables {
            for c in &table.columns {
                if self.names.may_change(&c.name) && !columns.contains(&c.name) {
                    columns.set(&c.name, self.table_origin(&table.name, &c.name));
                }
            }
        }
        Some(columns)
    }

    /// A function of the source platform used in the query: reported when the target has
    /// none of that name.
    fn platform_function(&mut self, name: &Ident) {
        if self.lookup(&name.name).is_some()
            || self.names.from.function(&name.name).is_none()
            || self.names.to.function(&name.name).is_some()
        {
            return;
        }
        let message = format!(
            "`{}` is a function of {} that {} does not have: there is no equivalent to convert \
             it to",
            name.name, self.names.from.title, self.names.to.title
        );
        self.report(&rules::undefined_name::RULE, name, message, Severity::Error);
    }

    fn table_ref(&mut self, table: &TableRef) -> Columns {
        self.pipeline(&table.query)
    }

    fn source_operator(&mut self, op: &Operator) -> Columns {
        match op {
            Operator::Union { tables, .. } => {
                let mut all: Option<Columns> = None;
                for table in tables {
                    let these = self.table_ref(table);
                    match &mut all {
                        Some(all) => all.merge(these),
                        None => all = Some(these),
                    }
                }
                all.unwrap_or_default()
            }
            Operator::Range {
                column,
                from,
                to,
                step,
            } => {
                for e in [from, to, step] {
                    self.expr(e, &Columns::default());
                }
                let mut columns = Columns::default();
                columns.set(&column.name, Origin::Query);
                columns
            }
            Operator::Print { columns } => {
                let mut out = Columns::default();
                for c in columns {
                    self.expr(&c.expr, &Columns::default());
                    self.assign(c, &Columns::default(), &mut out, FunctionKind::Scalar);
                }
                out
            }
            Operator::Datatable {
                columns, values, ..
            } => {
                for v in values {
                    self.expr(v, &Columns::default());
                }
                self.declared(columns)
            }
            Operator::Externaldata { columns, urls, .. } => {
                for u in urls {
                    self.expr(u, &Columns::default());
                }
                self.declared(columns)
            }
            Operator::Search {
                tables, predicate, ..
            }
            | Operator::Find {
                tables, predicate, ..
            } => {
                let columns = match tables {
                    Some(tables) => {
                        let mut all = Columns::default();
                        for table in tables {
                            let these = self.table_ref(table);
                            all.merge(these);
                        }
                        all
                    }
                    None => Columns::unknown(op.keyword()),
                };
                self.expr(predicate, &columns);
                if let Operator::Find {
                    project: Some(FindProject::Columns(list)),
                    ..
                } = op
                {
                    for c in list {
                        self.expr(&c.expr, &columns);
                    }
                }
                columns
            }
            other => {
                let mut columns = Columns::unknown(other.keyword());
                self.stage(other, &mut columns);
                columns
            }
        }
    }

    /// Columns declared with their types (`datatable`, `externaldata`): the query's own.
    fn declared(&self, columns: &[TypedColumn]) -> Columns {
        Columns::from_list(
            columns
                .iter()
                .map(|c| (c.name.name.clone(), Origin::Query))
                .collect(),
        )
    }

    /// Follows one stage: resolves the names it uses against `columns`, then changes them.
    fn stage(&mut self, op: &Operator, columns: &mut Columns) {
        match op {
            Operator::Where { predicate, .. } => self.expr(predicate, columns),
            Operator::Extend { columns: list } | Operator::Serialize { columns: list } => {
                for c in list {
                    self.expr(&c.expr, columns);
                    for (name, origin) in self.made(c, columns, FunctionKind::Scalar) {
                        columns.set(&name, origin);
                    }
                }
            }
            Operator::Project { columns: list } => {
                self.no_merged_columns(list, columns);
                let mut next = columns.emptied();
                for c in list {
                    self.expr(&c.expr, columns);
                    self.assign(c, columns, &mut next, FunctionKind::Scalar);
                }
                *columns = next;
            }
            Operator::ProjectAway { columns: list } | Operator::ProjectKeep { columns: list } => {
                let keep = matches!(op, Operator::ProjectKeep { .. });
                let mut patterns = Vec::new();
                for e in list {
                    match e {
                        Expr::Name(ident) => {
                            self.reference(ident, columns);
                            patterns.push(ident.name.clone());
                        }
                        Expr::Wildcard(ident) => patterns.push(ident.name.clone()),
                        other => self.expr(other, columns),
                    }
                }
                let matches = |name: &str| {
                    patterns.iter().any(|p| {
                        crate::ir::ColumnPattern {
                            text: p.clone(),
                            span: 0..0,
                        }
                        .matches(name)
                    })
                };
                columns.retain(|name| matches(name) == keep);
            }
            Operator::ProjectReorder { columns: list } => {
                for item in list {
                    self.expr(&item.column, columns);
                }
            }
            Operator::ProjectRename { renames } => {
                for r in renames {
                    self.reference(&r.old, columns);
                    columns.remove(&r.old.name);
                    columns.set(&r.new.name, Origin::Query);
                }
            }
            Operator::ProjectSmart | Operator::Consume { .. } => {}
            Operator::Summarize { aggregates, by, .. } => self.summarize(aggregates, by, columns),
            Operator::Join(join) => self.join(join, columns, false),
            Operator::Lookup(join) => self.join(join, columns, true),
            Operator::Union { tables, .. } => {
                for table in tables {
                    let these = self.table_ref(table);
                    columns.merge(these);
                }
            }
            Operator::Distinct { columns: list, .. } => {
                if list.iter().any(|c| matches!(c.expr, Expr::Star(_))) {
                    return;
                }
                self.no_merged_columns(list, columns);
                let mut next = columns.emptied();
                for c in list {
                    self.expr(&c.expr, columns);
                    self.assign(c, columns, &mut next, FunctionKind::Scalar);
                }
                *columns = next;
            }
            Operator::Sort { keys, .. } => {
                for key in keys {
                    self.expr(&key.expr, columns);
                }
            }
            Operator::Take { count, .. } | Operator::Sample { count, .. } => {
                self.expr(count, &Columns::default());
            }
            Operator::Top { count, by, .. } => {
                self.expr(count, &Columns::default());
                self.expr(&by.expr, columns);
            }
            Operator::TopNested { clauses } => {
                let mut next = columns.emptied();
                for clause in clauses {
                    if let Some(count) = &clause.count {
                        self.expr(count, &Columns::default());
                    }
                    self.expr(&clause.of.expr, columns);
                    self.assign(&clause.of, columns, &mut next, FunctionKind::Scalar);
                    if let Some(others) = &clause.others {
                        self.expr(others, columns);
                    }
                    self.expr(&clause.by.expr, columns);
                    self.assign(&clause.by, columns, &mut next, FunctionKind::Aggregate);
                }
                *columns = next;
            }
            Operator::TopHitters { count, of, by } => {
                self.expr(count, &Columns::default());
                self.expr(of, columns);
                if let Some(by) = by {
                    self.expr(by, columns);
                }
            }
            Operator::SampleDistinct { count, of, .. } => {
                self.expr(count, &Columns::default());
                self.expr(of, columns);
                let mut next = columns.emptied();
                if let Some((name, origin)) = self.implicit(of, columns, FunctionKind::Scalar) {
                    next.set(&name, origin);
                }
                *columns = next;
            }
            Operator::Count => {
                *columns = columns.emptied();
                columns.set("Count", Origin::Query);
            }
            Operator::MvExpand { items, limit, .. } | Operator::MvApply { items, limit, .. } => {
                for item in items {
                    self.expr(&item.column.expr, columns);
                    for (name, origin) in self.made(&item.column, columns, FunctionKind::Scalar) {
                        columns.set(&name, origin);
                    }
                }
                if let Some(limit) = limit {
                    self.expr(limit, &Columns::default());
                }
                if let Operator::MvApply { body, .. } = op {
                    let mut inner = columns.clone();
                    for stage in body {
                        self.stage(&stage.operator, &mut inner);
                    }
                    for (name, origin) in inner.known {
                        columns.set(&name, origin);
                    }
                }
            }
            Operator::Parse {
                source, pattern, ..
            } => {
                self.expr(source, columns);
                for item in pattern {
                    if let ParsePatternItem::Column { name, .. } = item {
                        columns.set(&name.name, Origin::Query);
                    }
                }
            }
            Operator::ParseKv {
                source,
                columns: declared,
                with,
            } => {
                self.expr(source, columns);
                self.properties(with.as_deref().unwrap_or_default(), &Columns::default());
                for c in declared {
                    columns.set(&c.name.name, Origin::Query);
                }
            }
            Operator::MakeSeries(series) => self.make_series(series, columns),
            Operator::Evaluate { plugin, .. } => self.expr(plugin, columns),
            Operator::Render { with, .. } => {
                self.properties(with.as_deref().unwrap_or_default(), columns);
            }
            Operator::As { name, .. } => {
                self.scope
                    .push((name.name.clone(), Binding::Rows(columns.clone())));
            }
            Operator::Getschema => {
                *columns = Columns::default();
                for name in ["ColumnName", "ColumnOrdinal", "DataType", "ColumnType"] {
                    columns.set(name, Origin::Query);
                }
            }
            Operator::Invoke { call } => {
                self.expr(call, columns);
                if let Expr::Call(call) = call
                    && let Some(function) = self.names.from.function(&call.name.name)
                {
                    for c in function.adds_columns.iter().flatten() {
                        columns.set(&c.name, Origin::Query);
                    }
                }
            }
            Operator::Reduce { by, with, .. } => {
                self.expr(by, columns);
                self.properties(with, &Columns::default());
                *columns = Columns::default();
                for name in ["Pattern", "Count", "Representative"] {
                    columns.set(name, Origin::Query);
                }
            }
            Operator::Fork { branches } => {
                for branch in branches {
                    let mut inner = columns.clone();
                    for stage in &branch.stages {
                        self.stage(&stage.operator, &mut inner);
                    }
                }
            }
            Operator::Facet {
                columns: list,
                with,
            } => {
                for ident in list {
                    self.reference(ident, columns);
                }
                if let Some(stages) = with {
                    let mut inner = columns.clone();
                    for stage in stages {
                        self.stage(&stage.operator, &mut inner);
                    }
                }
            }
            Operator::Partition { by, body, .. } => {
                self.expr(by, columns);
                match body {
                    PartitionBody::Stages(stages) => {
                        for stage in stages {
                            self.stage(&stage.operator, columns);
                        }
                    }
                    PartitionBody::Query(q) => *columns = self.pipeline(q),
                }
            }
            Operator::Scan(scan) => {
                for key in &scan.order_by {
                    self.expr(&key.expr, columns);
                }
                for e in &scan.partition_by {
                    self.expr(e, columns);
                }
                for p in &scan.declare {
                    if let Some(default) = &p.default {
                        self.expr(default, &Columns::default());
                    }
                    columns.set(&p.name.name, Origin::Query);
                }
                for step in &scan.steps {
                    self.expr(&step.condition, columns);
                    for (_, value) in &step.assignments {
                        self.expr(value, columns);
                    }
                }
            }
            Operator::Search { predicate, .. } | Operator::Find { predicate, .. } => {
                self.expr(predicate, columns);
            }
            Operator::Range { .. }
            | Operator::Print { .. }
            | Operator::Datatable { .. }
            | Operator::Externaldata { .. } => *columns = self.source_operator(op),
        }
    }

    /// Two columns of a `project` (or `distinct`, or `summarize ... by`) list that become
    /// one name on the target (Sentinel's `TimeGenerated` and `Timestamp` are both Defender's
    /// `Timestamp`) would clash there: reported on the second.
    fn no_merged_columns(&mut self, list: &[ColumnExpr], columns: &Columns) {
        // Each output name, and whether a rename made it.
        let mut names: Vec<(String, bool)> = Vec::new();
        for c in list {
            let (name, renamed, ident) = match (&c.target, &c.expr) {
                (Some(AssignTarget::Name(target)), _) => (target.name.clone(), false, None),
                (None, Expr::Name(ident)) => match self.decide(ident, columns) {
                    Decision::Rename(new) => (new, true, Some(ident)),
                    _ => (ident.name.clone(), false, Some(ident)),
                },
                _ => continue,
            };
            let clash = names
                .iter()
                .any(|(earlier, by_rename)| *earlier == name && (renamed || *by_rename));
            if clash && let Some(ident) = ident {
                let message = format!(
                    "`{}` and an earlier column of this list are both `{name}` on {}: one \
                     column there; keep one",
                    ident.name, self.names.to.title
                );
                let time = [&self.names.from.time_column, &self.names.to.time_column];
                let rule = if time.contains(&&ident.name) {
                    &rules::foreign_time_column::RULE
                } else {
                    &rules::unknown_column::RULE
                };
                self.report(rule, ident, message, Severity::Error);
            }
            names.push((name, renamed));
        }
    }

    fn properties(&mut self, properties: &[Property], columns: &Columns) {
        for p in properties {
            for value in &p.values {
                self.expr(value, columns);
            }
        }
    }

    /// `summarize`: the `by` columns, then the aggregates; `arg_max(T, *)` keeps every column.
    fn summarize(&mut self, aggregates: &[ColumnExpr], by: &[ColumnExpr], columns: &mut Columns) {
        let before = std::mem::take(columns);
        self.no_merged_columns(by, &before);
        let mut next = before.emptied();
        for c in by {
            self.expr(&c.expr, &before);
            self.assign(c, &before, &mut next, FunctionKind::Scalar);
        }
        for c in aggregates {
            self.expr(&c.expr, &before);
            if let Expr::Call(call) = &c.expr
                && matches!(
                    MultiColumnAggregate::of(&call.name.name),
                    Some(MultiColumnAggregate::ArgExtreme | MultiColumnAggregate::TakeAny)
                )
                && !matches!(c.target, Some(AssignTarget::Tuple(_)))
            {
                let star = call.args.iter().any(|a| matches!(a, Expr::Star(_)));
                for (i, arg) in call.args.iter().enumerate() {
                    match (i, c.name()) {
                        (0, Some(name)) => next.set(&name.name, Origin::Query),
                        _ => {
                            if let Some((name, origin)) =
                                self.implicit(arg, &before, FunctionKind::Scalar)
                                && !next.contains(&name)
                            {
                                next.set(&name, origin);
                            }
                        }
                    }
                }
                if star {
                    for (name, origin) in &before.known {
                        if !next.contains(name) {
                            next.set(name, origin.clone());
                        }
                    }
                }
                continue;
            }
            self.assign(c, &before, &mut next, FunctionKind::Aggregate);
        }
        *columns = next;
    }

    fn make_series(&mut self, series: &MakeSeries, columns: &mut Columns) {
        let before = std::mem::take(columns);
        let mut next = before.emptied();
        for p in &series.params {
            self.expr(&p.value, &Columns::default());
        }
        self.expr(&series.on, &before);
        match &series.range {
            SeriesRange::InRange { start, stop, step } => {
                for e in [start, stop, step] {
                    self.expr(e, &before);
                }
            }
            SeriesRange::FromTo { from, to, step } => {
                for e in [from.as_ref(), to.as_ref(), Some(step)]
                    .into_iter()
                    .flatten()
                {
                    self.expr(e, &before);
                }
            }
        }
        for c in &series.by {
            self.expr(&c.expr, &before);
            self.assign(c, &before, &mut next, FunctionKind::Scalar);
        }
        if let Expr::Name(axis) = &series.on {
            next.set(
                &axis.name,
                before.get(&axis.name).cloned().unwrap_or(Origin::Query),
            );
        }
        for aggregate in &series.aggregates {
            self.expr(&aggregate.column.expr, &before);
            if let Some(default) = &aggregate.default {
                self.expr(default, &Columns::default());
            }
            self.assign(
                &aggregate.column,
                &before,
                &mut next,
                FunctionKind::Aggregate,
            );
        }
        *columns = next;
    }

    /// `join`/`lookup`: the right side's columns are added, a clashing name suffixed with `1`
    /// (a `lookup` drops the right side's keys); semi and anti joins keep one side.
    fn join(&mut self, join: &Join, columns: &mut Columns, lookup: bool) {
        let right = self.table_ref(&join.right);
        let mut keys = Vec::new();
        for condition in &join.on {
            self.join_condition(condition, columns, &right, &mut keys);
        }
        let kind = join
            .kind_name()
            .and_then(JoinKind::parse)
            .unwrap_or(JoinKind::InnerUnique);
        match kind.columns() {
            JoinColumns::Left => {}
            JoinColumns::Right => *columns = right,
            JoinColumns::Both => {
                for (name, origin) in &right.known {
                    if lookup && keys.contains(name) {
                        continue;
                    }
                    let fresh = fresh_name(name, |n| columns.contains(n));
                    let origin = origin.suffixed(&fresh[name.len()..]);
                    columns.set(&fresh, origin);
                }
                if columns.unknown.is_none() {
                    columns.unknown = right.unknown;
                }
            }
        }
    }

    /// One `on` condition: `Key` (a column of both sides), `$left.A == $right.B`.
    fn join_condition(
        &mut self,
        condition: &Expr,
        left: &Columns,
        right: &Columns,
        keys: &mut Vec<String>,
    ) {
        match condition {
            Expr::Name(ident) => {
                keys.push(ident.name.clone());
                self.visited.insert(ident.span.start);
                let (on_left, on_right) = (self.decide(ident, left), self.decide(ident, right));
                let decision = match (on_left, on_right) {
                    (Decision::Rename(a), Decision::Rename(b)) if a != b => {
                        Decision::Clash { new: a }
                    }
                    (Decision::Rename(new), Decision::Keep)
                    | (Decision::Keep, Decision::Rename(new)) => Decision::Clash { new },
                    (Decision::Keep, other) => other,
                    (first, _) => first,
                };
                self.apply(ident, decision);
            }
            Expr::Member(m) => match &m.object {
                Expr::Name(side) if side.is_join_side() && side.name == "$left" => {
                    self.reference(&m.member, left);
                }
                Expr::Name(side) if side.is_join_side() => {
                    keys.push(m.member.name.clone());
                    self.reference(&m.member, right);
                }
                _ => self.expr(condition, left),
            },
            Expr::Binary(b) if matches!(b.op.kind, BinaryOpKind::Eq | BinaryOpKind::And) => {
                self.join_condition(&b.left, left, right, keys);
                self.join_condition(&b.right, left, right, keys);
            }
            Expr::Paren(p) => self.join_condition(&p.inner, left, right, keys),
            other => self.expr(other, left),
        }
    }

    /// Adds the column a `Name = expr` (or bare `expr`) makes to `into`, looking its origin up
    /// in `from`.
    fn assign(&mut self, c: &ColumnExpr, from: &Columns, into: &mut Columns, kind: FunctionKind) {
        for (name, origin) in self.made(c, from, kind) {
            into.set(&name, origin);
        }
    }

    /// The columns a `Name = expr` (or bare `expr`) makes, with their origins in `from`.
    fn made(&self, c: &ColumnExpr, from: &Columns, kind: FunctionKind) -> Vec<(String, Origin)> {
        match &c.target {
            Some(AssignTarget::Name(name)) => vec![(name.name.clone(), Origin::Query)],
            Some(AssignTarget::Tuple(names)) => names
                .iter()
                .map(|name| (name.name.clone(), Origin::Query))
                .collect(),
            None => self.implicit(&c.expr, from, kind).into_iter().collect(),
        }
    }

    /// The name KQL gives a column computed by `e` when the query names none (the binder's
    /// rules, [`naming::implicit_name`]), and where its values come from.
    fn implicit(
        &self,
        e: &Expr,
        columns: &Columns,
        kind: FunctionKind,
    ) -> Option<(String, Origin)> {
        let name = naming::implicit_name(&crate::lower::expr(e), kind)?;
        Some((name, self.origin(e, columns, kind)))
    }

    /// Where the values of a column computed by `e` come from: `Timestamp` keeps its origin,
    /// `bin(Timestamp, 1h)` is `Timestamp`'s, `max(Timestamp)` is `Timestamp`'s under the
    /// derived name `max_Timestamp`; anything else is the query's own.
    fn origin(&self, e: &Expr, columns: &Columns, kind: FunctionKind) -> Origin {
        match e {
            Expr::Name(ident) => columns.get(&ident.name).cloned().unwrap_or(Origin::Query),
            Expr::Call(call) => {
                let name = call.name.name.as_str();
                let (f, args_kind) = match functions::lookup(kind, name) {
                    Some(f) => (f, FunctionKind::Scalar),
                    None => match functions::lookup(FunctionKind::Scalar, name) {
                        Some(f) => (f, kind),
                        None => return Origin::Query,
                    },
                };
                let first = call
                    .args
                    .first()
                    .map_or(Origin::Query, |a| self.origin(a, columns, args_kind));
                match first {
                    Origin::Table {
                        table,
                        column,
                        template,
                    } => match f.result_name(Some(&template), call.args.len()) {
                        Some(derived) if derived.contains(COLUMN) => Origin::Table {
                            table,
                            column,
                            template: derived.into(),
                        },
                        _ => Origin::Query,
                    },
                    Origin::Query => Origin::Query,
                }
            }
            _ => Origin::Query,
        }
    }

    /// Resolves the names of a scalar expression against the rows' columns; queries inside
    /// it (`toscalar(...)`, `in (T | ...)`) have rows of their own.
    fn expr(&mut self, e: &Expr, columns: &Columns) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match e {
            Expr::Name(ident) => self.reference(ident, columns),
            Expr::Wildcard(_) | Expr::Star(_) | Expr::Literal(_) => {}
            Expr::Binary(b) => {
                self.expr(&b.left, columns);
                self.expr(&b.right, columns);
            }
            Expr::Unary(u) => self.expr(&u.operand, columns),
            Expr::Call(call) => {
                self.platform_function(&call.name);
                self.call_args(call, columns);
            }
            // `x.member` names a property of a dynamic value, not a column.
            Expr::Member(m) => self.expr(&m.object, columns),
            Expr::Index(i) => {
                self.expr(&i.object, columns);
                self.expr(&i.index, columns);
            }
            Expr::In(i) => {
                self.expr(&i.expr, columns);
                for item in &i.list {
                    self.expr(item, columns);
                }
            }
            Expr::Between(b) => {
                self.expr(&b.expr, columns);
                self.expr(&b.low, columns);
                self.expr(&b.high, columns);
            }
            Expr::Paren(p) => self.expr(&p.inner, columns),
            Expr::Bracketed(b) => self.expr(&b.inner, columns),
            Expr::NamedArg(n) => self.expr(&n.value, columns),
            Expr::Query(q) => {
                self.pipeline(q);
            }
        }
        self.depth -= 1;
    }

    fn call_args(&mut self, call: &Call, columns: &Columns) {
        for arg in &call.args {
            self.expr(arg, columns);
        }
    }

    /// A name used in an expression: renamed, reported, or left as it is.
    fn reference(&mut self, ident: &Ident, columns: &Columns) {
        self.visited.insert(ident.span.start);
        let decision = self.decide(ident, columns);
        self.apply(ident, decision);
    }

    fn decide(&self, ident: &Ident, columns: &Columns) -> Decision {
        match columns.get(&ident.name) {
            Some(Origin::Table {
                table,
                column,
                template,
            }) => match self.names.column(table, column) {
                Target::Missing if &**template == COLUMN => Decision::Missing {
                    table: table.clone(),
                    column: column.clone(),
                },
                Target::Missing => Decision::Keep,
                Target::Column(target) => {
                    let new = template.replace(COLUMN, &target);
                    if new == ident.name {
                        Decision::Keep
                    } else if matches!(columns.get(&new), Some(Origin::Query)) {
                        Decision::Clash { new }
                    } else {
                        Decision::Rename(new)
                    }
                }
            },
            Some(Origin::Query) => Decision::Keep,
            None => match &columns.unknown {
                Some(source) if self.names.may_change(&ident.name) => Decision::Unsure {
                    source: source.clone(),
                },
                _ => Decision::Keep,
            },
        }
    }

    fn apply(&mut self, ident: &Ident, decision: Decision) {
        let (from, to) = (self.names.from, self.names.to);
        let name = ident.name.as_str();
        let is_time = name == from.time_column;
        let rule = if is_time {
            &rules::foreign_time_column::RULE
        } else {
            &rules::unknown_column::RULE
        };
        match decision {
            Decision::Keep => {}
            Decision::Rename(new) => self.rename(ident, &new),
            Decision::Missing { table, column } => {
                let message = format!(
                    "`{table}` has no column `{column}` on {} (under this name or another), \
                     although it has on {}: the query cannot run there as it is",
                    to.title, from.title
                );
                self.report(
                    &rules::unknown_column::RULE,
                    ident,
                    message,
                    Severity::Error,
                );
            }
            Decision::Clash { new } => {
                let message = format!(
                    "`{name}` was left unchanged: it is {}'s column, called `{new}` on {}, but \
                     the query has a column of its own named `{new}` here; rename that one first",
                    from.title, to.title
                );
                self.report(rule, ident, message, Severity::Error);
            }
            Decision::Unsure { source } => {
                let hint = if is_time {
                    format!(
                        "if it is the time column, {} calls it `{}`",
                        to.title, to.time_column
                    )
                } else {
                    format!("{} may call it differently", to.title)
                };
                let message = format!(
                    "`{name}` was left unchanged: its rows come from `{source}`, which kqlsmith \
                     cannot see into, so it cannot tell whether `{name}` is {}'s column; {hint}",
                    from.title
                );
                self.report(rule, ident, message, Severity::Warning);
            }
        }
    }

    fn rename(&mut self, ident: &Ident, new: &str) {
        let range = ident.span.start..ident.span.end;
        if self.edits.iter().any(|e| e.range == range) {
            return;
        }
        self.edits
            .push(Edit::replace(range, Ident::new(new).to_string()));
    }

    fn report(&mut self, rule: &RuleInfo, ident: &Ident, message: String, severity: Severity) {
        let mut diagnostic = Diagnostic::new(rule, ident.span.start..ident.span.end, message);
        diagnostic.severity = severity;
        if !self.diagnostics.contains(&diagnostic) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Names that may have to change but that the walk never reached (a construct it does
    /// not follow, or nesting too deep): reported, so that nothing is left unconverted
    /// silently.
    fn sweep(&mut self, script: &Script) {
        let mut finder = Unreached {
            names: self.names,
            visited: &self.visited,
            found: Vec::new(),
        };
        finder.visit_script(script);
        for ident in finder.found {
            let message = format!(
                "`{}` was left unchanged: kqlsmith does not follow the columns into this part \
                 of the query; check by hand whether it is {}'s column",
                ident.name, self.names.from.title
            );
            let rule = if ident.name == self.names.from.time_column {
                &rules::foreign_time_column::RULE
            } else {
                &rules::unknown_column::RULE
            };
            self.report(rule, &ident, message, Severity::Warning);
        }
    }
}

/// The names that may have to change and that the walk did not look at.
struct Unreached<'v, 'm, 'p> {
    names: &'m NameMap<'p>,
    visited: &'v HashSet<usize>,
    found: Vec<Ident>,
}

impl Unreached<'_, '_, '_> {
    fn check(&mut self, ident: &Ident) {
        if self.names.may_change(&ident.name) && !self.visited.contains(&ident.span.start) {
            self.found.push(ident.clone());
        }
    }
}

impl Visitor for Unreached<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Name(ident) => self.check(ident),
            Expr::Member(m) if m.object.as_name().is_some_and(Ident::is_join_side) => {
                self.check(&m.member);
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}
