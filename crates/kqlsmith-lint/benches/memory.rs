//! Memory of parsing and linting big inputs: for each generated input, its size, the heap
//! the parser used at its peak, the heap the finished syntax tree holds, and the heap the
//! linter used at its peak (parse, lowering, binding, rules), each per byte of input.
//!
//! `cargo bench -p kqlsmith-lint --bench memory [-- MEGABYTES]` (default 18 MB an input).
//! Peak RSS of the commands on the same inputs: `tests/memory/run`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use kqlsmith_lint::{Config, Linter, Platform};

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

/// The shapes of big files met in practice, each `bytes` long or a little more.
fn inputs(bytes: usize) -> Vec<(&'static str, String)> {
    let grow = |head: &str, item: &dyn Fn(usize) -> String, tail: &str| {
        let mut text = head.to_string();
        let mut i = 0;
        while text.len() < bytes {
            text.push_str(&item(i));
            i += 1;
        }
        text.push_str(tail);
        text
    };
    vec![
        (
            "where stages",
            grow(
                "DeviceProcessEvents\n",
                &|i| format!("| where FileName != \"tool{i}.exe\"\n"),
                "",
            ),
        ),
        (
            "IOC list (in)",
            grow(
                "DeviceNetworkEvents\n| where RemoteIP in (\"10.0.0.0\"",
                &|i| format!(", \"10.{}.{}.{}\"", i >> 16 & 255, i >> 8 & 255, i & 255),
                ")\n",
            ),
        ),
        (
            "or chain",
            grow(
                "DeviceNetworkEvents\n| where RemotePort == 0",
                &|i| format!(" or RemotePort == {i}"),
                "\n",
            ),
        ),
    ]
}

/// The heap in use at the peak of `work`, above what was in use before it, and what it
/// returns with the heap that value holds.
fn peak_of<T>(work: impl FnOnce() -> T) -> (usize, T, usize) {
    let before = IN_USE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let value = work();
    let held = IN_USE.load(Relaxed) - before;
    (PEAK.load(Relaxed) - before, value, held)
}

fn main() {
    let megabytes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(18);
    let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    println!("| input | size | peak heap, parse | heap of the tree | peak heap, lint |");
    println!("|---|---|---|---|---|");
    for (name, text) in inputs(megabytes << 20) {
        let (parse_peak, script, tree) =
            peak_of(|| kqlsmith_syntax::parse(&text).expect("the input parses"));
        drop(script);
        let (lint_peak, diagnostics, _) = peak_of(|| linter.lint(&text));
        assert!(
            diagnostics.iter().all(|d| d.code != "KQL001"),
            "{name} lints without a syntax error"
        );
        drop(diagnostics);
        let size = text.len() as f64;
        let mb = |bytes: usize| bytes as f64 / 1e6;
        let per_byte = |bytes: usize| bytes as f64 / size;
        println!(
            "| {name} | {:.1} MB | {:.1} MB ({:.1} x) | {:.1} MB ({:.2} bytes a byte) | {:.1} MB ({:.1} x) |",
            size / 1e6,
            mb(parse_peak),
            per_byte(parse_peak),
            mb(tree),
            per_byte(tree),
            mb(lint_peak),
            per_byte(lint_peak),
        );
    }
}
