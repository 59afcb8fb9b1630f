//! `textDocument/formatting` and `rangeFormatting`: the text `kqlsmith fmt` writes, as edits.
//!
//! The formatter lays out whole queries, so a range request formats every query the range
//! touches (all of a `.kql` file). The edit replaces only the bytes between the first and the
//! last difference, so the cursor and the unchanged lines stay put.

use std::ops::Range;

use kqlsmith_lint::Edit;
use kqlsmith_syntax::format::{LineStyle, format};

use crate::document::{Document, Language};
use crate::settings::Settings;

/// The edits that format the queries touching `range` (`None`: the whole document); `None`
/// when one of them does not parse (`kqlsmith fmt` then writes nothing either). In a host
/// file the formatted queries are written back as `kqlsmith fmt` writes them.
pub fn format_edits(
    document: &Document,
    settings: &[Settings],
    range: Option<Range<usize>>,
) -> Option<Vec<Edit>> {
    let mut replacements = Vec::new();
    for (region, settings) in document.regions().iter().zip(settings) {
        let touched = region.range();
        if let Some(r) = &range
            && (r.end < touched.start || touched.end < r.start)
        {
            continue;
        }
        let options = &settings.linter.config().format;
        let formatted = match document.language {
            // A KQL file keeps its line ending and byte-order mark, as `kqlsmith fmt` keeps them.
            Language::Kql => {
                let (style, text) = LineStyle::of(region.text());
                style.apply(&format(text, options).ok()?)
            }
            Language::Host(_) => format(region.text(), options).ok()?,
        };
        replacements.push((region.index, formatted));
    }
    document.replace_queries(&replacements).ok()
}
