//! Rule KQL403 `obsolete-function`: A deprecated function name.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, declare_rule};
use crate::semantic::Callee;

declare_rule! {
/// ## What it does
/// Reports deprecated function names that have a current replacement: `makeset` and
/// `makelist` (now `make_set`, `make_list`), `parsejson` (`parse_json`), `any` (`take_any`),
/// `argmax`/`argmin` (`arg_max`/`arg_min`), and others.
///
/// ## Why is this bad
/// Deprecated names still run but are hidden from the documentation and may stop working.
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | summarize makeset(FileName) by DeviceId
/// ```
///
/// ## Fix
/// Use the current name. The fix renames the function; it is safe for names whose replacement
/// takes the same arguments and returns the same result.
    "KQL403", "obsolete-function", Warning, "A deprecated function name"
}

/// Deprecated names, their replacements, and whether renaming keeps the meaning exactly.
const REPLACEMENTS: &[(&str, &str, bool)] = &[
    ("makeset", "make_set", true),
    ("makelist", "make_list", true),
    ("make_dictionary", "make_bag", true),
    ("parsejson", "parse_json", true),
    ("toobject", "todynamic", true),
    ("any", "take_any", true),
    ("anyif", "take_anyif", true),
    ("notnull", "isnotnull", true),
    ("notempty", "isnotempty", true),
    ("columnifexists", "column_ifexists", true),
    ("arraylength", "array_length", true),
    ("totime", "totimespan", true),
    ("parseurl", "parse_url", true),
    ("parseurlquery", "parse_urlquery", true),
    ("base64_encodestring", "base64_encode_tostring", true),
    ("base64_decodestring", "base64_decode_tostring", true),
    ("weekofyear", "week_of_year", true),
    ("datepart", "datetime_part", true),
    ("pack", "bag_pack", true),
    // These name their result columns differently (`max_X` vs `X`), so renaming is unsafe.
    ("argmax", "arg_max", false),
    ("argmin", "arg_min", false),
    ("extractall", "extract_all", false),
    ("replace", "replace_regex", false),
];

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for call in &cx.model.calls {
        let Callee::Builtin(f) = &call.callee else {
            continue;
        };
        if !f.obsolete {
            continue;
        }
        let Some((old, new, safe)) = REPLACEMENTS.iter().find(|(old, ..)| *old == f.name) else {
            continue;
        };
        let message = format!("use `{new}`");
        let edits = vec![Edit::replace(call.name.span.clone(), *new)];
        out.push(
            Diagnostic::new(
                &RULE,
                call.name.span.clone(),
                format!("`{old}` is deprecated; use `{new}`"),
            )
            .with_fix(if *safe {
                Fix::safe(message, edits)
            } else {
                Fix::unsafe_(message, edits)
            }),
        );
    }
}
