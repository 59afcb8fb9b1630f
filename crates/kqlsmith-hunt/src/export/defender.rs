//! Defender XDR custom detection rules: the request body of Microsoft Graph v1.0's
//! `POST /security/rules/detectionRules`, a `detectionRule` with `displayName`, `isEnabled`,
//! `queryCondition.queryText`, `schedule.frequency` (an ISO 8601 duration) and
//! `detectionAction.alertTemplate` (`title`, `description`, `severity`, `tactics` as
//! `mitreTactic` objects, and `entityMappings`, an `entityMappingConfiguration`).
//!
//! Nothing deprecated is written: no `schedule.period`, `alertTemplate.category`,
//! `alertTemplate.mitreTechniques` or `alertTemplate.impactedAssets`, which Graph removes on
//! 2026-10-01.
//!
//! Entity mappings come from the hunt's: a Host becomes a `hostEntityMapping` (`nameColumn`,
//! `netBiosNameColumn`, `dnsDomainColumn`, `ntDomainColumn`, `deviceIdColumn`), an Account an
//! `accountEntityMapping` (`nameColumn`, `ntDomainColumn`, `dnsDomainColumn`,
//! `upnSuffixColumn`, `sidColumn`, `aadUserIdColumn`), an IP an `ipEntityMapping`
//! (`addressColumn`). Each must identify its entity with the columns Graph has for it.

use std::collections::BTreeMap;

use kqlsmith_lint::Platform;
use serde::{Deserialize, Serialize};

use super::{ExportError, RuleFormat, check_mapped_columns, schedule};
use crate::model::Hunt;
use crate::model::metadata::{EntityIdentifier, EntityMapping, EntityType};
use crate::render;

/// A `detectionRule` body. Field order is the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DetectionRule {
    /// The rule's name: the hunt's title.
    pub display_name: String,
    /// Whether the rule runs once created.
    pub is_enabled: bool,
    /// The query.
    pub query_condition: QueryCondition,
    /// How often it runs.
    pub schedule: RuleSchedule,
    /// The alert it raises.
    pub detection_action: DetectionAction,
}

/// `queryCondition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueryCondition {
    /// The query, exactly as `kqlsmith render --platform defender` prints it.
    pub query_text: String,
}

/// `schedule` (a `ruleSchedule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSchedule {
    /// The time between runs, as an ISO 8601 duration: `PT12H`, `P1D`; `PT0S` for
    /// continuous (near real time) rules.
    pub frequency: String,
}

/// `detectionAction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DetectionAction {
    /// The alert raised for each match.
    pub alert_template: AlertTemplate,
}

/// `alertTemplate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertTemplate {
    /// The alert's title.
    pub title: String,
    /// The alert's description.
    pub description: String,
    /// `informational`, `low`, `medium` or `high`.
    pub severity: String,
    /// The MITRE ATT&CK tactics, each with its techniques.
    pub tactics: Vec<MitreTactic>,
    /// Which result columns name which entities.
    pub entity_mappings: EntityMappingConfiguration,
}

/// A `mitreTactic`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MitreTactic {
    /// The tactic: `LateralMovement`.
    pub tactic: String,
    /// Its techniques.
    pub techniques: Vec<MitreTechnique>,
}

/// A `mitreTechnique`: a technique and the sub-techniques of it the hunt names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MitreTechnique {
    /// `T1021`.
    pub technique: String,
    /// `T1021.002`.
    pub sub_techniques: Vec<String>,
}

/// An `entityMappingConfiguration`: the mappings of each entity kind; kinds without one are
/// left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityMappingConfiguration {
    /// `accountEntityMapping` objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<BTreeMap<String, String>>,
    /// `hostEntityMapping` objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<BTreeMap<String, String>>,
    /// `ipEntityMapping` objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<BTreeMap<String, String>>,
}

/// The Graph property of an entity identifier's column, for the entity kind; `None` when the
/// Graph mapping of that kind has no column for it.
fn graph_column(entity: EntityType, identifier: EntityIdentifier) -> Option<&'static str> {
    use EntityIdentifier as Id;
    match (entity, identifier) {
        (EntityType::Host, Id::HostName) => Some("nameColumn"),
        (EntityType::Host, Id::NetBiosName) => Some("netBiosNameColumn"),
        (EntityType::Host, Id::DnsDomain) => Some("dnsDomainColumn"),
        (EntityType::Host, Id::NTDomain) => Some("ntDomainColumn"),
        (EntityType::Host, Id::DeviceId) => Some("deviceIdColumn"),
        (EntityType::Account, Id::Name) => Some("nameColumn"),
        (EntityType::Account, Id::NTDomain) => Some("ntDomainColumn"),
        (EntityType::Account, Id::DnsDomain) => Some("dnsDomainColumn"),
        (EntityType::Account, Id::UPNSuffix) => Some("upnSuffixColumn"),
        (EntityType::Account, Id::Sid) => Some("sidColumn"),
        (EntityType::Account, Id::AadUserId) => Some("aadUserIdColumn"),
        (EntityType::IP, Id::Address) => Some("addressColumn"),
        (EntityType::Host | EntityType::Account | EntityType::IP, _) => None,
    }
}

/// The sets of columns that identify an entity kind on their own.
fn identifying_sets(entity: EntityType) -> &'static [&'static [&'static str]] {
    match entity {
        EntityType::Host => &[
            &["deviceIdColumn"],
            &["nameColumn"],
            &["netBiosNameColumn", "ntDomainColumn"],
            &["netBiosNameColumn", "dnsDomainColumn"],
        ],
        EntityType::Account => &[
            &["aadUserIdColumn"],
            &["sidColumn"],
            &["nameColumn", "ntDomainColumn"],
            &["nameColumn", "dnsDomainColumn"],
            &["nameColumn", "upnSuffixColumn"],
        ],
        EntityType::IP => &[&["addressColumn"]],
    }
}

/// The Graph mapping of one entity mapping of the hunt: its columns by Graph property.
fn graph_mapping(
    hunt: &Hunt,
    mapping: &EntityMapping,
) -> Result<BTreeMap<String, String>, ExportError> {
    let mut columns = BTreeMap::new();
    for field in &mapping.fields {
        // Identifiers Graph has no column for (a host's FullName, an account's ObjectGuid)
        // stay in Sentinel files only.
        if let Some(property) = graph_column(mapping.entity, field.identifier) {
            columns.insert(property.to_string(), field.column.to_string());
        }
    }
    let identified = identifying_sets(mapping.entity)
        .iter()
        .any(|set| set.iter().all(|property| columns.contains_key(*property)));
    if !identified {
        let sets: Vec<String> = identifying_sets(mapping.entity)
            .iter()
            .map(|set| set.join(" + "))
            .collect();
        return Err(ExportError::Mapping {
            hunt: hunt.name().to_string(),
            message: format!(
                "its {:?} mapping does not identify the entity in a Defender XDR custom detection, which needs the columns of one of: {}",
                mapping.entity,
                sets.join("; ")
            ),
        });
    }
    Ok(columns)
}

/// The custom detection rule of `hunt`, with its query rendered for `platform` (Defender's).
/// Refused when the hunt cannot be a scheduled rule (see [`schedule::check`]).
pub fn detection_rule(hunt: &Hunt, platform: &Platform) -> Result<DetectionRule, ExportError> {
    let query = render::render(hunt, platform)?;
    schedule::check(hunt, RuleFormat::DefenderJson, platform)?;
    check_mapped_columns(hunt, platform)?;
    let meta = hunt.metadata();
    let mut entity_mappings = EntityMappingConfiguration::default();
    for mapping in &meta.entity_mappings {
        let columns = graph_mapping(hunt, mapping)?;
        match mapping.entity {
            EntityType::Account => entity_mappings.accounts.push(columns),
            EntityType::Host => entity_mappings.hosts.push(columns),
            EntityType::IP => entity_mappings.ips.push(columns),
        }
    }
    Ok(DetectionRule {
        display_name: meta.title.to_string(),
        is_enabled: true,
        query_condition: QueryCondition { query_text: query },
        schedule: RuleSchedule {
            frequency: schedule::iso8601(meta.frequency.interval().as_millis()),
        },
        detection_action: DetectionAction {
            alert_template: AlertTemplate {
                title: meta.title.to_string(),
                description: meta.description.to_string(),
                severity: meta.severity.as_str().to_string(),
                tactics: tactics(hunt),
                entity_mappings,
            },
        },
    })
}

/// The hunt's tactics as `mitreTactic` objects. The profile lists techniques for the hunt as
/// a whole, so they go with its first tactic; each technique carries the sub-techniques of it
/// that the hunt names.
fn tactics(hunt: &Hunt) -> Vec<MitreTactic> {
    let meta = hunt.metadata();
    let mut techniques: Vec<MitreTechnique> = Vec::new();
    for id in meta.techniques.iter().map(|t| t.as_str()) {
        let (parent, sub) = match id.split_once('.') {
            Some((parent, _)) => (parent, Some(id)),
            None => (id, None),
        };
        let index = match techniques.iter().position(|t| t.technique == parent) {
            Some(index) => index,
            None => {
                techniques.push(MitreTechnique {
                    technique: parent.to_string(),
                    sub_techniques: Vec::new(),
                });
                techniques.len() - 1
            }
        };
        if let Some(sub) = sub {
            techniques[index].sub_techniques.push(sub.to_string());
        }
    }
    meta.tactics
        .iter()
        .enumerate()
        .map(|(index, tactic)| MitreTactic {
            tactic: tactic.as_str().to_string(),
            techniques: if index == 0 {
                techniques.clone()
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// The JSON text of a rule, pretty-printed, with a final line break.
pub fn to_json(rule: &DetectionRule) -> Result<String, ExportError> {
    serde_json::to_string_pretty(rule)
        .map(|text| text + "\n")
        .map_err(|e| ExportError::Serialize {
            format: RuleFormat::DefenderJson,
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{self, Override};

    fn defender() -> Platform {
        Platform::builtin("defender").unwrap()
    }

    fn shipped(name: &str, sets: &[(&str, &str)]) -> Hunt {
        let overrides: Vec<Override> = sets
            .iter()
            .map(|(k, v)| Override::new(*k, *v, "test"))
            .collect();
        profile::load_shipped(name, &overrides).unwrap().unwrap()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn entity_mappings_come_from_host_account_and_ip_mappings() {
        let hunt = shipped("remote-logons", &[("device.name", "ws-1")]);
        let rule = detection_rule(&hunt, &defender()).unwrap();
        let mappings = rule.detection_action.alert_template.entity_mappings;
        assert_eq!(mappings.hosts, [map(&[("nameColumn", "TargetDeviceName")])]);
        assert_eq!(
            mappings.accounts,
            [map(&[
                ("sidColumn", "AccountSid"),
                ("nameColumn", "AccountName"),
                ("ntDomainColumn", "AccountDomain"),
            ])]
        );
        assert_eq!(mappings.ips, [map(&[("addressColumn", "SourceIP")])]);
        let detection = shipped("internal-connections-detection", &[]);
        let rule = detection_rule(&detection, &defender()).unwrap();
        let hosts = rule.detection_action.alert_template.entity_mappings.hosts;
        assert_eq!(
            hosts,
            [
                map(&[("nameColumn", "DeviceName"), ("deviceIdColumn", "DeviceId")]),
                map(&[
                    ("nameColumn", "RemoteDeviceName"),
                    ("deviceIdColumn", "RemoteDeviceId")
                ]),
            ]
        );
    }

    #[test]
    fn a_mapping_graph_cannot_identify_is_an_error() {
        let hunt = shipped(
            "remote-logons",
            &[
                ("device.name", "ws-1"),
                (
                    "hunt.entity_mappings",
                    r#"[{ entity = "Account", fields = [{ identifier = "FullName", column = "AccountName" }] }]"#,
                ),
            ],
        );
        let err = detection_rule(&hunt, &defender()).unwrap_err();
        assert!(matches!(err, ExportError::Mapping { .. }), "{err}");
        assert!(err.to_string().contains("sidColumn"), "{err}");
    }

    #[test]
    fn techniques_go_with_the_first_tactic_and_group_their_sub_techniques() {
        let hunt = shipped(
            "internal-connections-detection",
            &[
                ("hunt.tactics", "LateralMovement,Execution"),
                ("hunt.techniques", "T1021.002,T1021,T1059.001"),
            ],
        );
        let tactics = tactics(&hunt);
        assert_eq!(tactics.len(), 2);
        assert_eq!(tactics[0].tactic, "LateralMovement");
        assert_eq!(
            tactics[0].techniques,
            [
                MitreTechnique {
                    technique: "T1021".into(),
                    sub_techniques: vec!["T1021.002".into()]
                },
                MitreTechnique {
                    technique: "T1059".into(),
                    sub_techniques: vec!["T1059.001".into()]
                },
            ]
        );
        assert!(tactics[1].techniques.is_empty());
    }

    #[test]
    fn the_schedule_is_an_iso_duration() {
        let rule =
            detection_rule(&shipped("internal-connections-detection", &[]), &defender()).unwrap();
        assert_eq!(rule.schedule.frequency, "P1D");
        let rule = detection_rule(
            &shipped("internal-connections", &[("device.name", "ws-1")]),
            &defender(),
        )
        .unwrap();
        assert_eq!(rule.schedule.frequency, "PT12H");
    }
}
