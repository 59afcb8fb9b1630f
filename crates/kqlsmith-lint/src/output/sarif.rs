//! SARIF 2.1.0, the format code-scanning services read: every rule in `tool.driver.rules`,
//! one result a diagnostic with its region (1-based lines, columns in Unicode code points).

use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix as SarifFix, Location, Message,
    MultiformatMessageString, PhysicalLocation, Region, Replacement, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::{FileReport, position};
use crate::diagnostic::Severity;
use crate::rules::RuleInfo;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log of one run over `reports`, describing every rule in `rules`.
pub fn sarif(reports: &[FileReport], rules: &[&'static RuleInfo]) -> String {
    let level = |severity: Severity| match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    };
    let descriptors: Vec<ReportingDescriptor> = rules
        .iter()
        .map(|rule| {
            ReportingDescriptor::builder()
                .id(rule.code)
                .name(rule.name)
                .short_description(
                    MultiformatMessageString::builder()
                        .text(rule.summary)
                        .build(),
                )
                .full_description(
                    MultiformatMessageString::builder()
                        .text(rule.documentation())
                        .build(),
                )
                .help(
                    MultiformatMessageString::builder()
                        .text(rule.summary)
                        .markdown(rule.documentation())
                        .build(),
                )
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level(rule.severity)))
                        .build(),
                )
                .build()
        })
        .collect();

    let mut results = Vec::new();
    for report in reports {
        let uri = report.path.replace('\\', "/");
        let region = |range: &std::ops::Range<usize>| {
            let start = position(&report.source, range.start);
            let end = position(&report.source, range.end);
            Region::builder()
                .start_line(start.line as i64)
                .start_column(start.column as i64)
                .end_line(end.line as i64)
                .end_column(end.column as i64)
                .byte_offset(range.start as i64)
                .byte_length(range.end.saturating_sub(range.start) as i64)
                .build()
        };
        let artifact = || ArtifactLocation::builder().uri(uri.clone()).build();
        for d in &report.diagnostics {
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact())
                        .region(region(&d.range))
                        .build(),
                )
                .build();
            let fixes: Vec<SarifFix> = d
                .fix
                .iter()
                .map(|fix| {
                    let replacements: Vec<Replacement> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            Replacement::builder()
                                .deleted_region(region(&e.range))
                                .inserted_content(
                                    ArtifactContent::builder()
                                        .text(e.replacement.clone())
                                        .build(),
                                )
                                .build()
                        })
                        .collect();
                    SarifFix::builder()
                        .description(Message::builder().text(fix.message.clone()).build())
                        .artifact_changes(vec![
                            ArtifactChange::builder()
                                .artifact_location(artifact())
                                .replacements(replacements)
                                .build(),
                        ])
                        .build()
                })
                .collect();
            let mut result = SarifResult::builder()
                .rule_id(d.code)
                .level(level(d.severity))
                .message(Message::builder().text(d.message.clone()).build())
                .locations(vec![location])
                .build();
            result.rule_index = rules
                .iter()
                .position(|r| r.code == d.code)
                .map(|i| i as i64);
            if !fixes.is_empty() {
                result.fixes = Some(fixes);
            }
            results.push(result);
        }
    }

    let driver = ToolComponent::builder()
        .name("kqlsmith")
        .information_uri("https://github.com/kqlsmith/kqlsmith")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
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
