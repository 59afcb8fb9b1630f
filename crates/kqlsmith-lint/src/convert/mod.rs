//! Converting a query between platforms (Defender XDR advanced hunting and Sentinel).
//!
//! The conversion changes only the names that must change, by replacing their bytes in the
//! source: every other byte, comments and layout included, stays as it was. What changes comes
//! from the platform files (`profiles/platforms/*.toml`): the time column (`Timestamp` on
//! Defender, `TimeGenerated` on Sentinel) and the tables and columns listed under
//! `[convert.OTHER]`.
//!
//! A name is renamed only where it refers to a platform table's column: the binder follows
//! the columns through every stage and records where each one comes from (its
//! [`Lineage`](crate::semantic::Lineage)), so a string that says `Timestamp`, a comment, or a
//! column the query made itself (`extend Timestamp = ...`) keeps its name, while
//! `max_Timestamp` (named after the column by `summarize`) or `Timestamp1` (after a `join`)
//! follow it. What has no
//! faithful equivalent on the target is reported, with the code of the lint rule the converted
//! query would break there:
//!
//! - `KQL101` a table the target does not have (error);
//! - `KQL102` a column the target's table does not have (error);
//! - `KQL104` a platform function the target does not have (error);
//! - `KQL401` a time column left unchanged, because the query made its own column of the
//!   target's name (error), or because its rows come from something kqlsmith cannot see into,
//!   such as an unknown table or a function parameter (warning); and two columns of one
//!   `project` list that become one on the target (Sentinel's `TimeGenerated` and `Timestamp`
//!   are both Defender's `Timestamp`: error).
//!
//! ```
//! use kqlsmith_lint::{Platform, convert::convert};
//!
//! let defender = Platform::builtin("defender").unwrap();
//! let sentinel = Platform::builtin("sentinel").unwrap();
//! let query = "DeviceProcessEvents // \"Timestamp\" stays in comments\n\
//!              | where Timestamp > ago(1d)\n\
//!              | summarize max(Timestamp) by DeviceName\n\
//!              | where max_Timestamp < ago(1h)";
//! let converted = convert(query, &defender, &sentinel)?;
//! assert_eq!(
//!     converted.text,
//!     "DeviceProcessEvents // \"Timestamp\" stays in comments\n\
//!      | where TimeGenerated > ago(1d)\n\
//!      | summarize max(TimeGenerated) by DeviceName\n\
//!      | where max_TimeGenerated < ago(1h)"
//! );
//! assert!(converted.diagnostics.is_empty());
//!
//! // A table Sentinel does not have is reported, with its place in the converted text.
//! let converted = convert("ExposureGraphNodes | take 10", &defender, &sentinel)?;
//! assert_eq!(converted.diagnostics[0].code, "KQL101");
//! assert_eq!(converted.diagnostics[0].range, 0..18);
//! # Ok::<(), kqlsmith_lint::convert::ConvertError>(())
//! ```

mod names;
mod rename;

use std::collections::BTreeMap;

use kqlsmith_syntax::ParseError;

use crate::diagnostic::{Diagnostic, Edit};
use crate::platform::Platform;
use crate::schema::Schema;
use crate::semantic::Analyzer;

/// A converted query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The query for the target platform.
    pub text: String,
    /// The replacements made, as byte ranges of the source, in order.
    pub edits: Vec<Edit>,
    /// What could not be converted faithfully, in order; ranges are in `text`.
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a query was not converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// The source is not valid KQL.
    #[error(transparent)]
    Syntax(#[from] ParseError),
    /// The converted text does not parse: a bug in kqlsmith. Nothing was converted.
    #[error(
        "internal error: the converted text does not parse ({0}); nothing was converted (a bug in kqlsmith)"
    )]
    Internal(String),
}

/// Converts `source`, a query for `from`, into a query for `to`.
///
/// Converting to the platform the query is already for changes nothing.
pub fn convert(source: &str, from: &Platform, to: &Platform) -> Result<Conversion, ConvertError> {
    let script = kqlsmith_syntax::parse(source)?;
    if from.name == to.name {
        return Ok(Conversion {
            text: source.to_string(),
            edits: Vec::new(),
            diagnostics: Vec::new(),
        });
    }
    let names = names::NameMap::new(from, to);
    let ir = crate::lower::script(source, &script);
    let (extra, watchlists) = (Schema::default(), BTreeMap::new());
    let model = Analyzer::new(from, &extra, &watchlists)
        .track_lineage()
        .analyze(&ir);
    let mut renamer = rename::Renamer::new(&names);
    renamer.run(&model, &ir, &script);
    // The trees are done with: on a big file they are most of the memory.
    drop((model, ir, script));
    let mut edits = renamer.edits;
    edits.sort_by_key(|e| e.range.start);
    let text = apply(source, &edits);
    // The verdict alone: `check` does not build the converted text's tree.
    kqlsmith_syntax::check(&text).map_err(|e| ConvertError::Internal(e.to_string()))?;
    let mut diagnostics = renamer.diagnostics;
    for d in &mut diagnostics {
        d.range = shift(d.range.start, &edits)..shift(d.range.end, &edits);
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    Ok(Conversion {
        text,
        edits,
        diagnostics,
    })
}

/// The source with the (sorted, non-overlapping) edits made.
fn apply(source: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(source.len() + 16 * edits.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&edit.replacement);
        at = edit.range.end;
    }
    out.push_str(&source[at..]);
    out
}

/// Where a source offset lands in the edited text (an offset inside an edit maps to its end).
fn shift(offset: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for edit in edits {
        if edit.range.end <= offset {
            delta += edit.replacement.len() as isize - edit.range.len() as isize;
        } else if edit.range.start < offset {
            return edit.range.start + edit.replacement.len();
        }
    }
    offset.saturating_add_signed(delta)
}

#[cfg(test)]
mod tests;
