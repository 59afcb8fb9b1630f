//! Kusto's naming rules: the names KQL gives the columns a query makes without naming them,
//! and the names it gives clashing columns. Written once, here; the binder and the converter
//! both read them. Each rule was settled with Microsoft's analyzer (the result columns it
//! computes for the query in each test below).
//!
//! - A column reference keeps its name; `a.b` and `a["b"]` are `a_b`; `a[0]` is `a_0`.
//! - A call is named by its function's entry in `data/functions.txt`: `count()` is `count_`,
//!   `dcount(X)` is `dcount_X`, `make_set(X)` is `set_X`, `bin(Timestamp, 1h)` and
//!   `tostring(X)` are `Timestamp` and `X`, `strlen(X)` is `strlen_X`; `bin(Name = X, 1h)`
//!   is `Name`. In `summarize`, a scalar function around an aggregate takes the aggregate's
//!   name (`tostring(make_set(X))` is `set_X`).
//! - Anything else is `Column1`, `Column2`, ... (the first numbers no column has); in `print`,
//!   `print_0`, `print_1`, ... by position.
//! - Where a name is taken (`summarize`, `project`, a `join`'s right side, `arg_max`'s
//!   columns), a number is added: `count_1`, `DeviceId1`, `ReportId1`.
//! - `union` of a column with different types makes one column a type: `A_long`, `A_string`.

use crate::functions::{self, FunctionKind};
use crate::ir::{Expr, ExprKind, Ident, Literal};
use crate::schema::ColumnType;

/// A name not taken yet: `base`, else `base1`, `base2`, ... (how KQL names clashing columns).
pub fn fresh_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (1..)
        .map(|n| format!("{base}{n}"))
        .find(|candidate| !taken(candidate))
        .expect("some suffix is free")
}

/// The name of the next unnamed column of a stage: `Column{n}` for the first `n` from
/// `*counter` whose name is free; the counter moves past it.
pub fn next_column_name(counter: &mut usize, taken: impl Fn(&str) -> bool) -> String {
    loop {
        *counter += 1;
        let name = format!("Column{counter}");
        if !taken(&name) {
            return name;
        }
    }
}

/// The column `print` makes of its unnamed expression at `index` (from 0).
pub fn print_column_name(index: usize) -> String {
    format!("print_{index}")
}

/// The column of one member of a `union` whose members give `name` different types.
pub fn union_column_name(name: &str, ty: ColumnType) -> String {
    format!("{name}_{}", ty.as_str())
}

/// The name KQL gives a column computed by `expr` when the query names none; `None` when it
/// is a `ColumnN`. `kind` says whether the expression is an aggregate (`summarize`,
/// `make-series`) or a scalar.
pub fn implicit_name(expr: &Expr, kind: FunctionKind) -> Option<String> {
    implicit_name_with(expr, kind, &|ident| ident.name.clone())
}

/// [`implicit_name`], with `column` giving the name a column reference stands for (a
/// template of a derived name, for the binder's lineage).
pub(crate) fn implicit_name_with(
    expr: &Expr,
    kind: FunctionKind,
    column: &impl Fn(&Ident) -> String,
) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(ident) => Some(column(ident)),
        ExprKind::Member { target, name } => {
            implicit_name_with(target, FunctionKind::Scalar, column)
                .map(|t| member_name(&t, &name.name))
        }
        ExprKind::Index { target, index } => {
            let target = implicit_name_with(target, FunctionKind::Scalar, column)?;
            match &index.kind {
                ExprKind::Literal(Literal::String(key)) => Some(member_name(&target, key)),
                ExprKind::Literal(Literal::Long(n)) => Some(member_name(&target, &n.to_string())),
                _ => None,
            }
        }
        ExprKind::Call(call) => {
            // `bin(FiveMinutes = Timestamp, 5m)`: the argument's name names the column.
            if let Some(ExprKind::NamedArg { name, .. }) = call.args.first().map(|a| &a.kind) {
                return Some(name.name.clone());
            }
            if kind == FunctionKind::Aggregate
                && matches!(
                    call.name.name.as_str(),
                    "percentiles_array" | "percentilesw_array"
                )
            {
                let first = call
                    .args
                    .first()
                    .and_then(|a| implicit_name_with(a, FunctionKind::Scalar, column));
                return Some(percentiles_array_name(first.as_deref()));
            }
            let (f, args_kind) = match functions::lookup(kind, &call.name.name) {
                // The arguments of an aggregate are scalars.
                Some(f) => (f, FunctionKind::Scalar),
                // A scalar around an aggregate (`tostring(make_set(X))`) takes its name.
                None => (
                    functions::lookup(FunctionKind::Scalar, &call.name.name)?,
                    kind,
                ),
            };
            let first = call
                .args
                .first()
                .and_then(|a| implicit_name_with(a, args_kind, column));
            f.result_name(first.as_deref(), call.args.len())
        }
        ExprKind::NamedArg { name, .. } => Some(name.name.clone()),
        ExprKind::Literal(_)
        | ExprKind::Binary { .. }
        | ExprKind::Unary { .. }
        | ExprKind::Star
        | ExprKind::List(_)
        | ExprKind::Tabular(_)
        | ExprKind::Wildcard(_) => None,
    }
}

/// `a.b` and `a["b"]` are named `a_b`.
pub fn member_name(target: &str, member: &str) -> String {
    format!("{target}_{member}")
}

/// The aggregates that make one column an argument (`arg_max(T, A, B)` makes `T`, `A`, `B`)
/// rather than one column a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiColumnAggregate {
    /// `arg_max`/`arg_min` (and the obsolete `argmax`/`argmin`): the first argument's column
    /// (or the assigned name), then each other argument's, `*` for every input column.
    ArgExtreme,
    /// `take_any(A, B)`: `A`, `B`.
    TakeAny,
    /// The obsolete `any(A, B)`: `any_A`, `any_B`.
    Any,
    /// `percentile(X, 50)`, `percentiles(X, 50, 95)`: `percentile_X_50`, `percentile_X_95`.
    Percentiles,
}

impl MultiColumnAggregate {
    pub fn of(function: &str) -> Option<MultiColumnAggregate> {
        Some(match function {
            "arg_max" | "arg_min" | "argmax" | "argmin" => MultiColumnAggregate::ArgExtreme,
            "take_any" => MultiColumnAggregate::TakeAny,
            "any" => MultiColumnAggregate::Any,
            "percentile" | "percentiles" => MultiColumnAggregate::Percentiles,
            _ => return None,
        })
    }
}

/// The column `percentile(s)(X, value)` makes for one value: `percentile_X_50`,
/// `percentile_X_95_5`; `None` when the value is not a number literal.
pub fn percentile_column_name(column: &str, value: &Expr) -> Option<String> {
    let value = match &value.kind {
        ExprKind::Literal(Literal::Long(n)) => n.to_string(),
        ExprKind::Literal(Literal::Real(r)) => r.to_string().replace('.', "_"),
        _ => return None,
    };
    Some(format!("percentile_{column}_{value}"))
}

/// `percentiles_array(X, ...)` makes one column, `percentiles_X`.
pub fn percentiles_array_name(column: Option<&str>) -> String {
    format!("percentiles_{}", column.unwrap_or(""))
}

/// The column of `top-nested ... of X by Agg` that holds the unnamed aggregate:
/// `aggregated_X`.
pub fn top_nested_aggregate_name(of: &str) -> String {
    format!("aggregated_{of}")
}

/// The weight column of `top-hitters N of X [by W]`: `approximate_count_X` or
/// `approximate_sum_W`.
pub fn top_hitters_weight_name(of: &str, by: Option<&str>) -> String {
    match by {
        Some(weight) => format!("approximate_sum_{weight}"),
        None => format!("approximate_count_{of}"),
    }
}

/// A `join`'s or `lookup`'s `kind=`, and which side's columns it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    RightSemi,
    RightAnti,
}

/// Which columns a join's result has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinColumns {
    /// The left side's, then the right side's (clashing names numbered).
    Both,
    Left,
    Right,
}

impl JoinKind {
    /// A kind as written (any case, with its aliases); `None` when KQL has no such kind.
    pub fn parse(text: &str) -> Option<JoinKind> {
        Some(match text.to_ascii_lowercase().as_str() {
            "innerunique" => JoinKind::InnerUnique,
            "inner" => JoinKind::Inner,
            "leftouter" => JoinKind::LeftOuter,
            "rightouter" => JoinKind::RightOuter,
            "fullouter" | "outer" => JoinKind::FullOuter,
            "leftsemi" | "semi" => JoinKind::LeftSemi,
            "leftanti" | "anti" | "leftantisemi" => JoinKind::LeftAnti,
            "rightsemi" => JoinKind::RightSemi,
            "rightanti" | "rightantisemi" => JoinKind::RightAnti,
            _ => return None,
        })
    }

    pub fn columns(self) -> JoinColumns {
        match self {
            JoinKind::InnerUnique
            | JoinKind::Inner
            | JoinKind::LeftOuter
            | JoinKind::RightOuter
            | JoinKind::FullOuter => JoinColumns::Both,
            JoinKind::LeftSemi | JoinKind::LeftAnti => JoinColumns::Left,
            JoinKind::RightSemi | JoinKind::RightAnti => JoinColumns::Right,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expr {
        let script = crate::lower::parse(&format!("print {text}")).unwrap();
        match &script.statements[0] {
            crate::ir::Statement::Query(p) => match &p.source {
                crate::ir::Source::Print(a) => a[0].expr.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn implicit_names_follow_kusto() {
        let agg = |t: &str| implicit_name(&expr(t), FunctionKind::Aggregate);
        let scalar = |t: &str| implicit_name(&expr(t), FunctionKind::Scalar);
        assert_eq!(agg("count()").as_deref(), Some("count_"));
        assert_eq!(agg("dcount(RemoteIP)").as_deref(), Some("dcount_RemoteIP"));
        assert_eq!(agg("make_set(RemoteIP)").as_deref(), Some("set_RemoteIP"));
        assert_eq!(agg("tostring(make_set(X))").as_deref(), Some("set_X"));
        assert_eq!(agg("tolong(max(P))").as_deref(), Some("max_P"));
        assert_eq!(agg("max(strlen(N))").as_deref(), Some("max_strlen_N"));
        assert_eq!(agg("max(tostring(L.city))").as_deref(), Some("max_L_city"));
        assert_eq!(agg("sum(P + 1)").as_deref(), Some("sum_"));
        assert_eq!(agg("strcat(make_list(N))"), None);
        assert_eq!(scalar("bin(Timestamp, 1h)").as_deref(), Some("Timestamp"));
        assert_eq!(scalar("bin(T5 = Timestamp, 5m)").as_deref(), Some("T5"));
        assert_eq!(scalar("D.a.b").as_deref(), Some("D_a_b"));
        assert_eq!(scalar("D['x'][0]").as_deref(), Some("D_x_0"));
        assert_eq!(scalar("todynamic(D).x").as_deref(), Some("D_x"));
        assert_eq!(scalar("strlen(N)").as_deref(), Some("strlen_N"));
        assert_eq!(scalar("tolower(N)"), None);
        assert_eq!(scalar("N + 1"), None);
    }

    #[test]
    fn clashing_and_unnamed_columns_take_the_first_free_number() {
        let taken = ["count_", "count_1", "Column1"];
        let is_taken = |n: &str| taken.contains(&n);
        assert_eq!(fresh_name("count_", is_taken), "count_2");
        assert_eq!(fresh_name("DeviceId", is_taken), "DeviceId");
        let mut counter = 0;
        assert_eq!(next_column_name(&mut counter, is_taken), "Column2");
        assert_eq!(next_column_name(&mut counter, is_taken), "Column3");
    }

    #[test]
    fn join_kinds_say_which_side_stays() {
        assert_eq!(
            JoinKind::parse("LeftAnti").unwrap().columns(),
            JoinColumns::Left
        );
        assert_eq!(
            JoinKind::parse("rightsemi").unwrap().columns(),
            JoinColumns::Right
        );
        assert_eq!(JoinKind::parse("outer"), Some(JoinKind::FullOuter));
        assert_eq!(JoinKind::parse("sideways"), None);
    }
}
