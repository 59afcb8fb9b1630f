//! The formatter: one canonical layout for KQL, keeping every comment.
//!
//! - `let` statements and queries each start a line and end with `;` (all but the last); blank
//!   lines between statements and between stages are kept, runs of them collapsed to one;
//! - every pipe stage is on a line of its own; the stages of a `let` are indented one level;
//! - single spaces around binary operators and after commas; `name=value` for operator
//!   parameters (`kind=inner`);
//! - lists (`project`, `extend`, `summarize`, `by`, call arguments, `in (...)`) stay on one
//!   line when they fit in the line width, else one item a line, one level deeper; `and`/`or`
//!   chains that do not fit break before each operator;
//! - keywords as KQL spells them (`mv-expand`, not `mvexpand`); literals, names and operators
//!   exactly as written (the formatter changes layout, never the query);
//! - comments stay where they were: one on a line of its own stays before the element it
//!   preceded, one after code stays at the end of that code's line;
//! - the text ends with one line break, and no line ends with spaces.
//!
//! The formatted text is parsed back before it is returned: it must give the same tree and
//! the same comments, else [`format()`] returns [`FormatError::Internal`] and no text.
//!
//! ```
//! use kqlsmith_syntax::format::{format, FormatOptions};
//!
//! let source = "DeviceProcessEvents|where Timestamp>ago(1d)// last day\n|project DeviceName,FileName";
//! let formatted = format(source, &FormatOptions::default())?;
//! assert_eq!(
//!     formatted,
//!     "DeviceProcessEvents\n| where Timestamp > ago(1d) // last day\n| project DeviceName, FileName\n"
//! );
//! // Formatting is idempotent.
//! assert_eq!(format(&formatted, &FormatOptions::default())?, formatted);
//! # Ok::<(), kqlsmith_syntax::format::FormatError>(())
//! ```

mod comments;
mod doc;
mod layout;
mod line_style;
mod verify;

pub use line_style::LineStyle;

use serde::Serialize;

use crate::error::ParseError;

/// How the formatter lays text out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FormatOptions {
    /// The width (in characters) that lists and `and`/`or` chains are broken to fit; a name
    /// or literal longer than that still goes on one line. Values above [`MAX_LINE_WIDTH`]
    /// count as that.
    pub line_width: usize,
    /// Spaces a level of indentation; values above [`MAX_INDENT`] count as that.
    pub indent: usize,
}

/// The largest indentation step the formatter uses.
pub const MAX_INDENT: usize = 16;
/// The largest line width the formatter uses.
pub const MAX_LINE_WIDTH: usize = 1000;

impl Default for FormatOptions {
    /// Lines of 100 characters, indented by 4 spaces.
    fn default() -> Self {
        FormatOptions {
            line_width: 100,
            indent: 4,
        }
    }
}

/// Why a text was not formatted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The text is not valid KQL: nothing to format.
    #[error(transparent)]
    Syntax(#[from] ParseError),
    /// The formatter produced text it cannot stand behind (it does not parse back to the same
    /// query, or a comment went missing). A bug in kqlsmith; the text was not changed.
    #[error(
        "internal error: the formatted text {0}; the text was left as it was (a bug in kqlsmith)"
    )]
    Internal(String),
}

/// Formats KQL text in the canonical layout.
///
/// Returns the formatted text, which parses to the same tree as `source` (spans aside) and
/// holds the same comments in the same order; or the parse error of `source`.
pub fn format(source: &str, options: &FormatOptions) -> Result<String, FormatError> {
    let script = crate::parse(source)?;
    let mut layout = layout::Layout::new(source, &script.comments);
    let doc = layout.script(&script);
    if layout.unplaced_comments() > 0 {
        return Err(FormatError::Internal(format!(
            "would lose {} comment(s)",
            layout.unplaced_comments()
        )));
    }
    let text = doc::print(
        &doc,
        options.line_width.min(MAX_LINE_WIDTH),
        options.indent.min(MAX_INDENT),
    );
    drop(doc);
    if let Some(why) = verify::differences(&script, &text) {
        return Err(FormatError::Internal(why));
    }
    Ok(text)
}

#[cfg(test)]
mod tests;
