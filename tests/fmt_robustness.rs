//! Any text given to the formatter ends in formatted text or a syntax error: never a panic,
//! never an internal error; formatted text keeps the query and its comments (the formatter
//! checks that itself) and is stable under formatting again. Queries are built from real
//! statements and stages with a comment, a line break or a blank line between any two tokens.

use kqlsmith::syntax::format::{FormatError, FormatOptions, format};
use proptest::prelude::*;

/// Statements and stages, as tokens.
const STATEMENTS: &[&[&str]] = &[
    &["let", "w", "=", "7d", ";"],
    &[
        "let", "f", "=", "(", "n", ":", "int", ")", "{", "T", "|", "take", "n", "}", ";",
    ],
    &[
        "let",
        "R",
        "=",
        "DeviceEvents",
        "|",
        "where",
        "Timestamp",
        ">",
        "ago",
        "(",
        "w",
        ")",
        ";",
    ],
];
const STAGES: &[&[&str]] = &[
    &[
        "|", "where", "a", "==", "1", "and", "b", "!=", "'x'", "or", "c", "in~", "(", "\"p\"", ",",
        "\"q\"", ")",
    ],
    &[
        "|", "project", "A", ",", "B", "=", "tolower", "(", "C", ")", ",", "D",
    ],
    &[
        "|", "extend", "X", "=", "iff", "(", "a", ">", "1", ",", "dynamic", "(", "[", "1", ",",
        "2", "]", ")", ",", "1", ")",
    ],
    &[
        "|",
        "summarize",
        "N",
        "=",
        "count",
        "(",
        ")",
        ",",
        "arg_max",
        "(",
        "Timestamp",
        ",",
        "*",
        ")",
        "by",
        "A",
        ",",
        "bin",
        "(",
        "T",
        ",",
        "1h",
        ")",
    ],
    &[
        "|", "join", "kind", "=", "inner", "(", "U", "|", "where", "x", ">", "1", "|", "project",
        "Id", ")", "on", "$left", ".", "Id", "==", "$right", ".", "Id",
    ],
    &[
        "|",
        "mv-expand",
        "x",
        "=",
        "arr",
        "to",
        "typeof",
        "(",
        "string",
        ")",
    ],
    &["|", "sort", "by", "A", "desc", ",", "B", "asc"],
    &["|", "union", "(", "V", "|", "take", "1", ")", ",", "W"],
    &[
        "|", "where", "x", "in", "(", "(", "U", "|", "distinct", "x", ")", ")",
    ],
    &["|", "parse", "s", "with", "*", "\"a\"", "v", ":", "string"],
    &["|", "take", "10"],
];
const SEPARATORS: &[&str] = &[
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    " // note\n",
    "\n// own line\n",
    "\t",
];

fn query() -> impl Strategy<Value = String> {
    let statements = prop::collection::vec(prop::sample::select(STATEMENTS), 0..3);
    let stages = prop::collection::vec(prop::sample::select(STAGES), 0..6);
    let separators = prop::collection::vec(prop::sample::select(SEPARATORS), 200);
    (statements, stages, separators).prop_map(|(statements, stages, separators)| {
        let mut tokens: Vec<&str> = statements.concat();
        tokens.push("DeviceEvents");
        tokens.extend(stages.concat());
        let mut text = String::new();
        for (i, token) in tokens.iter().enumerate() {
            text.push_str(token);
            text.push_str(separators[i % separators.len()]);
        }
        text
    })
}

fn check(source: &str, options: &FormatOptions) -> bool {
    match format(source, options) {
        Ok(once) => {
            let twice = format(&once, options).expect("formatted text formats again");
            assert_eq!(once, twice, "not idempotent for {source:?}");
            true
        }
        Err(FormatError::Syntax(_)) => false,
        Err(internal) => panic!("{internal} for {source:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn built_queries_format_keeping_everything(source in query(), width in 10usize..120) {
        // Separators never break a token, so every built query parses.
        prop_assert!(check(&source, &FormatOptions { line_width: width, indent: 4 }), "{source}");
    }

    #[test]
    fn any_text_formats_or_fails_cleanly(source in ".{0,200}") {
        check(&source, &FormatOptions::default());
    }
}
