//! Putting the source's comments back into the formatted text.
//!
//! Comments are not in the tree; the layout walks the tree in source order and, at each
//! element that starts or ends a line in the layout (a statement, a pipe stage, a list item,
//! an `and` operand), asks for the comments found there in the source:
//!
//! - **leading**: comments before the element, each printed on a line of its own just before
//!   it (blank lines before statements and stages are kept, runs of them collapsed to one);
//! - **trailing**: a comment after the element on the same source line (only spaces and
//!   closing punctuation between), printed at the end of the element's line;
//! - **dangling**: comments left before a closing bracket, printed before it.
//!
//! Every comment is handed out once, in order, so none is lost or repeated; a comment inside
//! a construct the layout prints in one piece comes out before the next element.

use super::doc::Doc;
use crate::ast::Comment;
use crate::span::Span;

pub(super) struct Comments<'s> {
    source: &'s str,
    list: Vec<Comment>,
    done: Vec<bool>,
    /// Every comment before this index has been handed out.
    next: usize,
    /// The end of the last element or comment printed, for finding blank lines.
    cursor: usize,
}

/// Whether blank lines before an element are kept.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Blank {
    Keep,
    Drop,
}

impl<'s> Comments<'s> {
    pub(super) fn new(source: &'s str, mut list: Vec<Comment>) -> Self {
        list.sort_by_key(|c| c.span.start);
        let done = vec![false; list.len()];
        Comments {
            source,
            list,
            done,
            next: 0,
            cursor: 0,
        }
    }

    /// Marks the end of a printed element.
    pub(super) fn advance(&mut self, end: usize) {
        self.cursor = self.cursor.max(end);
    }

    /// The comments inside `span` are part of text printed verbatim (a `dynamic` literal):
    /// they come out with it.
    pub(super) fn consume_within(&mut self, span: Span) {
        for i in self.next..self.list.len() {
            let comment = &self.list[i].span;
            if comment.start >= span.end {
                break;
            }
            if comment.start >= span.start {
                self.done[i] = true;
            }
        }
        self.skip_done();
    }

    fn skip_done(&mut self) {
        while self.next < self.list.len() && self.done[self.next] {
            self.next += 1;
        }
    }

    /// The next comment not handed out that starts before `limit`.
    fn take_before(&mut self, limit: usize) -> Option<Comment> {
        self.skip_done();
        let i = (self.next..self.list.len())
            .find(|&i| !self.done[i])
            .filter(|&i| self.list[i].span.start < limit)?;
        self.done[i] = true;
        self.cursor = self.cursor.max(self.list[i].span.end);
        Some(self.list[i].clone())
    }

    /// Whether the source has a blank line between the last thing printed and `at`.
    fn blank_before(&self, at: usize) -> bool {
        let gap = self.source.get(self.cursor..at).unwrap_or("");
        // Lines end at `\n`, `\r\n` or a lone `\r`.
        let gap = match gap.contains('\r') {
            true => std::borrow::Cow::Owned(gap.replace("\r\n", "\n")),
            false => std::borrow::Cow::Borrowed(gap),
        };
        let mut lines = gap.split(['\n', '\r']);
        lines.next();
        let mut inner: Vec<&str> = lines.collect();
        inner.pop();
        inner.iter().any(|line| line.trim().is_empty())
    }

    /// The comments before an element that starts a line at `start`, each on its own line;
    /// with `first` false and `Blank::Keep`, a blank line of the source before the comments or
    /// the element is kept.
    pub(super) fn leading(&mut self, start: usize, blank: Blank, first: bool) -> Doc {
        let mut parts = Vec::new();
        let keep = |this: &Self, at: usize, printed: bool| {
            blank == Blank::Keep && (printed || !first) && this.blank_before(at)
        };
        while let Some(at) = self.peek_before(start).map(|c| c.span.start) {
            if keep(self, at, !parts.is_empty()) {
                parts.push(Doc::HardLine);
            }
            let comment = self.take_before(start).expect("peeked");
            parts.push(Doc::text(comment.text));
            parts.push(Doc::HardLine);
        }
        if keep(self, start, !parts.is_empty()) {
            parts.push(Doc::HardLine);
        }
        self.advance(start);
        Doc::concat(parts)
    }

    fn peek_before(&mut self, limit: usize) -> Option<&Comment> {
        self.skip_done();
        (self.next..self.list.len())
            .find(|&i| !self.done[i])
            .map(|i| &self.list[i])
            .filter(|c| c.span.start < limit)
    }

    /// Comments before an element that does not start a line (`let X = // note` then the
    /// value): each goes on a line of its own, indented, and the element starts a new line.
    pub(super) fn leading_inline(&mut self, start: usize) -> Doc {
        let mut parts = Vec::new();
        while let Some(comment) = self.take_before(start) {
            parts.push(Doc::HardLine);
            parts.push(Doc::text(comment.text));
        }
        if parts.is_empty() {
            return Doc::concat(parts);
        }
        parts.push(Doc::HardLine);
        Doc::indent(Doc::concat(parts))
    }

    /// The comment after an element that ends at `end`, on the same source line, if there is
    /// one: printed at the end of the element's line.
    pub(super) fn trailing(&mut self, end: usize) -> Doc {
        self.trailing_past(end, "")
    }

    /// Like [`Comments::trailing`], where the element may be followed by `word` before the
    /// comment (`a == 1 and // note`, where the layout moves `and` to the next line).
    pub(super) fn trailing_past(&mut self, end: usize, word: &str) -> Doc {
        let end = self.code_end(end);
        self.advance(end);
        self.skip_done();
        let Some(i) = (self.next..self.list.len()).find(|&i| !self.done[i]) else {
            return Doc::concat(Vec::new());
        };
        let comment = &self.list[i];
        if comment.span.start < end {
            return Doc::concat(Vec::new());
        }
        let gap = self.source.get(end..comment.span.start).unwrap_or("");
        let gap = gap.trim_start_matches([' ', '\t']);
        let gap = if word.is_empty() {
            gap
        } else {
            gap.strip_prefix(word).unwrap_or(gap)
        };
        let same_line = gap
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | ',' | ';' | ')' | ']' | '}'));
        if !same_line {
            return Doc::concat(Vec::new());
        }
        let comment = self.take_before(usize::MAX).expect("found above");
        suffix(comment.text)
    }

    /// The comments left before `limit` (a closing bracket, the end of the text): one on the
    /// line of the code before it stays there, the others get lines of their own (after a
    /// blank line where the source has one, with `Blank::Keep`).
    pub(super) fn dangling(&mut self, limit: usize, blank: Blank) -> Doc {
        let mut parts = Vec::new();
        while let Some(start) = self.peek_before(limit).map(|c| c.span.start) {
            // Only a comment right after the code printed last can end that code's line; one
            // left over from inside it goes on a line of its own.
            if parts.is_empty() && !self.starts_line(start) && start >= self.cursor {
                let comment = self.take_before(limit).expect("peeked");
                parts.push(suffix(comment.text));
                continue;
            }
            if blank == Blank::Keep && self.blank_before(start) {
                parts.push(Doc::HardLine);
            }
            let comment = self.take_before(limit).expect("peeked");
            parts.push(Doc::HardLine);
            parts.push(Doc::text(comment.text));
        }
        Doc::concat(parts)
    }

    /// Whether only spaces stand before `at` on its line.
    fn starts_line(&self, at: usize) -> bool {
        let before = self.source.get(..at).unwrap_or("");
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        before[line_start..].trim().is_empty()
    }

    /// Where the code before `at` ends: `at` moved back over spaces and comments. (The span
    /// of a node may run on over the spaces and comments after it, where its grammar rule ends
    /// with an optional part that was not there.)
    pub(super) fn code_end(&self, at: usize) -> usize {
        let mut end = at.min(self.source.len());
        loop {
            end = self.source[..end].trim_end().len();
            // The last comment starting before `end`; `end` may stop short of its `\r`.
            let i = self.list.partition_point(|c| c.span.start < end);
            match i.checked_sub(1).map(|i| &self.list[i].span) {
                Some(comment) if end <= comment.end => end = comment.start,
                _ => return end,
            }
        }
    }

    /// How many comments have not been handed out.
    pub(super) fn remaining(&self) -> usize {
        self.done.iter().filter(|d| !**d).count()
    }
}

/// A trailing comment: at the end of the line, which must break after it.
fn suffix(text: String) -> Doc {
    Doc::concat(vec![Doc::LineSuffix(format!(" {text}")), Doc::BreakParent])
}
