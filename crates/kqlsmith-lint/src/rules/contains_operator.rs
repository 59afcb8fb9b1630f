//! Rule KQL301 `contains-operator`: `contains` where `has` would do.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports `contains` (and `!contains`) with a string literal made of a whole term: letters,
/// digits and `_` only, at least three characters long.
///
/// ## Why is this bad
/// `contains` scans every value for the substring; `has` looks the term up in the index the
/// engine builds over every string column, which is much faster on large tables. For a term
/// that is a whole word in the data, both give the same rows. (Kusto's analyzer: KS500.)
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | where ProcessCommandLine contains "mimikatz"
/// ```
///
/// ## Fix
/// Use `has` (`!has` for `!contains`). The fix is marked unsafe: `has` only matches whole
/// terms, so `"mimikatz"` no longer matches `"xmimikatz2"`.
    "KQL301", "contains-operator", Warning, "`contains` where `has` would do"
}
