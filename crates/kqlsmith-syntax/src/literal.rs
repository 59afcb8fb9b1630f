//! Values of literals: decoding string literals, writing them, and timespan units.

/// Decodes the value of a KQL string literal given as written in a query, such as
/// `"a\"b"`, `'it\'s'`, `@"C:\dir"`, `h'secret'`, ```` ```multi-line``` ````, or several
/// of them side by side (`"ab" 'cd'` is `abcd`, and so is `"ab" // note` then `'cd'` on the
/// next line).
///
/// Returns `None` if the text is not a string literal.
///
/// ```
/// assert_eq!(kqlsmith_syntax::decode_string_literal(r#""x\" or 1==1 //""#).as_deref(), Some(r#"x" or 1==1 //"#));
/// assert_eq!(kqlsmith_syntax::decode_string_literal("@'C:\\dir''s'").as_deref(), Some("C:\\dir's"));
/// ```
pub fn decode_string_literal(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let used = decode_part(rest, &mut out)?;
        rest = skip_comments(&rest[used..]);
    }
    Some(out)
}

/// `text` without the spaces, line breaks and `//` comments at its start: what may stand
/// between adjacent literals.
fn skip_comments(text: &str) -> &str {
    let mut rest = text.trim_start();
    while rest.starts_with("//") {
        rest = rest[crate::scan::comment_len(rest.as_bytes())..].trim_start();
    }
    rest
}

/// Decodes one literal at the start of `text` into `out`; returns the bytes it used.
fn decode_part(text: &str, out: &mut String) -> Option<usize> {
    let mut start = 0;
    if text.starts_with(['h', 'H']) {
        start = 1;
    }
    let body = &text[start..];
    if let Some(fence) = ["```", "~~~"].into_iter().find(|f| body.starts_with(f)) {
        let end = body[3..].find(fence)?;
        out.push_str(&body[3..3 + end]);
        return Some(start + 3 + end + 3);
    }
    if let Some(verbatim) = body.strip_prefix('@') {
        let quote = verbatim
            .chars()
            .next()
            .filter(|c| *c == '\'' || *c == '"')?;
        let mut chars = verbatim[1..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                if chars.peek().is_some_and(|&(_, next)| next == quote) {
                    chars.next();
                    out.push(quote);
                } else {
                    return Some(start + 2 + i + 1);
                }
            } else {
                out.push(c);
            }
        }
        return None;
    }
    let quote = body.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut chars = body[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Some(start + 1 + i + 1);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, escaped) = chars.next()?;
        match escaped {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'x' | 'u' | 'U' => {
                let width = match escaped {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut code = hex_code(&mut chars, width)?;
                // A UTF-16 surrogate pair written as two `\u` escapes is one character.
                if escaped == 'u' && (0xD800..0xDC00).contains(&code) {
                    let mut next = chars.clone();
                    if let (Some((_, '\\')), Some((_, 'u'))) = (next.next(), next.next())
                        && let Some(low) = hex_code(&mut next, 4)
                        && (0xDC00..0xE000).contains(&low)
                    {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        chars = next;
                    }
                }
                // A lone surrogate or a code past U+10FFFF is valid KQL, but no character.
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            '0'..='7' => {
                let mut code = escaped.to_digit(8)?;
                for _ in 0..2 {
                    match chars.clone().next() {
                        Some((_, d @ '0'..='7')) => {
                            code = code * 8 + d.to_digit(8)?;
                            chars.next();
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(code)?);
            }
            other => out.push(other),
        }
    }
    None
}

/// The code of exactly `width` hexadecimal digits next in `chars` (which it moves past them);
/// `None` when there are fewer, which Microsoft's parser refuses (`'\x4'`, `'\u004'`).
fn hex_code(chars: &mut std::str::CharIndices<'_>, width: usize) -> Option<u32> {
    let digits: String = chars.clone().take(width).map(|(_, c)| c).collect();
    if digits.len() != width || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    chars.nth(width - 1);
    u32::from_str_radix(&digits, 16).ok()
}

/// Writes `value` as a double-quoted KQL string literal that decodes back to `value`.
///
/// ```
/// let quoted = kqlsmith_syntax::quote_string("x\" or 1==1 //");
/// assert_eq!(quoted, r#""x\" or 1==1 //""#);
/// assert_eq!(kqlsmith_syntax::decode_string_literal(&quoted).as_deref(), Some("x\" or 1==1 //"));
/// ```
pub fn quote_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Ticks (100 ns) in one unit of a timespan suffix, as in `30m` or `1.5h`.
pub(crate) fn timespan_unit_ticks(unit: &str) -> Option<f64> {
    const TICKS_PER_SECOND: f64 = 10_000_000.0;
    Some(match unit {
        "d" | "day" | "days" => 86_400.0 * TICKS_PER_SECOND,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0 * TICKS_PER_SECOND,
        "m" | "min" | "minute" | "minutes" => 60.0 * TICKS_PER_SECOND,
        "s" | "sec" | "second" | "seconds" => TICKS_PER_SECOND,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => TICKS_PER_SECOND / 1e3,
        "microsecond" | "microseconds" => 10.0,
        "tick" | "ticks" => 1.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Microsoft's parser reads them: `\x`, `\u` and `\U` take exactly 2, 4 and 8
    /// hexadecimal digits; two `\u` escapes of a UTF-16 surrogate pair are one character; a
    /// lone surrogate or a code past U+10FFFF is valid, and decodes to U+FFFD.
    #[test]
    fn hexadecimal_escapes_take_their_exact_width() {
        let decode = decode_string_literal;
        assert_eq!(decode(r"'\x41\u00e9\U0001F600!'").as_deref(), Some("Aé😀!"));
        assert_eq!(decode(r"'\x411'").as_deref(), Some("A1"));
        for short in [r"'\x4'", r"'\x4g'", r"'\u004'", r"'\U0041'", r"'\u'"] {
            assert_eq!(decode(short), None, "{short}");
        }
        assert_eq!(decode(r"'\uD83D\uDE00'").as_deref(), Some("😀"));
        assert_eq!(decode(r"'\uD83Dx'").as_deref(), Some("\u{FFFD}x"));
        assert_eq!(
            decode(r"'\uDE00\uD83D'").as_deref(),
            Some("\u{FFFD}\u{FFFD}")
        );
        assert_eq!(decode(r"'\U00110000'").as_deref(), Some("\u{FFFD}"));
    }

    #[test]
    fn decodes_every_string_form() {
        let cases = [
            (r#""a\"b\\c\n""#, "a\"b\\c\n"),
            (r"'it\'s'", "it's"),
            (r#"@"C:\dir""quoted""""#, "C:\\dir\"quoted\""),
            ("h'secret'", "secret"),
            ("H@'x'", "x"),
            ("```line1\nline2```", "line1\nline2"),
            (r#""ab" 'cd'"#, "abcd"),
            (r#""\u0041\x42\103""#, "ABC"),
        ];
        for (text, value) in cases {
            assert_eq!(
                decode_string_literal(text).as_deref(),
                Some(value),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_string() {
        assert_eq!(decode_string_literal("abc"), None);
        assert_eq!(decode_string_literal("'open"), None);
        assert_eq!(decode_string_literal(""), None);
    }

    #[test]
    fn quoting_round_trips() {
        for value in [
            "",
            "plain",
            "x\" or 1==1 //",
            "back\\slash",
            "tab\tnew\nline\r",
            "\u{1}ctl",
            "é漢",
        ] {
            assert_eq!(
                decode_string_literal(&quote_string(value)).as_deref(),
                Some(value)
            );
        }
    }
}
