//! `kqlsmith render --emit`: rule files checked against the formats they claim to be.
//!
//! Sentinel hunting queries are checked against the fields the Azure-Sentinel repository's
//! hunting-query template requires (`id`, `name`, `description`, `requiredDataConnectors`,
//! `tactics`, `relevantTechniques`, `query`, `entityMappings`, `version`) and their types;
//! Defender XDR rules against Microsoft Graph's documented `detectionRule` fields and enums
//! (`alertSeverity`, `ruleSchedule.period`, `deviceAssetIdentifier`, `userAssetIdentifier`).
//! Both embed the query exactly as `render --platform` prints it.

use std::process::Command;

use serde_json::Value as Json;
use serde_norway::Value as Yaml;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn kqlsmith(args: &[&str]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("kqlsmith runs");
    Outcome {
        code: output.status.code().expect("kqlsmith exits"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn ok(args: &[&str]) -> String {
    let outcome = kqlsmith(args);
    assert_eq!(outcome.code, 0, "{args:?}: {}", outcome.stderr);
    outcome.stdout
}

const PROFILES: [&str; 3] = [
    "internal-connections",
    "internal-connections-classic",
    "remote-logons",
];

const TACTICS: [&str; 14] = [
    "Reconnaissance",
    "ResourceDevelopment",
    "InitialAccess",
    "Execution",
    "Persistence",
    "PrivilegeEscalation",
    "DefenseEvasion",
    "CredentialAccess",
    "Discovery",
    "LateralMovement",
    "Collection",
    "CommandAndControl",
    "Exfiltration",
    "Impact",
];

fn is_technique(text: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match text.strip_prefix('T') {
        Some(rest) => match rest.split_once('.') {
            Some((id, sub)) => digits(id, 4) && digits(sub, 3),
            None => digits(rest, 4),
        },
        None => false,
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
}

fn string<'a>(map: &'a Yaml, key: &str) -> &'a str {
    map.get(key)
        .unwrap_or_else(|| panic!("missing `{key}`"))
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string"))
}

fn strings<'a>(map: &'a Yaml, key: &str) -> Vec<&'a str> {
    map.get(key)
        .unwrap_or_else(|| panic!("missing `{key}`"))
        .as_sequence()
        .unwrap_or_else(|| panic!("`{key}` is not a list"))
        .iter()
        .map(|item| {
            item.as_str()
                .unwrap_or_else(|| panic!("`{key}` holds a non-string"))
        })
        .collect()
}

#[test]
fn sentinel_yaml_has_every_field_of_the_hunting_query_template() {
    for profile in PROFILES {
        let text = ok(&["render", "--profile", profile, "--emit", "sentinel-yaml"]);
        let yaml: Yaml = serde_norway::from_str(&text).expect("the YAML parses back");
        let map = yaml.as_mapping().expect("a mapping at the top");
        let keys: Vec<&str> = map.keys().map(|k| k.as_str().unwrap()).collect();
        assert_eq!(
            keys,
            [
                "id",
                "name",
                "description",
                "requiredDataConnectors",
                "tactics",
                "relevantTechniques",
                "query",
                "entityMappings",
                "version"
            ],
            "{profile}"
        );
        assert!(is_uuid(string(&yaml, "id")), "{profile}");
        assert!(!string(&yaml, "name").trim().is_empty());
        assert!(!string(&yaml, "description").trim().is_empty());
        let connectors = yaml["requiredDataConnectors"].as_sequence().unwrap();
        assert!(!connectors.is_empty());
        for connector in connectors {
            assert_eq!(
                string(connector, "connectorId"),
                "MicrosoftThreatProtection"
            );
            assert!(!strings(connector, "dataTypes").is_empty());
        }
        let tactics = strings(&yaml, "tactics");
        assert!(
            !tactics.is_empty() && tactics.iter().all(|t| TACTICS.contains(t)),
            "{tactics:?}"
        );
        let techniques = strings(&yaml, "relevantTechniques");
        assert!(techniques.iter().all(|t| is_technique(t)), "{techniques:?}");
        let version = string(&yaml, "version");
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|n| n.parse::<u32>().is_ok()),
            "{version}"
        );
        let mappings = yaml["entityMappings"].as_sequence().unwrap();
        for mapping in mappings {
            assert!(["Host", "IP", "Account"].contains(&string(mapping, "entityType")));
            for field in mapping["fieldMappings"].as_sequence().unwrap() {
                assert!(!string(field, "identifier").is_empty());
                assert!(!string(field, "columnName").is_empty());
            }
        }
        // The query is byte for byte what `render --platform sentinel` prints.
        let printed = ok(&["render", "--profile", profile, "--platform", "sentinel"]);
        assert_eq!(string(&yaml, "query"), printed, "{profile}");
    }
}

#[test]
fn the_internal_connections_rule_reads_its_tables_and_maps_host_and_ip() {
    let text = ok(&["render", "--emit", "sentinel-yaml"]);
    let yaml: Yaml = serde_norway::from_str(&text).unwrap();
    let connector = &yaml["requiredDataConnectors"][0];
    assert_eq!(
        strings(connector, "dataTypes"),
        ["DeviceNetworkEvents", "DeviceNetworkInfo"]
    );
    assert_eq!(strings(&yaml, "tactics"), ["LateralMovement"]);
    assert_eq!(strings(&yaml, "relevantTechniques"), ["T1021"]);
    let mapped: Vec<(&str, &str, &str)> = yaml["entityMappings"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|m| {
            let entity = string(m, "entityType");
            m["fieldMappings"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(move |f| (entity, string(f, "identifier"), string(f, "columnName")))
        })
        .collect();
    assert_eq!(
        mapped,
        [
            ("Host", "HostName", "RemoteDeviceName"),
            ("IP", "Address", "RemoteIP")
        ]
    );
    // The id is derived from the hunt's name: the same in every run, whatever the device.
    assert_eq!(string(&yaml, "id"), "d99d92dd-4ebc-5962-988d-3fca5c3636a0");
    let other = ok(&["render", "--emit", "sentinel-yaml", "--device", "ws-042"]);
    let other: Yaml = serde_norway::from_str(&other).unwrap();
    assert_eq!(other["id"], yaml["id"]);
}

/// Microsoft Graph's `deviceAssetIdentifier` values.
const DEVICE_IDENTIFIERS: [&str; 5] = [
    "deviceId",
    "deviceName",
    "remoteDeviceName",
    "targetDeviceName",
    "destinationDeviceName",
];

/// Microsoft Graph's `userAssetIdentifier` values.
const USER_IDENTIFIERS: [&str; 18] = [
    "accountObjectId",
    "accountSid",
    "accountUpn",
    "accountName",
    "accountDomain",
    "accountId",
    "requestAccountSid",
    "requestAccountName",
    "requestAccountDomain",
    "recipientObjectId",
    "processAccountObjectId",
    "initiatingAccountSid",
    "initiatingProcessAccountUpn",
    "initiatingAccountName",
    "initiatingAccountDomain",
    "servicePrincipalId",
    "servicePrincipalName",
    "targetAccountUpn",
];

fn json_str<'a>(value: &'a Json, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("missing {pointer}"))
        .as_str()
        .unwrap_or_else(|| panic!("{pointer} is not a string"))
}

#[test]
fn defender_json_has_the_documented_detection_rule_fields() {
    for profile in PROFILES {
        let text = ok(&["render", "--profile", profile, "--emit", "defender-json"]);
        let rule: Json = serde_json::from_str(&text).expect("the JSON parses back");
        assert!(!json_str(&rule, "/displayName").is_empty());
        assert!(rule["isEnabled"].is_boolean());
        let printed = ok(&["render", "--profile", profile, "--platform", "defender"]);
        assert_eq!(
            json_str(&rule, "/queryCondition/queryText"),
            printed,
            "{profile}"
        );
        assert!(["0", "1H", "3H", "12H", "24H"].contains(&json_str(&rule, "/schedule/period")));
        let alert = &rule["detectionAction"]["alertTemplate"];
        assert!(!json_str(alert, "/title").is_empty());
        assert!(!json_str(alert, "/description").is_empty());
        assert!(["informational", "low", "medium", "high"].contains(&json_str(alert, "/severity")));
        assert_eq!(json_str(alert, "/category"), "LateralMovement");
        let techniques = alert["mitreTechniques"].as_array().unwrap();
        assert!(techniques.iter().all(|t| is_technique(t.as_str().unwrap())));
        let assets = alert["impactedAssets"].as_array().unwrap();
        assert!(!assets.is_empty(), "{profile}");
        for asset in assets {
            let identifier = json_str(asset, "/identifier");
            match json_str(asset, "/@odata.type") {
                "#microsoft.graph.security.impactedDeviceAsset" => {
                    assert!(DEVICE_IDENTIFIERS.contains(&identifier), "{identifier}")
                }
                "#microsoft.graph.security.impactedUserAsset" => {
                    assert!(USER_IDENTIFIERS.contains(&identifier), "{identifier}")
                }
                other => panic!("{profile}: unexpected asset type {other}"),
            }
        }
    }
}

#[test]
fn defender_json_warns_when_the_query_lacks_the_columns_defender_requires() {
    let outcome = kqlsmith(&[
        "render",
        "--emit",
        "defender-json",
        "--set",
        "output.columns=RemoteIP,RemoteDeviceName,ConnectedPorts",
    ]);
    assert_eq!(outcome.code, 0);
    assert!(
        outcome.stderr.starts_with("warning: internal-connections:")
            && outcome.stderr.contains("Timestamp and ReportId"),
        "{}",
        outcome.stderr
    );
    // Both shipped hunts return them as shipped.
    for profile in ["internal-connections", "remote-logons"] {
        let outcome = kqlsmith(&["render", "--profile", profile, "--emit", "defender-json"]);
        assert_eq!(outcome.code, 0, "{profile}");
        assert_eq!(outcome.stderr, "", "{profile}");
    }
}

#[test]
fn a_rule_format_needs_its_platform_and_printing_takes_one_format() {
    let outcome = kqlsmith(&[
        "render",
        "--platform",
        "defender",
        "--emit",
        "sentinel-yaml",
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("writes files for sentinel"),
        "{}",
        outcome.stderr
    );
    assert_eq!(outcome.stdout, "");
    let outcome = kqlsmith(&["render", "--emit", "kql,sentinel-yaml"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("one --emit format"),
        "{}",
        outcome.stderr
    );
    let outcome = kqlsmith(&["render", "--emit", "yaml"]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("sentinel-yaml"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn emit_writes_every_format_for_its_platform() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    ok(&[
        "render",
        "--profile",
        "remote-logons",
        "--emit",
        "defender-json,kql,sentinel-yaml",
        "--out",
        out,
    ]);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "remote-logons.defender.json",
            "remote-logons.defender.kql",
            "remote-logons.sentinel.kql",
            "remote-logons.sentinel.yaml",
        ]
    );
    let printed = ok(&[
        "render",
        "--profile",
        "remote-logons",
        "--emit",
        "sentinel-yaml",
    ]);
    let written = std::fs::read_to_string(dir.path().join("remote-logons.sentinel.yaml")).unwrap();
    assert_eq!(written, printed);
}
