//! Rule KQL202 `case-sensitive-name-comparison`: `==` on a device or account name, which is compared ignoring case.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{BinaryOp, Expr, ExprKind};
use crate::rules::{Context, declare_rule};
use crate::semantic::Resolution;
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports `==`, `!=`, `in` and `!in` comparing a column that holds device or account names
/// (`DeviceName`, `AccountName`, `InitiatingProcessAccountName`, ...; the platform file lists
/// them) with a value.
///
/// ## Why is this bad
/// Windows treats these names as case-insensitive, and the platform stores them in whatever
/// case it saw them: Defender stores device names as lower-case FQDNs. `DeviceName ==
/// "HOST01"` misses `host01.contoso.com` and `Host01`. The published hunt *Internal connections
/// made by a compromised device* has this defect (`DeviceName == CompromisedDevice`, and
/// `InitiatingProcessAccountName != "local service"`).
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// | where DeviceName == "HOST01"
/// ```
///
/// ## Fix
/// Compare ignoring case: `=~`, `!~`, `in~`, `!in~`. The fix is marked unsafe because it
/// changes which rows match.
    "KQL202", "case-sensitive-name-comparison", Warning, "`==` on a device or account name, which is compared ignoring case"
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
                op_span,
                lhs,
                rhs,
            } = &expr.kind
            else {
                return;
            };
            let Some(insensitive) = op.ignoring_case(*spelling) else {
                return;
            };
            let list = matches!(op, BinaryOp::In(_));
            let op = &self.cx.source[op_span.clone()];
            let is_name_column = |e: &Expr| match &e.kind {
                ExprKind::Name(ident) => {
                    self.cx.platform.is_case_insensitive_name(&ident.name)
                        && matches!(
                            self.cx.model.resolution_at(ident.span.start),
                            Some(Resolution::Column(_))
                        )
                }
                _ => false,
            };
            let is_column = |e: &Expr| match &e.kind {
                ExprKind::Name(ident) => matches!(
                    self.cx.model.resolution_at(ident.span.start),
                    Some(Resolution::Column(_) | Resolution::Open)
                ),
                _ => false,
            };
            // Two columns stored by the platform are in the same case: only a value typed
            // into the query can differ.
            let column = if is_name_column(lhs) && !is_column(rhs) {
                lhs
            } else if is_name_column(rhs) && !is_column(lhs) && !list {
                rhs
            } else {
                return;
            };
            let ExprKind::Name(name) = &column.kind else {
                return;
            };
            self.out.push(
                Diagnostic::new(
                    &RULE,
                    op_span.clone(),
                    format!(
                        "`{op}` compares `{}` case-sensitively, but names are stored in \
                         whatever case the platform saw; use `{insensitive}`",
                        name.name
                    ),
                )
                .with_fix(Fix::unsafe_(
                    format!("compare ignoring case with `{insensitive}`"),
                    vec![Edit::replace(op_span.clone(), insensitive)],
                )),
            );
        }
    }
    walk_script(cx.script, &mut Comparisons { cx, out });
}
