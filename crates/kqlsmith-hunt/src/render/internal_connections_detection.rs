//! The view of the detection form of the internal-connections hunt
//! (`templates/internal-connections-detection.kql`), computed from the typed model and the
//! platform.

use askama::Template;
use kqlsmith_lint::Platform;

use super::RenderError;
use super::views::{
    Comparison, RangeView, assign, lookup_exclusions, report_columns, report_window,
};
use crate::kql::{Kql, filters};
use crate::model::common::AddressSelection;
use crate::model::internal_connections::Lookup;
use crate::model::internal_connections_detection::{InternalConnectionsDetection, RESULT_COLUMNS};

/// The query's text as the template prints it.
pub(crate) fn query_text(
    hunt: &InternalConnectionsDetection,
    platform: &Platform,
) -> Result<String, RenderError> {
    Ok(DetectionQuery::new(hunt, platform).render()?)
}

/// What the template reads: every decision about the query's shape is made here.
#[derive(Template)]
#[template(path = "internal-connections-detection.kql")]
struct DetectionQuery {
    comments: bool,
    title: Kql,
    profile: Kql,
    platform: Kql,
    window: Kql,
    baseline: Kql,
    time: Kql,
    severities: Comparison,
    /// The ports, as the list `in` takes.
    admin_ports: Kql,
    /// The services of the ports, for a comment.
    admin_port_names: Kql,
    excluded_processes: Option<Comparison>,
    excluded_account_names: Option<Comparison>,
    excluded_account_sids: Option<Comparison>,
    unmap_ipv4: bool,
    private_ranges: Vec<RangeView>,
    first_ipv4_address: bool,
    /// Only the reports of the addresses the alerted devices connected to are read
    /// (`lookup = connected-addresses`): the connections are a `let` read twice.
    restricted: bool,
    /// The ranges that do not name a device, tested on each report (every report is read).
    excluded_ranges: Vec<RangeView>,
    /// The same ranges, tested once on each connected address (the lookup is restricted).
    connected_exclusions: Vec<RangeView>,
    /// The columns kept of each address report.
    address_columns: Vec<Kql>,
    /// How far back the address reports are read: the window, the baseline before it and
    /// the lookback.
    report_window: Kql,
    /// The reports are read from before the baseline (`remote_device.lookback`).
    lookback: bool,
    /// What identifies one connection, for the nearest report of its address.
    connection_key: Vec<Kql>,
    result_columns: Vec<Kql>,
}

impl DetectionQuery {
    fn new(hunt: &InternalConnectionsDetection, platform: &Platform) -> DetectionQuery {
        let time = Kql::ident(&platform.time_column);
        let filters = &hunt.filters;
        let remote = &hunt.remote_device;
        let any_case = filters.case_insensitive_names;
        let ipv4_addresses_only = remote.addresses == AddressSelection::FirstIpv4;
        let names: Vec<&str> = hunt
            .search
            .admin_ports
            .iter()
            .map(|set| set.name.as_str())
            .collect();
        let (excluded_ranges, connected_exclusions) =
            lookup_exclusions(&remote.excluded_ranges, remote.lookup, ipv4_addresses_only);
        let result_columns = RESULT_COLUMNS
            .iter()
            .map(|column| {
                if *column == "{time}" {
                    assign(&platform.time_column, Kql::ident("ConnectionTime"))
                } else {
                    Kql::ident(column)
                }
            })
            .collect();
        DetectionQuery {
            comments: hunt.output.comments,
            title: Kql::comment_text(hunt.hunt.title.as_str()),
            profile: Kql::comment_text(hunt.hunt.name.as_str()),
            platform: Kql::comment_text(&platform.title),
            window: Kql::timespan(hunt.search.window.timespan()),
            baseline: Kql::timespan(hunt.search.baseline.timespan()),
            time: time.clone(),
            severities: Comparison::one_of(&hunt.alerts.severities()),
            admin_ports: Kql::list(hunt.search.ports().into_iter().map(Kql::int)),
            admin_port_names: Kql::comment_text(&names.join(", ")),
            excluded_processes: Comparison::none_of(&filters.excluded_processes, any_case, "!="),
            excluded_account_names: Comparison::none_of(
                &filters.excluded_account_names,
                any_case,
                "!=",
            ),
            excluded_account_sids: Comparison::none_of(&filters.excluded_account_sids, false, "!="),
            unmap_ipv4: hunt.search.unmap_ipv4,
            private_ranges: filters
                .private_ranges
                .iter()
                .map(|r| RangeView::new(r, false))
                .collect(),
            first_ipv4_address: ipv4_addresses_only,
            restricted: remote.lookup == Lookup::ConnectedAddresses,
            excluded_ranges,
            connected_exclusions,
            address_columns: report_columns(&time),
            report_window: report_window(
                Kql::binary(
                    &Kql::fixed("SearchWindow"),
                    "+",
                    &Kql::fixed("BaselineWindow"),
                ),
                remote.lookback,
            ),
            lookback: !remote.lookback.is_zero(),
            connection_key: ["DeviceId", "ConnectionTime", "ReportId"]
                .map(Kql::ident)
                .to_vec(),
            result_columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use kqlsmith_lint::Platform;

    use crate::model::Hunt;
    use crate::profile::{self, Override};
    use crate::render::test_support::code_lines;
    use crate::render::{render, template_text};

    fn hunt(changes: &[(&str, &str)]) -> Hunt {
        let overrides: Vec<Override> = changes
            .iter()
            .map(|(key, value)| Override::new(*key, *value, "test"))
            .collect();
        profile::load_shipped("internal-connections-detection", &overrides)
            .unwrap()
            .unwrap()
    }

    /// The template's text for `platform`; the rendered query is checked too.
    fn query(hunt: &Hunt, platform: &str) -> String {
        let platform = Platform::builtin(platform).unwrap();
        render(hunt, &platform).unwrap();
        template_text(hunt, &platform).unwrap()
    }

    #[test]
    fn no_device_is_named_anywhere() {
        for platform in ["defender", "sentinel"] {
            let text = query(&hunt(&[]), platform);
            assert!(!text.contains("CompromisedDevice"), "{text}");
            assert!(!text.to_lowercase().contains("compromiseddevice"), "{text}");
        }
    }

    #[test]
    fn ports_severities_and_baseline_come_from_the_profile() {
        let text = query(&hunt(&[]), "defender");
        let lines = code_lines(&text);
        assert!(lines.contains(&"| where RemotePort in (445, 135, 3389, 5985, 5986, 22)"));
        assert!(lines.contains(&r#"| where Severity in ("Medium", "High")"#));
        assert!(text.contains("\nlet BaselineWindow = 13d;"));
        let text = query(
            &hunt(&[
                ("alerts.min_severity", "high"),
                ("search.baseline", "7d"),
                (
                    "search.admin_ports",
                    r#"[{ name = "RDP", ports = [3389] }]"#,
                ),
            ]),
            "defender",
        );
        let lines = code_lines(&text);
        assert!(lines.contains(&"| where RemotePort in (3389)"), "{text}");
        assert!(lines.contains(&r#"| where Severity == "High""#));
        assert!(text.contains("\nlet BaselineWindow = 7d;"));
    }

    #[test]
    fn each_platform_times_rows_by_its_own_column() {
        let sentinel = query(&hunt(&[]), "sentinel");
        assert!(
            !code_lines(&sentinel)
                .iter()
                .any(|l| l.contains("Timestamp"))
        );
        assert!(sentinel.ends_with(
            "| project TimeGenerated = ConnectionTime, ReportId, DeviceName, DeviceId, RemoteDeviceName, RemoteDeviceId, RemoteIP, ConnectedPorts, InitiatingProcessAccountSid, AlertTitle, AlertId\n"
        ));
        let defender = query(&hunt(&[]), "defender");
        assert!(!defender.contains("TimeGenerated"));
    }

    #[test]
    fn the_remote_device_is_the_nearest_report_of_each_connection() {
        let text = query(&hunt(&[]), "defender");
        assert!(
            code_lines(&text).contains(
                &"| summarize arg_min(ReportRank, *) by DeviceId, ConnectionTime, ReportId"
            )
        );
        assert!(code_lines(&text).contains(&"| where DeviceId != RemoteDeviceId"));
    }

    #[test]
    fn the_remote_device_is_named_by_the_holders_turns_since_the_baseline() {
        let text = query(&hunt(&[]), "defender");
        let lines = code_lines(&text);
        // The reports cover the baseline before the window: a connection of the baseline is
        // named by the device that held the address then.
        for line in [
            "let AddressReports = materialize(DeviceNetworkInfo",
            "| where Timestamp > ago(SearchWindow + BaselineWindow)",
            "let Turns = HolderPairs",
            "| lookup kind=inner Turns on $left.RemoteIP == $right.IPAddress",
        ] {
            assert!(lines.contains(&line), "{line}\n{text}");
        }
        // The lookback reaches further back, past the baseline.
        let text = query(&hunt(&[("remote_device.lookback", "2d")]), "defender");
        assert!(
            code_lines(&text)
                .contains(&"| where Timestamp > ago(SearchWindow + BaselineWindow + 2d)"),
            "{text}"
        );
    }

    #[test]
    fn the_lookup_reads_only_the_reports_of_connected_addresses() {
        let text = query(&hunt(&[]), "defender");
        let lines = code_lines(&text);
        // The connections are read once; the ranges that name no device are tested once a
        // connected address, not on each report.
        for line in [
            "let Connections = materialize(AlertedDevices",
            "let ConnectedAddresses = Connections",
            r#"| where not(ipv6_is_match(RemoteIP, "169.254.0.0/16"))"#,
            "| where LookUpEveryReport or IPAddresses has_any (ConnectedAddresses)",
            "| where IPAddress in (ConnectedAddresses)",
            "union (Connections",
        ] {
            assert!(lines.contains(&line), "{line}\n{text}");
        }
        assert!(!text.contains("ipv6_is_match(IPAddress"));
        let terms = text.find("has_any (ConnectedAddresses)").unwrap();
        let expand = text.find("| mv-expand NetworkAddress").unwrap();
        let exact = text
            .find("| where IPAddress in (ConnectedAddresses)")
            .unwrap();
        assert!(terms < expand && expand < exact);

        // Every report: no addresses to look up, the ranges tested on each report; the
        // connections stay a let, read by each way of naming the remote device.
        let every = query(
            &hunt(&[("remote_device.lookup", "every-report")]),
            "defender",
        );
        assert!(!every.contains("ConnectedAddresses"));
        assert!(
            code_lines(&every).contains(&r#"| where not(ipv6_is_match(IPAddress, "fe80::/10"))"#)
        );
        assert!(code_lines(&every).contains(&"let Connections = materialize(AlertedDevices"));
    }
}
