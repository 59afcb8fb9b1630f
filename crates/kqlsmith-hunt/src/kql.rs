//! KQL text built from values: string literals, identifiers, numbers, timespans, lists and
//! dynamic arrays. Every value that reaches a generated query goes through this module, either
//! through the askama escaper for `.kql` templates ([`KqlStringEscaper`], for strings) or as a
//! [`Kql`] fragment built by one of its typed constructors (everything else).

use std::fmt::{self, Write};

use crate::timespan::Timespan;

/// Writes `value` as one double-quoted KQL string literal whose value is exactly `value`.
///
/// The escapes are KQL's documented ones (`\"`, `\\`, `\n`, `\t`) plus `\r` and `\uXXXX` for
/// the remaining control characters and Unicode line separators, so that the literal always
/// stays on one line and no character of `value` can end it early.
pub fn write_string_literal<W: Write>(mut out: W, value: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in value.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if needs_unicode_escape(c) => write!(out, "\\u{:04x}", u32::from(c))?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

/// Characters written as `\uXXXX`: control characters (which editors and terminals may act
/// on) and the Unicode line and paragraph separators (which some editors break lines at).
/// All of them are in the Basic Multilingual Plane, so four hex digits always suffice.
fn needs_unicode_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `value` as a KQL string literal.
pub fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    write_string_literal(&mut out, value).expect("writing to a String cannot fail");
    out
}

/// The askama escaper of `.kql` templates: every string a template prints with `{{ … }}`
/// becomes one complete KQL string literal, quotes included. A template therefore cannot
/// splice a string into the query text raw, even by forgetting the quotes. Values that are not
/// strings are [`Kql`] fragments printed with the `kql` filter.
#[derive(Debug, Clone, Copy, Default)]
pub struct KqlStringEscaper;

impl askama::filters::Escaper for KqlStringEscaper {
    fn write_escaped_str<W: Write>(&self, dest: W, string: &str) -> fmt::Result {
        write_string_literal(dest, string)
    }
}

/// A fragment of KQL text that kqlsmith built itself: an escaped literal, a checked identifier,
/// a number, a timespan, or a list of those. Only this module's constructors make one, so a
/// `Kql` never holds unescaped user text; templates print it as is with `{{ x|kql }}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kql(String);

impl Kql {
    /// A string literal: `"sensendr.exe"`.
    pub fn string(value: &str) -> Kql {
        Kql(string_literal(value))
    }

    /// KQL text fixed in kqlsmith's source, such as an operator (`!in~`) or a function name.
    /// Only `'static` text is accepted: it cannot come from a profile or the command line.
    pub(crate) fn fixed(text: &'static str) -> Kql {
        Kql(text.to_string())
    }

    /// `left op right`, with an operator fixed in kqlsmith's source: `DeviceName =~ x`.
    pub(crate) fn binary(left: &Kql, operator: &'static str, right: &Kql) -> Kql {
        Kql(format!("{} {operator} {}", left.0, right.0))
    }

    /// A call of a function named in kqlsmith's source: `strcat(x, ".")`.
    pub(crate) fn call(function: &'static str, arguments: impl IntoIterator<Item = Kql>) -> Kql {
        Kql(format!("{function}({})", join(arguments)))
    }

    /// A keyword fixed in kqlsmith's source followed by a comma-separated list:
    /// `union DeviceLogons, IdentityLogons`.
    pub(crate) fn keyword_list(keyword: &'static str, items: impl IntoIterator<Item = Kql>) -> Kql {
        Kql(format!("{keyword} {}", join(items)))
    }

    /// An assignment in `project` or `extend`: `name = value`.
    pub fn assignment(name: &Kql, value: &Kql) -> Kql {
        Kql(format!("{} = {}", name.0, value.0))
    }

    /// A column or variable name: bare when it is a plain identifier, else quoted as
    /// `["name"]`.
    pub fn ident(name: &str) -> Kql {
        if is_plain_identifier(name) {
            Kql(name.to_string())
        } else {
            Kql(format!("[{}]", string_literal(name)))
        }
    }

    /// An integer literal: `8008`.
    pub fn int(value: impl Into<i64>) -> Kql {
        Kql(value.into().to_string())
    }

    /// A timespan literal: `48h`.
    pub fn timespan(value: Timespan) -> Kql {
        Kql(value.to_string())
    }

    /// A parenthesised list, as the right operand of `in` and `!in`: `("a", "b")`.
    pub fn list(items: impl IntoIterator<Item = Kql>) -> Kql {
        Kql(format!("({})", join(items)))
    }

    /// A dynamic array literal: `dynamic([8008, 8009])`.
    pub fn dynamic_array(items: impl IntoIterator<Item = Kql>) -> Kql {
        Kql(format!("dynamic([{}])", join(items)))
    }

    /// Text for a `//` comment: the value on one line, control characters and line separators
    /// replaced by spaces, so that it cannot end the comment and start query text.
    pub fn comment_text(value: &str) -> Kql {
        Kql(value
            .chars()
            .map(|c| if needs_unicode_escape(c) { ' ' } else { c })
            .collect())
    }

    /// The KQL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn join(items: impl IntoIterator<Item = Kql>) -> String {
    items
        .into_iter()
        .map(|item| item.0)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Words that KQL reads as keywords or operators where a column name is expected; a column
/// with one of these names is quoted. Quoting is always valid, so the list errs on the long
/// side.
const KEYWORDS: &[&str] = &[
    "and",
    "as",
    "asc",
    "between",
    "by",
    "bool",
    "consume",
    "contains",
    "count",
    "datatable",
    "datetime",
    "decimal",
    "desc",
    "distinct",
    "dynamic",
    "evaluate",
    "extend",
    "false",
    "find",
    "from",
    "guid",
    "has",
    "in",
    "int",
    "join",
    "kind",
    "let",
    "limit",
    "long",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "print",
    "project",
    "range",
    "real",
    "search",
    "set",
    "sort",
    "step",
    "string",
    "summarize",
    "take",
    "timespan",
    "to",
    "top",
    "true",
    "typeof",
    "union",
    "where",
    "with",
];

/// `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name.to_ascii_lowercase().as_str())
}

/// Custom askama filters for `.kql` templates.
pub(crate) mod filters {
    use askama::filters::Safe;

    use super::Kql;

    /// Prints a [`Kql`] fragment unescaped: it is KQL text already.
    #[askama::filter_fn]
    pub fn kql(value: &Kql, _: &dyn askama::Values) -> askama::Result<Safe<String>> {
        Ok(Safe(value.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_are_quoted_unchanged() {
        assert_eq!(
            string_literal("compromiseddevice"),
            r#""compromiseddevice""#
        );
        assert_eq!(string_literal(""), r#""""#);
        assert_eq!(string_literal("it's"), r#""it's""#);
        assert_eq!(string_literal("wörk-站-😀"), "\"wörk-站-😀\"");
    }

    #[test]
    fn quotes_backslashes_and_line_breaks_are_escaped() {
        assert_eq!(string_literal(r#"x" or 1==1 //"#), r#""x\" or 1==1 //""#);
        assert_eq!(string_literal(r"a\b"), r#""a\\b""#);
        assert_eq!(string_literal("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(
            string_literal("\u{0}\u{7f}\u{85}"),
            r#""\u0000\u007f\u0085""#
        );
        assert_eq!(string_literal("a\u{2028}b"), r#""a\u2028b""#);
    }

    #[test]
    fn identifiers_are_bare_only_when_plain() {
        assert_eq!(Kql::ident("Timestamp").as_str(), "Timestamp");
        assert_eq!(Kql::ident("_x1").as_str(), "_x1");
        assert_eq!(Kql::ident("the time").as_str(), r#"["the time"]"#);
        assert_eq!(Kql::ident("1st").as_str(), r#"["1st"]"#);
        assert_eq!(Kql::ident("Where").as_str(), r#"["Where"]"#);
        assert_eq!(Kql::ident(r#"a"]"#).as_str(), r#"["a\"]"]"#);
        assert_eq!(Kql::ident("").as_str(), r#"[""]"#);
    }

    #[test]
    fn lists_and_arrays_join_their_items() {
        let ports = [8008u16, 8009].map(Kql::int);
        assert_eq!(
            Kql::dynamic_array(ports.clone()).as_str(),
            "dynamic([8008, 8009])"
        );
        assert_eq!(Kql::list(ports).as_str(), "(8008, 8009)");
        assert_eq!(
            Kql::list(["a", "b\""].map(Kql::string)).as_str(),
            r#"("a", "b\"")"#
        );
        assert_eq!(Kql::dynamic_array([]).as_str(), "dynamic([])");
    }

    #[test]
    fn comment_text_stays_on_one_line() {
        assert_eq!(
            Kql::comment_text("a\nlet x = 1;\r\u{2028}b").as_str(),
            "a let x = 1;  b"
        );
    }
}
