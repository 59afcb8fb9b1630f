//! Rule KQL304 `time-filter-not-first`: The time filter comes after other stages.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a time filter on a table that comes after other stages (other `where` filters,
/// `extend`, `project`, ...) instead of directly after the table.
///
/// ## Why is this bad
/// The engine prunes data by time before anything else when the time filter comes first; later
/// filters run over the whole table first. Microsoft's best practices: filter on time first.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where RemotePort == 3389
/// | where Timestamp > ago(1d)
/// ```
///
/// ## Fix
/// Move the time filter directly after the table name.
    "KQL304", "time-filter-not-first", Warning, "The time filter comes after other stages"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scan in &cx.model.scans {
        let Some(index) = scan.time_filter.filter(|&i| i > 0) else {
            continue;
        };
        let filter = scan.stages[index].clone();
        out.push(
            Diagnostic::new(
                &RULE,
                filter,
                format!(
                    "the time filter on `{}` comes after {index} other stage{}; move it directly \
                     after the table so the engine skips old data first",
                    scan.table.name,
                    if index == 1 { "" } else { "s" }
                ),
            )
            .with_label(scan.table.span.clone(), "the table read"),
        );
    }
}
