//! Memory of linting big texts: the linter lowers each stage from the syntax tree it
//! consumes, so a file's syntax tree and its lowered tree are never whole in memory together,
//! and linting peaks little above what the syntax tree alone takes. The heap is counted by
//! this test binary's allocator: bytes, not time, so the bound holds on any machine.
//! (`cargo bench -p kqlsmith-lint --bench memory` prints the figures for 18 MB inputs.)

use kqlsmith_lint::{Config, Linter, Platform};

#[path = "../../../tests/support/memory.rs"]
mod memory;

use memory::{Counting, big_inputs, peak_of};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Linting's peak heap, at most this many times the peak of parsing the whole tree.
const LINT_OVER_PARSE: f64 = 1.2;

/// One test, so that no other test's allocations are counted in its peaks.
#[test]
fn linting_a_big_text_peaks_little_above_its_syntax_tree() {
    let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    for (name, text) in big_inputs(1 << 20) {
        let (parse_peak, tree, _) = peak_of(|| kqlsmith_syntax::parse(&text));
        assert!(tree.is_ok(), "{name} parses");
        drop(tree);
        let (lint_peak, diagnostics, _) = peak_of(|| linter.lint(&text));
        assert!(
            diagnostics.iter().all(|d| d.code != "KQL001"),
            "{name} lints without a syntax error"
        );
        let ratio = lint_peak as f64 / parse_peak as f64;
        assert!(
            ratio <= LINT_OVER_PARSE,
            "{name}: linting peaked at {lint_peak} bytes of heap, {ratio:.2} times parsing's \
             {parse_peak}"
        );
    }
}
