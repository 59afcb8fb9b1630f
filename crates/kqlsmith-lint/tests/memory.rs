//! Memory of linting big texts: the linter checks a big text a stage at a time as the parser
//! reads it (and a long chain an operand at a time, a long list's items as they come), so
//! its heap holds one stage beside the text, not the text's whole tree. The heap is counted
//! by this test binary's allocator: bytes, not time, so the bounds hold on any machine.
//! (`cargo bench -p kqlsmith-lint --bench memory` prints the figures for 18 MB inputs, and
//! `tests/memory/run` the peak RSS of the command line.)

use kqlsmith_lint::{Config, Linter, Platform};

#[path = "../../../tests/support/memory.rs"]
mod memory;

use memory::{Counting, big_inputs, peak_of};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Linting's peak heap, at most this many bytes a byte of input: the aim for any big text.
const AT_MOST: f64 = 8.0;

/// Linting's peak heap on a file of stages or on one long chain, which it takes a piece at a
/// time and lets go: at most this many bytes a byte of input.
const PIECE_BY_PIECE: f64 = 2.0;

/// One test, so that no other test's allocations are counted in its peaks.
#[test]
fn linting_a_big_text_holds_a_stage_at_a_time() {
    let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    for (name, text) in big_inputs(1 << 20) {
        let (lint_peak, diagnostics, _) = peak_of(|| linter.lint(&text));
        assert!(
            diagnostics.iter().all(|d| d.code != "KQL001"),
            "{name} lints without a syntax error"
        );
        let per_byte = lint_peak as f64 / text.len() as f64;
        assert!(
            per_byte <= AT_MOST,
            "{name}: linting peaked at {lint_peak} bytes of heap, {per_byte:.2} a byte of input"
        );
        if name != "IOC list (in)" {
            assert!(
                per_byte <= PIECE_BY_PIECE,
                "{name}: linting peaked at {lint_peak} bytes of heap, {per_byte:.2} a byte of \
                 input: more than a stage at a time"
            );
        }
    }
}
