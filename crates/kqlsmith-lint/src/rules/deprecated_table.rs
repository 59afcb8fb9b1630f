//! Rule KQL108 `deprecated-table`: A table Microsoft has replaced with another.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a query that reads a table the platform lists as deprecated (under
/// `[deprecated_tables]` in its platform file), and names the table that replaces it.
///
/// ## Why is this bad
/// A deprecated table stops receiving rows and is then removed: the query first returns less,
/// then nothing, then fails to resolve. In Defender XDR `AADSignInEventsBeta` and
/// `AADSpnSignInEventsBeta` were replaced by `EntraIdSignInEvents` and
/// `EntraIdSpnSignInEvents` on December 9, 2025.
///
/// ## Example
/// ```kql
/// AADSpnSignInEventsBeta
/// | where Timestamp > ago(1d)
/// | where ErrorCode != 0
/// ```
///
/// ## Fix
/// Read the replacement table. Renaming the table is a safe fix when every column of the old
/// table carries over to the new one; otherwise the fix is offered as unsafe, since a column
/// the query uses may be gone (`AadDeviceId` is `EntraIdDeviceId` in `EntraIdSignInEvents`).
    "KQL108", "deprecated-table", Warning, "A table Microsoft has replaced with another"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for table in cx.model.tables.iter().filter(|t| t.known) {
        let name = table.ident.name.as_str();
        let Some(deprecated) = cx.platform.deprecated_table(name) else {
            continue;
        };
        let replacement = &deprecated.replacement;
        let mut message = format!("table `{name}` is deprecated: read `{replacement}` instead");
        let edits = vec![Edit::replace(table.ident.span.clone(), replacement.clone())];
        let fix = if deprecated.columns_carry_over {
            Fix::safe(format!("use `{replacement}`"), edits)
        } else {
            message.push_str(&format!(
                " ({} not in `{replacement}`: check the columns used)",
                lost_columns(cx, name, replacement)
            ));
            Fix::unsafe_(format!("use `{replacement}`"), edits)
        };
        out.push(Diagnostic::new(&RULE, table.ident.span.clone(), message).with_fix(fix));
    }
}

/// The columns of `old` that `new` lacks (or types differently), as `` `A`, `B` ``.
fn lost_columns(cx: &Context, old: &str, new: &str) -> String {
    let schema = cx.platform.schema();
    let (Some(old), Some(new)) = (schema.table(old), schema.table(new)) else {
        return "some columns are".into();
    };
    let lost: Vec<String> = old
        .columns
        .iter()
        .filter(|c| new.column(&c.name) != Some(*c))
        .map(|c| format!("`{}`", c.name))
        .collect();
    match lost.len() {
        0 => "some columns are".into(),
        1 => format!("{} is", lost[0]),
        _ => format!("{} are", lost.join(", ")),
    }
}
