//! The one lexer: a pass over the source, run outside pest, that knows where comments and
//! string literals are, of every form: `'..'`, `".."`, `@'..'`, `@".."` (a doubled quote
//! inside), `h'..'`/`H".."` (obfuscated), ```` ```..``` ```` and `~~~..~~~` (multi-line), and
//! adjacent literals, each its own token. The parser, suppression comments and platform
//! inference all read it ([`tokens`], [`code_words`]); nothing else re-lexes KQL.
//!
//! The parser's pass also finds bracket nesting.
//!
//! Nesting is checked before pest runs because the parser, the tree conversion, and every
//! recursive walk over the tree (printing, dropping, comparing) recurse once a level: a
//! bounded depth is what makes any input safe from stack overflow.

use crate::ast::Comment;
use crate::span::Span;

/// Brackets (`(`, `[`, `{`) nested deeper than this are refused before parsing.
pub const MAX_NESTING: usize = 64;

/// A run of prefix signs (`- - - x`) longer than this is refused: each sign is a level.
const MAX_SIGNS: usize = 64;

/// The byte that stands for a comment in the text pest reads: the grammar skips it as
/// whitespace between tokens, but not inside a token (`matches regex`), as it would a comment.
pub(crate) const COMMENT_FILL: u8 = 0x0E;

/// The control characters U+000B (a vertical tab) and U+000E to U+001F, which KQL allows
/// only inside strings and comments, become this one (as invalid) in the text pest reads:
/// the grammar's whitespace is then one range, from tab to space, with `COMMENT_FILL` inside
/// it.
const CONTROL_FILL: char = '\u{01}';

/// What the pre-scan found: the comments, whether the text has Unicode spaces outside
/// strings and comments, and where it has those control characters outside them.
pub(crate) struct Scanned {
    pub comments: Vec<Comment>,
    pub unicode_spaces: bool,
    pub controls: Vec<usize>,
}

/// Bytes the scan only has to step over, ending any run of signs: letters, digits and the
/// punctuation that starts no string, comment or bracket. Most of a query is made of them.
static PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = 0;
    while b < 256 {
        plain[b] = !matches!(
            b as u8,
            b'/' | b'\'' | b'"' | b'`' | b'~' | b'(' | b'[' | b'{' | b')' | b']' | b'}' | b'-'
                | b'+' | b' ' | b'\t'..=b'\r' | 0x0E..=0x1F | 0x80..
        );
        b += 1;
    }
    plain
};

/// The `//` comments of the source, in order; or, if brackets or signs nest too deeply,
/// the byte offset of the one that goes too deep.
pub(crate) fn scan(source: &str) -> Result<Scanned, usize> {
    let bytes = source.as_bytes();
    let mut comments = Vec::new();
    let mut unicode_spaces = false;
    let mut controls = Vec::new();
    let mut depth = 0usize;
    let mut signs = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if PLAIN[usize::from(b)] {
            signs = 0;
            i += 1;
            while i < bytes.len() && PLAIN[usize::from(bytes[i])] {
                i += 1;
            }
            continue;
        }
        match b {
            b'/' | b'\'' | b'"' | b'`' | b'~' => {
                if let Some(end) = skip_trivia_or_string(bytes, i) {
                    if b == b'/' {
                        // Without its trailing blanks (`\r` of a CRLF line break, spaces): the
                        // formatter ends every line without them.
                        let text = source[i..end].trim_end().to_string();
                        comments.push(Comment {
                            text,
                            span: Span::new(i, end),
                        });
                    } else {
                        signs = 0;
                    }
                    i = end;
                    continue;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            0x0B | 0x0E..=0x1F => controls.push(i),
            // A character starts at a byte that is not a continuation byte (0x80..0xC0).
            0xC0.. => unicode_spaces |= source[i..].chars().next().is_some_and(is_unicode_space),
            _ => {}
        }
        if b == b'-' || b == b'+' {
            signs += 1;
            if signs > MAX_SIGNS {
                return Err(i);
            }
        } else if !matches!(b, b' ' | b'\t'..=b'\r' | 0x80..) {
            signs = 0;
        }
        i += 1;
    }
    Ok(Scanned {
        comments,
        unicode_spaces,
        controls,
    })
}

/// The `;` and `|` of `text` outside brackets, string literals and comments, with their
/// byte offsets: where a statement or a pipe stage ends. Unbalanced brackets make the cuts
/// meaningless, not wrong: the pieces they give then fail to parse on their own.
pub(crate) fn separators(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    structure(text)
        .filter(|&(_, b, depth)| depth == 0 && matches!(b, b';' | b'|'))
        .map(|(at, b, _)| (at, b))
}

/// The bytes of `text` that give it its shape, outside string literals and comments: the
/// brackets, `,`, `;`, `|` and the first letter of every word, each with its offset and the
/// bracket depth it is at (a bracket's own is the depth outside it).
pub(crate) fn structure(text: &str) -> impl Iterator<Item = (usize, u8, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            let at = i;
            i += 1;
            match b {
                b'/' | b'\'' | b'"' | b'`' | b'~' => {
                    if let Some(end) = skip_trivia_or_string(bytes, at) {
                        i = end;
                    }
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    return Some((at, b, depth - 1));
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    return Some((at, b, depth));
                }
                b';' | b'|' | b',' => return Some((at, b, depth)),
                _ if is_word_start(bytes, at) => return Some((at, b, depth)),
                _ => {}
            }
        }
        None
    })
}

/// Whether a word (a name or keyword) starts at `at`.
fn is_word_start(bytes: &[u8], at: usize) -> bool {
    let is_word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    (bytes[at].is_ascii_alphabetic() || bytes[at] == b'_')
        && (at == 0 || !is_word_byte(bytes[at - 1]))
}

/// Spaces KQL accepts between tokens beyond ASCII ones.
fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{A0}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// The source with every Unicode space outside strings and comments replaced by as many
/// ASCII spaces as it has bytes: byte offsets, and so spans, stay the same.
pub(crate) fn ascii_spaces(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'/' | b'\'' | b'"' | b'`' | b'~')
            && let Some(end) = skip_trivia_or_string(bytes, i)
        {
            out.push_str(&source[i..end]);
            i = end;
            continue;
        }
        let Some(c) = source[i..].chars().next() else {
            break;
        };
        if is_unicode_space(c) {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

/// The text pest reads: every comment replaced by as many `COMMENT_FILL` bytes as it has,
/// so that the grammar needs no comment rule and spans stay the same; the control characters
/// outside strings and comments become `CONTROL_FILL`. A comment ends before its line break
/// or just after a separator (see [`comment_len`]), so both replace whole characters.
pub(crate) fn pest_input(text: &str, comments: &[Comment], controls: &[usize]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut own = controls.iter().peekable();
    for comment in comments {
        while let Some(&i) = own.next_if(|&&i| i < comment.span.start) {
            out.push_str(&text[at..i]);
            out.push(CONTROL_FILL);
            at = i + 1;
        }
        out.push_str(&text[at..comment.span.start]);
        out.extend(std::iter::repeat_n(
            char::from(COMMENT_FILL),
            comment.span.end - comment.span.start,
        ));
        at = comment.span.end;
    }
    for &i in own {
        out.push_str(&text[at..i]);
        out.push(CONTROL_FILL);
        at = i + 1;
    }
    out.push_str(&text[at..]);
    out
}

/// The length of the `//` comment `text` starts with, as Microsoft's parser reads it: up to
/// a line break (`\n` or `\r`, left out: it is whitespace), or through a line or paragraph
/// separator (U+2028, U+2029), which ends a comment but is not whitespace elsewhere, so it
/// goes with the comment.
pub(crate) fn comment_len(text: &[u8]) -> usize {
    const SEPARATORS: [&[u8]; 2] = ["\u{2028}".as_bytes(), "\u{2029}".as_bytes()];
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' | b'\r' => return i,
            0xE2 if SEPARATORS.iter().any(|s| text[i..].starts_with(s)) => return i + 3,
            _ => i += 1,
        }
    }
    text.len()
}

/// Whether the `~` at `i` is the last character of `=~`, `!~`, `in~` or `!in~`, as the
/// grammar reads it, rather than the start of a `~~~` string: `x !~~~~a~~~` is `!~` and the
/// string `~~~a~~~`. (After `==`, `!=`, `<=` or `>=`, a `~` starts the next token.)
fn completes_operator(bytes: &[u8], i: usize) -> bool {
    let before = &bytes[..i];
    let word_in = before.ends_with(b"in")
        && !before[..i - 2]
            .last()
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_');
    before.ends_with(b"!")
        || (before.ends_with(b"=") && !before[..i - 1].last().is_some_and(|c| b"=!<>".contains(c)))
        || word_in
}

/// If a comment or a string literal starts at `i`, the offset just past it.
fn skip_trivia_or_string(bytes: &[u8], i: usize) -> Option<usize> {
    trivia_or_string_at(bytes, i).map(|(_, end)| end)
}

/// What a piece of the source that is not code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `// ...`, up to the line break (not included).
    Comment,
    /// One string literal (of adjacent ones, each is a token of its own).
    String(StringForm),
}

/// The forms of a KQL string literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringForm {
    /// `'..'` or `".."`, with `\` escapes, on one line.
    Quoted,
    /// `@'..'` or `@".."`: no escapes, a doubled quote stands for one, on one line.
    Verbatim,
    /// ```` ```..``` ```` or `~~~..~~~`: no escapes, over any number of lines.
    MultiLine,
}

/// A comment or a string literal, with its span in the source. A string's span covers its
/// prefixes (`h`, `@`); `obfuscated` says whether it has `h`/`H`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    pub obfuscated: bool,
}

/// Every comment and string literal of `source`, in order. Text that is not in a token is
/// code: names, keywords, numbers, punctuation. An unclosed string or multi-line string
/// runs to the end of its line, or of the text, as the parser reads it.
///
/// ```
/// use kqlsmith_syntax::{StringForm, TokenKind, tokens};
///
/// let source = "T | where Path == @\"C:\\\" // the \"root\"\n| extend B = ~~~a\n// b~~~";
/// let kinds: Vec<_> = tokens(source).iter().map(|t| t.kind).collect();
/// assert_eq!(kinds, [
///     TokenKind::String(StringForm::Verbatim),
///     TokenKind::Comment,
///     TokenKind::String(StringForm::MultiLine),
/// ]);
/// ```
pub fn tokens(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'/' | b'\'' | b'"' | b'`' | b'~')
            && let Some((kind, end)) = trivia_or_string_at(bytes, i)
        {
            let mut start = i;
            let mut obfuscated = false;
            if let TokenKind::String(form) = kind {
                if form == StringForm::Verbatim {
                    start -= 1;
                }
                if start > 0
                    && matches!(bytes[start - 1], b'h' | b'H')
                    && !(start > 1 && is_word_byte(bytes[start - 2]))
                {
                    start -= 1;
                    obfuscated = true;
                }
            }
            found.push(Token {
                kind,
                span: Span::new(start, end),
                obfuscated,
            });
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

/// The words of the code of `source` (names and keywords: a letter or `_`, then letters,
/// digits and `_`), with their spans: what is left outside comments and string literals.
/// It works on text that does not parse too.
///
/// ```
/// let words: Vec<_> = kqlsmith_syntax::code_words("T // Timestamp\n| where x == h'TimeGenerated'")
///     .into_iter()
///     .map(|(word, _)| word)
///     .collect();
/// assert_eq!(words, ["T", "where", "x"]);
/// ```
pub fn code_words(source: &str) -> impl Iterator<Item = (&str, Span)> {
    // The stretches of code: before the first token, between two, after the last.
    let mut tokens = tokens(source).into_iter();
    let mut from = Some(0);
    let stretches = std::iter::from_fn(move || {
        let start = from?;
        let end = match tokens.next() {
            Some(token) => {
                from = Some(token.span.end);
                token.span.start
            }
            None => {
                from = None;
                source.len()
            }
        };
        Some((start, end))
    });
    stretches.flat_map(move |(start, end)| words_between(source, start, end))
}

/// The words of `source[from..to]`, a stretch of code.
fn words_between(source: &str, from: usize, to: usize) -> impl Iterator<Item = (&str, Span)> {
    let bytes = source.as_bytes();
    let mut i = from;
    std::iter::from_fn(move || {
        while i < to {
            if !is_word_byte(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < to && is_word_byte(bytes[i]) {
                i += 1;
            }
            // Digits first: a number or a timespan (`1d`), not a word.
            if !bytes[start].is_ascii_digit() {
                return Some((&source[start..i], Span::new(start, i)));
            }
        }
        None
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The comment or string literal that starts at `i` (at its `//`, quote or fence; a
/// verbatim string's `@` is the byte before), and the offset just past it.
fn trivia_or_string_at(bytes: &[u8], i: usize) -> Option<(TokenKind, usize)> {
    let b = bytes[i];
    let rest = &bytes[i..];
    if rest.starts_with(b"//") {
        return Some((TokenKind::Comment, i + comment_len(rest)));
    }
    if rest.starts_with(b"```") || (rest.starts_with(b"~~~") && !completes_operator(bytes, i)) {
        let fence = &rest[..3];
        let end = rest[3..].windows(3).position(|w| w == fence);
        let end = end.map_or(bytes.len(), |p| i + 3 + p + 3);
        return Some((TokenKind::String(StringForm::MultiLine), end));
    }
    if b != b'\'' && b != b'"' {
        return None;
    }
    let verbatim = i > 0 && bytes[i - 1] == b'@';
    let form = if verbatim {
        StringForm::Verbatim
    } else {
        StringForm::Quoted
    };
    let mut j = i + 1;
    while j < bytes.len() {
        let c = bytes[j];
        if c == b'\\' && !verbatim {
            j += 2;
            continue;
        }
        // A line break ends the line a quoted string must close on: the string is unclosed.
        if c == b'\n' || c == b'\r' {
            return Some((TokenKind::String(form), j));
        }
        if c == b {
            if verbatim && bytes.get(j + 1) == Some(&b) {
                j += 2;
                continue;
            }
            return Some((TokenKind::String(form), j + 1));
        }
        j += 1;
    }
    Some((TokenKind::String(form), bytes.len().min(j)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: `!~~~~~~//` is `!~` and a `~~~` string holding `//`, not a comment.
    #[test]
    fn a_tilde_that_ends_an_operator_does_not_open_a_string() {
        let comments = |src: &str| scan(src).unwrap().comments.len();
        assert_eq!(comments("m!~~~~~~//\n~~~"), 0);
        assert_eq!(comments("m=~~~~~~//\n~~~"), 0);
        assert_eq!(comments("m in~~~~~~//\n~~~"), 0);
        // After `==`, the `~~~` opens the string at once: `~~~~~~` is an empty one.
        assert_eq!(comments("m==~~~~~~//\n~~~"), 1);
        assert_eq!(comments("x // c\n"), 1);
    }

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokens(src)
            .into_iter()
            .map(|t| (t.kind, &src[t.span.start..t.span.end]))
            .collect()
    }

    #[test]
    fn every_string_form_is_one_token_with_its_prefixes() {
        use StringForm::*;
        use TokenKind::String as S;
        let src = "print 'a\\'b', \"c\\\"d\", @'e''f', @\"g\\\", h\"i\", H'j', h@'k', \
                   ~~~l\n//m~~~, ```n\n'o```, h```p```";
        assert_eq!(
            kinds(src),
            [
                (S(Quoted), "'a\\'b'"),
                (S(Quoted), "\"c\\\"d\""),
                (S(Verbatim), "@'e''f'"),
                (S(Verbatim), "@\"g\\\""),
                (S(Quoted), "h\"i\""),
                (S(Quoted), "H'j'"),
                (S(Verbatim), "h@'k'"),
                (S(MultiLine), "~~~l\n//m~~~"),
                (S(MultiLine), "```n\n'o```"),
                (S(MultiLine), "h```p```"),
            ]
        );
        let obfuscated: Vec<bool> = tokens(src).iter().map(|t| t.obfuscated).collect();
        assert_eq!(
            obfuscated,
            [
                false, false, false, false, true, true, true, false, false, true
            ]
        );
        // A name ending in `h` is no prefix: `with'x'` is a name and a string.
        assert_eq!(kinds("with'x'"), [(S(Quoted), "'x'")]);
    }

    #[test]
    fn adjacent_literals_and_comments_between_them_are_tokens_each() {
        use TokenKind::{Comment, String as S};
        let src = "print x = \"a\" // note\n  'b'@\"c\"";
        assert_eq!(
            kinds(src),
            [
                (S(StringForm::Quoted), "\"a\""),
                (Comment, "// note"),
                (S(StringForm::Quoted), "'b'"),
                (S(StringForm::Verbatim), "@\"c\""),
            ]
        );
    }

    #[test]
    fn unclosed_strings_end_at_their_line_or_the_text() {
        use TokenKind::{Comment, String as S};
        assert_eq!(
            kinds("x == 'ab\n// c"),
            [(S(StringForm::Quoted), "'ab"), (Comment, "// c")]
        );
        assert_eq!(
            kinds("x == ~~~ab // c"),
            [(S(StringForm::MultiLine), "~~~ab // c")]
        );
        assert_eq!(kinds("x == 'a\\"), [(S(StringForm::Quoted), "'a\\")]);
    }

    #[test]
    fn code_words_skip_comments_strings_and_numbers() {
        let src = "T // TimeGenerated\n| where P == @\"C:\\\" and Q == 'TimeGenerated' | take 10d";
        let words: Vec<&str> = code_words(src).map(|(w, _)| w).collect();
        assert_eq!(words, ["T", "where", "P", "and", "Q", "take"]);
        let (word, span) = code_words(src).nth(2).unwrap();
        assert_eq!(&src[span.start..span.end], word);
    }

    #[test]
    fn finds_comments_outside_strings() {
        let src = "T // one\n| where x == \"http://a\" // two\n| where y == @'c:\\' // three";
        let texts: Vec<_> = scan(src)
            .unwrap()
            .comments
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(texts, ["// one", "// two", "// three"]);
    }

    #[test]
    fn unicode_spaces_become_ascii_spaces_of_the_same_length_outside_strings() {
        let src = "T\u{202F}| where x == '\u{A0}' // \u{3000}";
        assert!(scan(src).unwrap().unicode_spaces);
        let ascii = ascii_spaces(src);
        assert_eq!(ascii.len(), src.len());
        assert_eq!(ascii, "T   | where x == '\u{A0}' // \u{3000}");
        assert!(!scan("T | where x == 'é'").unwrap().unicode_spaces);
    }

    #[test]
    fn pest_input_fills_comments_and_control_characters_outside_strings() {
        let src = "T\u{e} // a\n| where x == '\u{e}\u{b}' // b\u{b}\n\u{1f}\u{b}";
        let scanned = scan(src).unwrap();
        assert_eq!(scanned.controls, [1, 32, 33]);
        let input = pest_input(src, &scanned.comments, &scanned.controls);
        assert_eq!(input.len(), src.len());
        assert_eq!(
            input,
            "T\u{1} \u{e}\u{e}\u{e}\u{e}\n| where x == '\u{e}\u{b}' \u{e}\u{e}\u{e}\u{e}\u{e}\n\u{1}\u{1}"
        );
    }

    #[test]
    fn bounds_bracket_nesting_outside_strings() {
        assert!(scan(&"(".repeat(MAX_NESTING)).is_ok());
        assert_eq!(
            scan(&"(".repeat(MAX_NESTING + 1)).map(|_| ()),
            Err(MAX_NESTING)
        );
        assert!(scan(&format!("print '{}'", "(".repeat(1000))).is_ok());
        assert!(scan(&format!("print {}1", "- ".repeat(1000))).is_err());
        // A vertical tab is whitespace to the grammar, so it does not break a run of signs.
        assert!(scan(&format!("print {}1", "-\u{b}".repeat(65))).is_err());
    }

    #[test]
    fn comments_and_strings_are_found_in_text_that_does_not_parse() {
        let src = "T | where A == \"x|y\" // a | b\n| where ";
        let spans: Vec<_> = tokens(src)
            .iter()
            .map(|t| &src[t.span.start..t.span.end])
            .collect();
        assert_eq!(spans, ["\"x|y\"", "// a | b"]);
        assert_eq!(tokens("print 'open").len(), 1);
    }
}
