//! Rule KQL104 `undefined-name`: A function or name that is not defined.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports a called function that is neither a KQL built-in, a function of the platform (such
/// as Defender's `FileProfile`), nor a `let` function of the query; and names used where no
/// columns are in scope that no `let` defines.
///
/// ## Why is this bad
/// The query fails with "Unknown function" or "Failed to resolve scalar expression".
///
/// ## Example
/// ```kql
/// let Window = 1d;
/// print Start = ago(Windw)
/// ```
///
/// ## Fix
/// Correct the spelling (the message suggests the closest name), or define the name with a
/// `let` statement before it is used.
    "KQL104", "undefined-name", Error, "A function or name that is not defined"
}
