//! Rule KQL102 `unknown-column`: A column the table or previous stage does not have.

use crate::rules::declare_rule;

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
