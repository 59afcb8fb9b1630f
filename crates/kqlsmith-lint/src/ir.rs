//! The linter's view of a query: the parts of the syntax tree that the semantic model and
//! the rules look at, with byte spans. `lower` builds it from `kqlsmith_syntax`'s AST, so the
//! rules do not depend on every detail of the grammar.

use std::ops::Range;

/// A byte range in the source.
pub type Span = Range<usize>;

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
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
    Other(Span),
}

/// `let Name = value;`
#[derive(Debug, Clone)]
pub struct Let {
    pub name: Ident,
    pub value: LetValue,
    /// The whole statement, including the `;` when there is one.
    pub span: Span,
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
    Other(Span),
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
    pub span: Span,
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
        span: Span,
    },
    /// `range X from a to b step s`.
    Range { column: Ident, exprs: Vec<Expr> },
    /// Anything else (`externaldata`, `find`, `evaluate` as source, ...): unknown columns.
    Other(Span),
}

/// `union [kind=...] [withsource=Name] T1, T2, ...`.
#[derive(Debug, Clone)]
pub struct Union {
    pub tables: Vec<Pipeline>,
    /// `union *` or a wildcard such as `Device*`.
    pub wildcard: Option<Span>,
    /// The column `withsource=` adds.
    pub with_source: Option<Ident>,
    /// `kind=inner` keeps only the columns every table has.
    pub inner: bool,
    pub span: Span,
}

/// One `| operator ...` stage.
#[derive(Debug, Clone)]
pub struct Stage {
    pub kind: StageKind,
    /// The whole stage, without the `|`.
    pub span: Span,
    /// The operator's keyword(s), e.g. `where` or `project-away`.
    pub keyword: Span,
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
    /// `sort by` / `order by`: the expressions.
    Sort(Vec<Expr>),
    /// `top N by expr`.
    Top {
        count: Expr,
        by: Vec<Expr>,
    },
    /// `take` / `limit` / `sample`.
    Take(Expr),
    /// `count`: one column `Count`.
    Count,
    Join(Join),
    Lookup(Join),
    Union(Union),
    /// `mv-expand [Name =] expr [to typeof(t)], ...`.
    MvExpand(Vec<Assignment>),
    /// `parse [kind=...] expr with ... Name:type ...`: the source and the columns it adds.
    Parse {
        source: Expr,
        columns: Vec<(Ident, Option<crate::schema::ColumnType>)>,
    },
    /// `make-series Name = agg default = x on Time from .. to .. step .. by Cols`.
    MakeSeries {
        aggregates: Vec<Assignment>,
        on: Expr,
        by: Vec<Assignment>,
        other: Vec<Expr>,
    },
    /// `serialize [Name = expr, ...]`.
    Serialize(Vec<Assignment>),
    /// Operators that keep the rows' columns as they are (`render`, `consume`, ...).
    Passthrough,
    /// `as Name`: names the rows so far; columns unchanged.
    As(Ident),
    /// `evaluate plugin(...)`: the plugin decides the columns.
    Evaluate(Call),
    /// `invoke f(...)`.
    Invoke(Call),
    /// `getschema`: columns `ColumnName`, `ColumnOrdinal`, `DataType`, `ColumnType`.
    Getschema,
    /// Any other operator: the linter stops following columns after it.
    Other {
        name: String,
    },
}

/// `join kind=... (right) on keys` (and `lookup`).
#[derive(Debug, Clone)]
pub struct Join {
    /// `kind=` as written, with its span.
    pub kind: Option<Ident>,
    pub right: Pipeline,
    /// `on` conditions: names (`on DeviceId`) or `$left.A == $right.B`.
    pub on: Vec<Expr>,
}

/// A column name or a wildcard pattern (`Initiating*`).
#[derive(Debug, Clone)]
pub struct ColumnPattern {
    pub text: String,
    pub span: Span,
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
    pub span: Span,
}

/// A scalar expression.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A column, a `let` name, or a parameter.
    Name(Ident),
    Literal(Literal),
    /// `lhs op rhs`. `op` is the operator as written, lower-cased (`==`, `=~`, `<>`,
    /// `contains`, `!has_cs`, `in~`, `between`, `and`, ...).
    Binary {
        op: String,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `-x`, `+x`.
    Unary {
        op: String,
        operand: Box<Expr>,
    },
    Call(Call),
    /// `target.name`, `target["name"]`, `$left.Name`.
    Member {
        target: Box<Expr>,
        name: Ident,
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
    /// Anything else; its parts are not looked into.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string literal's value (after escapes).
    String(String),
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
}

/// `name(args)`.
#[derive(Debug, Clone)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Expr>,
    /// Named arguments / options such as `kind=` in plugins, not checked.
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

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
