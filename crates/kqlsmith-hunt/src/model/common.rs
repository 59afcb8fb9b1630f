//! Types every hunt shares: the device under investigation, the search window, how a device's
//! own addresses and activity are left out, and the checked text types of profiles (names,
//! SIDs). Each hunt's model (`internal_connections`, `remote_logons`) is built from these, so
//! that a profile key such as `device.match` means the same in every hunt.

use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::timespan::Timespan;

/// The device under investigation and how its name is matched against `DeviceName`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// The device name, as the investigator knows it: `ws-042` or `ws-042.contoso.com`.
    pub name: Text,
    /// How `name` is compared with `DeviceName`.
    #[serde(rename = "match")]
    pub matching: DeviceMatch,
}

impl Device {
    /// The name shipped profiles give the device until the investigator names one.
    pub const PLACEHOLDER: &'static str = "compromiseddevice";

    /// Whether the name is still the placeholder (in any case): a query for it finds nothing
    /// real.
    pub fn is_placeholder(&self) -> bool {
        self.name
            .as_str()
            .trim()
            .eq_ignore_ascii_case(Device::PLACEHOLDER)
    }
}

/// How the device name is compared with `DeviceName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceMatch {
    /// `DeviceName == name`, as published: case and domain must be exactly as stored.
    Exact,
    /// `DeviceName =~ name`: any case, full name still needed.
    CaseInsensitive,
    /// Any case, and a host name also matches `host.domain.tld` (Defender stores the FQDN).
    HostName,
}

/// How far back a hunt looks: a KQL timespan longer than zero, such as `30m`, `48h` or `7d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SearchWindow(Timespan);

impl SearchWindow {
    /// `span`, unless it is zero.
    pub fn new(span: Timespan) -> Result<SearchWindow, String> {
        if span.is_zero() {
            Err(format!(
                "the search window `{span}` is empty: it must be longer than zero, such as 48h"
            ))
        } else {
            Ok(SearchWindow(span))
        }
    }

    /// The timespan.
    pub fn timespan(&self) -> Timespan {
        self.0
    }
}

impl fmt::Display for SearchWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for SearchWindow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SearchWindow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SearchWindow, D::Error> {
        SearchWindow::new(Timespan::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Which addresses of a device's `IPAddresses` are looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressSelection {
    /// The first IPv4 address found by a regex over the text of `IPAddresses`, as published.
    FirstIpv4,
    /// Every address of every adapter, IPv4 and IPv6 (`mv-expand` of the array).
    All,
}

/// How connections or logons of the device to itself are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SelfExclusion {
    /// They are kept.
    Off,
    /// The remote device name equals the device's name (as published; any case unless the
    /// device is matched exactly).
    ByName,
    /// The remote device has the device's `DeviceId`.
    ByDeviceId,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// `value`, unless it is empty or only white space.
    pub fn new(value: impl Into<String>) -> Result<Text, String> {
        let value = value.into();
        if value.trim().is_empty() {
            Err("must not be empty".to_string())
        } else {
            Ok(Text(value))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        Text::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A hunt's short name: lower-case letters, digits and dashes, safe in a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct HuntName(String);

impl HuntName {
    pub fn new(value: impl Into<String>) -> Result<HuntName, String> {
        let value = value.into();
        let well_formed = value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if well_formed && value.len() <= 64 {
            Ok(HuntName(value))
        } else {
            Err(format!(
                "`{value}` is not a hunt name: use at most 64 lower-case letters, digits and dashes, starting with a letter or digit"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HuntName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HuntName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HuntName, D::Error> {
        HuntName::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A Windows security identifier such as `S-1-5-19`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Sid(String);

impl Sid {
    pub fn new(value: impl Into<String>) -> Result<Sid, String> {
        let value = value.into();
        let mut parts = value.split('-');
        let well_formed = parts.next() == Some("S") && parts.next() == Some("1") && {
            let rest: Vec<&str> = parts.collect();
            !rest.is_empty()
                && rest
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        if well_formed {
            Ok(Sid(value))
        } else {
            Err(format!(
                "`{value}` is not a security identifier: write it as S-1- followed by numbers separated by dashes, such as S-1-5-19"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Sid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Sid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Sid, D::Error> {
        Sid::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

pub(crate) fn unique<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Serialize + Eq + Hash,
{
    let items = Vec::<T>::deserialize(deserializer)?;
    let mut seen = HashSet::new();
    for item in &items {
        if !seen.insert(item) {
            // Show the value the way the profile writes it.
            let shown = toml::Value::try_from(item)
                .map(|value| value.to_string())
                .unwrap_or_default();
            return Err(serde::de::Error::custom(format!("{shown} is listed twice")));
        }
    }
    Ok(items)
}

pub(crate) fn non_empty_unique<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Serialize + Eq + Hash,
{
    let items = unique(deserializer)?;
    if items.is_empty() {
        return Err(serde::de::Error::custom("the list must not be empty"));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_must_not_be_blank() {
        assert!(Text::new("ws-042").is_ok());
        assert!(Text::new("").is_err());
        assert!(Text::new(" \t\n").is_err());
    }

    #[test]
    fn hunt_names_are_safe_in_file_names() {
        assert!(HuntName::new("internal-connections-classic").is_ok());
        for bad in [
            "",
            "../x",
            "a/b",
            "Internal",
            "-x",
            "a b",
            "a.kql",
            &"x".repeat(65),
        ] {
            assert!(HuntName::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sids_are_checked() {
        assert!(Sid::new("S-1-5-19").is_ok());
        assert!(Sid::new("S-1-5-21-3623811015-3361044348-30300820-1013").is_ok());
        for bad in [
            "",
            "S-1",
            "S-1-",
            "s-1-5-19",
            "S-2-5",
            "S-1-5-x",
            "local service",
        ] {
            assert!(Sid::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_search_window_is_longer_than_zero() {
        let zero: Timespan = "0h".parse().unwrap();
        assert!(
            SearchWindow::new(zero)
                .unwrap_err()
                .contains("longer than zero")
        );
        let window = SearchWindow::new("48h".parse().unwrap()).unwrap();
        assert_eq!(window.to_string(), "48h");
    }
}
