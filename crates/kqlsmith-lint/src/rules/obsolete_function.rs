//! Rule KQL403 `obsolete-function`: A deprecated function name.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports deprecated function names that have a current replacement: `makeset` and
/// `makelist` (now `make_set`, `make_list`), `parsejson` (`parse_json`), `any` (`take_any`),
/// `argmax`/`argmin` (`arg_max`/`arg_min`), and others.
///
/// ## Why is this bad
/// Deprecated names still run but are hidden from the documentation and may stop working.
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | summarize makeset(FileName) by DeviceId
/// ```
///
/// ## Fix
/// Use the current name. The fix renames the function; it is safe for names whose replacement
/// takes the same arguments and returns the same result.
    "KQL403", "obsolete-function", Warning, "A deprecated function name"
}
