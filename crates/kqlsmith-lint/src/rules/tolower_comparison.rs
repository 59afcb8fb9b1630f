//! Rule KQL302 `tolower-comparison`: `tolower(x) == "..."` instead of `=~`.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports a comparison of `tolower(X)` or `toupper(X)` with a string literal using `==` or
/// `!=`.
///
/// ## Why is this bad
/// Converting every value before comparing costs a pass over the data and defeats the
/// engine's index; `=~` and `!~` compare ignoring case directly.
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | where tolower(FileName) == "powershell.exe"
/// ```
///
/// ## Fix
/// `FileName =~ "powershell.exe"`. The fix is safe when the literal is already in the case
/// the function produces (otherwise the comparison could never be true, and it is unsafe).
    "KQL302", "tolower-comparison", Warning, "`tolower(x) == \"...\"` instead of `=~`"
}
