//! Byte offsets (what the parser and the linter speak) to LSP positions and back: 0-based
//! lines, and columns in the code units the client and the server agreed on (UTF-16 unless the
//! client offers UTF-8 or UTF-32).
//!
//! Lines end as the protocol says they do: at `\n`, `\r\n` or a lone `\r`. A client splits
//! its text the same way, so a position on a line after a lone `\r` means the same byte to both.

use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit of a position's `character`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding to use, from the client's preferences in order; UTF-16 when it offers none
    /// the server knows (the protocol's default, which every client supports).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(|kind| match kind.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16)
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// Where each line of a text starts, to convert offsets and positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    encoding: Encoding,
}

impl LineIndex {
    pub fn new(text: &str, encoding: Encoding) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            line_starts,
            encoding,
        }
    }

    /// The position of byte `offset` of `text` (moved back to a character boundary, and to the
    /// end of the text when past it).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        // An offset between the `\r` and the `\n` of a break is the end of its line.
        let end = offset.min(start + self.line(text, line).len());
        let character = text[start..end]
            .chars()
            .map(|c| self.encoding.units(c))
            .sum();
        Position::new(line as u32, character)
    }

    /// The text of line `line`, without its line break.
    fn line<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |&next| next);
        let line = &text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        line.strip_suffix('\r').unwrap_or(line)
    }

    pub fn range(&self, text: &str, range: std::ops::Range<usize>) -> Range {
        Range::new(
            self.position(text, range.start),
            self.position(text, range.end),
        )
    }

    /// The byte offset of `position`. As the protocol says, a column past the end of its line
    /// means the end of the line, and a line past the end of the text means the end of the text;
    /// a column inside a character means the start of that character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let line = self.line(text, position.line as usize);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let next = units + self.encoding.units(c);
            if next > position.character {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    pub fn offsets(&self, text: &str, range: Range) -> std::ops::Range<usize> {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end).max(start);
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_an_emoji_as_two_units() {
        let text = "print \"😀\", x\nT";
        let index = LineIndex::new(text, Encoding::Utf16);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position::new(0, 12));
        assert_eq!(index.offset(text, Position::new(0, 12)), x);
        assert_eq!(index.position(text, text.len()), Position::new(1, 1));
        let utf8 = LineIndex::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(text, x), Position::new(0, 14));
        let utf32 = LineIndex::new(text, Encoding::Utf32);
        assert_eq!(utf32.position(text, x), Position::new(0, 11));
    }

    #[test]
    fn positions_past_the_line_or_inside_a_character_are_clamped() {
        let text = "ab\r\n😀c";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(
            index.offset(text, Position::new(0, 99)),
            2,
            "before the \\r"
        );
        assert_eq!(
            index.offset(text, Position::new(1, 1)),
            4,
            "inside the emoji"
        );
        assert_eq!(index.offset(text, Position::new(1, 2)), 8);
        assert_eq!(index.offset(text, Position::new(7, 0)), text.len());
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_as_the_protocol_says() {
        let text = "//\ré\r\nT\nx";
        let index = LineIndex::new(text, Encoding::Utf16);
        let e = text.find('é').unwrap();
        assert_eq!(index.position(text, e), Position::new(1, 0));
        assert_eq!(index.offset(text, Position::new(1, 0)), e);
        assert_eq!(
            index.offset(text, Position::new(1, 9)),
            e + 2,
            "before the \\r\\n"
        );
        assert_eq!(
            index.position(text, e + 3),
            Position::new(1, 1),
            "between the \\r and the \\n: the end of the line"
        );
        assert_eq!(index.position(text, text.len()), Position::new(3, 1));
        assert_eq!(
            index.offset(text, Position::new(2, 0)),
            text.find('T').unwrap()
        );
    }

    #[test]
    fn negotiation_takes_the_first_known_encoding_and_defaults_to_utf16() {
        let offered = [
            PositionEncodingKind::new("utf-7"),
            PositionEncodingKind::UTF8,
        ];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
