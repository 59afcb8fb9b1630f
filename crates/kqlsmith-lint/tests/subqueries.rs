//! The binder follows the columns into and out of the operators that run subqueries:
//! `partition`, `scan`, `fork` and `facet`. Each finding asserted here is one Microsoft's
//! analyzer makes on the same query with the platform's schema (an unknown name at the same
//! place), and each valid query is one it accepts.

use std::ops::Range;

use kqlsmith_lint::binding::{Bound, Meaning};
use kqlsmith_lint::{Config, Linter, Platform, Severity};

/// The error-level findings of `query` linted as `platform`: code and the text they point at.
fn errors<'q>(platform: &str, query: &'q str) -> Vec<(&'static str, &'q str)> {
    Linter::new(Platform::builtin(platform).unwrap(), Config::new())
        .lint(query)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code, &query[d.range]))
        .collect()
}

/// The codes of every finding (any level) of `query` linted as Defender.
fn codes(query: &str) -> Vec<&'static str> {
    Linter::new(Platform::builtin("defender").unwrap(), Config::new())
        .lint(query)
        .into_iter()
        .map(|d| d.code)
        .collect()
}

/// The span of the `nth` (0-based) occurrence of `needle` in `query`.
fn nth(query: &str, needle: &str, nth: usize) -> Range<usize> {
    let start = query
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} is not in the query"))
        .0;
    start..start + needle.len()
}

/// What the name starting at the `nth` occurrence of `needle` means, bound as Defender.
fn meaning(query: &str, needle: &str, nth_use: usize) -> Meaning {
    let bound = Bound::new(query, &Platform::builtin("defender").unwrap()).unwrap();
    let at = nth(query, needle, nth_use);
    let name = bound
        .name_at(at.start)
        .unwrap_or_else(|| panic!("no name at `{needle}` #{nth_use}"));
    assert_eq!(
        name.span.start, at.start,
        "the name found is the one asked for"
    );
    name.meaning
}

fn is_column_of(meaning: &Meaning, table: &str) -> bool {
    matches!(meaning, Meaning::Column { table: Some(t), .. } if &**t == table)
}

#[test]
fn partition_output_is_its_subquerys_and_its_body_and_key_are_checked() {
    // The column the body projected away is gone after `partition`.
    let query = "DeviceEvents | partition by DeviceId (top 3 by Timestamp | project DeviceId) \
                 | where ActionType == \"x\"";
    assert_eq!(
        errors("defender", query),
        [("KQL103", "ActionType")],
        "removed by the body's `project`"
    );
    let query = "DeviceEvents | partition by DeviceId (top 3 by Timestampp | project DeviceId)";
    assert_eq!(errors("defender", query), [("KQL102", "Timestampp")]);
    let query = "DeviceEvents | partition by DeviceIdd (top 3 by Timestamp)";
    assert_eq!(errors("defender", query), [("KQL102", "DeviceIdd")]);
    // The body's own columns, and the input's kept by it.
    let query = "DeviceEvents | partition by DeviceId (summarize c = count() by ActionType) \
                 | where c > 1 and ActionType != \"\" | where DeviceId != \"\"";
    assert_eq!(errors("defender", query), [("KQL103", "DeviceId")]);
}

#[test]
fn valid_partitions_get_no_finding_and_their_names_resolve() {
    let query = "let n = 3;\nDeviceEvents\n| where Timestamp > ago(1d)\n\
                 | partition hint.strategy=native by DeviceId (top n by Timestamp \
                 | project DeviceId, Timestamp, ActionType)\n\
                 | where ActionType == \"x\" and Timestamp > ago(1h)";
    assert_eq!(codes(query), Vec::<&str>::new(), "`n` is used in the body");
    assert!(is_column_of(
        &meaning(query, "Timestamp", 2),
        "DeviceEvents"
    ));
    assert!(matches!(meaning(query, "n by", 0), Meaning::Let { .. }));
    assert!(is_column_of(
        &meaning(query, "ActionType", 1),
        "DeviceEvents"
    ));

    let query = "DeviceEvents\n| where Timestamp > ago(1d)\n\
                 | partition by DeviceId (summarize Events = count() by ActionType)\n\
                 | where Events > 1 and ActionType != \"\"";
    assert_eq!(codes(query), Vec::<&str>::new());
    assert!(matches!(
        meaning(query, "Events >", 0),
        Meaning::Column { .. }
    ));
}

#[test]
fn a_partition_query_with_its_own_source_reads_the_key_and_gives_its_columns() {
    let query = "DeviceEvents\n| where Timestamp > ago(1d)\n\
                 | partition hint.strategy=legacy by DeviceId { DeviceInfo \
                 | where Timestamp > ago(1d) and DeviceId == toscalar(DeviceId) | take 1 \
                 | project DeviceName, OSPlatform }\n| where OSPlatform == \"Windows10\"";
    assert_eq!(codes(query), Vec::<&str>::new());
    let os = meaning(query, "OSPlatform", 1);
    assert!(
        matches!(os, Meaning::Column { .. }) && !is_column_of(&os, "DeviceEvents"),
        "a column of the query's rows, not of the input's table: {os:?}"
    );

    // Inside, the key is a name; the input's other columns are not.
    let query = "DeviceEvents | partition hint.strategy=legacy by ActionType { DeviceInfo \
                 | where DeviceName == ActionType and DeviceName == FileName | take 1 } \
                 | where Foo == 1";
    assert_eq!(
        errors("defender", query),
        [("KQL102", "FileName"), ("KQL102", "Foo")]
    );
    assert!(matches!(
        meaning(query, "ActionType", 1),
        Meaning::Column { .. }
    ));
    // After it, the rows are the query's: the message does not blame the input's table.
    let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    let foo = linter
        .lint(query)
        .into_iter()
        .find(|d| &query[d.range.clone()] == "Foo")
        .expect("`Foo` is reported");
    assert!(!foo.message.contains("DeviceEvents"), "{}", foo.message);
}

#[test]
fn scan_steps_read_the_input_the_declared_columns_and_earlier_steps() {
    let query = "DeviceEvents | sort by Timestamp asc \
                 | scan with_match_id=M declare (Start: datetime = datetime(null), N: long = 0) \
                 with (step s1: ActionType == \"a\" => Start = Timestamp; \
                 step s2: Timestampp > s1.Start and s1.Nope == 1 and s2.ActionType == \"b\" \
                 => N = s1.N + 1;) \
                 | where Start > ago(1d) and N > 1 and M > 0 and X == 1";
    assert_eq!(
        errors("defender", query),
        [
            ("KQL102", "Timestampp"),
            ("KQL102", "Nope"),
            ("KQL102", "X")
        ]
    );
    // A step reads itself and the steps before it; assignments go to known columns only.
    let query = "DeviceEvents | scan order by Timestamp asc partition by DeviceIdd \
                 declare (N: long) with (step s1: ActionType == \"a\" \
                 => ActionType = \"z\", Undeclared = 1; step s2: s3.N == 1 and s1.N == 2;)";
    assert_eq!(
        errors("defender", query),
        [
            ("KQL102", "DeviceIdd"),
            ("KQL102", "Undeclared"),
            ("KQL102", "s3")
        ]
    );
    // Step names are not columns after the scan.
    let query = "DeviceEvents | scan declare (N: long) with (step s1: ActionType == \"a\" \
                 => N = 1; step s2: s1.N == 2;) | project N, S = s1";
    assert_eq!(errors("defender", query), [("KQL102", "s1")]);
}

#[test]
fn a_valid_scan_gets_no_finding_and_its_names_resolve() {
    let query = "DeviceEvents\n| where Timestamp > ago(1d)\n| sort by DeviceId asc, Timestamp asc\n\
                 | scan with_match_id=MatchId declare (Start: datetime, Count: long = 0) with (\n\
                 step First: ActionType == \"a\" => Start = Timestamp, Count = 1;\n\
                 step Next: ActionType == \"b\" and DeviceId == First.DeviceId \
                 and Timestamp - First.Start < 1h => Count = Next.Count + First.Count;\n)\n\
                 | where MatchId >= 0 and Count > 1 and Start < Timestamp\n\
                 | project DeviceId, Start, Count";
    assert_eq!(codes(query), Vec::<&str>::new());
    // `First.DeviceId`: the input's column; `First.Start`: a declared one.
    assert!(is_column_of(&meaning(query, "DeviceId", 2), "DeviceEvents"));
    assert!(matches!(
        meaning(query, "Start <", 0),
        Meaning::Column { .. }
    ));
    assert!(is_column_of(
        &meaning(query, "Timestamp", 3),
        "DeviceEvents"
    ));

    let sentinel = "SigninLogs\n| where TimeGenerated > ago(1d)\n| sort by TimeGenerated asc\n\
                    | scan declare (Failures: long = 0) with (\n\
                    step Failed: ResultType != \"0\" => Failures = Failed.Failures + 1;\n\
                    step Success: ResultType == \"0\" and Failed.UserPrincipalName == UserPrincipalName;\n)\n\
                    | where Failures > 3\n| project UserPrincipalName, Failures";
    assert_eq!(errors("sentinel", sentinel), []);
}

#[test]
fn fork_branches_are_checked_on_the_input_and_the_results_stay_open() {
    let query = "DeviceEvents | fork (where ActionTypee == \"a\" | take 1) \
                 b2=(summarize count() by DeviceId) | where Foo == 1";
    assert_eq!(errors("defender", query), [("KQL102", "ActionTypee")]);

    let query = "DeviceEvents\n| where Timestamp > ago(1d)\n\
                 | fork (where ActionType == \"a\" | take 1) Counts = (summarize count() by DeviceId)";
    assert_eq!(codes(query), Vec::<&str>::new());
    assert!(is_column_of(
        &meaning(query, "ActionType", 0),
        "DeviceEvents"
    ));
    // The rules read the branches too.
    let query =
        "DeviceEvents\n| where Timestamp > ago(1d)\n| fork (where FileName contains \"evil\")";
    assert_eq!(codes(query), ["KQL301"]);
}

#[test]
fn facet_columns_and_its_subquery_are_checked_on_the_input() {
    let query = "DeviceEvents | facet by ActionType, DeviceIdd with \
                 (where Timestampp > ago(1d) | take 1) | where Foo == 1";
    assert_eq!(
        errors("defender", query),
        [("KQL102", "DeviceIdd"), ("KQL102", "Timestampp")]
    );

    let query = "DeviceEvents\n| where Timestamp > ago(1d)\n\
                 | facet by ActionType, DeviceName with (where FileName has \"x\" | take 5)";
    assert_eq!(codes(query), Vec::<&str>::new());
    assert!(is_column_of(
        &meaning(query, "DeviceName", 0),
        "DeviceEvents"
    ));
    assert!(is_column_of(&meaning(query, "FileName", 0), "DeviceEvents"));
}
