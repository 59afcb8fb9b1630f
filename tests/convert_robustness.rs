//! Any text given to the converter ends in a conversion or a syntax error, never a panic or an
//! internal error; a conversion changes names only, and every byte outside them stays.

use kqlsmith::lint::Platform;
use kqlsmith::lint::convert::{ConvertError, convert};
use proptest::prelude::*;

const SOURCES: &[&str] = &[
    "DeviceEvents",
    "DeviceNetworkEvents",
    "SigninLogs",
    "CloudAppEvents",
    "MyTable_CL",
    "union DeviceEvents, DeviceFileEvents",
    "union *",
    "R",
    "f(1)",
];
const STAGES: &[&str] = &[
    "| where Timestamp > ago(1d)",
    "| where TimeGenerated > ago(1d) // Timestamp",
    "| extend Timestamp = now()",
    "| extend TimeGenerated = Timestamp",
    "| summarize max(Timestamp), arg_max(TimeGenerated, *) by bin(Timestamp, 1h)",
    "| project Timestamp, TimeGenerated, Isp, ISP, max_Timestamp",
    "| join kind=inner (DeviceInfo | project DeviceId, Timestamp) on DeviceId",
    "| join kind=leftouter DeviceInfo on $left.Timestamp == $right.Timestamp",
    "| project-rename When = Timestamp",
    "| where \"Timestamp\" has 'TimeGenerated'",
    "| invoke FileProfile(SHA1)",
    "| evaluate bag_unpack(AdditionalFields)",
    "| as Named | union (Named | project TimeGenerated)",
    "| mv-expand Timestamp",
    "| render timechart with (xcolumn=Timestamp)",
];
const LETS: &[&str] = &[
    "let R = DeviceEvents | where Timestamp > ago(1d);",
    "let f = (n:int) { DeviceInfo | top n by Timestamp };",
    "let T = (X:(*)) { X | where TimeGenerated > ago(1d) };",
];

fn query() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(LETS), 0..3),
        prop::sample::select(SOURCES),
        prop::collection::vec(prop::sample::select(STAGES), 0..6),
    )
        .prop_map(|(lets, source, stages)| {
            format!("{}\n{source}\n{}", lets.join("\n"), stages.join("\n"))
        })
}

fn check(source: &str, from: &Platform, to: &Platform) {
    let conversion = match convert(source, from, to) {
        Ok(conversion) => conversion,
        Err(ConvertError::Syntax(_)) => return,
        Err(internal) => panic!("{internal} for {source:?}"),
    };
    let mut rebuilt = String::new();
    let mut at = 0;
    for edit in &conversion.edits {
        let old = &source[edit.range.clone()];
        assert!(
            old.chars()
                .all(|c| c.is_alphanumeric() || "_[]'".contains(c)),
            "`{old}` is not a name"
        );
        rebuilt.push_str(&source[at..edit.range.start]);
        rebuilt.push_str(&edit.replacement);
        at = edit.range.end;
    }
    rebuilt.push_str(&source[at..]);
    assert_eq!(rebuilt, conversion.text, "bytes outside the edits changed");
    for d in &conversion.diagnostics {
        assert!(conversion.text.get(d.range.clone()).is_some(), "{d:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn built_queries_convert_both_ways(source in query()) {
        let defender = Platform::builtin("defender").unwrap();
        let sentinel = Platform::builtin("sentinel").unwrap();
        check(&source, &defender, &sentinel);
        check(&source, &sentinel, &defender);
    }

    #[test]
    fn any_text_converts_or_fails_cleanly(source in ".{0,200}") {
        let defender = Platform::builtin("defender").unwrap();
        let sentinel = Platform::builtin("sentinel").unwrap();
        check(&source, &defender, &sentinel);
    }
}
