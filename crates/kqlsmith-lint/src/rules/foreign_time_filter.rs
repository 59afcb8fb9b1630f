//! Rule KQL404 `foreign-time-filter`: a time filter on the other platform's time column.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a table whose only time filter is on another platform's time column, when the
/// table also has this platform's: `Timestamp` on a Sentinel table that has both `Timestamp` and
/// `TimeGenerated` (the Defender XDR tables streamed into Sentinel).
///
/// ## Why is this bad
/// A Log Analytics workspace is organised by `TimeGenerated`: Sentinel's time picker,
/// retention and data pruning all use it, so a filter on `Timestamp` alone scans every row of
/// the retention before filtering. It is the mark of a query copied from Defender advanced
/// hunting without converting it.
///
/// ## Example
/// ```kql
/// // Sentinel
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// ```
///
/// ## Fix
/// Filter on `TimeGenerated`. The fix renames the column; it is unsafe because the two
/// differ slightly (the event's time versus the time it was stored).
    "KQL404", "foreign-time-filter", Warning, "A time filter on the other platform's time column"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let time = &cx.platform.time_column;
    for scan in &cx.model.scans {
        let Some(ident) = &scan.foreign_time_filter else {
            continue;
        };
        // Where the table lacks the column, `foreign-time-column` reports it as an error.
        if !scan.foreign_time_filter_is_column || scan.time_filter.is_some() || scan.filtered_later {
            continue;
        }
        out.push(
            Diagnostic::new(
                &RULE,
                ident.span.clone(),
                format!(
                    "`{}` is filtered on `{}`, another platform's time column; {} prunes \
                     data by `{time}`: filter on `{time}`",
                    scan.table.name, ident.name, cx.platform.title
                ),
            )
            .with_fix(Fix::unsafe_(
                format!("filter on `{time}`"),
                vec![Edit::replace(ident.span.clone(), time.clone())],
            )),
        );
    }
}
