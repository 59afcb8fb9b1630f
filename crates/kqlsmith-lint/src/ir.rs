//! The linter's view of a query: the syntax tree as the binder and the rules read it, with
//! byte spans. `lower` builds it from `kqlsmith_syntax`'s AST, so the rules do not depend on
//! every detail of the grammar.
//!
//! The view is typed: operators are enums ([`BinaryOp`], [`StageKind`]), never strings, so a
//! rule cannot match an operator by its spelling and a typo does not compile. Every operator
//! of the syntax tree has its own [`StageKind`] (or [`Source`]) variant, and `lower` matches
//! the tree's operators without a catch-all arm: adding an operator to the grammar makes the
//! compiler point at `lower`, then at the binder, the visitor and the rules that must decide
//! what it means.

use std::ops::Range;

pub use kqlsmith_syntax::ast::{BinaryOpKind, InOp, SortDirection, UnaryOp};

// Byte ranges are `Range<usize>`, as in diagnostics and edits: the syntax tree's `Range<usize>`
// compares equal whatever its offsets (so trees that differ in layout are equal), while the
// binder and the rules compare and key by where names are.

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Range<usize>,
}

/// A whole query text: `let` statements and tabular expressions, separated by `;`.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
pub enum Statement {
    Let(Let),
    /// A tabular expression whose rows are the result (or one of the results).
    Query(Pipeline),
    /// Anything else (`set`, `declare`, `alias`, ...), not looked into.
    Other(Range<usize>),
}

/// `let Name = value;`
#[derive(Debug, Clone)]
pub struct Let {
    pub name: Ident,
    pub value: LetValue,
    /// The whole statement, including the `;` when there is one.
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum LetValue {
    /// A scalar: `let Window = 7d;`.
    Scalar(Expr),
    /// Rows: `let Logons = DeviceLogonEvents | where ...;`.
    Tabular(Pipeline),
    /// A function: `let f = (x: string) { ... };`.
    Function(Function),
    /// Something the linter does not look into (a `view`, `materialize` of an unknown, ...).
    Other(Range<usize>),
}

/// A user-defined function: parameters and a body of statements.
#[derive(Debug, Clone)]
pub struct Function {
    pub params: Vec<Param>,
    pub body: Vec<Statement>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: Ident,
    /// A tabular parameter (`T: (*)`, `T: (Col: string)`).
    pub tabular: bool,
    /// Has a default value, so it may be left out of a call.
    pub optional: bool,
}

/// A source of rows followed by `| stage` operators.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub source: Source,
    pub stages: Vec<Stage>,
    pub span: Range<usize>,
}

/// Where rows come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A bare name: a table, a tabular `let`, or a function called without parentheses.
    Name(Ident),
    /// `F(args)`: a function returning rows (`table("T")`, a `let` function, a platform
    /// function such as `AssignedIPAddresses(...)`).
    Call(Call),
    /// `( pipeline )`.
    Nested(Box<Pipeline>),
    /// `union T1, T2` as the first operator.
    Union(Union),
    /// `datatable(A: string, ...) [ ... ]`: the columns it declares.
    Datatable(Vec<(Ident, Option<crate::schema::ColumnType>)>),
    /// `print A = expr, ...`.
    Print(Vec<Assignment>),
    /// `search ...` (`tables`: `None` when no `in (...)` list is given).
    Search {
        tables: Option<Vec<Ident>>,
        predicate: Option<Expr>,
        span: Range<usize>,
    },
    /// `range X from a to b step s`.
    Range { column: Ident, exprs: Vec<Expr> },
    /// `externaldata (A: string, ...) [...]`: the columns it declares.
    Externaldata(Vec<(Ident, Option<crate::schema::ColumnType>)>),
    /// `find ...`: its columns depend on the tables it finds rows in.
    Find { predicate: Expr, span: Range<usize> },
    /// `evaluate plugin(...)` as the first operator: the plugin decides the columns.
    Evaluate(Call),
    /// A scalar expression where rows were expected (a literal, an arithmetic expression):
    /// the parser accepts it, the binder cannot follow it.
    Expr(Expr),
    /// An operator that cannot start a query (the parser never puts one here).
    Stage(Box<Stage>),
}

/// `union [kind=...] [withsource=Name] T1, T2, ...`.
#[derive(Debug, Clone)]
pub struct Union {
    pub tables: Vec<Pipeline>,
    /// `union *` or a wildcard such as `Device*`: the pattern the table names match.
    pub wildcard: Option<ColumnPattern>,
    /// The column `withsource=` adds.
    pub with_source: Option<Ident>,
    /// `kind=inner` keeps only the columns every table has.
    pub inner: bool,
    pub span: Range<usize>,
}

/// One `| operator ...` stage. The rare operators with many parts are boxed, so that a
/// pipeline of thousands of `where` stages costs little more than its expressions.
#[derive(Debug, Clone)]
pub struct Stage {
    pub kind: StageKind,
    /// The whole stage, without the `|`.
    pub span: Range<usize>,
    /// The operator's keyword(s), e.g. `where` or `project-away`.
    pub keyword: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum StageKind {
    /// `where` / `filter`.
    Where(Expr),
    Extend(Vec<Assignment>),
    Project(Vec<Assignment>),
    /// `project-away` with names or wildcards.
    ProjectAway(Vec<ColumnPattern>),
    ProjectKeep(Vec<ColumnPattern>),
    /// `project-rename New = Old, ...`.
    ProjectRename(Vec<(Ident, Ident)>),
    /// `project-reorder`: columns unchanged, names checked.
    ProjectReorder(Vec<ColumnPattern>),
    Summarize {
        aggregates: Vec<Assignment>,
        by: Vec<Assignment>,
    },
    /// `distinct A, B` or `distinct *` (`None`).
    Distinct(Option<Vec<Assignment>>),
    /// `sort by` / `order by`: the keys, with their order.
    Sort(Vec<SortKey>),
    /// `top N by expr [asc|desc]`.
    Top {
        count: Box<Expr>,
        by: Vec<SortKey>,
    },
    /// `top-nested [N] of Col [with others = x] by Agg, ...`.
    TopNested(Vec<TopNestedClause>),
    /// `top-hitters N of Col [by Weight]`.
    TopHitters {
        count: Box<Expr>,
        of: Box<Expr>,
        by: Option<Box<Expr>>,
    },
    /// `sample-distinct N of Col`.
    SampleDistinct {
        count: Box<Expr>,
        of: Box<Expr>,
    },
    /// `reduce by Col`: columns `Pattern`, `Count`, `Representative`.
    Reduce(Expr),
    /// `take` / `limit` / `sample`.
    Take(Expr),
    /// `count`: one column `Count`.
    Count,
    Join(Box<Join>),
    Lookup(Box<Join>),
    Union(Box<Union>),
    /// `mv-expand [with_itemindex=I] [Name =] expr [to typeof(t)], ...`.
    MvExpand(MvExpand),
    /// `mv-apply items on (stages)`: the stages run over each row's expanded items.
    MvApply {
        expand: MvExpand,
        body: Vec<Stage>,
    },
    /// `parse`, `parse-where` and `parse-kv`: the source and the columns it adds.
    Parse {
        source: Box<Expr>,
        columns: Vec<(Ident, Option<crate::schema::ColumnType>)>,
    },
    /// `make-series Name = agg default = x on Time from .. to .. step .. by Cols`.
    MakeSeries {
        aggregates: Vec<Assignment>,
        on: Box<Expr>,
        by: Vec<Assignment>,
        other: Vec<Expr>,
    },
    /// `serialize [Name = expr, ...]`.
    Serialize(Vec<Assignment>),
    /// Operators that keep the rows' columns as they are.
    Passthrough(Passthrough),
    /// `as Name`: names the rows so far; columns unchanged.
    As(Ident),
    /// `evaluate plugin(...)`: the plugin decides the columns.
    Evaluate(Call),
    /// `invoke f(...)`.
    Invoke(Call),
    /// `getschema`: columns `ColumnName`, `ColumnOrdinal`, `DataType`, `ColumnType`.
    Getschema,
    /// `fork (stages) [name =] (stages) ...`: each branch runs over the input; the result
    /// is several tables.
    Fork(Vec<Vec<Stage>>),
    /// `facet by A, B [with (stages)]`: a table for each column (and the subquery's), each
    /// over the input.
    Facet {
        columns: Vec<Ident>,
        with: Vec<Stage>,
    },
    /// `partition by Key (stages)` or `partition by Key { query }`.
    Partition {
        by: Expr,
        body: PartitionBody,
    },
    /// `scan [with_match_id = Id] [order by ...] [partition by ...] [declare (...)] with
    /// (step ...)`.
    Scan(Box<Scan>),
    /// An operator whose columns the binder does not follow: from there on, the column set
    /// is open.
    Unfollowed(Unfollowed),
}

/// The operators that keep their input's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    Render,
    Consume,
    /// `search` as a stage filters the rows.
    Search,
    /// `project-smart` (a user interface hint).
    ProjectSmart,
}

/// The operators whose columns the binder does not follow, each for its own reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfollowed {
    /// `find` inside a pipeline.
    Find,
    /// `evaluate` or `invoke` of something that is not a call.
    NotACall,
    /// An operator that only starts a query (`range`, `print`, `datatable`,
    /// `externaldata`, written after a pipe: the parser never does it).
    SourceOnly,
}

/// What `partition` runs over each partition.
#[derive(Debug, Clone)]
pub enum PartitionBody {
    /// `( stages )`: over the partition's rows; the result has the stages' columns.
    Stages(Vec<Stage>),
    /// `{ query }`: a query with a source of its own, in which the key column's name is the
    /// partition's value (`toscalar(Key)`).
    Query(Box<Pipeline>),
}

/// `scan`: the input's columns, plus the declared ones, plus the match id column.
#[derive(Debug, Clone)]
pub struct Scan {
    /// `with_match_id = Name`: a `long` column numbering the matches.
    pub match_id: Option<Ident>,
    pub order_by: Vec<SortKey>,
    pub partition_by: Vec<Expr>,
    /// `declare (Name: type [= default], ...)`.
    pub declare: Vec<ScanColumn>,
    pub steps: Vec<ScanStep>,
}

/// A column `scan` declares: `Name: type [= default]`.
#[derive(Debug, Clone)]
pub struct ScanColumn {
    pub name: Ident,
    pub ty: Option<crate::schema::ColumnType>,
    pub default: Option<Expr>,
}

/// `step Name [output = ...]: condition [=> Column = expr, ...];`: the condition and the
/// assignments read the row, the declared columns and `Step.Column` of this step and the
/// steps before it.
#[derive(Debug, Clone)]
pub struct ScanStep {
    pub name: Ident,
    pub condition: Expr,
    pub assignments: Vec<(Ident, Expr)>,
}

/// `mv-expand` / `mv-apply` items.
#[derive(Debug, Clone)]
pub struct MvExpand {
    pub items: Vec<MvItem>,
    /// `with_itemindex=Name`: a `long` column with each item's index.
    pub item_index: Option<Ident>,
}

/// `[Name =] expr [to typeof(type)]`.
#[derive(Debug, Clone)]
pub struct MvItem {
    pub column: Assignment,
    /// The item type (`to typeof(string)`), else `dynamic`.
    pub to_type: Option<crate::schema::ColumnType>,
}

/// A `sort`/`top` key: the expression and its order as written.
#[derive(Debug, Clone)]
pub struct SortKey {
    pub expr: Expr,
    pub direction: Option<SortDirection>,
}

/// `top-nested [N] of Col [with others = x] by Agg [asc|desc]`.
#[derive(Debug, Clone)]
pub struct TopNestedClause {
    pub count: Option<Expr>,
    pub of: Assignment,
    pub others: Option<Expr>,
    pub by: Assignment,
}

/// `join kind=... (right) on keys` (and `lookup`).
#[derive(Debug, Clone)]
pub struct Join {
    /// `kind=` as written, with its span.
    pub kind: Option<Ident>,
    /// Every other parameter (`hint.strategy=broadcast`...): name and value.
    pub hints: Vec<(Ident, Expr)>,
    pub right: Pipeline,
    /// `on` conditions: names (`on DeviceId`) or `$left.A == $right.B`.
    pub on: Vec<Expr>,
}

/// A column (or table) name or a wildcard pattern (`Initiating*`, `Device*`).
#[derive(Debug, Clone)]
pub struct ColumnPattern {
    pub text: String,
    pub span: Range<usize>,
}

impl ColumnPattern {
    pub fn is_wildcard(&self) -> bool {
        self.text.contains('*')
    }

    /// Whether `name` matches the pattern (`*` stands for any run of characters).
    pub fn matches(&self, name: &str) -> bool {
        wildcard_match(&self.text, name)
    }
}

fn wildcard_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else {
                return false;
            };
            if rest.is_empty() {
                return true;
            }
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| wildcard_match(rest, &tail[i..]))
        }
    }
}

/// `Name = expr`, `(A, B) = expr`, or a bare `expr`.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub names: Vec<Ident>,
    pub expr: Expr,
    pub span: Range<usize>,
}

/// A scalar expression.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Range<usize>,
}

impl Drop for Expr {
    /// Unlinks the left spine one operator at a time: a chain (`a or b or c`) nests along
    /// `lhs` as deep as it is long, and the default drop would recurse once a link.
    fn drop(&mut self) {
        let mut next = take_binary_lhs(&mut self.kind);
        while let Some(mut kind) = next {
            next = take_binary_lhs(&mut kind);
        }
    }
}

/// Takes the operator out of `kind`'s left operand, if both are binary operators, leaving
/// a leaf in its place.
fn take_binary_lhs(kind: &mut ExprKind) -> Option<ExprKind> {
    match kind {
        ExprKind::Binary { lhs, .. } if matches!(lhs.kind, ExprKind::Binary { .. }) => {
            Some(std::mem::replace(&mut lhs.kind, ExprKind::Star))
        }
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A column, a `let` name, or a parameter.
    Name(Ident),
    Literal(Literal),
    /// `lhs op rhs`; for `in (...)` and `between (a .. b)` the right side is a
    /// [`ExprKind::List`]. `op_span` covers the operator as written (`<>` or `!=`).
    Binary {
        op: BinaryOp,
        spelling: OpSpelling,
        op_span: Range<usize>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `-x`, `+x`.
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `name = value` as a call's argument (`bin(FiveMinutes = Timestamp, 5m)`).
    NamedArg {
        name: Box<Ident>,
        value: Box<Expr>,
    },
    Call(Box<Call>),
    /// `target.name`, `target["name"]`, `$left.Name`.
    Member {
        target: Box<Expr>,
        name: Box<Ident>,
    },
    /// `target[index]`.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `*` (as in `arg_max(T, *)` or `count(*)`).
    Star,
    /// `(a, b, c)`: the right side of `in`, or `between (a .. b)`.
    List(Vec<Expr>),
    /// A tabular expression inside a scalar one (`toscalar(T | ...)`, `in (T | ...)`).
    Tabular(Box<Pipeline>),
    /// A column wildcard (`Device*` in `project-away`).
    Wildcard(Ident),
}

/// How a binary operator was written, where KQL has two spellings of one operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpSpelling {
    /// The usual spelling (`==`, `!=`, `has`...).
    Canonical,
    /// `<>`, the legacy spelling of `!=`.
    AngleBrackets,
    /// A single `=` where a comparison was expected: an assignment, which Kusto rejects
    /// as a predicate.
    SingleEquals,
}

/// A binary operator: one of the syntax's operators, a list test (`in`, `has_any`, ...) or
/// `between`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Scalar(BinaryOpKind),
    In(InOp),
    Between { negated: bool },
}

impl BinaryOp {
    /// The operator that compares the same way ignoring case: `==` is `=~`, `!=` (or `<>`)
    /// is `!~`, `in` is `in~`, `!in` is `!in~`; `None` for any other (and for `=`).
    pub fn ignoring_case(self, spelling: OpSpelling) -> Option<&'static str> {
        match (self, spelling) {
            (BinaryOp::Scalar(BinaryOpKind::Eq), OpSpelling::Canonical) => Some("=~"),
            (BinaryOp::Scalar(BinaryOpKind::NotEq), _) => Some("!~"),
            (BinaryOp::In(InOp::In), _) => Some("in~"),
            (BinaryOp::In(InOp::NotIn), _) => Some("!in~"),
            _ => None,
        }
    }

    /// Whether the operator yields a `bool`.
    pub fn is_predicate(self) -> bool {
        use BinaryOpKind::*;
        match self {
            BinaryOp::In(_) | BinaryOp::Between { .. } => true,
            BinaryOp::Scalar(kind) => match kind {
                Add | Sub | Mul | Div | Mod => false,
                Or | And | Eq | NotEq | Lt | LtEq | Gt | GtEq | EqTilde | NotTilde | Has
                | NotHas | HasCs | NotHasCs | HasPrefix | NotHasPrefix | HasPrefixCs
                | NotHasPrefixCs | HasSuffix | NotHasSuffix | HasSuffixCs | NotHasSuffixCs
                | Contains | NotContains | ContainsCs | NotContainsCs | StartsWith
                | NotStartsWith | StartsWithCs | NotStartsWithCs | EndsWith | NotEndsWith
                | EndsWithCs | NotEndsWithCs | MatchesRegex | Like | NotLike | LikeCs
                | NotLikeCs | Colon => true,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string literal's value (after escapes); inline when short, as most are.
    String(smol_str::SmolStr),
    /// An integer, with its text.
    Long(i64),
    Real(f64),
    Bool(bool),
    /// `1d`, `timespan(...)`.
    Timespan,
    /// `datetime(...)`.
    DateTime,
    /// `dynamic(...)`: whether it is an array.
    Dynamic {
        array: bool,
    },
    /// `guid(...)`.
    Guid,
    Null,
    /// A constant of a named type: `int(null)`, `long(-1)`.
    Typed(crate::schema::ColumnType),
}

/// `name(args)`.
#[derive(Debug, Clone)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Expr>,
    /// Named arguments / options such as `kind=` in plugins, not checked.
    pub span: Range<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a big file the lowered tree is most of what the linter holds: a call, and the
    /// name of a member or a named argument, rare beside names and literals, are boxed so
    /// that every expression does not pay for them.
    #[test]
    fn common_nodes_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<Expr>() <= 64, "Expr: {}", size_of::<Expr>());
        assert!(size_of::<Stage>() <= 128, "Stage: {}", size_of::<Stage>());
    }

    #[test]
    fn wildcards_match_runs_of_characters() {
        let p = |text: &str| ColumnPattern {
            text: text.into(),
            span: 0..0,
        };
        assert!(p("Initiating*").matches("InitiatingProcessId"));
        assert!(p("*Id").matches("DeviceId") && !p("*Id").matches("DeviceName"));
        assert!(p("A*B*C").matches("AxxBxxC") && !p("A*B*C").matches("AxxC"));
        assert!(p("Exact").matches("Exact") && !p("Exact").matches("Exactly"));
        assert!(p("*").matches(""));
    }
}
