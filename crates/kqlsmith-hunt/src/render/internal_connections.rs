//! The view of the internal-connections hunt (`templates/internal-connections.kql`), computed
//! from the typed model and the platform.

use askama::Template;
use kqlsmith_lint::Platform;

use super::RenderError;
use super::views::{
    Comparison, RangeView, assign, device_condition, lookup_exclusions, report_columns,
    report_window,
};
use crate::kql::{Kql, filters};
use crate::model::common::{AddressSelection, DeviceMatch, SelfExclusion};
use crate::model::internal_connections::{
    InternalConnections, Lookup, OutputColumn, PortSet, Resolution,
};

/// The query's text as the template prints it.
pub(crate) fn query_text(
    hunt: &InternalConnections,
    platform: &Platform,
) -> Result<String, RenderError> {
    Ok(InternalConnectionsQuery::new(hunt, platform)?.render()?)
}

/// A benign port set: its name for comments and its ports as a dynamic array.
struct PortSetView {
    name: Kql,
    ports: Kql,
    port_list: Kql,
}

impl PortSetView {
    fn new(set: &PortSet) -> PortSetView {
        let list = set
            .ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        PortSetView {
            name: Kql::comment_text(set.name.as_str()),
            ports: Kql::dynamic_array(set.ports.iter().map(|&p| Kql::int(p))),
            port_list: Kql::comment_text(&list),
        }
    }
}

/// What the template reads: every decision about the query's shape is made here, so that
/// the template only prints.
#[derive(Template)]
#[template(path = "internal-connections.kql")]
struct InternalConnectionsQuery {
    comments: bool,
    title: Kql,
    profile: Kql,
    platform: Kql,
    device: String,
    device_case_insensitive: bool,
    device_host_name: bool,
    device_condition: Kql,
    window: Kql,
    time: Kql,
    first_ipv4_address: bool,
    action_types: Comparison,
    excluded_processes: Option<Comparison>,
    unmap_ipv4: bool,
    private_only: bool,
    private_ranges: Vec<RangeView>,
    /// `IsPrivateAddress`, or `IsPrivateAddress == 1` as published.
    private_filter: Kql,
    excluded_account_names: Option<Comparison>,
    excluded_account_sids: Option<Comparison>,
    benign_port_sets: Vec<PortSetView>,
    kept_benign_port_sets: Vec<PortSetView>,
    /// The remote device is resolved for each connection (`resolve = nearest-before`), rather
    /// than for each address after the connections are summarized (as published).
    per_connection: bool,
    /// Only the reports of the addresses the device connected to are read
    /// (`lookup = connected-addresses`): the connections are a `let` read twice.
    restricted: bool,
    connection_columns: Vec<Kql>,
    /// How far back the address reports are read (`SearchWindow` and the lookback).
    report_window: Kql,
    /// The reports are read from before the window (`remote_device.lookback`).
    lookback: bool,
    /// The ranges that do not name a device, tested on each report (every report is read).
    excluded_ranges: Vec<RangeView>,
    /// The same ranges, tested once on each connected address (the lookup is restricted).
    connected_exclusions: Vec<RangeView>,
    address_columns: Vec<Kql>,
    /// The columns taken from the last connection to each remote device (per connection).
    last_connection_columns: Vec<Kql>,
    /// What identifies one connection, for the nearest report of its address.
    connection_key: Vec<Kql>,
    /// The condition a row must meet not to be a connection of the device to itself.
    not_self: Option<Kql>,
    result_columns: Vec<Kql>,
}

impl InternalConnectionsQuery {
    fn new(hunt: &InternalConnections, platform: &Platform) -> Result<Self, RenderError> {
        let time = Kql::ident(&platform.time_column);
        let filters = &hunt.filters;
        let remote = &hunt.remote_device;
        let output = &hunt.output.columns;
        let published = hunt.output.published_spelling;

        let per_connection = remote.resolve == Resolution::NearestBefore;
        let wants = |column: OutputColumn| output.contains(&column);
        // The device's name is carried under the name the result gives it: the published
        // `CompromisedDevice` hides the `let` of that name, so it is used only when asked for.
        let device_column = if wants(OutputColumn::CompromisedDevice) {
            OutputColumn::CompromisedDevice.name()
        } else {
            OutputColumn::CompromisedDeviceName.name()
        };
        let shape = if per_connection {
            Shape::per_connection(hunt, &time, device_column)
        } else {
            Shape::published(hunt, &time, device_column)
        };

        let result_columns = output
            .iter()
            .map(|&column| {
                let source = match column {
                    OutputColumn::RemoteDeviceName => shape.remote_name,
                    OutputColumn::RemoteDeviceId => shape.remote_id,
                    OutputColumn::CompromisedDevice | OutputColumn::CompromisedDeviceName => {
                        device_column
                    }
                    OutputColumn::LastConnectionTime | OutputColumn::Timestamp => {
                        shape.connection_time
                    }
                    other => other.name(),
                };
                let name = match column {
                    OutputColumn::Timestamp => time.clone(),
                    other => Kql::ident(other.name()),
                };
                if name.as_str() == source {
                    name
                } else {
                    Kql::assignment(&name, &Kql::ident(source))
                }
            })
            .collect();

        let action_types: Vec<&str> = hunt
            .search
            .action_types
            .iter()
            .map(|a| a.as_str())
            .collect();
        let any_case = filters.case_insensitive_names;
        let port_sets: Vec<PortSetView> = filters
            .benign_port_sets
            .iter()
            .map(PortSetView::new)
            .collect();
        let (benign_port_sets, kept_benign_port_sets) = if filters.benign_ports {
            (port_sets, Vec::new())
        } else {
            (Vec::new(), port_sets)
        };
        let ipv4_addresses_only = remote.addresses == AddressSelection::FirstIpv4;
        let restricted = remote.lookup == Lookup::ConnectedAddresses;
        let (excluded_ranges, connected_exclusions) =
            lookup_exclusions(&remote.excluded_ranges, remote.lookup, ipv4_addresses_only);
        let is_private = Kql::ident("IsPrivateAddress");

        Ok(InternalConnectionsQuery {
            comments: hunt.output.comments,
            title: Kql::comment_text(hunt.hunt.title.as_str()),
            profile: Kql::comment_text(hunt.hunt.name.as_str()),
            platform: Kql::comment_text(&platform.title),
            device: hunt.device.name.as_str().to_string(),
            device_case_insensitive: hunt.device.matching == DeviceMatch::CaseInsensitive,
            device_host_name: hunt.device.matching == DeviceMatch::HostName,
            device_condition: device_condition("DeviceName", hunt.device.matching),
            window: Kql::timespan(hunt.search.window.timespan()),
            time,
            first_ipv4_address: ipv4_addresses_only,
            action_types: Comparison::one_of(&action_types),
            // The published query writes `<>` here and `!=` for the account.
            excluded_processes: Comparison::none_of(
                &filters.excluded_processes,
                any_case,
                if published { "<>" } else { "!=" },
            ),
            unmap_ipv4: hunt.search.unmap_ipv4,
            private_only: filters.private_only,
            // Remote addresses of connections may be IPv6 whatever the profile says.
            private_ranges: filters
                .private_ranges
                .iter()
                .map(|r| RangeView::new(r, false))
                .collect(),
            // `ipv4_is_private` returns a bool; the published query compares it with 1.
            private_filter: if published {
                Kql::binary(&is_private, "==", &Kql::int(1))
            } else {
                is_private
            },
            excluded_account_names: Comparison::none_of(
                &filters.excluded_account_names,
                any_case,
                "!=",
            ),
            excluded_account_sids: Comparison::none_of(&filters.excluded_account_sids, false, "!="),
            benign_port_sets,
            kept_benign_port_sets,
            per_connection,
            restricted,
            connection_columns: shape.connection_columns,
            report_window: report_window(Kql::fixed("SearchWindow"), remote.lookback),
            lookback: !remote.lookback.is_zero(),
            excluded_ranges,
            connected_exclusions,
            address_columns: shape.address_columns,
            last_connection_columns: shape.last_connection_columns,
            connection_key: ["CompromisedDeviceId", "ConnectionTime", "ReportId"]
                .map(Kql::ident)
                .to_vec(),
            not_self: shape.not_self,
            result_columns,
        })
    }
}

/// What differs between the two ways of naming the remote device: the columns kept of each
/// connection and of each address report, and the columns the remote device and the time
/// of the last connection end up in.
struct Shape {
    connection_columns: Vec<Kql>,
    address_columns: Vec<Kql>,
    /// The columns taken from the last connection to each remote device (per connection).
    last_connection_columns: Vec<Kql>,
    not_self: Option<Kql>,
    remote_name: &'static str,
    remote_id: &'static str,
    connection_time: &'static str,
}

impl Shape {
    /// Every connection is kept and joined to the address reports; the best report names its
    /// remote device; then one row a remote address and device.
    fn per_connection(
        hunt: &InternalConnections,
        time: &Kql,
        device_column: &'static str,
    ) -> Shape {
        let event_columns: Vec<Kql> = hunt
            .output
            .columns
            .iter()
            .filter(|c| c.is_event_column() && **c != OutputColumn::ReportId)
            .map(|c| Kql::ident(c.name()))
            .collect();
        // What identifies a connection (device, time, ReportId), and what the result may take
        // from the last one.
        let mut connection_columns = vec![
            assign("ConnectionTime", time.clone()),
            Kql::ident("ReportId"),
            Kql::ident("RemoteIP"),
            Kql::ident("RemotePort"),
        ];
        connection_columns.extend(event_columns.iter().cloned());
        connection_columns.push(assign(device_column, Kql::ident("DeviceName")));
        connection_columns.push(assign("CompromisedDeviceId", Kql::ident("DeviceId")));
        let mut last_connection_columns = vec![Kql::ident("ReportId")];
        last_connection_columns.extend(event_columns);
        last_connection_columns.push(Kql::ident(device_column));
        let (remote_name, remote_id) = ("RemoteDeviceName", "RemoteDeviceId");
        Shape {
            connection_columns,
            address_columns: report_columns(time),
            last_connection_columns,
            not_self: self_condition(hunt, device_column, remote_name, remote_id),
            remote_name,
            remote_id,
            connection_time: "ConnectionTime",
        }
    }

    /// As published: the last connection to each address, then every device that reported
    /// the address.
    fn published(hunt: &InternalConnections, time: &Kql, device_column: &'static str) -> Shape {
        let output = &hunt.output.columns;
        let wants = |column: OutputColumn| output.contains(&column);
        let by_device_id = hunt.remote_device.exclude_self == SelfExclusion::ByDeviceId;
        let mut connection_columns = vec![Kql::ident("RemoteIP"), Kql::ident("ConnectedPorts")];
        connection_columns.extend(
            output
                .iter()
                .filter(|c| c.is_event_column())
                .map(|c| Kql::ident(c.name())),
        );
        connection_columns.push(assign(device_column, Kql::ident("DeviceName")));
        if by_device_id {
            connection_columns.push(assign("CompromisedDeviceId", Kql::ident("DeviceId")));
        }
        if wants(OutputColumn::LastConnectionTime) || wants(OutputColumn::Timestamp) {
            connection_columns.push(assign("LastConnectionTime", time.clone()));
        }
        let (remote_name, remote_id) = ("DeviceName", "DeviceId");
        let mut address_columns = vec![Kql::ident("IPAddress"), Kql::ident(remote_name)];
        if by_device_id || wants(OutputColumn::RemoteDeviceId) {
            address_columns.push(Kql::ident(remote_id));
        }
        Shape {
            connection_columns,
            address_columns,
            last_connection_columns: Vec::new(),
            not_self: self_condition(hunt, device_column, remote_name, remote_id),
            remote_name,
            remote_id,
            connection_time: "LastConnectionTime",
        }
    }
}

/// The condition that a row is not a connection of the device to itself, given the columns
/// that hold the device's name and the remote device's name and id; `None` when such
/// connections are kept.
fn self_condition(
    hunt: &InternalConnections,
    device_name: &str,
    remote_name: &str,
    remote_id: &str,
) -> Option<Kql> {
    match hunt.remote_device.exclude_self {
        SelfExclusion::Off => None,
        // As published: `not(CompromisedDevice == DeviceName)`, in any case unless the
        // device is matched exactly.
        SelfExclusion::ByName => Some(Kql::call(
            "not",
            [Kql::binary(
                &Kql::ident(device_name),
                if hunt.device.matching == DeviceMatch::Exact {
                    "=="
                } else {
                    "=~"
                },
                &Kql::ident(remote_name),
            )],
        )),
        SelfExclusion::ByDeviceId => Some(Kql::binary(
            &Kql::ident("CompromisedDeviceId"),
            "!=",
            &Kql::ident(remote_id),
        )),
    }
}

#[cfg(test)]
mod tests {
    use kqlsmith_lint::Platform;

    use crate::model::Hunt;
    use crate::profile::{self, Override};
    use crate::render::test_support::code_lines;
    use crate::render::{RenderError, check, file_name, render, template_text};

    fn hunt(changes: &[(&str, &str)]) -> Hunt {
        let overrides: Vec<Override> = changes
            .iter()
            .map(|(key, value)| Override::new(*key, *value, "test"))
            .collect();
        profile::load_default(&overrides).unwrap()
    }

    fn classic(changes: &[(&str, &str)]) -> Hunt {
        let overrides: Vec<Override> = changes
            .iter()
            .map(|(key, value)| Override::new(*key, *value, "test"))
            .collect();
        let text = include_str!("../../data/hunts/internal-connections-classic.toml");
        profile::load(text, "classic", &overrides).unwrap()
    }

    fn defender() -> Platform {
        Platform::builtin("defender").unwrap()
    }

    /// The template's text for Defender; the rendered query is checked too.
    fn query(hunt: &Hunt) -> String {
        render(hunt, &defender()).unwrap();
        template_text(hunt, &defender()).unwrap()
    }

    fn has_line(text: &str, line: &str) -> bool {
        code_lines(text).contains(&line)
    }

    #[test]
    fn each_platform_uses_its_own_time_column_only() {
        for hunt in [hunt(&[]), classic(&[])] {
            let defender = render(&hunt, &defender()).unwrap();
            let sentinel = render(&hunt, &Platform::builtin("sentinel").unwrap()).unwrap();
            assert!(defender.contains("| where Timestamp > ago(SearchWindow)"));
            assert!(!defender.contains("TimeGenerated"));
            assert!(sentinel.contains("| where TimeGenerated > ago(SearchWindow)"));
            assert!(
                !code_lines(&sentinel)
                    .iter()
                    .any(|l| l.contains("Timestamp"))
            );
            // The platforms differ in the time column and the title comment only.
            let same = |text: &str| {
                code_lines(text)
                    .iter()
                    .map(|l| l.replace("TimeGenerated", "Timestamp"))
                    .collect::<Vec<_>>()
            };
            assert_eq!(same(&defender), same(&sentinel));
        }
    }

    #[test]
    fn the_device_comes_first_as_a_let() {
        let text = query(&hunt(&[
            ("output.comments", "false"),
            ("device.name", "ws-042"),
        ]));
        assert_eq!(
            text.lines().next(),
            Some(r#"let CompromisedDevice = "ws-042";"#)
        );
        assert!(!text.contains("//"));
        assert!(text.ends_with("CompromisedDeviceName, Timestamp = ConnectionTime, ReportId\n"));
    }

    #[test]
    fn the_device_match_mode_chooses_the_comparison() {
        let line = |mode| {
            let text = query(&hunt(&[("device.match", mode)]));
            code_lines(&text)
                .into_iter()
                .find(|l| l.starts_with("| where DeviceName"))
                .unwrap()
                .to_string()
        };
        assert_eq!(line("exact"), "| where DeviceName == CompromisedDevice");
        assert_eq!(
            line("case-insensitive"),
            "| where DeviceName =~ CompromisedDevice"
        );
        assert_eq!(
            line("host-name"),
            r#"| where DeviceName =~ CompromisedDevice or DeviceName startswith strcat(CompromisedDevice, ".")"#
        );
    }

    #[test]
    fn exclusions_pick_their_operator_from_count_and_case() {
        let text = query(&hunt(&[
            ("filters.excluded_processes", "a.exe,b.exe"),
            ("filters.excluded_account_names", "local service"),
            ("filters.excluded_account_sids", "S-1-5-19,S-1-5-20"),
        ]));
        assert!(has_line(
            &text,
            r#"| where InitiatingProcessFileName !in~ ("a.exe", "b.exe")"#
        ));
        assert!(has_line(
            &text,
            r#"| where InitiatingProcessAccountName !~ "local service""#
        ));
        assert!(has_line(
            &text,
            r#"| where InitiatingProcessAccountSid !in ("S-1-5-19", "S-1-5-20")"#
        ));
        let text = query(&hunt(&[
            ("filters.case_insensitive_names", "false"),
            ("filters.excluded_processes", "a.exe,b.exe"),
            ("filters.excluded_account_names", "local service"),
        ]));
        assert!(has_line(
            &text,
            r#"| where InitiatingProcessFileName !in ("a.exe", "b.exe")"#
        ));
        assert!(has_line(
            &text,
            r#"| where InitiatingProcessAccountName != "local service""#
        ));
        let text = query(&hunt(&[
            ("filters.excluded_processes", ""),
            ("filters.excluded_account_sids", ""),
        ]));
        assert!(!text.contains("InitiatingProcessFileName"));
        assert!(!text.contains("| where InitiatingProcessAccountSid"));
    }

    #[test]
    fn several_action_types_are_a_list() {
        let text = query(&hunt(&[(
            "search.action_types",
            "ConnectionSuccess,ConnectionFailed",
        )]));
        assert!(has_line(
            &text,
            r#"| where ActionType in ("ConnectionSuccess", "ConnectionFailed")"#
        ));
    }

    #[test]
    fn benign_ports_are_a_set_difference_when_on() {
        let filter =
            "| where array_length(set_difference(ConnectedPorts, dynamic([8008, 8009]))) > 0";
        let off = query(&hunt(&[]));
        assert!(!off.contains("set_difference"));
        assert!(
            off.contains("// Known benign, kept: Microsoft Edge media casting (ports 8008, 8009)")
        );
        let on = query(&hunt(&[("filters.benign_ports", "true")]));
        assert!(has_line(&on, filter));
        assert!(!on.contains("Known benign, kept"));
        // Right after the ports are gathered, where ConnectedPorts exists whatever the output
        // columns: per remote device, or per address before the join as published.
        assert!(on.find("ConnectedPorts = make_set").unwrap() < on.find(filter).unwrap());
        assert!(on.find(filter).unwrap() < on.find("| project RemoteIP, ").unwrap());
        let published = query(&hunt(&[
            ("filters.benign_ports", "true"),
            ("remote_device.resolve", "any-in-window"),
        ]));
        assert!(has_line(&published, filter));
        assert!(published.find(filter).unwrap() < published.find("| join").unwrap());
    }

    #[test]
    fn private_addresses_include_the_extra_ranges() {
        let text = query(&hunt(&[(
            "filters.private_ranges",
            "fc00::/7,100.64.0.0/10",
        )]));
        assert!(has_line(
            &text,
            r#"| extend IsPrivateAddress = ipv4_is_private(RemoteIP) or ipv6_is_match(RemoteIP, "fc00::/7") or ipv6_is_match(RemoteIP, "100.64.0.0/10")"#
        ));
        let text = query(&hunt(&[("filters.private_only", "false")]));
        assert!(!text.contains("IsPrivateAddress"));
    }

    #[test]
    fn the_lookup_reads_only_the_reports_of_connected_addresses() {
        let text = query(&hunt(&[]));
        // The connections are read once and give the addresses to look up, without the
        // ranges that name no device (tested once an address).
        for line in [
            "let Connections = materialize(DeviceNetworkEvents",
            "CompromisedDeviceId = DeviceId);",
            "let ConnectedAddresses = Connections",
            r#"| where not(ipv6_is_match(RemoteIP, "169.254.0.0/16"))"#,
            r#"| where not(ipv6_is_match(RemoteIP, "fe80::/10"));"#,
        ] {
            assert!(has_line(&text, line), "{line}");
        }
        assert!(!text.contains("ipv6_is_match(IPAddress"));
        // Terms of the raw column first, past 10,000 addresses every report; then the exact
        // addresses after the expansion.
        assert!(has_line(
            &text,
            "let LookUpEveryReport = toscalar(ConnectedAddresses | count) > 10000;"
        ));
        let terms = "| where LookUpEveryReport or IPAddresses has_any (ConnectedAddresses)";
        let expand = "| mv-expand NetworkAddress = todynamic(IPAddresses)";
        let exact = "| where IPAddress in (ConnectedAddresses)";
        for line in [terms, expand, exact] {
            assert!(has_line(&text, line), "{line}");
        }
        assert!(text.find(terms) < text.find(expand) && text.find(expand) < text.find(exact));

        // Every report: the ranges tested on each report, and no addresses to look up; the
        // connections stay a let, read once by each way of naming the remote device.
        let every = query(&hunt(&[("remote_device.lookup", "every-report")]));
        assert!(!every.contains("has_any"));
        assert!(!every.contains("ConnectedAddresses"));
        assert!(has_line(
            &every,
            r#"| where not(ipv6_is_match(IPAddress, "169.254.0.0/16"))"#
        ));
        assert!(has_line(
            &every,
            "let Connections = materialize(DeviceNetworkEvents"
        ));
        // As published (every report, any holder in the window): no let at all.
        let published = query(&hunt(&[
            ("remote_device.lookup", "every-report"),
            ("remote_device.resolve", "any-in-window"),
        ]));
        assert!(!published.contains("let Connections"));
        assert!(code_lines(&published).contains(&"DeviceNetworkEvents"));

        // The published shape, restricted: the summarized connections are the let.
        let published = query(&hunt(&[("remote_device.resolve", "any-in-window")]));
        assert!(has_line(&published, terms));
        assert!(has_line(&published, exact));
        assert!(has_line(&published, "| join kind=inner (DeviceNetworkInfo"));
        assert!(
            published
                .find("ConnectedPorts = make_set(RemotePort) by RemoteIP")
                .unwrap()
                < published.find("let ConnectedAddresses").unwrap()
        );
    }

    #[test]
    fn nearest_before_meets_each_holders_turn_unless_holders_overlap() {
        for lookup in ["connected-addresses", "every-report"] {
            let text = query(&hunt(&[("remote_device.lookup", lookup)]));
            for line in [
                "let AddressReports = materialize(DeviceNetworkInfo",
                "| distinct IPAddress, RemoteDeviceName = DeviceName, RemoteDeviceId = DeviceId, ReportTime = Timestamp);",
                "let Holdings = materialize(AddressReports",
                "| summarize FirstReport = min(ReportTime), LastReport = max(ReportTime) by IPAddress, RemoteDeviceName, RemoteDeviceId);",
                "let HolderPairs = materialize(Holdings",
                "let SharedAddresses = HolderPairs",
                "| where IsOther and FirstReport <= OtherLastReport and OtherFirstReport <= LastReport",
                // A turn runs from the holder's first report to the next holder's first.
                "let Turns = HolderPairs",
                "| where IPAddress !in (SharedAddresses)",
                "| summarize EarlierHolders = countif(IsOther and OtherFirstReport < FirstReport), LaterHolders = countif(IsOther and OtherFirstReport > FirstReport), NextHolderReport = min(iff(IsOther and OtherFirstReport > FirstReport, OtherFirstReport, datetime(9999-12-31))) by IPAddress, RemoteDeviceName, RemoteDeviceId, FirstReport;",
                // Each connection meets the turn it falls in ...
                "union (Connections",
                "| lookup kind=inner Turns on $left.RemoteIP == $right.IPAddress",
                "| where EarlierHolders == 0 or ConnectionTime >= FirstReport",
                "| where LaterHolders == 0 or ConnectionTime < NextHolderReport),",
                // ... or, at an address two devices reported at once, every report of it.
                "| where RemoteIP in (SharedAddresses)",
                "| lookup kind=inner (AddressReports | where IPAddress in (SharedAddresses)) on $left.RemoteIP == $right.IPAddress",
            ] {
                assert!(has_line(&text, line), "{lookup}: {line}");
            }
            // The lets are defined before the query reads them.
            assert!(text.find("let Turns").unwrap() < text.find("union (Connections").unwrap());
        }
        // Any holder in the window needs no turns.
        let text = query(&hunt(&[("remote_device.resolve", "any-in-window")]));
        assert!(!text.contains("Holdings"));
        assert!(!text.contains("Turns"));
    }

    #[test]
    fn remote_addresses_are_expanded_or_taken_by_regex() {
        let all = query(&hunt(&[("remote_device.lookup", "every-report")]));
        assert!(has_line(
            &all,
            "| mv-expand NetworkAddress = todynamic(IPAddresses)"
        ));
        assert!(has_line(
            &all,
            "| extend IPAddress = tostring(NetworkAddress.IPAddress)"
        ));
        assert!(has_line(
            &all,
            r#"| where not(ipv6_is_match(IPAddress, "169.254.0.0/16"))"#
        ));
        assert!(!all.contains("IPRegex"));
        let first = query(&hunt(&[
            ("remote_device.addresses", "first-ipv4"),
            ("remote_device.lookup", "every-report"),
        ]));
        assert!(has_line(
            &first,
            "| extend IPAddress = extract(IPRegex, 0, tostring(IPAddresses))"
        ));
        // IPv4 ranges keep the IPv4 function only where every address tested is IPv4.
        assert!(has_line(
            &first,
            r#"| where not(ipv4_is_in_range(IPAddress, "169.254.0.0/16"))"#
        ));
        assert!(has_line(
            &first,
            r#"| where not(ipv6_is_match(IPAddress, "fe80::/10"))"#
        ));
    }

    #[test]
    fn nearest_before_names_the_remote_device_of_each_connection() {
        let text = query(&hunt(&[]));
        // Every connection is kept, with what identifies it.
        for line in [
            "ConnectionTime = Timestamp,",
            "ReportId,",
            "RemotePort,",
            "CompromisedDeviceName = DeviceName,",
            "CompromisedDeviceId = DeviceId);",
        ] {
            assert!(has_line(&text, line), "{line}");
        }
        assert!(has_line(
            &text,
            "| where Timestamp > ago(SearchWindow + 1d)"
        ));
        assert!(has_line(
            &text,
            "| distinct IPAddress, RemoteDeviceName = DeviceName, RemoteDeviceId = DeviceId, ReportTime = Timestamp);"
        ));
        // The last report before the connection, else the first after it.
        assert!(has_line(
            &text,
            "| extend ReportRank = iff(ReportTime <= ConnectionTime, ConnectionTime - ReportTime, 36500d + (ReportTime - ConnectionTime))"
        ));
        assert!(has_line(
            &text,
            "| summarize arg_min(ReportRank, *) by CompromisedDeviceId, ConnectionTime, ReportId"
        ));
        // Then one row a remote address and device.
        assert!(has_line(
            &text,
            "| summarize arg_max(ConnectionTime, ReportId, RemoteUrl, InitiatingProcessAccountSid, InitiatingProcessAccountUpn, CompromisedDeviceName), ConnectedPorts = make_set(RemotePort) by RemoteIP, RemoteDeviceName, RemoteDeviceId"
        ));
        // The published shape summarizes by address first, and joins every holder.
        let text = query(&hunt(&[
            ("remote_device.resolve", "any-in-window"),
            ("remote_device.lookback", "0d"),
            ("remote_device.exclude_self", "by-name"),
            ("output.columns", "RemoteIP,RemoteDeviceName"),
        ]));
        assert!(has_line(
            &text,
            "| summarize arg_max(Timestamp, *), ConnectedPorts = make_set(RemotePort) by RemoteIP"
        ));
        assert!(has_line(&text, "| where Timestamp > ago(SearchWindow)"));
        assert!(has_line(&text, "| distinct IPAddress, DeviceName)"));
        assert!(!text.contains("LastConnectionTime"));
        assert!(!text.contains("ReportRank"));
        assert!(has_line(
            &text,
            "| where not(CompromisedDeviceName =~ DeviceName)"
        ));
    }

    #[test]
    fn self_exclusion_compares_the_device_with_the_remote_device() {
        let text = query(&hunt(&[("remote_device.exclude_self", "by-device-id")]));
        assert!(has_line(
            &text,
            "| where CompromisedDeviceId != RemoteDeviceId"
        ));
        let text = query(&hunt(&[("remote_device.exclude_self", "by-name")]));
        assert!(has_line(
            &text,
            "| where not(CompromisedDeviceName =~ RemoteDeviceName)"
        ));
        let text = query(&hunt(&[
            ("remote_device.exclude_self", "by-name"),
            ("device.match", "exact"),
        ]));
        assert!(has_line(
            &text,
            "| where not(CompromisedDeviceName == RemoteDeviceName)"
        ));
        let text = query(&hunt(&[("remote_device.exclude_self", "off")]));
        assert!(!text.contains("| where CompromisedDeviceId"));
        assert!(!text.contains("not(CompromisedDevice"));
        // As published, on the columns of the join.
        let published = |exclusion| {
            query(&hunt(&[
                ("remote_device.resolve", "any-in-window"),
                ("remote_device.exclude_self", exclusion),
            ]))
        };
        let text = published("by-device-id");
        assert!(has_line(&text, "CompromisedDeviceId = DeviceId,"));
        assert!(has_line(&text, "| where CompromisedDeviceId != DeviceId"));
        let text = published("off");
        assert!(!text.contains("CompromisedDeviceId"));
    }

    #[test]
    fn output_columns_are_projected_in_order() {
        let text = query(&hunt(&[(
            "output.columns",
            "CompromisedDeviceName,RemoteDeviceId,InitiatingProcessFileName,RemoteIP,LastConnectionTime",
        )]));
        let last = code_lines(&text).last().copied().unwrap();
        assert_eq!(
            last,
            "| project CompromisedDeviceName, RemoteDeviceId, InitiatingProcessFileName, RemoteIP, LastConnectionTime = ConnectionTime"
        );
        assert!(has_line(&text, "InitiatingProcessFileName,"));
        let text = query(&hunt(&[
            ("remote_device.resolve", "any-in-window"),
            (
                "output.columns",
                "CompromisedDeviceName,RemoteDeviceId,InitiatingProcessFileName,RemoteIP,Timestamp",
            ),
        ]));
        let last = code_lines(&text).last().copied().unwrap();
        assert_eq!(
            last,
            "| project CompromisedDeviceName, RemoteDeviceId = DeviceId, InitiatingProcessFileName, RemoteIP, Timestamp = LastConnectionTime"
        );
    }

    #[test]
    fn the_device_column_takes_the_published_name_only_when_asked() {
        // `CompromisedDevice` as a column hides the `let` of that name from there on.
        let uses_of_the_let = |text: &str| -> Vec<String> {
            code_lines(text)
                .into_iter()
                .filter(|line| {
                    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .any(|word| word == "CompromisedDevice")
                })
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            uses_of_the_let(&query(&hunt(&[]))),
            [
                r#"let CompromisedDevice = "compromiseddevice";"#,
                r#"| where DeviceName =~ CompromisedDevice or DeviceName startswith strcat(CompromisedDevice, ".")"#,
            ]
        );
        for resolve in ["nearest-before", "any-in-window"] {
            let text = query(&hunt(&[
                ("remote_device.resolve", resolve),
                ("remote_device.exclude_self", "by-name"),
                (
                    "output.columns",
                    "RemoteIP,CompromisedDevice,CompromisedDeviceName",
                ),
            ]));
            assert!(
                text.contains("     CompromisedDevice = DeviceName"),
                "{resolve}"
            );
            assert!(
                text.contains("| where not(CompromisedDevice =~ "),
                "{resolve}"
            );
            assert_eq!(
                code_lines(&text).last().copied().unwrap(),
                "| project RemoteIP, CompromisedDevice, CompromisedDeviceName = CompromisedDevice",
                "{resolve}"
            );
        }
    }

    #[test]
    fn published_spelling_compares_the_bool_with_one_and_writes_angle_brackets() {
        let plain = query(&hunt(&[("filters.case_insensitive_names", "false")]));
        assert!(has_line(&plain, "| where IsPrivateAddress"));
        assert!(has_line(
            &plain,
            r#"| where InitiatingProcessFileName != "sensendr.exe""#
        ));
        let published = query(&hunt(&[
            ("filters.case_insensitive_names", "false"),
            ("output.published_spelling", "true"),
        ]));
        assert!(has_line(&published, "| where IsPrivateAddress == 1"));
        assert!(has_line(
            &published,
            r#"| where InitiatingProcessFileName <> "sensendr.exe""#
        ));
        // A comparison in any case has no published spelling.
        let any_case = query(&hunt(&[("output.published_spelling", "true")]));
        assert!(has_line(
            &any_case,
            r#"| where InitiatingProcessFileName !~ "sensendr.exe""#
        ));
    }

    #[test]
    fn a_time_column_that_is_not_a_plain_name_is_quoted() {
        let platform = Platform::from_toml(
            "name = \"custom\"\ntitle = \"Custom\\nworkspace\"\ntime_column = \"Event Time\"\n",
            "custom.toml",
        )
        .unwrap();
        let text = render(&hunt(&[]), &platform).unwrap();
        assert!(has_line(
            &text,
            r#"| where ["Event Time"] > ago(SearchWindow)"#
        ));
        // A line break in the platform's title cannot end the comment it is printed in.
        assert!(text.contains("for Custom workspace."));
    }

    #[test]
    fn a_query_the_parser_rejects_is_an_error_with_its_text() {
        let broken = "let CompromisedDevice = \"x\";\nDeviceNetworkEvents\n| where\n".to_string();
        let Err(RenderError::Unparsable {
            platform,
            query,
            error,
        }) = check(broken.clone(), &defender())
        else {
            panic!("the broken query was accepted")
        };
        assert_eq!(platform, "defender");
        assert_eq!(query, broken);
        assert_eq!(error.line, 4);
        let good = query_of_default();
        assert_eq!(check(good.clone(), &defender()).unwrap(), good);
    }

    fn query_of_default() -> String {
        render(&hunt(&[]), &defender()).unwrap()
    }

    #[test]
    fn unusable_platforms_are_errors() {
        let mut platform = defender();
        platform.time_column = " ".into();
        assert!(matches!(
            render(&hunt(&[]), &platform),
            Err(RenderError::Platform { .. })
        ));
        platform.name = "../x".into();
        assert!(matches!(
            file_name(&hunt(&[]), &platform),
            Err(RenderError::Platform { .. })
        ));
        assert_eq!(
            file_name(&hunt(&[]), &defender()).unwrap(),
            "internal-connections.defender.kql"
        );
    }
}
