//! `textDocument/publishDiagnostics`: the findings `kqlsmith lint` gives for the text, in LSP
//! terms (ranges in the client's position encoding, the rule's code, `kqlsmith` as source).

use kqlsmith_hosts::HostError;
use kqlsmith_lint::Severity;
use lsp_types::{CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Uri};

use crate::document::Document;
use crate::settings::Settings;

/// The lint findings of every query of the document, as `kqlsmith lint` reports them, each
/// with its query's region index and its ranges in the query's bytes.
pub fn lint_queries(
    document: &Document,
    settings: &[Settings],
) -> Vec<(usize, kqlsmith_lint::Diagnostic)> {
    let path = document.path.as_deref();
    document
        .regions()
        .iter()
        .zip(settings)
        .flat_map(|(region, settings)| {
            let found = settings.linter.lint_file(region.text(), path);
            found.into_iter().map(|d| (region.index, d))
        })
        .collect()
}

/// The lint findings of every query of the document, as `kqlsmith lint` reports them, with
/// their ranges in document bytes.
pub fn lint(document: &Document, settings: &[Settings]) -> Vec<kqlsmith_lint::Diagnostic> {
    lint_queries(document, settings)
        .into_iter()
        .map(|(index, d)| document.regions()[index].to_document_diagnostic(d))
        .collect()
}

/// Why a host document cannot be read (not valid YAML or JSON, a query that is not text), as
/// an error at the place it names; nothing for a document that reads.
pub fn host_error(document: &Document) -> Option<Diagnostic> {
    let error = document.host_error.as_ref()?;
    let line = match error {
        HostError::Syntax { line, .. }
        | HostError::NotAString { line, .. }
        | HostError::Rewrite { line, .. } => *line,
        HostError::TooLarge { .. } => 1,
    };
    let column = match error {
        HostError::Syntax { column, .. } => *column,
        HostError::NotAString { .. } | HostError::Rewrite { .. } | HostError::TooLarge { .. } => 1,
    };
    let at = offset_of(&document.text, line, column);
    let line_end = document.text[at..]
        .find('\n')
        .map_or(document.text.len(), |i| at + i);
    Some(Diagnostic {
        range: document.range(at..line_end),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("kqlsmith".to_string()),
        message: error.to_string(),
        ..Diagnostic::default()
    })
}

/// The byte at a 1-based line and column (in characters), clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        n => text
            .match_indices('\n')
            .nth(n - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    let rest = &text[line_start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    line_start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
}

/// A finding as an LSP diagnostic.
pub fn to_lsp(document: &Document, d: &kqlsmith_lint::Diagnostic) -> Diagnostic {
    Diagnostic {
        range: document.range(d.range.clone()),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: rule_docs(d.rule).map(|href| CodeDescription { href }),
        source: Some("kqlsmith".to_string()),
        message: format!("{} ({})", d.message, d.rule),
        related_information: related(document, d),
        tags: None,
        data: None,
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The page of the rule named `rule` (`contains-operator`): see [`RuleInfo::docs_url`].
///
/// [`RuleInfo::docs_url`]: kqlsmith_lint::rules::RuleInfo::docs_url
pub fn rule_docs(rule: &str) -> Option<Uri> {
    let info = kqlsmith_lint::rules::all()
        .iter()
        .find(|r| r.name == rule)?;
    info.docs_url().parse().ok()
}

/// The finding's labels ("the `let` is here") as related locations in the same document.
fn related(
    document: &Document,
    d: &kqlsmith_lint::Diagnostic,
) -> Option<Vec<lsp_types::DiagnosticRelatedInformation>> {
    let labels: Vec<_> = d
        .labels
        .iter()
        .map(|label| lsp_types::DiagnosticRelatedInformation {
            location: lsp_types::Location::new(
                document.uri.clone(),
                document.range(label.range.clone()),
            ),
            message: label.message.clone(),
        })
        .collect();
    (!labels.is_empty()).then_some(labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_rule_links_to_its_own_documented_file() {
        let rules_folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kqlsmith-lint/src/rules");
        let mut seen = Vec::new();
        for rule in kqlsmith_lint::rules::all() {
            let href = rule_docs(rule.name).expect("a valid URI").to_string();
            let file = href.rsplit('/').next().unwrap().to_string();
            let source = std::fs::read_to_string(rules_folder.join(&file)).unwrap_or_else(|e| {
                panic!("{} links to {file}, which is not read: {e}", rule.code)
            });
            assert!(
                source.contains(&format!("\"{}\"", rule.code)),
                "{file} declares {}",
                rule.code
            );
            assert!(!seen.contains(&href), "{href} is one rule's");
            seen.push(href);
        }
        assert!(seen.len() > 20);
    }
}
