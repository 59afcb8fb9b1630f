//! Byte spans and the conversion of byte offsets to line and column.

use serde::Serialize;

/// A range of bytes `start..end` in the parsed source.
///
/// Spans compare equal whatever their offsets, so two trees that differ only in layout are
/// equal: `parse(&ast.to_string())? == ast` holds for every tree the parser builds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text the span covers, if it lies on character boundaries of `source`.
    pub fn text<'s>(&self, source: &'s str) -> Option<&'s str> {
        source.get(self.start..self.end)
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

/// Line starts of a source text, to turn byte offsets into 1-based lines and columns.
///
/// Columns count characters, not bytes, as editors do.
#[derive(Clone, Debug)]
pub struct LineIndex<'s> {
    source: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(source: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            source,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end, or
    /// inside a character, are moved back to the nearest character boundary.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.source[start..offset].chars().count() + 1;
        (line + 1, column)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &'s str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.source.len(), |&next| next);
        self.source[start..end].trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_compare_equal_regardless_of_offsets() {
        assert_eq!(Span::new(0, 3), Span::new(7, 9));
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let index = LineIndex::new("ab\ncé d\n");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(3), (2, 1));
        // `d` is after a two-byte character: byte 7, character column 4.
        assert_eq!(index.line_col(7), (2, 4));
        assert_eq!(index.line_col(100), (3, 1));
        assert_eq!(index.line_text(2), "cé d");
    }
}
