//! Rule KQL304 `time-filter-not-first`: The time filter comes after other stages.

use crate::rules::declare_rule;

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
