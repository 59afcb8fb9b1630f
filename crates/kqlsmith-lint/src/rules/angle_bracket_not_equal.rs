//! Rule KQL402 `angle-bracket-not-equal`: `<>` instead of `!=`.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{BinaryOp, BinaryOpKind, Expr, ExprKind, OpSpelling};
use crate::rules::{Context, declare_rule};
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports the `<>` operator.
///
/// ## Why is this bad
/// `<>` is an undocumented legacy spelling of `!=`: the documentation, the other tools and
/// most readers know only `!=`, and its case-insensitive sibling is `!~`, not a variant of
/// `<>`.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where InitiatingProcessFileName <> "sensendr.exe"
/// ```
///
/// ## Fix
/// Write `!=`. The fix does it; the meaning is the same.
    "KQL402", "angle-bracket-not-equal", Warning, "`<>` instead of `!=`"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct NotEqual<'o>(&'o mut Vec<Diagnostic>);
    impl IrVisitor for NotEqual<'_> {
        fn expr(&mut self, expr: &Expr) {
            if let ExprKind::Binary {
                op: BinaryOp::Scalar(BinaryOpKind::NotEq),
                spelling: OpSpelling::AngleBrackets,
                op_span,
                ..
            } = &expr.kind
            {
                self.0.push(
                    Diagnostic::new(
                        &RULE,
                        op_span.clone(),
                        "`<>` is a legacy spelling of `!=`; write `!=`".into(),
                    )
                    .with_fix(Fix::safe(
                        "write `!=`",
                        vec![Edit::replace(op_span.clone(), "!=")],
                    )),
                );
            }
        }
    }
    walk_script(cx.script, &mut NotEqual(out));
}
