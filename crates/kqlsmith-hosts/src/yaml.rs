//! Sentinel YAML (analytics rules, hunting queries, parsers and functions): the top-level keys
//! `query`, `FunctionQuery` and `ParserQuery` of each document. saphyr-parser reads the YAML
//! and gives each scalar's value, style and span; the lines of the span are the chunks the
//! value is aligned with.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::align::{Chunk, align};
use crate::map::OffsetMap;
use crate::markdown::line_ending;
use crate::spelling::{FlowStyle, Spelling};
use crate::{EmbeddedQuery, HostError, HostKind, line_column, line_start};

/// The keys whose value is a query, as Sentinel names them.
const QUERY_KEYS: [&str; 3] = ["query", "FunctionQuery", "ParserQuery"];

/// Char indexes (what saphyr's markers count) to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    /// The byte offset of every char, when the text is not ASCII.
    bytes: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Offsets<'a> {
        let bytes = (!text.is_ascii()).then(|| {
            text.char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect()
        });
        Offsets { text, bytes }
    }

    fn byte(&self, index: usize) -> usize {
        match &self.bytes {
            None => index.min(self.text.len()),
            Some(bytes) => bytes.get(index).copied().unwrap_or(self.text.len()),
        }
    }
}

/// Where the walk is: the containers open, and in a mapping whether a key comes next.
enum Level {
    Mapping { key_next: bool },
    Sequence,
}

/// The queries of a YAML text (every document in it).
pub(crate) fn read(text: &str) -> Result<Vec<EmbeddedQuery>, HostError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Level> = Vec::new();
    // The query key just read, with its column, when its value comes next.
    let mut pending: Option<(String, usize)> = None;
    let mut queries = Vec::new();
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|error| {
            let marker = error.marker();
            HostError::Syntax {
                kind: HostKind::Yaml,
                line: marker.line(),
                column: marker.col() + 1,
                message: error.info().to_string(),
            }
        })?;
        let top_level = stack.len() == 1;
        // Whether this event is a key of a mapping, and of the top-level one.
        let is_key = matches!(stack.last(), Some(Level::Mapping { key_next: true }));
        if let Some((key, key_indent)) = pending.take() {
            match &event {
                Event::Scalar(value, style, _, tag) => {
                    let is_string = tag.as_ref().is_none_or(|t| t.suffix == "str")
                        && (*style != ScalarStyle::Plain || plain_is_string(value));
                    if !is_string {
                        return Err(not_a_string(text, &offsets, &key, span));
                    }
                    // An empty query has nothing to check.
                    if !value.trim().is_empty() {
                        queries.push(query(text, &offsets, key, key_indent, value, *style, span));
                    }
                }
                _ => return Err(not_a_string(text, &offsets, &key, span)),
            }
        } else if is_key
            && top_level
            && let Event::Scalar(key, _, _, _) = &event
            && QUERY_KEYS.contains(&key.as_ref())
        {
            pending = Some((key.to_string(), span.start.col()));
        }
        // Keep track of where the next key is.
        let completes_node = matches!(
            event,
            Event::Scalar(..) | Event::Alias(_) | Event::SequenceEnd | Event::MappingEnd
        );
        match event {
            Event::MappingStart(..) => stack.push(Level::Mapping { key_next: true }),
            Event::SequenceStart(..) => stack.push(Level::Sequence),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            Event::StreamEnd => break,
            _ => {}
        }
        if completes_node && let Some(Level::Mapping { key_next }) = stack.last_mut() {
            *key_next = !*key_next;
        }
    }
    Ok(queries)
}

/// Whether a plain scalar is a string in YAML's core schema (not null, a boolean or a number).
fn plain_is_string(value: &str) -> bool {
    let not_string = matches!(
        value,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
    ) || value.parse::<f64>().is_ok()
        || value.starts_with("0x") && i64::from_str_radix(&value[2..], 16).is_ok()
        || value.starts_with("0o") && i64::from_str_radix(&value[2..], 8).is_ok();
    !not_string
}

fn not_a_string(text: &str, offsets: &Offsets, key: &str, span: Span) -> HostError {
    HostError::NotAString {
        key: key.to_string(),
        line: line_column(text, offsets.byte(span.start.index())).0,
    }
}

/// The query in the scalar `value` at `span`.
fn query(
    text: &str,
    offsets: &Offsets,
    key: String,
    key_indent: usize,
    value: &str,
    style: ScalarStyle,
    span: Span,
) -> EmbeddedQuery {
    let start = offsets.byte(span.start.index());
    let end = offsets.byte(span.end.index()).max(start);
    let ending = line_ending(&text[start..end], text);
    let (chunks, region, spelling) = match style {
        ScalarStyle::Literal | ScalarStyle::Folded => match block_chunks(text, start, end) {
            Some((chunks, region, header, indent)) => {
                let spelling = Spelling::YamlBlock {
                    header,
                    indent,
                    parent_indent: key_indent,
                    line_ending: ending,
                };
                (chunks, region, spelling)
            }
            // Without its header the block cannot be rewritten in its style: as a quoted
            // string it can.
            None => (
                Vec::new(),
                start..end,
                Spelling::YamlFlow {
                    style: FlowStyle::DoubleQuoted,
                    parent_indent: key_indent,
                    line_ending: ending,
                },
            ),
        },
        ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            let flow = match style {
                ScalarStyle::SingleQuoted => FlowStyle::SingleQuoted,
                ScalarStyle::DoubleQuoted => FlowStyle::DoubleQuoted,
                _ => FlowStyle::Plain,
            };
            let spelling = Spelling::YamlFlow {
                style: flow,
                parent_indent: key_indent,
                line_ending: ending,
            };
            (flow_chunks(text, start, end, flow), start..end, spelling)
        }
    };
    // Line breaks after the last line (chomping keeps them) map to the span's end.
    let map = align(value, text, &chunks, end.max(region.end)).unwrap_or_else(|| {
        // The value does not follow the lines: every offset points at the scalar's start.
        let mut map = OffsetMap::new(start);
        map.push_spelled(value.len(), start..end);
        map
    });
    EmbeddedQuery {
        text: value.to_string(),
        key,
        platform: Some("sentinel"),
        map,
        region,
        spelling,
    }
}

/// The lines of a block scalar whose text starts at `start` (saphyr's span starts after the
/// header, at the first line's text) and ends at `end`: each line's text without the block's
/// indentation, the region a rewrite replaces (the header to the end of the last line with
/// text), the header and the indentation. `None` when the header cannot be found.
fn block_chunks(
    text: &str,
    start: usize,
    end: usize,
) -> Option<(Vec<Chunk>, std::ops::Range<usize>, String, usize)> {
    let first_line = line_start(text, start);
    let indent_text = &text[first_line..start];
    let indent = if indent_text.bytes().all(|b| b == b' ') {
        indent_text.len()
    } else {
        0
    };
    // The header is on the last line with text before the block's first line.
    let mut header_line_end = first_line.checked_sub(1)?;
    let header_line = loop {
        let line = line_start(text, header_line_end)..header_line_end;
        if !text[line.clone()].trim().is_empty() {
            break line;
        }
        header_line_end = line.start.checked_sub(1)?;
    };
    let line = text[header_line.clone()].trim_end_matches('\r');
    let code = line.find(" #").map_or(line, |i| &line[..i]).trim_end();
    let token = code.rsplit([' ', '\t']).next()?;
    let well_formed = token.starts_with(['|', '>'])
        && token[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '+' || c == '-');
    if !well_formed {
        return None;
    }
    let header_start = header_line.start + code.len() - token.len();
    let header = text[header_start..header_line.start + line.len()].to_string();
    let mut chunks = Vec::new();
    let mut content_end = header_start + header.len();
    for line in lines_of(text, first_line, end) {
        let body = line.start + indent.min(line.len())..line.end;
        if !text[line.clone()].trim().is_empty() {
            content_end = body.end;
            chunks.push(Chunk::verbatim(body));
        }
    }
    Some((chunks, header_start..content_end, header, indent))
}

/// The lines of a plain or quoted scalar at `start..end`, without the quotes, the spaces that
/// folding removes and, quoted, split at escapes and doubled quotes.
fn flow_chunks(text: &str, start: usize, end: usize, style: FlowStyle) -> Vec<Chunk> {
    let (inner_start, inner_end) = match style {
        FlowStyle::Plain => (start, end),
        _ => (start + 1, end.saturating_sub(1).max(start + 1)),
    };
    let mut chunks = Vec::new();
    for line in lines_of(text, inner_start, inner_end) {
        let raw = &text[line.clone()];
        let trimmed = raw.trim_matches([' ', '\t']);
        let from = line.start + (raw.len() - raw.trim_start_matches([' ', '\t']).len());
        let to = from + trimmed.len();
        match style {
            FlowStyle::Plain => chunks.push(Chunk::verbatim(from..to)),
            FlowStyle::SingleQuoted => split_at(text, from..to, &mut chunks, |rest| {
                rest.starts_with("''").then(|| (2, "'".to_string()))
            }),
            FlowStyle::DoubleQuoted => split_at(text, from..to, &mut chunks, |rest| {
                rest.starts_with('\\').then(|| yaml_escape(rest))
            }),
        }
    }
    chunks
}

/// Cuts `range` into verbatim runs and the spelled pieces `special` recognises (how many host
/// bytes, and what they stand for).
pub(crate) fn split_at(
    text: &str,
    range: std::ops::Range<usize>,
    chunks: &mut Vec<Chunk>,
    special: impl Fn(&str) -> Option<(usize, String)>,
) {
    let mut run = range.start;
    let mut at = range.start;
    while at < range.end {
        if let Some((len, value)) = special(&text[at..range.end]) {
            if run < at {
                chunks.push(Chunk::verbatim(run..at));
            }
            let len = len.min(range.end - at);
            chunks.push(Chunk::spelled(at..at + len, value));
            at += len;
            run = at;
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if run < range.end {
        chunks.push(Chunk::verbatim(run..range.end));
    }
}

/// A YAML double-quoted escape at the start of `rest`: its length and what it stands for.
fn yaml_escape(rest: &str) -> (usize, String) {
    let mut chars = rest.chars();
    chars.next();
    let Some(c) = chars.next() else {
        return (1, String::new());
    };
    let hex = |len: usize| {
        rest.get(2..2 + len)
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
            .and_then(char::from_u32)
            .map_or((2, String::new()), |c| (2 + len, c.to_string()))
    };
    let simple = match c {
        'x' => return hex(2),
        'u' => return hex(4),
        'U' => return hex(8),
        // An escaped line break joins the lines.
        '\n' | '\r' => return (1, String::new()),
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\u{b}',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        other => other,
    };
    (1 + c.len_utf8(), simple.to_string())
}

/// The lines of `text` from `start` to `end`, without their line breaks.
fn lines_of(text: &str, start: usize, end: usize) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut at = start.min(end);
    while at < end {
        let stop = text[at..end].find('\n').map_or(end, |i| at + i);
        let body_end = if text[at..stop].ends_with('\r') {
            stop - 1
        } else {
            stop
        };
        lines.push(at..body_end);
        at = stop + 1;
    }
    lines
}
