//! Rule KQL302 `tolower-comparison`: `tolower(x) == "..."` instead of `=~`.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{BinaryOp, Expr, ExprKind, Literal};
use crate::rules::{Context, declare_rule};
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports a comparison of `tolower(X)` or `toupper(X)` with a string literal using `==` or
/// `!=`.
///
/// ## Why is this bad
/// Converting every value before comparing costs a pass over the data and defeats the
/// engine's index; `=~` and `!~` compare ignoring case directly.
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | where tolower(FileName) == "powershell.exe"
/// ```
///
/// ## Fix
/// `FileName =~ "powershell.exe"`. The fix is safe when the literal is already in the case
/// the function produces (otherwise the comparison could never be true, and it is unsafe).
    "KQL302", "tolower-comparison", Warning, "`tolower(x) == \"...\"` instead of `=~`"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Lowered<'c, 'o> {
        cx: &'c Context<'c>,
        out: &'o mut Vec<Diagnostic>,
    }
    impl IrVisitor for Lowered<'_, '_> {
        fn expr(&mut self, expr: &Expr) {
            let ExprKind::Binary {
                op,
                spelling,
                op_span,
                lhs,
                rhs,
            } = &expr.kind
            else {
                return;
            };
            // `==` and `!=` only: `tolower(x) in (...)` is left alone.
            let Some(insensitive) = op
                .ignoring_case(*spelling)
                .filter(|_| matches!(op, BinaryOp::Scalar(_)))
            else {
                return;
            };
            let op = &self.cx.source[op_span.clone()];
            let (call, literal) = match (&lhs.kind, &rhs.kind) {
                (ExprKind::Call(c), ExprKind::Literal(Literal::String(s)))
                | (ExprKind::Literal(Literal::String(s)), ExprKind::Call(c)) => (c, s),
                _ => return,
            };
            let already_in_case = match call.name.name.as_str() {
                "tolower" => literal.to_lowercase() == *literal,
                "toupper" => literal.to_uppercase() == *literal,
                _ => return,
            };
            let [value] = call.args.as_slice() else {
                return;
            };
            let source = self.cx.source;
            let literal_expr = if matches!(lhs.kind, ExprKind::Call(_)) {
                rhs
            } else {
                lhs
            };
            let replacement = format!(
                "{} {insensitive} {}",
                &source[value.span.clone()],
                &source[literal_expr.span.clone()]
            );
            let message = format!(
                "`{}({}) {op} ...` converts every value before comparing; `{insensitive}` \
                 compares ignoring case directly",
                call.name.name,
                &source[value.span.clone()]
            );
            let fix_message = format!("write `{replacement}`");
            let edits = vec![Edit::replace(expr.span.clone(), replacement)];
            let fix = if already_in_case {
                Fix::safe(fix_message, edits)
            } else {
                Fix::unsafe_(fix_message, edits)
            };
            self.out
                .push(Diagnostic::new(&RULE, expr.span.clone(), message).with_fix(fix));
        }
    }
    walk_script(cx.script, &mut Lowered { cx, out });
}
