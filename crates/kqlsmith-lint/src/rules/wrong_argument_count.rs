//! Rule KQL107 `wrong-argument-count`: A function called with too few or too many arguments.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports a call to a built-in or platform function with a number of arguments the function
/// does not take.
///
/// ## Why is this bad
/// The query fails with "The function expects N arguments".
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago()
/// ```
///
/// ## Fix
/// Pass the arguments the function takes (here `ago(1d)`).
    "KQL107", "wrong-argument-count", Error, "A function called with too few or too many arguments"
}
