//! Rule KQL106 `unused-let`: A `let` binding that is never used.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a `let` statement whose name the rest of the query never uses.
///
/// ## Why is this bad
/// An unused binding is dead text: often a parameter someone meant to use (a time window, a
/// device name) and forgot, so the query does not do what its header says.
///
/// ## Example
/// ```kql
/// let Window = 7d;
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// ```
///
/// ## Fix
/// Use the binding where it was meant (`ago(Window)`), or delete it. The fix offered deletes
/// the statement; it is marked unsafe because the binding may have been meant to be used.
    "KQL106", "unused-let", Warning, "A `let` binding that is never used"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // `as` names and query parameters (kind `Other`) are not `let` statements.
    let unused = cx
        .model
        .lets
        .iter()
        .filter(|l| l.uses == 0 && l.kind != crate::semantic::LetKind::Other);
    for binding in unused {
        // Delete the whole statement and the line break after it.
        let mut end = binding.span.end;
        let rest = &cx.source[end.min(cx.source.len())..];
        let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest[trailing..].starts_with('\n') {
            end += trailing + 1;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                binding.name.span.clone(),
                format!(
                    "`{}` is defined but never used; use it or delete the `let`",
                    binding.name.name
                ),
            )
            .with_fix(Fix::unsafe_(
                format!("delete `let {}`", binding.name.name),
                vec![Edit::delete(binding.span.start..end)],
            )),
        );
    }
}
