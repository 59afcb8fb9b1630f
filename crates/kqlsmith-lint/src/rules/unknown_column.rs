//! Rule KQL102 `unknown-column`: A column the table or previous stage does not have.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::semantic::Resolution;

declare_rule! {
/// ## What it does
/// Reports a name that is neither a column of the rows at that point of the query nor a `let`
/// binding, and suggests the closest column name. Columns are known from the platform's schema
/// and followed through every pipe stage; after a stage kqlsmith does not understand (such as
/// `evaluate`), nothing is reported.
///
/// ## Why is this bad
/// The query fails with "Failed to resolve scalar expression named ...".
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | where ProcessCommandline has "-enc"
/// ```
///
/// ## Fix
/// Use the column's right name (here `ProcessCommandLine`). If the schema is out of date, add
/// the column in `kqlsmith.toml` under `[lint.tables.TABLE]`.
    "KQL102", "unknown-column", Error, "A column the table or previous stage does not have"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for name in &cx.model.names {
        let Resolution::Unknown {
            suggestion,
            row_scope: true,
        } = &name.resolution
        else {
            continue;
        };
        if cx.is_foreign_time_column(&name.ident.name) {
            continue; // KQL401 says it better.
        }
        let what = match &name.table {
            Some(table) => format!(
                "`{table}` has no column `{}` at this point",
                name.ident.name
            ),
            None => format!(
                "no column or `let` named `{}` at this point",
                name.ident.name
            ),
        };
        let mut diagnostic = match suggestion {
            Some(s) => Diagnostic::new(
                &RULE,
                name.ident.span.clone(),
                format!("unknown column: {what}; did you mean `{s}`?"),
            )
            .with_fix(Fix::unsafe_(
                format!("use `{s}`"),
                vec![Edit::replace(name.ident.span.clone(), s.clone())],
            )),
            None => Diagnostic::new(
                &RULE,
                name.ident.span.clone(),
                format!(
                    "unknown column: {what}; check the spelling, or add the column to \
                     kqlsmith.toml under [lint.tables] if the schema lacks it"
                ),
            ),
        };
        diagnostic.range = name.ident.span.clone();
        out.push(diagnostic);
    }
}
