//! `textDocument/hover`: a column's type and where it comes from, a table's description, a
//! `let` name's definition, a function's signature, a finding's rule documentation; and the
//! platform the document is checked as.

use kqlsmith_lint::functions::{self, FunctionKind};
use kqlsmith_lint::rules;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::document::Document;
use crate::features::diagnostics;
use crate::semantics::{BindingKind, ColumnOrigin, NameAt, Semantics};
use crate::settings::Settings;

/// The hover text at document offset `offset`.
pub fn hover(document: &Document, all: &[Settings], offset: usize) -> Option<Hover> {
    let (region, at) = document.region_at(offset)?;
    let settings = &all[region.index];
    let text = region.text();
    let semantics = Semantics::new(text, &settings.linter);
    let mut sections = Vec::new();
    let mut range = None;
    if let Some(name) = semantics.name_at(at) {
        let line_of = |at: usize| document.range(region.to_document(at..at)).start.line + 1;
        sections.push(describe_name(&semantics, &name, settings, &line_of));
    }
    for d in diagnostics::lint(document, all) {
        if d.range.start <= offset && offset <= d.range.end {
            range.get_or_insert(d.range.clone());
            if let Some(rule) = rules::find(rules::all(), d.code) {
                sections.push(format!(
                    "**{} {}** ({}): {}\n\n{}",
                    rule.code,
                    rule.name,
                    d.severity,
                    d.message,
                    rule.documentation().trim()
                ));
            }
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: range.map(|r| document.range(r)),
    })
}

/// What `name` is; `line_of` gives the document line (1-based) of a query offset.
fn describe_name(
    semantics: &Semantics<'_>,
    name: &NameAt,
    settings: &Settings,
    line_of: &dyn Fn(usize) -> u32,
) -> String {
    let platform = semantics.platform();
    let checked_as = format!(
        "Checked as {} ({}).",
        platform.title, settings.platform_reason
    );
    match name {
        NameAt::Column { name, ty, origin } => {
            let from = match origin {
                ColumnOrigin::Table(table) => format!("column of `{table}`"),
                ColumnOrigin::Stage { keyword, at } => {
                    let line = line_of(at.start);
                    format!("made by `{keyword}` on line {line}")
                }
                ColumnOrigin::Unknown => "column".to_string(),
            };
            format!("`{name}`: `{}`\n\n{from}\n\n{checked_as}", ty.as_str())
        }
        NameAt::Table { name, known: true } => {
            let columns = platform.schema().table(name).map_or(0, |t| t.columns.len());
            let timed = platform
                .schema()
                .table(name)
                .and_then(|t| t.column(&platform.time_column))
                .map_or(String::new(), |c| format!(", timed by `{}`", c.name));
            format!(
                "`{name}`: table of {} ({columns} columns{timed})\n\n{checked_as}",
                platform.title
            )
        }
        NameAt::Table { name, known: false } => {
            format!(
                "`{name}`: not a table of {}\n\n{checked_as}",
                platform.title
            )
        }
        NameAt::Binding(binding) => {
            let statement = &semantics.text()[binding.statement.clone()];
            let shown: Vec<&str> = statement.lines().take(12).collect();
            let more = if statement.lines().count() > 12 {
                "\n..."
            } else {
                ""
            };
            let what = match &binding.kind {
                BindingKind::Scalar(ty) => format!("`{}`: `{}`", binding.name, ty.as_str()),
                BindingKind::Tabular => format!("`{}`: rows", binding.name),
                BindingKind::Function(params) => {
                    format!("`{}({})`: function", binding.name, params.join(", "))
                }
                BindingKind::Parameter => format!("`{}`: parameter", binding.name),
                BindingKind::Other => format!("`{}`", binding.name),
            };
            let uses = match binding.uses.len() {
                1 => "1 use".to_string(),
                n => format!("{n} uses"),
            };
            format!("{what} ({uses})\n\n```kql\n{}{more}\n```", shown.join("\n"))
        }
        NameAt::Function { name } => function_signature(name, platform)
            .unwrap_or_else(|| format!("`{name}`: not a known function")),
    }
}

/// A built-in's overloads shown with their parameters' names and types
/// (`bin(value: number, roundTo: number)`), at most this many.
const SHOWN_OVERLOADS: usize = 6;

/// The function's signatures (`bin(value: number, roundTo: number)`, a line an overload; a
/// platform function's as `name(arg1, [arg2])`), what kind of function it is, and what it
/// gives; a name that is both a scalar and an aggregation function (`any`) shows both.
pub fn function_signature(name: &str, platform: &kqlsmith_lint::Platform) -> Option<String> {
    let sections: Vec<String> = builtins(name)
        .map(|f| {
            let kind = match f.kind {
                FunctionKind::Aggregate => "aggregation function (in `summarize`)",
                FunctionKind::Scalar | FunctionKind::Plugin => "scalar function",
            };
            let labels = f.signatures().iter().map(|s| s.label(name).0).collect();
            let summary = f.summary().map_or(String::new(), |s| format!("\n\n{s}"));
            format!(
                "```kql\n{}\n```\n{kind}{}{summary}",
                shown_overloads(labels).join("\n"),
                if f.obsolete { "; deprecated" } else { "" }
            )
        })
        .collect();
    if !sections.is_empty() {
        return Some(sections.join("\n\n"));
    }
    let f = platform.function(name)?;
    let params = numbered_parameters(f.min_args, Some(f.max_args));
    Some(format!(
        "```kql\n{name}({})\n```\nfunction of this platform",
        params.join(", ")
    ))
}

/// At most [`SHOWN_OVERLOADS`] lines: past that, the last says how many more there are.
fn shown_overloads(mut labels: Vec<String>) -> Vec<String> {
    if labels.len() > SHOWN_OVERLOADS {
        let more = labels.len() - (SHOWN_OVERLOADS - 1);
        labels.truncate(SHOWN_OVERLOADS - 1);
        labels.push(format!("// and {more} more overloads"));
    }
    labels
}

/// The built-in scalar and aggregation functions of this name (a scalar first, as a call
/// outside `summarize` means): one, or both for the few names that are both.
pub fn builtins(name: &str) -> impl Iterator<Item = &'static functions::Function> {
    [FunctionKind::Scalar, FunctionKind::Aggregate]
        .into_iter()
        .filter_map(move |kind| functions::lookup(kind, name))
}

/// Parameters known only by count: `arg1, [arg2]`, `arg1, ...`.
pub fn numbered_parameters(min: usize, max: Option<usize>) -> Vec<String> {
    let mut args: Vec<String> = (1..=min).map(|i| format!("arg{i}")).collect();
    match max {
        Some(max) => args.extend((min + 1..=max.min(min + 4)).map(|i| format!("[arg{i}]"))),
        None => args.push("...".into()),
    }
    if max.is_some_and(|max| max > min + 4) {
        args.push("...".into());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overloads_past_the_limit_are_counted_on_a_last_line() {
        let labels = |n: usize| (1..=n).map(|i| format!("f{i}()")).collect::<Vec<_>>();
        assert_eq!(
            shown_overloads(labels(SHOWN_OVERLOADS)),
            labels(SHOWN_OVERLOADS)
        );
        let shown = shown_overloads(labels(SHOWN_OVERLOADS + 3));
        assert_eq!(shown.len(), SHOWN_OVERLOADS);
        assert_eq!(shown[..SHOWN_OVERLOADS - 1], labels(SHOWN_OVERLOADS - 1));
        assert_eq!(shown.last().unwrap(), "// and 4 more overloads");
    }
}
