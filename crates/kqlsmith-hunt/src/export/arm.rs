//! ARM deployment templates of Sentinel content, for `az deployment group create` (or
//! Sentinel repositories): the deployment template schema, a `workspace` parameter (the name
//! of the Log Analytics workspace that has Sentinel), and one resource:
//!
//! - for a detection (a hunt over every device), a scheduled analytics rule:
//!   `Microsoft.OperationalInsights/workspaces/providers/alertRules`, kind `Scheduled`, named
//!   `<workspace>/Microsoft.SecurityInsights/<rule id>`, with ISO 8601 `queryFrequency` and
//!   `queryPeriod`, `triggerOperator` `GreaterThan` and the properties the resource requires
//!   (`displayName`, `enabled`, `suppressionDuration`, `suppressionEnabled`);
//! - for a hunting query (a hunt of one device), a saved search:
//!   `Microsoft.OperationalInsights/workspaces/savedSearches`, category `Hunting Queries`,
//!   with the description, tactics and techniques as tags.
//!
//! Both carry the query exactly as `render --platform sentinel` prints it. ARM reads a string
//! that starts with `[` as an expression; text from the profile or the query that starts so
//! is written with `[[`, which ARM reads back as the text itself.

use std::collections::BTreeMap;

use kqlsmith_lint::Platform;
use serde::Serialize;
use serde_json::{Value, json};

use super::sentinel::{self, hunt_id};
use super::sentinel_rule::{self, check_custom_details, rule_id};
use super::{ExportError, RuleFormat, check_mapped_columns, schedule};
use crate::model::Hunt;
use crate::render;

/// The deployment template schema.
pub const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/// The API version of analytics rules.
pub const ALERT_RULE_API_VERSION: &str = "2023-02-01";
/// The API version of saved searches.
pub const SAVED_SEARCH_API_VERSION: &str = "2020-08-01";
/// The resource type of analytics rules.
pub const ALERT_RULE_TYPE: &str = "Microsoft.OperationalInsights/workspaces/providers/alertRules";
/// The resource type of saved searches.
pub const SAVED_SEARCH_TYPE: &str = "Microsoft.OperationalInsights/workspaces/savedSearches";

/// A deployment template. Field order is the order of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    /// The deployment template schema.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// `1.0.0.0`, the hunt's version as ARM spells it.
    #[serde(rename = "contentVersion")]
    pub content_version: String,
    /// `workspace`.
    pub parameters: Value,
    /// The analytics rule or the saved search.
    pub resources: Vec<Value>,
}

/// The template of `hunt`, with its query rendered for `platform` (Sentinel's).
pub fn template(hunt: &Hunt, platform: &Platform) -> Result<Template, ExportError> {
    let resource = match hunt.device() {
        None => alert_rule(hunt, platform)?,
        Some(_) => saved_search(hunt, platform)?,
    };
    let version = hunt.metadata().version;
    Ok(Template {
        schema: SCHEMA.to_string(),
        content_version: format!("{}.{}.{}.0", version.major, version.minor, version.patch),
        parameters: json!({
            "workspace": {
                "type": "string",
                "metadata": {
                    "description": "The name of the Log Analytics workspace that has Microsoft Sentinel."
                }
            }
        }),
        resources: vec![resource],
    })
}

/// `text` as an ARM string literal: a leading `[` doubled, so that ARM does not read it as an
/// expression.
pub fn literal(text: &str) -> String {
    if text.starts_with('[') {
        format!("[{text}")
    } else {
        text.to_string()
    }
}

/// The analytics rule resource of a detection.
fn alert_rule(hunt: &Hunt, platform: &Platform) -> Result<Value, ExportError> {
    let query = render::render(hunt, platform)?;
    schedule::check(hunt, RuleFormat::SentinelArm, platform)?;
    let (frequency, period) = schedule::sentinel_schedule(hunt, RuleFormat::SentinelArm)?;
    check_mapped_columns(hunt, platform)?;
    check_custom_details(hunt, platform)?;
    // The YAML rule holds the same settings; the template spells them as the resource does.
    let rule = sentinel_rule::analytics_rule(hunt, platform)?;
    let entity_mappings: Vec<Value> = sentinel::entity_mappings(hunt)
        .into_iter()
        .map(|mapping| {
            json!({
                "entityType": mapping.entity_type,
                "fieldMappings": mapping.field_mappings.iter().map(|field| json!({
                    "identifier": field.identifier,
                    "columnName": field.column_name,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut properties = json!({
        "displayName": literal(&rule.name),
        "description": literal(&rule.description),
        "severity": rule.severity,
        "enabled": true,
        "query": literal(&query),
        "queryFrequency": schedule::iso8601(frequency),
        "queryPeriod": schedule::iso8601(period),
        "triggerOperator": "GreaterThan",
        "triggerThreshold": 0,
        "suppressionDuration": "PT5H",
        "suppressionEnabled": false,
        "tactics": rule.tactics,
        "techniques": parent_techniques(&rule.relevant_techniques),
        "entityMappings": entity_mappings,
        "eventGroupingSettings": { "aggregationKind": rule.event_grouping_settings.aggregation_kind },
        "incidentConfiguration": {
            "createIncident": rule.incident_configuration.create_incident,
            "groupingConfiguration": {
                "enabled": false,
                "reopenClosedIncident": false,
                "lookbackDuration": "PT5H",
                "matchingMethod": "AllEntities",
            },
        },
    });
    if !rule.custom_details.is_empty() {
        let details: BTreeMap<&String, &String> = rule.custom_details.iter().collect();
        properties["customDetails"] = json!(details);
    }
    Ok(json!({
        "type": ALERT_RULE_TYPE,
        "apiVersion": ALERT_RULE_API_VERSION,
        "name": format!("[concat(parameters('workspace'), '/Microsoft.SecurityInsights/{}')]", rule_id(hunt)),
        "kind": "Scheduled",
        "properties": properties,
    }))
}

/// Technique ids without their sub-technique: the analytics rule resource takes techniques
/// (`T1021`) only.
fn parent_techniques(techniques: &[String]) -> Vec<String> {
    let mut parents: Vec<String> = Vec::new();
    for technique in techniques {
        let parent = technique.split('.').next().unwrap_or(technique).to_string();
        if !parents.contains(&parent) {
            parents.push(parent);
        }
    }
    parents
}

/// The saved search resource of a hunting query.
fn saved_search(hunt: &Hunt, platform: &Platform) -> Result<Value, ExportError> {
    let hunting = sentinel::hunting_query(hunt, platform)?;
    Ok(json!({
        "type": SAVED_SEARCH_TYPE,
        "apiVersion": SAVED_SEARCH_API_VERSION,
        "name": format!("[concat(parameters('workspace'), '/{}')]", hunt_id(hunt)),
        "properties": {
            "category": "Hunting Queries",
            "displayName": literal(&hunting.name),
            "query": literal(&hunting.query),
            "version": 2,
            "tags": [
                { "name": "description", "value": literal(&hunting.description) },
                { "name": "tactics", "value": hunting.tactics.join(",") },
                { "name": "techniques", "value": hunting.relevant_techniques.join(",") },
            ],
        },
    }))
}

/// The JSON text of a template, pretty-printed, with a final line break.
pub fn to_json(template: &Template) -> Result<String, ExportError> {
    serde_json::to_string_pretty(template)
        .map(|text| text + "\n")
        .map_err(|e| ExportError::Serialize {
            format: RuleFormat::SentinelArm,
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    #[test]
    fn text_that_reads_as_an_expression_is_escaped() {
        assert_eq!(literal("[parameters('x')]"), "[[parameters('x')]");
        assert_eq!(literal("let x = 1;"), "let x = 1;");
        assert_eq!(literal("a [b]"), "a [b]");
    }

    #[test]
    fn techniques_lose_their_sub_technique_once() {
        let given = [
            "T1021.002".to_string(),
            "T1021".to_string(),
            "T1059".to_string(),
        ];
        assert_eq!(parent_techniques(&given), ["T1021", "T1059"]);
    }

    #[test]
    fn a_detection_is_an_alert_rule_and_a_hunt_a_saved_search() {
        let sentinel = Platform::builtin("sentinel").unwrap();
        let detection = profile::load_shipped("internal-connections-detection", &[])
            .unwrap()
            .unwrap();
        let template = template(&detection, &sentinel).unwrap();
        assert_eq!(template.resources[0]["type"], ALERT_RULE_TYPE);
        assert_eq!(template.resources[0]["properties"]["queryPeriod"], "P14D");
        let hunting = profile::load_default(&[]).unwrap();
        let template = super::template(&hunting, &sentinel).unwrap();
        assert_eq!(template.resources[0]["type"], SAVED_SEARCH_TYPE);
        assert_eq!(template.content_version, "2.1.0.0"); // the profile's 2.1.0, in four parts
    }
}
