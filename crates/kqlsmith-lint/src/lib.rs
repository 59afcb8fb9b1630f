//! KQL linting: platform schemas, the semantic model, rules and diagnostics.

pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod functions;
pub mod output;
pub mod platform;
pub mod rules;
pub mod schema;
pub mod suppression;

pub use config::{Config, ConfigError};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use fix::apply_fixes;
pub use platform::{Platform, PlatformError};
