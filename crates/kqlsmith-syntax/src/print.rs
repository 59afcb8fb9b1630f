//! `Display` for the tree: prints valid KQL that parses back to an equal tree.
//!
//! The layout is plain (one pipe stage a line, single spaces); laying out text nicely, with
//! comments, is a formatter's job. Parentheses come from [`Expr::Paren`] nodes; for trees
//! built by hand, operands that would otherwise bind wrongly are parenthesised.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::ast::*;

type Out<'a, 'b> = &'a mut Formatter<'b>;

fn comma<T: Display>(f: Out, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

fn params(f: Out, params: &[OpParam]) -> fmt::Result {
    for p in params {
        write!(f, " {p}")?;
    }
    Ok(())
}

fn stages(f: Out, stages: &[Stage]) -> fmt::Result {
    for (i, stage) in stages.iter().enumerate() {
        if i > 0 {
            f.write_str("\n| ")?;
        }
        stage.operator.fmt(f)?;
    }
    Ok(())
}

fn with_props(f: Out, props: &Option<Vec<Property>>) -> fmt::Result {
    if let Some(props) = props {
        f.write_str(" with (")?;
        comma(f, props)?;
        f.write_str(")")?;
    }
    Ok(())
}

/// The parameters and the `in (tables)` of `search` and `find`.
fn params_and_tables(f: Out, ps: &[OpParam], ts: Option<&[TableRef]>) -> fmt::Result {
    params(f, ps)?;
    if let Some(ts) = ts {
        f.write_str(" in (")?;
        tables(f, ts)?;
        f.write_str(")")?;
    }
    Ok(())
}

fn tables(f: Out, tables: &[TableRef]) -> fmt::Result {
    comma(f, tables)
}

impl Display for Script {
    fn fmt(&self, f: Out) -> fmt::Result {
        for (i, statement) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str(";\n")?;
            }
            statement.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: Out) -> fmt::Result {
        match self {
            Statement::Let(s) => s.fmt(f),
            Statement::Set(s) => {
                write!(f, "set {}", s.name.name)?;
                if let Some(v) = &s.value {
                    write!(f, " = {v}")?;
                }
                Ok(())
            }
            Statement::Declare(d) => {
                f.write_str("declare query_parameters(")?;
                comma(f, &d.params)?;
                f.write_str(")")
            }
            Statement::Query(q) => q.fmt(f),
        }
    }
}

impl Display for LetStatement {
    fn fmt(&self, f: Out) -> fmt::Result {
        write!(f, "let {} = ", self.name)?;
        match &self.value {
            LetValue::Expr(e) => e.fmt(f),
            LetValue::Tabular(t) => t.fmt(f),
            LetValue::Function(def) => def.fmt(f),
        }
    }
}

impl Display for FunctionDef {
    fn fmt(&self, f: Out) -> fmt::Result {
        if self.view {
            f.write_str("view ")?;
        }
        f.write_str("(")?;
        comma(f, &self.params)?;
        f.write_str(") {\n")?;
        for (i, statement) in self.body.iter().enumerate() {
            if i > 0 {
                f.write_str(";\n")?;
            }
            statement.fmt(f)?;
        }
        f.write_str("\n}")
    }
}

impl Display for FunctionParam {
    fn fmt(&self, f: Out) -> fmt::Result {
        write!(f, "{}:", self.name)?;
        match &self.ty {
            ParamType::Scalar(t) => f.write_str(&t.name)?,
            ParamType::Tabular { columns, open } => {
                f.write_str("(")?;
                comma(f, columns)?;
                if *open {
                    f.write_str(if columns.is_empty() { "*" } else { ", *" })?;
                }
                f.write_str(")")?;
            }
        }
        if let Some(d) = &self.default {
            write!(f, " = {d}")?;
        }
        Ok(())
    }
}

impl Display for TypedColumn {
    fn fmt(&self, f: Out) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.type_name.name)
    }
}

/// Whether a name can be written bare; others are written `['...']`.
fn is_plain_name(name: &str) -> bool {
    // A digit-led name such as `2022Cves`, unless it would read as a number or timespan.
    let letters = name.trim_start_matches(|c: char| c.is_ascii_digit());
    if letters.len() < name.len() {
        let hex = (name.starts_with("0x") || name.starts_with("0X"))
            && name[2..].chars().all(|c| c.is_ascii_hexdigit());
        let exponent = letters.starts_with(['e', 'E'])
            && letters[1..].starts_with(|c: char| c.is_ascii_digit());
        return letters.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && letters
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !hex
            && !exponent
            && crate::literal::timespan_unit_ticks(letters).is_none();
    }
    let body = name.strip_prefix('$').unwrap_or(name);
    let mut chars = body.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            name,
            "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null"
        )
}

impl Display for Ident {
    fn fmt(&self, f: Out) -> fmt::Result {
        if let Some(quoted) = &self.quoted {
            return f.write_str(quoted);
        }
        if is_plain_name(&self.name) {
            return f.write_str(&self.name);
        }
        f.write_str("['")?;
        for c in self.name.chars() {
            match c {
                '\'' => f.write_str("\\'")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                c => f.write_char(c)?,
            }
        }
        f.write_str("']")
    }
}

impl Display for TabularExpr {
    fn fmt(&self, f: Out) -> fmt::Result {
        match &self.source {
            Source::Expr(e) => e.fmt(f)?,
            Source::Operator(op) => op.fmt(f)?,
        }
        for stage in &self.stages {
            write!(f, "\n| {}", stage.operator)?;
        }
        Ok(())
    }
}

impl Display for TableRef {
    fn fmt(&self, f: Out) -> fmt::Result {
        if self.parenthesized {
            write!(f, "({})", self.query)
        } else {
            self.query.fmt(f)
        }
    }
}

impl Display for ColumnExpr {
    fn fmt(&self, f: Out) -> fmt::Result {
        match &self.target {
            Some(AssignTarget::Name(n)) => write!(f, "{n} = ")?,
            Some(AssignTarget::Tuple(names)) => {
                f.write_str("(")?;
                comma(f, names)?;
                f.write_str(") = ")?;
            }
            None => {}
        }
        self.expr.fmt(f)
    }
}

impl Display for OpParam {
    fn fmt(&self, f: Out) -> fmt::Result {
        write!(f, "{}={}", self.name.name, self.value)
    }
}

impl Display for Property {
    fn fmt(&self, f: Out) -> fmt::Result {
        write!(f, "{}=", self.name)?;
        comma(f, &self.values)
    }
}

impl Display for SortKey {
    fn fmt(&self, f: Out) -> fmt::Result {
        self.expr.fmt(f)?;
        if let Some(d) = self.direction {
            write!(f, " {d}")?;
        }
        match self.nulls {
            Some(NullsPosition::First) => f.write_str(" nulls first"),
            Some(NullsPosition::Last) => f.write_str(" nulls last"),
            None => Ok(()),
        }
    }
}

impl Display for SortDirection {
    fn fmt(&self, f: Out) -> fmt::Result {
        f.write_str(match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        })
    }
}

impl Display for MvItem {
    fn fmt(&self, f: Out) -> fmt::Result {
        self.column.fmt(f)?;
        if let Some(t) = &self.to_type {
            write!(f, " to typeof({})", t.name)?;
        }
        Ok(())
    }
}

impl Display for Join {
    fn fmt(&self, f: Out) -> fmt::Result {
        if let Some(kind) = &self.kind {
            write!(f, " {kind}")?;
        }
        params(f, &self.hints)?;
        write!(f, " {}", self.right)?;
        if !self.on.is_empty() {
            f.write_str(" on ")?;
            comma(f, &self.on)?;
        }
        Ok(())
    }
}

impl Display for Operator {
    fn fmt(&self, f: Out) -> fmt::Result {
        f.write_str(self.keyword())?;
        match self {
            Operator::Where { predicate, .. } => write!(f, " {predicate}"),
            Operator::Extend { columns }
            | Operator::Project { columns }
            | Operator::Print { columns }
            | Operator::Serialize { columns } => {
                if !columns.is_empty() {
                    f.write_str(" ")?;
                    comma(f, columns)?;
                }
                Ok(())
            }
            Operator::ProjectAway { columns } | Operator::ProjectKeep { columns } => {
                f.write_str(" ")?;
                comma(f, columns)
            }
            Operator::ProjectRename { renames } => {
                for (i, r) in renames.iter().enumerate() {
                    write!(f, "{}{} = {}", if i > 0 { ", " } else { " " }, r.new, r.old)?;
                }
                Ok(())
            }
            Operator::ProjectReorder { columns } => {
                for (i, item) in columns.iter().enumerate() {
                    write!(f, "{}{}", if i > 0 { ", " } else { " " }, item.column)?;
                    if let Some(order) = &item.order {
                        write!(f, " {order}")?;
                    }
                }
                Ok(())
            }
            Operator::ProjectSmart | Operator::Count | Operator::Getschema => Ok(()),
            Operator::Summarize {
                params: ps,
                aggregates,
                by,
            } => {
                params(f, ps)?;
                if !aggregates.is_empty() {
                    f.write_str(" ")?;
                    comma(f, aggregates)?;
                }
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    comma(f, by)?;
                }
                Ok(())
            }
            Operator::Join(join) | Operator::Lookup(join) => join.fmt(f),
            Operator::Union {
                params: ps,
                tables: ts,
            } => {
                params(f, ps)?;
                f.write_str(" ")?;
                tables(f, ts)
            }
            Operator::Distinct {
                params: ps,
                columns,
            } => {
                params(f, ps)?;
                f.write_str(" ")?;
                comma(f, columns)
            }
            Operator::Sort {
                params: ps, keys, ..
            } => {
                params(f, ps)?;
                f.write_str(" by ")?;
                comma(f, keys)
            }
            Operator::Take {
                params: ps, count, ..
            }
            | Operator::Sample { params: ps, count } => {
                params(f, ps)?;
                write!(f, " {count}")
            }
            Operator::Top {
                params: ps,
                count,
                by,
            } => {
                params(f, ps)?;
                write!(f, " {count} by {by}")
            }
            Operator::TopNested { clauses } => {
                for (i, c) in clauses.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", top-nested")?;
                    }
                    if let Some(n) = &c.count {
                        write!(f, " {n}")?;
                    }
                    write!(f, " of {}", c.of)?;
                    if let Some(o) = &c.others {
                        write!(f, " with others = {o}")?;
                    }
                    write!(f, " by {}", c.by)?;
                    if let Some(d) = c.direction {
                        write!(f, " {d}")?;
                    }
                }
                Ok(())
            }
            Operator::TopHitters { count, of, by } => {
                write!(f, " {count} of {of}")?;
                if let Some(by) = by {
                    write!(f, " by {by}")?;
                }
                Ok(())
            }
            Operator::SampleDistinct {
                params: ps,
                count,
                of,
            } => {
                params(f, ps)?;
                write!(f, " {count} of {of}")
            }
            Operator::MvExpand {
                params: ps,
                items,
                limit,
            }
            | Operator::MvApply {
                params: ps,
                items,
                limit,
                ..
            } => {
                params(f, ps)?;
                f.write_str(" ")?;
                comma(f, items)?;
                if let Some(l) = limit {
                    write!(f, " limit {l}")?;
                }
                if let Operator::MvApply { body, .. } = self {
                    f.write_str(" on (")?;
                    stages(f, body)?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            Operator::Parse {
                params: ps,
                source,
                pattern,
                ..
            } => {
                params(f, ps)?;
                write!(f, " {source} with")?;
                for item in pattern {
                    match item {
                        ParsePatternItem::Star(_) => f.write_str(" *")?,
                        ParsePatternItem::Literal(l) => write!(f, " {}", l.raw)?,
                        ParsePatternItem::Column {
                            name, type_name, ..
                        } => {
                            write!(f, " {name}")?;
                            if let Some(t) = type_name {
                                write!(f, ":{}", t.name)?;
                            }
                        }
                    }
                }
                Ok(())
            }
            Operator::ParseKv {
                source,
                columns,
                with,
            } => {
                write!(f, " {source} as (")?;
                comma(f, columns)?;
                f.write_str(")")?;
                with_props(f, with)
            }
            Operator::MakeSeries(ms) => {
                params(f, &ms.params)?;
                for (i, agg) in ms.aggregates.iter().enumerate() {
                    write!(f, "{}{}", if i > 0 { ", " } else { " " }, agg.column)?;
                    if let Some(d) = &agg.default {
                        write!(f, " default = {d}")?;
                    }
                }
                write!(f, " on {}", ms.on)?;
                match &ms.range {
                    SeriesRange::InRange { start, stop, step } => {
                        write!(f, " in range({start}, {stop}, {step})")?
                    }
                    SeriesRange::FromTo { from, to, step } => {
                        if let Some(from) = from {
                            write!(f, " from {from}")?;
                        }
                        if let Some(to) = to {
                            write!(f, " to {to}")?;
                        }
                        write!(f, " step {step}")?;
                    }
                }
                if !ms.by.is_empty() {
                    f.write_str(" by ")?;
                    comma(f, &ms.by)?;
                }
                Ok(())
            }
            Operator::Evaluate { params: ps, plugin } => {
                params(f, ps)?;
                write!(f, " {plugin}")
            }
            Operator::Render { chart, with } => {
                write!(f, " {}", chart.name)?;
                with_props(f, with)
            }
            Operator::As { params: ps, name } => {
                params(f, ps)?;
                write!(f, " {name}")
            }
            Operator::Invoke { call } => write!(f, " {call}"),
            Operator::Consume { params: ps } => params(f, ps),
            Operator::Reduce {
                params: ps,
                by,
                with,
            } => {
                params(f, ps)?;
                write!(f, " by {by}")?;
                if !with.is_empty() {
                    f.write_str(" with ")?;
                    comma(f, with)?;
                }
                Ok(())
            }
            Operator::Fork { branches } => {
                for b in branches {
                    f.write_str(" ")?;
                    if let Some(name) = &b.name {
                        write!(f, "{name} = ")?;
                    }
                    f.write_str("(")?;
                    stages(f, &b.stages)?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            Operator::Facet { columns, with } => {
                f.write_str(" by ")?;
                comma(f, columns)?;
                if let Some(with) = with {
                    f.write_str(" with (")?;
                    stages(f, with)?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            Operator::Partition {
                params: ps,
                by,
                body,
            } => {
                params(f, ps)?;
                write!(f, " by {by} ")?;
                match body {
                    PartitionBody::Stages(s) => {
                        f.write_str("(")?;
                        stages(f, s)?;
                        f.write_str(")")
                    }
                    PartitionBody::Query(q) => write!(f, "{{ {q} }}"),
                }
            }
            Operator::Scan(scan) => {
                params(f, &scan.params)?;
                if !scan.order_by.is_empty() {
                    f.write_str(" order by ")?;
                    comma(f, &scan.order_by)?;
                }
                if !scan.partition_by.is_empty() {
                    f.write_str(" partition by ")?;
                    comma(f, &scan.partition_by)?;
                }
                if !scan.declare.is_empty() {
                    f.write_str(" declare (")?;
                    comma(f, &scan.declare)?;
                    f.write_str(")")?;
                }
                f.write_str(" with (")?;
                for step in &scan.steps {
                    write!(f, "\n    step {}", step.name)?;
                    if let Some(o) = &step.output {
                        write!(f, " output={}", o.name)?;
                    }
                    write!(f, ": {}", step.condition)?;
                    for (i, (name, value)) in step.assignments.iter().enumerate() {
                        write!(f, "{}{name} = {value}", if i > 0 { ", " } else { " => " })?;
                    }
                    f.write_str(";")?;
                }
                f.write_str("\n)")
            }
            Operator::Search {
                params: ps,
                tables: ts,
                predicate,
            } => {
                params_and_tables(f, ps, ts.as_deref())?;
                write!(f, " {predicate}")
            }
            Operator::Find {
                params: ps,
                tables: ts,
                predicate,
                project,
            } => {
                params_and_tables(f, ps, ts.as_deref())?;
                write!(f, " where {predicate}")?;
                match project {
                    Some(FindProject::Smart) => f.write_str(" project-smart"),
                    Some(FindProject::Columns(cols)) => {
                        f.write_str(" project ")?;
                        comma(f, cols)
                    }
                    None => Ok(()),
                }
            }
            Operator::Range {
                column,
                from,
                to,
                step,
            } => write!(f, " {column} from {from} to {to} step {step}"),
            Operator::Datatable {
                params: ps,
                columns,
                values,
            } => {
                params(f, ps)?;
                f.write_str(" (")?;
                comma(f, columns)?;
                f.write_str(") [")?;
                comma(f, values)?;
                f.write_str("]")
            }
            Operator::Externaldata {
                params: ps,
                columns,
                urls,
                with,
            } => {
                params(f, ps)?;
                f.write_str(" (")?;
                comma(f, columns)?;
                f.write_str(") [")?;
                comma(f, urls)?;
                f.write_str("]")?;
                with_props(f, with)
            }
        }
    }
}

/// Names that, followed by `(`, start a literal rather than a call.
const LITERAL_KEYWORDS: [&str; 14] = [
    "datetime", "date", "timespan", "time", "guid", "uniqueid", "int", "long", "real", "double",
    "bool", "boolean", "decimal", "dynamic",
];

/// What stands between an object and its member's name: `.`, or ` .` after a number, as in
/// `0 .x`: without the space, `0.x` would read as the number `0.` and a unit.
pub(crate) fn member_dot(object: &Expr) -> &'static str {
    match object {
        Expr::Literal(Literal {
            value: LiteralValue::Long(_) | LiteralValue::Real(_),
            ..
        }) => " .",
        _ => ".",
    }
}

/// The name of a called function as written before its `(`. `datetime(...)` and the like
/// would read back as a literal: a call of that name (`int (+ 3)`, which is not a literal) is
/// written bracketed, `['int'](+3)`.
pub(crate) fn call_name(name: &Ident) -> String {
    if name.quoted.is_none() && LITERAL_KEYWORDS.contains(&name.name.as_str()) {
        format!("['{}']", name.name)
    } else {
        name.to_string()
    }
}

/// The loosest left operand a binary operator of precedence `p` takes unbracketed: operators
/// associate to the left, except comparisons, which do not chain.
pub(crate) fn left_operand_min(p: u8) -> u8 {
    if p == precedence::COMPARISON {
        p + 1
    } else {
        p
    }
}

fn operand(f: Out, expr: &Expr, min: u8) -> fmt::Result {
    if expr.precedence() < min {
        write!(f, "({expr})")
    } else {
        expr.fmt(f)
    }
}

impl Display for Expr {
    fn fmt(&self, f: Out) -> fmt::Result {
        match self {
            Expr::Name(i) => i.fmt(f),
            Expr::Wildcard(i) => f.write_str(&i.name),
            Expr::Star(_) => f.write_str("*"),
            Expr::Literal(l) => f.write_str(&l.raw),
            Expr::Binary(b) => {
                // A chain is printed with a loop: it may be thousands of links long.
                let p = b.op.kind.precedence();
                let (first, links) = b.chain();
                operand(f, first, left_operand_min(p))?;
                for link in links {
                    write!(f, " {} ", link.op.text)?;
                    operand(f, &link.right, p + 1)?;
                }
                Ok(())
            }
            Expr::Unary(u) => {
                f.write_str(match u.op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                })?;
                operand(f, &u.operand, precedence::UNARY)
            }
            Expr::Call(c) => {
                write!(f, "{}(", call_name(&c.name))?;
                comma(f, &c.args)?;
                f.write_str(")")
            }
            Expr::Member(m) => {
                operand(f, &m.object, precedence::POSTFIX)?;
                write!(f, "{}{}", member_dot(&m.object), m.member)
            }
            Expr::Index(i) => {
                operand(f, &i.object, precedence::POSTFIX)?;
                write!(f, "[{}]", i.index)
            }
            Expr::In(i) => {
                operand(f, &i.expr, precedence::COMPARISON + 1)?;
                write!(f, " {} (", i.op.as_str())?;
                comma(f, &i.list)?;
                f.write_str(")")
            }
            Expr::Between(b) => {
                operand(f, &b.expr, precedence::COMPARISON + 1)?;
                write!(
                    f,
                    " {}between ({} .. {})",
                    if b.negated { "!" } else { "" },
                    b.low,
                    b.high
                )
            }
            Expr::Paren(p) => write!(f, "({})", p.inner),
            Expr::Bracketed(b) => write!(f, "[{}]", b.inner),
            Expr::NamedArg(n) => write!(f, "{}={}", n.name, n.value),
            Expr::Query(q) => q.fmt(f),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: Out) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn name(text: &str) -> Expr {
        Expr::Name(Ident {
            name: text.to_string(),
            quoted: None,
            span: Span::new(0, 0),
        })
    }

    fn binary(left: Expr, kind: BinaryOpKind, right: Expr) -> Expr {
        Expr::Binary(Box::new(BinaryExpr {
            left,
            op: BinaryOp {
                kind,
                text: kind.as_str().into(),
                span: Span::new(0, 0),
            },
            right,
            span: Span::new(0, 0),
        }))
    }

    /// Trees built in code have no `Paren` nodes: the printer brackets what KQL would read
    /// otherwise, and comparisons, which do not chain, on either side.
    #[test]
    fn hand_built_trees_print_with_the_brackets_kql_needs() {
        let eq = binary(name("a"), BinaryOpKind::Eq, name("b"));
        let chained = binary(eq.clone(), BinaryOpKind::Eq, name("c"));
        assert_eq!(chained.to_string(), "(a == b) == c");
        let listed = Expr::In(Box::new(InExpr {
            expr: eq.clone(),
            op: InOp::In,
            op_span: Span::new(0, 0),
            list: vec![name("c")],
            span: Span::new(0, 0),
        }));
        assert_eq!(listed.to_string(), "(a == b) in (c)");
        let sum = binary(listed, BinaryOpKind::Add, name("d"));
        assert_eq!(sum.to_string(), "((a == b) in (c)) + d");
        let left_assoc = binary(
            binary(name("a"), BinaryOpKind::Sub, name("b")),
            BinaryOpKind::Sub,
            binary(name("c"), BinaryOpKind::Sub, name("d")),
        );
        assert_eq!(left_assoc.to_string(), "a - b - (c - d)");
        // Each prints as KQL that parses.
        for expr in [chained, sum, left_assoc] {
            crate::parse(&format!("print {expr}")).unwrap();
        }
    }
}
