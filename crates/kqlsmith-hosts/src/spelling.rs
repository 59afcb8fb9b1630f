//! Writing queries back: how new query text is spelled in each host (indented under a YAML
//! key, escaped in a JSON string, prefixed inside a Markdown list or quote), and the checked
//! rewrite that reads the result back before anyone writes it.

use crate::{EmbeddedQuery, HostError, HostFile, line_column};

/// How a query's text is written in its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// Lines of a Markdown fence; each starts with the container's prefix.
    Fence {
        prefix: String,
        line_ending: &'static str,
    },
    /// A YAML block scalar: the region starts at its header (`|2-`) and ends with its last
    /// line of text (the line breaks chomping keeps stay outside).
    YamlBlock {
        /// The header up to the end of its line: style, indicators, a comment.
        header: String,
        /// Spaces before each line of text.
        indent: usize,
        /// The indentation of the key the block belongs to (an indentation indicator counts
        /// from it).
        parent_indent: usize,
        line_ending: &'static str,
    },
    /// A plain or quoted YAML scalar (the region includes its quotes).
    YamlFlow {
        style: FlowStyle,
        /// The indentation of the key, for a block scalar the text may become.
        parent_indent: usize,
        line_ending: &'static str,
    },
    /// A JSON string (the region includes its quotes).
    JsonString {
        /// Characters the string spelled as `\uXXXX` (ARM exports write `'` as `\u0027`):
        /// new text spells them so too.
        escaped: Vec<char>,
    },
}

/// The styles of a YAML scalar that is not a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
}

impl Spelling {
    /// `text` (a piece of a query, such as a fix's replacement) as it is written inside the
    /// host's text of the query.
    pub fn fragment(&self, text: &str) -> String {
        match self {
            Spelling::Fence {
                prefix,
                line_ending,
            } => text.replace('\n', &format!("{line_ending}{prefix}")),
            Spelling::YamlBlock {
                indent,
                line_ending,
                ..
            } => text.replace('\n', &format!("{line_ending}{}", " ".repeat(*indent))),
            Spelling::YamlFlow { style, .. } => match style {
                FlowStyle::Plain => text.to_string(),
                FlowStyle::SingleQuoted => text.replace('\'', "''"),
                FlowStyle::DoubleQuoted => json_inner(text),
            },
            Spelling::JsonString { escaped } => {
                let quoted = json_string(text, escaped);
                quoted[1..quoted.len() - 1].to_string()
            }
        }
    }

    /// The ways to write `text` (with its final line breaks as the query had them) in place
    /// of the query's host text, best first; the rewrite takes the first that reads back.
    fn candidates(&self, text: &str) -> Vec<String> {
        match self {
            Spelling::Fence {
                prefix,
                line_ending,
            } => {
                let mut out = String::new();
                for line in text.lines() {
                    if line.is_empty() {
                        out.push_str(prefix.trim_end());
                    } else {
                        out.push_str(prefix);
                        out.push_str(line);
                    }
                    out.push_str(line_ending);
                }
                vec![out]
            }
            Spelling::YamlBlock {
                header,
                indent,
                parent_indent,
                line_ending,
            } => {
                let body = text.trim_end_matches(['\n', '\r']);
                // A folded block would join the new lines; a literal one keeps them.
                let literal = if header.starts_with('>') && body.contains('\n') {
                    format!("|{}", &header[1..])
                } else {
                    header.clone()
                };
                let mut out = vec![block(&literal, body, *indent, line_ending)];
                // A first line that starts with a space needs the indentation said.
                if !literal[1..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .any(|c| c.is_ascii_digit())
                {
                    let digit = indent.saturating_sub(*parent_indent).clamp(1, 9);
                    let said = format!("{}{digit}{}", &literal[..1], &literal[1..]);
                    out.push(block(&said, body, *indent, line_ending));
                }
                out
            }
            Spelling::YamlFlow {
                style,
                parent_indent,
                line_ending,
            } => {
                let mut out = Vec::new();
                if !text.contains(['\n', '\r']) {
                    match style {
                        FlowStyle::Plain => out.push(text.to_string()),
                        FlowStyle::SingleQuoted => {
                            out.push(format!("'{}'", text.replace('\'', "''")))
                        }
                        FlowStyle::DoubleQuoted => {}
                    }
                } else {
                    // Several lines read best as a literal block under the key.
                    let body = text.trim_end_matches('\n');
                    let chomp = match text.len() - body.len() {
                        0 => "|-",
                        1 => "|",
                        _ => "|+",
                    };
                    let indent = parent_indent + 2;
                    let block = block(chomp, body, indent, line_ending);
                    // The line break after the scalar ends the block's last line.
                    out.push(block.clone());
                }
                out.push(serde_json::to_string(text).unwrap_or_default());
                out
            }
            Spelling::JsonString { escaped } => vec![json_string(text, escaped)],
        }
    }
}

/// A YAML block scalar: `header`, then `body`'s lines indented (blank lines left empty).
fn block(header: &str, body: &str, indent: usize, line_ending: &str) -> String {
    let mut out = header.to_string();
    let pad = " ".repeat(indent);
    for line in body.split('\n') {
        out.push_str(line_ending);
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// `text` as a JSON string, the characters of `escaped` spelled `\uXXXX`.
fn json_string(text: &str, escaped: &[char]) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    if escaped.is_empty() {
        return quoted;
    }
    let mut out = String::with_capacity(quoted.len());
    for c in quoted.chars() {
        if escaped.contains(&c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` escaped for the inside of a JSON (or YAML double-quoted) string.
fn json_inner(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

/// `new` with the final line breaks of `old` instead of its own, and its line breaks as
/// `old` has them (a JSON string may hold CRLF; a Markdown or YAML host adds its own).
fn like(new: &str, old: &str) -> String {
    let ending = &old[old.trim_end_matches(['\n', '\r']).len()..];
    let mut text = new.trim_end_matches(['\n', '\r']).replace("\r\n", "\n");
    text.push_str(&ending.replace("\r\n", "\n"));
    if old.contains("\r\n") {
        text = text.replace('\n', "\r\n");
    }
    text
}

/// See [`HostFile::rewrite`].
pub(crate) fn rewrite(
    host: &HostFile,
    replacements: &[(usize, String)],
) -> Result<String, HostError> {
    let queries = host.queries();
    // The new text of each query that changes, last in the file first so that earlier
    // offsets stay valid while later regions are replaced.
    let mut changes: Vec<(usize, String)> = Vec::new();
    for (index, new) in replacements {
        let Some(query) = queries.get(*index) else {
            return Err(HostError::Rewrite {
                key: format!("query {index}"),
                line: 0,
                reason: format!("the file has {} queries", queries.len()),
            });
        };
        let text = like(new, &query.text);
        if text != query.text {
            if let Err(error) = kqlsmith_syntax::check(&text) {
                return Err(failure(
                    host,
                    query,
                    format!("the new query does not parse ({error})"),
                ));
            }
            changes.push((*index, text));
        }
    }
    changes.sort_by_key(|(index, _)| std::cmp::Reverse(queries[*index].region.start));
    let mut text = host.text().to_string();
    for (index, new) in &changes {
        let query = &queries[*index];
        let mut written = false;
        for candidate in query.spelling.candidates(new) {
            let spliced = format!(
                "{}{candidate}{}",
                &text[..query.region.start],
                &text[query.region.end..]
            );
            if reads_back(host, &spliced, &changes, *index) {
                text = spliced;
                written = true;
                break;
            }
        }
        if !written {
            return Err(failure(
                host,
                query,
                format!(
                    "no way to write it that reads back as the same {} string",
                    host.kind().name()
                ),
            ));
        }
    }
    Ok(text)
}

/// Whether `text` holds as many queries as the host did, the ones changed so far (from
/// `changes`, down to `upto`) reading back as their new text.
fn reads_back(host: &HostFile, text: &str, changes: &[(usize, String)], upto: usize) -> bool {
    let Ok(reread) = HostFile::read(host.kind(), text, &host.options) else {
        return false;
    };
    if reread.queries().len() != host.queries().len() {
        return false;
    }
    let mut done = true;
    for (index, new) in changes {
        if done && reread.queries()[*index].text != *new {
            return false;
        }
        if *index == upto {
            done = false;
        }
    }
    true
}

fn failure(host: &HostFile, query: &EmbeddedQuery, reason: String) -> HostError {
    HostError::Rewrite {
        key: query.key.clone(),
        line: line_column(host.text(), query.region.start).0,
        reason,
    }
}
