//! Rule KQL204 `boolean-compared-to-number`: A boolean compared with `1` or `0`.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports `==`/`!=` between a `bool` value (a `bool` column, or a function returning `bool`
/// such as `ipv4_is_private`) and the number `1` or `0`.
///
/// ## Why is this bad
/// It relies on a conversion the reader has to know about, and it hides the intent: the value
/// is a truth value, not a count. Some engines reject the comparison of `bool` with `long`.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// | extend IsPrivate = ipv4_is_private(RemoteIP)
/// | where IsPrivate == 1
/// ```
///
/// ## Fix
/// Compare with `true` or `false`, or use the value itself: `where IsPrivate`. The fix
/// replaces the number with `true`/`false`.
    "KQL204", "boolean-compared-to-number", Warning, "A boolean compared with `1` or `0`"
}
