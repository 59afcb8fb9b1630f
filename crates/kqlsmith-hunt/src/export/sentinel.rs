//! Microsoft Sentinel hunting queries, in the YAML layout of the Azure-Sentinel repository's
//! `Hunting Queries` folder: `id`, `name`, `description`, `requiredDataConnectors`, `tactics`,
//! `relevantTechniques`, `query`, `entityMappings` and `version`.
//!
//! The `id` is stable: a UUID version 5 (RFC 9562) of the hunt's name in the namespace
//! [`HUNT_NAMESPACE`], itself the version 5 UUID of the URL `urn:kqlsmith:hunts` (in the URL
//! namespace). A hunt keeps its id across runs, machines and versions of kqlsmith as long as
//! its name does; two hunts with different names never share one. The `description` is the
//! profile's `summary` (at most 255 characters, as Sentinel's content guidance asks).
//!
//! The pieces every Sentinel file shares (connectors, entity mappings) are built here too.

use kqlsmith_lint::Platform;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ExportError, RuleFormat, check_mapped_columns};
use crate::model::Hunt;
use crate::render;

/// The namespace of hunt ids: `uuid_v5(NAMESPACE_URL, "urn:kqlsmith:hunts")`.
pub const HUNT_NAMESPACE: Uuid = Uuid::from_u128(0x93644000_7f67_5289_9481_5e923a328112);

/// A hunting query file. Field order is the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HuntingQuery {
    /// A GUID, stable for the hunt (see the module documentation).
    pub id: String,
    /// The hunt's title.
    pub name: String,
    /// What the hunt finds.
    pub description: String,
    /// The connectors and tables the query needs.
    pub required_data_connectors: Vec<RequiredDataConnector>,
    /// MITRE ATT&CK tactics: `LateralMovement`.
    pub tactics: Vec<String>,
    /// MITRE ATT&CK techniques: `T1021`.
    pub relevant_techniques: Vec<String>,
    /// The query, exactly as `kqlsmith render --platform sentinel` prints it.
    pub query: String,
    /// Which result columns name which entities.
    pub entity_mappings: Vec<EntityMapping>,
    /// The hunt's content version: `1.0.0`.
    pub version: String,
}

/// A data connector and the tables of it the query reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequiredDataConnector {
    /// `MicrosoftThreatProtection`.
    pub connector_id: String,
    /// `DeviceNetworkEvents`, `DeviceNetworkInfo`.
    pub data_types: Vec<String>,
}

/// An entity of each result row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntityMapping {
    /// `Host`, `IP`, `Account`.
    pub entity_type: String,
    /// The columns of its identifiers.
    pub field_mappings: Vec<FieldMapping>,
}

/// A column holding one identifier of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldMapping {
    /// `HostName`, `Address`.
    pub identifier: String,
    /// The result column.
    pub column_name: String,
}

/// The stable id of a hunt: see the module documentation.
pub fn hunt_id(hunt: &Hunt) -> Uuid {
    Uuid::new_v5(&HUNT_NAMESPACE, hunt.name().as_str().as_bytes())
}

/// The hunting query of `hunt`, with its query rendered for `platform` (Sentinel's).
pub fn hunting_query(hunt: &Hunt, platform: &Platform) -> Result<HuntingQuery, ExportError> {
    let query = render::render(hunt, platform)?;
    check_mapped_columns(hunt, platform)?;
    let meta = hunt.metadata();
    Ok(HuntingQuery {
        id: hunt_id(hunt).to_string(),
        name: meta.title.to_string(),
        description: meta.summary.as_str().to_string(),
        required_data_connectors: required_data_connectors(hunt),
        tactics: tactics(hunt),
        relevant_techniques: techniques(hunt),
        query,
        entity_mappings: entity_mappings(hunt),
        version: meta.version.to_string(),
    })
}

/// The connectors and tables the hunt reads.
pub fn required_data_connectors(hunt: &Hunt) -> Vec<RequiredDataConnector> {
    hunt.metadata()
        .data_connectors
        .iter()
        .map(|c| RequiredDataConnector {
            connector_id: c.connector_id.to_string(),
            data_types: c.data_types.iter().map(|t| t.to_string()).collect(),
        })
        .collect()
}

/// The hunt's ATT&CK tactics: `LateralMovement`.
pub fn tactics(hunt: &Hunt) -> Vec<String> {
    hunt.metadata()
        .tactics
        .iter()
        .map(|t| t.as_str().to_string())
        .collect()
}

/// The hunt's ATT&CK techniques and sub-techniques: `T1021`, `T1021.002`.
pub fn techniques(hunt: &Hunt) -> Vec<String> {
    hunt.metadata()
        .techniques
        .iter()
        .map(|t| t.as_str().to_string())
        .collect()
}

/// The hunt's entity mappings, with the identifiers Sentinel takes (a host's Defender XDR
/// `DeviceId` has none, and is left out).
pub fn entity_mappings(hunt: &Hunt) -> Vec<EntityMapping> {
    hunt.metadata()
        .entity_mappings
        .iter()
        .map(|m| EntityMapping {
            entity_type: format!("{:?}", m.entity),
            field_mappings: m
                .fields
                .iter()
                .filter(|f| f.identifier.in_sentinel())
                .map(|f| FieldMapping {
                    identifier: format!("{:?}", f.identifier),
                    column_name: f.column.to_string(),
                })
                .collect(),
        })
        .collect()
}

/// The YAML text of a hunting query.
pub fn to_yaml(query: &HuntingQuery) -> Result<String, ExportError> {
    serde_norway::to_string(query).map_err(|e| ExportError::Serialize {
        format: RuleFormat::SentinelYaml,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    #[test]
    fn the_namespace_is_the_documented_one() {
        assert_eq!(
            HUNT_NAMESPACE,
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:kqlsmith:hunts")
        );
    }

    #[test]
    fn ids_are_stable_version_5_uuids_of_the_name() {
        let hunt = profile::load_default(&[]).unwrap();
        let id = hunt_id(&hunt);
        assert_eq!(id.get_version_num(), 5);
        // The published id of the default hunt: it must never change.
        assert_eq!(id.to_string(), "d99d92dd-4ebc-5962-988d-3fca5c3636a0");
        // Parameters do not change it; the name does.
        let other_device =
            profile::load_default(&[profile::Override::new("device.name", "ws-1", "t")]).unwrap();
        assert_eq!(hunt_id(&other_device), id);
        let classic = profile::load_shipped("internal-connections-classic", &[])
            .unwrap()
            .unwrap();
        assert_ne!(hunt_id(&classic), id);
    }
}
