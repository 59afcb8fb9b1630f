//! Rule KQL101 `unknown-table`: A table the platform's schema does not have.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a query that reads a table the platform does not have. It is reported once a
/// table, and the columns of an unknown table are not checked (their names cannot be known).
///
/// ## Why is this bad
/// The query fails with "Failed to resolve table expression". Common causes: a typo, a
/// Sentinel table used in Defender advanced hunting (or the other way round), a custom table
/// or watchlist the schema does not know about.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvent
/// | where Timestamp > ago(1d)
/// ```
///
/// ## Fix
/// Use the table's right name (the message suggests the closest one). For a custom table
/// (`*_CL`), declare its columns in `kqlsmith.toml` under `[lint.tables.NAME]`.
    "KQL101", "unknown-table", Error, "A table the platform's schema does not have"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<&str> = Vec::new();
    for table in cx.model.tables.iter().filter(|t| !t.known) {
        let name = table.ident.name.as_str();
        if reported.contains(&name) {
            continue;
        }
        reported.push(name);
        let elsewhere = cx
            .other_platforms()
            .find(|p| p.schema().table(name).is_some())
            .map(|p| p.title.clone());
        let mut message = format!(
            "unknown table `{name}`: {} has no such table",
            cx.platform.title
        );
        if let Some(other) = &elsewhere {
            message.push_str(&format!(" (it is a table of {other})"));
        }
        let mut diagnostic;
        match &table.suggestion {
            Some(suggestion) => {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
                diagnostic = Diagnostic::new(&RULE, table.ident.span.clone(), message);
                diagnostic = diagnostic.with_fix(Fix::unsafe_(
                    format!("use `{suggestion}`"),
                    vec![Edit::replace(table.ident.span.clone(), suggestion.clone())],
                ));
            }
            None => {
                message.push_str(
                    "; for a custom table, declare its columns in kqlsmith.toml under \
                     [lint.tables]",
                );
                diagnostic = Diagnostic::new(&RULE, table.ident.span.clone(), message);
            }
        }
        out.push(diagnostic);
    }
}
