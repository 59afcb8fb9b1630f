//! A long `or` chain is checked from its first term to its last: the binder and the rules'
//! walk count a chain as one level of nesting, not one a link, so no term falls past their
//! depth limits (IOC lists written as `or` chains run to thousands of terms).

use kqlsmith_lint::{Config, Linter, Platform};

/// `DeviceNetworkEvents | where FIRST or RemotePort == 1 or ... ` with `terms` terms.
fn chain(first: &str, terms: usize) -> String {
    let mut query = format!("DeviceNetworkEvents\n| where Timestamp > ago(1d)\n| where {first}");
    for port in 1..terms {
        query.push_str(&format!(" or RemotePort == {port}"));
    }
    query
}

/// The codes of the findings on `needle` in `query`, linted as Defender.
fn codes_at(query: &str, needle: &str) -> Vec<&'static str> {
    let at = query.find(needle).expect("the needle is in the query");
    Linter::new(Platform::builtin("defender").unwrap(), Config::new())
        .lint(query)
        .into_iter()
        .filter(|d| d.range.start == at)
        .map(|d| d.code)
        .collect()
}

#[test]
fn an_unknown_column_in_the_first_term_is_found_however_long_the_chain() {
    for terms in [2, 51, 501, 5_001] {
        let query = chain("NoSuchColumn == 1", terms);
        let codes = codes_at(&query, "NoSuchColumn");
        assert_eq!(codes.len(), 1, "{terms} terms: {codes:?}");
    }
}

#[test]
fn rules_see_the_first_term_however_long_the_chain() {
    // `contains` on a column draws the same finding in a chain of 2 terms and of 5,001.
    let short = codes_at(&chain("RemoteUrl contains \"evil\"", 2), "contains");
    assert!(
        !short.is_empty(),
        "no finding on `contains` to compare with"
    );
    for terms in [501, 5_001] {
        let long = codes_at(&chain("RemoteUrl contains \"evil\"", terms), "contains");
        assert_eq!(long, short, "{terms} terms");
    }
}
