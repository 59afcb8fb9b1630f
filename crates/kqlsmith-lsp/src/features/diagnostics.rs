//! `textDocument/publishDiagnostics`: the findings `kqlsmith lint` gives for the text, in LSP
//! terms (ranges in the client's position encoding, the rule's code, `kqlsmith` as source).

use kqlsmith_lint::Severity;
use lsp_types::{CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Uri};

use crate::document::Document;
use crate::settings::Settings;

/// Where the rules are documented (the rule table of the README; `kqlsmith rules CODE` prints
/// one rule's page, and hovering over a finding shows it).
const RULE_DOCS: &str = "https://github.com/kqlsmith/kqlsmith/blob/main/README.md#linting";

/// The lint findings of every query of the document, as `kqlsmith lint` reports them.
pub fn lint(document: &Document, settings: &Settings) -> Vec<kqlsmith_lint::Diagnostic> {
    let mut found = Vec::new();
    for region in document.regions() {
        let path = document.path.as_deref();
        for mut d in settings.linter.lint_file(region.text(document), path) {
            d.range = region.to_document(d.range);
            for label in &mut d.labels {
                label.range = region.to_document(label.range.clone());
            }
            if let Some(fix) = &mut d.fix {
                for edit in &mut fix.edits {
                    edit.range = region.to_document(edit.range.clone());
                }
            }
            found.push(d);
        }
    }
    found
}

/// A finding as an LSP diagnostic.
pub fn to_lsp(document: &Document, d: &kqlsmith_lint::Diagnostic) -> Diagnostic {
    Diagnostic {
        range: document.range(d.range.clone()),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: rule_docs().map(|href| CodeDescription { href }),
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

fn rule_docs() -> Option<Uri> {
    RULE_DOCS.parse().ok()
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
