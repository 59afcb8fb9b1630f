//! What a hunt is, in the terms rule files use: the `[hunt]` table of every profile. Names and
//! descriptions are for people; the rest (ATT&CK tactics and techniques, severity, schedule,
//! data connectors and entity mappings) is what `kqlsmith render --emit` writes into Sentinel
//! hunting queries and Defender XDR custom detection rules. Every value is checked when the
//! profile is read, so an export never meets a tactic or identifier the platforms refuse.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::common::{HuntName, Text, non_empty_unique, unique};
use super::registry::HuntKind;
use crate::timespan::{TimeUnit, Timespan};

/// The `[hunt]` table: what the hunt is and how rule files describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Short name, used in file names and to derive the rule id: `internal-connections`.
    pub name: HuntName,
    /// Which hunt the profile parameterises (and so which template renders it).
    pub kind: HuntKind,
    /// One line for humans; the rule's name.
    pub title: Text,
    /// What the hunt finds and how to read its result.
    pub description: Text,
    /// The description in at most 255 characters, as Sentinel's content guidance asks of
    /// hunting queries and analytics rules; rule files for Sentinel carry it.
    pub summary: Summary,
    /// The version of the hunt's content, raised when its query changes: `1.0.0`.
    pub version: Version,
    /// How serious a match is, for a Defender XDR alert.
    pub severity: AlertSeverity,
    /// The MITRE ATT&CK tactics the hunt looks for.
    #[serde(deserialize_with = "non_empty_unique")]
    pub tactics: Vec<Tactic>,
    /// The MITRE ATT&CK techniques the hunt looks for: `T1021`, `T1021.002`.
    #[serde(deserialize_with = "unique")]
    pub techniques: Vec<Technique>,
    /// How often a scheduled rule (Defender XDR custom detection, Sentinel analytics rule)
    /// runs the query.
    pub frequency: Frequency,
    /// How a Sentinel analytics rule turns the rows of one run into alerts.
    pub event_grouping: EventGrouping,
    /// Whether a Sentinel analytics rule opens an incident for each alert.
    pub create_incident: bool,
    /// Result columns a Sentinel analytics rule attaches to its alerts, by detail name.
    pub custom_details: BTreeMap<Identifier, Identifier>,
    /// The Sentinel data connectors and the tables (data types) the query reads.
    #[serde(deserialize_with = "non_empty_unique")]
    pub data_connectors: Vec<DataConnector>,
    /// Which result columns name which entities (hosts, addresses, accounts).
    #[serde(deserialize_with = "non_empty_unique")]
    pub entity_mappings: Vec<EntityMapping>,
}

/// A content version, `MAJOR.MINOR.PATCH`, as Sentinel content carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    /// Raised for a change that alters what the query finds.
    pub major: u32,
    /// Raised for a change that keeps what it finds.
    pub minor: u32,
    /// Raised for a correction of text or comments.
    pub patch: u32,
}

impl FromStr for Version {
    type Err = String;

    fn from_str(text: &str) -> Result<Version, String> {
        let bad = || format!("`{text}` is not a version: write three numbers, such as 1.0.0");
        let parts: Vec<&str> = text.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(bad());
        };
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse::<u32>().map_err(|_| bad())
        };
        Ok(Version {
            major: number(major)?,
            minor: number(minor)?,
            patch: number(patch)?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A description short enough for Sentinel content: at most [`Summary::MAX_CHARS`] characters,
/// not blank.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Summary(String);

impl Summary {
    /// The longest description Sentinel's content guidance allows.
    pub const MAX_CHARS: usize = 255;

    /// `value`, unless it is blank or longer than [`Summary::MAX_CHARS`] characters.
    pub fn new(value: impl Into<String>) -> Result<Summary, String> {
        let value = value.into();
        let length = value.chars().count();
        if value.trim().is_empty() {
            Err("must not be empty".to_string())
        } else if length > Summary::MAX_CHARS {
            Err(format!(
                "is {length} characters long; Sentinel content takes descriptions of at most {} characters",
                Summary::MAX_CHARS
            ))
        } else {
            Ok(Summary(value))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Summary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Summary, D::Error> {
        Summary::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// How a Sentinel analytics rule groups the rows of one run into alerts
/// (`eventGroupingSettings.aggregationKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventGrouping {
    /// One alert for each row.
    AlertPerResult,
    /// One alert for all the rows of a run.
    SingleAlert,
}

impl EventGrouping {
    /// The value Sentinel takes: `AlertPerResult`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventGrouping::AlertPerResult => "AlertPerResult",
            EventGrouping::SingleAlert => "SingleAlert",
        }
    }
}

/// The severity of an alert, as Microsoft Graph's `alertSeverity` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertSeverity {
    Informational,
    Low,
    Medium,
    High,
}

impl AlertSeverity {
    /// The value in Microsoft Graph: `medium`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Informational => "informational",
            AlertSeverity::Low => "low",
            AlertSeverity::Medium => "medium",
            AlertSeverity::High => "high",
        }
    }

    /// The value in Sentinel: `Medium`.
    pub fn sentinel_name(self) -> &'static str {
        match self {
            AlertSeverity::Informational => "Informational",
            AlertSeverity::Low => "Low",
            AlertSeverity::Medium => "Medium",
            AlertSeverity::High => "High",
        }
    }
}

/// A MITRE ATT&CK (Enterprise) tactic, named as Sentinel and Defender XDR name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tactic {
    Reconnaissance,
    ResourceDevelopment,
    InitialAccess,
    Execution,
    Persistence,
    PrivilegeEscalation,
    DefenseEvasion,
    CredentialAccess,
    Discovery,
    LateralMovement,
    Collection,
    CommandAndControl,
    Exfiltration,
    Impact,
}

impl Tactic {
    /// The name Sentinel's `tactics` field takes: `LateralMovement`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "Reconnaissance",
            Tactic::ResourceDevelopment => "ResourceDevelopment",
            Tactic::InitialAccess => "InitialAccess",
            Tactic::Execution => "Execution",
            Tactic::Persistence => "Persistence",
            Tactic::PrivilegeEscalation => "PrivilegeEscalation",
            Tactic::DefenseEvasion => "DefenseEvasion",
            Tactic::CredentialAccess => "CredentialAccess",
            Tactic::Discovery => "Discovery",
            Tactic::LateralMovement => "LateralMovement",
            Tactic::Collection => "Collection",
            Tactic::CommandAndControl => "CommandAndControl",
            Tactic::Exfiltration => "Exfiltration",
            Tactic::Impact => "Impact",
        }
    }
}

/// A MITRE ATT&CK technique or sub-technique id: `T1021` or `T1021.002`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Technique(String);

impl Technique {
    /// `value`, if it is a technique id.
    pub fn new(value: impl Into<String>) -> Result<Technique, String> {
        let value = value.into();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let well_formed = match value.strip_prefix('T') {
            Some(rest) => match rest.split_once('.') {
                Some((id, sub)) => digits(id, 4) && digits(sub, 3),
                None => digits(rest, 4),
            },
            None => false,
        };
        if well_formed {
            Ok(Technique(value))
        } else {
            Err(format!(
                "`{value}` is not a MITRE ATT&CK technique id: write T and four digits, with an optional sub-technique, such as T1021 or T1021.002"
            ))
        }
    }

    /// The id: `T1021`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Technique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Technique, D::Error> {
        Technique::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// How often a scheduled rule runs: the intervals Defender XDR custom detections offer (and
/// Sentinel analytics rules accept, except `continuous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Frequency {
    /// As events arrive (near real time): Defender XDR only.
    #[serde(rename = "continuous")]
    Continuous,
    #[serde(rename = "1h")]
    EveryHour,
    #[serde(rename = "3h")]
    Every3Hours,
    #[serde(rename = "12h")]
    Every12Hours,
    #[serde(rename = "24h")]
    EveryDay,
}

impl Frequency {
    /// The time between two runs; zero for `continuous`.
    pub fn interval(self) -> Timespan {
        let hours = match self {
            Frequency::Continuous => 0,
            Frequency::EveryHour => 1,
            Frequency::Every3Hours => 3,
            Frequency::Every12Hours => 12,
            Frequency::EveryDay => 24,
        };
        Timespan::new(hours, TimeUnit::Hours).expect("a day fits in a timespan")
    }
}

/// A table, column or connector name: letters, digits and `_`, not starting with a digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Identifier(String);

impl Identifier {
    /// `value`, if it is a plain name.
    pub fn new(value: impl Into<String>) -> Result<Identifier, String> {
        let value = value.into();
        let mut bytes = value.bytes();
        let well_formed = bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if well_formed && value.len() <= 128 {
            Ok(Identifier(value))
        } else {
            Err(format!(
                "`{value}` is not a name: use letters, digits and _, starting with a letter or _"
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Identifier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Identifier, D::Error> {
        Identifier::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A Sentinel data connector and the tables of it that the query reads
/// (`requiredDataConnectors`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConnector {
    /// The connector's id: `MicrosoftThreatProtection`.
    pub connector_id: Identifier,
    /// The tables: `DeviceNetworkEvents`.
    #[serde(deserialize_with = "non_empty_unique")]
    pub data_types: Vec<Identifier>,
}

/// The kinds of entity a result column can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityType {
    /// A user or service account.
    Account,
    /// A device.
    Host,
    /// An IP address.
    IP,
}

/// The identifiers (entity fields) Sentinel accepts in an entity mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityIdentifier {
    Name,
    FullName,
    NTDomain,
    DnsDomain,
    UPNSuffix,
    Sid,
    AadUserId,
    ObjectGuid,
    HostName,
    NetBiosName,
    AzureID,
    OMSAgentID,
    Address,
    /// The Defender XDR device id (`DeviceId`) of a host: Microsoft Graph's `deviceIdColumn`.
    /// Sentinel's entity mappings have no identifier for it, so Sentinel files leave it out.
    DeviceId,
}

impl EntityIdentifier {
    /// Whether Sentinel's entity mappings take this identifier.
    pub fn in_sentinel(self) -> bool {
        self != EntityIdentifier::DeviceId
    }
}

impl EntityType {
    /// The identifiers this entity takes, and those of them that identify it on their own (a
    /// mapping needs at least one of the latter).
    fn identifiers(self) -> (&'static [EntityIdentifier], &'static [EntityIdentifier]) {
        use EntityIdentifier::*;
        match self {
            EntityType::Account => (
                &[
                    Name, FullName, NTDomain, DnsDomain, UPNSuffix, Sid, AadUserId, ObjectGuid,
                ],
                &[Name, FullName, Sid, AadUserId, ObjectGuid],
            ),
            EntityType::Host => (
                &[
                    HostName,
                    FullName,
                    NetBiosName,
                    DnsDomain,
                    NTDomain,
                    AzureID,
                    OMSAgentID,
                    DeviceId,
                ],
                &[HostName, FullName, NetBiosName, AzureID, OMSAgentID],
            ),
            EntityType::IP => (&[Address], &[Address]),
        }
    }
}

/// One entity of each result row: its type and the columns that hold its identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawEntityMapping")]
pub struct EntityMapping {
    /// What the columns name.
    pub entity: EntityType,
    /// Which column holds which identifier.
    pub fields: Vec<FieldMapping>,
}

/// A column that holds one identifier of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMapping {
    /// The identifier: `HostName`.
    pub identifier: EntityIdentifier,
    /// The result column: `RemoteDeviceName`.
    pub column: Identifier,
}

/// An entity mapping as written, before its identifiers are checked against its type.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntityMapping {
    entity: EntityType,
    fields: Vec<FieldMapping>,
}

impl TryFrom<RawEntityMapping> for EntityMapping {
    type Error = String;

    fn try_from(raw: RawEntityMapping) -> Result<EntityMapping, String> {
        let (allowed, identifying) = raw.entity.identifiers();
        let names = |list: &[EntityIdentifier]| {
            list.iter()
                .map(|i| format!("{i:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if raw.fields.is_empty() {
            return Err(format!(
                "a {:?} mapping needs at least one field",
                raw.entity
            ));
        }
        for (index, field) in raw.fields.iter().enumerate() {
            if !allowed.contains(&field.identifier) {
                return Err(format!(
                    "{:?} is not an identifier of a {:?} entity (use {})",
                    field.identifier,
                    raw.entity,
                    names(allowed)
                ));
            }
            if raw.fields[..index]
                .iter()
                .any(|f| f.identifier == field.identifier)
            {
                return Err(format!("{:?} is mapped twice", field.identifier));
            }
        }
        if !raw
            .fields
            .iter()
            .any(|f| identifying.contains(&f.identifier))
        {
            return Err(format!(
                "a {:?} mapping needs one of {}, which identify it",
                raw.entity,
                names(identifying)
            ));
        }
        Ok(EntityMapping {
            entity: raw.entity,
            fields: raw.fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_three_numbers() {
        let version: Version = "1.2.30".parse().unwrap();
        assert_eq!((version.major, version.minor, version.patch), (1, 2, 30));
        assert_eq!(version.to_string(), "1.2.30");
        for bad in ["1.0", "1.0.0.0", "v1.0.0", "1..0", "1.0.x", "", "1.0.-1"] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
    }

    #[test]
    fn techniques_are_attack_ids() {
        for good in ["T1021", "T1021.002"] {
            assert_eq!(Technique::new(good).unwrap().as_str(), good);
        }
        for bad in [
            "T102",
            "T10210",
            "t1021",
            "T1021.2",
            "T1021.",
            "1021",
            "LateralMovement",
        ] {
            assert!(Technique::new(bad).is_err(), "{bad}");
        }
    }

    fn mapping(
        entity: EntityType,
        fields: &[(EntityIdentifier, &str)],
    ) -> Result<EntityMapping, String> {
        EntityMapping::try_from(RawEntityMapping {
            entity,
            fields: fields
                .iter()
                .map(|(identifier, column)| FieldMapping {
                    identifier: *identifier,
                    column: Identifier::new(*column).unwrap(),
                })
                .collect(),
        })
    }

    #[test]
    fn entity_mappings_take_the_identifiers_of_their_entity() {
        use EntityIdentifier::*;
        assert!(mapping(EntityType::Host, &[(HostName, "RemoteDeviceName")]).is_ok());
        assert!(mapping(EntityType::IP, &[(Address, "RemoteIP")]).is_ok());
        assert!(
            mapping(
                EntityType::Account,
                &[(Name, "AccountName"), (NTDomain, "AccountDomain")]
            )
            .is_ok()
        );
        let err = mapping(EntityType::IP, &[(HostName, "RemoteIP")]).unwrap_err();
        assert!(
            err.contains("HostName is not an identifier of a IP entity"),
            "{err}"
        );
        let err = mapping(EntityType::Account, &[(NTDomain, "AccountDomain")]).unwrap_err();
        assert!(err.contains("needs one of Name, FullName, Sid"), "{err}");
        let err = mapping(EntityType::Host, &[(HostName, "A"), (HostName, "B")]).unwrap_err();
        assert!(err.contains("mapped twice"), "{err}");
        assert!(mapping(EntityType::Host, &[]).is_err());
    }

    #[test]
    fn frequencies_are_intervals() {
        assert!(Frequency::Continuous.interval().is_zero());
        assert_eq!(
            Frequency::Every12Hours.interval().as_millis(),
            12 * 3_600_000
        );
        assert_eq!(Frequency::EveryDay.interval().as_millis(), 86_400_000);
    }

    #[test]
    fn summaries_fit_sentinel_descriptions() {
        assert!(Summary::new("x".repeat(255)).is_ok());
        let err = Summary::new("é".repeat(256)).unwrap_err();
        assert!(err.contains("256 characters"), "{err}");
        assert!(Summary::new(" ").is_err());
    }

    #[test]
    fn identifiers_are_plain_names() {
        assert!(Identifier::new("DeviceNetworkEvents").is_ok());
        assert!(Identifier::new("_x1").is_ok());
        for bad in ["", "1x", "a b", "a-b", "a\"", "ü"] {
            assert!(Identifier::new(bad).is_err(), "{bad}");
        }
    }
}
