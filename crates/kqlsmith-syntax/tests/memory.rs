//! Memory of checking big texts: `check` and `parse_streaming` hold one piece's tree at a
//! time, so their peak heap stays a small multiple of the input however long it is. The
//! heap is counted by this test binary's allocator: bytes, not time, so the bound is exact
//! on any machine. (`cargo bench -p kqlsmith-lint --bench memory` prints the figures.)

#[path = "../../../tests/support/memory.rs"]
mod memory;

use memory::{Counting, big_inputs, peak_of};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Inputs of 1 MiB: big enough to be read in pieces, quick in a debug build.
fn big_texts() -> Vec<(&'static str, String)> {
    big_inputs(1 << 20)
}

/// At most this many bytes of heap a byte of input: the text pest reads, the scan's
/// tables, and one piece's tree.
const CHECK_BYTES_A_BYTE: usize = 4;

/// One test, so that no other test's allocations are counted in its peaks.
#[test]
fn big_texts_are_checked_and_streamed_a_piece_at_a_time() {
    checking_a_big_text_holds_one_piece_at_a_time();
    stages_handed_over_are_not_kept();
}

fn checking_a_big_text_holds_one_piece_at_a_time() {
    for (name, text) in big_texts() {
        assert_eq!(kqlsmith_syntax::check(&text), Ok(()), "{name} parses");
        let (peak, _, _) = peak_of(|| kqlsmith_syntax::check(&text));
        assert!(
            peak <= CHECK_BYTES_A_BYTE * text.len(),
            "{name}: checking {} bytes peaked at {peak} bytes of heap",
            text.len()
        );
    }
}

fn stages_handed_over_are_not_kept() {
    let (name, text) = big_texts().swap_remove(0);
    let mut handed = 0;
    let (peak, _, _) = peak_of(|| {
        kqlsmith_syntax::parse_streaming(&text, |event| {
            if let kqlsmith_syntax::Streamed::Stage { .. } = event {
                handed += 1;
            }
        })
    });
    assert!(handed > 10_000, "{name}: {handed} stages handed over");
    assert!(
        peak <= CHECK_BYTES_A_BYTE * text.len(),
        "{name}: parsing {} bytes, stages handed over, peaked at {peak} bytes of heap",
        text.len()
    );
    // Kept, the stages' tree alone is several times the text.
    let (kept, _, _) = peak_of(|| kqlsmith_syntax::parse(&text));
    assert!(kept > CHECK_BYTES_A_BYTE * text.len(), "{name}: {kept}");
}
