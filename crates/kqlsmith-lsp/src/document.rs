//! An open document: its text as the editor has it (saved or not), the edits that change it,
//! and the KQL queries it holds.
//!
//! Every feature works on a [`Region`]: one KQL query of the document. A `.kql` file is one
//! region, the whole text. A host file (KQL inside Markdown fences, Sentinel YAML, ARM or
//! Defender JSON) has one region a query, read by `kqlsmith_hosts` as `kqlsmith lint` reads it:
//! the region's text is the query as the host's parser reads it (escapes decoded, indentation
//! removed) and its offsets map to the host's bytes and back. Edits go back into a host through
//! its checked rewrite, so they are spelled as the host needs.

use std::ops::Range;
use std::path::PathBuf;

use kqlsmith_hosts::{EmbeddedQuery, HostError, HostFile, HostKind, ReadOptions};
use kqlsmith_lint::Edit;
use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::position::{Encoding, LineIndex};

/// One KQL query inside a document.
#[derive(Debug, Clone)]
pub struct Region {
    /// Its place in [`Document::regions`].
    pub index: usize,
    /// The query's text.
    text: String,
    /// How its offsets map to the host's; `None` for a KQL file, where they are the same.
    embedded: Option<EmbeddedQuery>,
}

impl Region {
    /// The query's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The platform the host names for the query (Sentinel YAML and ARM: `sentinel`, Defender
    /// XDR rules: `defender`), or `None` when it does not say.
    pub fn platform(&self) -> Option<&'static str> {
        self.embedded.as_ref().and_then(|q| q.platform)
    }

    /// The document bytes that hold the query.
    pub fn range(&self) -> Range<usize> {
        match &self.embedded {
            None => 0..self.text.len(),
            Some(query) => query.to_host(0)..query.to_host(self.text.len()),
        }
    }

    /// A document offset as an offset in the query, if it lies in it (its end included).
    pub fn to_query(&self, offset: usize) -> Option<usize> {
        match &self.embedded {
            None => (offset <= self.text.len()).then_some(offset),
            Some(query) if offset == query.to_host(self.text.len()) => Some(self.text.len()),
            Some(query) => query.to_query(offset),
        }
    }

    /// A query offset as a document offset.
    pub fn to_document_offset(&self, offset: usize) -> usize {
        match &self.embedded {
            None => offset,
            Some(query) => query.to_host(offset),
        }
    }

    /// A query range as a document range.
    pub fn to_document(&self, range: Range<usize>) -> Range<usize> {
        self.to_document_offset(range.start)..self.to_document_offset(range.end)
    }

    /// A finding of the query with its ranges in document bytes (fix edits included, their
    /// text spelled as the host needs).
    pub fn to_document_diagnostic(
        &self,
        diagnostic: kqlsmith_lint::Diagnostic,
    ) -> kqlsmith_lint::Diagnostic {
        match &self.embedded {
            None => diagnostic,
            Some(query) => query.to_host_diagnostic(diagnostic),
        }
    }
}

/// What a document holds, by its file name or, failing that, its language id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Kql,
    Host(HostKind),
}

impl Language {
    /// The language of a document: by its path's extension (`.md`, `.yaml`, `.json`... are
    /// hosts, anything else KQL); a document without one (an untitled buffer) by the client's
    /// language id.
    pub fn of(path: Option<&std::path::Path>, language_id: &str) -> Language {
        if let Some(path) = path
            && path.extension().is_some()
        {
            return HostKind::from_path(path).map_or(Language::Kql, Language::Host);
        }
        match language_id {
            "markdown" => Language::Host(HostKind::Markdown),
            "yaml" => Language::Host(HostKind::Yaml),
            "json" | "jsonc" => Language::Host(HostKind::Json),
            _ => Language::Kql,
        }
    }
}

/// A document the client opened.
#[derive(Debug, Clone)]
pub struct Document {
    pub uri: Uri,
    /// Its path on disk, for `file:` documents (it need not exist: an unsaved buffer).
    pub path: Option<PathBuf>,
    pub version: i32,
    pub text: String,
    pub lines: LineIndex,
    pub language: Language,
    /// The queries, read again after every change.
    regions: Vec<Region>,
    /// The host file, when the document is one and it reads.
    host: Option<HostFile>,
    /// Why a host document could not be read (it is not valid YAML or JSON, ...).
    pub host_error: Option<HostError>,
    encoding: Encoding,
}

impl Document {
    pub fn new(
        uri: Uri,
        language_id: &str,
        version: i32,
        text: String,
        encoding: Encoding,
    ) -> Document {
        let path = file_path(&uri);
        let language = Language::of(path.as_deref(), language_id);
        let lines = LineIndex::new(&text, encoding);
        let mut document = Document {
            uri,
            path,
            version,
            text,
            lines,
            language,
            regions: Vec::new(),
            host: None,
            host_error: None,
            encoding,
        };
        document.read_regions();
        document
    }

    /// Applies the changes of one `didChange`, in order: each range is read in the text the
    /// previous change left. A change without a range replaces the whole text.
    pub fn apply(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let bytes = self.lines.offsets(&self.text, range);
                    self.text.replace_range(bytes, &change.text);
                }
                None => self.text = change.text,
            }
            self.lines = LineIndex::new(&self.text, self.encoding);
        }
        self.version = version;
        self.read_regions();
    }

    /// Finds the queries of the text.
    fn read_regions(&mut self) {
        self.host = None;
        self.host_error = None;
        self.regions = match self.language {
            Language::Kql => vec![Region {
                index: 0,
                text: self.text.clone(),
                embedded: None,
            }],
            // JSON that is no rule (an editor's settings, a `package.json`) holds no queries
            // and earns no error, as in a folder walk.
            Language::Host(kind) if !kind.recognises(&self.text) => Vec::new(),
            Language::Host(kind) => match HostFile::read(kind, &self.text, &ReadOptions::default())
            {
                Ok(host) => {
                    let regions = host
                        .queries()
                        .iter()
                        .enumerate()
                        .map(|(index, query)| Region {
                            index,
                            text: query.text.clone(),
                            embedded: Some(query.clone()),
                        })
                        .collect();
                    self.host = Some(host);
                    regions
                }
                Err(error) => {
                    self.host_error = Some(error);
                    Vec::new()
                }
            },
        };
    }

    /// The KQL queries of the document: the whole text for a KQL file, each embedded query
    /// for a host file (none when it does not read).
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The region holding document offset `offset`, and the offset in it.
    pub fn region_at(&self, offset: usize) -> Option<(&Region, usize)> {
        self.regions
            .iter()
            .find_map(|r| r.to_query(offset).map(|at| (r, at)))
    }

    /// Document edits that replace the text of the queries given (by region index) with new
    /// text: one edit over the bytes that change. In a host file the new text is spelled as
    /// the host needs (indented, escaped) and read back before it is offered; an error says
    /// why it cannot be written.
    pub fn replace_queries(&self, replacements: &[(usize, String)]) -> Result<Vec<Edit>, String> {
        let new_text = match &self.host {
            // A KQL file is its one query: the new text is the whole text.
            None => match replacements {
                [] => return Ok(Vec::new()),
                [.., (_, text)] => text.clone(),
            },
            Some(host) => host.rewrite(replacements).map_err(|e| e.to_string())?,
        };
        Ok(minimal_edit(&self.text, &new_text).into_iter().collect())
    }

    /// Edits of query `region` (in its bytes) as document edits: the same edits in a KQL file;
    /// in a host file, the query with the edits applied, written back by
    /// [`Document::replace_queries`]. `None` when the host cannot take it.
    pub fn query_edits(&self, region: &Region, edits: &[Edit]) -> Option<Vec<Edit>> {
        if self.host.is_none() {
            return Some(edits.to_vec());
        }
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut text = region.text.clone();
        for edit in sorted {
            if edit.range.end > text.len()
                || !text.is_char_boundary(edit.range.start)
                || !text.is_char_boundary(edit.range.end)
            {
                return None;
            }
            text.replace_range(edit.range.clone(), &edit.replacement);
        }
        self.replace_queries(&[(region.index, text)]).ok()
    }

    pub fn range(&self, bytes: Range<usize>) -> lsp_types::Range {
        self.lines.range(&self.text, bytes)
    }

    pub fn offset(&self, position: lsp_types::Position) -> usize {
        self.lines.offset(&self.text, position)
    }
}

/// One edit turning `old` into `new`: the differing middle, on character boundaries; `None`
/// when they are the same.
pub fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(Edit::replace(
        prefix..old.len() - suffix,
        &new[prefix..new.len() - suffix],
    ))
}

/// The local path of a `file:` URI (percent-escapes decoded).
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().is_none_or(|s| s.as_str() != "file") {
        return None;
    }
    let decoded = uri.path().as_estr().decode().into_string().ok()?;
    Some(PathBuf::from(decoded.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range as LspRange};

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|(a, b)| LspRange::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn several_incremental_changes_apply_in_order() {
        let uri: Uri = "file:///tmp/a%20b/q.kql".parse().unwrap();
        let mut doc = Document::new(uri, "kql", 1, "T\n| where x".into(), Encoding::Utf16);
        assert_eq!(
            doc.path.as_deref(),
            Some(std::path::Path::new("/tmp/a b/q.kql"))
        );
        doc.apply(
            2,
            vec![
                change(Some(((1, 8), (1, 9))), "😀"),
                // Read in the text the first change left: the emoji is two units wide.
                change(Some(((1, 10), (1, 10))), "!"),
                change(Some(((0, 0), (0, 1))), "Table"),
            ],
        );
        assert_eq!(doc.text, "Table\n| where 😀!");
        assert_eq!(doc.version, 2);
        doc.apply(3, vec![change(None, "print 1")]);
        assert_eq!(doc.text, "print 1");
    }

    #[test]
    fn the_minimal_edit_covers_only_what_differs_and_respects_characters() {
        let apply = |old: &str, edit: &Edit| {
            format!(
                "{}{}{}",
                &old[..edit.range.start],
                edit.replacement,
                &old[edit.range.end..]
            )
        };
        for (old, new) in [
            ("T|where x", "T\n| where x\n"),
            ("aé b", "aè b"),
            ("abc", "abc\n"),
            ("x\n\n", "x\n"),
            ("ééé", "é"),
        ] {
            let edit = minimal_edit(old, new).unwrap();
            assert_eq!(apply(old, &edit), new, "{old:?} -> {new:?}");
        }
        assert_eq!(minimal_edit("same", "same"), None);
        let edit = minimal_edit("T | where x\n", "T\n| where x\n").unwrap();
        assert_eq!((edit.range, edit.replacement.as_str()), (1..2, "\n"));
    }

    #[test]
    fn the_extension_decides_the_language_and_the_language_id_stands_in_without_one() {
        use std::path::Path;
        let host = |kind| Language::Host(kind);
        for (path, id, expected) in [
            (Some("/r/q.kql"), "markdown", Language::Kql),
            (Some("/r/q.csl"), "kusto", Language::Kql),
            (Some("/r/README.MD"), "plaintext", host(HostKind::Markdown)),
            (Some("/r/a.markdown"), "markdown", host(HostKind::Markdown)),
            (Some("/r/rule.yml"), "yaml", host(HostKind::Yaml)),
            (Some("/r/rule.yaml"), "kql", host(HostKind::Yaml)),
            (Some("/r/arm.json"), "jsonc", host(HostKind::Json)),
            (None, "markdown", host(HostKind::Markdown)),
            (None, "yaml", host(HostKind::Yaml)),
            (None, "json", host(HostKind::Json)),
            (None, "jsonc", host(HostKind::Json)),
            (None, "kql", Language::Kql),
            (None, "kusto", Language::Kql),
            (Some("/r/Dockerfile"), "yaml", host(HostKind::Yaml)),
        ] {
            assert_eq!(
                Language::of(path.map(Path::new), id),
                expected,
                "{path:?} {id}"
            );
        }
    }

    #[test]
    fn untitled_documents_have_no_path() {
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_path(&uri), None);
    }
}
