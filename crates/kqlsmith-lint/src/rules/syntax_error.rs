//! Rule KQL001 `syntax-error`: The query does not parse.

use crate::diagnostic::Diagnostic;
use crate::rules::declare_rule;

declare_rule! {
/// ## What it does
/// Reports text that is not valid KQL: the parser's first error, where it stopped and what it
/// expected there.
///
/// ## Why is this bad
/// A query that does not parse does not run; no other rule can look at it either.
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where FileName == "cmd.exe
/// ```
///
/// ## Fix
/// Correct the text at the location given (here: close the string literal).
    "KQL001", "syntax-error", Error, "The query does not parse"
}

/// The diagnostic for a parse error.
pub fn diagnostic(source: &str, error: &kqlsmith_syntax::ParseError) -> Diagnostic {
    let start = error.span.start.min(source.len());
    let end = error.span.end.clamp(start, source.len());
    Diagnostic::new(
        &RULE,
        start..end,
        format!("syntax error: {}", error.message),
    )
}
