//! No input makes the parser panic or overflow the stack: truncated and mutated corpus
//! files, deep nesting, long operator chains, random bytes.

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

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
