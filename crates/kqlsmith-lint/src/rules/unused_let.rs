//! Rule KQL106 `unused-let`: A `let` binding that is never used.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports a `let` statement whose name the rest of the query never uses.
///
/// ## Why is this bad
/// An unused binding is dead text: often a parameter someone meant to use (a time window, a
/// device name) and forgot, so the query does not do what its header says.
///
/// ## Example
/// ```kql
/// let Window = 7d;
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// ```
///
/// ## Fix
/// Use the binding where it was meant (`ago(Window)`), or delete it. The fix offered deletes
/// the statement; it is marked unsafe because the binding may have been meant to be used.
    "KQL106", "unused-let", Warning, "A `let` binding that is never used"
}
