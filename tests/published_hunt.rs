//! The classic profile renders the published hunt (../shared/seed/) token for token, for each
//! platform: comments and white space aside, and with the misspelt alias `IPAddres` read as
//! `IPAddress`. The syntax trees kqlsmith's parser makes of both are equal too.
//!
//! The published text is read at run time from `<workspace>/../shared/seed` (or the folder in
//! `KQLSMITH_SEED`); without it the test says SKIPPED and passes.

use std::path::{Path, PathBuf};

use kqlsmith_hunt::{profile, render};
use kqlsmith_lint::Platform;

fn seed_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KQLSMITH_SEED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed"),
    };
    dir.is_dir().then_some(dir)
}

/// A KQL token, as far as comparing two versions of one query needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A name, keyword or number with its unit: `where`, `ipv4_is_private`, `48h`, `$left`.
    Word(String),
    /// A string literal, by its source text: quotes and escapes are part of the token.
    Literal(String),
    /// An operator or punctuation: `==`, `<>`, `|`, `(`.
    Symbol(String),
}

/// Splits KQL text into tokens, dropping white space and `//` comments.
fn tokens(text: &str) -> Vec<Token> {
    const SYMBOLS: [&str; 8] = ["==", "!=", "<>", "=~", "!~", "<=", ">=", "=>"];
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if c == b'"'
            || c == b'\''
            || (c == b'@' && matches!(bytes.get(i + 1), Some(b'"' | b'\'')))
        {
            let verbatim = c == b'@';
            let quote = if verbatim { bytes[i + 1] } else { c };
            let start = i;
            i += if verbatim { 2 } else { 1 };
            while bytes[i] != quote {
                i += if bytes[i] == b'\\' && !verbatim { 2 } else { 1 };
            }
            i += 1;
            out.push(Token::Literal(text[start..i].to_string()));
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
            {
                i += 1;
            }
            out.push(Token::Word(text[start..i].to_string()));
        } else {
            let len = SYMBOLS
                .iter()
                .find(|s| text[i..].starts_with(*s))
                .map_or(1, |s| s.len());
            out.push(Token::Symbol(text[i..i + len].to_string()));
            i += len;
        }
    }
    out
}

#[test]
fn the_tokenizer_drops_comments_and_white_space_only() {
    assert_eq!(
        tokens("let x = 'a\\'b'; // note\nT|where x<>\"//\" and y=~@\"c\\\"\n"),
        [
            Token::Word("let".into()),
            Token::Word("x".into()),
            Token::Symbol("=".into()),
            Token::Literal("'a\\'b'".into()),
            Token::Symbol(";".into()),
            Token::Word("T".into()),
            Token::Symbol("|".into()),
            Token::Word("where".into()),
            Token::Word("x".into()),
            Token::Symbol("<>".into()),
            Token::Literal("\"//\"".into()),
            Token::Word("and".into()),
            Token::Word("y".into()),
            Token::Symbol("=~".into()),
            Token::Literal("@\"c\\\"".into()),
        ]
    );
    assert_ne!(tokens("a == b"), tokens("a != b"));
    assert_ne!(tokens("a == \"b\""), tokens("a == 'b'"));
}

#[test]
fn the_classic_profile_renders_the_published_hunt() {
    let Some(seed) = seed_dir() else {
        eprintln!("SKIPPED: the published hunt is not at ../shared/seed (set KQLSMITH_SEED)");
        return;
    };
    let classic = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("profiles/hunts/internal-connections-classic.toml");
    let hunt = profile::load_file(&classic, &[]).unwrap();
    for name in ["defender", "sentinel"] {
        let published =
            std::fs::read_to_string(seed.join(format!("internal-connections.{name}.kql"))).unwrap();
        let rendered = render::render(&hunt, &Platform::builtin(name).unwrap()).unwrap();
        let misspelt = Token::Word("IPAddres".into());
        let expected: Vec<Token> = tokens(&published)
            .into_iter()
            .map(|t| {
                if t == misspelt {
                    Token::Word("IPAddress".into())
                } else {
                    t
                }
            })
            .collect();
        let actual = tokens(&rendered);
        assert!(expected.len() > 150, "the published query was not read");
        if let Some(at) = expected.iter().zip(&actual).position(|(e, a)| e != a) {
            panic!(
                "{name}: token {at} differs: published {:?}, rendered {:?}",
                &expected[at..(at + 5).min(expected.len())],
                &actual[at..(at + 5).min(actual.len())]
            );
        }
        assert_eq!(expected.len(), actual.len(), "{name}: different lengths");

        let published = kqlsmith_syntax::parse(&rename_alias(&published)).unwrap();
        let rendered = kqlsmith_syntax::parse(&rendered).unwrap();
        assert_eq!(published, rendered, "{name}: the syntax trees differ");
    }
}

/// `text` with the whole word `IPAddres` spelt `IPAddress` (`IPAddresses` is left alone).
fn rename_alias(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("IPAddres") {
        let after = &rest[at + "IPAddres".len()..];
        let whole_word = !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole_word { "IPAddress" } else { "IPAddres" });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[test]
fn the_alias_is_renamed_as_a_whole_word_only() {
    assert_eq!(
        rename_alias("extend IPAddres = tostring(IPAddresses)\n| distinct IPAddres)"),
        "extend IPAddress = tostring(IPAddresses)\n| distinct IPAddress)"
    );
}
