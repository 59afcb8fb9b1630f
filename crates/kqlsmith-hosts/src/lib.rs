//! KQL where it lives: queries inside Markdown, Sentinel YAML, ARM templates and Defender XDR
//! JSON. Find the queries, map their positions to the host file, and write edits back.
//!
//! ```
//! use kqlsmith_hosts::{HostFile, HostKind, ReadOptions};
//!
//! let yaml = "id: 1\nquery: |\n  DeviceLogonEvents\n  | take 10\nseverity: Low\n";
//! let host = HostFile::read(HostKind::Yaml, yaml, &ReadOptions::default())?;
//! let query = &host.queries()[0];
//! assert_eq!(query.text, "DeviceLogonEvents\n| take 10\n");
//! assert_eq!(query.platform, Some("sentinel"));
//! // `take` is on line 4, after the block's two spaces of indentation.
//! assert_eq!(host.position(query.to_host(20)), (4, 5));
//!
//! // Writing back changes only the query's text, in the host's own spelling.
//! let edited = host.rewrite(&[(0, "DeviceLogonEvents\n| take 5\n".to_string())])?;
//! assert_eq!(edited, "id: 1\nquery: |\n  DeviceLogonEvents\n  | take 5\nseverity: Low\n");
//! # Ok::<(), kqlsmith_hosts::HostError>(())
//! ```
//!
//! A host is one module (`markdown`, `yaml`, `json`) and one [`HostKind`] variant: the module
//! finds the queries, cuts each query's host text into chunks (see `align`) and says how new
//! text is spelled there ([`Spelling`]). Reading, mapping and the checked write-back are shared.

mod align;
mod json;
mod map;
mod markdown;
mod spelling;
mod yaml;

use std::ops::Range;
use std::path::Path;

use kqlsmith_lint::Diagnostic;

pub use map::OffsetMap;
use spelling::Spelling;

/// The largest host file kqlsmith reads (64 MiB): a larger one is refused, not loaded.
pub const MAX_HOST_BYTES: u64 = 64 * 1024 * 1024;

/// The kinds of file a query can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostKind {
    /// Fenced code blocks tagged `kql` or `kusto` in Markdown.
    Markdown,
    /// The `query`, `FunctionQuery` and `ParserQuery` keys of Sentinel YAML.
    Yaml,
    /// ARM templates of Sentinel rules and saved searches (`properties.query`), and Defender
    /// XDR custom detection rules (`queryCondition.queryText`).
    Json,
}

impl HostKind {
    /// The host a file is, by its extension (in any case); `None` for `.kql` and other files.
    pub fn from_path(path: &Path) -> Option<HostKind> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "md" | "markdown" => Some(HostKind::Markdown),
            "yaml" | "yml" => Some(HostKind::Yaml),
            "json" => Some(HostKind::Json),
            _ => None,
        }
    }

    /// The host a file is, by its extension and, for JSON, by its text: every `.md`,
    /// `.markdown`, `.yaml` and `.yml` file is one, while a `.json` file is one only when it
    /// has what the JSON reader looks for (a Defender XDR rule's `queryCondition` key, a
    /// Sentinel resource's `type` ending in `/alertRules` or `/savedSearches`, or an ARM
    /// deployment template's `$schema`). The JSON is scanned, not parsed, so a malformed rule
    /// is still told from an editor's settings file or a `package.json`.
    pub fn recognise(path: &Path, text: &str) -> Option<HostKind> {
        HostKind::from_path(path).filter(|kind| kind.recognises(text))
    }

    /// Whether `text` is recognisably a host of this kind (see [`HostKind::recognise`]), for
    /// a file whose kind is known some other way, such as an editor's language id.
    pub fn recognises(self, text: &str) -> bool {
        match self {
            HostKind::Markdown | HostKind::Yaml => true,
            HostKind::Json => json::is_host(text.strip_prefix(BOM).unwrap_or(text)),
        }
    }

    /// What the host is called in messages.
    pub fn name(self) -> &'static str {
        match self {
            HostKind::Markdown => "Markdown",
            HostKind::Yaml => "YAML",
            HostKind::Json => "JSON",
        }
    }
}

/// Choices for reading host files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Markdown: also read fences without a language tag as KQL.
    pub untagged_fences: bool,
}

/// What stops a host file from being read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The file is not valid YAML or JSON.
    #[error("not valid {}: {message} (line {line}, column {column})", kind.name())]
    Syntax {
        kind: HostKind,
        line: usize,
        column: usize,
        message: String,
    },
    /// A query key holds something other than a string.
    #[error("`{key}` is not a string (line {line}): a query must be text")]
    NotAString { key: String, line: usize },
    /// The file is larger than [`MAX_HOST_BYTES`].
    #[error(
        "{bytes} bytes is larger than the {MAX_HOST_BYTES} bytes kqlsmith reads from a host file"
    )]
    TooLarge { bytes: u64 },
    /// New text for a query could not be written into the host so that it reads back the same
    /// (and parses): nothing is written.
    #[error("cannot write `{key}` (line {line}) back: {reason}")]
    Rewrite {
        key: String,
        line: usize,
        reason: String,
    },
}

/// A query inside a host file: its text, where it came from, and how its offsets map to the
/// host's.
#[derive(Debug, Clone)]
pub struct EmbeddedQuery {
    /// The query, as the host's parser reads it (escapes decoded, indentation removed).
    pub text: String,
    /// Where in the host it is: the key path (`query`, `resources[0].properties.query`) or,
    /// in Markdown, the fence's language tag.
    pub key: String,
    /// The platform the host names (`sentinel` for Sentinel YAML and ARM, `defender` for
    /// Defender XDR rules), or `None` when the host does not say (Markdown).
    pub platform: Option<&'static str>,
    map: OffsetMap,
    /// The host bytes a rewrite replaces.
    region: Range<usize>,
    spelling: Spelling,
}

impl EmbeddedQuery {
    /// The host byte of query byte `offset`.
    pub fn to_host(&self, offset: usize) -> usize {
        self.map.to_host(offset)
    }

    /// The query byte read from host byte `offset`; `None` outside the query's text.
    pub fn to_query(&self, offset: usize) -> Option<usize> {
        self.map.to_query(offset)
    }

    /// The host bytes that hold the query (for a JSON or quoted YAML string, its quotes too).
    pub fn host_range(&self) -> Range<usize> {
        self.region.clone()
    }

    /// The diagnostic with its ranges (primary, labels, fix edits) in host bytes and its fix
    /// replacements in the host's spelling.
    pub fn to_host_diagnostic(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        let range = |r: &Range<usize>| self.to_host(r.start)..self.to_host(r.end);
        diagnostic.range = range(&diagnostic.range);
        for label in &mut diagnostic.labels {
            label.range = range(&label.range);
        }
        if let Some(fix) = &mut diagnostic.fix {
            for edit in &mut fix.edits {
                edit.range = range(&edit.range);
                edit.replacement = self.spelling.fragment(&edit.replacement);
            }
        }
        diagnostic
    }
}

/// A host file and the queries in it.
#[derive(Debug, Clone)]
pub struct HostFile {
    kind: HostKind,
    text: String,
    options: ReadOptions,
    queries: Vec<EmbeddedQuery>,
}

/// The byte-order mark some editors put at the start of a file.
const BOM: char = '\u{feff}';

impl HostFile {
    /// Reads the queries of `text`, a host file of `kind`. A YAML or JSON file without query
    /// keys has no queries; one that does not parse, or holds a query key that is not a
    /// string, is an error that says where.
    pub fn read(kind: HostKind, text: &str, options: &ReadOptions) -> Result<HostFile, HostError> {
        if text.len() as u64 > MAX_HOST_BYTES {
            return Err(HostError::TooLarge {
                bytes: text.len() as u64,
            });
        }
        // The host parsers read the text after a byte-order mark; offsets are the file's.
        let body_start = if text.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let body = &text[body_start..];
        let mut queries = match kind {
            HostKind::Markdown => markdown::read(body, options),
            HostKind::Yaml => yaml::read(body)?,
            HostKind::Json => json::read(body)?,
        };
        if body_start > 0 {
            for query in &mut queries {
                query.map.shift(body_start);
                query.region = query.region.start + body_start..query.region.end + body_start;
            }
        }
        Ok(HostFile {
            kind,
            text: text.to_string(),
            options: options.clone(),
            queries,
        })
    }

    /// The kind of host.
    pub fn kind(&self) -> HostKind {
        self.kind
    }

    /// The choices the file was read with (a rewrite reads it back with the same).
    pub fn options(&self) -> &ReadOptions {
        &self.options
    }

    /// The host file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The queries, in the order they appear.
    pub fn queries(&self) -> &[EmbeddedQuery] {
        &self.queries
    }

    /// The 1-based line and column (in characters, as editors count) of host byte `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let position = kqlsmith_lint::output::position(&self.text, offset);
        (position.line, position.column)
    }

    /// The host byte at a 1-based line and column (in characters); `None` past the text.
    pub fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let line_start = if line <= 1 {
            0
        } else {
            self.text
                .match_indices('\n')
                .nth(line - 2)
                .map(|(i, _)| i + 1)?
        };
        let rest = &self.text[line_start..];
        let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let mut chars = line_text
            .char_indices()
            .map(|(i, _)| i)
            .chain([line_text.len()]);
        chars.nth(column.checked_sub(1)?).map(|i| line_start + i)
    }

    /// The host text with the queries at the given indexes replaced by new text, spelled as
    /// the host needs (re-indented, re-escaped), every other byte unchanged. A query keeps its
    /// own trailing line breaks. The result is read back before it is returned: each query
    /// must read back as the new text and parse as KQL, else nothing is returned but an error.
    pub fn rewrite(&self, replacements: &[(usize, String)]) -> Result<String, HostError> {
        spelling::rewrite(self, replacements)
    }
}

/// Every byte of `text` from `offset` back to the start of its line.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The 1-based line and column (in characters) of byte `offset`, for error messages.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let position = kqlsmith_lint::output::position(text, offset);
    (position.line, position.column)
}
