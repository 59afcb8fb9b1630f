//! `textDocument/signatureHelp`: inside a call's brackets, the function's parameters and the
//! one the cursor is on. Works while the call is being typed (unclosed).

use lsp_types::{
    Documentation, ParameterInformation, ParameterLabel, SignatureHelp, SignatureInformation,
};

use crate::document::Document;
use crate::features::hover;
use crate::semantics::{BindingKind, Semantics, readable_at};
use crate::settings::Settings;

/// The signature of the call around document offset `offset`.
pub fn signature_help(
    document: &Document,
    all: &[Settings],
    offset: usize,
) -> Option<SignatureHelp> {
    let (region, at) = document.region_at(offset)?;
    let settings = &all[region.index];
    let text = region.text();
    let (name, argument) = open_call(text, at)?;
    let params = parameters(text, at, &name, settings)?;
    let label = format!("{name}({})", params.join(", "));
    let documentation = hover::builtin(&name)
        .and_then(|f| f.summary())
        .map(|s| Documentation::String(s.to_string()));
    let mut start = name.len() as u32 + 1;
    let parameters = params
        .iter()
        .map(|p| {
            let len = p.chars().map(char::len_utf16).sum::<usize>() as u32;
            let info = ParameterInformation {
                label: ParameterLabel::LabelOffsets([start, start + len]),
                documentation: None,
            };
            start += len + 2;
            info
        })
        .collect::<Vec<_>>();
    let active = (argument as u32).min(parameters.len().saturating_sub(1) as u32);
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation,
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// The parameters of function `name`: a `let` function's as declared, a built-in's by count.
fn parameters(text: &str, at: usize, name: &str, settings: &Settings) -> Option<Vec<String>> {
    let readable = readable_at(text, at);
    let semantics = Semantics::new(&readable, &settings.linter);
    if let Some(b) = semantics
        .bindings_in_scope(at)
        .into_iter()
        .find(|b| b.name == name)
    {
        return match b.kind {
            BindingKind::Function(params) => Some(params),
            _ => None,
        };
    }
    let (min, max) = if let Some(f) = hover::builtin(name) {
        (f.min_args, f.max_args)
    } else {
        let f = settings.linter.platform().function(name)?;
        (f.min_args, Some(f.max_args))
    };
    let shown = max.unwrap_or(min + 1).min(min + 4).max(min);
    let mut params: Vec<String> = (1..=shown)
        .map(|i| {
            if i <= min {
                format!("arg{i}")
            } else {
                format!("[arg{i}]")
            }
        })
        .collect();
    if max.is_none_or(|max| max > shown) {
        params.push("...".into());
    }
    Some(params)
}

/// The name of the call whose open bracket encloses `at`, and the index of the argument `at`
/// is in.
fn open_call(text: &str, at: usize) -> Option<(String, usize)> {
    let skipped = kqlsmith_syntax::tokens(&text[..at])
        .into_iter()
        .map(|token| token.span)
        .collect::<Vec<_>>();
    let in_skipped = |i: usize| skipped.iter().any(|s| s.start <= i && i < s.end);
    let bytes = text.as_bytes();
    let (mut depth, mut commas) = (0usize, 0usize);
    for i in (0..at).rev() {
        if in_skipped(i) {
            continue;
        }
        match bytes[i] {
            b')' | b']' | b'}' => depth += 1,
            b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' if depth > 0 => depth -= 1,
            b',' if depth == 0 => commas += 1,
            b'(' => {
                let before = &text[..i];
                // The name starts after the last character that is not part of one, which
                // may be several bytes long (`pa😀json(`).
                let start = before
                    .char_indices()
                    .rfind(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |(p, c)| p + c.len_utf8());
                let name = &before[start..];
                return (!name.is_empty() && !name.as_bytes()[0].is_ascii_digit())
                    .then(|| (name.to_string(), commas));
            }
            b'[' | b'{' | b'|' | b';' => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_call_and_argument_are_found_through_nested_calls_and_strings() {
        let at_end = |t: &str| open_call(t, t.len());
        assert_eq!(at_end("T | where strcat(a, "), Some(("strcat".into(), 1)));
        assert_eq!(
            at_end("T | where f(g(1, 2), \"(,\", "),
            Some(("f".into(), 2))
        );
        assert_eq!(at_end("T | where (a"), None);
        assert_eq!(at_end("T | where f(a) "), None);
        // A character of several bytes just before the name, or the bracket.
        assert_eq!(at_end("print pa😀json("), Some(("json".into(), 0)));
        assert_eq!(at_end("print é("), None);
        assert_eq!(at_end("print 😀("), None);
    }
}
