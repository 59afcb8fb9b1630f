//! `kqlsmith render --emit`: rule files checked against the formats they claim to be.
//!
//! Sentinel hunting queries are checked against the fields the Azure-Sentinel repository's
//! hunting-query template requires (`id`, `name`, `description`, `requiredDataConnectors`,
//! `tactics`, `relevantTechniques`, `query`, `entityMappings`, `version`) and their types;
//! analytics rules against the layout of its detections; ARM templates against the
//! deployment template and resource schemas; Defender XDR rules against Microsoft Graph
//! v1.0's `detectionRule` resources (`ruleSchedule.frequency`, `mitreTactic`,
//! `entityMappingConfiguration`). Every file embeds the query exactly as `render --platform`
//! prints it.

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

const PROFILES: [&str; 4] = [
    "internal-connections",
    "internal-connections-classic",
    "internal-connections-detection",
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
        assert!(
            string(&yaml, "description").chars().count() <= 255,
            "{profile}"
        );
        assert!(string(&yaml, "name").chars().count() < 50, "{profile}");
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

fn json_str<'a>(value: &'a Json, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("missing {pointer}"))
        .as_str()
        .unwrap_or_else(|| panic!("{pointer} is not a string"))
}

fn keys(value: &Json) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// An ISO 8601 duration of days, hours and minutes, as Graph and ARM take them.
fn is_iso_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let number_then = |part: &str, units: &[char]| {
        let mut digits = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                digits += 1;
            } else if units.contains(&c) && digits > 0 {
                digits = 0;
            } else {
                return false;
            }
        }
        digits == 0
    };
    !(days.is_empty() && time.is_empty())
        && number_then(days, &['D'])
        && number_then(time, &['H', 'M', 'S'])
}

/// The profiles that can be scheduled rules as shipped, and the arguments that make them one.
const RULES: [(&str, &[&str]); 3] = [
    ("internal-connections-detection", &[]),
    ("internal-connections", &["--device", "ws-042"]),
    ("remote-logons", &["--device", "ws-042"]),
];

fn render_args<'a>(profile: &'a str, extra: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["render", "--profile", profile];
    args.extend_from_slice(extra);
    args.extend_from_slice(tail);
    args
}

/// The Graph v1.0 `detectionRule` body: the documented properties, nothing deprecated
/// (`schedule.period`, `alertTemplate.category`, `mitreTechniques`, `impactedAssets`).
#[test]
fn defender_json_is_a_graph_v1_detection_rule_with_nothing_deprecated() {
    for (profile, extra) in RULES {
        let text = ok(&render_args(profile, extra, &["--emit", "defender-json"]));
        let rule: Json = serde_json::from_str(&text).expect("the JSON parses back");
        assert_eq!(
            keys(&rule),
            [
                "detectionAction",
                "displayName",
                "isEnabled",
                "queryCondition",
                "schedule"
            ],
            "{profile}"
        );
        assert!(!json_str(&rule, "/displayName").is_empty());
        assert!(rule["isEnabled"].is_boolean());
        let printed = ok(&render_args(profile, extra, &["--platform", "defender"]));
        assert_eq!(
            json_str(&rule, "/queryCondition/queryText"),
            printed,
            "{profile}"
        );
        assert_eq!(keys(&rule["schedule"]), ["frequency"]);
        assert!(is_iso_duration(json_str(&rule, "/schedule/frequency")));
        let alert = &rule["detectionAction"]["alertTemplate"];
        assert_eq!(
            keys(alert),
            [
                "description",
                "entityMappings",
                "severity",
                "tactics",
                "title"
            ],
            "{profile}"
        );
        assert!(["informational", "low", "medium", "high"].contains(&json_str(alert, "/severity")));
        for tactic in alert["tactics"].as_array().unwrap() {
            assert!(TACTICS.contains(&json_str(tactic, "/tactic")));
            for technique in tactic["techniques"].as_array().unwrap() {
                let id = json_str(technique, "/technique");
                assert!(is_technique(id) && !id.contains('.'), "{id}");
                for sub in technique["subTechniques"].as_array().unwrap() {
                    assert!(sub.as_str().unwrap().starts_with(&format!("{id}.")));
                }
            }
        }
        // Every mapped column is one the query returns (its last `project`).
        // The stage may span several lines in fmt's layout: read it as one line of words.
        let start = printed.rfind("\n| project").unwrap() + 1;
        let end = printed[start + 1..]
            .find("\n|")
            .map_or(printed.len(), |at| start + 1 + at);
        let last_project = printed[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mappings = &alert["entityMappings"];
        let allowed: [(&str, &[&str]); 3] = [
            (
                "hosts",
                &[
                    "nameColumn",
                    "netBiosNameColumn",
                    "dnsDomainColumn",
                    "ntDomainColumn",
                    "deviceIdColumn",
                ],
            ),
            (
                "accounts",
                &[
                    "nameColumn",
                    "ntDomainColumn",
                    "dnsDomainColumn",
                    "upnSuffixColumn",
                    "sidColumn",
                    "aadUserIdColumn",
                    "upnColumn",
                ],
            ),
            ("ips", &["addressColumn"]),
        ];
        for kind in keys(mappings) {
            let (_, properties) = allowed
                .iter()
                .find(|(name, _)| *name == kind)
                .unwrap_or_else(|| panic!("{profile}: unexpected entity kind {kind}"));
            for mapping in mappings[kind].as_array().unwrap() {
                for (property, column) in mapping.as_object().unwrap() {
                    assert!(properties.contains(&property.as_str()), "{property}");
                    let column = column.as_str().unwrap();
                    assert!(
                        last_project.contains(&format!(" {column},"))
                            || last_project.contains(&format!(" {column} ="))
                            || last_project.ends_with(&format!(" {column}")),
                        "{profile}: {column} is not returned by {last_project}"
                    );
                }
            }
        }
        assert!(keys(mappings).contains(&"hosts"), "{profile}");
    }
}

/// Scheduled rules are refused, with exit status 2, nothing on stdout and no file, for a hunt
/// of one device that still names the placeholder, and for a Defender XDR query without
/// `Timestamp` and `ReportId`.
#[test]
fn scheduled_rules_are_refused_when_they_could_not_work() {
    for format in ["defender-json", "sentinel-rule"] {
        for profile in ["internal-connections", "remote-logons"] {
            let dir = tempfile::tempdir().unwrap();
            let outcome = kqlsmith(&[
                "render",
                "--profile",
                profile,
                "--emit",
                format,
                "--out",
                dir.path().to_str().unwrap(),
            ]);
            assert_eq!(outcome.code, 2, "{profile} {format}");
            assert_eq!(outcome.stdout, "");
            assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
            assert!(
                outcome.stderr.contains("placeholder `compromiseddevice`")
                    && outcome.stderr.contains("--device"),
                "{}",
                outcome.stderr
            );
        }
    }
    // The published hunt returns neither Timestamp nor ReportId.
    let outcome = kqlsmith(&[
        "render",
        "--profile",
        "internal-connections-classic",
        "--device",
        "ws-042",
        "--emit",
        "defender-json",
    ]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome
            .stderr
            .contains("does not return Timestamp or ReportId"),
        "{}",
        outcome.stderr
    );
    // Hunting formats keep the placeholder: a hunter fills it in.
    let yaml = ok(&["render", "--emit", "sentinel-yaml"]);
    assert!(yaml.contains("compromiseddevice"));
    let arm = ok(&["render", "--emit", "sentinel-arm"]);
    assert!(arm.contains("savedSearches"));
}

/// The Azure-Sentinel repository's analytics rule layout.
#[test]
fn sentinel_rule_has_the_fields_of_a_scheduled_analytics_rule() {
    for (profile, extra) in RULES {
        let text = ok(&render_args(profile, extra, &["--emit", "sentinel-rule"]));
        let yaml: Yaml = serde_norway::from_str(&text).expect("the YAML parses back");
        let keys: Vec<&str> = yaml
            .as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap())
            .collect();
        let mut expected = vec![
            "id",
            "name",
            "description",
            "severity",
            "requiredDataConnectors",
            "queryFrequency",
            "queryPeriod",
            "triggerOperator",
            "triggerThreshold",
            "tactics",
            "relevantTechniques",
            "query",
            "entityMappings",
        ];
        if profile == "internal-connections-detection" {
            expected.push("customDetails");
        }
        expected.extend([
            "eventGroupingSettings",
            "incidentConfiguration",
            "version",
            "kind",
        ]);
        assert_eq!(keys, expected, "{profile}");
        assert!(is_uuid(string(&yaml, "id")));
        assert!(string(&yaml, "name").chars().count() < 50, "{profile}");
        assert!(
            string(&yaml, "description").chars().count() <= 255,
            "{profile}"
        );
        assert!(["High", "Medium", "Low", "Informational"].contains(&string(&yaml, "severity")));
        let days = |text: &str| -> f64 {
            let (number, unit) = text.split_at(text.len() - 1);
            let number: f64 = number.parse().unwrap_or_else(|_| panic!("{text}"));
            match unit {
                "m" => number / 1440.0,
                "h" => number / 24.0,
                "d" => number,
                _ => panic!("{text} is not 30m, 12h or 2d"),
            }
        };
        let frequency = days(string(&yaml, "queryFrequency"));
        let period = days(string(&yaml, "queryPeriod"));
        assert!(
            frequency <= period && period <= 14.0,
            "{profile}: {frequency} {period}"
        );
        assert_eq!(string(&yaml, "triggerOperator"), "gt");
        assert_eq!(yaml["triggerThreshold"].as_u64(), Some(0));
        assert_eq!(string(&yaml, "kind"), "Scheduled");
        assert!(
            strings(&yaml, "tactics")
                .iter()
                .all(|t| TACTICS.contains(t))
        );
        assert!(
            strings(&yaml, "relevantTechniques")
                .iter()
                .all(|t| is_technique(t))
        );
        let printed = ok(&render_args(profile, extra, &["--platform", "sentinel"]));
        assert_eq!(string(&yaml, "query"), printed, "{profile}");
        assert!(
            ["AlertPerResult", "SingleAlert"]
                .contains(&string(&yaml["eventGroupingSettings"], "aggregationKind"))
        );
        assert!(yaml["incidentConfiguration"]["createIncident"].is_bool());
    }
    let detection = ok(&[
        "render",
        "--profile",
        "internal-connections-detection",
        "--emit",
        "sentinel-rule",
    ]);
    let yaml: Yaml = serde_norway::from_str(&detection).unwrap();
    assert_eq!(string(&yaml, "queryFrequency"), "1d");
    assert_eq!(string(&yaml, "queryPeriod"), "14d");
}

/// An ARM deployment template: the schema, a `workspace` parameter, and an analytics rule
/// (detection) or a saved search (hunting query) with the properties the resource requires.
#[test]
fn sentinel_arm_is_a_deployment_template_of_the_right_resource() {
    let check_template = |text: &str| -> Json {
        let template: Json = serde_json::from_str(text).expect("the JSON parses back");
        assert_eq!(
            json_str(&template, "/$schema"),
            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
        );
        let version = json_str(&template, "/contentVersion");
        assert_eq!(version.split('.').count(), 4);
        assert_eq!(json_str(&template, "/parameters/workspace/type"), "string");
        assert_eq!(template["resources"].as_array().unwrap().len(), 1);
        template["resources"][0].clone()
    };
    let text = ok(&[
        "render",
        "--profile",
        "internal-connections-detection",
        "--emit",
        "sentinel-arm",
    ]);
    let rule = check_template(&text);
    assert_eq!(
        json_str(&rule, "/type"),
        "Microsoft.OperationalInsights/workspaces/providers/alertRules"
    );
    assert_eq!(json_str(&rule, "/kind"), "Scheduled");
    let name = json_str(&rule, "/name");
    assert!(
        name.starts_with("[concat(parameters('workspace'), '/Microsoft.SecurityInsights/")
            && name.ends_with("')]"),
        "{name}"
    );
    let yaml: Yaml = serde_norway::from_str(&ok(&[
        "render",
        "--profile",
        "internal-connections-detection",
        "--emit",
        "sentinel-rule",
    ]))
    .unwrap();
    assert!(name.contains(string(&yaml, "id")), "the rule keeps its id");
    let properties = &rule["properties"];
    for required in [
        "displayName",
        "enabled",
        "query",
        "queryFrequency",
        "queryPeriod",
        "severity",
        "suppressionDuration",
        "suppressionEnabled",
        "triggerOperator",
        "triggerThreshold",
    ] {
        assert!(properties.get(required).is_some(), "missing {required}");
    }
    assert_eq!(json_str(properties, "/queryFrequency"), "P1D");
    assert_eq!(json_str(properties, "/queryPeriod"), "P14D");
    assert!(is_iso_duration(json_str(
        properties,
        "/suppressionDuration"
    )));
    assert_eq!(json_str(properties, "/triggerOperator"), "GreaterThan");
    let printed = ok(&[
        "render",
        "--profile",
        "internal-connections-detection",
        "--platform",
        "sentinel",
    ]);
    assert_eq!(json_str(properties, "/query"), printed);
    for technique in properties["techniques"].as_array().unwrap() {
        let id = technique.as_str().unwrap();
        assert!(is_technique(id) && !id.contains('.'), "{id}");
    }

    for profile in [
        "internal-connections",
        "internal-connections-classic",
        "remote-logons",
    ] {
        let text = ok(&["render", "--profile", profile, "--emit", "sentinel-arm"]);
        let search = check_template(&text);
        assert_eq!(
            json_str(&search, "/type"),
            "Microsoft.OperationalInsights/workspaces/savedSearches"
        );
        assert_eq!(json_str(&search, "/properties/category"), "Hunting Queries");
        let printed = ok(&["render", "--profile", profile, "--platform", "sentinel"]);
        assert_eq!(json_str(&search, "/properties/query"), printed, "{profile}");
        let tags: Vec<&str> = search["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tag| json_str(tag, "/name"))
            .collect();
        assert_eq!(tags, ["description", "tactics", "techniques"]);
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
        "--device",
        "ws-042",
        "--emit",
        "defender-json,kql,sentinel-yaml,sentinel-rule,sentinel-arm",
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
            "remote-logons.sentinel.arm.json",
            "remote-logons.sentinel.kql",
            "remote-logons.sentinel.rule.yaml",
            "remote-logons.sentinel.yaml",
        ]
    );
    let printed = ok(&[
        "render",
        "--profile",
        "remote-logons",
        "--device",
        "ws-042",
        "--emit",
        "sentinel-yaml",
    ]);
    let written = std::fs::read_to_string(dir.path().join("remote-logons.sentinel.yaml")).unwrap();
    assert_eq!(written, printed);
}
