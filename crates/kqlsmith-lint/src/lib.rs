//! KQL linting: platform schemas, the semantic model, rules and diagnostics.
