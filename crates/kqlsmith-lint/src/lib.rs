//! KQL linting: platform schemas, the semantic model, rules and diagnostics.

pub mod platform;
pub mod schema;

pub use platform::{Platform, PlatformError};
