//! `textDocument/formatting` and `rangeFormatting`: the text `kqlsmith fmt` writes, as edits.
//!
//! The formatter lays out whole queries, so a range request formats every query the range
//! touches (all of a `.kql` file). The edit replaces only the bytes between the first and the
//! last difference, so the cursor and the unchanged lines stay put.

use std::ops::Range;

use kqlsmith_lint::Edit;
use kqlsmith_syntax::format::format;

use crate::document::Document;
use crate::settings::Settings;

/// The edits that format the queries touching `range` (`None`: the whole document); `None`
/// when a query does not parse (nothing to format).
pub fn format_edits(
    document: &Document,
    settings: &Settings,
    range: Option<Range<usize>>,
) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    for region in document.regions() {
        if let Some(r) = &range
            && (r.end < region.range.start || region.range.end < r.start)
        {
            continue;
        }
        let text = region.text(document);
        let formatted = format(text, &settings.linter.config().format).ok()?;
        if let Some(edit) = minimal_edit(text, &formatted) {
            edits.push(Edit::replace(
                region.to_document(edit.range),
                edit.replacement,
            ));
        }
    }
    Some(edits)
}

/// One edit turning `old` into `new`: the differing middle, on character boundaries.
fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edit: &Edit) -> String {
        format!(
            "{}{}{}",
            &old[..edit.range.start],
            edit.replacement,
            &old[edit.range.end..]
        )
    }

    #[test]
    fn the_edit_covers_only_what_differs_and_respects_characters() {
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
}
