//! The layout rules, one test each. Every formatted text is also formatted again, to check
//! that formatting is idempotent.

use super::{FormatError, FormatOptions, format};

fn fmt_with(source: &str, options: FormatOptions) -> String {
    let once = format(source, &options).unwrap();
    let twice = format(&once, &options).unwrap();
    assert_eq!(once, twice, "formatting again changed the text");
    once
}

fn fmt(source: &str) -> String {
    fmt_with(source, FormatOptions::default())
}

fn narrow(line_width: usize) -> FormatOptions {
    FormatOptions {
        line_width,
        ..FormatOptions::default()
    }
}

#[test]
fn every_stage_starts_a_line_and_the_text_ends_with_one_line_break() {
    assert_eq!(
        fmt("T|where a>1|take 5   \n\n\n"),
        "T\n| where a > 1\n| take 5\n"
    );
}

#[test]
fn statements_go_one_a_line_ending_with_a_semicolon() {
    assert_eq!(
        fmt("let a = 1; let b = a + 1; T | where x == b;"),
        "let a = 1;\nlet b = a + 1;\nT\n| where x == b\n"
    );
}

#[test]
fn operators_and_commas_get_single_spaces() {
    assert_eq!(
        fmt("T | extend x=a+b*2,y=f( a,b ) | where x>=1  and y!~\"z\""),
        "T\n| extend x = a + b * 2, y = f(a, b)\n| where x >= 1 and y !~ \"z\"\n"
    );
}

#[test]
fn operator_parameters_are_written_name_equals_value() {
    assert_eq!(
        fmt("T | join kind = inner ( U ) on Id"),
        "T\n| join kind=inner (U) on Id\n"
    );
}

#[test]
fn keywords_take_their_canonical_spelling_and_the_rest_stays_as_written() {
    assert_eq!(
        fmt("T | mvexpand x | where A <> 'b' and C == True"),
        "T\n| mv-expand x\n| where A <> 'b' and C == True\n"
    );
}

#[test]
fn a_list_that_does_not_fit_goes_one_item_a_line_one_level_deeper() {
    let source = "T | project Alpha, Beta, Gamma, Delta";
    assert_eq!(
        fmt_with(source, narrow(40)),
        "T\n| project Alpha, Beta, Gamma, Delta\n"
    );
    assert_eq!(
        fmt_with(source, narrow(30)),
        "T\n| project\n    Alpha,\n    Beta,\n    Gamma,\n    Delta\n"
    );
    let two = FormatOptions {
        line_width: 30,
        indent: 2,
    };
    assert_eq!(
        fmt_with(source, two),
        "T\n| project\n  Alpha,\n  Beta,\n  Gamma,\n  Delta\n"
    );
}

#[test]
fn a_long_summarize_puts_each_aggregate_and_then_by_on_lines_of_their_own() {
    let source = "T | summarize Count = count(), First = min(Timestamp), Last = max(Timestamp) by DeviceName, AccountName";
    assert_eq!(
        fmt_with(source, narrow(60)),
        "T\n| summarize\n    Count = count(),\n    First = min(Timestamp),\n    Last = max(Timestamp)\n    by DeviceName, AccountName\n"
    );
}

#[test]
fn a_long_and_chain_breaks_before_each_and() {
    assert_eq!(
        fmt_with(
            "T | where Alpha == 1 and Beta == 2 and Gamma == 3",
            narrow(30)
        ),
        "T\n| where Alpha == 1\n    and Beta == 2\n    and Gamma == 3\n"
    );
}

#[test]
fn a_long_in_list_goes_one_value_a_line() {
    assert_eq!(
        fmt_with(
            "T | where F in~ (\"a.exe\", \"b.exe\", \"c.exe\")",
            narrow(30)
        ),
        "T\n| where F in~ (\n    \"a.exe\",\n    \"b.exe\",\n    \"c.exe\"\n)\n"
    );
}

#[test]
fn a_parenthesised_query_is_a_block() {
    assert_eq!(
        fmt("T | join kind=inner (U | where x > 1) on Id"),
        "T\n| join kind=inner (\n    U\n    | where x > 1\n) on Id\n"
    );
}

#[test]
fn the_stages_of_a_let_are_indented() {
    assert_eq!(
        fmt("let Recent = T | where Timestamp > ago(1d); Recent | count"),
        "let Recent = T\n    | where Timestamp > ago(1d);\nRecent\n| count\n"
    );
}

#[test]
fn a_function_body_is_indented_between_braces() {
    assert_eq!(
        fmt("let f = (n:int) { let m = n * 2; T | take m }; f(3)"),
        "let f = (n:int) {\n    let m = n * 2;\n    T\n    | take m\n};\nf(3)\n"
    );
}

#[test]
fn an_own_line_comment_stays_before_what_it_preceded() {
    assert_eq!(
        fmt("T\n   // why we filter\n| where a == 1\n| project a,\n  // the second column\n  b"),
        "T\n// why we filter\n| where a == 1\n| project\n    a,\n    // the second column\n    b\n"
    );
}

#[test]
fn a_trailing_comment_stays_at_the_end_of_its_line() {
    assert_eq!(
        fmt("let w = 1d;  // window\nT // table\n| where x == 1 and // first\n y == 2"),
        "let w = 1d; // window\nT // table\n| where x == 1 // first\n    and y == 2\n"
    );
}

#[test]
fn a_trailing_comment_in_a_list_breaks_the_list() {
    assert_eq!(
        fmt("T | project a, // first\n b"),
        "T\n| project\n    a, // first\n    b\n"
    );
}

#[test]
fn blank_lines_between_statements_and_stages_are_kept_one_at_most() {
    assert_eq!(
        fmt("\n\n// head\n\n\nlet a = 1;\n\n\n\nT\n\n| where b\n| take 1\n\n// end\n"),
        "// head\n\nlet a = 1;\n\nT\n\n| where b\n| take 1\n\n// end\n"
    );
}

#[test]
fn comments_inside_a_dynamic_literal_come_out_once_with_it() {
    let source = "print d = dynamic([1, // one\n 2])";
    let formatted = fmt(source);
    assert_eq!(formatted.matches("// one").count(), 1, "{formatted}");
    assert_eq!(formatted, "print d = dynamic([1, // one\n 2])\n");
}

#[test]
fn comments_before_a_closing_bracket_stay_inside_it() {
    assert_eq!(
        fmt("T | join (U | where x\n// last\n) on Id"),
        "T\n| join (\n    U\n    | where x\n    // last\n) on Id\n"
    );
    assert_eq!(
        fmt("print f(a, b // end\n)"),
        "print f(\n    a,\n    b // end\n)\n"
    );
}

#[test]
fn text_with_only_comments_or_nothing_formats() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("  \n\n"), "");
    assert_eq!(fmt("// a\n\n\n// b"), "// a\n\n// b\n");
}

#[test]
fn windows_line_breaks_become_unix_ones() {
    assert_eq!(
        fmt("T // c\r\n| where a == 1\r\n"),
        "T // c\n| where a == 1\n"
    );
}

#[test]
fn a_syntax_error_is_returned_and_nothing_is_formatted() {
    let error = format("T | where", &FormatOptions::default()).unwrap_err();
    let FormatError::Syntax(error) = error else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!((error.line, error.column), (1, 10));
}

#[test]
fn deep_nesting_formats_without_overflowing() {
    let depth = 60;
    let source = format!("print {}1{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(fmt(&source), format!("{source}\n"));
    let chain = (0..300).map(|i| format!("a{i} == {i}")).collect::<Vec<_>>();
    let formatted = fmt(&format!("T | where {}", chain.join(" and ")));
    assert_eq!(formatted.lines().count(), 301);
    // A sum as deep as the parser allows: one long line, as it cannot break.
    let sum = (0..990)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    assert_eq!(
        fmt(&format!("print x = {sum}")),
        format!("print x = {sum}\n")
    );
}

#[test]
fn absurd_options_are_capped_not_obeyed() {
    let options = FormatOptions {
        line_width: usize::MAX,
        indent: usize::MAX,
    };
    let formatted = fmt_with("let a = T | where x == 1; a", options);
    assert_eq!(
        formatted,
        format!("let a = T\n{}| where x == 1;\na\n", " ".repeat(16))
    );
}

#[test]
fn a_comment_after_a_join_side_stays_on_the_line_that_ends_with_on() {
    assert_eq!(
        fmt("T | join kind=inner U // right side\non Id"),
        "T\n| join kind=inner U on Id // right side\n"
    );
    // After a block, the comment stays with the block's last line.
    assert_eq!(
        fmt("T | join (U | take 1) // right side\non Id"),
        "T\n| join (\n    U\n    | take 1 // right side\n) on Id\n"
    );
}

#[test]
fn comments_that_compete_for_one_line_get_lines_of_their_own() {
    // Both comments would end the line `) on ...`: the second goes below it.
    assert_eq!(
        fmt("T | join (U | take 1\n) // a\non $left.Id == $right.Id // b\n"),
        "T\n| join (\n    U\n    | take 1\n) on $left.Id == $right.Id // a\n// b\n"
    );
    // A comment inside a construct printed in one piece comes out after it, on its own line.
    assert_eq!(
        fmt("T | join (U | take 1) on $left . // inside\nId == $right.Id"),
        "T\n| join (\n    U\n    | take 1\n) on $left.Id == $right.Id\n// inside\n"
    );
}

/// Found by fuzzing: a call named like a literal keyword was laid out as `int(+3)`, which
/// reads back as a literal. Such a call is written with the name in brackets (a type keyword
/// before a `(` that opens no literal is an error, as for Microsoft's parser).
#[test]
fn a_call_named_like_a_literal_keyword_stays_a_call() {
    assert_eq!(fmt("print ['int'] (+ 3)"), "print ['int'](+3)\n");
    assert!(format("print int // c\n(+ 3)", &FormatOptions::default()).is_err());
    // A literal with spaces around its sign stays a literal, as written.
    assert_eq!(fmt("print int(  + 3)"), "print int(  + 3)\n");
}

/// Found by fuzzing: a comment ending in spaces and carriage returns lost its blanks over two
/// runs, not one.
#[test]
fn a_comment_loses_its_trailing_blanks_in_one_run() {
    assert_eq!(fmt("n//\r \r\n"), "n //\n");
    assert_eq!(fmt("T // c \t\r\n| take 1"), "T // c\n| take 1\n");
}

/// Found by fuzzing: a member of a number was laid out as `0.r`, which reads as a number.
#[test]
fn a_member_of_a_number_keeps_a_space_before_its_dot() {
    assert_eq!(fmt("print 0[0[0\n.r]]"), "print 0[0[0 .r]]\n");
}

/// A lone `\r` ends a line (and a comment) as `\n` does: a comment after one keeps its own
/// line, a blank line of them is kept, and a comment a line and paragraph separator ends
/// loses only the separator.
#[test]
fn a_lone_carriage_return_is_a_line_break() {
    assert_eq!(
        fmt("print 1\r\r\r// c\r| take 1 // d\r"),
        "print 1\n\n// c\n| take 1 // d\n"
    );
    assert_eq!(
        fmt("print 1 // a\u{2028}| take 1"),
        "print 1 // a\n| take 1\n"
    );
}
