//! A document of text and possible line breaks, printed to fit a line width.
//!
//! The layout code describes *where* a line may break (a [`Doc::Line`] inside a
//! [`Doc::Group`]); the printer decides *whether* it does: a group is printed on one line when
//! it fits in what is left of the line, else every line break directly in it breaks. This is
//! Wadler's "prettier printer", in the form the JavaScript formatter Prettier made common.

/// A piece of layout.
#[derive(Debug, Clone)]
pub(crate) enum Doc {
    /// Text printed as is. It may hold line breaks only when it is source text that must be
    /// kept byte for byte (a multi-line string or `dynamic` literal).
    Text(String),
    /// A space on one line, a line break when its group breaks.
    Line,
    /// Nothing on one line, a line break when its group breaks.
    SoftLine,
    /// Always a line break; the groups around it break too. Two in a row make a blank line
    /// (the printer leaves no spaces on empty lines).
    HardLine,
    /// Lines broken inside are indented one level more.
    Indent(Box<Doc>),
    /// Printed on one line if it fits, else with its line breaks broken. `broken` is known when
    /// the group is built: it holds a hard line break, so it can never be on one line.
    Group {
        doc: Box<Doc>,
        broken: bool,
    },
    Concat(Vec<Doc>),
    /// Text put at the end of the current line, just before its line break: a trailing
    /// comment, which must end its line whatever is printed after it.
    LineSuffix(String),
    /// Breaks the groups around it (a trailing comment needs the line break that follows).
    BreakParent,
}

impl Doc {
    pub(crate) fn text(text: impl Into<String>) -> Doc {
        Doc::Text(text.into())
    }

    pub(crate) fn concat(parts: Vec<Doc>) -> Doc {
        Doc::Concat(parts)
    }

    pub(crate) fn indent(doc: Doc) -> Doc {
        Doc::Indent(Box::new(doc))
    }

    pub(crate) fn group(doc: Doc) -> Doc {
        let broken = doc.forces_break();
        Doc::Group {
            doc: Box::new(doc),
            broken,
        }
    }

    /// Whether this document prints nothing at all.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Doc::Concat(parts) => parts.iter().all(Doc::is_empty),
            Doc::Text(text) => text.is_empty(),
            _ => false,
        }
    }

    /// Whether this document holds a line break that cannot be undone.
    fn forces_break(&self) -> bool {
        match self {
            Doc::HardLine | Doc::BreakParent => true,
            Doc::Text(text) => text.contains('\n'),
            Doc::Group { broken, .. } => *broken,
            Doc::Indent(doc) => doc.forces_break(),
            Doc::Concat(parts) => parts.iter().any(Doc::forces_break),
            Doc::Line | Doc::SoftLine | Doc::LineSuffix(_) => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Prints `doc` in lines of at most `width` characters where the layout allows, indenting by
/// `indent` spaces a level. Lines have no trailing spaces; a non-empty result ends with one
/// line break.
pub(crate) fn print(doc: &Doc, width: usize, indent: usize) -> String {
    let mut printer = Printer {
        out: String::new(),
        column: 0,
        suffixes: Vec::new(),
    };
    let mut commands: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((level, mode, doc)) = commands.pop() {
        match doc {
            Doc::Text(text) => printer.text(text),
            Doc::Concat(parts) => {
                commands.extend(parts.iter().rev().map(|part| (level, mode, part)));
            }
            Doc::Indent(inner) => commands.push((level + indent, mode, inner)),
            Doc::Group { doc, broken } => {
                let flat = mode == Mode::Flat
                    || (!broken && fits(doc, &commands, width as isize - printer.column as isize));
                commands.push((level, if flat { Mode::Flat } else { Mode::Break }, doc));
            }
            Doc::Line if mode == Mode::Flat => printer.text(" "),
            Doc::SoftLine if mode == Mode::Flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine => printer.newline(level),
            Doc::LineSuffix(text) => {
                // Two comments on one line would read as one: the first ends its line here.
                if !printer.suffixes.is_empty() {
                    printer.newline(level);
                }
                printer.suffixes.push(text);
            }
            Doc::BreakParent => {}
        }
    }
    printer.finish()
}

/// Whether `next`, printed on one line, and what follows it up to the next possible line
/// break fit in `room` characters.
fn fits(next: &Doc, rest: &[(usize, Mode, &Doc)], mut room: isize) -> bool {
    let mut stack: Vec<(Mode, &Doc)> = vec![(Mode::Flat, next)];
    let mut rest = rest.iter().rev();
    loop {
        if room < 0 {
            return false;
        }
        let (mode, doc) = match stack.pop() {
            Some(item) => item,
            None => match rest.next() {
                Some(&(_, mode, doc)) => (mode, doc),
                None => return true,
            },
        };
        match doc {
            Doc::Text(text) => match text.split_once('\n') {
                Some((first, _)) => return room >= width_of(first),
                None => room -= width_of(text),
            },
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|part| (mode, part))),
            Doc::Indent(inner) => stack.push((mode, inner)),
            Doc::Group { doc, broken } => {
                stack.push((if *broken { Mode::Break } else { mode }, doc));
            }
            Doc::Line if mode == Mode::Flat => room -= 1,
            Doc::SoftLine if mode == Mode::Flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine => return true,
            Doc::LineSuffix(_) | Doc::BreakParent => {}
        }
    }
}

fn width_of(text: &str) -> isize {
    text.chars().count() as isize
}

struct Printer<'d> {
    out: String,
    /// Characters on the current line.
    column: usize,
    /// Trailing comments waiting for the end of the line.
    suffixes: Vec<&'d String>,
}

impl Printer<'_> {
    fn text(&mut self, text: &str) {
        self.out.push_str(text);
        match text.rfind('\n') {
            Some(at) => self.column = text[at + 1..].chars().count(),
            None => self.column += text.chars().count(),
        }
    }

    fn newline(&mut self, level: usize) {
        self.flush_suffixes();
        self.trim_trailing_spaces();
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', level));
        self.column = level;
    }

    fn flush_suffixes(&mut self) {
        for suffix in std::mem::take(&mut self.suffixes) {
            // A comment moved to a line of its own starts it, without the space before it.
            let line = &self.out[self.out.rfind('\n').map_or(0, |i| i + 1)..];
            if line.trim().is_empty() {
                self.out.push_str(suffix.trim_start());
            } else {
                self.out.push_str(suffix);
            }
        }
    }

    fn trim_trailing_spaces(&mut self) {
        let kept = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(kept);
    }

    fn finish(mut self) -> String {
        self.flush_suffixes();
        let kept = self.out.trim_end().len();
        self.out.truncate(kept);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut parts = vec![Doc::text("project")];
        let mut inner = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                inner.push(Doc::text(","));
            }
            inner.push(Doc::Line);
            inner.push(Doc::text(*item));
        }
        parts.push(Doc::indent(Doc::concat(inner)));
        Doc::group(Doc::concat(parts))
    }

    #[test]
    fn a_group_that_fits_stays_on_one_line() {
        assert_eq!(print(&list(&["A", "B"]), 20, 4), "project A, B\n");
    }

    #[test]
    fn a_group_that_does_not_fit_breaks_every_line_in_it() {
        assert_eq!(
            print(&list(&["Alpha", "Beta", "Gamma"]), 15, 4),
            "project\n    Alpha,\n    Beta,\n    Gamma\n"
        );
    }

    #[test]
    fn what_follows_a_group_counts_toward_its_fit() {
        let doc = Doc::concat(vec![list(&["A", "B"]), Doc::text(" // and more text")]);
        assert!(print(&doc, 20, 4).starts_with("project\n"));
    }

    #[test]
    fn a_line_suffix_ends_its_line_and_breaks_its_group() {
        let doc = Doc::group(Doc::concat(vec![
            Doc::text("a"),
            Doc::LineSuffix(" // note".into()),
            Doc::BreakParent,
            Doc::text(","),
            Doc::Line,
            Doc::text("b"),
        ]));
        assert_eq!(print(&doc, 80, 4), "a, // note\nb\n");
    }

    #[test]
    fn blank_lines_and_indented_empty_lines_carry_no_spaces() {
        let doc = Doc::indent(Doc::concat(vec![
            Doc::text("a"),
            Doc::HardLine,
            Doc::HardLine,
            Doc::text("b"),
        ]));
        assert_eq!(print(&doc, 80, 4), "a\n\n    b\n");
    }

    #[test]
    fn multi_line_text_is_kept_and_forces_its_group_to_break() {
        let doc = Doc::group(Doc::concat(vec![
            Doc::text("x"),
            Doc::Line,
            Doc::text("dynamic([\n  1])"),
        ]));
        assert_eq!(print(&doc, 80, 4), "x\ndynamic([\n  1])\n");
    }
}
