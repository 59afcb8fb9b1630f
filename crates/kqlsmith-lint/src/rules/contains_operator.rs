//! Rule KQL301 `contains-operator`: `contains` where `has` would do.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{BinaryOp, BinaryOpKind, Expr, ExprKind, Literal};
use crate::rules::{Context, declare_rule};
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports `contains` (and `!contains`) with a string literal made of a whole term: letters,
/// digits and `_` only, at least three characters long.
///
/// ## Why is this bad
/// `contains` scans every value for the substring; `has` looks the term up in the index the
/// engine builds over every string column, which is much faster on large tables. For a term
/// that is a whole word in the data, both give the same rows. (Kusto's analyzer: KS500.)
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | where ProcessCommandLine contains "mimikatz"
/// ```
///
/// ## Fix
/// Use `has` (`!has` for `!contains`). The fix is marked unsafe: `has` only matches whole
/// terms, so `"mimikatz"` no longer matches `"xmimikatz2"`.
    "KQL301", "contains-operator", Warning, "`contains` where `has` would do"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Contains<'o>(&'o mut Vec<Diagnostic>);
    impl IrVisitor for Contains<'_> {
        fn expr(&mut self, expr: &Expr) {
            let ExprKind::Binary {
                op, op_span, rhs, ..
            } = &expr.kind
            else {
                return;
            };
            let (op, has) = match op {
                BinaryOp::Scalar(BinaryOpKind::Contains) => ("contains", "has"),
                BinaryOp::Scalar(BinaryOpKind::NotContains) => ("!contains", "!has"),
                _ => return,
            };
            let ExprKind::Literal(Literal::String(term)) = &rhs.kind else {
                return;
            };
            let whole_term =
                term.len() >= 3 && term.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !whole_term {
                return;
            }
            self.0.push(
                Diagnostic::new(
                    &RULE,
                    op_span.clone(),
                    format!(
                        "`{op}` scans every value for \"{term}\"; `{has}` finds the whole \
                         term through the index, much faster"
                    ),
                )
                .with_fix(Fix::unsafe_(
                    format!("use `{has}` (matches whole terms only)"),
                    vec![Edit::replace(op_span.clone(), has)],
                )),
            );
        }
    }
    walk_script(cx.script, &mut Contains(out));
}
