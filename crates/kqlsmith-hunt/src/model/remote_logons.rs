//! The typed model of the hunt *logons made from a compromised device to other devices*: the
//! devices that recorded a logon coming from one of the compromised device's addresses
//! (`DeviceLogonEvents`, Defender for Endpoint), and the logons that domain controllers saw
//! from the device (`IdentityLogonEvents`, Defender for Identity). It shares the device, the
//! search window, the address lookup and the exclusions with the internal-connections hunt.

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

/// The hunt: which device, when, which logons, which of the device's addresses and which
/// accounts are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteLogons {
    /// What the hunt is; read by exports to rule files.
    pub hunt: Metadata,
    /// The device under investigation.
    pub device: Device,
    /// How far back to look and which logon events count.
    pub search: Search,
    /// How the device's own addresses are found, to recognise logons coming from it.
    pub device_addresses: DeviceAddresses,
    /// Logons left out.
    pub filters: Filters,
    /// Whether the query explains itself.
    pub output: Output,
}

impl HuntModel for RemoteLogons {
    const KIND: &'static str = "remote-logons";

    fn metadata(&self) -> &Metadata {
        &self.hunt
    }

    fn device(&self) -> Option<&Device> {
        Some(&self.device)
    }

    fn reads(&self) -> u64 {
        self.search.window.timespan().as_millis() + self.device_addresses.lookback.as_millis()
    }

    fn result_columns(&self, time_column: &str) -> Vec<String> {
        let device_logons = self
            .search
            .sources
            .contains(&LogonSource::DeviceLogonEvents);
        RESULT_COLUMNS
            .iter()
            .filter(|c| device_logons || **c != "TargetDeviceId")
            .map(|c| c.replace("{time}", time_column))
            .collect()
    }

    fn query_text(&self, platform: &Platform) -> Result<String, RenderError> {
        render::remote_logons::query_text(self, platform)
    }
}

/// The search window and the logon events that count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// How far back to look: a KQL timespan longer than zero, such as `30m`, `48h` or `7d`.
    pub window: SearchWindow,
    /// The tables the logons come from.
    #[serde(deserialize_with = "non_empty_unique")]
    pub sources: Vec<LogonSource>,
    /// The `ActionType` values that count.
    #[serde(deserialize_with = "non_empty_unique")]
    pub action_types: Vec<LogonAction>,
    /// The `LogonType` values of `DeviceLogonEvents` that count (a logon from another device
    /// is `Network` or `RemoteInteractive`); empty for all. `IdentityLogonEvents` names its
    /// logon types differently and is not filtered by them.
    #[serde(deserialize_with = "unique")]
    pub device_logon_types: Vec<DeviceLogonType>,
}

/// A table of logon events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogonSource {
    /// Logons recorded by the device logged on to (Defender for Endpoint); the logon comes
    /// from the compromised device when `RemoteIP` is one of its addresses.
    DeviceLogonEvents,
    /// Logons seen by domain controllers (Defender for Identity); `DeviceName` and
    /// `IPAddress` are the device the logon comes from, `DestinationDeviceName` the target.
    IdentityLogonEvents,
}

impl LogonSource {
    /// The table's name.
    pub fn table(self) -> &'static str {
        match self {
            LogonSource::DeviceLogonEvents => "DeviceLogonEvents",
            LogonSource::IdentityLogonEvents => "IdentityLogonEvents",
        }
    }
}

/// The `ActionType` values of logon events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogonAction {
    LogonSuccess,
    LogonFailed,
    LogonAttempted,
}

impl LogonAction {
    /// The value as stored in the `ActionType` column.
    pub fn as_str(self) -> &'static str {
        match self {
            LogonAction::LogonSuccess => "LogonSuccess",
            LogonAction::LogonFailed => "LogonFailed",
            LogonAction::LogonAttempted => "LogonAttempted",
        }
    }
}

/// The `LogonType` values of `DeviceLogonEvents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceLogonType {
    Interactive,
    Network,
    Batch,
    Service,
    RemoteInteractive,
    Unlock,
    NetworkCleartext,
    NewCredentials,
    CachedInteractive,
    CachedRemoteInteractive,
    CachedUnlock,
}

impl DeviceLogonType {
    /// The value as stored in the `LogonType` column.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceLogonType::Interactive => "Interactive",
            DeviceLogonType::Network => "Network",
            DeviceLogonType::Batch => "Batch",
            DeviceLogonType::Service => "Service",
            DeviceLogonType::RemoteInteractive => "RemoteInteractive",
            DeviceLogonType::Unlock => "Unlock",
            DeviceLogonType::NetworkCleartext => "NetworkCleartext",
            DeviceLogonType::NewCredentials => "NewCredentials",
            DeviceLogonType::CachedInteractive => "CachedInteractive",
            DeviceLogonType::CachedRemoteInteractive => "CachedRemoteInteractive",
            DeviceLogonType::CachedUnlock => "CachedUnlock",
        }
    }
}

/// How the device's own addresses are read from `DeviceNetworkInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceAddresses {
    /// Which addresses of the device's `IPAddresses` count.
    pub addresses: AddressSelection,
    /// Addresses that never identify the device, such as link-local ranges that every
    /// network reuses (`169.254.0.0/16`, `fe80::/10`).
    #[serde(deserialize_with = "unique")]
    pub excluded_ranges: Vec<Cidr>,
    /// How much further back than the search window to read `DeviceNetworkInfo`, so that an
    /// address the device reported before the window still counts (`0d`: no further).
    pub lookback: Timespan,
}

/// Logons left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// `AccountName` values to leave out.
    #[serde(deserialize_with = "unique")]
    pub excluded_account_names: Vec<Text>,
    /// `AccountSid` values to leave out (`S-1-5-18`, LocalSystem).
    #[serde(deserialize_with = "unique")]
    pub excluded_account_sids: Vec<Sid>,
    /// Compare account names in any case (`!~`, `!in~`) rather than exactly.
    pub case_insensitive_names: bool,
    /// How logons on the device itself are left out (`by-device-id` falls back to the name
    /// for `IdentityLogonEvents`, which has no device id for the target).
    pub exclude_self: SelfExclusion,
}

/// Whether the query carries explanatory comments. The result columns are fixed: see
/// [`RESULT_COLUMNS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Emit `//` comments that explain each step.
    pub comments: bool,
}

/// The result columns, one row per target device and account; `{time}` is the platform's
/// time column (the time of the last logon), and `TargetDeviceId` is there only when
/// `DeviceLogonEvents` is read.
pub const RESULT_COLUMNS: &[&str] = &[
    "{time}",
    "TargetDeviceName",
    "TargetDeviceId",
    "AccountDomain",
    "AccountName",
    "AccountSid",
    "SourceIP",
    "Protocol",
    "LogonTypes",
    "LogonCount",
    "FirstLogonTime",
    "Sources",
    "ReportId",
];
