//! `textDocument/completion`: after `| ` the operators; in an expression (`where`, `extend`,
//! `project`, `summarize ... by`, ...) the columns that reach the cursor, the `let` names and
//! the functions; at the start of a query the platform's tables; after `join kind=` the kinds.
//! Labels are bare names.

use kqlsmith_lint::functions::{self, FunctionKind};
use kqlsmith_lint::platform::FunctionUsage;
use lsp_types::{CompletionItem, CompletionItemKind};

use crate::document::Document;
use crate::semantics::{BindingKind, Semantics, readable_at};
use crate::settings::Settings;

/// The operators that may follow a `|`, as KQL spells them.
const OPERATORS: &[&str] = &[
    "as",
    "consume",
    "count",
    "distinct",
    "evaluate",
    "extend",
    "facet",
    "find",
    "fork",
    "getschema",
    "invoke",
    "join",
    "limit",
    "lookup",
    "make-series",
    "mv-apply",
    "mv-expand",
    "order",
    "parse",
    "parse-kv",
    "parse-where",
    "partition",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "reduce",
    "render",
    "sample",
    "sample-distinct",
    "scan",
    "search",
    "serialize",
    "sort",
    "summarize",
    "take",
    "top",
    "top-hitters",
    "top-nested",
    "union",
    "where",
];

/// The kinds of `join`, and of `lookup`.
const JOIN_KINDS: &[&str] = &[
    "inner",
    "innerunique",
    "leftouter",
    "rightouter",
    "fullouter",
    "leftanti",
    "rightanti",
    "leftsemi",
    "rightsemi",
    "leftantisemi",
    "rightantisemi",
];
const LOOKUP_KINDS: &[&str] = &["leftouter", "inner"];

/// Operators whose arguments are expressions over the incoming columns.
const EXPRESSION_OPERATORS: &[&str] = &[
    "where",
    "filter",
    "extend",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "summarize",
    "sort",
    "order",
    "top",
    "distinct",
    "mv-expand",
    "mv-apply",
    "make-series",
    "parse",
    "parse-where",
    "serialize",
    "join",
    "lookup",
    "top-nested",
];

/// What may be written at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    Operator,
    JoinKind {
        lookup: bool,
    },
    /// The start of a query: a table (or a tabular `let`).
    Table,
    /// An expression of the stage with this keyword.
    Expression {
        aggregates: bool,
    },
    Nothing,
}

/// The completions at document offset `offset`.
pub fn complete(document: &Document, all: &[Settings], offset: usize) -> Vec<CompletionItem> {
    let Some((region, at)) = document.region_at(offset) else {
        return Vec::new();
    };
    let settings = &all[region.index];
    let text = region.text();
    let word_start = text[..at]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
    let linter = &settings.linter;
    let platform = linter.platform();
    let mut items = Vec::new();
    match slot(text, word_start) {
        Slot::Operator => items.extend(
            OPERATORS
                .iter()
                .map(|op| item(op, CompletionItemKind::KEYWORD, None)),
        ),
        Slot::JoinKind { lookup } => {
            let kinds = if lookup { LOOKUP_KINDS } else { JOIN_KINDS };
            items.extend(
                kinds
                    .iter()
                    .map(|k| item(k, CompletionItemKind::ENUM_MEMBER, None)),
            );
        }
        Slot::Table => {
            let readable = readable_at(text, word_start);
            let semantics = Semantics::new(&readable, linter);
            for b in semantics.bindings_in_scope(word_start) {
                if matches!(b.kind, BindingKind::Tabular | BindingKind::Function(_)) {
                    items.push(item(
                        &b.name,
                        CompletionItemKind::VARIABLE,
                        Some("let".into()),
                    ));
                }
            }
            let tables = platform
                .schema()
                .tables()
                .chain(linter.config().tables.tables());
            items.extend(tables.map(|t| {
                item(
                    &t.name,
                    CompletionItemKind::CLASS,
                    Some(format!("table of {}", platform.title)),
                )
            }));
            items.extend(
                platform
                    .functions
                    .iter()
                    .filter(|f| f.usage == FunctionUsage::Table)
                    .map(|f| {
                        item(
                            &f.name,
                            CompletionItemKind::FUNCTION,
                            Some(format!("function of {}", platform.title)),
                        )
                    }),
            );
        }
        Slot::Expression { aggregates } => {
            let readable = readable_at(text, word_start);
            let semantics = Semantics::new(&readable, linter);
            for column in semantics.columns_at(word_start).unwrap_or_default() {
                items.push(item(
                    &column.name,
                    CompletionItemKind::FIELD,
                    Some(column.ty.as_str().into()),
                ));
            }
            for b in semantics.bindings_in_scope(word_start) {
                let kind = match b.kind {
                    BindingKind::Function(_) => CompletionItemKind::FUNCTION,
                    _ => CompletionItemKind::VARIABLE,
                };
                items.push(item(&b.name, kind, Some("let".into())));
            }
            let mut names: Vec<&str> = functions::names(FunctionKind::Scalar).collect();
            if aggregates {
                names.extend(functions::names(FunctionKind::Aggregate));
            }
            names.sort_unstable();
            names.dedup();
            items.extend(
                names
                    .into_iter()
                    .map(|f| item(f, CompletionItemKind::FUNCTION, None)),
            );
        }
        Slot::Nothing => {}
    }
    items
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// What may be written at `at`, from the code before it.
fn slot(text: &str, at: usize) -> Slot {
    let skipped = kqlsmith_syntax::tokens(text)
        .into_iter()
        .map(|token| token.span)
        .collect::<Vec<_>>();
    // Inside a comment or a string (an unclosed one runs to the end): nothing to offer.
    if skipped
        .iter()
        .any(|s| s.start < at && (at < s.end || s.end == text.len()))
    {
        return Slot::Nothing;
    }
    let code = code_before(text, at, &skipped);
    let trimmed = code.trim_end();
    if trimmed.ends_with('|') {
        return Slot::Operator;
    }
    let keyword = stage_keyword(trimmed);
    if trimmed.is_empty() || trimmed.ends_with(';') {
        return Slot::Table;
    }
    match keyword.as_deref() {
        Some(k @ ("join" | "lookup"))
            if trimmed
                .strip_suffix('=')
                .is_some_and(|t| t.trim_end().ends_with("kind")) =>
        {
            Slot::JoinKind {
                lookup: k == "lookup",
            }
        }
        Some("join" | "lookup" | "union")
            if trimmed.ends_with('(')
                || trimmed.ends_with(',') && keyword.as_deref() == Some("union") =>
        {
            Slot::Table
        }
        Some(k) if EXPRESSION_OPERATORS.contains(&k) => Slot::Expression {
            aggregates: matches!(k, "summarize" | "make-series"),
        },
        Some(_) => Slot::Nothing,
        None if trimmed.ends_with('=') && trimmed.trim_start().starts_with("let ") => Slot::Table,
        None => Slot::Nothing,
    }
}

/// `text[..at]` with comments blanked and string literals turned into `x`s, so the words and
/// punctuation left are code.
fn code_before(text: &str, at: usize, skipped: &[kqlsmith_syntax::Span]) -> String {
    let mut code = text.as_bytes()[..at].to_vec();
    for s in skipped {
        let end = s.end.min(at);
        if s.start >= end {
            continue;
        }
        let fill = if code[s.start] == b'/' { b' ' } else { b'x' };
        code[s.start..end].fill(fill);
    }
    // Only ASCII bytes were written, over whole characters' bytes: still UTF-8 unless a
    // character was cut, which `from_utf8_lossy` turns into a replacement character.
    String::from_utf8_lossy(&code).into_owned()
}

/// The keyword of the stage the end of `code` is in: the word after the last `|` outside the
/// brackets that close before the end (`None`: no `|`, the query's source).
fn stage_keyword(code: &str) -> Option<String> {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => depth = depth.saturating_sub(1),
            b'|' if depth == 0 => {
                let after = code[i + 1..].trim_start();
                let word: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return Some(word.to_ascii_lowercase());
            }
            b';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_follows_the_code_before_the_cursor() {
        let at_end = |t: &str| slot(t, t.len());
        assert_eq!(at_end("T\n| "), Slot::Operator);
        assert_eq!(at_end(""), Slot::Table);
        assert_eq!(at_end("let x = 1;\n"), Slot::Table);
        assert_eq!(at_end("T | where "), Slot::Expression { aggregates: false });
        assert_eq!(
            at_end("T | summarize count() by "),
            Slot::Expression { aggregates: true }
        );
        assert_eq!(at_end("T | join kind="), Slot::JoinKind { lookup: false });
        assert_eq!(
            at_end("T | lookup kind = "),
            Slot::JoinKind { lookup: true }
        );
        assert_eq!(at_end("T | join kind=inner ("), Slot::Table);
        assert_eq!(
            at_end("T | join (U | where "),
            Slot::Expression { aggregates: false }
        );
        assert_eq!(
            at_end("T | where f(a) and "),
            Slot::Expression { aggregates: false }
        );
        assert_eq!(
            at_end("T | where x == \"a | "),
            Slot::Nothing,
            "in a string"
        );
        assert_eq!(at_end("T // a | "), Slot::Nothing, "in a comment");
        assert_eq!(
            at_end("T | where x == 'a|b' and "),
            Slot::Expression { aggregates: false }
        );
        assert_eq!(at_end("T | render "), Slot::Nothing);
    }
}
