//! Memory of parsing and linting big inputs: for each generated input, its size, the heap
//! `check` used at its peak (what `kqlsmith parse` does), the heap the parser used at its
//! peak and the heap the finished syntax tree holds (what `parse` returns to a library
//! user), the heap the linter used at its peak (parse, lowering, binding, rules), and the
//! heap the formatter used at its peak, each per byte of input.
//!
//! `cargo bench -p kqlsmith-lint --bench memory [-- MEGABYTES]` (default 18 MB an input).
//! Peak RSS of the commands on the same inputs: `tests/memory/run`.

use kqlsmith_lint::{Config, Linter, Platform};

#[path = "../../../tests/support/memory.rs"]
mod memory;

use memory::{Counting, big_inputs, peak_of};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let megabytes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(18);
    let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    println!(
        "| input | size | peak heap, check | peak heap, parse | heap of the tree | peak heap, lint | peak heap, fmt |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, text) in big_inputs(megabytes << 20) {
        let (check_peak, checked, _) = peak_of(|| kqlsmith_syntax::check(&text));
        assert_eq!(checked, Ok(()), "{name} parses");
        let (parse_peak, script, tree) =
            peak_of(|| kqlsmith_syntax::parse(&text).expect("the input parses"));
        drop(script);
        let (lint_peak, diagnostics, _) = peak_of(|| linter.lint(&text));
        assert!(
            diagnostics.iter().all(|d| d.code != "KQL001"),
            "{name} lints without a syntax error"
        );
        drop(diagnostics);
        let options = kqlsmith_syntax::format::FormatOptions::default();
        let (fmt_peak, formatted, _) = peak_of(|| kqlsmith_syntax::format::format(&text, &options));
        assert!(formatted.is_ok(), "{name} formats");
        drop(formatted);
        let size = text.len() as f64;
        let mb = |bytes: usize| bytes as f64 / 1e6;
        let per_byte = |bytes: usize| bytes as f64 / size;
        println!(
            "| {name} | {:.1} MB | {:.1} MB ({:.1} x) | {:.1} MB ({:.1} x) | {:.1} MB ({:.2} bytes a byte) | {:.1} MB ({:.1} x) | {:.1} MB ({:.1} x) |",
            size / 1e6,
            mb(check_peak),
            per_byte(check_peak),
            mb(parse_peak),
            per_byte(parse_peak),
            mb(tree),
            per_byte(tree),
            mb(lint_peak),
            per_byte(lint_peak),
            mb(fmt_peak),
            per_byte(fmt_peak),
        );
    }
}
