//! No input makes the parser panic or overflow the stack: truncated and mutated corpus
//! files, deep nesting, long operator chains, random bytes.

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

use kqlsmith_syntax::ast::*;
use kqlsmith_syntax::format::{FormatOptions, format};
use kqlsmith_syntax::visit::{Visitor, walk_expr};
use proptest::prelude::*;

/// Parses on a thread with a small stack (2 MiB, the default for spawned threads), so a
/// recursion that is only bounded by a big main-thread stack still fails here.
fn parse_on_small_stack(text: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || match kqlsmith_syntax::parse(&text) {
            Ok(script) => {
                // Printing, comparing and dropping the tree recurse over it too.
                let printed = script.to_string();
                let again = kqlsmith_syntax::parse(&printed)
                    .map_err(|e| format!("printed text does not parse: {e}"))?;
                if again != script {
                    return Err(format!("reparsed tree differs:\n{printed}"));
                }
                Ok(())
            }
            Err(error) => {
                assert!(
                    error.span.start <= text.len() && error.span.end <= text.len(),
                    "span outside the input: {error:?}"
                );
                assert!(error.line >= 1 && error.column >= 1);
                assert!(!error.message.is_empty());
                Ok(())
            }
        })
        .expect("thread starts")
        .join()
        .map_err(|_| "the parser panicked".to_string())?
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (name, text) in [
        (
            "parens",
            format!("print {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        ),
        ("unclosed parens", "(".repeat(100_000)),
        ("brackets", format!("print x{}", "[0".repeat(100_000))),
        (
            "dynamic",
            format!(
                "print dynamic({}{})",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        ("signs", format!("print {}1", "-".repeat(100_000))),
        (
            "calls",
            format!("print {}1{}", "f(".repeat(100_000), ")".repeat(100_000)),
        ),
    ] {
        let result = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || kqlsmith_syntax::parse(&text).map(|_| ()))
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("{name}: panicked"));
        let error = result.expect_err(name);
        assert!(
            error.message.contains("nesting deeper"),
            "{name}: {}",
            error.message
        );
    }
}

/// Runs `work` on a thread with a 256 KiB stack: a walk that recurses once a link of a
/// 100,000-link chain overflows it many times over.
fn on_tiny_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(work)
        .expect("thread starts")
        .join()
        .expect("no panic, no overflow")
}

/// Counts the expressions a visitor is shown.
struct Count(usize);

impl Visitor for Count {
    fn visit_expr(&mut self, expr: &Expr) {
        self.0 += 1;
        walk_expr(self, expr);
    }
}

#[test]
fn flat_chains_of_any_length_parse_and_walk_without_recursion() {
    // Microsoft's parser accepts these (a `where` with 2,000 `or` terms, a sum of 5,000
    // terms) and longer; a chain is flat, only brackets and signs nest.
    for (op, links) in [
        ("or", 2_000),
        ("+", 5_000),
        ("or", 100_000),
        ("and", 100_000),
        ("+", 100_000),
        ("-", 100_000),
        ("*", 100_000),
        ("%", 100_000),
    ] {
        let text = format!("T\n| where a{}", format!(" {op} a").repeat(links));
        on_tiny_stack(move || {
            let script =
                kqlsmith_syntax::parse(&text).unwrap_or_else(|e| panic!("{op} x {links}: {e}"));
            let Statement::Query(query) = &script.statements[0] else {
                panic!("{op}: not a query");
            };
            let Operator::Where { predicate, .. } = &query.stages[0].operator else {
                panic!("{op}: not a where");
            };
            let Expr::Binary(chain) = predicate else {
                panic!("{op}: not an operator");
            };
            assert_eq!(chain.chain().1.len(), links, "{op}: links");
            // Visiting shows the source `T`, the predicate and each of its operands once.
            let mut count = Count(0);
            count.visit_script(&script);
            assert_eq!(count.0, 1 + 1 + (links + 1), "{op}: visited");
            // Printing, cloning, comparing and dropping.
            let printed = script.to_string();
            assert!(printed == text, "{op}: printed differently");
            let copy = script.clone();
            assert_eq!(copy, script);
            let formatted = format(&text, &FormatOptions::default())
                .unwrap_or_else(|e| panic!("{op}: format: {e}"));
            assert!(
                formatted.starts_with("T\n| where a"),
                "{op}: {formatted:.40}"
            );
            let other = kqlsmith_syntax::parse(&text.replacen(" a", " b", 1)).unwrap();
            assert_ne!(other, script, "{op}: a changed operand is seen");
            drop((script, copy, other));
        });
    }
}

#[test]
fn real_nesting_and_chained_comparisons_stay_refused() {
    // `a == a == a` is not KQL (comparisons do not chain); a member chain nests.
    for (op, expected) in [("==", "comparisons do not chain"), (".", "nested deeper")] {
        let text = format!("print x = a {}", format!("{op} a ").repeat(100_000));
        let text = text.replace(". a", ".a");
        let error = on_tiny_stack(move || kqlsmith_syntax::parse(&text).map(|_| ())).expect_err(op);
        assert!(error.message.contains(expected), "{op}: {}", error.message);
    }
    // Brackets keep the pre-scan's bound.
    let text = format!("print x = {}a{}", "(".repeat(2_000), ")".repeat(2_000));
    let error = on_tiny_stack(move || kqlsmith_syntax::parse(&text).map(|_| ())).expect_err("(");
    assert!(
        error.message.contains("nesting deeper"),
        "{}",
        error.message
    );
}

#[test]
fn long_flat_chains_parse_or_fail_cleanly() {
    // Long chains are flat in the grammar but deep in the tree.
    for op in ["+", "or", "and", "==", "."] {
        let text = format!("print x = a {}", format!("{op} a ").repeat(100_000));
        let text = text.replace(". a", ".a");
        parse_on_small_stack(text).unwrap_or_else(|e| panic!("{op}: {e}"));
    }
    // A chain within the depth limit round-trips.
    parse_on_small_stack(format!("print x = a {}", "+ a ".repeat(500))).unwrap();
    // Many stages and statements are flat.
    parse_on_small_stack(format!("T {}", "| where x > 1 ".repeat(20_000))).unwrap();
    parse_on_small_stack("let a = 1;\n".repeat(20_000) + "print a").unwrap();
}

#[test]
fn truncations_and_mutations_of_the_corpus_never_panic() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    let mut inputs = 0;
    // Every 7th file keeps the test quick in the dev profile; the fuzz target covers the rest.
    for entry in entries.iter().step_by(7) {
        let text = &entry.text;
        let cuts: Vec<usize> = (0..text.len())
            .step_by((text.len() / 24).max(1))
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for &cut in &cuts {
            parse_on_small_stack(text[..cut].to_string())
                .unwrap_or_else(|e| panic!("{} cut at {cut}: {e}", entry.file));
            inputs += 1;
        }
        let mut bytes = text.clone().into_bytes();
        for (n, &at) in cuts.iter().enumerate() {
            const REPLACEMENTS: &[u8] = b"()[]{}|'\"`;,.=!~-*/\\@$h\n ";
            let replacement = REPLACEMENTS[n % REPLACEMENTS.len()];
            if at < bytes.len() {
                bytes[at] = replacement;
            }
            let mutated = String::from_utf8_lossy(&bytes).into_owned();
            parse_on_small_stack(mutated)
                .unwrap_or_else(|e| panic!("{} mutated at {at}: {e}", entry.file));
            inputs += 1;
        }
    }
    println!("parsed {inputs} truncated or mutated inputs");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        prop_assert!(parse_on_small_stack(text).is_ok());
    }

    #[test]
    fn random_kql_tokens_never_panic(tokens in proptest::collection::vec(prop_oneof![
        Just("T"), Just("|"), Just("where"), Just("extend"), Just("summarize"), Just("by"), Just("join"),
        Just("("), Just(")"), Just("["), Just("]"), Just("{"), Just("}"), Just(","), Just(";"), Just("="),
        Just("=="), Just("'s'"), Just("\"d\""), Just("1d"), Just("42"), Just("let"), Just("x"), Just("on"),
        Just("$left.a"), Just("in"), Just("has"), Just("and"), Just("not"), Just("dynamic"), Just("datetime"),
        Just("//c\n"), Just("-"), Just("*"), Just("."), Just("between"), Just(".."), Just("kind=inner"),
    ], 0..60)) {
        prop_assert!(parse_on_small_stack(tokens.join(" ")).is_ok());
    }
}

#[test]
fn unclosed_nested_subqueries_fail_in_linear_time() {
    // Each level once offered two ways to parse the same text (a parenthesised query, a
    // function body's last statement); unclosed, that doubled the work a level.
    for opener in [
        "; let f = (a:string) { T | where x == a ",
        "| where x in (search in (U, ",
        "| where x in (union (U, ",
        "| where x in (datatable(a:string) [f(",
        "| join kind=inner (U ",
        "| union (U ",
        "| where x in (U ",
        "| lookup (U ",
        "| extend y = f(dynamic([",
    ] {
        let text = format!("T {}", opener.repeat(40));
        let started = std::time::Instant::now();
        assert!(kqlsmith_syntax::parse(&text).is_err(), "{opener}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{opener}: took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_list_inside_a_list_fails_in_linear_time() {
    // An operator's comma list inside a call's arguments (or an `in` list): when an item
    // after a comma failed, the inner list gave the comma back and the outer list parsed the
    // same text again, doubling the work a level. Found by the fuzzer: 770 bytes took 7 s.
    for opener in [
        "f(T | project p, (",
        "f(T | summarize c = count() by p, (",
        "f(T | order by p, (",
        "f(T | mv-expand p, (",
        "f(T | join (U) on p, (",
        "f(print p, (",
        "f(print(p), (",
        "x in (T | extend p, (",
        "f(union T, (",
    ] {
        // 30 levels stay under the bracket limit (64), so the grammar itself is exercised.
        for text in [
            format!("print {}", opener.repeat(30)),
            format!("print {}@{}", opener.repeat(30), "))".repeat(30)),
        ] {
            let started = std::time::Instant::now();
            assert!(kqlsmith_syntax::parse(&text).is_err(), "{opener}");
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "{opener}: took {:?}",
                started.elapsed()
            );
        }
    }
}
