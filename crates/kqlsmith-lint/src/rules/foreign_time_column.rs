//! Rule KQL401 `foreign-time-column`: The other platform's time column.

use crate::rules::declare_rule;

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
