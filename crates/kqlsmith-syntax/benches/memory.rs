//! Memory of parsing big inputs: for each generated input, its size, the heap the parser
//! used at its peak, and the heap the finished tree holds, each per byte of input.
//!
//! `cargo bench -p kqlsmith-syntax --bench memory [-- MEGABYTES]` (default 18 MB an input).
//! Peak RSS of the commands on the same inputs: `tests/memory/run`.

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

fn main() {
    let megabytes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(18);
    println!("| input | size | peak heap while parsing | heap of the tree |");
    println!("|---|---|---|---|");
    for (name, text) in inputs(megabytes << 20) {
        let before = IN_USE.load(Relaxed);
        PEAK.store(before, Relaxed);
        let script = kqlsmith_syntax::parse(&text).expect("the input parses");
        let tree = IN_USE.load(Relaxed) - before;
        let peak = PEAK.load(Relaxed) - before;
        drop(script);
        let size = text.len() as f64;
        println!(
            "| {name} | {:.1} MB | {:.1} MB ({:.1} x) | {:.1} MB ({:.2} bytes a byte) |",
            size / 1e6,
            peak as f64 / 1e6,
            peak as f64 / size,
            tree as f64 / 1e6,
            tree as f64 / size,
        );
    }
}
