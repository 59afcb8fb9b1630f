//! Rule KQL203 `extract-from-stringified-array`: `extract` over `tostring()` of an array sees only its first element.

use crate::diagnostic::Diagnostic;
use crate::ir::{Expr, ExprKind};
use crate::rules::{Context, declare_rule};
use crate::schema::ColumnType;
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports `extract(regex, group, tostring(X))` and `extract_all(regex, tostring(X))` where `X`
/// is a `dynamic` column (an array).
///
/// ## Why is this bad
/// `tostring` turns the whole array into one JSON string, and `extract` returns the first
/// match in it: every element but the first is ignored. The published hunt *Internal
/// connections made by a compromised device* takes a device's address this way from
/// `DeviceNetworkInfo.IPAddresses`, so devices with several adapters or addresses are missed.
///
/// ## Example
/// ```kql
/// DeviceNetworkInfo
/// | where Timestamp > ago(1d)
/// | extend IP = extract(@"\d+\.\d+\.\d+\.\d+", 0, tostring(IPAddresses))
/// ```
///
/// ## Fix
/// Expand the array first and look at each element:
/// `| mv-expand IPAddress = IPAddresses | extend IP = tostring(IPAddress.IPAddress)`.
    "KQL203", "extract-from-stringified-array", Warning, "`extract` over `tostring()` of an array sees only its first element"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Extracts<'c, 'o> {
        cx: &'c Context<'c>,
        out: &'o mut Vec<Diagnostic>,
    }
    impl IrVisitor for Extracts<'_, '_> {
        fn expr(&mut self, expr: &Expr) {
            let ExprKind::Call(call) = &expr.kind else {
                return;
            };
            if !matches!(call.name.name.as_str(), "extract" | "extract_all") {
                return;
            }
            for arg in &call.args {
                let ExprKind::Call(inner) = &arg.kind else {
                    continue;
                };
                if inner.name.name != "tostring" || inner.args.len() != 1 {
                    continue;
                }
                let value = &inner.args[0];
                if self.cx.model.type_of(value) != ColumnType::Dynamic {
                    continue;
                }
                let text = &self.cx.source[value.span.clone()];
                self.out.push(Diagnostic::new(
                    &RULE,
                    arg.span.clone(),
                    format!(
                        "`{}` over `tostring({text})` searches the array as one JSON string \
                         and finds only the first match; expand it first \
                         (`mv-expand Item = {text}`) and look at each element",
                        call.name.name
                    ),
                ));
            }
        }
    }
    walk_script(cx.script, &mut Extracts { cx, out });
}
