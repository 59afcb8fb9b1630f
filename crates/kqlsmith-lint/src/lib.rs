//! KQL linting: platform schemas, the semantic model, rules and diagnostics.

pub mod analysis;
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
