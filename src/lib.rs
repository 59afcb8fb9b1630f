//! kqlsmith: generate and lint KQL hunting queries for Microsoft Defender XDR and Microsoft Sentinel.
//!
//! This crate is the facade over the workspace's crates.

pub use kqlsmith_hunt as hunt;
pub use kqlsmith_lint as lint;
pub use kqlsmith_syntax as syntax;
