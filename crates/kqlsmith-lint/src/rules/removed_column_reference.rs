//! Rule KQL103 `removed-column-reference`: A column used after a stage that removed it.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports a column that existed earlier in the query but was dropped by a `project`,
/// `project-away`, `summarize`, `distinct` or similar stage before it is used.
///
/// ## Why is this bad
/// The query fails to resolve the name. The stage that removed the column is shown, since that
/// is usually where the fix belongs.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// | summarize Connections = count() by RemoteIP
/// | where DeviceName =~ "host"
/// ```
///
/// ## Fix
/// Filter before the stage that removes the column, or keep the column (add it to the
/// `project` list or the `by` clause).
    "KQL103", "removed-column-reference", Error, "A column used after a stage that removed it"
}
