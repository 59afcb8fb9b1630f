//! Hunts: the typed hunt models, TOML profiles, askama rendering, KQL literal escaping, and
//! export to rule files (Sentinel hunting queries, analytics rules and ARM templates, Defender
//! XDR custom detection rules).
//!
//! ```
//! use kqlsmith_hunt::{profile, render};
//! use kqlsmith_lint::Platform;
//!
//! let overrides = [profile::Override::new("device.name", "ws-042", "example")];
//! let hunt = profile::load_default(&overrides).unwrap();
//! let query = render::render(&hunt, &Platform::builtin("sentinel").unwrap()).unwrap();
//! assert!(query.contains(r#"let CompromisedDevice = "ws-042";"#));
//! assert!(query.contains("TimeGenerated > ago(SearchWindow)"));
//! ```
//!
//! # A new hunt
//!
//! A hunt `foo` is its own files plus one line in the registry:
//!
//! 1. its model, `src/model/foo.rs`: the profile's tables as typed, checked values, and the
//!    model's [`HuntModel`](model::HuntModel) implementation (its `hunt.kind` name, device,
//!    data read, result columns, template text), declared in `src/model/mod.rs`;
//! 2. its view, `src/render/foo.rs`: what the template reads, declared in `src/render/mod.rs`;
//! 3. its template, `templates/foo.kql`;
//! 4. its profile, `profiles/hunts/foo.toml`, named like its kind (it lists every key `--set`
//!    accepts), which the build script ships ([`profile::SHIPPED`]);
//! 5. its replay scenarios, `tests/replay/scenarios/foo/` (a scale run also needs its
//!    known answer in the replay harness, `tests/replay/harness/scale.py`);
//! 6. one line, its model type, in the `hunts!` list of `src/model/registry.rs`, which makes
//!    [`HuntKind`], [`Hunt`] and every match over them.
//!
//! # Data
//!
//! The built-in hunt profiles are compiled in from `data/hunts/` and the askama templates
//! read from `templates/` (`askama.toml`): both are symbolic links to the top-level
//! `profiles/hunts/` and `templates/`, the files people edit. The crate reads only files
//! inside itself, and `cargo package` follows the links and ships the files themselves, so
//! the packaged crate builds alone.

pub mod cidr;
pub mod export;
pub mod kql;
pub mod model;
pub mod profile;
pub mod render;
pub mod timespan;

pub use cidr::Cidr;
pub use export::{ExportError, RuleFormat};
pub use model::{Hunt, HuntKind, InternalConnections, InternalConnectionsDetection, RemoteLogons};
pub use profile::{Override, ProfileError};
pub use render::{RenderError, render};
pub use timespan::Timespan;
