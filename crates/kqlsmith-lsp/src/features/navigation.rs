//! `let` names and function parameters: definition, references, rename, highlights; and the
//! outline (`documentSymbol`) of `let` statements and queries.

use std::ops::Range;

use kqlsmith_lint::Edit;
use kqlsmith_lint::schema::is_identifier;
use lsp_types::{DocumentHighlight, DocumentHighlightKind, DocumentSymbol, SymbolKind};

use crate::document::Document;
use crate::semantics::{Binding, BindingKind, Semantics};
use crate::settings::Settings;

/// The binding at document offset `offset`, with its ranges in document bytes.
pub fn binding_at(document: &Document, all: &[Settings], offset: usize) -> Option<Binding> {
    let (region, at) = document.region_at(offset)?;
    let semantics = Semantics::new(region.text(), &all[region.index].linter);
    let mut binding = semantics.binding_at(at)?;
    binding.decl = region.to_document(binding.decl);
    binding.statement = region.to_document(binding.statement);
    binding.uses = binding
        .uses
        .into_iter()
        .map(|u| region.to_document(u))
        .collect();
    Some(binding)
}

/// The declaration and every use, in source order.
pub fn references(binding: &Binding, include_declaration: bool) -> Vec<Range<usize>> {
    let mut all: Vec<Range<usize>> = binding.uses.clone();
    if include_declaration {
        all.push(binding.decl.clone());
    }
    all.sort_by_key(|r| r.start);
    all
}

pub fn highlights(document: &Document, binding: &Binding) -> Vec<DocumentHighlight> {
    references(binding, true)
        .into_iter()
        .map(|r| DocumentHighlight {
            kind: Some(if r == binding.decl {
                DocumentHighlightKind::WRITE
            } else {
                DocumentHighlightKind::READ
            }),
            range: document.range(r),
        })
        .collect()
}

/// The edits renaming the binding everywhere in the document; an error when `new_name` is not
/// a name KQL accepts bare.
pub fn rename(binding: &Binding, new_name: &str) -> Result<Vec<Edit>, String> {
    if !is_identifier(new_name) {
        return Err(format!(
            "`{new_name}` is not a KQL name (letters, digits and `_`)"
        ));
    }
    Ok(references(binding, true)
        .into_iter()
        .map(|r| Edit::replace(r, new_name))
        .collect())
}

/// The outline: each `let` (functions with their parameters) and each query.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, though the protocol retired it
pub fn symbols(document: &Document, all: &[Settings]) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for (region, settings) in document.regions().iter().zip(all) {
        let text = region.text();
        let semantics = Semantics::new(text, &settings.linter);
        let symbol = |name: String,
                      kind,
                      detail: Option<String>,
                      whole: Range<usize>,
                      name_at: Range<usize>| DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: document.range(region.to_document(whole)),
            selection_range: document.range(region.to_document(name_at)),
            children: None,
        };
        let bindings = semantics.bindings();
        for b in bindings.iter().filter(|b| b.kind != BindingKind::Parameter) {
            let (kind, detail) = match &b.kind {
                BindingKind::Function(params) => (
                    SymbolKind::FUNCTION,
                    Some(format!("({})", params.join(", "))),
                ),
                BindingKind::Tabular => (SymbolKind::VARIABLE, Some("rows".to_string())),
                BindingKind::Scalar(ty) => (SymbolKind::CONSTANT, Some(ty.as_str().to_string())),
                _ => (SymbolKind::VARIABLE, None),
            };
            out.push(symbol(
                b.name.clone(),
                kind,
                detail,
                b.statement.clone(),
                b.decl.clone(),
            ));
        }
        for (i, query) in semantics.queries().into_iter().enumerate() {
            let first_line = text[query.clone()]
                .lines()
                .next()
                .unwrap_or_default()
                .trim();
            let name = format!("query {}: {first_line}", i + 1);
            let head = query.start..query.start + first_line.len();
            out.push(symbol(name, SymbolKind::NAMESPACE, None, query, head));
        }
    }
    out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    out
}
