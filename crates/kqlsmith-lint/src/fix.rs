//! Applying fixes to source text.

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// The source with the safe fixes of `diagnostics` applied, and how many were applied. A fix
/// whose edits overlap an edit already taken is left for a later pass (`--fix` re-lints and
/// applies again until nothing changes). Unsafe fixes are never applied here.
pub fn apply_fixes(source: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut fixes: Vec<_> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
        .collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.range.start).min());
    for fix in fixes {
        let valid = fix.edits.iter().all(|e| {
            e.range.start <= e.range.end
                && e.range.end <= source.len()
                && source.is_char_boundary(e.range.start)
                && source.is_char_boundary(e.range.end)
        });
        let overlaps = |a: &Edit, b: &Edit| {
            a.range.start < b.range.end && b.range.start < a.range.end
                || a.range.start == b.range.start
        };
        let clashes = fix.edits.iter().enumerate().any(|(i, e)| {
            taken.iter().any(|t| overlaps(e, t)) || fix.edits[..i].iter().any(|o| overlaps(e, o))
        });
        if valid && !clashes {
            taken.extend(&fix.edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for edit in taken {
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&edit.replacement);
        at = edit.range.end;
    }
    out.push_str(&source[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Fix;
    use crate::rules;

    fn with_fix(fix: Fix) -> Diagnostic {
        let rule = rules::find(rules::all(), "KQL402").unwrap();
        Diagnostic::new(rule, 0..1, String::new()).with_fix(fix)
    }

    #[test]
    fn applies_safe_fixes_in_order_and_skips_unsafe_and_overlapping() {
        let source = "a <> b and c <> d";
        let diagnostics = [
            with_fix(Fix::safe("", vec![Edit::replace(13..15, "!=")])),
            with_fix(Fix::safe("", vec![Edit::replace(2..4, "!=")])),
            with_fix(Fix::safe("", vec![Edit::replace(3..5, "xx")])),
            with_fix(Fix::unsafe_("", vec![Edit::replace(0..1, "A")])),
        ];
        let (fixed, applied) = apply_fixes(source, &diagnostics);
        assert_eq!(fixed, "a != b and c != d");
        assert_eq!(applied, 2);
    }

    #[test]
    fn multi_edit_fixes_apply_whole_or_not_at_all() {
        let source = "abcdef";
        let diagnostics = [
            with_fix(Fix::safe("", vec![Edit::replace(0..1, "A")])),
            with_fix(Fix::safe(
                "",
                vec![Edit::replace(4..5, "E"), Edit::replace(0..1, "Z")],
            )),
            with_fix(Fix::safe(
                "",
                vec![Edit::insert(6, "!"), Edit::delete(2..3)],
            )),
        ];
        let (fixed, applied) = apply_fixes(source, &diagnostics);
        assert_eq!(fixed, "Abdef!");
        assert_eq!(applied, 2);
    }

    #[test]
    fn edits_outside_the_text_are_ignored() {
        let (fixed, applied) = apply_fixes(
            "é",
            &[with_fix(Fix::safe("", vec![Edit::replace(1..2, "x")]))],
        );
        assert_eq!((fixed.as_str(), applied), ("é", 0));
    }
}
