//! GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line a
//! diagnostic, which GitHub shows as an annotation on the pull request's diff.

use super::{FileReport, position};
use crate::diagnostic::Severity;

/// One workflow command a diagnostic.
pub fn github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        for d in &report.diagnostics {
            let start = position(&report.source, d.range.start);
            let end = position(&report.source, d.range.end);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&report.path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("{} {}", d.code, d.rule)),
                escape_data(&format!("{} ({})", d.message, d.code)),
            ));
        }
    }
    out
}

/// Escapes a message as the runner expects (`%`, CR and LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`, which separate properties).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::rules;

    #[test]
    fn one_escaped_annotation_a_diagnostic() {
        let rule = rules::find(rules::all(), "KQL101").unwrap();
        let report = FileReport {
            path: "hunts/a,b.kql".into(),
            source: "T\n| take 1\n".into(),
            diagnostics: vec![Diagnostic::new(
                rule,
                0..1,
                "unknown table `T`\n100%".into(),
            )],
            notes: vec![],
        };
        assert_eq!(
            github(&[report]),
            "::error file=hunts/a%2Cb.kql,line=1,col=1,endLine=1,endColumn=2,\
             title=KQL101 unknown-table::unknown table `T`%0A100%25 (KQL101)\n"
        );
    }
}
