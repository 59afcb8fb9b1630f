//! The typed model of the hunt *internal connections made by a compromised device*: every knob
//! of the published query, named and typed. A profile (`profiles/hunts/*.toml`) is this model
//! written in TOML; every value is checked while it is read, so that a wrong value is reported
//! with its file, line and field.

use kqlsmith_lint::Platform;
use serde::{Deserialize, Serialize};

use super::common::{
    AddressSelection, Device, SearchWindow, SelfExclusion, Sid, Text, non_empty_unique, unique,
};
use super::metadata::Metadata;
use super::registry::HuntModel;
use crate::cidr::Cidr;
use crate::render::{self, RenderError};
use crate::timespan::Timespan;

/// The hunt: which device, when, which connections, which filters, how the remote device is
/// named and what comes out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalConnections {
    /// What the hunt is; read by exports to rule files.
    pub hunt: Metadata,
    /// The device under investigation.
    pub device: Device,
    /// How far back to look and which connection events count.
    pub search: Search,
    /// Connections left out before the remote devices are looked up.
    pub filters: Filters,
    /// How a remote address is turned into a device name.
    pub remote_device: RemoteDevice,
    /// The columns of the result and whether the query explains itself.
    pub output: Output,
}

impl HuntModel for InternalConnections {
    const KIND: &'static str = "internal-connections";

    fn metadata(&self) -> &Metadata {
        &self.hunt
    }

    fn device(&self) -> Option<&Device> {
        Some(&self.device)
    }

    fn reads(&self) -> u64 {
        self.search.window.timespan().as_millis() + self.remote_device.lookback.as_millis()
    }

    fn result_columns(&self, time_column: &str) -> Vec<String> {
        self.output
            .columns
            .iter()
            .map(|c| match c {
                OutputColumn::Timestamp => time_column.to_string(),
                other => other.name().to_string(),
            })
            .collect()
    }

    fn query_text(&self, platform: &Platform) -> Result<String, RenderError> {
        render::internal_connections::query_text(self, platform)
    }
}

/// The search window and the connection events that count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// How far back to look: a KQL timespan longer than zero, such as `30m`, `48h` or `7d`.
    pub window: SearchWindow,
    /// The `DeviceNetworkEvents` action types that count as a connection.
    #[serde(deserialize_with = "non_empty_unique")]
    pub action_types: Vec<ActionType>,
    /// Rewrite IPv4-mapped IPv6 remote addresses (`::ffff:10.0.0.5`) as plain IPv4
    /// (`10.0.0.5`), so that they count as private and match the addresses devices report.
    pub unmap_ipv4: bool,
}

/// The `ActionType` values of `DeviceNetworkEvents` that describe a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionType {
    ConnectionSuccess,
    ConnectionFailed,
    ConnectionAttempt,
    ConnectionRequest,
    ConnectionAcknowledged,
    ConnectionFound,
    InboundConnectionAccepted,
    ListeningConnectionCreated,
}

impl ActionType {
    /// The value as stored in the `ActionType` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::ConnectionSuccess => "ConnectionSuccess",
            ActionType::ConnectionFailed => "ConnectionFailed",
            ActionType::ConnectionAttempt => "ConnectionAttempt",
            ActionType::ConnectionRequest => "ConnectionRequest",
            ActionType::ConnectionAcknowledged => "ConnectionAcknowledged",
            ActionType::ConnectionFound => "ConnectionFound",
            ActionType::InboundConnectionAccepted => "InboundConnectionAccepted",
            ActionType::ListeningConnectionCreated => "ListeningConnectionCreated",
        }
    }
}

/// Connections left out before the remote devices are looked up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// `InitiatingProcessFileName` values to leave out (`sensendr.exe`: Defender for
    /// Endpoint's own device discovery).
    #[serde(deserialize_with = "unique")]
    pub excluded_processes: Vec<Text>,
    /// `InitiatingProcessAccountName` values to leave out (`local service`). Account names
    /// depend on the language of the system.
    #[serde(deserialize_with = "unique")]
    pub excluded_account_names: Vec<Text>,
    /// `InitiatingProcessAccountSid` values to leave out (`S-1-5-19`, LocalService).
    #[serde(deserialize_with = "unique")]
    pub excluded_account_sids: Vec<Sid>,
    /// Compare process and account names in any case (`!~`, `!in~`) rather than exactly.
    pub case_insensitive_names: bool,
    /// Keep only connections to private addresses (`ipv4_is_private`, plus `private_ranges`).
    pub private_only: bool,
    /// More ranges that count as private, IPv4 or IPv6, matched with `ipv6_is_match`
    /// (`fc00::/7`: IPv6 unique local addresses).
    #[serde(deserialize_with = "unique")]
    pub private_ranges: Vec<Cidr>,
    /// Drop remote addresses whose connected ports all belong to one of `benign_port_sets`.
    pub benign_ports: bool,
    /// Port sets that are known to be benign on their own.
    #[serde(deserialize_with = "unique")]
    pub benign_port_sets: Vec<PortSet>,
}

/// A set of ports known to be benign when a device connects to nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSet {
    /// What the traffic is: `Microsoft Edge media casting`.
    pub name: Text,
    /// The ports.
    #[serde(deserialize_with = "non_empty_unique")]
    pub ports: Vec<u16>,
}

/// How a remote address is turned into a device name, from `DeviceNetworkInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteDevice {
    /// Which addresses of a device's `IPAddresses` are looked up.
    pub addresses: AddressSelection,
    /// Addresses never used to name a device, such as link-local ranges that every network
    /// reuses (`169.254.0.0/16`, `fe80::/10`).
    #[serde(deserialize_with = "unique")]
    pub excluded_ranges: Vec<Cidr>,
    /// Which reports are read: only those of the addresses the device connected to, or every
    /// report of the tenant (as published).
    pub lookup: Lookup,
    /// Which report of an address names the device.
    pub resolve: Resolution,
    /// How much further back than the search window to read `DeviceNetworkInfo`, so that a
    /// device that reported its address before the window is still found (`0d`: no further).
    pub lookback: Timespan,
    /// How connections of the device to itself are left out.
    pub exclude_self: SelfExclusion,
}

/// Which `DeviceNetworkInfo` reports are read to name the remote devices. Both give the same
/// rows; they differ in what the query costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lookup {
    /// Only the reports that list an address the device connected to, found by the terms of
    /// the raw `IPAddresses` before any is expanded: the cost follows the connections.
    ConnectedAddresses,
    /// Every report of every device in the window, expanded and filtered, then joined to the
    /// connections (as published): the cost follows the size of the tenant.
    EveryReport,
}

/// Which `DeviceNetworkInfo` report of an address names the remote device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// Every device that had the address at any time in the window, as published: the
    /// connections are summarized by address first, then joined to every holder.
    AnyInWindow,
    /// For each connection, the device that reported the address last before it or, when
    /// none did, first after it; the result has a row per address and remote device.
    NearestBefore,
}

/// The result: which columns, and whether the query carries explanatory comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// The columns of the result, in order.
    #[serde(deserialize_with = "non_empty_unique")]
    pub columns: Vec<OutputColumn>,
    /// Emit `//` comments that explain each step.
    pub comments: bool,
    /// Spell operators as the published query does: `<>` for one process name compared
    /// exactly, and `IsPrivateAddress == 1`. The meaning is the same; kqlsmith's linter
    /// reports both spellings (KQL402, KQL204).
    pub published_spelling: bool,
}

/// A column of the result. A row is a remote address and the device that had it (as
/// published, with `resolve = any-in-window`: a remote address, joined to every device that
/// had it); "the last connection" is the last one to that device at that address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutputColumn {
    /// The remote address.
    RemoteIP,
    /// The name of the device that had the remote address.
    RemoteDeviceName,
    /// The `DeviceId` of that device.
    RemoteDeviceId,
    /// Every remote port connected to.
    ConnectedPorts,
    /// The name of the device under investigation, as stored, in a column named like the
    /// query's `let CompromisedDevice` (as published), which it hides from there on.
    CompromisedDevice,
    /// The name of the device under investigation, as stored (`DeviceName`).
    CompromisedDeviceName,
    /// The time of the last connection.
    LastConnectionTime,
    /// The time of the last connection, named after the platform's time column
    /// (`Timestamp` in Defender XDR, `TimeGenerated` in Sentinel), as a Defender XDR custom
    /// detection requires.
    Timestamp,
    /// The remaining columns are those of the last connection's `DeviceNetworkEvents` row.
    RemoteUrl,
    Protocol,
    LocalIP,
    InitiatingProcessFileName,
    InitiatingProcessCommandLine,
    InitiatingProcessAccountDomain,
    InitiatingProcessAccountName,
    InitiatingProcessAccountSid,
    InitiatingProcessAccountUpn,
    /// The last connection's `ReportId` (a Defender XDR custom detection requires it).
    ReportId,
}

impl OutputColumn {
    /// The column's name in the profile, and in the result (except [`OutputColumn::Timestamp`],
    /// which takes the platform's time column name).
    pub fn name(self) -> &'static str {
        match self {
            OutputColumn::RemoteIP => "RemoteIP",
            OutputColumn::RemoteDeviceName => "RemoteDeviceName",
            OutputColumn::RemoteDeviceId => "RemoteDeviceId",
            OutputColumn::ConnectedPorts => "ConnectedPorts",
            OutputColumn::CompromisedDevice => "CompromisedDevice",
            OutputColumn::CompromisedDeviceName => "CompromisedDeviceName",
            OutputColumn::LastConnectionTime => "LastConnectionTime",
            OutputColumn::Timestamp => "Timestamp",
            OutputColumn::RemoteUrl => "RemoteUrl",
            OutputColumn::Protocol => "Protocol",
            OutputColumn::LocalIP => "LocalIP",
            OutputColumn::InitiatingProcessFileName => "InitiatingProcessFileName",
            OutputColumn::InitiatingProcessCommandLine => "InitiatingProcessCommandLine",
            OutputColumn::InitiatingProcessAccountDomain => "InitiatingProcessAccountDomain",
            OutputColumn::InitiatingProcessAccountName => "InitiatingProcessAccountName",
            OutputColumn::InitiatingProcessAccountSid => "InitiatingProcessAccountSid",
            OutputColumn::InitiatingProcessAccountUpn => "InitiatingProcessAccountUpn",
            OutputColumn::ReportId => "ReportId",
        }
    }

    /// True for the columns copied from the last connection's `DeviceNetworkEvents` row.
    pub fn is_event_column(self) -> bool {
        !matches!(
            self,
            OutputColumn::RemoteIP
                | OutputColumn::RemoteDeviceName
                | OutputColumn::RemoteDeviceId
                | OutputColumn::ConnectedPorts
                | OutputColumn::CompromisedDevice
                | OutputColumn::CompromisedDeviceName
                | OutputColumn::LastConnectionTime
                | OutputColumn::Timestamp
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_columns_are_those_of_the_network_event() {
        assert!(OutputColumn::RemoteUrl.is_event_column());
        assert!(OutputColumn::InitiatingProcessAccountUpn.is_event_column());
        assert!(!OutputColumn::RemoteDeviceName.is_event_column());
        assert!(!OutputColumn::LastConnectionTime.is_event_column());
        assert!(!OutputColumn::CompromisedDeviceName.is_event_column());
    }
}
