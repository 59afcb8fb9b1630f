//! Rule KQL305 `search-operator`: `search` or `union *` reads every table.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports `search` without a table list (`search "x"`, `search *`) and `union *`.
///
/// ## Why is this bad
/// They read every table in the workspace: very slow, and results depend on which tables
/// happen to exist.
///
/// ## Example
/// ```kql
/// search "evil.example.com"
/// ```
///
/// ## Fix
/// Name the tables: `search in (DeviceNetworkEvents, DnsEvents) "evil.example.com"`, or query
/// the table and column that hold the value.
    "KQL305", "search-operator", Warning, "`search` or `union *` reads every table"
}
