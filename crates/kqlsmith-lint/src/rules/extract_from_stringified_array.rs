//! Rule KQL203 `extract-from-stringified-array`: `extract` over `tostring()` of an array sees only its first element.

use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports `extract(regex, group, tostring(X))` and `extract_all(regex, tostring(X))` where `X`
/// is a `dynamic` column (an array).
///
/// ## Why is this bad
/// `tostring` turns the whole array into one JSON string, and `extract` returns the first
/// match in it: every element but the first is ignored. The published hunt *Internal
/// connections made by a compromised device* takes a device's address this way from
/// `DeviceNetworkInfo.IPAddresses`, so devices with several adapters or addresses are missed.
///
/// ## Example
/// ```kql
/// DeviceNetworkInfo
/// | where Timestamp > ago(1d)
/// | extend IP = extract(@"\d+\.\d+\.\d+\.\d+", 0, tostring(IPAddresses))
/// ```
///
/// ## Fix
/// Expand the array first and look at each element:
/// `| mv-expand IPAddress = IPAddresses | extend IP = tostring(IPAddress.IPAddress)`.
    "KQL203", "extract-from-stringified-array", Warning, "`extract` over `tostring()` of an array sees only its first element"
}
