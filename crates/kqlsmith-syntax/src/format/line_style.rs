//! A file's own conventions that the formatter does not decide: its line ending (CRLF or LF)
//! and a UTF-8 byte-order mark. `kqlsmith fmt` and the language server lay out the text
//! without them and give them back, so a Windows checkout stays as it was and `fmt --check`
//! flags only real layout changes.

/// The byte-order mark of UTF-8 text.
const BOM: char = '\u{feff}';

/// How a file writes line breaks, and whether it starts with a byte-order mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineStyle {
    pub bom: bool,
    /// CRLF line breaks: those of the file when it has more CRLF than lone LF breaks.
    pub crlf: bool,
}

impl LineStyle {
    /// The style of `source`, and its text without the byte-order mark.
    pub fn of(source: &str) -> (LineStyle, &str) {
        let (bom, text) = match source.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, source),
        };
        let crlf_breaks = text.matches("\r\n").count();
        let lf_breaks = text.matches('\n').count() - crlf_breaks;
        let style = LineStyle {
            bom,
            crlf: crlf_breaks > lf_breaks,
        };
        (style, text)
    }

    /// `text` (with LF breaks, as the formatter writes it) in this style. A break that is
    /// already CRLF stays one.
    pub fn apply(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 16 + 3);
        if self.bom {
            out.push(BOM);
        }
        if !self.crlf {
            out.push_str(text);
            return out;
        }
        let mut previous = '\0';
        for c in text.chars() {
            if c == '\n' && previous != '\r' {
                out.push('\r');
            }
            out.push(c);
            previous = c;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dominant_line_ending_and_the_byte_order_mark_are_found_and_given_back() {
        let (style, text) = LineStyle::of("\u{feff}T\r\n| take 1\r\n");
        assert_eq!(
            style,
            LineStyle {
                bom: true,
                crlf: true
            }
        );
        assert_eq!(text, "T\r\n| take 1\r\n");
        assert_eq!(style.apply("T\n| take 1\n"), "\u{feff}T\r\n| take 1\r\n");
        // Mixed: the more frequent ending wins.
        let (style, _) = LineStyle::of("a\r\nb\nc\n");
        assert_eq!(
            style,
            LineStyle {
                bom: false,
                crlf: false
            }
        );
        assert_eq!(style.apply("a\nb\n"), "a\nb\n");
        let (style, _) = LineStyle::of("a\r\nb\r\nc\n");
        assert!(style.crlf);
        assert_eq!(style.apply("a\r\nb\n"), "a\r\nb\r\n");
    }
}
