//! An open document: its text as the editor has it (saved or not), the edits that change it,
//! and the KQL queries it holds.
//!
//! Every feature works on a [`Region`]: a byte range of the document holding one KQL text. A
//! `.kql` file is one region, the whole text. Host files (KQL inside Markdown fences or a
//! Sentinel rule's `query:`) map to one region a query; the features then read the region's
//! text and add its start to every offset they return, so positions land in the host
//! document.

use std::ops::Range;
use std::path::PathBuf;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::position::{Encoding, LineIndex};

/// One KQL text inside a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Where the query lies in the document, in bytes.
    pub range: Range<usize>,
}

impl Region {
    /// The query's text.
    pub fn text<'d>(&self, document: &'d Document) -> &'d str {
        &document.text[self.range.clone()]
    }

    /// A document offset as an offset in the query, if it lies in it (its end included).
    pub fn to_query(&self, offset: usize) -> Option<usize> {
        (self.range.start..=self.range.end)
            .contains(&offset)
            .then(|| offset - self.range.start)
    }

    /// A query range as a document range.
    pub fn to_document(&self, range: Range<usize>) -> Range<usize> {
        range.start + self.range.start..range.end + self.range.start
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
    encoding: Encoding,
}

impl Document {
    pub fn new(uri: Uri, version: i32, text: String, encoding: Encoding) -> Document {
        let path = file_path(&uri);
        let lines = LineIndex::new(&text, encoding);
        Document {
            uri,
            path,
            version,
            text,
            lines,
            encoding,
        }
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
    }

    /// The KQL queries of the document: the whole text, for a KQL file.
    pub fn regions(&self) -> Vec<Region> {
        vec![Region {
            range: 0..self.text.len(),
        }]
    }

    /// The region holding document offset `offset`, and the offset in it.
    pub fn region_at(&self, offset: usize) -> Option<(Region, usize)> {
        self.regions()
            .into_iter()
            .find_map(|r| r.to_query(offset).map(|at| (r, at)))
    }

    pub fn range(&self, bytes: Range<usize>) -> lsp_types::Range {
        self.lines.range(&self.text, bytes)
    }

    pub fn offset(&self, position: lsp_types::Position) -> usize {
        self.lines.offset(&self.text, position)
    }
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
        let mut doc = Document::new(uri, 1, "T\n| where x".into(), Encoding::Utf16);
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
    fn untitled_documents_have_no_path() {
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_path(&uri), None);
    }
}
