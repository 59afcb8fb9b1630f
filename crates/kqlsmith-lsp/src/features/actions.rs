//! `textDocument/codeAction`: each finding's fix as a quick fix carrying its edit (safe fixes
//! preferred), and the conversion of the query to each other platform.

use std::collections::HashMap;
use std::ops::Range;

use kqlsmith_lint::convert::convert;
use kqlsmith_lint::{Applicability, Edit, Platform};
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, WorkspaceEdit};

use crate::document::Document;
use crate::features::diagnostics;
use crate::settings::Settings;

/// The actions for the byte range `wanted` of the document. In a host file the edits are
/// written back through the host (escaped, indented), so they are valid there.
pub fn actions(
    document: &Document,
    settings: &[Settings],
    wanted: Range<usize>,
) -> Vec<CodeActionOrCommand> {
    let overlaps = |r: &Range<usize>| r.start <= wanted.end && wanted.start <= r.end;
    let mut actions = Vec::new();
    for (index, found) in diagnostics::lint_queries(document, settings) {
        let region = &document.regions()[index];
        let Some(fix) = &found.fix else { continue };
        if fix.edits.is_empty() {
            continue;
        }
        let Some(edits) = document.query_edits(region, &fix.edits) else {
            continue;
        };
        let d = region.to_document_diagnostic(found.clone());
        if !overlaps(&d.range) {
            continue;
        }
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("{} ({})", fix.message, d.code),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostics::to_lsp(document, &d)]),
            edit: Some(workspace_edit(document, &edits)),
            is_preferred: Some(fix.applicability == Applicability::Safe),
            ..CodeAction::default()
        }));
    }
    for (region, settings) in document.regions().iter().zip(settings) {
        if !overlaps(&region.range()) {
            continue;
        }
        let from = settings.linter.platform();
        for to in Platform::builtins().iter().filter(|p| p.name != from.name) {
            let Ok(converted) = convert(region.text(), from, to) else {
                continue;
            };
            if converted.edits.is_empty() {
                continue;
            }
            let Some(edits) = document.query_edits(region, &converted.edits) else {
                continue;
            };
            let caveat = match converted.diagnostics.len() {
                0 => String::new(),
                n => format!(" ({n} thing(s) to check by hand)"),
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Convert this query to {}{caveat}", to.title),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(workspace_edit(document, &edits)),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// Byte edits of the document as a workspace edit.
pub fn workspace_edit(document: &Document, edits: &[Edit]) -> WorkspaceEdit {
    let edits = text_edits(document, edits);
    WorkspaceEdit {
        changes: Some(HashMap::from([(document.uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

pub fn text_edits(document: &Document, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit::new(document.range(e.range.clone()), e.replacement.clone()))
        .collect()
}
