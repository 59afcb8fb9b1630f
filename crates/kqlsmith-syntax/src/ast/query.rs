//! Tabular expressions: a source followed by pipe stages, and the query operators.

use serde::Serialize;

use super::{BinaryExpr, Expr, FunctionParam, Ident, TypedColumn};
use crate::span::Span;

/// `source | stage | stage ...`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TabularExpr {
    pub source: Source,
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// Where rows come from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Source {
    /// A table or let-bound name, a function call (`materialize(...)`, a user function), a
    /// parenthesised query.
    Expr(Expr),
    /// An operator that starts a query: `union`, `range`, `print`, `datatable`,
    /// `externaldata`, `search`, `find`, `evaluate`.
    Operator(Box<Operator>),
}

/// One `| operator` of a pipeline; the span starts at the `|` (or at the operator, for the
/// first stage of a `fork`/`facet`/`mv-apply`/`partition` body, which may omit the pipe).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    pub operator: Operator,
    pub span: Span,
}

impl Stage {
    /// Links `right` to a `where` stage's predicate with `op`, as the parser links the
    /// operands of a chain (`a or b`, then `or c`), and widens the stage over it: where the
    /// [`crate::Streamed::Operand`]s handed after the stage go. `false` for another stage.
    pub fn link_operand(&mut self, op: super::BinaryOp, right: Expr) -> bool {
        let Operator::Where { predicate, .. } = &mut self.operator else {
            return false;
        };
        let left = std::mem::replace(predicate, Expr::Star(Span::default()));
        let span = left.span().cover(right.span());
        *predicate = Expr::Binary(Box::new(BinaryExpr {
            left,
            op,
            right,
            span,
        }));
        self.span = self.span.cover(span);
        true
    }

    /// The items of the `in (...)` list that ends at byte `end` among the operands of a
    /// `where` stage's operators: where the [`crate::Streamed::Item`]s handed after the
    /// stage go.
    pub fn in_list_ending_at(&mut self, end: usize) -> Option<&mut Vec<Expr>> {
        match &mut self.operator {
            Operator::Where { predicate, .. } => in_list_ending_at(predicate, end),
            _ => None,
        }
    }
}

fn in_list_ending_at(expr: &mut Expr, end: usize) -> Option<&mut Vec<Expr>> {
    match expr {
        Expr::In(test) if test.span.end == end => Some(&mut test.list),
        Expr::Binary(b) => {
            let BinaryExpr { left, right, .. } = b.as_mut();
            in_list_ending_at(left, end).or_else(|| in_list_ending_at(right, end))
        }
        Expr::Unary(u) => in_list_ending_at(&mut u.operand, end),
        _ => None,
    }
}

/// A table operand of `join`, `lookup`, `union`, `search in`, `find in`: a name, a call, or a
/// parenthesised query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableRef {
    pub query: TabularExpr,
    pub parenthesized: bool,
    pub span: Span,
}

/// `Name = expr`, `(A, B) = expr` or a bare `expr`, in `extend`, `project`, `summarize`...
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnExpr {
    pub target: Option<AssignTarget>,
    pub expr: Expr,
    pub span: Span,
}

impl ColumnExpr {
    /// The single name assigned, if any.
    pub fn name(&self) -> Option<&Ident> {
        match &self.target {
            Some(AssignTarget::Name(n)) => Some(n),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum AssignTarget {
    Name(Ident),
    Tuple(Vec<Ident>),
}

/// An operator parameter written before the arguments: `kind=inner`, `hint.strategy=shuffle`,
/// `withsource=Table`, `isfuzzy=true`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpParam {
    /// The parameter's name as written: `kind`, `hint.strategy`.
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `name = value, ...` in `render ... with (...)`, `parse-kv ... with (...)`, `externaldata`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Property {
    pub name: Ident,
    /// Usually one value; `ycolumns = a, b` has several.
    pub values: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SortDirection {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NullsPosition {
    First,
    Last,
}

/// `expr [asc|desc] [nulls first|last]`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SortKey {
    pub expr: Expr,
    pub direction: Option<SortDirection>,
    pub nulls: Option<NullsPosition>,
    pub span: Span,
}

/// The query operators. Those that start a query (`range`, `print`, `datatable`,
/// `externaldata`) appear only in [`Source::Operator`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Operator {
    /// `where predicate`, or `filter predicate`.
    Where {
        predicate: Expr,
        filter_keyword: bool,
    },
    Extend {
        columns: Vec<ColumnExpr>,
    },
    Project {
        columns: Vec<ColumnExpr>,
    },
    /// `project-away` names or wildcards ([`Expr::Name`], [`Expr::Wildcard`]).
    ProjectAway {
        columns: Vec<Expr>,
    },
    ProjectKeep {
        columns: Vec<Expr>,
    },
    ProjectRename {
        renames: Vec<Rename>,
    },
    ProjectReorder {
        columns: Vec<ReorderItem>,
    },
    ProjectSmart,
    Summarize {
        params: Vec<OpParam>,
        aggregates: Vec<ColumnExpr>,
        by: Vec<ColumnExpr>,
    },
    Join(Box<Join>),
    /// `lookup [kind=...] right on conditions`: same shape as a join.
    Lookup(Box<Join>),
    Union {
        params: Vec<OpParam>,
        tables: Vec<TableRef>,
    },
    Distinct {
        params: Vec<OpParam>,
        columns: Vec<ColumnExpr>,
    },
    /// `sort by ...`, or `order by ...`.
    Sort {
        params: Vec<OpParam>,
        keys: Vec<SortKey>,
        order_keyword: bool,
    },
    /// `take n`, or `limit n`.
    Take {
        params: Vec<OpParam>,
        count: Expr,
        limit_keyword: bool,
    },
    Top {
        params: Vec<OpParam>,
        count: Expr,
        by: SortKey,
    },
    TopNested {
        clauses: Vec<TopNestedClause>,
    },
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<Expr>,
    },
    Count,
    Sample {
        params: Vec<OpParam>,
        count: Expr,
    },
    SampleDistinct {
        params: Vec<OpParam>,
        count: Expr,
        of: Expr,
    },
    MvExpand {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
    },
    MvApply {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
        body: Vec<Stage>,
    },
    /// `parse`, or `parse-where` when `parse_where` is set.
    Parse {
        parse_where: bool,
        params: Vec<OpParam>,
        source: Expr,
        pattern: Vec<ParsePatternItem>,
    },
    ParseKv {
        source: Expr,
        columns: Vec<TypedColumn>,
        with: Option<Vec<Property>>,
    },
    MakeSeries(Box<MakeSeries>),
    Evaluate {
        params: Vec<OpParam>,
        plugin: Expr,
    },
    Render {
        chart: Ident,
        with: Option<Vec<Property>>,
    },
    As {
        params: Vec<OpParam>,
        name: Ident,
    },
    Serialize {
        columns: Vec<ColumnExpr>,
    },
    Getschema,
    Invoke {
        call: Expr,
    },
    Consume {
        params: Vec<OpParam>,
    },
    Reduce {
        params: Vec<OpParam>,
        by: Expr,
        with: Vec<Property>,
    },
    Fork {
        branches: Vec<ForkBranch>,
    },
    Facet {
        columns: Vec<Ident>,
        with: Option<Vec<Stage>>,
    },
    Partition {
        params: Vec<OpParam>,
        by: Expr,
        body: PartitionBody,
    },
    Scan(Box<Scan>),
    Search {
        params: Vec<OpParam>,
        tables: Option<Vec<TableRef>>,
        predicate: Expr,
    },
    Find {
        params: Vec<OpParam>,
        tables: Option<Vec<TableRef>>,
        predicate: Expr,
        project: Option<FindProject>,
    },
    Range {
        column: Ident,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    Print {
        columns: Vec<ColumnExpr>,
    },
    Datatable {
        params: Vec<OpParam>,
        columns: Vec<TypedColumn>,
        values: Vec<Expr>,
    },
    Externaldata {
        params: Vec<OpParam>,
        columns: Vec<TypedColumn>,
        urls: Vec<Expr>,
        with: Option<Vec<Property>>,
    },
}

impl Operator {
    /// The keyword that introduces the operator, as KQL spells it.
    pub fn keyword(&self) -> &'static str {
        match self {
            Operator::Where {
                filter_keyword: true,
                ..
            } => "filter",
            Operator::Where { .. } => "where",
            Operator::Extend { .. } => "extend",
            Operator::Project { .. } => "project",
            Operator::ProjectAway { .. } => "project-away",
            Operator::ProjectKeep { .. } => "project-keep",
            Operator::ProjectRename { .. } => "project-rename",
            Operator::ProjectReorder { .. } => "project-reorder",
            Operator::ProjectSmart => "project-smart",
            Operator::Summarize { .. } => "summarize",
            Operator::Join(_) => "join",
            Operator::Lookup(_) => "lookup",
            Operator::Union { .. } => "union",
            Operator::Distinct { .. } => "distinct",
            Operator::Sort {
                order_keyword: true,
                ..
            } => "order",
            Operator::Sort { .. } => "sort",
            Operator::Take {
                limit_keyword: true,
                ..
            } => "limit",
            Operator::Take { .. } => "take",
            Operator::Top { .. } => "top",
            Operator::TopNested { .. } => "top-nested",
            Operator::TopHitters { .. } => "top-hitters",
            Operator::Count => "count",
            Operator::Sample { .. } => "sample",
            Operator::SampleDistinct { .. } => "sample-distinct",
            Operator::MvExpand { .. } => "mv-expand",
            Operator::MvApply { .. } => "mv-apply",
            Operator::Parse {
                parse_where: true, ..
            } => "parse-where",
            Operator::Parse { .. } => "parse",
            Operator::ParseKv { .. } => "parse-kv",
            Operator::MakeSeries(_) => "make-series",
            Operator::Evaluate { .. } => "evaluate",
            Operator::Render { .. } => "render",
            Operator::As { .. } => "as",
            Operator::Serialize { .. } => "serialize",
            Operator::Getschema => "getschema",
            Operator::Invoke { .. } => "invoke",
            Operator::Consume { .. } => "consume",
            Operator::Reduce { .. } => "reduce",
            Operator::Fork { .. } => "fork",
            Operator::Facet { .. } => "facet",
            Operator::Partition { .. } => "partition",
            Operator::Scan(_) => "scan",
            Operator::Search { .. } => "search",
            Operator::Find { .. } => "find",
            Operator::Range { .. } => "range",
            Operator::Print { .. } => "print",
            Operator::Datatable { .. } => "datatable",
            Operator::Externaldata { .. } => "externaldata",
        }
    }
}

/// `join` and `lookup`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Join {
    /// `kind=inner` etc., where given.
    pub kind: Option<OpParam>,
    /// Every other parameter: `hint.strategy=broadcast`, `hint.remote=auto`...
    pub hints: Vec<OpParam>,
    pub right: TableRef,
    /// The `on` conditions: column names, or `$left.A == $right.B` comparisons.
    pub on: Vec<Expr>,
}

impl Join {
    /// The join kind as written (`inner`, `leftouter`...), if given.
    pub fn kind_name(&self) -> Option<&str> {
        match &self.kind.as_ref()?.value {
            Expr::Name(i) => Some(&i.name),
            _ => None,
        }
    }
}

/// `new = old` in `project-rename`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rename {
    pub new: Ident,
    pub old: Ident,
    pub span: Span,
}

/// A column (or wildcard) of `project-reorder`, with an optional order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReorderItem {
    pub column: Expr,
    /// `asc`, `desc`, `granny-asc`, `granny-desc`.
    pub order: Option<String>,
    pub span: Span,
}

/// `top-nested [n] of column [with others = expr] by aggregate [asc|desc]`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopNestedClause {
    pub count: Option<Expr>,
    pub of: ColumnExpr,
    pub others: Option<Expr>,
    pub by: ColumnExpr,
    pub direction: Option<SortDirection>,
    pub span: Span,
}

/// A column of `mv-expand`/`mv-apply`, with an optional `to typeof(type)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MvItem {
    pub column: ColumnExpr,
    /// `to typeof(T)`; an empty name for `to typeof()`, valid syntax too.
    pub to_type: Option<Ident>,
    pub span: Span,
}

/// One part of a `parse` pattern.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ParsePatternItem {
    Star(Span),
    Literal(super::Literal),
    Column {
        name: Ident,
        type_name: Option<Ident>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MakeSeries {
    pub params: Vec<OpParam>,
    pub aggregates: Vec<SeriesAggregate>,
    pub on: Expr,
    pub range: SeriesRange,
    pub by: Vec<ColumnExpr>,
}

/// An aggregate of `make-series`, with its `default = value`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesAggregate {
    pub column: ColumnExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum SeriesRange {
    /// `in range(start, stop, step)`
    InRange { start: Expr, stop: Expr, step: Expr },
    /// `[from start] [to end] step step`
    FromTo {
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
    },
}

/// `name = (stages)` or `(stages)` in `fork`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForkBranch {
    pub name: Option<Ident>,
    pub stages: Vec<Stage>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum PartitionBody {
    /// `( stages )`, applied to each partition.
    Stages(Vec<Stage>),
    /// `{ query }`, with `toscalar` of the partition key in scope.
    Query(Box<TabularExpr>),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scan {
    pub params: Vec<OpParam>,
    pub order_by: Vec<SortKey>,
    pub partition_by: Vec<Expr>,
    pub declare: Vec<FunctionParam>,
    pub steps: Vec<ScanStep>,
}

/// `step name [output = all|last|none]: condition [=> Col = expr, ...];`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanStep {
    pub name: Ident,
    pub output: Option<Ident>,
    pub condition: Expr,
    pub assignments: Vec<(Ident, Expr)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum FindProject {
    Smart,
    Columns(Vec<ColumnExpr>),
}
