//! Rule KQL402 `angle-bracket-not-equal`: `<>` instead of `!=`.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports the `<>` operator.
///
/// ## Why is this bad
/// `<>` is an undocumented legacy spelling of `!=`: the documentation, the other tools and
/// most readers know only `!=`, and its case-insensitive sibling is `!~`, not a variant of
/// `<>`.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where InitiatingProcessFileName <> "sensendr.exe"
/// ```
///
/// ## Fix
/// Write `!=`. The fix does it; the meaning is the same.
    "KQL402", "angle-bracket-not-equal", Warning, "`<>` instead of `!=`"
}
