//! Rule files: a hunt written in a format a platform imports, beside its plain query.
//!
//! - [`RuleFormat::Kql`]: the query alone (`<hunt>.<platform>.kql`), as `render` prints it.
//! - [`RuleFormat::SentinelYaml`]: a Microsoft Sentinel hunting query in the YAML layout of the
//!   Azure-Sentinel repository (`<hunt>.sentinel.yaml`), see [`sentinel`].
//! - [`RuleFormat::SentinelRule`]: a Sentinel scheduled analytics rule in the YAML layout of the
//!   Azure-Sentinel repository's detections (`<hunt>.sentinel.rule.yaml`), see [`sentinel_rule`].
//! - [`RuleFormat::SentinelArm`]: an ARM deployment template holding the analytics rule (detection
//!   hunts) or the hunting query as a saved search (`<hunt>.sentinel.arm.json`), see [`arm`].
//! - [`RuleFormat::DefenderJson`]: the body of a Microsoft Graph v1.0 `detectionRule` (a Defender
//!   XDR custom detection rule, `<hunt>.defender.json`), see [`defender`].
//!
//! Every format embeds the query exactly as [`crate::render::render`] returns it for the
//! format's platform, so a rule file and the `.kql` file of a run never disagree. Scheduled
//! rules are refused ([`ExportError::Refused`]) when the hunt cannot be one: see [`schedule`].

use std::fmt;
use std::str::FromStr;

use kqlsmith_lint::Platform;

use crate::model::Hunt;
use crate::model::metadata::EntityMapping;
use crate::render::{self, RenderError};

pub mod arm;
pub mod defender;
pub mod schedule;
pub mod sentinel;
pub mod sentinel_rule;

/// What `render --emit` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleFormat {
    /// The query, for any platform.
    Kql,
    /// A Sentinel hunting query (YAML).
    SentinelYaml,
    /// A Sentinel scheduled analytics rule (YAML).
    SentinelRule,
    /// An ARM template of Sentinel content: an analytics rule or a saved search (JSON).
    SentinelArm,
    /// A Defender XDR custom detection rule (Microsoft Graph `detectionRule`, JSON).
    DefenderJson,
}

impl RuleFormat {
    /// Every format, in a stable order.
    pub const ALL: [RuleFormat; 5] = [
        RuleFormat::Kql,
        RuleFormat::SentinelYaml,
        RuleFormat::SentinelRule,
        RuleFormat::SentinelArm,
        RuleFormat::DefenderJson,
    ];

    /// The name `--emit` takes: `kql`, `sentinel-yaml`, `sentinel-rule`, `sentinel-arm`,
    /// `defender-json`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleFormat::Kql => "kql",
            RuleFormat::SentinelYaml => "sentinel-yaml",
            RuleFormat::SentinelRule => "sentinel-rule",
            RuleFormat::SentinelArm => "sentinel-arm",
            RuleFormat::DefenderJson => "defender-json",
        }
    }

    /// What a file of this format is, for messages.
    pub fn description(self) -> &'static str {
        match self {
            RuleFormat::Kql => "query",
            RuleFormat::SentinelYaml => "Sentinel hunting query",
            RuleFormat::SentinelRule => "Sentinel scheduled analytics rule",
            RuleFormat::SentinelArm => "Sentinel ARM template",
            RuleFormat::DefenderJson => "Defender XDR custom detection rule",
        }
    }

    /// The platform a rule format is for; `None` for plain queries, which every platform gets.
    pub fn platform_name(self) -> Option<&'static str> {
        match self {
            RuleFormat::Kql => None,
            RuleFormat::SentinelYaml | RuleFormat::SentinelRule | RuleFormat::SentinelArm => {
                Some("sentinel")
            }
            RuleFormat::DefenderJson => Some("defender"),
        }
    }

    /// The file a hunt is written to in this format for `platform`: `<hunt>.<platform>.kql`,
    /// `<hunt>.<platform>.yaml`, `<hunt>.<platform>.rule.yaml`, `<hunt>.<platform>.arm.json`
    /// or `<hunt>.<platform>.json`.
    pub fn file_name(self, hunt: &Hunt, platform: &Platform) -> Result<String, RenderError> {
        let query_file = render::file_name(hunt, platform)?;
        let stem = query_file.strip_suffix(".kql").unwrap_or(&query_file);
        Ok(match self {
            RuleFormat::Kql => query_file.clone(),
            RuleFormat::SentinelYaml => format!("{stem}.yaml"),
            RuleFormat::SentinelRule => format!("{stem}.rule.yaml"),
            RuleFormat::SentinelArm => format!("{stem}.arm.json"),
            RuleFormat::DefenderJson => format!("{stem}.json"),
        })
    }
}

impl fmt::Display for RuleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<RuleFormat, String> {
        RuleFormat::ALL
            .into_iter()
            .find(|format| format.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = RuleFormat::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown format `{text}`, expected one of {}",
                    known.join(", ")
                )
            })
    }
}

/// A hunt that cannot become the scheduled rule a format describes, why, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The hunt's name.
    pub hunt: String,
    /// The format asked for.
    pub format: RuleFormat,
    /// Why, and what to change.
    pub reason: String,
}

impl Refusal {
    /// Why a hunt that runs continuously cannot be a Sentinel scheduled rule.
    pub const CONTINUOUS: &'static str = "its frequency is continuous, and a Sentinel scheduled rule runs every 5 minutes to 14 days; set hunt.frequency to 1h, 3h, 12h or 24h";

    pub(crate) fn new(hunt: &Hunt, format: RuleFormat, reason: impl Into<String>) -> Refusal {
        Refusal {
            hunt: hunt.name().to_string(),
            format,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "hunt `{}` cannot be a {} (--emit {}): {}",
            self.hunt,
            self.format.description(),
            self.format,
            self.reason
        )
    }
}

impl From<Refusal> for ExportError {
    fn from(refusal: Refusal) -> ExportError {
        ExportError::Refused(Box::new(refusal))
    }
}

/// Why a rule file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The query itself could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// An entity mapping names a column the query does not return.
    #[error(
        "hunt `{hunt}`: the entity mapping names column `{column}`, which the query for {platform} does not return (it returns {returned})"
    )]
    UnknownColumn {
        /// The hunt's name.
        hunt: String,
        /// The platform the query was rendered for.
        platform: String,
        /// The column the mapping names.
        column: String,
        /// The columns the query returns, comma-separated.
        returned: String,
    },
    /// The hunt cannot be the scheduled rule the format describes.
    #[error("{0}")]
    Refused(Box<Refusal>),
    /// An entity mapping cannot be written in the format: it does not identify its entity
    /// there.
    #[error("hunt `{hunt}`: {message}")]
    Mapping {
        /// The hunt's name.
        hunt: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The serializer failed (a bug: every value is a string, list or map).
    #[error("cannot write the {format} file: {message}")]
    Serialize {
        /// The format being written.
        format: RuleFormat,
        /// The serializer's message.
        message: String,
    },
}

/// The text of `hunt` in `format`, for `platform` (for a rule format, the platform the format
/// is for; see [`RuleFormat::platform_name`]).
pub fn emit(hunt: &Hunt, format: RuleFormat, platform: &Platform) -> Result<String, ExportError> {
    match format {
        RuleFormat::Kql => Ok(render::render(hunt, platform)?),
        RuleFormat::SentinelYaml => sentinel::to_yaml(&sentinel::hunting_query(hunt, platform)?),
        RuleFormat::SentinelRule => {
            sentinel_rule::to_yaml(&sentinel_rule::analytics_rule(hunt, platform)?)
        }
        RuleFormat::SentinelArm => arm::to_json(&arm::template(hunt, platform)?),
        RuleFormat::DefenderJson => defender::to_json(&defender::detection_rule(hunt, platform)?),
    }
}

/// Checks that every column the entity mappings name is a result column of the query.
pub(crate) fn check_mapped_columns(hunt: &Hunt, platform: &Platform) -> Result<(), ExportError> {
    let returned = hunt.result_columns(&platform.time_column);
    let mappings: &[EntityMapping] = &hunt.metadata().entity_mappings;
    for field in mappings.iter().flat_map(|m| &m.fields) {
        if !returned.iter().any(|c| c == field.column.as_str()) {
            return Err(ExportError::UnknownColumn {
                hunt: hunt.name().to_string(),
                platform: platform.name.clone(),
                column: field.column.to_string(),
                returned: returned.join(", "),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{self, Override};

    #[test]
    fn formats_read_their_names_and_name_their_files() {
        for format in RuleFormat::ALL {
            assert_eq!(format.as_str().parse::<RuleFormat>(), Ok(format));
        }
        assert!(
            "yaml"
                .parse::<RuleFormat>()
                .unwrap_err()
                .contains("sentinel-yaml")
        );
        let hunt = profile::load_default(&[]).unwrap();
        let sentinel = Platform::builtin("sentinel").unwrap();
        let defender = Platform::builtin("defender").unwrap();
        assert_eq!(
            RuleFormat::SentinelYaml
                .file_name(&hunt, &sentinel)
                .unwrap(),
            "internal-connections.sentinel.yaml"
        );
        assert_eq!(
            RuleFormat::DefenderJson
                .file_name(&hunt, &defender)
                .unwrap(),
            "internal-connections.defender.json"
        );
        assert_eq!(
            RuleFormat::Kql.file_name(&hunt, &defender).unwrap(),
            "internal-connections.defender.kql"
        );
        assert_eq!(
            RuleFormat::SentinelRule
                .file_name(&hunt, &sentinel)
                .unwrap(),
            "internal-connections.sentinel.rule.yaml"
        );
        assert_eq!(
            RuleFormat::SentinelArm.file_name(&hunt, &sentinel).unwrap(),
            "internal-connections.sentinel.arm.json"
        );
    }

    #[test]
    fn a_mapping_of_a_column_the_query_does_not_return_is_an_error() {
        let hunt = profile::load_default(&[Override::new(
            "output.columns",
            "RemoteIP,ConnectedPorts",
            "test",
        )])
        .unwrap();
        let err = emit(
            &hunt,
            RuleFormat::SentinelYaml,
            &Platform::builtin("sentinel").unwrap(),
        )
        .unwrap_err();
        let ExportError::UnknownColumn { column, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(column, "RemoteDeviceName");
        assert!(
            err.to_string()
                .contains("it returns RemoteIP, ConnectedPorts"),
            "{err}"
        );
    }
}
