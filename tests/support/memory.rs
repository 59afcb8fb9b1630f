//! Heap counting and the big inputs it is measured on, for the memory test of
//! `kqlsmith-syntax` and the memory benchmark of `kqlsmith-lint` (each includes this file
//! with `#[path]` and installs [`Counting`] as its global allocator).

#![allow(dead_code)] // Each test or benchmark uses what it needs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Counts the bytes in use and their peak since the last [`peak_of`].
pub struct Counting;

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

/// The heap in use at the peak of `work`, above what was in use before it, and what it
/// returns with the heap that value holds. Other threads' allocations count too: measure
/// from one thread at a time.
pub fn peak_of<T>(work: impl FnOnce() -> T) -> (usize, T, usize) {
    let before = IN_USE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let value = work();
    let held = IN_USE.load(Relaxed) - before;
    (PEAK.load(Relaxed) - before, value, held)
}

/// The shapes of big files met in practice, each `bytes` long or a little more: a pipeline
/// of `where` stages, an IOC list in one `in (...)`, an `or` chain. (`tests/memory/run`
/// writes the same shapes for the commands.)
pub fn big_inputs(bytes: usize) -> Vec<(&'static str, String)> {
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
