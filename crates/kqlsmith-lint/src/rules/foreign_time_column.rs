//! Rule KQL401 `foreign-time-column`: The other platform's time column.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::semantic::Resolution;

declare_rule! {
/// ## What it does
/// Reports `TimeGenerated` on Defender XDR, where tables are timed by `Timestamp`, and
/// `Timestamp` on a Sentinel table that has only `TimeGenerated`.
///
/// ## Why is this bad
/// The query fails to resolve the column. It is the most common mistake when a hunt is copied
/// between Defender advanced hunting and Sentinel, which differ mainly in this column.
///
/// ## Example
/// ```kql
/// // Defender advanced hunting
/// DeviceNetworkEvents
/// | where TimeGenerated > ago(1d)
/// ```
///
/// ## Fix
/// Use the platform's time column. The fix renames it; it is safe, since the other name
/// cannot resolve on this platform.
    "KQL401", "foreign-time-column", Error, "The other platform's time column"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let time = &cx.platform.time_column;
    for name in &cx.model.names {
        if !matches!(
            name.resolution,
            Resolution::Unknown {
                row_scope: true,
                ..
            }
        ) || !cx.is_foreign_time_column(&name.ident.name)
        {
            continue;
        }
        let table = name.table.as_deref().map_or(String::new(), |t| {
            format!(" (`{t}` has no `{}`)", name.ident.name)
        });
        out.push(
            Diagnostic::new(
                &RULE,
                name.ident.span.clone(),
                format!(
                    "`{}` is the time column of another platform; {} times rows by `{time}`{table}",
                    name.ident.name, cx.platform.title
                ),
            )
            .with_fix(Fix::safe(
                format!("use `{time}`"),
                vec![Edit::replace(name.ident.span.clone(), time.clone())],
            )),
        );
    }
}
