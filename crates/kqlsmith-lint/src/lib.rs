//! KQL linting: platform schemas, the semantic model, rules and diagnostics.

pub mod platform;

pub use platform::{Platform, PlatformError};
