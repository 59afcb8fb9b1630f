//! Conversion behaviour, one rule a test.

use super::{Conversion, ConvertError, convert};
use crate::diagnostic::Severity;
use crate::platform::Platform;

fn defender() -> Platform {
    Platform::builtin("defender").unwrap()
}

fn sentinel() -> Platform {
    Platform::builtin("sentinel").unwrap()
}

fn to_sentinel(query: &str) -> Conversion {
    convert(query, &defender(), &sentinel()).unwrap()
}

fn to_defender(query: &str) -> Conversion {
    convert(query, &sentinel(), &defender()).unwrap()
}

/// The codes, severities and texts of the diagnostics.
fn found(c: &Conversion) -> Vec<(&'static str, Severity, &str)> {
    c.diagnostics
        .iter()
        .map(|d| (d.code, d.severity, &c.text[d.range.clone()]))
        .collect()
}

#[test]
fn the_time_column_becomes_the_target_time_column_and_nothing_else_changes() {
    let query = "// Timestamp in a comment stays\nDeviceNetworkEvents\n|   where Timestamp > ago(1d) and \"Timestamp\" != ''\n| summarize arg_max(Timestamp, *) by DeviceId";
    let c = to_sentinel(query);
    assert_eq!(
        c.text,
        "// Timestamp in a comment stays\nDeviceNetworkEvents\n|   where TimeGenerated > ago(1d) and \"Timestamp\" != ''\n| summarize arg_max(TimeGenerated, *) by DeviceId"
    );
    assert_eq!(c.edits.len(), 2);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(to_defender(&c.text).text, query);
}

#[test]
fn names_derived_from_the_time_column_follow_it() {
    let c = to_sentinel(
        "DeviceProcessEvents\n| summarize max(Timestamp), count() by bin(Timestamp, 1h), DeviceId\n\
         | where max_Timestamp > Timestamp\n\
         | join kind=inner (DeviceInfo | project DeviceId, Timestamp) on DeviceId\n\
         | project Timestamp, Timestamp1",
    );
    assert_eq!(
        c.text,
        "DeviceProcessEvents\n| summarize max(TimeGenerated), count() by bin(TimeGenerated, 1h), DeviceId\n\
         | where max_TimeGenerated > TimeGenerated\n\
         | join kind=inner (DeviceInfo | project DeviceId, TimeGenerated) on DeviceId\n\
         | project TimeGenerated, TimeGenerated1"
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn a_column_the_query_makes_keeps_its_name() {
    // On Sentinel's Device tables `Timestamp` is a real column, but here the query makes its
    // own: it stays, and `TimeGenerated` cannot become `Timestamp` next to it.
    let c = to_defender(
        "DeviceEvents\n| extend Timestamp = now()\n| where Timestamp > ago(1d) and TimeGenerated > ago(1d)",
    );
    assert_eq!(
        c.text,
        "DeviceEvents\n| extend Timestamp = now()\n| where Timestamp > ago(1d) and TimeGenerated > ago(1d)"
    );
    assert_eq!(found(&c), [("KQL401", Severity::Error, "TimeGenerated")]);
    let c = to_sentinel(
        "DeviceEvents\n| extend Hour = bin(Timestamp, 1h)\n| extend Timestamp = Hour\n| project Timestamp",
    );
    assert_eq!(
        c.text,
        "DeviceEvents\n| extend Hour = bin(TimeGenerated, 1h)\n| extend Timestamp = Hour\n| project Timestamp"
    );
    let c = to_sentinel("DeviceEvents | project-rename When = Timestamp | where When > ago(1d)");
    assert_eq!(
        c.text,
        "DeviceEvents | project-rename When = TimeGenerated | where When > ago(1d)"
    );
}

#[test]
fn sentinel_timestamp_on_device_tables_stays_a_defender_timestamp() {
    let c = to_defender(
        "DeviceEvents\n| where TimeGenerated > ago(1d)\n| project Timestamp, DeviceName",
    );
    assert_eq!(
        c.text,
        "DeviceEvents\n| where Timestamp > ago(1d)\n| project Timestamp, DeviceName"
    );
    assert!(c.diagnostics.is_empty());
}

#[test]
fn a_rename_onto_a_column_the_query_made_is_refused_and_reported() {
    let c = to_sentinel(
        "DeviceEvents\n| extend TimeGenerated = Timestamp + 1h\n| where Timestamp > ago(1d)",
    );
    assert_eq!(
        c.text,
        "DeviceEvents\n| extend TimeGenerated = TimeGenerated + 1h\n| where Timestamp > ago(1d)"
    );
    assert_eq!(found(&c), [("KQL401", Severity::Error, "Timestamp")]);
    assert!(
        c.diagnostics[0]
            .message
            .contains("column of its own named `TimeGenerated`")
    );
}

#[test]
fn tables_columns_and_functions_the_target_lacks_are_reported() {
    let c = to_defender("SigninLogs\n| where TimeGenerated > ago(1d)\n| project TenantId");
    assert_eq!(
        c.text,
        "SigninLogs\n| where Timestamp > ago(1d)\n| project TenantId"
    );
    assert_eq!(found(&c), [("KQL101", Severity::Error, "SigninLogs")]);
    assert!(c.diagnostics[0].message.contains("no equivalent"));

    let c = to_defender("DeviceNetworkEvents\n| project TenantId, RemoteIP");
    assert_eq!(found(&c), [("KQL102", Severity::Error, "TenantId")]);

    let c = to_sentinel("DeviceFileEvents\n| where LogonID != ''\n| invoke FileProfile(SHA1)");
    assert_eq!(
        found(&c),
        [
            ("KQL102", Severity::Error, "LogonID"),
            ("KQL104", Severity::Error, "FileProfile")
        ]
    );
}

#[test]
fn columns_renamed_in_the_platform_files_are_renamed_both_ways() {
    let c = to_sentinel("CloudAppEvents | where Isp has 'x' | summarize count() by Isp");
    assert_eq!(
        c.text,
        "CloudAppEvents | where ISP has 'x' | summarize count() by ISP"
    );
    assert_eq!(
        to_defender(&c.text).text,
        "CloudAppEvents | where Isp has 'x' | summarize count() by Isp"
    );
    // A column of that name made by the query is not the table's.
    let c = to_sentinel("print Isp = 1 | project Isp");
    assert_eq!(c.text, "print Isp = 1 | project Isp");
}

#[test]
fn a_table_timed_by_another_column_on_the_target_keeps_it() {
    // Sentinel's copy of DeviceTvmInfoGathering has `Timestamp` and no `TimeGenerated`.
    let c = to_sentinel("DeviceTvmInfoGathering | where Timestamp > ago(7d)");
    assert_eq!(c.text, "DeviceTvmInfoGathering | where Timestamp > ago(7d)");
    assert!(c.diagnostics.is_empty());
}

#[test]
fn names_from_unknown_rows_are_left_with_a_warning() {
    let c = to_sentinel("MyTable_CL | where Timestamp > ago(1d) | project Other");
    assert_eq!(
        c.text,
        "MyTable_CL | where Timestamp > ago(1d) | project Other"
    );
    assert_eq!(found(&c), [("KQL401", Severity::Warning, "Timestamp")]);
    assert!(c.diagnostics[0].message.contains("`MyTable_CL`"));

    let c = to_sentinel("let f = (T:(*)) { T | where Timestamp > ago(1d) }; f(DeviceEvents)");
    assert_eq!(found(&c), [("KQL401", Severity::Warning, "Timestamp")]);
}

#[test]
fn tables_the_target_already_names_are_left_alone() {
    let c = to_sentinel("SigninLogs | where TimeGenerated > ago(1d)");
    assert_eq!(c.text, "SigninLogs | where TimeGenerated > ago(1d)");
    assert!(c.diagnostics.is_empty());
}

#[test]
fn the_source_time_column_on_a_table_only_the_target_has_becomes_the_target_one() {
    // `AADRiskyUsers` is Sentinel's alone, timed by `TimeGenerated`: a Defender query reading
    // it by `Timestamp` cannot run on Defender, and on Sentinel needs `TimeGenerated`.
    let c = to_sentinel("AADRiskyUsers | where Timestamp > ago(90d) | project UserPrincipalName");
    assert_eq!(
        c.text,
        "AADRiskyUsers | where TimeGenerated > ago(90d) | project UserPrincipalName"
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn lets_functions_and_nested_queries_are_followed() {
    let c = to_sentinel(
        "let Recent = DeviceEvents | where Timestamp > ago(1d);\n\
         let Latest = (n:int) { DeviceInfo | top n by Timestamp };\n\
         let Newest = toscalar(DeviceEvents | summarize max(Timestamp));\n\
         Recent\n| where Timestamp > Newest and DeviceId in ((Latest(5) | project DeviceId))\n\
         | join kind=inner Latest(3) on $left.Timestamp == $right.Timestamp\n\
         | as Joined\n| union (Joined | project Timestamp)",
    );
    assert_eq!(c.text.matches("Timestamp").count(), 0, "{}", c.text);
    assert_eq!(c.edits.len(), 7);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn a_bracketed_name_is_renamed_too() {
    assert_eq!(
        to_sentinel("DeviceEvents | where ['Timestamp'] > ago(1d)").text,
        "DeviceEvents | where TimeGenerated > ago(1d)"
    );
}

#[test]
fn converting_to_the_same_platform_changes_nothing() {
    let query = "DeviceEvents | where Timestamp > ago(1d)";
    let c = convert(query, &defender(), &defender()).unwrap();
    assert_eq!(c.text, query);
    assert!(c.edits.is_empty());
}

#[test]
fn diagnostics_point_into_the_converted_text() {
    let c = to_sentinel("DeviceFileEvents | where Timestamp > ago(1d) | project LogonID");
    let d = &c.diagnostics[0];
    assert_eq!(&c.text[d.range.clone()], "LogonID");
}

#[test]
fn a_query_that_does_not_parse_is_an_error() {
    let error = convert("T | where", &defender(), &sentinel()).unwrap_err();
    assert!(matches!(error, ConvertError::Syntax(e) if e.line == 1 && e.column == 10));
}

#[test]
fn every_column_rename_in_the_platform_files_names_real_columns() {
    for platform in Platform::builtins() {
        for (other, renames) in &platform.renames {
            let other = Platform::builtin(other).unwrap();
            for (place, target) in &renames.columns {
                let (table, column) = place.split_once('.').unwrap();
                let here = platform
                    .schema()
                    .table(table)
                    .unwrap_or_else(|| panic!("{place}"));
                assert!(here.column(column).is_some(), "{}: {place}", platform.name);
                let there_name = renames.tables.get(table).map_or(table, String::as_str);
                let there = other.schema().table(there_name).unwrap();
                assert!(there.column(target).is_some(), "{}: {target}", other.name);
                assert!(there.column(column).is_none(), "{place} needs no rename");
            }
        }
    }
}

#[test]
fn two_columns_that_become_one_in_a_list_are_reported() {
    let c = to_defender("DeviceEvents | project TimeGenerated, Timestamp, DeviceName");
    assert_eq!(
        c.text,
        "DeviceEvents | project Timestamp, Timestamp, DeviceName"
    );
    assert_eq!(found(&c), [("KQL401", Severity::Error, "Timestamp")]);
    assert_eq!(c.diagnostics[0].range, 34..43, "on the second one");
    // Different names stay quiet.
    assert!(
        to_defender("DeviceEvents | project TimeGenerated, DeviceName")
            .diagnostics
            .is_empty()
    );
}

#[test]
fn the_time_column_is_renamed_inside_partition_and_scan_bodies() {
    let query = "DeviceEvents\n| partition by DeviceId (top 1 by Timestamp)\n\
                 | scan declare (Start: datetime) with (step s: ActionType == \"a\" => Start = Timestamp; \
                 step t: Timestamp > s.Start and s.Timestamp < Timestamp;)";
    let c = to_sentinel(query);
    assert_eq!(c.text, query.replace("Timestamp", "TimeGenerated"));
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}
