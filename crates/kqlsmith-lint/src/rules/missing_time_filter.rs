//! Rule KQL303 `missing-time-filter`: A table scanned with no time filter.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a table that a query reads without any filter on its time column (`Timestamp` on
/// Defender, `TimeGenerated` on Sentinel) in the stages that follow it.
///
/// ## Why is this bad
/// Without a time filter the query reads the table's whole retention: slow, costly, and in
/// Defender advanced hunting cut off at a row limit, so results depend on what the engine
/// happened to read first. (Time pickers in the portals add a window, but a query saved as a
/// detection or run through the API does not get one.)
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where RemotePort == 3389
/// ```
///
/// ## Fix
/// Filter on the time column first: `| where Timestamp > ago(1d)`.
    "KQL303", "missing-time-filter", Warning, "A table scanned with no time filter"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let time = &cx.platform.time_column;
    for scan in &cx.model.scans {
        if !scan.has_time_column
            || scan.time_filter.is_some()
            || scan.foreign_time_filter.is_some()
            || scan.filtered_later
        {
            continue;
        }
        out.push(Diagnostic::new(
            &RULE,
            scan.table.span.clone(),
            format!(
                "`{}` is read with no filter on `{time}`, so the query scans its whole \
                 retention; add `| where {time} > ago(1d)` (or the window meant) right after it",
                scan.table.name
            ),
        ));
    }
}
