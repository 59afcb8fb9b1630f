//! Rule KQL101 `unknown-table`: A table the platform's schema does not have.

use crate::rules::declare_rule;

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
