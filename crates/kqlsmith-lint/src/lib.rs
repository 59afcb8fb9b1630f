//! KQL linting: platform schemas, the binder, rules and diagnostics.
//!
//! One core, read by every consumer: the syntax crate's parser gives the tree, [`ir`] is
//! its typed view, and the binder ([`semantic`]) says what every name means and which
//! columns every stage has, with Kusto's own names for the columns a query does not name
//! ([`semantic::naming`]). The rules, the converter ([`convert`]) and editors
//! ([`binding`]) read its side tables; none of them follows columns on its own.
//!
//! # What a change touches (counted)
//!
//! - **A new rule: 2 files and 1 line.** `src/rules/<name>.rs` (its `declare_rule!` with the
//!   documentation, and its `check`), its fixtures `tests/fixtures/<name>/{bad,good}*.kql`
//!   (with the snapshots they make), and one line in the `register!` list of
//!   `src/rules/mod.rs`; one more in its `WHOLE_SCRIPT` list when the rule reads what the
//!   whole script makes (tables, table scans, the uses of a `let`) rather than the names,
//!   calls and expressions of one stage, as a big text is checked a stage at a time.
//! - **A new platform: 2 data files.** `profiles/platforms/<name>.toml` and its `.tables`
//!   schema; the build script (`build.rs`) lists the folder and compiles every platform in.
//!   `lint --platform`, `convert --from/--to`, `render --platform`, the configuration's
//!   `platform =` and platform inference ([`infer`]: time columns and tables) take their
//!   choices from the shipped platforms: no enum, list or name in code names one.
//! - **A new operator: 7 files, 10 when it changes the columns.** The grammar
//!   (`kql.pest`), the parser (`parser/query.rs`), the tree (`ast/query.rs`, with its
//!   `keyword`), the printer (`print.rs`), the formatter (`format/layout/operator.rs`) and
//!   the syntax visitor (`visit.rs`) in the syntax crate; here `src/lower.rs`, whose one
//!   `match` over the operators has no catch-all arm. An operator with columns of its own
//!   adds its [`ir::StageKind`] variant (`src/ir.rs`), and the compiler then asks for it in
//!   the binder (`src/semantic/mod.rs`, with the [`semantic::Lineage`] of the columns it
//!   makes) and the visitor (`src/visit.rs`); the converter reads the binder and needs no
//!   change. None of these matches operators with a catch-all arm, so the compiler lists
//!   every place.
//! - **A new hunt: nothing here.** Its model, view, template, profile and replay scenarios
//!   are the hunt crate's, plus one line in its registry (`model/registry.rs`); the crate's
//!   documentation counts the list.
//!
//! # Data
//!
//! The built-in platforms are compiled in from `data/platforms/`, a symbolic link to the
//! top-level `profiles/platforms/` (the files people edit). The crate reads only files
//! inside itself, and `cargo package` follows the link and ships the files themselves, so
//! the packaged crate builds alone.

pub mod binding;
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
pub mod signatures;
pub mod suppression;
pub mod visit;

/// The public corpus, for the unit tests that compare two ways of doing the same thing.
#[cfg(test)]
#[path = "../../../tests/support/corpus.rs"]
mod corpus;

pub use config::{Config, ConfigError};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, Severity};
pub use fix::apply_fixes;
pub use infer::{Inference, infer_platform};
pub use linter::{FixError, Fixed, Linter};
pub use platform::{Platform, PlatformError};
