//! `textDocument/signatureHelp`: inside a call's brackets, the function's signatures (every
//! overload of a built-in, with its parameters' names and types), the overload that fits the
//! arguments typed so far and the parameter the cursor is in. Works while the call is being
//! typed (unclosed).

use std::ops::Range;

use kqlsmith_lint::signatures;
use lsp_types::{
    Documentation, ParameterInformation, ParameterLabel, SignatureHelp, SignatureInformation,
};

use crate::document::Document;
use crate::features::hover;
use crate::semantics::{BindingKind, Semantics, readable_at};
use crate::settings::Settings;

/// The signatures of the call around document offset `offset`.
pub fn signature_help(
    document: &Document,
    all: &[Settings],
    offset: usize,
) -> Option<SignatureHelp> {
    let (region, at) = document.region_at(offset)?;
    let settings = &all[region.index];
    let text = region.text();
    let call = open_call(text, at)?;
    let count = argument_count(text, &call);
    let (overloads, active) = overloads(text, at, &call, count, settings)?;
    let signatures = overloads
        .into_iter()
        .map(|overload| {
            let parameters = overload
                .parameters
                .iter()
                .map(|range| ParameterInformation {
                    label: ParameterLabel::LabelOffsets([
                        utf16_len(&overload.label[..range.start]),
                        utf16_len(&overload.label[..range.end]),
                    ]),
                    documentation: None,
                })
                .collect();
            SignatureInformation {
                label: overload.label,
                documentation: overload.summary.map(|s| Documentation::String(s.into())),
                parameters: Some(parameters),
                active_parameter: overload.active,
            }
        })
        .collect::<Vec<_>>();
    let active_parameter = signatures[active].active_parameter;
    Some(SignatureHelp {
        signatures,
        active_signature: Some(active as u32),
        active_parameter,
    })
}

/// One signature as shown: its label, the byte range of each parameter in it, the parameter
/// the cursor's argument stands for, and what the function gives (a built-in's summary).
struct Overload {
    label: String,
    parameters: Vec<Range<usize>>,
    active: Option<u32>,
    summary: Option<&'static str>,
}

fn utf16_len(text: &str) -> u32 {
    text.chars().map(char::len_utf16).sum::<usize>() as u32
}

/// The signatures of the called function, and which of them the call's `count` arguments
/// fit: a `let` function's as declared, a built-in's overloads, a platform function's by its
/// argument count.
fn overloads(
    text: &str,
    at: usize,
    call: &Call,
    count: usize,
    settings: &Settings,
) -> Option<(Vec<Overload>, usize)> {
    let name = call.name.as_str();
    let readable = readable_at(text, at);
    let semantics = Semantics::new(&readable, &settings.linter);
    if let Some(b) = semantics
        .bindings_in_scope(at)
        .into_iter()
        .find(|b| b.name == name)
    {
        return match b.kind {
            BindingKind::Function(params) => Some((vec![listed(name, &params, call)], 0)),
            _ => None,
        };
    }
    // A name that is both a scalar and an aggregation function offers both's overloads, and
    // the argument count picks among them all.
    let builtins: Vec<_> = hover::builtins(name).collect();
    let overloads: Vec<_> = builtins
        .iter()
        .flat_map(|f| f.signatures().iter().map(move |s| (f, s)))
        .map(|(f, s)| {
            let (label, parameters) = s.label(name);
            let active = s
                .parameter_of(call.argument, count)
                .or(parameters.len().checked_sub(1))
                .map(|p| p as u32);
            Overload {
                label,
                parameters,
                active,
                summary: f.summary(),
            }
        })
        .collect();
    if !overloads.is_empty() {
        let signatures = builtins.iter().flat_map(|f| f.signatures());
        return Some((overloads, signatures::best_fit(signatures, count)));
    }
    let f = settings.linter.platform().function(name)?;
    let params = hover::numbered_parameters(f.min_args, Some(f.max_args));
    Some((vec![listed(name, &params, call)], 0))
}

/// `name(a, b)` from parameter texts, the cursor's argument on the one of its index (the last
/// when past them).
fn listed(name: &str, params: &[String], call: &Call) -> Overload {
    let mut label = format!("{name}(");
    let mut parameters = Vec::with_capacity(params.len());
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        parameters.push(label.len()..label.len() + p.len());
        label.push_str(p);
    }
    label.push(')');
    let active = call.argument.min(params.len().saturating_sub(1)) as u32;
    Overload {
        label,
        parameters,
        active: Some(active),
        summary: None,
    }
}

/// A call whose brackets are open at the cursor.
#[derive(Debug, PartialEq, Eq)]
struct Call {
    name: String,
    /// The offset of its `(`.
    open: usize,
    /// The index of the argument the cursor is in.
    argument: usize,
}

/// How many arguments the call has, as far as it is typed: its top-level commas after its
/// `(` up to its `)` (or the end of the text, a `|` or a `;` when unclosed), plus one when
/// anything but blanks and comments is between the brackets.
fn argument_count(text: &str, call: &Call) -> usize {
    let start = call.open + 1;
    let mut tokens = kqlsmith_syntax::tokens(&text[start..])
        .into_iter()
        .peekable();
    let bytes = &text.as_bytes()[start..];
    let (mut depth, mut commas, mut anything) = (0usize, 0usize, false);
    let mut i = 0;
    while i < bytes.len() {
        if let Some(token) = tokens.next_if(|t| t.span.start <= i) {
            anything |= token.kind != kqlsmith_syntax::TokenKind::Comment;
            i = i.max(token.span.end);
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b')' | b']' | b'}' => break,
            b',' if depth == 0 => commas += 1,
            b'|' | b';' if depth == 0 => break,
            _ => {}
        }
        anything |= !bytes[i].is_ascii_whitespace();
        i += 1;
    }
    if anything {
        (commas + 1).max(call.argument + 1)
    } else {
        0
    }
}

/// The call whose open bracket encloses `at`.
fn open_call(text: &str, at: usize) -> Option<Call> {
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
                return (!name.is_empty() && !name.as_bytes()[0].is_ascii_digit()).then(|| Call {
                    name: name.to_string(),
                    open: i,
                    argument: commas,
                });
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
        let at_end = |t: &str| open_call(t, t.len()).map(|c| (c.name, c.argument));
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

    #[test]
    fn arguments_are_counted_to_the_closing_bracket_or_the_end_of_what_is_typed() {
        let count = |t: &str| {
            let at = t.find('^').unwrap();
            let text = t.replace('^', "");
            argument_count(&text, &open_call(&text, at).unwrap())
        };
        assert_eq!(count("print extract(^\"a,\", 1, s, typeof(long)) // ,"), 4);
        assert_eq!(count("print iff(a, ^b, c)"), 3);
        assert_eq!(count("T | where strcat(a, ^"), 2);
        assert_eq!(count("T | where strcat(a, f(b, c), ^ | take 1"), 3);
        assert_eq!(count("T | summarize count(^)"), 0);
        assert_eq!(count("print f(^ // a comment, with a comma\n)"), 0);
        assert_eq!(count("print f(^\"\")"), 1);
    }
}
