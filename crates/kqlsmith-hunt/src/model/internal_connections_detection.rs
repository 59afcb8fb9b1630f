//! The typed model of the detection form of the internal-connections hunt: instead of one
//! named device, every device that had an alert of at least a given severity, and for each its
//! successful connections after the alert to internal devices over remote-administration
//! ports that it had not used to reach them in a baseline period before the alert. It shares
//! the search window, the address lookup, the time-aware naming of the remote device and the
//! exclusions with the internal-connections hunt; it names no device, so it can run as a
//! scheduled rule over the whole tenant.

use std::fmt;

use kqlsmith_lint::Platform;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::common::{AddressSelection, Device, SearchWindow, Sid, Text, non_empty_unique, unique};
use super::internal_connections::{Lookup, PortSet};
use super::metadata::{AlertSeverity, Metadata};
use super::registry::HuntModel;
use crate::cidr::Cidr;
use crate::render::{self, RenderError};
use crate::timespan::Timespan;

/// The hunt: which alerts, when, which connections count as new, which are left out, and how
/// the remote device is named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalConnectionsDetection {
    /// What the hunt is; read by exports to rule files.
    pub hunt: Metadata,
    /// Which alerts mark a device.
    pub alerts: Alerts,
    /// How far back to look and which connections count.
    pub search: Search,
    /// Connections left out.
    pub filters: Filters,
    /// How a remote address is turned into a device.
    pub remote_device: RemoteDevice,
    /// Whether the query explains itself. The result columns are fixed: see
    /// [`RESULT_COLUMNS`].
    pub output: Output,
}

impl HuntModel for InternalConnectionsDetection {
    const KIND: &'static str = "internal-connections-detection";

    fn metadata(&self) -> &Metadata {
        &self.hunt
    }

    /// A detection runs over every device.
    fn device(&self) -> Option<&Device> {
        None
    }

    fn reads(&self) -> u64 {
        self.search.window.timespan().as_millis()
            + self.search.baseline.timespan().as_millis()
            + self.remote_device.lookback.as_millis()
    }

    fn result_columns(&self, time_column: &str) -> Vec<String> {
        RESULT_COLUMNS
            .iter()
            .map(|c| c.replace("{time}", time_column))
            .collect()
    }

    fn query_text(&self, platform: &Platform) -> Result<String, RenderError> {
        render::internal_connections_detection::query_text(self, platform)
    }
}

/// Which alerts mark a device, from `AlertInfo` and the device evidence of `AlertEvidence`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// The lowest severity that counts: `medium` counts medium and high alerts.
    pub min_severity: AlertSeverity,
}

impl Alerts {
    /// The `Severity` values of `AlertInfo` that count, lowest first.
    pub fn severities(&self) -> Vec<&'static str> {
        [
            AlertSeverity::Informational,
            AlertSeverity::Low,
            AlertSeverity::Medium,
            AlertSeverity::High,
        ]
        .into_iter()
        .skip_while(|severity| *severity != self.min_severity)
        .map(AlertSeverity::sentinel_name)
        .collect()
    }
}

/// The search window, the baseline and the ports of remote administration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// How far back to look for alerts, and for connections after them.
    pub window: SearchWindow,
    /// How long before its alert a device must not have reached a remote device over these
    /// ports for the connection to count as new.
    pub baseline: Baseline,
    /// The remote-administration services whose ports count.
    #[serde(deserialize_with = "non_empty_unique")]
    pub admin_ports: Vec<PortSet>,
    /// Read IPv4-mapped IPv6 remote addresses (`::ffff:10.0.0.5`) as plain IPv4.
    pub unmap_ipv4: bool,
}

impl Search {
    /// Every port of `admin_ports`, once, in the order listed.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = Vec::new();
        for port in self.admin_ports.iter().flat_map(|set| &set.ports) {
            if !ports.contains(port) {
                ports.push(*port);
            }
        }
        ports
    }
}

/// The baseline period: a KQL timespan longer than zero, such as `14d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Baseline(Timespan);

impl Baseline {
    /// `span`, unless it is zero.
    pub fn new(span: Timespan) -> Result<Baseline, String> {
        if span.is_zero() {
            Err(format!(
                "the baseline `{span}` is empty: it must be longer than zero, such as 14d"
            ))
        } else {
            Ok(Baseline(span))
        }
    }

    /// The timespan.
    pub fn timespan(&self) -> Timespan {
        self.0
    }
}

impl fmt::Display for Baseline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Baseline {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Baseline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Baseline, D::Error> {
        Baseline::new(Timespan::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Connections left out, as in the internal-connections hunt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// `InitiatingProcessFileName` values to leave out.
    #[serde(deserialize_with = "unique")]
    pub excluded_processes: Vec<Text>,
    /// `InitiatingProcessAccountName` values to leave out.
    #[serde(deserialize_with = "unique")]
    pub excluded_account_names: Vec<Text>,
    /// `InitiatingProcessAccountSid` values to leave out.
    #[serde(deserialize_with = "unique")]
    pub excluded_account_sids: Vec<Sid>,
    /// Compare process and account names in any case.
    pub case_insensitive_names: bool,
    /// More ranges that count as internal besides `ipv4_is_private` (`fc00::/7`).
    #[serde(deserialize_with = "unique")]
    pub private_ranges: Vec<Cidr>,
}

/// How a remote address is turned into a device: for each connection, the device that reported
/// the address last before it (or first after it), from `DeviceNetworkInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteDevice {
    /// Which addresses of a device's `IPAddresses` are looked up.
    pub addresses: AddressSelection,
    /// Addresses never used to name a device (`169.254.0.0/16`, `fe80::/10`).
    #[serde(deserialize_with = "unique")]
    pub excluded_ranges: Vec<Cidr>,
    /// Which reports are read: only those of the addresses the alerted devices connected to,
    /// or every report of the tenant.
    pub lookup: Lookup,
    /// How much further back than the baseline to read `DeviceNetworkInfo`.
    pub lookback: Timespan,
}

/// Whether the query carries explanatory comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Emit `//` comments that explain each step.
    pub comments: bool,
}

/// The result columns, one row per alerted device and remote device; `{time}` is the
/// platform's time column (the time of the last new connection).
pub const RESULT_COLUMNS: &[&str] = &[
    "{time}",
    "ReportId",
    "DeviceName",
    "DeviceId",
    "RemoteDeviceName",
    "RemoteDeviceId",
    "RemoteIP",
    "ConnectedPorts",
    "InitiatingProcessAccountSid",
    "AlertTitle",
    "AlertId",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_count_from_the_minimum_up() {
        let alerts = |min_severity| Alerts { min_severity };
        assert_eq!(
            alerts(AlertSeverity::Medium).severities(),
            ["Medium", "High"]
        );
        assert_eq!(alerts(AlertSeverity::High).severities(), ["High"]);
        assert_eq!(alerts(AlertSeverity::Informational).severities().len(), 4);
    }

    #[test]
    fn a_baseline_is_longer_than_zero() {
        assert!(Baseline::new("0d".parse().unwrap()).is_err());
        assert_eq!(
            Baseline::new("14d".parse().unwrap()).unwrap().to_string(),
            "14d"
        );
    }
}
