//! SARIF 2.1.0, the format code-scanning services read: every rule in `tool.driver.rules`,
//! one result a diagnostic with its region (1-based lines, columns in Unicode code points).

use serde::Serialize;

use super::{FileReport, position};
use crate::diagnostic::Severity;
use crate::rules::RuleInfo;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

// The part of SARIF 2.1.0 kqlsmith writes, one struct an object of the specification. Fields
// are in alphabetical order, so the output reads the same whatever serializes it.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    tool: Tool<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    information_uri: &'static str,
    name: &'static str,
    rules: Vec<Rule<'a>>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    default_configuration: Configuration,
    full_description: Text<'a>,
    help: Help<'a>,
    help_uri: String,
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: Level,
}

#[derive(Serialize)]
struct Help<'a> {
    markdown: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
    Note,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    level: Level,
    locations: [Location<'a>; 1],
    message: Text<'a>,
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

/// Lines and columns 1-based, columns in Unicode code points (`columnKind`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    byte_length: usize,
    byte_offset: usize,
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    artifact_changes: [ArtifactChange<'a>; 1],
    description: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Note,
    }
}

/// A SARIF log of one run over `reports`, describing every rule in `rules`.
pub fn sarif(reports: &[FileReport], rules: &[&'static RuleInfo]) -> String {
    let documentation: Vec<String> = rules.iter().map(|rule| rule.documentation()).collect();
    let descriptors = rules
        .iter()
        .zip(&documentation)
        .map(|(rule, documentation)| Rule {
            default_configuration: Configuration {
                level: level(rule.severity),
            },
            full_description: Text {
                text: documentation,
            },
            help: Help {
                markdown: documentation,
                text: rule.summary,
            },
            help_uri: rule.docs_url(),
            id: rule.code,
            name: rule.name,
            short_description: Text { text: rule.summary },
        })
        .collect();

    let uris: Vec<String> = reports.iter().map(|r| r.path.replace('\\', "/")).collect();
    let mut results = Vec::new();
    for (report, uri) in reports.iter().zip(&uris) {
        let region = |range: &std::ops::Range<usize>| {
            let start = position(&report.source, range.start);
            let end = position(&report.source, range.end);
            Region {
                byte_length: range.end.saturating_sub(range.start),
                byte_offset: range.start,
                end_column: end.column,
                end_line: end.line,
                start_column: start.column,
                start_line: start.line,
            }
        };
        for d in &report.diagnostics {
            let fixes = d
                .fix
                .iter()
                .map(|fix| SarifFix {
                    artifact_changes: [ArtifactChange {
                        artifact_location: ArtifactLocation { uri },
                        replacements: fix
                            .edits
                            .iter()
                            .map(|e| Replacement {
                                deleted_region: region(&e.range),
                                inserted_content: Text {
                                    text: &e.replacement,
                                },
                            })
                            .collect(),
                    }],
                    description: Text { text: &fix.message },
                })
                .collect();
            results.push(SarifResult {
                fixes,
                level: level(d.severity),
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri },
                        region: region(&d.range),
                    },
                }],
                message: Text { text: &d.message },
                rule_id: d.code,
                rule_index: rules.iter().position(|r| r.code == d.code),
            });
        }
    }

    let log = Log {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results,
            tool: Tool {
                driver: Driver {
                    information_uri: crate::rules::HOME,
                    name: "kqlsmith",
                    rules: descriptors,
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    serde_json::to_string_pretty(&log).expect("SARIF serializes to JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Edit, Fix};
    use crate::rules;

    #[test]
    fn log_has_the_required_structure_rules_and_regions() {
        let rule = rules::find(rules::all(), "KQL402").unwrap();
        let source = "T\n| where A <> \"é\" and B <> 1\n";
        let at = source.rfind("<>").unwrap();
        let report = FileReport {
            path: "dir\\q.kql".into(),
            source: source.into(),
            diagnostics: vec![
                Diagnostic::new(rule, at..at + 2, "use `!=`".into()).with_fix(Fix::safe(
                    "write `!=`",
                    vec![Edit::replace(at..at + 2, "!=")],
                )),
            ],
            notes: vec![],
        };
        let log: serde_json::Value = serde_json::from_str(&sarif(&[report], rules::all())).unwrap();
        assert_eq!(log["version"], "2.1.0");
        assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
        let run = &log["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "kqlsmith");
        let described = driver["rules"].as_array().unwrap();
        assert_eq!(described.len(), rules::all().len());
        for d in described {
            assert!(d["id"].as_str().unwrap().starts_with("KQL"));
            assert!(d["shortDescription"]["text"].is_string());
            assert!(d["fullDescription"]["text"].is_string());
            let page = d["helpUri"].as_str().unwrap();
            let name = d["name"].as_str().unwrap().replace('-', "_");
            assert!(page.ends_with(&format!("/src/rules/{name}.rs")), "{page}");
        }
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "KQL402");
        assert_eq!(result["level"], "warning");
        assert!(result["message"]["text"].is_string());
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(described[index]["id"], "KQL402");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "dir/q.kql");
        let region = &location["region"];
        // `<>` is on line 2; `é` counts as one column although it is two bytes.
        assert_eq!(region["startLine"], 2);
        assert_eq!(region["startColumn"], 24);
        assert_eq!(region["endLine"], 2);
        assert_eq!(region["endColumn"], 26);
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let replacement = &result["fixes"][0]["artifactChanges"][0]["replacements"][0];
        assert_eq!(replacement["insertedContent"]["text"], "!=");
    }
}
