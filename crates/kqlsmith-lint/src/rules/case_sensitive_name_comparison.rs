//! Rule KQL202 `case-sensitive-name-comparison`: `==` on a device or account name, which is compared ignoring case.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports `==`, `!=`, `in` and `!in` comparing a column that holds device or account names
/// (`DeviceName`, `AccountName`, `InitiatingProcessAccountName`, ...; the platform file lists
/// them) with a value.
///
/// ## Why is this bad
/// Windows treats these names as case-insensitive, and the platform stores them in whatever
/// case it saw them: Defender stores device names as lower-case FQDNs. `DeviceName ==
/// "HOST01"` misses `host01.contoso.com` and `Host01`. The published hunt *Internal connections
/// made by a compromised device* has this defect (`DeviceName == CompromisedDevice`, and
/// `InitiatingProcessAccountName != "local service"`).
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// | where DeviceName == "HOST01"
/// ```
///
/// ## Fix
/// Compare ignoring case: `=~`, `!~`, `in~`, `!in~`. The fix is marked unsafe because it
/// changes which rows match.
    "KQL202", "case-sensitive-name-comparison", Warning, "`==` on a device or account name, which is compared ignoring case"
}
