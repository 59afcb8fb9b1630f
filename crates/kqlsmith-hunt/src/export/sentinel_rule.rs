//! Microsoft Sentinel scheduled analytics rules, in the YAML layout of the Azure-Sentinel
//! repository's `Detections` folder: `id`, `name`, `description`, `severity`,
//! `requiredDataConnectors`, `queryFrequency`, `queryPeriod`, `triggerOperator`,
//! `triggerThreshold`, `tactics`, `relevantTechniques`, `query`, `entityMappings`,
//! `customDetails` (when the profile names some), `eventGroupingSettings`,
//! `incidentConfiguration`, `version` and `kind: Scheduled`.
//!
//! The rule raises an alert when the query returns any row (`gt 0`). It runs at the hunt's
//! frequency and reads what the query reads (see [`schedule::sentinel_schedule`]). The `id`
//! is stable like a hunting query's, in its own namespace ([`RULE_NAMESPACE`]), so a hunt's
//! hunting query and analytics rule never share one.

use std::collections::BTreeMap;

use kqlsmith_lint::Platform;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::sentinel::{self, EntityMapping, RequiredDataConnector};
use super::{ExportError, RuleFormat, check_mapped_columns, schedule};
use crate::model::Hunt;
use crate::render;

/// The namespace of analytics rule ids: `uuid_v5(NAMESPACE_URL, "urn:kqlsmith:rules")`.
pub const RULE_NAMESPACE: Uuid = Uuid::from_u128(0x6f833415_5256_5313_acec_2be68fb58797);

/// How long Sentinel's incident grouping looks back when grouping is off (its default).
const GROUPING_LOOKBACK: &str = "5h";

/// An analytics rule file. Field order is the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsRule {
    /// A GUID, stable for the hunt.
    pub id: String,
    /// The hunt's title.
    pub name: String,
    /// The profile's summary (at most 255 characters).
    pub description: String,
    /// `High`, `Medium`, `Low` or `Informational`.
    pub severity: String,
    /// The connectors and tables the query needs.
    pub required_data_connectors: Vec<RequiredDataConnector>,
    /// How often the rule runs: `12h`, `1d`.
    pub query_frequency: String,
    /// How far back each run reads: `2d`.
    pub query_period: String,
    /// `gt`: an alert when the query returns more rows than the threshold.
    pub trigger_operator: String,
    /// `0`.
    pub trigger_threshold: u32,
    /// MITRE ATT&CK tactics.
    pub tactics: Vec<String>,
    /// MITRE ATT&CK techniques.
    pub relevant_techniques: Vec<String>,
    /// The query, exactly as `kqlsmith render --platform sentinel` prints it.
    pub query: String,
    /// Which result columns name which entities.
    pub entity_mappings: Vec<EntityMapping>,
    /// Result columns attached to each alert, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_details: BTreeMap<String, String>,
    /// How the rows of a run become alerts.
    pub event_grouping_settings: EventGroupingSettings,
    /// Whether alerts open incidents.
    pub incident_configuration: IncidentConfiguration,
    /// The hunt's content version.
    pub version: String,
    /// `Scheduled`.
    pub kind: String,
}

/// `eventGroupingSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventGroupingSettings {
    /// `AlertPerResult` or `SingleAlert`.
    pub aggregation_kind: String,
}

/// `incidentConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IncidentConfiguration {
    /// Whether each alert opens an incident.
    pub create_incident: bool,
    /// Alerts are not grouped into incidents.
    pub grouping_configuration: GroupingConfiguration,
}

/// `groupingConfiguration`: off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupingConfiguration {
    /// `false`.
    pub enabled: bool,
    /// `false`.
    pub reopen_closed_incident: bool,
    /// `5h`.
    pub lookback_duration: String,
    /// `AllEntities`.
    pub matching_method: String,
}

/// The stable id of a hunt's analytics rule.
pub fn rule_id(hunt: &Hunt) -> Uuid {
    Uuid::new_v5(&RULE_NAMESPACE, hunt.name().as_str().as_bytes())
}

/// The analytics rule of `hunt`, with its query rendered for `platform` (Sentinel's). Refused
/// when the hunt cannot be a scheduled rule.
pub fn analytics_rule(hunt: &Hunt, platform: &Platform) -> Result<AnalyticsRule, ExportError> {
    let query = render::render(hunt, platform)?;
    schedule::check(hunt, RuleFormat::SentinelRule, platform)?;
    let (frequency, period) = schedule::sentinel_schedule(hunt, RuleFormat::SentinelRule)?;
    check_mapped_columns(hunt, platform)?;
    check_custom_details(hunt, platform)?;
    let meta = hunt.metadata();
    Ok(AnalyticsRule {
        id: rule_id(hunt).to_string(),
        name: meta.title.to_string(),
        description: meta.summary.as_str().to_string(),
        severity: meta.severity.sentinel_name().to_string(),
        required_data_connectors: sentinel::required_data_connectors(hunt),
        query_frequency: schedule::short(frequency),
        query_period: schedule::short(period),
        trigger_operator: "gt".to_string(),
        trigger_threshold: 0,
        tactics: sentinel::tactics(hunt),
        relevant_techniques: sentinel::techniques(hunt),
        query,
        entity_mappings: sentinel::entity_mappings(hunt),
        custom_details: meta
            .custom_details
            .iter()
            .map(|(name, column)| (name.to_string(), column.to_string()))
            .collect(),
        event_grouping_settings: EventGroupingSettings {
            aggregation_kind: meta.event_grouping.as_str().to_string(),
        },
        incident_configuration: IncidentConfiguration {
            create_incident: meta.create_incident,
            grouping_configuration: GroupingConfiguration {
                enabled: false,
                reopen_closed_incident: false,
                lookback_duration: GROUPING_LOOKBACK.to_string(),
                matching_method: "AllEntities".to_string(),
            },
        },
        version: meta.version.to_string(),
        kind: "Scheduled".to_string(),
    })
}

/// Checks that every custom detail names a column the query returns.
pub(crate) fn check_custom_details(hunt: &Hunt, platform: &Platform) -> Result<(), ExportError> {
    let returned = hunt.result_columns(&platform.time_column);
    for (name, column) in &hunt.metadata().custom_details {
        if !returned.iter().any(|c| c == column.as_str()) {
            return Err(ExportError::Mapping {
                hunt: hunt.name().to_string(),
                message: format!(
                    "custom detail `{name}` names column `{column}`, which the query for {} does not return (it returns {})",
                    platform.name,
                    returned.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// The YAML text of an analytics rule.
pub fn to_yaml(rule: &AnalyticsRule) -> Result<String, ExportError> {
    serde_norway::to_string(rule).map_err(|e| ExportError::Serialize {
        format: RuleFormat::SentinelRule,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::sentinel::hunt_id;
    use crate::profile;

    fn sentinel() -> Platform {
        Platform::builtin("sentinel").unwrap()
    }

    #[test]
    fn the_namespace_is_the_documented_one() {
        assert_eq!(
            RULE_NAMESPACE,
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:kqlsmith:rules")
        );
    }

    #[test]
    fn the_detection_rule_reads_its_window_and_baseline() {
        let hunt = profile::load_shipped("internal-connections-detection", &[])
            .unwrap()
            .unwrap();
        let rule = analytics_rule(&hunt, &sentinel()).unwrap();
        assert_eq!(rule.query_frequency, "1d");
        assert_eq!(rule.query_period, "14d");
        assert_eq!(rule.severity, "High");
        assert_eq!(rule.kind, "Scheduled");
        assert_ne!(rule.id, hunt_id(&hunt).to_string());
        assert_eq!(rule.custom_details.len(), 2);
        // Sentinel has no identifier for Defender's device id.
        assert!(
            rule.entity_mappings
                .iter()
                .flat_map(|m| &m.field_mappings)
                .all(|f| f.identifier != "DeviceId")
        );
    }

    #[test]
    fn a_custom_detail_of_a_column_the_query_lacks_is_an_error() {
        let text = include_str!("../../data/hunts/internal-connections-detection.toml").replace(
            r#"custom_details = { AlertId = "AlertId", AlertTitle = "AlertTitle" }"#,
            r#"custom_details = { Account = "AccountName" }"#,
        );
        let hunt = profile::load(&text, "detection.toml", &[]).unwrap();
        let err = analytics_rule(&hunt, &sentinel()).unwrap_err();
        assert!(err.to_string().contains("custom detail `Account`"), "{err}");
    }
}
