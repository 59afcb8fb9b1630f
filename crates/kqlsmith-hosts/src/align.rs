//! Building a query's [`OffsetMap`] from the value a host parser decoded and the host bytes it
//! was read from.
//!
//! The host parsers (Markdown, YAML, JSON) say what a query's text is and where its host text
//! lies, but not where each character came from. A host reader cuts its host text into chunks
//! whose value it knows (a line without its indentation, a JSON escape and what it stands for);
//! [`align`] then walks the decoded value along those chunks. Between two chunks the value may
//! hold only line breaks and spaces (a line break, a YAML folded line), which map to the host
//! bytes between the chunks. When the value does not follow the chunks, there is no map: the
//! caller falls back to pointing at the start of the host text.

use std::ops::Range;

use crate::map::OffsetMap;

/// Host bytes and the query text they stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub host: Range<usize>,
    /// `None`: the host bytes are the query bytes. `Some(text)`: they spell `text` (an escape).
    pub spells: Option<String>,
}

impl Chunk {
    pub fn verbatim(host: Range<usize>) -> Chunk {
        Chunk { host, spells: None }
    }

    pub fn spelled(host: Range<usize>, text: impl Into<String>) -> Chunk {
        Chunk {
            host,
            spells: Some(text.into()),
        }
    }
}

/// The map of `value`, read from `host` through `chunks` (in order), whose host text ends at
/// host byte `end`; `None` when the value does not follow the chunks.
pub(crate) fn align(value: &str, host: &str, chunks: &[Chunk], end: usize) -> Option<OffsetMap> {
    let origin = chunks.first().map_or(end, |c| c.host.start);
    let mut map = OffsetMap::new(origin);
    let mut cursor = 0;
    let mut gap_start = origin;
    for chunk in chunks {
        let text = match &chunk.spells {
            None => host.get(chunk.host.clone())?,
            Some(text) => text.as_str(),
        };
        if text.is_empty() {
            continue;
        }
        let rest = &value[cursor..];
        let skip = separator_before(rest, text)?;
        map.push_spelled(skip, gap_start..chunk.host.start);
        cursor += skip;
        match chunk.spells {
            None => map.push_verbatim(chunk.host.clone()),
            Some(_) => map.push_spelled(text.len(), chunk.host.clone()),
        }
        cursor += text.len();
        gap_start = chunk.host.end;
    }
    // What is left is line breaks the host keeps after the last chunk (YAML's chomping).
    let rest = &value[cursor..];
    if !rest.chars().all(is_separator) {
        return None;
    }
    map.push_spelled(rest.len(), gap_start..end.max(gap_start));
    Some(map)
}

/// Line breaks and the spaces of folded lines: what a host puts between its chunks.
fn is_separator(c: char) -> bool {
    matches!(c, '\n' | '\r' | ' ' | '\t')
}

/// How many bytes of separators come before `text` at the start of `rest`.
fn separator_before(rest: &str, text: &str) -> Option<usize> {
    let mut skip = 0;
    loop {
        if rest[skip..].starts_with(text) {
            return Some(skip);
        }
        let c = rest[skip..].chars().next()?;
        if !is_separator(c) {
            return None;
        }
        skip += c.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_their_indentation_map_to_the_host_lines() {
        // A YAML literal block: `T` and `| take 1`, each indented by two spaces.
        let host = "q: |\n  T\n  | take 1\n";
        let chunks = [Chunk::verbatim(7..8), Chunk::verbatim(11..19)];
        let map = align("T\n| take 1\n", host, &chunks, host.len()).unwrap();
        assert_eq!(map.to_host(0), 7);
        // The line break maps to the host's line break and indentation.
        assert_eq!(map.to_host(1), 8);
        assert_eq!(map.to_host(2), 11);
        assert_eq!(map.to_host(4), 13);
        // The indentation belongs to the line break before it.
        assert_eq!(map.to_query(9), Some(1));
        assert_eq!(map.to_query(5), None);
        assert_eq!(map.to_query(13), Some(4));
    }

    #[test]
    fn escapes_map_to_their_spelling() {
        let host = r#""a\"b""#;
        let chunks = [
            Chunk::verbatim(1..2),
            Chunk::spelled(2..4, "\""),
            Chunk::verbatim(4..5),
        ];
        let map = align("a\"b", host, &chunks, 5).unwrap();
        assert_eq!(map.to_host(1), 2);
        assert_eq!(map.to_host(2), 4);
        assert_eq!(map.to_host(3), 5);
    }

    #[test]
    fn a_value_that_does_not_follow_the_chunks_has_no_map() {
        let host = "abc";
        assert!(align("xbc", host, &[Chunk::verbatim(0..3)], 3).is_none());
        assert!(align("abc!", host, &[Chunk::verbatim(0..3)], 3).is_none());
    }
}
