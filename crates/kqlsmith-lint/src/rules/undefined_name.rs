//! Rule KQL104 `undefined-name`: A function or name that is not defined.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::semantic::{Callee, Resolution};

declare_rule! {
/// ## What it does
/// Reports a called function that is neither a KQL built-in, a function of the platform (such
/// as Defender's `FileProfile`), nor a `let` function of the query; and names used where no
/// columns are in scope that no `let` defines.
///
/// ## Why is this bad
/// The query fails with "Unknown function" or "Failed to resolve scalar expression".
///
/// ## Example
/// ```kql
/// let Window = 1d;
/// print Start = ago(Windw)
/// ```
///
/// ## Fix
/// Correct the spelling (the message suggests the closest name), or define the name with a
/// `let` statement before it is used.
    "KQL104", "undefined-name", Error, "A function or name that is not defined"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let with_suggestion =
        |span: &Range<usize>, message: String, suggestion: &Option<String>| match suggestion {
            Some(s) => Diagnostic::new(
                &RULE,
                span.clone(),
                format!("{message}; did you mean `{s}`?"),
            )
            .with_fix(Fix::unsafe_(
                format!("use `{s}`"),
                vec![Edit::replace(span.clone(), s.clone())],
            )),
            None => Diagnostic::new(
                &RULE,
                span.clone(),
                format!("{message}; define it with a `let` statement before its use"),
            ),
        };
    for name in &cx.model.names {
        if let Resolution::Unknown {
            suggestion,
            row_scope: false,
        } = &name.resolution
        {
            out.push(with_suggestion(
                &name.ident.span,
                format!("undefined name `{}`", name.ident.name),
                suggestion,
            ));
        }
    }
    for call in &cx.model.calls {
        if let Callee::Unknown { suggestion } = &call.callee {
            out.push(with_suggestion(
                &call.name.span,
                format!(
                    "unknown function `{}`: not a KQL function, a function of {}, or a `let` \
                     of this query",
                    call.name.name, cx.platform.title
                ),
                suggestion,
            ));
        }
    }
}
