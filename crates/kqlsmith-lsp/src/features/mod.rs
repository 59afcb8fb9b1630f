//! The editor features, one module a request family. Each reads a [`crate::document::Document`]
//! through its KQL regions and returns byte ranges of the document (or LSP values built from
//! them).

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod formatting;
pub mod hover;
pub mod navigation;
pub mod signature;
pub mod tokens;
