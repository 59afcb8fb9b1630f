//! The typed hunt models. A profile (`profiles/hunts/*.toml`) is one of them written in TOML;
//! its `hunt.kind` says which. Every value is checked while it is read, so that a wrong value
//! is reported with its file, line and field.
//!
//! - [`common`]: what every hunt shares (device, search window, exclusions, checked text).
//! - [`metadata`]: the `[hunt]` table: name, kind and what rule files say about the hunt.
//! - [`internal_connections`], [`internal_connections_detection`] and [`remote_logons`]: one
//!   module a hunt.

pub mod common;
pub mod internal_connections;
pub mod internal_connections_detection;
pub mod metadata;
pub mod remote_logons;

pub use common::{
    AddressSelection, Device, DeviceMatch, HuntName, SearchWindow, SelfExclusion, Sid, Text,
};
pub use internal_connections::InternalConnections;
pub use internal_connections_detection::InternalConnectionsDetection;
pub use metadata::{HuntKind, Metadata};
pub use remote_logons::RemoteLogons;

/// A hunt of any kind, as loaded from a profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Hunt {
    /// Internal connections made by a compromised device.
    InternalConnections(InternalConnections),
    /// Logons made from a compromised device to other devices.
    RemoteLogons(RemoteLogons),
    /// New internal connections over remote-administration ports made by alerted devices.
    InternalConnectionsDetection(InternalConnectionsDetection),
}

impl Hunt {
    /// The `[hunt]` table: name, kind, title and rule metadata.
    pub fn metadata(&self) -> &Metadata {
        match self {
            Hunt::InternalConnections(hunt) => &hunt.hunt,
            Hunt::RemoteLogons(hunt) => &hunt.hunt,
            Hunt::InternalConnectionsDetection(hunt) => &hunt.hunt,
        }
    }

    /// The hunt's short name, used in file names: `internal-connections`.
    pub fn name(&self) -> &HuntName {
        &self.metadata().name
    }

    /// Which hunt this is.
    pub fn kind(&self) -> HuntKind {
        match self {
            Hunt::InternalConnections(_) => HuntKind::InternalConnections,
            Hunt::RemoteLogons(_) => HuntKind::RemoteLogons,
            Hunt::InternalConnectionsDetection(_) => HuntKind::InternalConnectionsDetection,
        }
    }

    /// The device under investigation; `None` for a hunt over every device (a detection).
    pub fn device(&self) -> Option<&Device> {
        match self {
            Hunt::InternalConnections(hunt) => Some(&hunt.device),
            Hunt::RemoteLogons(hunt) => Some(&hunt.device),
            Hunt::InternalConnectionsDetection(_) => None,
        }
    }

    /// How far back the query reads data, in milliseconds: its window, and the baseline and
    /// the extra `DeviceNetworkInfo` lookback where it has them.
    pub fn reads(&self) -> u64 {
        match self {
            Hunt::InternalConnections(hunt) => {
                hunt.search.window.timespan().as_millis() + hunt.remote_device.lookback.as_millis()
            }
            Hunt::RemoteLogons(hunt) => {
                hunt.search.window.timespan().as_millis()
                    + hunt.device_addresses.lookback.as_millis()
            }
            Hunt::InternalConnectionsDetection(hunt) => {
                hunt.search.window.timespan().as_millis()
                    + hunt.search.baseline.timespan().as_millis()
                    + hunt.remote_device.lookback.as_millis()
            }
        }
    }

    /// The names of the query's result columns, in order, for a platform whose time column
    /// is `time_column`.
    pub fn result_columns(&self, time_column: &str) -> Vec<String> {
        match self {
            Hunt::InternalConnections(hunt) => hunt
                .output
                .columns
                .iter()
                .map(|c| match c {
                    internal_connections::OutputColumn::Timestamp => time_column.to_string(),
                    other => other.name().to_string(),
                })
                .collect(),
            Hunt::RemoteLogons(hunt) => {
                let device_logons = hunt
                    .search
                    .sources
                    .contains(&remote_logons::LogonSource::DeviceLogonEvents);
                remote_logons::RESULT_COLUMNS
                    .iter()
                    .filter(|c| device_logons || **c != "TargetDeviceId")
                    .map(|c| c.replace("{time}", time_column))
                    .collect()
            }
            Hunt::InternalConnectionsDetection(_) => internal_connections_detection::RESULT_COLUMNS
                .iter()
                .map(|c| c.replace("{time}", time_column))
                .collect(),
        }
    }
}

impl From<InternalConnections> for Hunt {
    fn from(hunt: InternalConnections) -> Hunt {
        Hunt::InternalConnections(hunt)
    }
}

impl From<InternalConnectionsDetection> for Hunt {
    fn from(hunt: InternalConnectionsDetection) -> Hunt {
        Hunt::InternalConnectionsDetection(hunt)
    }
}

impl From<RemoteLogons> for Hunt {
    fn from(hunt: RemoteLogons) -> Hunt {
        Hunt::RemoteLogons(hunt)
    }
}
