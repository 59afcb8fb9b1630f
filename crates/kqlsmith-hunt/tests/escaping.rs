//! Whatever the device name, it reaches the query as one KQL string literal whose value is the
//! name, and nothing else in the query changes.
//!
//! The literal is read back twice: by kqlsmith's parser, and by a decoder written here from
//! KQL's documented escape rules (a backslash escapes the quote, itself, `n` and `t`;
//! Microsoft's parser also reads `r` and `uXXXX`), independently of the escaper under test.

use kqlsmith_hunt::profile::{self, Override};
use kqlsmith_hunt::render;
use kqlsmith_lint::Platform;
use kqlsmith_syntax::ast::{Expr, LetValue, LiteralValue, Statement};
use proptest::prelude::*;

const LET: &str = "let CompromisedDevice = ";

fn render_device(name: &str, platform: &Platform) -> String {
    let hunt = profile::load_default(&[Override::new("device.name", name, "test")]).unwrap();
    render::render(&hunt, platform).unwrap()
}

/// Reads the double-quoted KQL string literal at the start of `text`: its value, and the
/// length of its source text. `None` when `text` does not start with a complete literal.
fn decode_literal(text: &str) -> Option<(String, usize)> {
    let mut chars = text.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, i + 1)),
            // A line break cannot appear raw inside a quoted literal.
            '\n' | '\r' => return None,
            '\\' => match chars.next()?.1 {
                '"' => value.push('"'),
                '\'' => value.push('\''),
                '\\' => value.push('\\'),
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                'u' => {
                    let hex: String = (0..4)
                        .map(|_| chars.next().map(|(_, c)| c))
                        .collect::<Option<_>>()?;
                    value.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            c => value.push(c),
        }
    }
    None
}

/// The value kqlsmith's parser reads for the `CompromisedDevice` let in a rendered query.
fn parsed_device(query: &str) -> String {
    let script = kqlsmith_syntax::parse(query).expect("a rendered query parses");
    script
        .statements
        .iter()
        .find_map(|statement| match statement {
            Statement::Let(bind) if bind.name.name == "CompromisedDevice" => match &bind.value {
                LetValue::Expr(Expr::Literal(literal)) => match &literal.value {
                    LiteralValue::String(value) => Some(value.clone()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .expect("the device is bound to a string literal")
}

/// Splits a rendered query around the device literal: (text before, literal value, text after).
fn split_at_device(query: &str) -> (String, String, String) {
    let start = query.find(LET).expect("the query declares the device") + LET.len();
    let (value, len) = decode_literal(&query[start..]).expect("the device is one string literal");
    (
        query[..start].to_string(),
        value,
        query[start + len..].to_string(),
    )
}

fn assert_one_literal_equal_to(name: &str) {
    for platform in Platform::builtins() {
        let query = render_device(name, &platform);
        let (before, value, after) = split_at_device(&query);
        assert_eq!(value, name, "{}", platform.name);
        assert_eq!(parsed_device(&query), name, "{}", platform.name);
        assert!(
            after.starts_with(";\n"),
            "the literal ends the statement: {after:?}"
        );
        // Nothing but the literal depends on the name.
        let (plain_before, _, plain_after) = split_at_device(&render_device("ws-042", &platform));
        assert_eq!(before, plain_before);
        assert_eq!(after, plain_after);
    }
}

#[test]
fn hostile_and_unusual_names_stay_one_literal() {
    for name in [
        r#"ws-1" or 1==1 //"#,
        r#"x" or 1==1 //"#,
        r"domain\ws-042",
        "ws-042\n| take 1",
        "ws-042\r\n",
        "poste-de-travail-é",
        "計算機-01",
        "😀",
        r#"\"#,
        r#"""#,
        "'",
        "a\u{2028}b\u{0}c\u{1b}[31m",
    ] {
        assert_one_literal_equal_to(name);
    }
}

#[test]
fn the_quote_is_escaped_in_the_text() {
    let query = render_device(
        r#"ws-1" or 1==1 //"#,
        &Platform::builtin("defender").unwrap(),
    );
    assert!(query.contains(r#"let CompromisedDevice = "ws-1\" or 1==1 //";"#));
}

fn device_names() -> impl Strategy<Value = String> {
    let tricky = prop_oneof![
        Just('"'),
        Just('\''),
        Just('\\'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('\u{0}'),
        Just('\u{7f}'),
        Just('\u{85}'),
        Just('\u{2028}'),
        Just('/'),
        Just('|'),
        Just(';'),
        Just('`'),
        Just('@'),
        Just('u'),
        Just('é'),
        Just('站'),
        Just('😀'),
        any::<char>(),
    ];
    prop_oneof![
        prop::collection::vec(tricky, 1..32).prop_map(|chars| chars.into_iter().collect()),
        any::<String>(),
        "[a-z0-9-]{1,15}(\\.[a-z]{2,8}){0,3}(\" or 1==1 //)?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_name_renders_as_one_literal_equal_to_it(name in device_names()) {
        prop_assume!(!name.trim().is_empty());
        assert_one_literal_equal_to(&name);
    }

    #[test]
    fn blank_names_are_rejected(name in "[ \t\n\r]{0,8}") {
        let err = profile::load_default(&[Override::new("device.name", name, "--device")]).unwrap_err();
        prop_assert!(err.to_string().contains("must not be empty"), "{}", err);
    }
}
