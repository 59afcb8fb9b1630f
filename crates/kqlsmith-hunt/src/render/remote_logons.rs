//! The view of the remote-logons hunt (`templates/remote-logons.kql`), computed from the typed
//! model and the platform.

use askama::Template;
use kqlsmith_lint::Platform;

use super::RenderError;
use super::views::{Comparison, RangeView, device_condition};
use crate::kql::{Kql, filters};
use crate::model::HuntModel;
use crate::model::common::{AddressSelection, DeviceMatch, SelfExclusion};
use crate::model::remote_logons::{LogonSource, RemoteLogons};

/// The query's text as the template prints it.
pub(crate) fn query_text(hunt: &RemoteLogons, platform: &Platform) -> Result<String, RenderError> {
    Ok(RemoteLogonsQuery::new(hunt, platform).render()?)
}

/// What the template reads: every decision about the query's shape is made here.
#[derive(Template)]
#[template(path = "remote-logons.kql")]
struct RemoteLogonsQuery {
    comments: bool,
    title: Kql,
    profile: Kql,
    platform: Kql,
    device: String,
    device_case_insensitive: bool,
    device_host_name: bool,
    window: Kql,
    time: Kql,
    lookback: Option<Kql>,
    device_condition: Kql,
    first_ipv4_address: bool,
    /// Tested on each report by shared/device-addresses.kql: none, see `address_exclusions`.
    excluded_ranges: Vec<RangeView>,
    /// The ranges that do not name a device, tested once a distinct address of the device.
    address_exclusions: Vec<RangeView>,
    device_logons: bool,
    identity_logons: bool,
    device_report_id: Kql,
    action_types: Comparison,
    device_logon_types: Option<Comparison>,
    self_by_name: bool,
    self_by_device_id: bool,
    target_is_device: Kql,
    identity_source_is_device: Kql,
    destination_is_device: Kql,
    logons: Kql,
    excluded_account_names: Option<Comparison>,
    excluded_account_sids: Option<Comparison>,
    result_columns: Vec<Kql>,
}

impl RemoteLogonsQuery {
    fn new(hunt: &RemoteLogons, platform: &Platform) -> RemoteLogonsQuery {
        let matching = hunt.device.matching;
        let sources = &hunt.search.sources;
        let device_logons = sources.contains(&LogonSource::DeviceLogonEvents);
        let identity_logons = sources.contains(&LogonSource::IdentityLogonEvents);
        let addresses = &hunt.device_addresses;
        let ipv4_addresses_only = addresses.addresses == AddressSelection::FirstIpv4;
        let action_types: Vec<&str> = hunt
            .search
            .action_types
            .iter()
            .map(|a| a.as_str())
            .collect();
        let logon_types: Vec<&str> = hunt
            .search
            .device_logon_types
            .iter()
            .map(|t| t.as_str())
            .collect();
        // The table expression the logons come from: one let, or the union of both, in the
        // order of the profile.
        let logons = match sources.as_slice() {
            [one] => Kql::ident(let_name(*one)),
            _ => Kql::keyword_list(
                "union",
                sources.iter().map(|source| Kql::ident(let_name(*source))),
            ),
        };
        let filters = &hunt.filters;
        let columns = hunt.result_columns(&platform.time_column);
        RemoteLogonsQuery {
            comments: hunt.output.comments,
            title: Kql::comment_text(hunt.hunt.title.as_str()),
            profile: Kql::comment_text(hunt.hunt.name.as_str()),
            platform: Kql::comment_text(&platform.title),
            device: hunt.device.name.as_str().to_string(),
            device_case_insensitive: matching == DeviceMatch::CaseInsensitive,
            device_host_name: matching == DeviceMatch::HostName,
            window: Kql::timespan(hunt.search.window.timespan()),
            time: Kql::ident(&platform.time_column),
            lookback: (!addresses.lookback.is_zero()).then(|| Kql::timespan(addresses.lookback)),
            device_condition: device_condition("DeviceName", matching),
            first_ipv4_address: ipv4_addresses_only,
            excluded_ranges: Vec::new(),
            address_exclusions: addresses
                .excluded_ranges
                .iter()
                .map(|r| RangeView::new(r, ipv4_addresses_only))
                .collect(),
            device_logons,
            identity_logons,
            // ReportId is a long in DeviceLogonEvents and a string in IdentityLogonEvents: a
            // union of both would split it into ReportId_long and ReportId_string.
            device_report_id: if identity_logons {
                Kql::assignment(
                    &Kql::ident("ReportId"),
                    &Kql::call("tostring", [Kql::ident("ReportId")]),
                )
            } else {
                Kql::ident("ReportId")
            },
            action_types: Comparison::one_of(&action_types),
            device_logon_types: (!logon_types.is_empty()).then(|| Comparison::one_of(&logon_types)),
            self_by_name: filters.exclude_self == SelfExclusion::ByName,
            self_by_device_id: filters.exclude_self == SelfExclusion::ByDeviceId,
            target_is_device: device_condition("DeviceName", matching),
            identity_source_is_device: device_condition("DeviceName", matching),
            destination_is_device: device_condition("DestinationDeviceName", matching),
            logons,
            excluded_account_names: Comparison::none_of(
                &filters.excluded_account_names,
                filters.case_insensitive_names,
                "!=",
            ),
            excluded_account_sids: Comparison::none_of(&filters.excluded_account_sids, false, "!="),
            result_columns: columns.iter().map(|c| Kql::ident(c)).collect(),
        }
    }
}

/// The `let` that holds the logons of `source`.
fn let_name(source: LogonSource) -> &'static str {
    match source {
        LogonSource::DeviceLogonEvents => "DeviceLogons",
        LogonSource::IdentityLogonEvents => "IdentityLogons",
    }
}

#[cfg(test)]
mod tests {
    use kqlsmith_lint::Platform;

    use crate::model::Hunt;
    use crate::profile::{self, Override};
    use crate::render::test_support::code_lines;
    use crate::render::{render, template_text};

    fn query(changes: &[(&str, &str)]) -> String {
        let overrides: Vec<Override> = changes
            .iter()
            .map(|(key, value)| Override::new(*key, *value, "test"))
            .collect();
        let hunt = profile::load_shipped("remote-logons", &overrides)
            .unwrap()
            .unwrap();
        let defender = Platform::builtin("defender").unwrap();
        // The template's text; the rendered query is checked too.
        render(&hunt, &defender).unwrap();
        template_text(&hunt, &defender).unwrap()
    }

    fn has_line(text: &str, line: &str) -> bool {
        code_lines(text).contains(&line)
    }

    #[test]
    fn both_sources_are_a_union_and_one_source_is_read_alone() {
        let both = query(&[]);
        assert!(has_line(&both, "union DeviceLogons, IdentityLogons"));
        let device = query(&[("search.sources", "DeviceLogonEvents")]);
        assert!(has_line(&device, "DeviceLogons"));
        assert!(!device.contains("IdentityLogonEvents"));
        // Only one table: ReportId keeps its type.
        assert!(device.contains("| project Timestamp, ReportId, TargetDeviceName = DeviceName"));
        let identity = query(&[("search.sources", "IdentityLogonEvents")]);
        assert!(has_line(&identity, "IdentityLogons"));
        assert!(!identity.contains("DeviceLogonEvents"));
        assert!(!identity.contains("TargetDeviceId"));
        assert!(!identity.contains("CompromisedDeviceIds"));
    }

    #[test]
    fn ranges_are_tested_once_a_distinct_address() {
        let text = query(&[]);
        let distinct = text.find("| distinct IPAddress").unwrap();
        for range in ["169.254.0.0/16", "fe80::/10", "127.0.0.0/8", "::1/128"] {
            let test = format!(r#"| where not(ipv6_is_match(IPAddress, "{range}"))"#);
            assert!(text.find(&test).unwrap() > distinct, "{test}");
        }
        let first = query(&[("device_addresses.addresses", "first-ipv4")]);
        assert!(
            first
                .find(r#"| where not(ipv4_is_in_range(IPAddress, "169.254.0.0/16"))"#)
                .unwrap()
                > first.find("| distinct IPAddress").unwrap()
        );
    }

    #[test]
    fn what_is_used_twice_is_materialized_once() {
        let both = query(&[]);
        // The reports give the ids and the addresses; the addresses serve both tables.
        assert!(has_line(
            &both,
            "let CompromisedDeviceReports = materialize(DeviceNetworkInfo"
        ));
        assert!(has_line(
            &both,
            r#"| where DeviceName =~ CompromisedDevice or DeviceName startswith strcat(CompromisedDevice, "."));"#
        ));
        assert!(has_line(
            &both,
            "let CompromisedDeviceAddresses = materialize(CompromisedDeviceReports"
        ));
        assert!(has_line(
            &both,
            r#"| where not(ipv6_is_match(IPAddress, "::1/128")));"#
        ));
        // Used once: read where used.
        let identity = query(&[("search.sources", "IdentityLogonEvents")]);
        assert!(!identity.contains("materialize"));
        let by_name = query(&[
            ("search.sources", "DeviceLogonEvents"),
            ("filters.exclude_self", "by-name"),
        ]);
        assert!(!by_name.contains("materialize"));
    }

    #[test]
    fn logons_come_from_the_device_addresses_or_its_name() {
        let text = query(&[]);
        assert!(has_line(
            &text,
            "| where RemoteIP in (CompromisedDeviceAddresses)"
        ));
        assert!(has_line(
            &text,
            r#"| where IPAddress in (CompromisedDeviceAddresses) or DeviceName =~ CompromisedDevice or DeviceName startswith strcat(CompromisedDevice, ".")"#
        ));
        assert!(has_line(&text, "| where isnotempty(IPAddress)"));
        assert!(has_line(
            &text,
            "| where Timestamp > ago(SearchWindow + 1d)"
        ));
        let text = query(&[("device_addresses.lookback", "0d")]);
        assert!(!text.contains("SearchWindow + "));
    }

    #[test]
    fn self_exclusion_follows_the_profile() {
        let by_id = query(&[]);
        assert!(has_line(
            &by_id,
            "| where DeviceId !in (CompromisedDeviceIds)"
        ));
        let by_name = query(&[
            ("filters.exclude_self", "by-name"),
            ("device.match", "exact"),
        ]);
        assert!(!by_name.contains("CompromisedDeviceIds"));
        assert!(has_line(
            &by_name,
            "| where not(DeviceName == CompromisedDevice)"
        ));
        assert!(has_line(
            &by_name,
            "| where not(DestinationDeviceName == CompromisedDevice)"
        ));
        let off = query(&[("filters.exclude_self", "off")]);
        assert!(!off.contains("| where not(Destination"));
        assert!(!off.contains("CompromisedDeviceIds"));
    }

    #[test]
    fn logon_and_account_filters_pick_their_operators() {
        let text = query(&[
            ("search.device_logon_types", ""),
            ("search.action_types", "LogonSuccess,LogonFailed"),
            ("filters.excluded_account_names", "svc-backup"),
            ("filters.excluded_account_sids", "S-1-5-18"),
        ]);
        assert!(!text.contains("| where LogonType"));
        assert!(has_line(
            &text,
            r#"| where ActionType in ("LogonSuccess", "LogonFailed")"#
        ));
        assert!(has_line(&text, r#"| where AccountName !~ "svc-backup""#));
        assert!(has_line(&text, r#"| where AccountSid != "S-1-5-18""#));
    }

    #[test]
    fn the_result_columns_are_those_the_model_names() {
        let hunt = profile::load_shipped("remote-logons", &[])
            .unwrap()
            .unwrap();
        let text = query(&[]);
        let last = code_lines(&text).last().copied().unwrap().to_string();
        let expected = format!("| project {}", hunt.result_columns("Timestamp").join(", "));
        assert_eq!(last, expected);
        assert!(matches!(hunt, Hunt::RemoteLogons(_)));
    }

    #[test]
    fn a_hostile_device_name_stays_a_literal() {
        let text = query(&[("device.name", r#"x" or 1==1 //"#)]);
        assert!(text.contains(r#"let CompromisedDevice = "x\" or 1==1 //";"#));
    }
}
