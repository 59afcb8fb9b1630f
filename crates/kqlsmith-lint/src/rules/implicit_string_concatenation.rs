//! Rule KQL205 `implicit-string-concatenation`: adjacent string literals in a list.

use std::ops::Range;

use kqlsmith_syntax::{TokenKind, tokens};

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{Expr, ExprKind, Literal};
use crate::rules::{Context, declare_rule};
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports string literals side by side, with no comma between them, as an item of a list:
/// an `in (...)`, `has_any (...)` or `has_all (...)` list, or a function's arguments.
///
/// ## Why is this bad
/// KQL joins adjacent string literals into one string, even across line breaks and
/// comments: `"cmd.exe" "powershell.exe"` is `"cmd.exepowershell.exe"`. In a list that is
/// almost always a missing comma, and the list silently loses both values.
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where FileName in~ ("cmd.exe"
///     "powershell.exe", "wscript.exe")
/// ```
///
/// ## Fix
/// Put a comma between the literals. The fix does it, marked unsafe: where one string was
/// meant, write it as one literal instead.
    "KQL205", "implicit-string-concatenation", Warning, "Adjacent string literals in a list, joined into one string"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Adjacent<'s, 'o> {
        source: &'s str,
        out: &'o mut Vec<Diagnostic>,
    }
    impl Adjacent<'_, '_> {
        fn item(&mut self, item: &Expr) {
            if !matches!(item.kind, ExprKind::Literal(Literal::String(_))) {
                return;
            }
            // The string literals of the item's own text: an item starts and ends at a
            // literal's edge, so the lexer reads that text as it reads the whole source,
            // and an IOC list of a million items needs no table of every literal in the file.
            let Some(text) = self.source.get(item.span.clone()) else {
                return;
            };
            let parts: Vec<Range<usize>> = tokens(text)
                .into_iter()
                .filter(|t| matches!(t.kind, TokenKind::String(_)))
                .map(|t| item.span.start + t.span.start..item.span.start + t.span.end)
                .collect();
            if parts.len() < 2 {
                return;
            }
            let edits = parts[..parts.len() - 1]
                .iter()
                .map(|s| Edit::insert(s.end, ","))
                .collect();
            self.out.push(
                Diagnostic::new(
                    &RULE,
                    item.span.clone(),
                    format!(
                        "{} string literals side by side are joined into one string; a comma is missing between them",
                        parts.len()
                    ),
                )
                .with_fix(Fix::unsafe_("put a comma between them", edits)),
            );
        }
    }
    impl IrVisitor for Adjacent<'_, '_> {
        fn expr(&mut self, expr: &Expr) {
            match &expr.kind {
                ExprKind::List(items) => items.iter().for_each(|i| self.item(i)),
                ExprKind::Call(call) if call.args.len() > 1 => {
                    call.args.iter().for_each(|i| self.item(i));
                }
                _ => {}
            }
        }
    }
    let source = cx.source;
    walk_script(cx.script, &mut Adjacent { source, out });
}
