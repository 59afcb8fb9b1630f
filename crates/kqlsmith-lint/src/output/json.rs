//! JSON: an array with one object a diagnostic. The fields are stable; new fields may be
//! added, none removed or renamed.

use serde::Serialize;

use super::{FileReport, Position, position};
use crate::diagnostic::{Applicability, Severity};

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    /// 1-based; columns count characters; `end` is just past the last character.
    start: Position,
    end: Position,
    /// Byte offsets into the file: `start_offset..end_offset`.
    start_offset: usize,
    end_offset: usize,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: Position,
    end: Position,
    start_offset: usize,
    end_offset: usize,
    replacement: &'a str,
}

/// Every diagnostic of every file, as a pretty-printed JSON array.
pub fn json(reports: &[FileReport]) -> String {
    let items: Vec<JsonDiagnostic> = reports
        .iter()
        .flat_map(|report| {
            report.diagnostics.iter().map(|d| JsonDiagnostic {
                code: d.code,
                rule: d.rule,
                severity: d.severity,
                message: &d.message,
                file: &report.path,
                start: position(&report.source, d.range.start),
                end: position(&report.source, d.range.end),
                start_offset: d.range.start,
                end_offset: d.range.end,
                fix: d.fix.as_ref().map(|fix| JsonFix {
                    message: &fix.message,
                    applicability: fix.applicability,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            start: position(&report.source, e.range.start),
                            end: position(&report.source, e.range.end),
                            start_offset: e.range.start,
                            end_offset: e.range.end,
                            replacement: &e.replacement,
                        })
                        .collect(),
                }),
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("diagnostics serialize to JSON")
}
