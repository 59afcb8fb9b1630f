//! Memory of checking big texts: `check` and `parse_streaming` hold one piece's tree at a
//! time, so their peak heap stays a small multiple of the input however long it is. The
//! heap is counted by this test binary's allocator: bytes, not time, so the bound is exact
//! on any machine. (`cargo bench -p kqlsmith-lint --bench memory` prints the figures.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Counts the bytes in use and their peak since the last reset.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let now =
                IN_USE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
            PEAK.fetch_max(now, Relaxed);
        } else {
            IN_USE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The heap in use at the peak of `work`, above what was in use before it.
fn peak_of<T>(work: impl FnOnce() -> T) -> usize {
    let before = IN_USE.load(Relaxed);
    PEAK.store(before, Relaxed);
    drop(work());
    PEAK.load(Relaxed) - before
}

/// A text of about `bytes` bytes: `head`, then `item(i)` for i = 0, 1, ..., then `tail`.
fn grow(bytes: usize, head: &str, item: impl Fn(usize) -> String, tail: &str) -> String {
    let mut text = head.to_string();
    for i in 0.. {
        if text.len() >= bytes {
            break;
        }
        text.push_str(&item(i));
    }
    text + tail
}

/// The shapes of big files met in practice: many `where` stages, a long IOC list, a long
/// `or` chain.
fn big_texts() -> Vec<(&'static str, String)> {
    const BYTES: usize = 1 << 20;
    vec![
        (
            "where stages",
            grow(
                BYTES,
                "DeviceProcessEvents\n",
                |i| format!("| where FileName != \"tool{i}.exe\"\n"),
                "",
            ),
        ),
        (
            "IOC list",
            grow(
                BYTES,
                "DeviceNetworkEvents\n| where RemoteIP in (\"10.0.0.0\"",
                |i| format!(", \"10.{}.{}.{}\"", i >> 16 & 255, i >> 8 & 255, i & 255),
                ")\n",
            ),
        ),
        (
            "or chain",
            grow(
                BYTES,
                "DeviceNetworkEvents\n| where RemotePort == 0",
                |i| format!(" or RemotePort == {i}"),
                "\n",
            ),
        ),
    ]
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
        let peak = peak_of(|| kqlsmith_syntax::check(&text));
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
    let peak = peak_of(|| {
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
    let kept = peak_of(|| kqlsmith_syntax::parse(&text));
    assert!(kept > CHECK_BYTES_A_BYTE * text.len(), "{name}: {kept}");
}
