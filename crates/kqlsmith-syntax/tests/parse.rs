//! The tree the parser builds for the published hunt and for each construct linters read.

use kqlsmith_syntax::ast::*;
use kqlsmith_syntax::parse;

fn query(source: &str) -> TabularExpr {
    let script = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    match script.statements.into_iter().last() {
        Some(Statement::Query(q)) => q,
        other => panic!("expected a query, got {other:?}"),
    }
}

fn round_trip(source: &str) {
    let script = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let printed = script.to_string();
    let again =
        parse(&printed).unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{printed}"));
    assert_eq!(again, script, "printed:\n{printed}");
}

#[test]
fn parses_the_published_hunt_in_both_dialects() {
    for dialect in ["defender", "sentinel"] {
        let path = format!(
            "{}/../../../shared/seed/internal-connections.{dialect}.kql",
            env!("CARGO_MANIFEST_DIR")
        );
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("SKIPPED: no seed hunt at {path}");
            return;
        };
        let script = parse(&text).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        assert_eq!(script.statements.len(), 4);
        let Statement::Let(first) = &script.statements[0] else {
            panic!("first statement is a let")
        };
        assert_eq!(first.name.name, "CompromisedDevice");
        assert!(
            matches!(&first.value, LetValue::Expr(Expr::Literal(l)) if l.as_str() == Some("compromiseddevice"))
        );
        let Statement::Query(q) = &script.statements[3] else {
            panic!("last statement is the query")
        };
        let keywords: Vec<_> = q.stages.iter().map(|s| s.operator.keyword()).collect();
        assert_eq!(
            keywords,
            [
                "where",
                "where",
                "where",
                "where",
                "extend",
                "where",
                "where",
                "summarize",
                "project",
                "join",
                "where",
                "project"
            ]
        );
        let Operator::Join(join) = &q.stages[9].operator else {
            panic!("stage 10 is the join")
        };
        assert_eq!(join.kind_name(), Some("inner"));
        assert!(join.right.parenthesized);
        assert_eq!(join.right.query.stages.len(), 4);
        let Expr::Binary(on) = &join.on[0] else {
            panic!("join condition is a comparison")
        };
        assert_eq!(on.op.kind, BinaryOpKind::Eq);
        assert!(
            matches!(&on.left, Expr::Member(m) if m.object.as_name().is_some_and(Ident::is_join_side) && m.member.name == "RemoteIP")
        );
        // `<>` keeps its spelling and means `!=`.
        let Operator::Where {
            predicate: Expr::Binary(ne),
            ..
        } = &q.stages[3].operator
        else {
            panic!("stage 4 compares")
        };
        assert_eq!((ne.op.kind, &*ne.op.text), (BinaryOpKind::NotEq, "<>"));
        assert!(
            script
                .comments
                .iter()
                .any(|c| c.text == "//Customizable h = hours, d = days")
        );
        assert_eq!(parse(&script.to_string()).unwrap(), script);
    }
}

#[test]
fn spans_locate_nodes_in_the_source() {
    let source = "T\n| where Name has 'x'";
    let q = query(source);
    let stage = &q.stages[0];
    assert_eq!(
        &source[stage.span.start..stage.span.end],
        "| where Name has 'x'"
    );
    let Operator::Where {
        predicate: Expr::Binary(b),
        ..
    } = &stage.operator
    else {
        panic!()
    };
    assert_eq!(&source[b.op.span.start..b.op.span.end], "has");
    assert_eq!(&source[b.right.span().start..b.right.span().end], "'x'");
}

#[test]
fn precedence_follows_kql() {
    let q = query("T | where a == 1 or b + 2 * 3 > 4 and c in (1, 2)");
    let Operator::Where {
        predicate: Expr::Binary(or),
        ..
    } = &q.stages[0].operator
    else {
        panic!()
    };
    assert_eq!(or.op.kind, BinaryOpKind::Or);
    let Expr::Binary(and) = &or.right else {
        panic!("and binds tighter than or")
    };
    assert_eq!(and.op.kind, BinaryOpKind::And);
    assert!(matches!(&and.right, Expr::In(i) if i.op == InOp::In && i.list.len() == 2));
    let Expr::Binary(gt) = &and.left else {
        panic!()
    };
    let Expr::Binary(plus) = &gt.left else {
        panic!("+ binds tighter than >")
    };
    assert_eq!(plus.op.kind, BinaryOpKind::Add);
    assert!(matches!(&plus.right, Expr::Binary(m) if m.op.kind == BinaryOpKind::Mul));
}

/// Microsoft's parser rejects every one of these ("The incomplete fragment is unexpected"):
/// after a comparison, `in (...)` or `between (...)`, only `and` and `or` may follow.
#[test]
fn comparisons_do_not_chain() {
    for source in [
        "print 1 == 1 == true",
        "print 1 == 1 in (1)",
        "print 1 in (1) == true",
        "print 1 !in (1) + 2",
        "print 1 in (1) * 2",
        "print 1 between (1 .. 2) == true",
        "print 1 in (1) in (true)",
        "print 1 in (1)[0]",
        "print 'a' has_any ('a') == true",
    ] {
        let error = parse(source).expect_err(source);
        assert!(
            error.message.contains("comparisons do not chain"),
            "{source}: {}",
            error.message
        );
    }
    // Brackets, `and`/`or` and arithmetic under a comparison are fine, and print back.
    for source in [
        "print (1 in (1)) + 2",
        "print (1 == 1) == true",
        "print 1 in (1) and 2 in (2) or 3 between (1 .. 4)",
        "print 1 + 1 in (2)",
        "print -1 in (1)",
        "print x = 1 < 2 + 3",
    ] {
        round_trip(source);
    }
}

/// `union` and `search in` take tables: names, calls, bracketed queries and wildcards, as
/// Microsoft's parser does; an operator there is an error, not a comparison that would print
/// back as an operator parameter (`union hint. x = 5` printed `union hint.x = 5`).
#[test]
fn union_operands_are_tables_not_expressions() {
    for source in [
        "union\nhint. x = 5",
        "let hint = dynamic({});\nunion hint.x == 5",
        "union isFuzzy = true (print a = 2)",
        "union T, U + 1",
    ] {
        assert!(parse(source).is_err(), "{source}");
    }
    for source in [
        "union database(\"db\").T, (print a = 1), Dev*, T[0]",
        "union isfuzzy=true T, f(1)",
        "union withsource=Table kind=outer (T | where x > 1), U",
    ] {
        round_trip(source);
    }
}

/// `int(  + 3)` is a literal for Microsoft's parser: spaces may stand around the sign.
#[test]
fn a_typed_literal_may_have_spaces_around_its_sign() {
    for source in ["print int(  + 3)", "print long( - 4 )"] {
        let script = parse(source).unwrap();
        let printed = script.to_string();
        assert!(
            !printed.contains("['"),
            "{source} read as a call: {printed}"
        );
        round_trip(source);
    }
}

#[test]
fn literals_keep_value_and_spelling() {
    let q = query(
        r#"print a = "x\"y", b = @'c:\d', c = h'hidden', d = 1.5h, e = 0x10, f = datetime(2024-01-02), g = dynamic([1, "a"]), h = int(null), i = true, j = 10ms"#,
    );
    let Source::Operator(op) = &q.source else {
        panic!()
    };
    let Operator::Print { columns } = op.as_ref() else {
        panic!()
    };
    let values: Vec<&LiteralValue> = columns
        .iter()
        .map(|c| match &c.expr {
            Expr::Literal(l) => &l.value,
            e => panic!("{e:?}"),
        })
        .collect();
    assert_eq!(values[0], &LiteralValue::String("x\"y".into()));
    assert_eq!(values[1], &LiteralValue::String("c:\\d".into()));
    assert_eq!(values[2], &LiteralValue::String("hidden".into()));
    assert_eq!(values[3], &LiteralValue::Timespan(Some(54_000_000_000)));
    assert_eq!(values[4], &LiteralValue::Long(16));
    assert_eq!(values[5], &LiteralValue::Datetime("2024-01-02".into()));
    assert_eq!(values[6], &LiteralValue::Dynamic("[1, \"a\"]".into()));
    assert_eq!(
        values[7],
        &LiteralValue::Typed {
            type_name: "int".into(),
            body: "null".into()
        }
    );
    assert_eq!(values[8], &LiteralValue::Bool(true));
    assert_eq!(values[9], &LiteralValue::Timespan(Some(100_000)));
    let Expr::Literal(first) = &columns[0].expr else {
        panic!()
    };
    assert_eq!(&*first.raw, r#""x\"y""#);
}

#[test]
fn operators_have_structured_fields() {
    let q = query(
        "T | summarize Count = count(), make_set(A) by bin(Timestamp, 1h), B \
         | project-away Tmp*, X | project-rename New = Old | top 5 by Count desc nulls last \
         | mv-expand Items to typeof(string) limit 10 | parse Line with * 'user=' User:string ' ' * \
         | sort by A asc, B | take 3",
    );
    let ops: Vec<&Operator> = q.stages.iter().map(|s| &s.operator).collect();
    let Operator::Summarize { aggregates, by, .. } = ops[0] else {
        panic!()
    };
    assert_eq!(aggregates[0].name().map(|n| n.name.as_str()), Some("Count"));
    assert!(aggregates[1].name().is_none());
    assert!(matches!(&by[0].expr, Expr::Call(c) if c.name.name == "bin" && c.args.len() == 2));
    let Operator::ProjectAway { columns } = ops[1] else {
        panic!()
    };
    assert!(matches!(&columns[0], Expr::Wildcard(w) if w.name == "Tmp*"));
    let Operator::ProjectRename { renames } = ops[2] else {
        panic!()
    };
    assert_eq!(
        (renames[0].new.name.as_str(), renames[0].old.name.as_str()),
        ("New", "Old")
    );
    let Operator::Top { by, .. } = ops[3] else {
        panic!()
    };
    assert_eq!(
        (by.direction, by.nulls),
        (Some(SortDirection::Desc), Some(NullsPosition::Last))
    );
    let Operator::MvExpand { items, limit, .. } = ops[4] else {
        panic!()
    };
    assert_eq!(
        items[0].to_type.as_ref().map(|t| t.name.as_str()),
        Some("string")
    );
    assert!(limit.is_some());
    let Operator::Parse { pattern, .. } = ops[5] else {
        panic!()
    };
    assert_eq!(pattern.len(), 5);
    assert!(
        matches!(&pattern[2], ParsePatternItem::Column { name, type_name: Some(t), .. } if name.name == "User" && t.name == "string")
    );
    let Operator::Sort { keys, .. } = ops[6] else {
        panic!()
    };
    assert_eq!(keys.len(), 2);
    assert!(matches!(
        ops[7],
        Operator::Take {
            limit_keyword: false,
            ..
        }
    ));
}

#[test]
fn let_binds_scalars_tables_and_functions() {
    let script = parse(
        "let n = 5; let T = X | where a > n; let f = (t:(*), k:string = 'x') { t | where c == k }; \
         let m = materialize(T | take 1); f(T, 'y')",
    )
    .unwrap();
    let values: Vec<&LetValue> = script
        .statements
        .iter()
        .filter_map(|s| {
            if let Statement::Let(l) = s {
                Some(&l.value)
            } else {
                None
            }
        })
        .collect();
    assert!(matches!(values[0], LetValue::Expr(Expr::Literal(_))));
    assert!(matches!(values[1], LetValue::Tabular(t) if t.stages.len() == 1));
    let LetValue::Function(def) = values[2] else {
        panic!()
    };
    assert_eq!(def.params.len(), 2);
    assert!(matches!(
        &def.params[0].ty,
        ParamType::Tabular { open: true, .. }
    ));
    assert!(def.params[1].default.is_some());
    assert!(
        matches!(values[3], LetValue::Expr(Expr::Call(c)) if matches!(&c.args[0], Expr::Query(_)))
    );
}

#[test]
fn bracketed_names_keep_their_spelling() {
    let q = query("T | project ['a b'], [\"c\"]");
    let Operator::Project { columns } = &q.stages[0].operator else {
        panic!()
    };
    let Expr::Name(n) = &columns[0].expr else {
        panic!()
    };
    assert_eq!(
        (n.name.as_str(), n.quoted.as_deref()),
        ("a b", Some("['a b']"))
    );
    round_trip("T | project ['a b'], [\"c\"]");
}

#[test]
fn every_operator_prints_back() {
    for source in [
        "T | where x == 1 | filter y != 2",
        "T | extend a = 1, b | project a, c = b | project-keep a* | project-reorder b desc, a",
        "T | join kind=leftouter hint.strategy=broadcast (U | where z) on $left.a == $right.b, c",
        "T | lookup kind=leftouter U on k",
        "union withsource=Src isfuzzy=true T1, (T2 | take 1), Dev*",
        "T | distinct a, b | count",
        "T | top-nested 3 of A by count(), top-nested 2 of B with others = 0 by max(x) desc",
        "T | sample 10 | sample-distinct 5 of a",
        "T | mv-apply x to typeof(long) on (summarize count() | take 1)",
        "T | parse-where kind=regex flags=i Line with 'a(.*)' Rest:string",
        "T | parse-kv Text as (a:string, b:long) with (pair_delimiter=';', kv_delimiter=':')",
        "T | make-series count() default = 0 on Timestamp from ago(1d) to now() step 1h by Host",
        "T | make-series avg(x) on Timestamp in range(ago(1d), now(), 1h)",
        "T | evaluate bag_unpack(Props, columnsConflict='keep') | render timechart with (title='x', ycolumns=a, b)",
        "T | as hint.materialized=true X | serialize n = row_number() | getschema",
        "T | invoke f(1) | fork (take 1) named = (count)",
        "T | facet by a, b with (take 3) | partition by k (top 1 by t)",
        "search in (T1, T2) \"x\" | find in (T) where y has 'z' project a, b",
        "range x from 1 to 10 step 2 | where x between (2 .. 5) and x !between (7 .. 8)",
        "datatable (a:string, b:long) ['x', 1, 'y', 2] | where b in~ ('1') and a !in (T | project a)",
        "externaldata (a:string) [h@'https://example.com/x.csv'] with (format='csv', ignoreFirstRecord=true)",
        "set notruncation; let x = view () { T }; declare query_parameters(p:string = 'a'); x",
        "T | where a has_any ('x', 'y') and b has_all (z) and c matches regex '^a' and d !contains_cs 'q'",
        "T | extend d = Props.a.b, e = Props['k'][0], f = -x + +y, g = tolower(['odd name'])",
        "T | scan with_match_id=id declare (s:string = '') with (step a: x > 1 => s = 'a'; step b output=none: x < 1;)",
        "print x = 2abc, y = 1dd",
        "T | where x = true and Col:'term'",
        "print a = 0 .x, b = 1.5 .y, c = 0x1F .z",
        "print a = true(1), b = ['true'], c = ['f'](2), d = null",
        "print a = datetime(\"2024-01-01\"), b = timespan(1d), c = int(x + 1)",
        "print a = ['datetime'] // a comment\n(x), b = dynamic //\n([1])",
    ] {
        round_trip(source);
    }
}

#[test]
fn errors_say_where_and_what_in_words() {
    let cases = [
        (
            "T | where",
            (1, 10),
            "found end of input, expected an expression",
        ),
        (
            "T\n| where x in (1, 2",
            (2, 19),
            "found end of input, expected `)`, `,`",
        ),
        (
            "T | extend a = 'open",
            (1, 16),
            "found a string literal that is never closed, expected a closing '",
        ),
        (
            "T | where x == 1 | order x",
            (1, 26),
            "found `x`, expected a parameter such as `kind=` or `by`",
        ),
        (
            "T | wher x",
            (1, 5),
            "found `wher`, expected a query operator",
        ),
        ("| where x", (1, 1), "found `|`, expected a statement"),
        (
            "print x = 1.5q",
            (1, 11),
            "found `1.5q`, expected a number or a timespan",
        ),
        ("T\nT", (2, 1), "found `T`, expected"),
    ];
    for (source, (line, column), message) in cases {
        let error = parse(source).expect_err(source);
        assert_eq!(
            (error.line, error.column),
            (line, column),
            "{source}: {error}"
        );
        assert!(
            error.message.starts_with(message),
            "{source}: {}",
            error.message
        );
        assert!(
            !error.message.contains("kw_") && !error.message.contains("_op"),
            "rule names leak: {}",
            error.message
        );
        assert_eq!(
            error.to_string(),
            format!("{line}:{column}: {}", error.message)
        );
    }
    // A long token of multi-byte letters is shortened on a character boundary.
    let error = parse(&format!("T | {}", "۶s".repeat(30))).unwrap_err();
    assert!(error.message.starts_with("found `۶s"), "{}", error.message);
    // Columns count characters, not bytes.
    let error = parse("print 'é', ~").unwrap_err();
    assert_eq!((error.line, error.column), (1, 12));
    assert_eq!(&"print 'é', ~"[error.span.start..error.span.end], "~");
}

#[test]
fn comments_separate_tokens_but_never_split_one() {
    // Between tokens a comment is whitespace, raw text keeps it, and the script lists it.
    let script = parse("T // one\n| where x == dynamic([1, // two\n 2]) // three").unwrap();
    assert_eq!(script.comments.len(), 3);
    let q = query("T | extend d = dynamic([1, // two\n 2])");
    let Operator::Extend { columns, .. } = &q.stages[0].operator else {
        panic!("an extend")
    };
    let Expr::Literal(lit) = &columns[0].expr else {
        panic!("a literal")
    };
    assert_eq!(&*lit.raw, "dynamic([1, // two\n 2])");
    // Inside a token a comment does not stand: `matches regex` is one token with one space
    // inside, as for Microsoft's parser; `nulls first` is two words, where it may.
    for source in [
        "T | where x matches // c\n regex 'a'",
        "T | where x matches  regex 'a'",
        "T | where x matches\tregex 'a'",
    ] {
        assert!(parse(source).is_err(), "{source}");
    }
    assert!(parse("T | order by x nulls \n first").is_ok());
    assert!(parse("T | order by x nulls // c\n first").is_ok());
    // Between adjacent string literals it may: they are one string.
    assert!(parse("print x = 'a' // c\n 'b'").is_ok());
    // A control character of the text is not taken for a comment.
    for control in ['\u{e}', '\u{f}', '\u{1f}'] {
        assert!(parse(&format!("T {control}| take 1")).is_err());
        assert!(parse(&format!("print x = '{control}'")).is_ok());
    }
}

fn predicate(source: &str) -> Expr {
    match query(source).stages.into_iter().last().map(|s| s.operator) {
        Some(Operator::Where { predicate, .. }) => predicate,
        other => panic!("expected a where, got {other:?}"),
    }
}

/// Each settled with Microsoft's parser: these are errors there.
#[test]
fn rejects_what_microsofts_parser_rejects() {
    for source in [
        "T | where A /* == 1",
        "x = 3;\nT",
        "T | extend a = b = 1",
        "print a = b = 1",
        "T | where a = 1 and b = 2",
        "T | where x and a = 1",
        "T | where f(a) = 1",
        "T | join (U) on a = b",
        "datatable(a: strng) [1]",
        "datatable(a: String) [1]",
        "T | parse x with a:strng",
        "let f = (a: strng) { print a }; print 1",
        "declare query_parameters(a: uint64); print 1",
        "T | parse-kv x as (a: float)",
        "print 2 * * 3",
        "T | where *",
        "T | project *",
        "T | summarize by *",
        "T | where (*) has \"x\"",
        "T | where in ('a', 'b')",
        "T | project desc",
        "T | extend x = between",
        "print dynamic(['a',])",
        "print dynamic({\"a\": 1,})",
    ] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
}

#[test]
fn a_declared_type_must_be_a_kql_type() {
    let error = parse("datatable(a: strng) [1]").unwrap_err();
    assert_eq!((error.line, error.column), (1, 14));
    assert!(
        error
            .message
            .starts_with("found `strng`, expected a type: bool,"),
        "{}",
        error.message
    );
    for ty in [
        "bool", "boolean", "int8", "int64", "date", "time", "uniqueid", "dynamic",
    ] {
        round_trip(&format!("datatable(a: {ty}) []"));
    }
    // `mv-expand ... to typeof(...)` is not checked by Microsoft's parser either.
    round_trip("T | mv-expand a to typeof(strng)");
}

#[test]
fn a_single_equals_compares_only_after_where_and_a_name() {
    let Expr::Binary(b) = predicate("T | where a = 1 or b") else {
        panic!("expected a comparison")
    };
    assert_eq!((b.op.kind, &*b.op.text), (BinaryOpKind::Eq, "="));
    assert_eq!(b.left.as_name().map(|n| n.name.as_str()), Some("a"));
    // The whole rest is the right side, as Microsoft's parser reads it.
    assert!(matches!(b.right.unparen(), Expr::Binary(or) if or.op.kind == BinaryOpKind::Or));
    round_trip("T | where a = 1 or b");
    round_trip("T | filter IsBillable = true | where a = b == 1");
    // A keyword may still name a declared column.
    round_trip("T | extend by = 1, ['in'] = 2 | where ['in'] == 2");
    // A call argument by name is no comparison.
    round_trip("T | summarize countif(a = 1)");
}

#[test]
fn a_multi_line_string_after_an_assignment_is_its_value() {
    for source in [
        "T | extend Banner = ~~~\nhello\n~~~",
        "T | extend Banner = ```\nhello\n```",
    ] {
        let q = query(source);
        let Operator::Extend { columns } = &q.stages[0].operator else {
            panic!("expected extend")
        };
        assert!(columns[0].target.is_some(), "{source}");
        let Expr::Literal(l) = &columns[0].expr else {
            panic!("expected a literal in {source}")
        };
        assert_eq!(l.value, LiteralValue::String("\nhello\n".into()));
        round_trip(source);
    }
}

#[test]
fn legacy_operator_spellings() {
    for (text, kind) in [
        ("notcontains", BinaryOpKind::NotContains),
        ("containscs", BinaryOpKind::ContainsCs),
        ("notcontainscs", BinaryOpKind::NotContainsCs),
        ("like", BinaryOpKind::Like),
        ("notlike", BinaryOpKind::NotLike),
        ("likecs", BinaryOpKind::LikeCs),
        ("notlikecs", BinaryOpKind::NotLikeCs),
    ] {
        let source = format!("T | where a {text} \"x\"");
        let Expr::Binary(b) = predicate(&source) else {
            panic!("{source}")
        };
        assert_eq!((b.op.kind, &*b.op.text), (kind, text));
        round_trip(&source);
    }
    for unknown in ["nothas", "notstartswith", "hascs", "notin", "notbetween"] {
        assert!(
            parse(&format!("T | where a {unknown} \"x\"")).is_err(),
            "{unknown}"
        );
    }
}

#[test]
fn canonical_operator_spellings_are_not_copied() {
    for (source, canonical) in [
        ("T | where a == 1", true),
        ("T | where a or b", true),
        ("T | where a <> 1", false),
        ("T | where a notcontains 'x'", false),
    ] {
        let Expr::Binary(b) = predicate(source) else {
            panic!("{source}")
        };
        assert_eq!(
            matches!(b.op.text, std::borrow::Cow::Borrowed(_)),
            canonical,
            "{source}"
        );
    }
}

#[test]
fn adjacent_strings_with_comments_and_line_breaks_are_one_string() {
    let source = "T | where a in (\"a\" // note\n  \"b\", @'c'\n'd')";
    let Expr::In(i) = predicate(source) else {
        panic!("expected in")
    };
    let values: Vec<_> = i
        .list
        .iter()
        .map(|e| match e {
            Expr::Literal(l) => l.value.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        values,
        [
            LiteralValue::String("ab".into()),
            LiteralValue::String("cd".into())
        ]
    );
    round_trip(source);
}

#[test]
fn star_is_an_operand_only_before_a_comparison_or_as_an_argument() {
    for source in [
        "T | where * has \"x\"",
        "T | where * == 1 and * !has \"y\"",
        "T | summarize arg_max(a, *), count(*)",
        "T | distinct *",
        "T | where f(*) == 1",
        "search * has \"x\"",
        "search *\n| take 1",
    ] {
        round_trip(source);
    }
}

#[test]
fn an_in_list_is_never_empty() {
    for source in [
        "print 1 in ()",
        "print 1 !in~ ()",
        "print 'a' has_any ()",
        "print 'a' has_all ( )",
    ] {
        assert!(parse(source).is_err(), "{source} parsed");
    }
    round_trip("print 1 in (1), 'a' has_any ('a', 'b')");
}

#[test]
fn project_away_may_name_no_column() {
    let q = query("T | project-away\n| project-reorder A");
    let Operator::ProjectAway { columns } = &q.stages[0].operator else {
        panic!("first stage is project-away")
    };
    assert!(columns.is_empty());
    assert_eq!(q.stages.len(), 2);
    round_trip("T | project-away | take 1");
    assert!(parse("T | project-keep").is_err());
}

#[test]
fn an_expression_in_square_brackets_is_an_operand() {
    // `[0].id`: a member of a bracketed expression.
    let Expr::Binary(b) = predicate("T | where [0].id == 'x'") else {
        panic!("expected a comparison")
    };
    let Expr::Member(m) = &b.left else {
        panic!("expected a member, got {:?}", b.left)
    };
    let Expr::Bracketed(inner) = &m.object else {
        panic!("expected brackets, got {:?}", m.object)
    };
    assert!(matches!(&inner.inner, Expr::Literal(l) if l.value == LiteralValue::Long(0)));
    // `['a']` alone is still a name.
    assert!(matches!(predicate("T | where ['a']"), Expr::Name(n) if n.name == "a"));
    assert!(matches!(
        predicate("T | where ['a' + 'b']"),
        Expr::Bracketed(_)
    ));
    for source in [
        "print tostring([0].id)",
        "print [0]",
        "print [a]",
        "print [0][1]",
        "print ['a' + 'b'].c",
        "print [-1], [(1)]",
        "T | project x = [1]",
        "T | where [a] == 1",
    ] {
        round_trip(source);
    }
    // The brackets hold one expression: not a query, a list or nothing.
    for source in ["print [x | take 1]", "print [a, b]", "print []"] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
}

#[test]
fn an_operand_takes_one_sign_at_most() {
    for source in ["print - -1", "print --b", "print -+1", "print 1 - - -1"] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
    for source in ["print 1 - -1", "print 1 * - b", "print -(-1)", "print -b.c"] {
        round_trip(source);
    }
}

#[test]
fn some_operators_start_a_query_with_no_input() {
    let q = query("where x == 1 | take 1");
    let Source::Operator(op) = &q.source else {
        panic!("expected an operator as the source, got {:?}", q.source)
    };
    assert!(matches!(**op, Operator::Where { .. }));
    assert_eq!(q.stages.len(), 1);
    for source in [
        "where x == 1 | take 1",
        "project a, b",
        "project",
        "project-away x",
        "project-keep a",
        "project-rename a = b",
        "project-reorder a",
        "mv-expand a",
        "mv-apply a on (take 1)",
        "as x",
        "invoke f()",
        "render table",
        "sample 5",
        "sample-distinct 5 of a",
        "make-series count() on a step 1d",
        "top-nested 5 of a by count()",
        "top-hitters 5 of a",
        "parse-where a with * b",
        "parse-kv a as (b: string)",
        "facet by a",
        "partition by a (take 1)",
        "reduce by a",
        "T; where x",
        "print toscalar(where x)",
        "T | join (where x) on a",
        "let f = () { where x }; f()",
        // Words that name a table when no operator follows.
        "render | take 1",
        "partition",
        "facet",
        "reduce",
    ] {
        round_trip(source);
    }
    for source in [
        "extend x = 1",
        "filter x",
        "take 5",
        "limit 5",
        "sort by x",
        "order by a",
        "top 5 by a",
        "distinct a",
        "summarize count() by x",
        "parse a with * 'x' b",
        "join (T) on a",
        "lookup (T) on a",
        "fork (take 1)",
        "project-smart",
        "where",
        "sample",
        "mv-expand",
    ] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
}

#[test]
fn a_query_is_an_argument_of_toscalar_totable_and_materialize_only() {
    for source in [
        "print toscalar(T | take 1)",
        "print totable(T | take 1)",
        "let x = materialize(T | take 1); x",
        "print toscalar(where x)",
        "print f((T | take 1))",
        "print f(datatable(a: int) [1])",
        "print f(externaldata(a: int) ['x'])",
        "T | where x in (toscalar(T | take 1))",
        "T | where x in (U | project a)",
    ] {
        round_trip(source);
    }
    for source in [
        "print ago(T | take 1)",
        "print f(where x)",
        "print f(print 1)",
        "print f(union T, U)",
        "print toscalar(T | take 1, 2)",
        "print ['toscalar'](T | take 1)",
        "print TOSCALAR(T | take 1)",
        "print f(datatable(a: int) [1] | take 1)",
        "print f(a = T | take 1)",
        // `kindinner (...)` is a call, not a `kind=` parameter and a table.
        "T | join kindinner (U | where a) on a",
    ] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
    let error = parse("print ago(T | take 1)").unwrap_err();
    assert_eq!((error.line, error.column), (1, 13), "{}", error.message);
    assert!(
        error
            .message
            .starts_with("found a query as an argument of `ago`"),
        "{}",
        error.message
    );
}

#[test]
fn render_knows_its_properties_and_with_takes_literals() {
    let q = query("T | render timechart with (series=a, b, title='x', ymin=-1)");
    let Operator::Render {
        with: Some(props), ..
    } = &q.stages[0].operator
    else {
        panic!("expected render with properties")
    };
    let shape: Vec<_> = props
        .iter()
        .map(|p| (p.name.name.as_str(), p.values.len()))
        .collect();
    assert_eq!(shape, [("series", 2), ("title", 1), ("ymin", 1)]);
    for source in [
        "T | render timechart with ()",
        "T | render timechart with (kind=stacked, ysplit=axes, legend=hidden)",
        "T | render timechart with (xcolumn=a, ycolumns=b, c, anomalycolumns=d)",
        "T | render timechart with (title=strcat('a'), xtitle=a.b, ymax=(1))",
        "externaldata (a: string) ['x'] with (format='csv', ignoreFirstRecord=true)",
        "T | parse-kv x as (a: string) with (pair_delimiter=',', greedy=true)",
    ] {
        round_trip(source);
    }
    for source in [
        "T | render timechart with (foo=1)",
        "T | render timechart with (Title='x')",
        "T | render timechart with (title)",
        "T | render timechart with (title=1+2)",
        "T | render timechart with (xcolumn=a, b)",
        "T | render timechart with (series=a.b)",
        "externaldata (a: string) ['x'] with (format='txt', ignoreFirstRecordTrue)",
        "externaldata (a: string) ['x'] with (format=f(1))",
        "externaldata (a: string) ['x'] with (format=1+2)",
    ] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
}

#[test]
fn small_forms_as_microsofts_parser_reads_them() {
    // `to typeof()` with no type, an empty `externaldata` URL list, timespans in a dynamic.
    let q = query("T | mv-expand a to typeof(), b to typeof(long)");
    let Operator::MvExpand { items, .. } = &q.stages[0].operator else {
        panic!("expected mv-expand")
    };
    let types: Vec<_> = items
        .iter()
        .map(|i| i.to_type.as_ref().map(|t| t.name.as_str()))
        .collect();
    assert_eq!(types, [Some(""), Some("long")]);
    for source in [
        "T | mv-expand a to typeof(), b to typeof(long)",
        "externaldata (a: string) [ ] with (format='csv')",
        "print dynamic([1d, 1.5h, 0x10, 1e3, -inf])",
        "let x = materialize(T); x",
        "T | extend ['materialize'] = 1",
    ] {
        round_trip(source);
    }
    for source in [
        "print dynamic([50055not])",
        "print dynamic({\"a\": 1not})",
        "print materialize",
        "let x = materialize : (T); x",
    ] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
}

#[test]
fn keywords_declare_no_name_unless_bracketed() {
    for source in [
        "T | extend kind = 1",
        "T | extend a = 1, withsource = 2",
        "T | summarize by isfuzzy = a",
        "T | extend (kind, b) = f(x)",
        "T | project desc = 1",
        "T | extend string = 1",
        "T | project-rename kind = a",
        "let flags = 1; print 1",
        "let f = (kind: string) { print kind }; print 1",
        "print string",
        "print x = (int)",
    ] {
        assert!(parse(source).is_err(), "accepted: {source}");
    }
    for source in [
        "T | where kind == 1",
        "T | project kind, a",
        "T | extend a = kind",
        "T | extend ['kind'] = 1, ['string'] = 2",
        "T | extend bool = 1, guid = 2, hint = 3, materialize = 4",
        "T | project-rename a = kind",
        "print int(5), datetime(2024-01-01), dynamic([1])",
        "print typeof(string), typeof( int )",
    ] {
        round_trip(source);
    }
}

#[test]
fn partition_by_takes_a_column_so_a_subquery_may_open_with_where() {
    // `by A (where ...)` is the column `A`, then the subquery: not a call of `A` whose
    // argument is a query, which left the partition without its subquery.
    for source in [
        "T | partition by A (where B == 1)",
        "T | partition by A (project B)",
        "T | partition by A.b (top 1 by C)",
        "T | partition by A[0] (top 1 by C)",
    ] {
        let q = query(source);
        let Operator::Partition { by, body, .. } = &q.stages[0].operator else {
            panic!(
                "{source}: expected partition, got {:?}",
                q.stages[0].operator
            )
        };
        assert!(!matches!(by, Expr::Call(_)), "{source}: by is {by:?}");
        assert!(
            matches!(body, PartitionBody::Stages(s) if s.len() == 1),
            "{source}: body is {body:?}"
        );
        round_trip(source);
    }
    // A call or a bracketed expression is no column, as for Microsoft's parser.
    for source in [
        "T | partition by tostring(A) (top 1 by C)",
        "T | partition by (A) (top 1 by C)",
    ] {
        assert!(parse(source).is_err(), "{source} parsed");
    }
}

#[test]
fn subqueries_of_fork_facet_mv_apply_and_partition_open_with_no_pipe() {
    for source in [
        "T | fork ( | where B == 1)",
        "T | facet by A with ( | where B == 1)",
        "T | mv-apply x = A on ( | where B == 1)",
        "T | partition by A ( | top 1 by C)",
    ] {
        assert!(parse(source).is_err(), "{source} parsed");
        let without = source.replace("( | ", "(");
        parse(&without).unwrap_or_else(|e| panic!("{without}: {e}"));
    }
}

/// Line breaks, spaces and typed literals as Microsoft's parser reads them: a `//` comment
/// ends at `\n`, at a lone `\r` and at the line and paragraph separators U+2028 and U+2029
/// (not at U+0085); a quoted string of any single-line form must close before a `\n` or a
/// `\r`; a typed literal is one token on one line. (Each case checked with Microsoft's
/// parser.)
#[test]
fn line_breaks_spaces_and_typed_literals_as_microsofts_parser_reads_them() {
    for (source, valid) in [
        ("print 1 // a\r)", false),
        ("print 1 // a\u{2028})", false),
        ("print 1 // a\u{2029})", false),
        ("print 1 // a\u{85})", true),
        ("print 1 // a\u{2028}| take 1", true),
        ("print 1\u{2028}| take 1", false),
        ("print 1\r// c\r| take 1", true),
        ("print 'a' // x\r 'b'", true),
        ("print \"a\rb\"", false),
        ("print 'a\rb'", false),
        ("print @'a\rb'", false),
        ("print @\"a\rb\"", false),
        ("print h'a\rb'", false),
        ("print 'a\u{2028}b'", true),
        // A vertical tab is no whitespace between tokens (a form feed is), but may stand in
        // strings and comments.
        ("print 1\u{b}| take 1", false),
        ("print 1\u{c}| take 1", true),
        ("print 'a\u{b}b' // c\u{b}d", true),
        // A typed literal is one token on one line: its type, at once `(`, raw text to `)`.
        ("print datetime(2024-01-01)", true),
        ("print int(x + 1), guid(x), int64(1), bool(x)", true),
        ("print datetime (2024-01-01)", false),
        ("print int (1)", false),
        ("print datetime(2024-01-01\n)", false),
        ("print timespan(\n1d)", false),
        ("print a = datetime // c\n(x)", false),
        ("print datetime(now())", false),
        ("print string(1)", false),
        ("print boolean(true)", false),
        ("print uniqueid(x)", false),
        ("print dynamic(x)", false),
        ("print bool (true)", true),
        ("print dynamic ([1, long(2), datetime(2024-01-01)])", true),
        ("print dynamic([int(1)])", false),
        // A comment after a type name in `typeof(...)`.
        ("print typeof(string // c\n)", true),
        // `0x` alone is a name; a hexadecimal number over 64 bits is still a number.
        ("let 0x = 5; print y = 0x, z = 0xg", true),
        ("print x = 0x10000000000000000", true),
        // Escapes of exact width; surrogates and codes past U+10FFFF are valid.
        ("print x = '\\x4'", false),
        ("print x = \"\\u004g\"", false),
        (
            "print x = '\\uD83D\\uDE00', y = '\\uDE00', z = '\\U00110000'",
            true,
        ),
        // A datatable's values are literals, a sign right before a number at most.
        (
            "datatable(a:long, b:string)[-1, h'x', +2, 'y' 'z', 1d, int(null), true, '']",
            true,
        ),
        ("datatable(a:string)['x', y]", false),
        ("datatable(a:long)[1 + 1]", false),
        ("datatable(a:datetime)[now()]", false),
        ("datatable(a:long)[- 1]", false),
        ("datatable(a:string)[null]", false),
        // `find` may leave out `where` when nothing stands before its predicate; `print`
        // prints something.
        ("find 'x' project a", true),
        ("find x == 1", true),
        ("find in (T) 'x'", false),
        ("find withsource=S 'x'", false),
        ("print", false),
        ("print // c", false),
    ] {
        assert_eq!(parse(source).is_ok(), valid, "{source:?}");
        assert_eq!(kqlsmith_syntax::check(source).is_ok(), valid, "{source:?}");
    }
    // Adjacent literals across a comment that a lone `\r` ends are one string.
    let q = query("print 'a' // x\r 'b'");
    let Source::Operator(op) = &q.source else {
        panic!()
    };
    let Operator::Print { columns } = op.as_ref() else {
        panic!()
    };
    let Expr::Literal(joined) = &columns[0].expr else {
        panic!("{:?}", columns[0].expr)
    };
    assert_eq!(joined.value, LiteralValue::String("ab".into()));
}
