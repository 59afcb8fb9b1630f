//! Hunts: the typed hunt model, TOML profiles, askama rendering and KQL literal escaping.
