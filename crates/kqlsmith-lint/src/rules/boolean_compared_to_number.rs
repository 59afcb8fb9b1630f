//! Rule KQL204 `boolean-compared-to-number`: A boolean compared with `1` or `0`.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{BinaryOp, BinaryOpKind, Expr, ExprKind, Literal, OpSpelling};
use crate::rules::{Context, declare_rule};
use crate::schema::ColumnType;
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports `==`/`!=` between a `bool` value (a `bool` column, or a function returning `bool`
/// such as `ipv4_is_private`) and the number `1` or `0`.
///
/// ## Why is this bad
/// It relies on a conversion the reader has to know about, and it hides the intent: the value
/// is a truth value, not a count. Some engines reject the comparison of `bool` with `long`.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// | extend IsPrivate = ipv4_is_private(RemoteIP)
/// | where IsPrivate == 1
/// ```
///
/// ## Fix
/// Compare with `true` or `false`, or use the value itself: `where IsPrivate`. The fix
/// replaces the number with `true`/`false`.
    "KQL204", "boolean-compared-to-number", Warning, "A boolean compared with `1` or `0`"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Comparisons<'c, 'o> {
        cx: &'c Context<'c>,
        out: &'o mut Vec<Diagnostic>,
    }
    impl IrVisitor for Comparisons<'_, '_> {
        fn expr(&mut self, expr: &Expr) {
            let ExprKind::Binary {
                op,
                spelling,
                lhs,
                rhs,
                ..
            } = &expr.kind
            else {
                return;
            };
            if !matches!(
                (op, spelling),
                (BinaryOp::Scalar(BinaryOpKind::Eq), OpSpelling::Canonical)
                    | (BinaryOp::Scalar(BinaryOpKind::NotEq), _)
            ) {
                return;
            }
            for (value, number) in [(lhs, rhs), (rhs, lhs)] {
                let ExprKind::Literal(Literal::Long(n @ (0 | 1))) = number.kind else {
                    continue;
                };
                if self.cx.model.type_of(value) != ColumnType::Bool {
                    continue;
                }
                let word = if n == 1 { "true" } else { "false" };
                self.out.push(
                    Diagnostic::new(
                        &RULE,
                        number.span.clone(),
                        format!(
                            "`{}` is a bool compared with the number {n}; compare with `{word}`",
                            &self.cx.source[value.span.clone()]
                        ),
                    )
                    .with_fix(Fix::safe(
                        format!("write `{word}`"),
                        vec![Edit::replace(number.span.clone(), word)],
                    )),
                );
                return;
            }
        }
    }
    walk_script(cx.script, &mut Comparisons { cx, out });
}
