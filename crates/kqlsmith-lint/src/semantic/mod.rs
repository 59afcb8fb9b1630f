//! The binder: what each name in a query means. `let` bindings and functions are in scope
//! from their statement on; the columns are followed through every pipe stage (`where`,
//! `extend`, `project*`, `summarize`, `join`, `union`, `mv-expand`, `parse`, `top-nested`...),
//! starting from the platform's schema, with the names Kusto gives the columns a query does
//! not name ([`naming`]). Subqueries are bound on the rows they read: the stages of `fork`,
//! `facet`, `partition` and `mv-apply` on their input's columns, `scan`'s steps on the input's
//! columns, the declared ones and `Step.Column`. An operator whose columns the binder does
//! not follow (such as `evaluate`, or `fork` and `facet`, which make several results) makes
//! the column set "open": from there on no name is called unknown.
//!
//! The result, [`Model`], is a set of side tables keyed by span (every name used and what it
//! resolved to, every table read, every `let` and its uses, every call, every column created,
//! every pipeline's time filter, and on request each stage's input columns and each column's
//! [`Lineage`]: a platform table's column, under its name or one Kusto derived from it, or
//! the query's own) that the rules and the converter read; [`crate::binding`] answers
//! questions about it by byte offset.

mod columns;
mod lineage;
pub mod naming;
pub mod types;

pub use columns::ColumnSet;
pub use lineage::Lineage;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::functions::{self, FunctionKind};
use crate::ir::*;
use crate::platform::{FunctionUsage, Platform};
use crate::schema::{Column, ColumnType, Schema};
use naming::{
    JoinColumns, JoinKind, MultiColumnAggregate, fresh_name, implicit_name, implicit_name_with,
};

/// What a name used in an expression refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// A column of the rows at that point.
    Column(ColumnType),
    /// The `let` with this index in `Model::lets`.
    Let(usize),
    /// A parameter of the enclosing function.
    Parameter,
    /// The column set is open: the name may be a column nobody knows about.
    Open,
    /// A column an earlier stage removed (the span of that stage's keyword).
    Removed(Range<usize>),
    /// Nothing of that name: the closest column or `let` name, if one is close.
    Unknown {
        suggestion: Option<String>,
        /// Whether rows were in scope (a column was possible) where the name was used.
        row_scope: bool,
    },
}

/// A name used in an expression.
#[derive(Debug, Clone)]
pub struct NameUse {
    pub ident: Ident,
    pub resolution: Resolution,
    /// The table the rows came from, when the pipeline starts at one (for messages).
    pub table: Option<Arc<str>>,
    /// Where the values come from, when that is more than "the query's own" (see
    /// [`Origin`]): boxed, since nearly every name of a big file has none.
    origin: Option<Box<Origin>>,
}

/// Where a name's values come from, as far as the converter needs it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Origin {
    lineage: Lineage,
    own_columns: Vec<Arc<str>>,
    right_key: bool,
    unseen: Option<Arc<str>>,
}

impl NameUse {
    fn new(ident: &Ident, resolution: Resolution, table: Option<Arc<str>>, origin: Origin) -> Self {
        NameUse {
            ident: ident.clone(),
            resolution,
            table,
            origin: (origin != Origin::default()).then(|| Box::new(origin)),
        }
    }

    /// Where the column's values come from (with [`Analyzer::track_lineage`]; else `Own`).
    pub fn lineage(&self) -> &Lineage {
        const OWN: &Lineage = &Lineage::Own;
        self.origin.as_ref().map_or(OWN, |o| &o.lineage)
    }

    /// For a platform table's column, the names of the columns the query made beside it
    /// (with [`Analyzer::track_lineage`]): a rename must not land on one.
    pub fn own_columns(&self) -> &[Arc<str>] {
        self.origin.as_ref().map_or(&[], |o| &o.own_columns)
    }

    /// Whether this is the right side's reading of a `join ... on Key` key, recorded beside
    /// the left side's (with [`Analyzer::track_lineage`]).
    pub fn right_key(&self) -> bool {
        self.origin.as_ref().is_some_and(|o| o.right_key)
    }

    /// For [`Resolution::Open`], the source kqlsmith cannot see into, when one is known.
    pub fn unseen(&self) -> Option<&Arc<str>> {
        self.origin.as_ref().and_then(|o| o.unseen.as_ref())
    }
}

/// A table (or tabular name) read as the source of rows.
#[derive(Debug, Clone)]
pub struct TableUse {
    pub ident: Ident,
    pub known: bool,
    /// The closest table name, when unknown.
    pub suggestion: Option<String>,
}

/// A `let` statement.
#[derive(Debug, Clone)]
pub struct LetInfo {
    pub name: Ident,
    /// The whole statement.
    pub span: Range<usize>,
    pub uses: usize,
    /// Where it is used (the names' spans), in the order the binder met them.
    pub use_spans: Vec<Range<usize>>,
    pub kind: LetKind,
    /// The statement is inside a function body (not at the top of the script).
    pub nested: bool,
    /// The `let` statement of the innermost function whose body declares it: the name is
    /// seen up to that statement's end.
    pub within: Option<Range<usize>>,
}

/// A parameter of a `let` function.
#[derive(Debug, Clone)]
pub struct ParamInfo {
    pub name: Ident,
    /// The function's `let` statement: the parameter is seen in its body.
    pub function: Range<usize>,
    /// Where it is used (the names' spans), in the order the binder met them.
    pub use_spans: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LetKind {
    Scalar(ColumnType),
    Tabular,
    Function { min_args: usize, max_args: usize },
    Other,
}

/// What a called function is.
#[derive(Debug, Clone, PartialEq)]
pub enum Callee {
    Builtin(&'static functions::Function),
    Platform {
        min_args: usize,
        max_args: usize,
    },
    Let(usize),
    /// Not defined anywhere: the closest name, if one is close.
    Unknown {
        suggestion: Option<String>,
    },
    /// A tabular function the linter cannot check (parameters, watchlists, ...).
    Unchecked,
}

/// A function call.
#[derive(Debug, Clone)]
pub struct CallUse {
    pub name: Ident,
    pub arg_count: usize,
    pub callee: Callee,
    pub span: Range<usize>,
}

/// A column created by name (`extend X = ...`, `project X = ...`, `summarize X = ...`).
#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub ident: Ident,
    /// The `let` (index in `Model::lets`) of the same name in scope, if any.
    pub shadows: Option<usize>,
}

/// A pipeline that starts at a schema table.
#[derive(Debug, Clone)]
pub struct TableScan {
    pub table: Ident,
    /// Whether the table has the platform's time column.
    pub has_time_column: bool,
    /// The index of the first stage filtering on the time column, if any.
    pub time_filter: Option<usize>,
    /// The first use of another platform's time column in a `where` of this pipeline (a
    /// time filter meant for the other platform).
    pub foreign_time_filter: Option<Ident>,
    /// Whether that name is a column of the rows there (else it is an unknown name).
    pub foreign_time_filter_is_column: bool,
    /// Whether the rows are filtered on time after this pipeline (a `union` member, a tabular
    /// `let` used by a filtered pipeline).
    pub filtered_later: bool,
    /// The spans of the stages, in order.
    pub stages: Vec<Range<usize>>,
}

/// A top-level statement being bound stage by stage (see [`Analyzer::open_statement`]).
pub(crate) struct OpenStatement {
    pipeline: OpenPipeline,
    /// For a `let`: its index in `Model::lets`, and the first scan of its value.
    binding: Option<(usize, usize)>,
}

/// Where a part of the script starts in the model's per-name lists.
pub(crate) struct PartStart {
    names: usize,
    calls: usize,
    defs: usize,
}

/// A pipeline being bound, stage by stage: the columns so far and the scans its stages filter.
struct OpenPipeline {
    set: ColumnSet,
    table: Option<Arc<str>>,
    inherited: Vec<usize>,
    own_scan: Option<usize>,
    /// How many stages were bound.
    stages: usize,
    /// The stage and the index in `foreign_time_columns` of the scan's foreign time filter.
    foreign_from: Option<(usize, usize)>,
}

/// Everything the rules learn about a script.
#[derive(Debug, Default)]
pub struct Model {
    pub names: Vec<NameUse>,
    pub tables: Vec<TableUse>,
    pub lets: Vec<LetInfo>,
    /// The parameters of every `let` function, in the order declared.
    pub params: Vec<ParamInfo>,
    pub calls: Vec<CallUse>,
    pub defs: Vec<ColumnDef>,
    pub scans: Vec<TableScan>,
    /// The columns of each query statement's result, in order (top level only).
    pub outputs: Vec<ColumnSet>,
    /// Each stage's span and the columns of its input, in the order the binder met them;
    /// kept only when [`Analyzer::keep_stage_inputs`] asked for them.
    pub stage_inputs: Vec<(Range<usize>, ColumnSet)>,
    /// Index into `names` by the start of the name's span.
    by_start: HashMap<usize, usize>,
}

impl Model {
    /// What the name starting at byte `start` resolved to.
    pub fn resolution_at(&self, start: usize) -> Option<&Resolution> {
        self.by_start
            .get(&start)
            .map(|&i| &self.names[i].resolution)
    }

    /// The type of an expression, using what its names resolved to.
    pub fn type_of(&self, expr: &Expr) -> ColumnType {
        self.type_in(expr)
    }

    fn type_in(&self, expr: &Expr) -> ColumnType {
        let name_type = |_: &str| ColumnType::Unknown;
        match &expr.kind {
            ExprKind::Name(ident) => match self.resolution_at(ident.span.start) {
                Some(Resolution::Column(ty)) => *ty,
                Some(Resolution::Let(i)) => match self.lets[*i].kind {
                    LetKind::Scalar(ty) => ty,
                    _ => ColumnType::Unknown,
                },
                _ => ColumnType::Unknown,
            },
            // `bin(FiveMinutes = Timestamp, 5m)`: the argument's value.
            ExprKind::NamedArg { value, .. } => self.type_in(value),
            ExprKind::Call(call)
                if matches!(call.name.name.as_str(), "iff" | "iif" | "coalesce" | "bin")
                    && !call.args.is_empty() =>
            {
                let i = usize::from(matches!(call.name.name.as_str(), "iff" | "iif"));
                call.args
                    .get(i)
                    .map_or(ColumnType::Unknown, |a| self.type_in(a))
            }
            _ => types::expr_type(expr, &name_type),
        }
    }
}

/// Analyses a script against a schema.
pub struct Analyzer<'a> {
    platform: &'a Platform,
    /// The user's tables and columns (from `kqlsmith.toml`), over the platform's.
    extra: &'a Schema,
    watchlists: &'a std::collections::BTreeMap<String, Vec<Column>>,
    model: Model,
    /// The `let`s in scope: name and index in `model.lets`; later ones shadow earlier ones.
    scope: Vec<(String, usize)>,
    /// The columns of each tabular `let`, by index in `model.lets`.
    let_columns: HashMap<usize, ColumnSet>,
    /// The table scans in the value of each tabular `let`, by index in `model.lets`.
    let_scans: HashMap<usize, Vec<usize>>,
    /// The parameters of the functions whose body is being bound, innermost last.
    params: Vec<Param>,
    /// The time columns of the other platforms (`Timestamp` when linting for Sentinel).
    foreign_time_columns: Vec<String>,
    /// Depth of nested pipelines and calls, bounded so hostile input cannot overflow.
    depth: usize,
    keep_stage_inputs: bool,
    lineage: bool,
    /// The key columns of the `partition by Key { query }` bodies being bound, innermost
    /// last: in the query, `Key` is the partition's value.
    partition_keys: Vec<(String, ColumnType)>,
    /// The `scan` step being bound: the step names it may read (`Step.Column`) and their
    /// columns.
    scan_steps: Option<ScanSteps>,
}

/// The steps of a `scan` a step condition or assignment may read, and the columns of each
/// step's state (the input's and the declared ones).
struct ScanSteps {
    names: Vec<String>,
    state: ColumnSet,
}

/// A function parameter in scope while its body is bound.
struct Param {
    name: String,
    tabular: bool,
    /// Index in `Model::params`.
    index: usize,
    /// How many `let`s were in scope where it was declared: it shadows those.
    lets_before: usize,
}

/// How deep the analysis follows nested expressions before giving up on a branch.
const MAX_DEPTH: usize = 200;

/// How a stage names a column the query does not name.
#[derive(Debug, Clone, Copy)]
enum Naming {
    /// `extend`: the implicit name, replacing a column of that name.
    Replace,
    /// `project`, `summarize by`, `distinct`: the implicit name, numbered when taken.
    Fresh,
    /// Aggregates: the aggregate's implicit name (`count_`), numbered when taken.
    FreshAggregate,
}

impl<'a> Analyzer<'a> {
    pub fn new(
        platform: &'a Platform,
        extra: &'a Schema,
        watchlists: &'a std::collections::BTreeMap<String, Vec<Column>>,
    ) -> Analyzer<'a> {
        Analyzer {
            platform,
            extra,
            watchlists,
            model: Model::default(),
            scope: Vec::new(),
            let_columns: HashMap::new(),
            let_scans: HashMap::new(),
            params: Vec::new(),
            foreign_time_columns: Platform::shipped()
                .iter()
                .filter(|p| p.time_column != platform.time_column)
                .map(|p| p.time_column.clone())
                .collect(),
            depth: 0,
            keep_stage_inputs: false,
            lineage: false,
            partition_keys: Vec::new(),
            scan_steps: None,
        }
    }

    /// Follows where each column comes from ([`Lineage`]) and records it with each name use
    /// (for the converter; the linter does not need it).
    pub fn track_lineage(mut self) -> Self {
        self.lineage = true;
        self
    }

    /// Records each stage's input columns in [`Model::stage_inputs`] (for editors; the
    /// linter does not need them).
    pub fn keep_stage_inputs(mut self) -> Self {
        self.keep_stage_inputs = true;
        self
    }

    /// Builds the model of `script`.
    pub fn analyze(mut self, script: &Script) -> Model {
        self.statements(&script.statements, false);
        self.into_model()
    }

    /// Binds a top-level statement whose stages are still to come, one at a time, through
    /// [`Analyzer::statement_stage`]: a query, or a `let` binding one. `None` for any other
    /// statement, which [`Analyzer::statement`] binds whole.
    pub(crate) fn open_statement(&mut self, head: &Statement) -> Option<OpenStatement> {
        let (p, binding) = match head {
            Statement::Query(p) => (p, None),
            Statement::Let(l) => match &l.value {
                LetValue::Tabular(p) => (
                    p,
                    Some((self.declare_let(l, false), self.model.scans.len())),
                ),
                _ => return None,
            },
            Statement::Other(_) => return None,
        };
        self.depth += 1;
        let mut pipeline = self.open_pipeline(p);
        for stage in &p.stages {
            self.pipeline_stage(&mut pipeline, stage);
        }
        Some(OpenStatement { pipeline, binding })
    }

    /// Binds the next stage of an open statement.
    pub(crate) fn statement_stage(&mut self, open: &mut OpenStatement, stage: &Stage) {
        self.pipeline_stage(&mut open.pipeline, stage);
    }

    /// Binds one more operand of the long chain of the `where` stage bound last (handed over
    /// after the stage, which held the first): as the stage's predicate would have, had it
    /// been linked to it. The stage's span grows over it.
    pub(crate) fn where_operand(&mut self, open: &mut OpenStatement, operand: &Expr) {
        let p = &mut open.pipeline;
        let Some(stage) = p.stages.checked_sub(1) else {
            return;
        };
        if let Some(scan) = p.own_scan
            && let Some(span) = self.model.scans[scan].stages.get_mut(stage)
        {
            span.end = span.end.max(operand.span.end);
        }
        let foreign_time_filter = self.time_filters_in(p, stage, operand);
        self.expr(operand, &p.set, p.table.clone(), true);
        self.resolve_foreign_time_filter(foreign_time_filter);
    }

    /// Ends an open statement, whose whole span (its stages', for a `let`) is `span`.
    pub(crate) fn close_statement(&mut self, open: OpenStatement, span: Range<usize>) {
        self.depth -= 1;
        let columns = open.pipeline.set;
        match open.binding {
            None => self.model.outputs.push(columns),
            Some((index, scans_start)) => {
                self.model.lets[index].span = span;
                self.bind_tabular_let(index, columns, scans_start);
            }
        }
    }

    /// Binds a whole top-level statement.
    pub(crate) fn statement(&mut self, statement: &Statement) {
        self.statements(std::slice::from_ref(statement), false);
    }

    /// The model built so far.
    pub(crate) fn into_model(mut self) -> Model {
        // One name use a name: on a big file, the slack of the last doubling is megabytes.
        self.model.names.shrink_to_fit();
        self.model
    }

    /// Where the next part of the script starts in the model's lists of names, calls and
    /// column definitions.
    pub(crate) fn part_start(&self) -> PartStart {
        PartStart {
            names: self.model.names.len(),
            calls: self.model.calls.len(),
            defs: self.model.defs.len(),
        }
    }

    /// The names, calls and column definitions bound since `start`, taken out of the model,
    /// with its `let`s lent until [`Analyzer::end_part`]: what the rules that read no more
    /// need to check a part of the script (a stage), after which it is let go.
    pub(crate) fn take_part(&mut self, start: &PartStart) -> Model {
        let names = take_tail(&mut self.model.names, start.names);
        // The index moves whole when the part is most of it (a long chain may be most of a
        // big text, and is not copied), else the part's entries move out of it: either way
        // in time proportional to the part.
        let by_start = if names.len() >= start.names {
            let mut by_start = std::mem::take(&mut self.model.by_start);
            by_start.retain(|&at, i| {
                if *i < start.names {
                    self.model.by_start.insert(at, *i);
                    return false;
                }
                *i -= start.names;
                true
            });
            by_start
        } else {
            let mut by_start = HashMap::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                let at = name.ident.span.start;
                if self
                    .model
                    .by_start
                    .get(&at)
                    .is_some_and(|&j| j >= start.names)
                {
                    self.model.by_start.remove(&at);
                }
                by_start.insert(at, i);
            }
            by_start
        };
        Model {
            names,
            calls: take_tail(&mut self.model.calls, start.calls),
            defs: take_tail(&mut self.model.defs, start.defs),
            lets: std::mem::take(&mut self.model.lets),
            by_start,
            ..Model::default()
        }
    }

    /// Takes back the `let`s lent with a part.
    pub(crate) fn end_part(&mut self, part: Model) {
        self.model.lets = part.lets;
    }

    /// Follows the statements in order; returns the columns of the last query of a function
    /// body (`nested`), if it has one.
    fn statements(&mut self, statements: &[Statement], nested: bool) -> Option<ColumnSet> {
        let mut last = None;
        for statement in statements {
            match statement {
                Statement::Let(l) => self.let_statement(l, nested),
                Statement::Query(p) => {
                    let columns = self.pipeline(p);
                    if nested {
                        last = Some(columns);
                    } else {
                        self.model.outputs.push(columns);
                    }
                }
                Statement::Other(_) => {}
            }
        }
        last
    }

    /// Takes the `let`'s slot in the model before its value is read, so that `let`s and `as`
    /// inside the value come after it and its index is its own.
    fn declare_let(&mut self, l: &Let, nested: bool) -> usize {
        self.model.lets.push(LetInfo {
            name: l.name.clone(),
            span: l.span.clone(),
            uses: 0,
            use_spans: Vec::new(),
            kind: LetKind::Other,
            nested,
            within: None,
        });
        self.model.lets.len() - 1
    }

    /// Records the rows a tabular `let` binds (its columns, and the scans its value made
    /// since `scans_start`), and brings its name into scope.
    fn bind_tabular_let(&mut self, index: usize, columns: ColumnSet, scans_start: usize) {
        self.let_columns.insert(index, columns);
        self.let_scans
            .insert(index, (scans_start..self.model.scans.len()).collect());
        self.model.lets[index].kind = LetKind::Tabular;
        let name = self.model.lets[index].name.name.clone();
        self.scope.push((name, index));
    }

    fn let_statement(&mut self, l: &Let, nested: bool) {
        let index = self.declare_let(l, nested);
        let kind = match &l.value {
            LetValue::Scalar(expr) => match self.as_tabular(expr) {
                // `let T = SomeTable;` and `let T = materialize(...)` bind rows.
                Some(p) => {
                    let scans_start = self.model.scans.len();
                    let columns = self.pipeline(&p);
                    self.bind_tabular_let(index, columns, scans_start);
                    return;
                }
                None => {
                    self.expr(expr, &ColumnSet::default(), None, false);
                    LetKind::Scalar(self.model.type_of(expr))
                }
            },
            LetValue::Tabular(p) => {
                let scans_start = self.model.scans.len();
                let columns = self.pipeline(p);
                self.bind_tabular_let(index, columns, scans_start);
                return;
            }
            LetValue::Function(f) => {
                let saved = self.params.len();
                let scope = self.scope.len();
                for p in &f.params {
                    self.params.push(Param {
                        name: p.name.name.clone(),
                        tabular: p.tabular,
                        index: self.model.params.len(),
                        lets_before: self.scope.len(),
                    });
                    self.model.params.push(ParamInfo {
                        name: p.name.clone(),
                        function: l.span.clone(),
                        use_spans: Vec::new(),
                    });
                }
                // A call has the rows of the body's result, more columns perhaps (its
                // parameters may bring any).
                let mut result = self
                    .statements(&f.body, true)
                    .unwrap_or_else(|| ColumnSet::unseen(&l.name.name));
                result.set_open();
                self.let_columns.insert(index, result);
                self.params.truncate(saved);
                // `let`s inside the body are not visible after it.
                self.scope.truncate(scope);
                for inner in &mut self.model.lets[index + 1..] {
                    if inner.within.is_none() {
                        inner.within = Some(l.span.clone());
                    }
                }
                LetKind::Function {
                    min_args: f.params.iter().filter(|p| !p.optional).count(),
                    max_args: f.params.len(),
                }
            }
            LetValue::Other(_) => LetKind::Other,
        };
        self.model.lets[index].kind = kind;
        self.scope.push((l.name.name.clone(), index));
    }

    /// A `let` value written as a name or a call that is in fact rows: a table, a tabular
    /// `let`, a tabular parameter, or a function returning rows.
    fn as_tabular(&self, expr: &Expr) -> Option<Pipeline> {
        let tabular_name = |name: &str| {
            self.lookup_let(name).is_some_and(|i| {
                matches!(
                    self.model.lets[i].kind,
                    LetKind::Tabular | LetKind::Function { .. }
                )
            }) || self.params.iter().any(|p| p.name == name && p.tabular)
                || self.platform.schema().table(name).is_some()
                || self.extra.table(name).is_some()
                || self
                    .platform
                    .function(name)
                    .is_some_and(|f| f.usage == FunctionUsage::Table)
        };
        let source = match &expr.kind {
            ExprKind::Name(ident) if tabular_name(&ident.name) => Source::Name(ident.clone()),
            ExprKind::Call(call)
                if tabular_name(&call.name.name)
                    || matches!(
                        call.name.name.as_str(),
                        "table" | "materialize" | "view" | "_GetWatchlist"
                    ) =>
            {
                Source::Call((**call).clone())
            }
            ExprKind::Tabular(p) => return Some((**p).clone()),
            _ => return None,
        };
        Some(Pipeline {
            source,
            stages: Vec::new(),
            span: expr.span.clone(),
        })
    }

    /// The innermost `let` named `name`, unless a function parameter declared after it (the
    /// name is used in that function's body) shadows it.
    fn lookup_let(&self, name: &str) -> Option<usize> {
        let (position, index) = self
            .scope
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (n, _))| n == name)
            .map(|(position, (_, i))| (position, *i))?;
        let shadowed = self
            .params
            .iter()
            .any(|p| p.name == name && p.lets_before > position);
        (!shadowed).then_some(index)
    }

    fn use_let(&mut self, index: usize, at: &Range<usize>) {
        let info = &mut self.model.lets[index];
        info.uses += 1;
        info.use_spans.push(at.clone());
    }

    /// Records a use of the parameter named `name`, if one is in scope; says whether it was.
    fn use_param(&mut self, name: &str, at: &Range<usize>) -> bool {
        let Some(index) = self
            .params
            .iter()
            .rev()
            .find(|p| p.name == name)
            .map(|p| p.index)
        else {
            return false;
        };
        self.model.params[index].use_spans.push(at.clone());
        true
    }

    /// The columns of a schema table (the platform's, with the user's additions, which are
    /// the query's own as far as lineage goes).
    fn table(&self, name: &str) -> Option<ColumnSet> {
        let base = self.platform.schema().table(name);
        let extra = self.extra.table(name);
        match (base, extra) {
            (None, None) => None,
            (Some(t), None) => Some(self.platform_columns(&t.name, &t.columns)),
            (None, Some(t)) => Some(ColumnSet::new(t.columns.clone())),
            (Some(base), Some(extra)) => {
                let mut set = self.platform_columns(&base.name, &base.columns);
                for c in &extra.columns {
                    let lineage = set.lineage(&c.name).cloned().unwrap_or_default();
                    set.set_with(&c.name, c.ty, lineage);
                }
                Some(set)
            }
        }
    }

    /// The columns of a platform table or table function, with their lineage when tracked.
    fn platform_columns(&self, table: &Arc<str>, columns: &[Column]) -> ColumnSet {
        if self.lineage {
            ColumnSet::of_table(table, columns.to_vec())
        } else {
            ColumnSet::new(columns.to_vec())
        }
    }

    fn table_suggestion(&self, name: &str) -> Option<String> {
        let tables = self
            .platform
            .schema()
            .tables()
            .chain(self.extra.tables())
            .map(|t| &*t.name);
        let lets = self.scope.iter().map(|(n, _)| n.as_str());
        closest(name, tables.chain(lets))
    }

    /// Follows a pipeline; returns the columns of its result.
    fn pipeline(&mut self, p: &Pipeline) -> ColumnSet {
        if self.depth > MAX_DEPTH {
            return ColumnSet::open();
        }
        self.depth += 1;
        let mut open = self.open_pipeline(p);
        for stage in &p.stages {
            self.pipeline_stage(&mut open, stage);
        }
        self.depth -= 1;
        open.set
    }

    /// Binds a pipeline's source: its stages follow with [`Analyzer::pipeline_stage`].
    fn open_pipeline(&mut self, p: &Pipeline) -> OpenPipeline {
        let scans_start = self.model.scans.len();
        let (set, table) = self.source(&p.source);
        // Scans whose rows flow into this pipeline, so that its time filter filters them too:
        // `union` members, nested pipelines, and the value of a tabular `let` read here.
        let inherited: Vec<usize> = match &p.source {
            Source::Union(_) | Source::Nested(_) => (scans_start..self.model.scans.len()).collect(),
            Source::Name(ident) => self
                .lookup_let(&ident.name)
                .and_then(|i| self.let_scans.get(&i))
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let own_scan = match (&p.source, &table) {
            (Source::Name(ident), Some(_)) => {
                self.model.scans.push(TableScan {
                    table: ident.clone(),
                    has_time_column: set.contains(&self.platform.time_column),
                    time_filter: None,
                    foreign_time_filter: None,
                    foreign_time_filter_is_column: false,
                    filtered_later: false,
                    stages: Vec::with_capacity(p.stages.len()),
                });
                Some(self.model.scans.len() - 1)
            }
            _ => None,
        };
        OpenPipeline {
            set,
            table,
            inherited,
            own_scan,
            stages: 0,
            foreign_from: None,
        }
    }

    /// Records the first use of another platform's time column in the predicate (or an
    /// operand of the predicate) of stage `stage` of an open pipeline that starts at a table,
    /// unless an earlier stage used one: the first such column in the order of
    /// `foreign_time_columns`, at its first use. The scan and where that use starts, if
    /// recorded here.
    fn foreign_time_filter_in(
        &mut self,
        open: &mut OpenPipeline,
        stage: usize,
        predicate: &Expr,
    ) -> Option<(usize, usize)> {
        let scan = open.own_scan?;
        // Columns before this one in the list may still take its place in the same stage.
        let before = match open.foreign_from {
            None => self.foreign_time_columns.len(),
            Some((from, column)) if from == stage => column,
            Some(_) => return None,
        };
        let (column, ident) = self.foreign_time_columns[..before]
            .iter()
            .enumerate()
            .find_map(|(k, c)| find_name(predicate, c).map(|ident| (k, ident)))?;
        open.foreign_from = Some((stage, column));
        self.model.scans[scan].foreign_time_filter = Some(ident.clone());
        Some((scan, ident.span.start))
    }

    /// Binds the next stage of an open pipeline.
    fn pipeline_stage(&mut self, open: &mut OpenPipeline, stage: &Stage) {
        let i = open.stages;
        open.stages += 1;
        if let Some(scan) = open.own_scan {
            self.model.scans[scan].stages.push(stage.span.clone());
        }
        let foreign_time_filter = match &stage.kind {
            StageKind::Where(predicate) => self.time_filters_in(open, i, predicate),
            _ => None,
        };
        let before = self.model.scans.len();
        let table = open.table.take();
        open.table = self.follow_stage(stage, &mut open.set, table);
        if let StageKind::Union(_) = stage.kind {
            open.inherited.extend(before..self.model.scans.len());
        }
        self.resolve_foreign_time_filter(foreign_time_filter);
    }

    /// Records what the predicate (or an operand of the predicate) of stage `stage` of an
    /// open pipeline filters on: the platform's time column, for the pipeline's own scan and
    /// the scans whose rows flow into it, and another platform's (see
    /// [`Analyzer::foreign_time_filter_in`], whose result it returns).
    fn time_filters_in(
        &mut self,
        open: &mut OpenPipeline,
        stage: usize,
        predicate: &Expr,
    ) -> Option<(usize, usize)> {
        if mentions_name(predicate, &self.platform.time_column) {
            if let Some(scan) = open.own_scan
                && self.model.scans[scan].time_filter.is_none()
            {
                self.model.scans[scan].time_filter = Some(stage);
            }
            for &scan in &open.inherited {
                self.model.scans[scan].filtered_later = true;
            }
        }
        self.foreign_time_filter_in(open, stage, predicate)
    }

    /// Keeps with the scan what the foreign time filter's name resolved to, once its stage is
    /// bound: a big text's names are checked and let go stage by stage (see
    /// [`Analyzer::take_part`]).
    fn resolve_foreign_time_filter(&mut self, recorded: Option<(usize, usize)>) {
        if let Some((scan, start)) = recorded {
            self.model.scans[scan].foreign_time_filter_is_column =
                matches!(self.model.resolution_at(start), Some(Resolution::Column(_)));
        }
    }

    /// The columns a source produces, and the table name when it is a schema table.
    fn source(&mut self, source: &Source) -> (ColumnSet, Option<Arc<str>>) {
        match source {
            Source::Name(ident) => self.named_source(ident),
            Source::Call(call) => (self.tabular_call(call), None),
            Source::Nested(p) => (self.pipeline(p), None),
            Source::Union(u) => (self.union(u, None), None),
            Source::Datatable(columns) | Source::Externaldata(columns) => (
                ColumnSet::new(
                    columns
                        .iter()
                        .map(|(n, t)| {
                            Column::new(n.name.as_str(), t.unwrap_or(ColumnType::Unknown))
                        })
                        .collect(),
                ),
                None,
            ),
            Source::Print(assignments) => {
                let mut set = ColumnSet::default();
                let empty = ColumnSet::default();
                for (i, a) in assignments.iter().enumerate() {
                    self.expr(&a.expr, &empty, None, false);
                    let ty = self.model.type_of(&a.expr);
                    match a.names.first() {
                        Some(name) => {
                            self.define(name);
                            set.set(&name.name, ty);
                        }
                        None => set.set(&naming::print_column_name(i), ty),
                    }
                }
                (set, None)
            }
            Source::Search {
                tables, predicate, ..
            } => {
                // `search in (T1, T2)` has the tables' rows (and `$table`); `search` alone,
                // every table's.
                let mut set = match tables {
                    Some(tables) => self.search_tables(tables),
                    None => ColumnSet::unseen("search"),
                };
                set.set_open();
                if let Some(predicate) = predicate {
                    self.expr(predicate, &set, None, true);
                }
                (set, None)
            }
            Source::Range { column, exprs } => {
                for e in exprs {
                    self.expr(e, &ColumnSet::default(), None, false);
                }
                let ty = exprs
                    .first()
                    .map_or(ColumnType::Long, |e| self.model.type_of(e));
                (
                    ColumnSet::new(vec![Column::new(column.name.as_str(), ty)]),
                    None,
                )
            }
            Source::Find { predicate, .. } => {
                let set = ColumnSet::unseen("find");
                self.expr(predicate, &set, None, true);
                (set, None)
            }
            Source::Evaluate(call) => {
                let mut set = ColumnSet::default();
                self.evaluate(call, &mut set, None);
                (set, None)
            }
            // `database("x").T`, `cluster(...).database(...).T` and the like: rows from
            // elsewhere, not looked into.
            Source::Expr(_) => (ColumnSet::open(), None),
            Source::Stage(stage) => {
                let mut set = ColumnSet::open();
                self.stage(stage, &mut set, None);
                (set, None)
            }
        }
    }

    /// The columns of the schema tables a `search in (...)` names, the first table's first.
    fn search_tables(&mut self, tables: &[Ident]) -> ColumnSet {
        let mut set = ColumnSet::default();
        for ident in tables {
            let Some(columns) = self.table(&ident.name) else {
                continue;
            };
            self.model.tables.push(TableUse {
                ident: ident.clone(),
                known: true,
                suggestion: None,
            });
            for (c, lineage) in columns.with_lineage() {
                if !set.contains(&c.name) {
                    set.set_with(&c.name, c.ty, lineage.clone());
                }
            }
        }
        set
    }

    fn named_source(&mut self, ident: &Ident) -> (ColumnSet, Option<Arc<str>>) {
        let name = ident.name.as_str();
        if let Some(index) = self.lookup_let(name) {
            self.use_let(index, &ident.span);
            let set = self
                .let_columns
                .get(&index)
                .cloned()
                .unwrap_or_else(ColumnSet::open);
            return (set, None);
        }
        if self.use_param(name, &ident.span) {
            return (ColumnSet::unseen(name), None);
        }
        if let Some(set) = self.table(name) {
            self.model.tables.push(TableUse {
                ident: ident.clone(),
                known: true,
                suggestion: None,
            });
            return (set, Some(Arc::from(name)));
        }
        if let Some(f) = self.platform.function(name)
            && f.usage == FunctionUsage::Table
        {
            return (self.function_rows(f), None);
        }
        let suggestion = self.table_suggestion(name);
        self.model.tables.push(TableUse {
            ident: ident.clone(),
            known: false,
            suggestion,
        });
        (ColumnSet::unseen(name), None)
    }

    /// The rows a platform's table function returns.
    fn function_rows(&self, f: &crate::platform::PlatformFunction) -> ColumnSet {
        match &f.returns_columns {
            Some(columns) => self.platform_columns(&Arc::from(f.name.as_str()), columns),
            None => ColumnSet::unseen(&format!("{}()", f.name)),
        }
    }

    /// A call used as a source of rows.
    fn tabular_call(&mut self, call: &Call) -> ColumnSet {
        let empty = ColumnSet::default();
        for arg in &call.args {
            self.expr(arg, &empty, None, false);
        }
        let name = call.name.name.as_str();
        let callee;
        let unseen = || ColumnSet::unseen(&format!("{name}()"));
        let set = if let Some(index) = self.lookup_let(name) {
            self.use_let(index, &call.name.span);
            callee = self.let_callee(index);
            self.let_columns.get(&index).cloned().unwrap_or_else(unseen)
        } else if let Some(f) = self.platform.function(name) {
            callee = Callee::Platform {
                min_args: f.min_args,
                max_args: f.max_args,
            };
            self.function_rows(f)
        } else if name == "table" || name == "materialize" || name == "view" {
            callee = functions::lookup(FunctionKind::Scalar, name)
                .map_or(Callee::Unchecked, Callee::Builtin);
            match call.args.first().map(|a| &a.kind) {
                Some(ExprKind::Literal(Literal::String(table))) if name == "table" => {
                    self.table(table).unwrap_or_else(unseen)
                }
                Some(ExprKind::Tabular(p)) => self.pipeline(p),
                _ => unseen(),
            }
        } else if name == "_GetWatchlist" {
            callee = Callee::Unchecked;
            match call.args.first().map(|a| &a.kind) {
                Some(ExprKind::Literal(Literal::String(w))) => {
                    match self.watchlists.get(w.as_str()) {
                        Some(columns) => {
                            let mut set = ColumnSet::new(columns.clone());
                            set.set("SearchKey", ColumnType::String);
                            set
                        }
                        None => unseen(),
                    }
                }
                _ => unseen(),
            }
        } else if let Some(f) = functions::lookup(FunctionKind::Scalar, name) {
            callee = Callee::Builtin(f);
            unseen()
        } else {
            callee = Callee::Unknown {
                suggestion: self.function_suggestion(name),
            };
            unseen()
        };
        self.model.calls.push(CallUse {
            name: call.name.clone(),
            arg_count: call.args.len(),
            callee,
            span: call.span.clone(),
        });
        set
    }

    fn let_callee(&self, index: usize) -> Callee {
        match self.model.lets[index].kind {
            LetKind::Function { .. } => Callee::Let(index),
            _ => Callee::Unchecked,
        }
    }

    fn function_suggestion(&self, name: &str) -> Option<String> {
        let mut candidates: Vec<&str> = functions::names(FunctionKind::Scalar)
            .chain(functions::names(FunctionKind::Aggregate))
            .collect();
        candidates.extend(self.platform.functions.iter().map(|f| f.name.as_str()));
        candidates.extend(self.scope.iter().map(|(n, _)| n.as_str()));
        closest(name, candidates.into_iter())
    }

    /// Records a column created by name, noting a `let` it hides.
    fn define(&mut self, ident: &Ident) {
        let shadows = self.lookup_let(&ident.name);
        self.model.defs.push(ColumnDef {
            ident: ident.clone(),
            shadows,
        });
    }

    /// Follows one stage: checks the names it uses against `set`, then changes `set`.
    fn stage(&mut self, stage: &Stage, set: &mut ColumnSet, table: Option<Arc<str>>) {
        let keyword = &stage.keyword;
        match &stage.kind {
            StageKind::Where(e) => self.expr(e, set, table, true),
            StageKind::Sort(keys) => {
                for k in keys {
                    self.expr(&k.expr, set, table.clone(), true);
                }
            }
            StageKind::Top { count, by } => {
                self.expr(count, &ColumnSet::default(), None, false);
                for k in by {
                    self.expr(&k.expr, set, table.clone(), true);
                }
            }
            StageKind::Take(e) => self.expr(e, &ColumnSet::default(), None, false),
            StageKind::TopNested(clauses) => {
                let before = set.clone();
                let mut next = ColumnSet::default();
                for c in clauses {
                    for e in c.count.iter().chain(c.others.iter()) {
                        self.expr(e, &ColumnSet::default(), None, false);
                    }
                    self.expr(&c.of.expr, &before, table.clone(), true);
                    self.expr(&c.by.expr, &before, table.clone(), true);
                    let of_type = self.model.type_of(&c.of.expr);
                    let of = self.name_column(&c.of, &next, FunctionKind::Scalar, &mut 0);
                    let lineage = self.implicit_lineage(&c.of, FunctionKind::Scalar, &before);
                    next.set_with(&of, of_type, lineage);
                    let by = match c.by.names.first() {
                        Some(name) => {
                            self.define(name);
                            name.name.clone()
                        }
                        None => naming::top_nested_aggregate_name(&of),
                    };
                    next.set(&by, self.aggregate_type(&c.by.expr));
                }
                set.replace(next, keyword);
            }
            StageKind::TopHitters { count, of, by } => {
                self.expr(count, &ColumnSet::default(), None, false);
                let before = set.clone();
                let mut next = ColumnSet::default();
                self.expr(of, &before, table.clone(), true);
                let of_name = implicit_name(of, FunctionKind::Scalar).unwrap_or_default();
                let lineage = self.derived_lineage(of, FunctionKind::Scalar, &before);
                next.set_with(&of_name, self.model.type_of(of), lineage);
                let weight_name = by.as_ref().map(|w| {
                    self.expr(w, &before, table.clone(), true);
                    implicit_name(w, FunctionKind::Scalar).unwrap_or_default()
                });
                let weight_type = by
                    .as_ref()
                    .map_or(ColumnType::Long, |w| self.model.type_of(w));
                next.set(
                    &naming::top_hitters_weight_name(&of_name, weight_name.as_deref()),
                    weight_type,
                );
                set.replace(next, keyword);
            }
            StageKind::SampleDistinct { count, of } => {
                self.expr(count, &ColumnSet::default(), None, false);
                let before = set.clone();
                self.expr(of, &before, table.clone(), true);
                let mut next = ColumnSet::default();
                match implicit_name(of, FunctionKind::Scalar) {
                    Some(name) => {
                        let lineage = self.derived_lineage(of, FunctionKind::Scalar, &before);
                        next.set_with(&name, self.model.type_of(of), lineage);
                    }
                    None => next.set_open(),
                }
                set.replace(next, keyword);
            }
            StageKind::Reduce(by) => {
                self.expr(by, set, table.clone(), true);
                set.replace(
                    ColumnSet::new(vec![
                        Column::new("Pattern", ColumnType::String),
                        Column::new("Count", ColumnType::Long),
                        Column::new("Representative", ColumnType::String),
                    ]),
                    keyword,
                );
            }
            StageKind::Count => set.replace(
                ColumnSet::new(vec![Column::new("Count", ColumnType::Long)]),
                keyword,
            ),
            StageKind::Extend(assignments) | StageKind::Serialize(assignments) => {
                let mut unnamed = 0;
                for a in assignments {
                    self.expr(&a.expr, set, table.clone(), true);
                    let ty = self.model.type_of(&a.expr);
                    // `extend` replaces a column of the same name, implicit names included.
                    let lineage = self.implicit_lineage(a, FunctionKind::Scalar, set);
                    self.assign(a, ty, lineage, set, &mut unnamed, Naming::Replace);
                }
            }
            StageKind::Project(assignments) => {
                let before = set.clone();
                let mut next = ColumnSet::default();
                let mut unnamed = 0;
                for a in assignments {
                    self.expr(&a.expr, &before, table.clone(), true);
                    let ty = self.model.type_of(&a.expr);
                    let lineage = self.implicit_lineage(a, FunctionKind::Scalar, &before);
                    self.assign(a, ty, lineage, &mut next, &mut unnamed, Naming::Fresh);
                }
                set.replace(next, keyword);
            }
            StageKind::ProjectAway(patterns) => {
                self.check_patterns(patterns, set, table);
                set.remove_where(keyword, |name| patterns.iter().any(|p| p.matches(name)));
            }
            StageKind::ProjectKeep(patterns) => {
                self.check_patterns(patterns, set, table);
                if !set.is_open() {
                    set.remove_where(keyword, |name| !patterns.iter().any(|p| p.matches(name)));
                }
            }
            StageKind::ProjectReorder(patterns) => self.check_patterns(patterns, set, table),
            StageKind::ProjectRename(pairs) => {
                for (new, old) in pairs {
                    self.name_use(old, set, table.clone(), true);
                    self.define(new);
                    let ty = set.get(&old.name).map_or(ColumnType::Unknown, |c| c.ty);
                    let (old_name, new_name) = (old.name.clone(), new.name.clone());
                    if set.contains(&old_name) {
                        let mut next = ColumnSet::default();
                        for (c, lineage) in set.with_lineage() {
                            if *c.name == *old_name {
                                next.set(&new_name, ty);
                            } else {
                                next.set_with(&c.name, c.ty, lineage.clone());
                            }
                        }
                        set.replace(next, keyword);
                    } else {
                        set.set(&new_name, ty);
                    }
                }
            }
            StageKind::Summarize { aggregates, by } => {
                let before = set.clone();
                let mut next = ColumnSet::default();
                let mut unnamed = 0;
                for a in by {
                    self.expr(&a.expr, &before, table.clone(), true);
                    let ty = self.model.type_of(&a.expr);
                    let lineage = self.implicit_lineage(a, FunctionKind::Scalar, &before);
                    self.assign(a, ty, lineage, &mut next, &mut unnamed, Naming::Fresh);
                }
                let keys = next.clone();
                for a in aggregates {
                    self.expr(&a.expr, &before, table.clone(), true);
                    self.aggregate(a, &before, &keys, &mut next, &mut unnamed);
                }
                set.replace(next, keyword);
            }
            StageKind::Distinct(None) => {}
            StageKind::Distinct(Some(assignments)) => {
                let before = set.clone();
                let mut next = ColumnSet::default();
                let mut unnamed = 0;
                for a in assignments {
                    self.expr(&a.expr, &before, table.clone(), true);
                    let ty = self.model.type_of(&a.expr);
                    let lineage = self.implicit_lineage(a, FunctionKind::Scalar, &before);
                    self.assign(a, ty, lineage, &mut next, &mut unnamed, Naming::Fresh);
                }
                set.replace(next, keyword);
            }
            StageKind::Join(join) => self.join(join, set, table, keyword, false),
            StageKind::Lookup(join) => self.join(join, set, table, keyword, true),
            StageKind::Union(u) => {
                let other = self.union(u, Some(set.clone()));
                *set = other;
            }
            StageKind::MvExpand(expand) => {
                self.mv_expand(expand, set, table.clone());
            }
            StageKind::MvApply { expand, body } => {
                let expanded = self.mv_expand(expand, set, table.clone());
                let mut rows = set.clone();
                for stage in body {
                    self.stage(stage, &mut rows, table.clone());
                }
                // The body's result, beside the input's columns that were not expanded.
                set.remove_where(keyword, |name| expanded.iter().any(|e| e == name));
                for (c, lineage) in rows.with_lineage() {
                    set.set_with(&c.name, c.ty, lineage.clone());
                }
                set.open_like(&rows);
            }
            StageKind::Parse { source, columns } => {
                self.expr(source, set, table, true);
                for (name, ty) in columns {
                    self.define(name);
                    set.set(&name.name, ty.unwrap_or(ColumnType::String));
                }
            }
            StageKind::MakeSeries {
                aggregates,
                on,
                by,
                other,
            } => {
                let before = set.clone();
                let mut next = ColumnSet::default();
                let mut unnamed = 0;
                self.expr(on, &before, table.clone(), true);
                for e in other {
                    self.expr(e, &before, table.clone(), true);
                }
                for a in by {
                    self.expr(&a.expr, &before, table.clone(), true);
                    let ty = self.model.type_of(&a.expr);
                    let lineage = self.implicit_lineage(a, FunctionKind::Scalar, &before);
                    self.assign(a, ty, lineage, &mut next, &mut unnamed, Naming::Fresh);
                }
                // The by columns, the series, then the axis.
                for a in aggregates {
                    self.expr(&a.expr, &before, table.clone(), true);
                    let lineage = self.implicit_lineage(a, FunctionKind::Aggregate, &before);
                    self.assign(
                        a,
                        ColumnType::Dynamic,
                        lineage,
                        &mut next,
                        &mut unnamed,
                        Naming::FreshAggregate,
                    );
                }
                if let Some(axis) = implicit_name(on, FunctionKind::Scalar) {
                    let lineage = self.derived_lineage(on, FunctionKind::Scalar, &before);
                    next.set_with(&axis, ColumnType::Dynamic, lineage);
                }
                set.replace(next, keyword);
            }
            StageKind::Passthrough(
                Passthrough::Render
                | Passthrough::Consume
                | Passthrough::Search
                | Passthrough::ProjectSmart,
            ) => {}
            StageKind::As(name) => {
                // `| as T` names the rows so far: later in the query, `T` reads them.
                let index = self.model.lets.len();
                self.model.lets.push(LetInfo {
                    name: name.clone(),
                    span: stage.span.clone(),
                    uses: 0,
                    use_spans: Vec::new(),
                    kind: LetKind::Other,
                    nested: true,
                    within: None,
                });
                self.let_columns.insert(index, set.clone());
                self.scope.push((name.name.clone(), index));
            }
            StageKind::Evaluate(call) => self.evaluate(call, set, table),
            StageKind::Invoke(call) => {
                for arg in &call.args {
                    self.expr(arg, set, table.clone(), true);
                }
                let name = call.name.name.as_str();
                let callee = if let Some(index) = self.lookup_let(name) {
                    self.use_let(index, &call.name.span);
                    set.set_open();
                    Callee::Unchecked
                } else if let Some(f) = self.platform.function(name) {
                    match &f.adds_columns {
                        Some(columns) => {
                            for c in columns {
                                set.set(&c.name, c.ty);
                            }
                        }
                        None => set.set_open(),
                    }
                    Callee::Platform {
                        min_args: f.min_args,
                        max_args: f.max_args,
                    }
                } else {
                    set.set_open();
                    Callee::Unknown {
                        suggestion: self.function_suggestion(name),
                    }
                };
                self.model.calls.push(CallUse {
                    name: call.name.clone(),
                    arg_count: call.args.len(),
                    callee,
                    span: call.span.clone(),
                });
            }
            StageKind::Getschema => set.replace(
                ColumnSet::new(vec![
                    Column::new("ColumnName", ColumnType::String),
                    Column::new("ColumnOrdinal", ColumnType::Long),
                    Column::new("DataType", ColumnType::String),
                    Column::new("ColumnType", ColumnType::String),
                ]),
                keyword,
            ),
            StageKind::Fork(branches) => {
                for branch in branches {
                    self.subquery(branch, set, table.clone());
                }
                // Several results: what follows reads one of them, or all.
                set.set_open();
            }
            StageKind::Facet { columns, with } => {
                for column in columns {
                    self.name_use(column, set, table.clone(), true);
                }
                self.subquery(with, set, table);
                set.set_open();
            }
            StageKind::Partition { by, body } => {
                self.expr(by, set, table.clone(), true);
                match body {
                    PartitionBody::Stages(stages) => *set = self.subquery(stages, set, table),
                    PartitionBody::Query(query) => {
                        let key = match &by.kind {
                            ExprKind::Name(key) => Some((key.name.clone(), self.model.type_of(by))),
                            _ => None,
                        };
                        let keys = self.partition_keys.len();
                        self.partition_keys.extend(key);
                        *set = self.pipeline(query);
                        self.partition_keys.truncate(keys);
                    }
                }
            }
            StageKind::Scan(scan) => self.scan(scan, set, table),
            StageKind::Unfollowed(
                Unfollowed::Find | Unfollowed::NotACall | Unfollowed::SourceOnly,
            ) => set.set_open(),
        }
    }

    /// The stages of a subquery over `input`'s rows: returns its result's columns.
    fn subquery(
        &mut self,
        stages: &[Stage],
        input: &ColumnSet,
        table: Option<Arc<str>>,
    ) -> ColumnSet {
        if self.depth > MAX_DEPTH {
            return ColumnSet::open();
        }
        self.depth += 1;
        let mut rows = input.clone();
        let mut table = table;
        for stage in stages {
            table = self.follow_stage(stage, &mut rows, table);
        }
        self.depth -= 1;
        rows
    }

    /// Binds one stage of a pipeline or subquery over `set` (its input, then its result),
    /// keeping the input when asked; returns the table its rows still come from.
    fn follow_stage(
        &mut self,
        stage: &Stage,
        set: &mut ColumnSet,
        table: Option<Arc<str>>,
    ) -> Option<Arc<str>> {
        if self.keep_stage_inputs {
            self.model
                .stage_inputs
                .push((stage.span.clone(), set.clone()));
        }
        self.stage(stage, set, table.clone());
        rows_table_after(stage, table)
    }

    /// `scan`: its keys and steps read the input's columns and the declared ones (and a step,
    /// `Step.Column` of itself and the steps before it); the result is the input's columns,
    /// the declared ones and the match id.
    fn scan(&mut self, scan: &Scan, set: &mut ColumnSet, table: Option<Arc<str>>) {
        for key in &scan.order_by {
            self.expr(&key.expr, set, table.clone(), true);
        }
        for key in &scan.partition_by {
            self.expr(key, set, table.clone(), true);
        }
        let mut state = set.clone();
        for column in &scan.declare {
            if let Some(default) = &column.default {
                self.expr(default, &ColumnSet::default(), None, false);
            }
            self.define(&column.name);
            state.set(&column.name.name, column.ty.unwrap_or(ColumnType::Unknown));
        }
        let enclosing = self.scan_steps.take();
        let mut names = Vec::new();
        for step in &scan.steps {
            names.push(step.name.name.clone());
            self.scan_steps = Some(ScanSteps {
                names,
                state: state.clone(),
            });
            self.expr(&step.condition, &state, table.clone(), true);
            for (column, value) in &step.assignments {
                self.expr(value, &state, table.clone(), true);
                self.name_use(column, &state, table.clone(), true);
            }
            names = self.scan_steps.take().map_or_else(Vec::new, |s| s.names);
        }
        self.scan_steps = enclosing;
        for column in &scan.declare {
            set.set(&column.name.name, column.ty.unwrap_or(ColumnType::Unknown));
        }
        if let Some(id) = &scan.match_id {
            self.define(id);
            set.set(&id.name, ColumnType::Long);
        }
    }

    /// `evaluate plugin(...)`: the arguments are checked against the input; the plugin
    /// decides the columns, which the binder does not know.
    fn evaluate(&mut self, call: &Call, set: &mut ColumnSet, table: Option<Arc<str>>) {
        for arg in &call.args {
            self.expr(arg, set, table.clone(), true);
        }
        let known = functions::lookup(FunctionKind::Plugin, &call.name.name);
        self.model.calls.push(CallUse {
            name: call.name.clone(),
            arg_count: call.args.len(),
            callee: known.map_or(
                Callee::Unknown {
                    suggestion: closest(&call.name.name, functions::names(FunctionKind::Plugin)),
                },
                Callee::Builtin,
            ),
            span: call.span.clone(),
        });
        set.set_open();
    }

    /// `mv-expand` items: each becomes a column of its item type (`dynamic` unless `to
    /// typeof(...)` says), named as written or as Kusto names it. Returns the names.
    fn mv_expand(
        &mut self,
        expand: &MvExpand,
        set: &mut ColumnSet,
        table: Option<Arc<str>>,
    ) -> Vec<String> {
        let mut unnamed = 0;
        let mut names = Vec::new();
        for item in &expand.items {
            let a = &item.column;
            self.expr(&a.expr, set, table.clone(), true);
            let ty = item.to_type.unwrap_or(ColumnType::Dynamic);
            if a.names.len() > 1 {
                set.set_open();
                continue;
            }
            let name = self.name_column(a, set, FunctionKind::Scalar, &mut unnamed);
            let lineage = self.implicit_lineage(a, FunctionKind::Scalar, set);
            set.set_with(&name, ty, lineage);
            names.push(name);
        }
        if let Some(index) = &expand.item_index {
            self.define(index);
            set.set(&index.name, ColumnType::Long);
        }
        names
    }

    /// The name of the column an assignment makes: the one written, else Kusto's implicit
    /// name, else the next free `ColumnN`.
    fn name_column(
        &mut self,
        a: &Assignment,
        set: &ColumnSet,
        kind: FunctionKind,
        unnamed: &mut usize,
    ) -> String {
        if let Some(name) = a.names.first() {
            self.define(name);
            return name.name.clone();
        }
        implicit_name(&a.expr, kind)
            .unwrap_or_else(|| naming::next_column_name(unnamed, |n| set.contains(n)))
    }

    /// The type of an aggregate's column.
    fn aggregate_type(&self, expr: &Expr) -> ColumnType {
        let ExprKind::Call(call) = &expr.kind else {
            return self.model.type_of(expr);
        };
        match call.name.name.as_str() {
            "count" | "countif" | "dcount" | "dcountif" | "count_distinct" | "count_distinctif" => {
                ColumnType::Long
            }
            "make_set" | "make_list" | "make_bag" | "make_set_if" | "make_list_if"
            | "make_bag_if" | "makeset" | "makelist" | "percentiles_array" | "hll" | "tdigest" => {
                ColumnType::Dynamic
            }
            "min" | "max" | "sum" | "minif" | "maxif" | "sumif" | "take_any" | "take_anyif" => call
                .args
                .first()
                .map_or(ColumnType::Unknown, |e| self.model.type_of(e)),
            "avg" | "avgif" | "stdev" | "stdevif" | "stdevp" | "variance" | "varianceif"
            | "variancep" | "percentile" => ColumnType::Real,
            _ => self.model.type_of(expr),
        }
    }

    /// The lineage of the column an unnamed assignment makes ([`Analyzer::derived_lineage`]);
    /// a named one is the query's own.
    fn implicit_lineage(&self, a: &Assignment, kind: FunctionKind, from: &ColumnSet) -> Lineage {
        if a.names.is_empty() {
            self.derived_lineage(&a.expr, kind, from)
        } else {
            Lineage::Own
        }
    }

    /// Where the values of the column Kusto names after `expr` come from: `Timestamp` keeps
    /// its lineage, `bin(Timestamp, 1h)` is `Timestamp`'s, `max(Timestamp)` is `Timestamp`'s
    /// under the derived name `max_Timestamp`; anything else is the query's own. The naming
    /// rules decide: the source column is the one whose name the implicit name holds.
    fn derived_lineage(&self, expr: &Expr, kind: FunctionKind, from: &ColumnSet) -> Lineage {
        if !self.lineage {
            return Lineage::Own;
        }
        let Some(source) = naming_source(expr) else {
            return Lineage::Own;
        };
        let lineage = match (from.lineage(&source.name), from.unseen_source()) {
            (Some(lineage @ Lineage::Platform { .. }), _) => lineage.clone(),
            // A column of rows kqlsmith cannot see into: its lineage names them.
            (None, Some(unseen)) if from.is_open() => {
                Lineage::platform(unseen, &Arc::from(source.name.as_str()))
            }
            _ => return Lineage::Own,
        };
        let template = implicit_name_with(expr, kind, &|ident| {
            if ident.span == source.span {
                lineage.template().unwrap_or_default()
            } else {
                ident.name.clone()
            }
        });
        template.map_or(Lineage::Own, |t| lineage.derived(&t))
    }

    /// Adds the column an assignment makes to `set`; `lineage` is that of an unnamed one.
    fn assign(
        &mut self,
        a: &Assignment,
        ty: ColumnType,
        lineage: Lineage,
        set: &mut ColumnSet,
        unnamed: &mut usize,
        naming: Naming,
    ) {
        if a.names.len() > 1 {
            for name in &a.names {
                self.define(name);
                set.set(&name.name, ColumnType::Unknown);
            }
            return;
        }
        if let Some(name) = a.names.first() {
            self.define(name);
            set.set(&name.name, ty);
            return;
        }
        let kind = match naming {
            Naming::FreshAggregate => FunctionKind::Aggregate,
            Naming::Replace | Naming::Fresh => FunctionKind::Scalar,
        };
        let (name, lineage) = match (implicit_name(&a.expr, kind), naming) {
            (Some(name), Naming::Replace) => (name, lineage),
            // `extend` numbers its unnamed columns past the input's `ColumnN`s.
            (None, Naming::Replace) => (
                naming::next_column_name(unnamed, |n| set.contains(n)),
                Lineage::Own,
            ),
            (Some(name), Naming::Fresh | Naming::FreshAggregate) => {
                let fresh = fresh_name(&name, |n| set.contains(n));
                let lineage = lineage.suffixed(&fresh[name.len()..]);
                (fresh, lineage)
            }
            // `project` and `summarize` number them in order, then make the name unique
            // (`Column1` taken: `Column11`).
            (None, Naming::Fresh | Naming::FreshAggregate) => {
                *unnamed += 1;
                let name = fresh_name(&format!("Column{unnamed}"), |n| set.contains(n));
                (name, Lineage::Own)
            }
        };
        set.set_with(&name, ty, lineage);
    }

    /// Adds the columns a `summarize` aggregate makes to `next`: one a call, or one an
    /// argument for `arg_max`, `take_any` and the like (`*`: every input column but the
    /// `by` keys and the maximised column), each under a name not yet taken.
    fn aggregate(
        &mut self,
        a: &Assignment,
        before: &ColumnSet,
        keys: &ColumnSet,
        next: &mut ColumnSet,
        unnamed: &mut usize,
    ) {
        let multi = match &a.expr.kind {
            ExprKind::Call(call) if a.names.len() <= 1 => {
                MultiColumnAggregate::of(&call.name.name).map(|m| (m, call))
            }
            _ => None,
        };
        let Some((multi, call)) = multi else {
            let ty = self.aggregate_type(&a.expr);
            let lineage = self.implicit_lineage(a, FunctionKind::Aggregate, before);
            self.assign(a, ty, lineage, next, unnamed, Naming::FreshAggregate);
            return;
        };
        let assigned = a.names.first();
        if let Some(name) = assigned {
            self.define(name);
        }
        let mut add =
            |name: Option<String>, ty: ColumnType, lineage: Lineage, next: &mut ColumnSet| {
                let (name, lineage) = match name {
                    Some(name) => {
                        let fresh = fresh_name(&name, |n| next.contains(n));
                        let lineage = lineage.suffixed(&fresh[name.len()..]);
                        (fresh, lineage)
                    }
                    None => {
                        *unnamed += 1;
                        let name = format!("Column{unnamed}");
                        (fresh_name(&name, |n| next.contains(n)), Lineage::Own)
                    }
                };
                next.set_with(&name, ty, lineage);
            };
        match multi {
            MultiColumnAggregate::ArgExtreme | MultiColumnAggregate::TakeAny => {
                let extreme = multi == MultiColumnAggregate::ArgExtreme;
                let maximised = call
                    .args
                    .first()
                    .filter(|_| extreme)
                    .and_then(|e| implicit_name(e, FunctionKind::Scalar));
                for (i, arg) in call.args.iter().enumerate() {
                    if let ExprKind::Star = arg.kind {
                        for (c, lineage) in before.with_lineage() {
                            if !keys.contains(&c.name) && maximised.as_deref() != Some(&*c.name) {
                                add(Some(c.name.to_string()), c.ty, lineage.clone(), next);
                            }
                        }
                        if before.is_open() {
                            next.set_open();
                        }
                        continue;
                    }
                    let (name, lineage) = match (i, assigned) {
                        (0, Some(n)) => (Some(n.name.clone()), Lineage::Own),
                        _ => (
                            implicit_name(arg, FunctionKind::Scalar),
                            self.derived_lineage(arg, FunctionKind::Scalar, before),
                        ),
                    };
                    add(name, self.model.type_of(arg), lineage, next);
                }
            }
            MultiColumnAggregate::Any => {
                for arg in &call.args {
                    let name = implicit_name(arg, FunctionKind::Scalar).map(|n| format!("any_{n}"));
                    let lineage = self.derived_lineage(arg, FunctionKind::Scalar, before);
                    let lineage = match lineage.template() {
                        Some(template) => lineage.derived(&format!("any_{template}")),
                        None => Lineage::Own,
                    };
                    add(name, self.model.type_of(arg), lineage, next);
                }
            }
            MultiColumnAggregate::Percentiles => {
                let column = call
                    .args
                    .first()
                    .and_then(|e| implicit_name(e, FunctionKind::Scalar))
                    .unwrap_or_default();
                let ty = self.aggregate_type(&a.expr);
                let source = call.args.first().map_or(Lineage::Own, |e| {
                    self.derived_lineage(e, FunctionKind::Scalar, before)
                });
                // A name given names the first value's column.
                for (i, value) in call.args.iter().skip(1).enumerate() {
                    let (name, lineage) = match (i, assigned) {
                        (0, Some(n)) => (Some(n.name.clone()), Lineage::Own),
                        _ => (
                            naming::percentile_column_name(&column, value),
                            source
                                .template()
                                .and_then(|t| naming::percentile_column_name(&t, value))
                                .map_or(Lineage::Own, |t| source.derived(&t)),
                        ),
                    };
                    add(name, ty, lineage, next);
                }
            }
        }
    }

    fn check_patterns(
        &mut self,
        patterns: &[ColumnPattern],
        set: &ColumnSet,
        table: Option<Arc<str>>,
    ) {
        for p in patterns.iter().filter(|p| !p.is_wildcard()) {
            let ident = Ident {
                name: p.text.clone(),
                span: p.span.clone(),
            };
            self.name_use(&ident, set, table.clone(), true);
        }
    }

    fn join(
        &mut self,
        join: &Join,
        set: &mut ColumnSet,
        table: Option<Arc<str>>,
        keyword: &Range<usize>,
        lookup: bool,
    ) {
        let right = self.pipeline(&join.right);
        let mut keys: Vec<String> = Vec::new();
        for condition in &join.on {
            self.join_condition(condition, set, &right, table.clone(), &mut keys);
        }
        // No `kind=` (or one KQL does not have) is the default, `innerunique`.
        let kind = join
            .kind
            .as_ref()
            .and_then(|k| JoinKind::parse(&k.name))
            .unwrap_or(JoinKind::InnerUnique);
        match kind.columns() {
            JoinColumns::Left => {}
            JoinColumns::Right => set.replace(right, keyword),
            JoinColumns::Both => {
                for (c, lineage) in right.with_lineage() {
                    // A `lookup` keeps one copy of its keys.
                    if lookup && keys.iter().any(|k| **k == *c.name) {
                        continue;
                    }
                    let name = fresh_name(&c.name, |n| set.contains(n));
                    let lineage = lineage.suffixed(&name[c.name.len()..]);
                    set.set_with(&name, c.ty, lineage);
                }
                set.open_like(&right);
            }
        }
    }

    /// Checks one `on` condition: `Key`, `$left.A == $right.B`, or `A == B`, or a chain of
    /// them joined by `and`, walked with a loop down its left spine, left to right.
    fn join_condition(
        &mut self,
        condition: &Expr,
        left: &ColumnSet,
        right: &ColumnSet,
        table: Option<Arc<str>>,
        keys: &mut Vec<String>,
    ) {
        let mut rights = Vec::new();
        let mut node = condition;
        while let ExprKind::Binary {
            op: BinaryOp::Scalar(BinaryOpKind::Eq | BinaryOpKind::And),
            lhs,
            rhs,
            ..
        } = &node.kind
        {
            rights.push(rhs);
            node = lhs;
        }
        self.join_operand(node, left, right, table.clone(), keys);
        for rhs in rights.into_iter().rev() {
            self.join_condition(rhs, left, right, table.clone(), keys);
        }
    }

    /// Checks a key of an `on` condition, or an expression that is not one.
    fn join_operand(
        &mut self,
        condition: &Expr,
        left: &ColumnSet,
        right: &ColumnSet,
        table: Option<Arc<str>>,
        keys: &mut Vec<String>,
    ) {
        match &condition.kind {
            ExprKind::Name(ident) => {
                keys.push(ident.name.clone());
                self.name_use(ident, left, table, true);
                if !right.is_open() && !right.contains(&ident.name) {
                    self.name_use(ident, right, None, true);
                } else if self.lineage {
                    self.right_key(ident, right);
                }
            }
            ExprKind::Member { target, name } => match &target.kind {
                ExprKind::Name(side) if side.name == "$left" => {
                    self.name_use(name, left, table, true);
                }
                ExprKind::Name(side) if side.name == "$right" => {
                    keys.push(name.name.clone());
                    self.name_use(name, right, None, true);
                }
                _ => self.expr(condition, left, table, true),
            },
            _ => self.expr(condition, &ColumnSet::open(), table, true),
        }
    }

    /// The columns of a `union`: the `withsource=` column, then every member's columns (those
    /// of `input` first, for a `union` stage). A column the members give different types
    /// becomes one column a type (`A_long`, `A_string`).
    fn union(&mut self, u: &Union, input: Option<ColumnSet>) -> ColumnSet {
        let mut sets: Vec<ColumnSet> = input.into_iter().collect();
        for member in &u.tables {
            sets.push(self.pipeline(member));
        }
        // The tables a pattern matches lend their columns' lineage (the set stays open: a
        // workspace may have more tables).
        if self.lineage
            && let Some(pattern) = &u.wildcard
        {
            let mut tables: Vec<_> = self
                .platform
                .schema()
                .tables()
                .filter(|t| pattern.matches(&t.name))
                .collect();
            tables.sort_by(|a, b| a.name.cmp(&b.name));
            // `union *` matches hundreds of tables: the names seen are hashed.
            let mut matched = ColumnSet::default();
            let mut seen = std::collections::HashSet::new();
            for table in tables {
                for c in &table.columns {
                    if seen.insert(&c.name) {
                        matched.push_new(c.clone(), Lineage::platform(&table.name, &c.name));
                    }
                }
            }
            sets.push(matched);
        }
        let mut result = ColumnSet::default();
        if let Some(source) = &u.with_source {
            self.define(source);
            result.set(&source.name, ColumnType::String);
        }
        // Each name, in the order the members have it, with its types and the lineage of
        // the first member's column.
        let mut names: Vec<(Arc<str>, Vec<ColumnType>, Lineage)> = Vec::new();
        let mut index: HashMap<Arc<str>, usize> = HashMap::new();
        for s in &sets {
            for (c, lineage) in s.with_lineage() {
                match index.get(&c.name) {
                    Some(&i) if names[i].1.contains(&c.ty) => {}
                    Some(&i) => names[i].1.push(c.ty),
                    None => {
                        index.insert(c.name.clone(), names.len());
                        names.push((c.name.clone(), vec![c.ty], lineage.clone()));
                    }
                }
            }
        }
        // The names `result` has, hashed: a `union *` has thousands.
        let mut taken: std::collections::HashSet<Arc<str>> =
            result.columns().iter().map(|c| c.name.clone()).collect();
        let mut add = |name: Arc<str>, ty: ColumnType, lineage: Lineage| {
            if taken.insert(name.clone()) {
                result.push_new(Column::new(name, ty), lineage);
            } else {
                result.set_with(&name, ty, lineage);
            }
        };
        for (name, types, lineage) in names {
            if u.inner && !sets.iter().all(|s| s.is_open() || s.contains(&name)) {
                continue;
            }
            // A type kqlsmith does not know may be any of the others: keep the plain name.
            match types.as_slice() {
                [ty] => add(name, *ty, lineage),
                several if several.contains(&ColumnType::Unknown) => {
                    add(name, ColumnType::Unknown, lineage)
                }
                several => {
                    for ty in several {
                        let typed = naming::union_column_name(&name, *ty);
                        let lineage = lineage.suffixed(&typed[name.len()..]);
                        add(typed.into(), *ty, lineage);
                    }
                }
            }
        }
        for s in &sets {
            result.open_like(s);
        }
        if u.wildcard.is_some() {
            result.set_open();
        }
        result
    }

    /// Records the right side's reading of a `join ... on Key` key, beside the left's, for
    /// the lineage of both; `resolution_at` keeps answering with the left's.
    fn right_key(&mut self, ident: &Ident, right: &ColumnSet) {
        let Some((column, lineage)) = right.get_with_lineage(&ident.name) else {
            return;
        };
        let origin = Origin {
            lineage: lineage.clone(),
            own_columns: own_columns(right),
            right_key: true,
            unseen: None,
        };
        let name = NameUse::new(ident, Resolution::Column(column.ty), None, origin);
        self.model.names.push(name);
    }

    /// Resolves a name used in an expression.
    fn name_use(&mut self, ident: &Ident, set: &ColumnSet, table: Option<Arc<str>>, rows: bool) {
        let name = ident.name.as_str();
        let mut lineage = Lineage::Own;
        let resolution = if let Some((column, of)) = set.get_with_lineage(name).filter(|_| rows) {
            if self.lineage {
                lineage = of.clone();
            }
            Resolution::Column(column.ty)
        } else if let Some(index) = self.lookup_let(name) {
            self.use_let(index, &ident.span);
            Resolution::Let(index)
        } else if self.use_param(name, &ident.span) {
            Resolution::Parameter
        } else if let Some((_, ty)) = self.partition_keys.iter().rev().find(|(k, _)| k == name) {
            Resolution::Column(*ty)
        } else if rows && set.is_open() {
            Resolution::Open
        } else if let Some(stage) = set.removed_by(name).filter(|_| rows) {
            Resolution::Removed(stage.clone())
        } else {
            let columns = set.columns().iter().map(|c| &*c.name).filter(|_| rows);
            let lets = self.scope.iter().map(|(n, _)| n.as_str());
            Resolution::Unknown {
                suggestion: closest(name, columns.chain(lets)),
                row_scope: rows,
            }
        };
        self.model
            .by_start
            .insert(ident.span.start, self.model.names.len());
        let own_columns = match lineage {
            Lineage::Platform { .. } => own_columns(set),
            Lineage::Own => Vec::new(),
        };
        let unseen = match resolution {
            Resolution::Open => set.unseen_source().cloned(),
            _ => None,
        };
        let origin = Origin {
            lineage,
            own_columns,
            right_key: false,
            unseen,
        };
        self.model
            .names
            .push(NameUse::new(ident, resolution, table, origin));
    }

    /// Resolves every name in an expression. `rows`: whether columns are in scope.
    ///
    /// A chain (`a or b or c`) nests along `lhs` as deep as it is long, and counts as one
    /// level of `MAX_DEPTH`, so every term of it is resolved: the loop goes down its left
    /// spine, then resolves the right operands innermost first, in the order of a walk that
    /// recursed into each operand.
    fn expr(&mut self, expr: &Expr, set: &ColumnSet, table: Option<Arc<str>>, rows: bool) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let mut rights = Vec::new();
        let mut node = expr;
        loop {
            let ExprKind::Binary { lhs, rhs, .. } = &node.kind else {
                self.operands(node, set, table.clone(), rows);
                break;
            };
            rights.push(rhs);
            node = lhs;
        }
        for rhs in rights.into_iter().rev() {
            self.expr(rhs, set, table.clone(), rows);
        }
        self.depth -= 1;
    }

    /// Resolves the names inside `expr`, one that is not a binary operator.
    fn operands(&mut self, expr: &Expr, set: &ColumnSet, table: Option<Arc<str>>, rows: bool) {
        match &expr.kind {
            ExprKind::Name(ident) => self.name_use(ident, set, table, rows),
            // Walked by `expr`'s loop.
            ExprKind::Binary { .. } => {}
            ExprKind::Unary { operand, .. } => self.expr(operand, set, table, rows),
            ExprKind::Call(call) => self.call(call, set, table, rows),
            ExprKind::Member { target, name } => match &target.kind {
                // `Step.Column` in a `scan` step: a column of that step's state.
                ExprKind::Name(step)
                    if self
                        .scan_steps
                        .as_ref()
                        .is_some_and(|s| s.names.contains(&step.name)) =>
                {
                    let steps = self.scan_steps.take();
                    if let Some(steps) = &steps {
                        self.name_use(name, &steps.state, table, true);
                    }
                    self.scan_steps = steps;
                }
                // `$left.X` / `$right.X` outside `on` are left alone; `a.b` checks `a` only.
                ExprKind::Name(n) if n.name.starts_with('$') => {}
                _ => self.expr(target, set, table, rows),
            },
            ExprKind::Index { target, index } => {
                self.expr(target, set, table.clone(), rows);
                self.expr(index, set, table, rows);
            }
            ExprKind::List(items) => {
                for item in items {
                    self.expr(item, set, table.clone(), rows);
                }
            }
            ExprKind::Tabular(p) => {
                self.pipeline(p);
            }
            ExprKind::NamedArg { value, .. } => self.expr(value, set, table, rows),
            ExprKind::Literal(_) | ExprKind::Star | ExprKind::Wildcard(_) => {}
        }
    }

    fn call(&mut self, call: &Call, set: &ColumnSet, table: Option<Arc<str>>, rows: bool) {
        let name = call.name.name.as_str();
        // Functions whose arguments are not ordinary expressions.
        let skip_args = matches!(
            name,
            "column_ifexists" | "typeof" | "pack_all" | "bag_pack_columns"
        );
        if !skip_args {
            for arg in &call.args {
                self.expr(arg, set, table.clone(), rows);
            }
        } else if name == "column_ifexists" {
            for arg in call.args.iter().skip(1) {
                self.expr(arg, set, table.clone(), rows);
            }
        }
        let callee = if let Some(index) = self.lookup_let(name) {
            self.use_let(index, &call.name.span);
            self.let_callee(index)
        } else if self.use_param(name, &call.name.span) {
            Callee::Unchecked
        } else if let Some(f) = functions::lookup(FunctionKind::Scalar, name)
            .or_else(|| functions::lookup(FunctionKind::Aggregate, name))
        {
            Callee::Builtin(f)
        } else if let Some(f) = self.platform.function(name) {
            Callee::Platform {
                min_args: f.min_args,
                max_args: f.max_args,
            }
        } else {
            Callee::Unknown {
                suggestion: self.function_suggestion(name),
            }
        };
        self.model.calls.push(CallUse {
            name: call.name.clone(),
            arg_count: call.args.len(),
            callee,
            span: call.span.clone(),
        });
    }
}

/// The table the rows came from after `stage`, given the one before it: a `partition` query
/// with a source of its own gives rows of another table.
/// The entries of `list` from `start` on, taken out of it.
fn take_tail<T>(list: &mut Vec<T>, start: usize) -> Vec<T> {
    let mut tail = std::mem::take(list);
    list.extend(tail.drain(..start));
    tail
}

fn rows_table_after(stage: &Stage, table: Option<Arc<str>>) -> Option<Arc<str>> {
    if let StageKind::Partition {
        body: PartitionBody::Query(_),
        ..
    } = &stage.kind
    {
        None
    } else {
        table
    }
}

/// The names of the columns of `set` the query made itself.
fn own_columns(set: &ColumnSet) -> Vec<Arc<str>> {
    set.with_lineage()
        .filter(|(_, lineage)| **lineage == Lineage::Own)
        .map(|(c, _)| c.name.clone())
        .collect()
}

/// The column reference whose name Kusto's implicit name for `expr` holds, if any: `X` in
/// `X`, `X.a`, `max(X)`, `tostring(bin(X, 1h))` (the first argument all the way down).
fn naming_source(expr: &Expr) -> Option<&Ident> {
    match &expr.kind {
        ExprKind::Name(ident) => Some(ident),
        ExprKind::Member { target, .. } | ExprKind::Index { target, .. } => naming_source(target),
        ExprKind::Call(call) => call.args.first().and_then(naming_source),
        _ => None,
    }
}

/// The first use of the name `name` in `expr`.
///
/// A chain (`a or b or c`) is searched with a loop down its left spine: the right operand
/// found last there comes first in the text, unless the spine's first operand has the name.
pub fn find_name<'e>(expr: &'e Expr, name: &str) -> Option<&'e Ident> {
    let mut earliest = None;
    let mut first = expr;
    while let ExprKind::Binary { lhs, rhs, .. } = &first.kind {
        earliest = find_name(rhs, name).or(earliest);
        first = lhs;
    }
    let found = match &first.kind {
        ExprKind::Name(ident) => (ident.name == name).then_some(ident),
        ExprKind::Unary { operand, .. } => find_name(operand, name),
        ExprKind::Call(call) => call.args.iter().find_map(|a| find_name(a, name)),
        ExprKind::List(items) => items.iter().find_map(|i| find_name(i, name)),
        _ => None,
    };
    found.or(earliest)
}

/// Whether `expr` mentions the column `name` anywhere.
///
/// A chain (`a or b or c`) is searched with a loop down its left spine.
pub fn mentions_name(expr: &Expr, name: &str) -> bool {
    let mut first = expr;
    while let ExprKind::Binary { lhs, rhs, .. } = &first.kind {
        if mentions_name(rhs, name) {
            return true;
        }
        first = lhs;
    }
    match &first.kind {
        ExprKind::Name(ident) => ident.name == name,
        ExprKind::Unary { operand, .. } => mentions_name(operand, name),
        ExprKind::Call(call) => call.args.iter().any(|a| mentions_name(a, name)),
        ExprKind::Member { target, .. } => mentions_name(target, name),
        ExprKind::Index { target, index } => {
            mentions_name(target, name) || mentions_name(index, name)
        }
        ExprKind::List(items) => items.iter().any(|i| mentions_name(i, name)),
        _ => false,
    }
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    // Names much longer or shorter cannot score high; skipping them keeps this cheap when the
    // candidates are all 925 Sentinel tables.
    // Typos rarely change the first letter either.
    let slack = 2 + name.len() / 4;
    let first = lower.bytes().next();
    candidates
        .filter(|c| {
            *c != name
                && c.len().abs_diff(name.len()) <= slack
                && c.bytes().next().map(|b| b.to_ascii_lowercase()) == first
        })
        .map(|c| {
            let score = if c.eq_ignore_ascii_case(name) {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
            };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.88)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big file has a name use for nearly every name in it: what only the converter
    /// reads, and only for some names, stays out of line.
    #[test]
    fn a_name_use_stays_small() {
        let size = std::mem::size_of::<NameUse>();
        assert!(size <= 96, "NameUse: {size}");
    }

    #[test]
    fn a_name_use_keeps_where_its_values_come_from() {
        let platform = Platform::builtin("defender").unwrap();
        let script = crate::lower::parse(
            "DeviceProcessEvents | extend Mine = 1 | where FileName == 'a' and Mine == 1",
        )
        .unwrap();
        let (extra, watchlists) = (Schema::default(), Default::default());
        let model = Analyzer::new(&platform, &extra, &watchlists)
            .track_lineage()
            .analyze(&script);
        let file_name = model
            .names
            .iter()
            .find(|n| n.ident.name == "FileName")
            .unwrap();
        assert!(matches!(file_name.lineage(), Lineage::Platform { .. }));
        assert!(file_name.own_columns().iter().any(|c| &**c == "Mine"));
        let mine = model.names.iter().find(|n| n.ident.name == "Mine").unwrap();
        assert_eq!(mine.lineage(), &Lineage::Own);
        assert!(
            mine.origin.is_none(),
            "nothing out of line for the query's own column"
        );
    }

    /// The result columns of `query` on `platform`, or `None` when the set is open.
    fn output(platform: &str, query: &str) -> Option<Vec<String>> {
        let platform = Platform::builtin(platform).unwrap();
        let script = crate::lower::parse(query).unwrap();
        let extra = Schema::default();
        let watchlists = Default::default();
        let model = Analyzer::new(&platform, &extra, &watchlists).analyze(&script);
        let set = model.outputs.last().unwrap();
        (!set.is_open()).then(|| set.columns().iter().map(|c| c.name.to_string()).collect())
    }

    #[test]
    fn summarize_names_aggregates_and_keeps_by_columns_first() {
        assert_eq!(
            output(
                "defender",
                "DeviceNetworkEvents | summarize count(), Ports = make_set(RemotePort), \
                 dcount(RemoteIP), countif(RemotePort == 3389) by DeviceId, bin(Timestamp, 1h)"
            )
            .unwrap(),
            [
                "DeviceId",
                "Timestamp",
                "count_",
                "Ports",
                "dcount_RemoteIP",
                "countif_"
            ]
        );
    }

    #[test]
    fn arg_max_star_keeps_every_column_and_a_named_one_renames_the_maximised_value() {
        let all = output(
            "defender",
            "DeviceInfo | summarize arg_max(Timestamp, *) by DeviceId",
        )
        .unwrap();
        let table = Platform::builtin("defender").unwrap();
        let table = table.schema().table("DeviceInfo").unwrap();
        assert_eq!(all.len(), table.columns.len());
        assert_eq!(all[0], "DeviceId");
        let named = output(
            "defender",
            "DeviceInfo | summarize Last = arg_max(Timestamp, *) by DeviceId",
        )
        .unwrap();
        assert_eq!(&named[..2], ["DeviceId", "Last"]);
        // `*` brings every other column: the maximised one is `Last` now.
        assert!(!named.contains(&"Timestamp".to_string()));
        assert_eq!(named.len(), all.len());
    }

    #[test]
    fn join_suffixes_clashing_right_columns_and_semi_joins_keep_one_side() {
        let inner = output(
            "defender",
            "DeviceProcessEvents | project DeviceId, FileName \
             | join kind=inner (DeviceNetworkEvents | project DeviceId, RemoteIP) on DeviceId",
        )
        .unwrap();
        assert_eq!(inner, ["DeviceId", "FileName", "DeviceId1", "RemoteIP"]);
        let semi = output(
            "defender",
            "DeviceProcessEvents | project DeviceId, FileName \
             | join kind=leftsemi (DeviceNetworkEvents | project DeviceId) on DeviceId",
        )
        .unwrap();
        assert_eq!(semi, ["DeviceId", "FileName"]);
        let lookup = output(
            "defender",
            "DeviceProcessEvents | project DeviceId, FileName \
             | lookup (DeviceInfo | project DeviceId, OSPlatform) on DeviceId",
        )
        .unwrap();
        assert_eq!(lookup, ["DeviceId", "FileName", "OSPlatform"]);
    }

    #[test]
    fn project_family_extend_parse_and_mv_expand_change_the_columns() {
        assert_eq!(
            output(
                "defender",
                "DeviceNetworkEvents | project DeviceName, RemoteIP, RemotePort, LocalIP \
                 | project-away LocalIP | project-rename Port = RemotePort \
                 | extend Private = ipv4_is_private(RemoteIP) \
                 | parse DeviceName with Host \".\" Domain \
                 | mv-expand Item = pack_array(Port)"
            )
            .unwrap(),
            [
                "DeviceName",
                "RemoteIP",
                "Port",
                "Private",
                "Host",
                "Domain",
                "Item"
            ]
        );
        assert_eq!(
            output(
                "defender",
                "DeviceInfo | project-keep Device* | distinct DeviceName, DeviceId"
            )
            .unwrap(),
            ["DeviceName", "DeviceId"]
        );
        assert_eq!(output("defender", "DeviceInfo | count").unwrap(), ["Count"]);
    }

    #[test]
    fn union_merges_columns_and_evaluate_opens_the_set() {
        let union = output(
            "sentinel",
            "union withsource=Source (SigninLogs | project UserPrincipalName), \
             (AuditLogs | project OperationName)",
        )
        .unwrap();
        assert_eq!(union, ["Source", "UserPrincipalName", "OperationName"]);
        assert!(output("sentinel", "SigninLogs | evaluate bag_unpack(DeviceDetail)").is_none());
        assert!(output("defender", "NoSuchTable | project A").is_none());
    }

    #[test]
    fn partition_and_scan_give_their_columns_and_fork_and_facet_open_the_set() {
        // Each list is the result Microsoft's analyzer computes for the same query.
        assert_eq!(
            output(
                "defender",
                "DeviceEvents | partition by DeviceId (summarize Events = count() by ActionType)"
            )
            .unwrap(),
            ["ActionType", "Events"]
        );
        assert_eq!(
            output(
                "defender",
                "DeviceEvents | partition hint.strategy=legacy by DeviceId \
                 { DeviceInfo | project DeviceName, OSPlatform }"
            )
            .unwrap(),
            ["DeviceName", "OSPlatform"]
        );
        assert_eq!(
            output(
                "defender",
                "DeviceEvents | project DeviceId, Timestamp | scan with_match_id=M \
                 declare (Start: datetime, N: long = 0) with (step s: true => Start = Timestamp;)"
            )
            .unwrap(),
            ["DeviceId", "Timestamp", "Start", "N", "M"]
        );
        assert!(output("defender", "DeviceEvents | fork (take 1) (take 2)").is_none());
        assert!(output("defender", "DeviceEvents | facet by ActionType").is_none());
    }

    #[test]
    fn make_series_keeps_the_axis_the_series_and_the_by_columns() {
        assert_eq!(
            output(
                "defender",
                "DeviceNetworkEvents | make-series Connections = count() default = 0 \
                 on Timestamp from ago(7d) to now() step 1h by DeviceId"
            )
            .unwrap(),
            ["DeviceId", "Connections", "Timestamp"]
        );
    }

    /// Each expectation is the result Microsoft's analyzer computes for the query (its
    /// result columns with the platform's schema).
    #[test]
    fn columns_are_named_as_kusto_names_them() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "defender",
                "DeviceNetworkEvents | summarize count(), count(), dcount(RemoteIP), \
                 dcount(RemoteIP, 2), sum(RemotePort + 1), tostring(make_set(RemoteIP)), \
                 strcat(make_list(DeviceName)), count() + 1 by RemotePort",
                &[
                    "RemotePort",
                    "count_",
                    "count_1",
                    "dcount_RemoteIP",
                    "dcount_RemoteIP1",
                    "sum_",
                    "set_RemoteIP",
                    "Column1",
                    "Column2",
                ],
            ),
            (
                "defender",
                "DeviceNetworkEvents | summarize ReportId = arg_max(Timestamp, ReportId) by DeviceId",
                &["DeviceId", "ReportId", "ReportId1"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | project Timestamp, DeviceId, ReportId \
                 | summarize arg_min(Timestamp, *), arg_max(Timestamp, *) by DeviceId",
                &[
                    "DeviceId",
                    "Timestamp",
                    "ReportId",
                    "Timestamp1",
                    "ReportId1",
                ],
            ),
            (
                "defender",
                "DeviceNetworkEvents | project Timestamp, DeviceId, ReportId \
                 | summarize Last = arg_max(Timestamp, *) by DeviceId",
                &["DeviceId", "Last", "ReportId"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | summarize by bin(FiveMinutes = Timestamp, 5m), \
                 bin(Timestamp, 1h), bin(Timestamp, 1d)",
                &["FiveMinutes", "Timestamp", "Timestamp1"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | summarize percentile(RemotePort, 50), \
                 percentiles(RemotePort, 50, 95.5), take_any(DeviceName), \
                 percentiles_array(RemotePort, 5, 50)",
                &[
                    "percentile_RemotePort_50",
                    "percentile_RemotePort_501",
                    "percentile_RemotePort_95_5",
                    "DeviceName",
                    "percentiles_RemotePort",
                ],
            ),
            (
                "defender",
                "DeviceNetworkEvents | summarize P = percentiles(RemotePort, 50, 95), \
                 T = take_any(DeviceName, DeviceId)",
                &["P", "percentile_RemotePort_95", "T", "DeviceId"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | extend Column1 = 1 | extend RemotePort + 1, RemotePort * 2 \
                 | project Column1, Column2, Column3, RemotePort + 1",
                &["Column1", "Column2", "Column3", "Column11"],
            ),
            (
                "sentinel",
                "SigninLogs | project DeviceDetail.a.b, DeviceDetail[\"x\"][\"y\"], \
                 DeviceDetail[0], tostring(DeviceDetail.a.b), strlen(UserPrincipalName)",
                &[
                    "DeviceDetail_a_b",
                    "DeviceDetail_x_y",
                    "DeviceDetail_0",
                    "DeviceDetail_a_b1",
                    "strlen_UserPrincipalName",
                ],
            ),
            (
                "sentinel",
                "union (print A = 1), (print A = \"x\"), (print A = 2, B = 1)",
                &["A_long", "A_string", "B"],
            ),
            (
                "sentinel",
                "union withsource=T (print A = 1), (print B = 1)",
                &["T", "A", "B"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | project DeviceId, A = 1 | lookup (DeviceNetworkEvents \
                 | project DeviceId2 = DeviceId, A = 2, B = 1) on $left.DeviceId == $right.DeviceId2",
                &["DeviceId", "A", "A1", "B"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | project DeviceId, A = 1 | join kind=fullouter \
                 (DeviceNetworkEvents | project DeviceId, A = 2) on DeviceId",
                &["DeviceId", "A", "DeviceId1", "A1"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | make-series count(), S = sum(RemotePort) default = 0 \
                 on Timestamp from ago(1d) to now() step 1h by DeviceId",
                &["DeviceId", "count_", "S", "Timestamp"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | top-nested 3 of DeviceName by count(), \
                 top-nested 2 of bin(Timestamp, 1h) by Total = count()",
                &["DeviceName", "aggregated_DeviceName", "Timestamp", "Total"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | top-hitters 3 of DeviceName by RemotePort",
                &["DeviceName", "approximate_sum_RemotePort"],
            ),
            (
                "defender",
                "DeviceNetworkEvents | reduce by DeviceName",
                &["Pattern", "Count", "Representative"],
            ),
            (
                "sentinel",
                "SigninLogs | project DeviceDetail, UserPrincipalName | mv-expand \
                 with_itemindex=I DeviceDetail.x to typeof(string), pack_array(1)",
                &[
                    "DeviceDetail",
                    "UserPrincipalName",
                    "DeviceDetail_x",
                    "Column1",
                    "I",
                ],
            ),
            (
                "sentinel",
                "SigninLogs | project D = DeviceDetail, U = UserPrincipalName \
                 | mv-apply D on (summarize make_set(D))",
                &["U", "set_D"],
            ),
            (
                "sentinel",
                "print 1, strlen(\"a\"), x = 2, 3",
                &["print_0", "print_1", "x", "print_3"],
            ),
        ];
        for (platform, query, expected) in cases {
            assert_eq!(
                output(platform, query).as_deref(),
                Some(&expected.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..]),
                "{query}"
            );
        }
    }

    #[test]
    fn a_mv_expand_type_and_a_union_of_two_types_are_kept() {
        let platform = Platform::builtin("sentinel").unwrap();
        let script = crate::lower::parse(
            "SigninLogs | project DeviceDetail | mv-expand DeviceDetail to typeof(string) \
             | union (print DeviceDetail = 1)",
        )
        .unwrap();
        let extra = Schema::default();
        let watchlists = Default::default();
        let model = Analyzer::new(&platform, &extra, &watchlists).analyze(&script);
        let set = &model.outputs[0];
        assert_eq!(
            set.get("DeviceDetail_string").unwrap().ty,
            ColumnType::String
        );
        assert_eq!(set.get("DeviceDetail_long").unwrap().ty, ColumnType::Long);
        assert!(set.get("DeviceDetail").is_none());
    }

    #[test]
    fn names_are_resolved_in_every_operator() {
        // `top`'s count and `mv-apply`'s body were not read: `N` and `P` looked unused.
        let platform = Platform::builtin("defender").unwrap();
        let script = crate::lower::parse(
            "let N = 5; let P = \"x\"; DeviceInfo | top N by Timestamp \
             | mv-apply D = pack_array(DeviceName) on (where D has P)",
        )
        .unwrap();
        let extra = Schema::default();
        let watchlists = Default::default();
        let model = Analyzer::new(&platform, &extra, &watchlists).analyze(&script);
        let uses: Vec<usize> = model.lets.iter().map(|l| l.uses).collect();
        assert_eq!(uses, [1, 1]);
    }

    #[test]
    fn types_follow_the_columns() {
        let platform = Platform::builtin("defender").unwrap();
        let script = crate::lower::parse(
            "DeviceNetworkEvents | extend P = ipv4_is_private(RemoteIP), T = Timestamp, N = strlen(DeviceName)",
        )
        .unwrap();
        let extra = Schema::default();
        let watchlists = Default::default();
        let model = Analyzer::new(&platform, &extra, &watchlists).analyze(&script);
        let set = &model.outputs[0];
        assert_eq!(set.get("P").unwrap().ty, ColumnType::Bool);
        assert_eq!(set.get("T").unwrap().ty, ColumnType::DateTime);
        assert_eq!(set.get("N").unwrap().ty, ColumnType::Long);
    }
}
