//! KQL linting: platform schemas, the semantic model, rules and diagnostics.
//!
//! # Data
//!
//! The built-in platforms are compiled in from `data/platforms/`, a symbolic link to the
//! top-level `profiles/platforms/` (the files people edit). The crate reads only files
//! inside itself, and `cargo package` follows the link and ships the files themselves, so
//! the packaged crate builds alone.

pub mod config;
pub mod convert;
pub mod diagnostic;
pub mod fix;
pub mod functions;
pub mod infer;
pub mod ir;
mod linter;
mod lower;
pub mod output;
pub mod platform;
pub mod rules;
pub mod schema;
pub mod semantic;
pub mod suppression;
pub mod visit;

pub use config::{Config, ConfigError};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use fix::apply_fixes;
pub use infer::{Inference, infer_platform};
pub use linter::{FixError, Fixed, Linter};
pub use platform::{Platform, PlatformError};
