//! Platforms as data: what differs between Defender XDR and Sentinel, loaded from
//! `profiles/platforms/*.toml`. The shipped platforms are embedded in the binary; a user may
//! load another one from a file (say, a Sentinel workspace with custom tables).

use std::path::Path;

use serde::Deserialize;

/// A platform that runs KQL hunting queries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Short name used on the command line and in file names, e.g. `defender`.
    pub name: String,
    /// Human name, e.g. `Microsoft Defender XDR advanced hunting`.
    pub title: String,
    /// The column every table is timed by: `Timestamp` or `TimeGenerated`.
    pub time_column: String,
}

/// The platforms shipped with kqlsmith, as `(file name, TOML text)`.
const BUILTIN: &[(&str, &str)] = &[
    (
        "profiles/platforms/defender.toml",
        include_str!("../../../profiles/platforms/defender.toml"),
    ),
    (
        "profiles/platforms/sentinel.toml",
        include_str!("../../../profiles/platforms/sentinel.toml"),
    ),
];

/// A platform file that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("cannot read platform file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid platform file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("unknown platform `{name}` (known: {known})")]
    Unknown { name: String, known: String },
}

impl Platform {
    /// Parses a platform from TOML text; `origin` names the file in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Platform, PlatformError> {
        toml::from_str(text).map_err(|e| PlatformError::Invalid {
            path: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// Loads a platform from a TOML file.
    pub fn load(path: &Path) -> Result<Platform, PlatformError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlatformError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Platform::from_toml(&text, &path.display().to_string())
    }

    /// Every platform shipped with kqlsmith, in a stable order.
    pub fn builtins() -> Vec<Platform> {
        BUILTIN
            .iter()
            .map(|(origin, text)| {
                Platform::from_toml(text, origin)
                    .unwrap_or_else(|e| panic!("shipped platform file is invalid: {e}"))
            })
            .collect()
    }

    /// The shipped platform with this name (`defender`, `sentinel`).
    pub fn builtin(name: &str) -> Result<Platform, PlatformError> {
        let all = Platform::builtins();
        let known = all
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        all.iter()
            .find(|p| p.name == name)
            .cloned()
            .ok_or(PlatformError::Unknown {
                name: name.to_string(),
                known,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_platforms_load_with_their_time_columns() {
        assert_eq!(
            Platform::builtin("defender").unwrap().time_column,
            "Timestamp"
        );
        assert_eq!(
            Platform::builtin("sentinel").unwrap().time_column,
            "TimeGenerated"
        );
    }

    #[test]
    fn unknown_platform_names_the_known_ones() {
        let err = Platform::builtin("splunk").unwrap_err().to_string();
        assert!(
            err.contains("splunk") && err.contains("defender, sentinel"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_line() {
        let err = Platform::from_toml(
            "name = \"x\"\ntitle = \"x\"\ntime_column = \"T\"\ntime_colum = \"T\"\n",
            "x.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("x.toml") && err.contains("line 4") && err.contains("time_colum"),
            "{err}"
        );
    }
}
