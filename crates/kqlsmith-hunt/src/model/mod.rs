//! The typed hunt models. A profile (`profiles/hunts/*.toml`) is one of them written in TOML;
//! its `hunt.kind` says which. Every value is checked while it is read, so that a wrong value
//! is reported with its file, line and field.
//!
//! - [`common`]: what every hunt shares (device, search window, exclusions, checked text).
//! - [`metadata`]: the `[hunt]` table: name, kind and what rule files say about the hunt.
//! - [`registry`]: what every hunt model provides ([`HuntModel`]) and the one list of hunts
//!   that [`HuntKind`] and [`Hunt`] are made from.
//! - [`internal_connections`], [`internal_connections_detection`] and [`remote_logons`]: one
//!   module a hunt.

pub mod common;
pub mod internal_connections;
pub mod internal_connections_detection;
pub mod metadata;
pub mod registry;
pub mod remote_logons;

pub use common::{
    AddressSelection, Device, DeviceMatch, HuntName, SearchWindow, SelfExclusion, Sid, Text,
};
pub use internal_connections::InternalConnections;
pub use internal_connections_detection::InternalConnectionsDetection;
pub use metadata::Metadata;
pub use registry::{Hunt, HuntKind, HuntModel, KindVisitor};
pub use remote_logons::RemoteLogons;
