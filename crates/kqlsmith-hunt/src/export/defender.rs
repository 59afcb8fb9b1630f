//! Defender XDR custom detection rules: the request body of Microsoft Graph's
//! `POST /security/rules/detectionRules`, a `detectionRule` resource with `displayName`,
//! `isEnabled`, `queryCondition.queryText`, `schedule.period` and
//! `detectionAction.alertTemplate` (`title`, `description`, `severity`, `category`,
//! `mitreTechniques`, `impactedAssets`).
//!
//! Impacted assets come from the hunt's entity mappings: a Host mapped to one of the device
//! columns Defender XDR knows (`DeviceId`, `DeviceName`, `RemoteDeviceName`,
//! `TargetDeviceName`, `DestinationDeviceName`) and an Account mapped to one of its account
//! columns. Defender XDR also asks a custom detection's query to return the time column and
//! `ReportId`; [`missing_required_columns`] says which of them a hunt's query lacks.

use kqlsmith_lint::Platform;
use serde::{Deserialize, Serialize};

use super::{ExportError, Format, check_mapped_columns};
use crate::model::Hunt;
use crate::model::metadata::{EntityType, Tactic};
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

/// `schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSchedule {
    /// `0` (continuous), `1H`, `3H`, `12H` or `24H`.
    pub period: String,
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
    /// The alert category, from the hunt's first tactic: `LateralMovement`.
    pub category: String,
    /// MITRE ATT&CK techniques: `T1021`.
    pub mitre_techniques: Vec<String>,
    /// The devices and users an alert is about.
    pub impacted_assets: Vec<ImpactedAsset>,
}

/// An `impactedDeviceAsset` or `impactedUserAsset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactedAsset {
    /// `#microsoft.graph.security.impactedDeviceAsset` or `…impactedUserAsset`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// The column that identifies the asset, in Graph's spelling: `remoteDeviceName`.
    pub identifier: String,
}

/// The OData type of an impacted device.
pub const DEVICE_ASSET: &str = "#microsoft.graph.security.impactedDeviceAsset";
/// The OData type of an impacted user.
pub const USER_ASSET: &str = "#microsoft.graph.security.impactedUserAsset";

/// Result columns Defender XDR takes as impacted devices, with Graph's `deviceAssetIdentifier`.
const DEVICE_COLUMNS: &[(&str, &str)] = &[
    ("DeviceId", "deviceId"),
    ("DeviceName", "deviceName"),
    ("RemoteDeviceName", "remoteDeviceName"),
    ("TargetDeviceName", "targetDeviceName"),
    ("DestinationDeviceName", "destinationDeviceName"),
];

/// Result columns Defender XDR takes as impacted users, with Graph's `userAssetIdentifier`.
const USER_COLUMNS: &[(&str, &str)] = &[
    ("AccountObjectId", "accountObjectId"),
    ("AccountSid", "accountSid"),
    ("AccountUpn", "accountUpn"),
    ("AccountName", "accountName"),
    ("AccountDomain", "accountDomain"),
    ("AccountId", "accountId"),
    ("RequestAccountSid", "requestAccountSid"),
    ("RequestAccountName", "requestAccountName"),
    ("RequestAccountDomain", "requestAccountDomain"),
    ("RecipientObjectId", "recipientObjectId"),
    ("InitiatingProcessAccountObjectId", "processAccountObjectId"),
    ("InitiatingProcessAccountSid", "initiatingAccountSid"),
    ("InitiatingProcessAccountUpn", "initiatingProcessAccountUpn"),
    ("InitiatingProcessAccountName", "initiatingAccountName"),
    ("InitiatingProcessAccountDomain", "initiatingAccountDomain"),
    ("TargetAccountUpn", "targetAccountUpn"),
];

/// The custom detection rule of `hunt`, with its query rendered for `platform` (Defender's).
pub fn detection_rule(hunt: &Hunt, platform: &Platform) -> Result<DetectionRule, ExportError> {
    let query = render::render(hunt, platform)?;
    check_mapped_columns(hunt, platform)?;
    let meta = hunt.metadata();
    let impacted_assets = impacted_assets(hunt);
    if impacted_assets.is_empty() {
        let columns: Vec<&str> = DEVICE_COLUMNS
            .iter()
            .chain(USER_COLUMNS)
            .map(|(column, _)| *column)
            .collect();
        return Err(ExportError::NoImpactedAsset {
            hunt: hunt.name().to_string(),
            columns: columns.join(", "),
        });
    }
    Ok(DetectionRule {
        display_name: meta.title.to_string(),
        is_enabled: true,
        query_condition: QueryCondition { query_text: query },
        schedule: RuleSchedule {
            period: meta.frequency.graph_period().to_string(),
        },
        detection_action: DetectionAction {
            alert_template: AlertTemplate {
                title: meta.title.to_string(),
                description: meta.description.to_string(),
                severity: meta.severity.as_str().to_string(),
                category: category(meta.tactics[0]).to_string(),
                mitre_techniques: meta
                    .techniques
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect(),
                impacted_assets,
            },
        },
    })
}

/// The impacted assets of a hunt: for each Host or Account mapping, the first of its columns
/// that Defender XDR takes as an asset.
fn impacted_assets(hunt: &Hunt) -> Vec<ImpactedAsset> {
    let mut assets: Vec<ImpactedAsset> = Vec::new();
    for mapping in &hunt.metadata().entity_mappings {
        let (table, odata_type) = match mapping.entity {
            EntityType::Host => (DEVICE_COLUMNS, DEVICE_ASSET),
            EntityType::Account => (USER_COLUMNS, USER_ASSET),
            EntityType::IP => continue,
        };
        let identifier = mapping.fields.iter().find_map(|field| {
            table
                .iter()
                .find(|(column, _)| *column == field.column.as_str())
                .map(|(_, identifier)| *identifier)
        });
        if let Some(identifier) = identifier {
            let asset = ImpactedAsset {
                odata_type: odata_type.to_string(),
                identifier: identifier.to_string(),
            };
            if !assets.contains(&asset) {
                assets.push(asset);
            }
        }
    }
    assets
}

/// The Defender XDR alert category of a tactic. The categories follow the ATT&CK tactics;
/// the two pre-compromise tactics have no category of their own.
fn category(tactic: Tactic) -> &'static str {
    match tactic {
        Tactic::Reconnaissance | Tactic::ResourceDevelopment => "SuspiciousActivity",
        other => other.as_str(),
    }
}

/// The columns Defender XDR requires of a custom detection's result that the hunt's query
/// does not return: the platform's time column and `ReportId`.
pub fn missing_required_columns(hunt: &Hunt, platform: &Platform) -> Vec<String> {
    let returned = hunt.result_columns(&platform.time_column);
    [platform.time_column.as_str(), "ReportId"]
        .into_iter()
        .filter(|required| !returned.iter().any(|c| c == required))
        .map(str::to_string)
        .collect()
}

/// The JSON text of a rule, pretty-printed, with a final line break.
pub fn to_json(rule: &DetectionRule) -> Result<String, ExportError> {
    serde_json::to_string_pretty(rule)
        .map(|text| text + "\n")
        .map_err(|e| ExportError::Serialize {
            format: Format::DefenderJson,
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    fn defender() -> Platform {
        Platform::builtin("defender").unwrap()
    }

    #[test]
    fn impacted_assets_come_from_host_and_account_mappings() {
        let hunt = profile::load_shipped("remote-logons", &[])
            .unwrap()
            .unwrap();
        let rule = detection_rule(&hunt, &defender()).unwrap();
        let assets = rule.detection_action.alert_template.impacted_assets;
        assert_eq!(
            assets,
            [
                ImpactedAsset {
                    odata_type: DEVICE_ASSET.into(),
                    identifier: "targetDeviceName".into()
                },
                ImpactedAsset {
                    odata_type: USER_ASSET.into(),
                    identifier: "accountSid".into()
                },
            ]
        );
        let hunt = profile::load_default(&[]).unwrap();
        let rule = detection_rule(&hunt, &defender()).unwrap();
        assert_eq!(
            rule.detection_action.alert_template.impacted_assets[0].identifier,
            "remoteDeviceName"
        );
    }

    #[test]
    fn a_hunt_without_an_impacted_asset_cannot_be_a_detection() {
        let hunt = profile::load_default(&[profile::Override::new(
            "hunt.entity_mappings",
            r#"[{ entity = "IP", fields = [{ identifier = "Address", column = "RemoteIP" }] }]"#,
            "test",
        )])
        .unwrap();
        let err = detection_rule(&hunt, &defender()).unwrap_err();
        assert!(matches!(err, ExportError::NoImpactedAsset { .. }), "{err}");
        assert!(err.to_string().contains("RemoteDeviceName"), "{err}");
    }

    #[test]
    fn required_columns_are_checked_against_the_result() {
        let logons = profile::load_shipped("remote-logons", &[])
            .unwrap()
            .unwrap();
        assert!(missing_required_columns(&logons, &defender()).is_empty());
        let connections = profile::load_default(&[]).unwrap();
        assert!(missing_required_columns(&connections, &defender()).is_empty());
        let without = profile::load_default(&[profile::Override::new(
            "output.columns",
            "RemoteIP,RemoteDeviceName,LastConnectionTime",
            "test",
        )])
        .unwrap();
        assert_eq!(
            missing_required_columns(&without, &defender()),
            ["Timestamp", "ReportId"]
        );
        // On Sentinel the time column is TimeGenerated, in the requirement and the result.
        let sentinel = Platform::builtin("sentinel").unwrap();
        assert!(missing_required_columns(&connections, &sentinel).is_empty());
        assert_eq!(
            missing_required_columns(&without, &sentinel),
            ["TimeGenerated", "ReportId"]
        );
        let query = render::render(&connections, &sentinel).unwrap();
        assert!(
            query.contains("\n    TimeGenerated = ConnectionTime,\n    ReportId\n"),
            "{query}"
        );
        // The published shape carries them too.
        let published = profile::load_default(&[
            profile::Override::new("remote_device.resolve", "any-in-window", "test"),
            profile::Override::new("output.columns", "RemoteIP,Timestamp,ReportId", "test"),
        ])
        .unwrap();
        let query = render::render(&published, &sentinel).unwrap();
        assert!(
            query.contains("\n| project RemoteIP, TimeGenerated = LastConnectionTime, ReportId\n"),
            "{query}"
        );
    }

    #[test]
    fn categories_follow_the_first_tactic() {
        assert_eq!(category(Tactic::LateralMovement), "LateralMovement");
        assert_eq!(category(Tactic::Reconnaissance), "SuspiciousActivity");
    }
}
