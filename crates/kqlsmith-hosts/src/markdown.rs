//! Markdown: fenced code blocks tagged `kql` or `kusto` (in any case), fenced with backticks or
//! tildes, at any indentation and inside lists and block quotes. pulldown-cmark finds the
//! blocks and gives each line's source range, so lines without their container prefix map to
//! the file exactly.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::align::{Chunk, align};
use crate::map::OffsetMap;
use crate::spelling::Spelling;
use crate::{EmbeddedQuery, ReadOptions, line_start};

/// Whether a fence's info string makes the block KQL.
fn is_kql_fence(info: &str, options: &ReadOptions) -> bool {
    match info.split_whitespace().next() {
        Some(language) => {
            language.eq_ignore_ascii_case("kql") || language.eq_ignore_ascii_case("kusto")
        }
        None => options.untagged_fences,
    }
}

/// The KQL blocks of a Markdown text. Any text is Markdown, so this cannot fail.
pub(crate) fn read(text: &str, options: &ReadOptions) -> Vec<EmbeddedQuery> {
    let mut queries = Vec::new();
    // The block being read: its tag, where its opening fence starts, its lines.
    let mut open: Option<(String, usize, Vec<Chunk>, String)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if is_kql_fence(&info, options) =>
            {
                let tag = info.split_whitespace().next().unwrap_or("").to_string();
                open = Some((tag, range.start, Vec::new(), String::new()));
            }
            Event::Text(content) => {
                if let Some((_, _, chunks, value)) = &mut open {
                    value.push_str(&content);
                    chunks.push(if text.get(range.clone()) == Some(&*content) {
                        Chunk::verbatim(range)
                    } else {
                        // Text the parser made up (a tab expanded to spaces): it maps to its
                        // source as a whole.
                        Chunk::spelled(range, content.to_string())
                    });
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((tag, fence, chunks, value)) = open.take()
                    && let Some(query) = block(text, tag, fence, &chunks, value)
                {
                    queries.push(query);
                }
            }
            _ => {}
        }
    }
    queries
}

/// One KQL block as a query; `None` for a block with no text.
fn block(
    text: &str,
    tag: String,
    fence: usize,
    chunks: &[Chunk],
    value: String,
) -> Option<EmbeddedQuery> {
    let (first, last) = (chunks.first()?, chunks.last()?);
    if value.trim().is_empty() {
        return None;
    }
    let end = last.host.end;
    let map = align(&value, text, chunks, end).unwrap_or_else(|| {
        let mut map = OffsetMap::new(first.host.start);
        map.push_spelled(value.len(), first.host.start..end);
        map
    });
    // A rewrite replaces whole lines: from the first line's start (its container prefix
    // included) to the end of the last, just before the closing fence.
    let region = line_start(text, first.host.start)..end;
    Some(EmbeddedQuery {
        text: value,
        key: if tag.is_empty() { "```".into() } else { tag },
        platform: None,
        map,
        region,
        spelling: Spelling::Fence {
            prefix: container_prefix(text, fence),
            line_ending: line_ending(&text[first.host.start..end], text),
        },
    })
}

/// What starts each line of a block opened by the fence at `fence`: the fence line's prefix
/// with list markers and other text turned to spaces, block-quote markers kept.
fn container_prefix(text: &str, fence: usize) -> String {
    text[line_start(text, fence)..fence]
        .chars()
        .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
        .collect()
}

/// The line ending of a block: CRLF when its lines (or, for a one-line block, the file) use it.
pub(crate) fn line_ending(block: &str, file: &str) -> &'static str {
    let sample = if block.contains('\n') { block } else { file };
    if sample.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}
