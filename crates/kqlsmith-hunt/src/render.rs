//! Rendering a hunt into one platform's KQL: the view the template reads, computed from the
//! typed model and the platform, and the askama template itself
//! (`templates/internal-connections.kql`).

use askama::Template;
use kqlsmith_lint::Platform;

use crate::cidr::Cidr;
use crate::kql::{Kql, filters};
use crate::model::{
    AddressSelection, DeviceMatch, InternalConnections, OutputColumn, PortSet, Resolution,
    SelfExclusion,
};

/// Why a query could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("platform `{platform}` cannot be used: {message}")]
    Platform { platform: String, message: String },
    #[error("the template failed: {0}")]
    Template(#[from] askama::Error),
}

/// Renders `hunt` into the KQL of `platform`. The text ends with one line break.
pub fn render(hunt: &InternalConnections, platform: &Platform) -> Result<String, RenderError> {
    let query = InternalConnectionsQuery::new(hunt, platform)?.render()?;
    // Each block of the template brings its own leading line break (see the template's
    // header), so the text starts with one when the first block is printed.
    Ok(format!("{}\n", query.trim_start_matches('\n').trim_end()))
}

/// The file a rendered query is written to: `<hunt>.<platform>.kql`.
pub fn file_name(hunt: &InternalConnections, platform: &Platform) -> Result<String, RenderError> {
    check_platform_name(platform)?;
    Ok(format!("{}.{}.kql", hunt.hunt.name, platform.name))
}

/// A platform's name ends up in file names: keep it to letters, digits, `-` and `_`.
fn check_platform_name(platform: &Platform) -> Result<(), RenderError> {
    let ok = !platform.name.is_empty()
        && platform
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(RenderError::Platform {
            platform: platform.name.clone(),
            message: "its name must be letters, digits, `-` and `_` only".to_string(),
        })
    }
}

/// `column op operand`, where the operand is one value or a list: `== "ConnectionSuccess"`,
/// `!in~ ("a.exe", "b.exe")`.
struct Comparison {
    operator: Kql,
    operand: Kql,
}

impl Comparison {
    /// Keeps rows whose column is one of `values`.
    fn one_of(values: &[&str]) -> Comparison {
        if let [value] = values {
            Comparison {
                operator: Kql::fixed("=="),
                operand: Kql::string(value),
            }
        } else {
            Comparison {
                operator: Kql::fixed("in"),
                operand: Kql::list(values.iter().map(|v| Kql::string(v))),
            }
        }
    }

    /// Leaves out rows whose column is one of `values`; `None` when there are none.
    /// `not_equal` is the operator for one value compared exactly (the published query
    /// writes `<>` in one place and `!=` in another).
    fn none_of(values: &[&str], any_case: bool, not_equal: &'static str) -> Option<Comparison> {
        let operator = match (values.len(), any_case) {
            (0, _) => return None,
            (1, false) => not_equal,
            (1, true) => "!~",
            (_, false) => "!in",
            (_, true) => "!in~",
        };
        let operand = match values {
            [value] => Kql::string(value),
            _ => Kql::list(values.iter().map(|v| Kql::string(v))),
        };
        Some(Comparison {
            operator: Kql::fixed(operator),
            operand,
        })
    }
}

/// An address range and the function that tests an address against it.
struct RangeView {
    function: Kql,
    literal: String,
    comment: Kql,
}

impl RangeView {
    /// `ipv4_is_in_range` where every address tested is IPv4 (as published), else
    /// `ipv6_is_match`, which takes IPv4 and IPv6 addresses and ranges alike.
    fn new(range: &Cidr, ipv4_addresses_only: bool) -> RangeView {
        let function = if ipv4_addresses_only && range.is_ipv4() {
            "ipv4_is_in_range"
        } else {
            "ipv6_is_match"
        };
        RangeView {
            function: Kql::fixed(function),
            literal: range.to_string(),
            comment: Kql::comment_text(&range.to_string()),
        }
    }
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
    device_exact: bool,
    device_case_insensitive: bool,
    device_host_name: bool,
    window: Kql,
    time: Kql,
    first_ipv4_address: bool,
    action_types: Comparison,
    excluded_processes: Option<Comparison>,
    unmap_ipv4: bool,
    private_only: bool,
    private_ranges: Vec<RangeView>,
    excluded_account_names: Option<Comparison>,
    excluded_account_sids: Option<Comparison>,
    benign_port_sets: Vec<PortSetView>,
    kept_benign_port_sets: Vec<PortSetView>,
    connection_columns: Vec<Kql>,
    lookback: Option<Kql>,
    excluded_ranges: Vec<RangeView>,
    address_columns: Vec<Kql>,
    nearest_before: bool,
    self_by_name: bool,
    self_by_device_id: bool,
    name_equals: Kql,
    result_columns: Vec<Kql>,
}

impl InternalConnectionsQuery {
    fn new(hunt: &InternalConnections, platform: &Platform) -> Result<Self, RenderError> {
        if platform.time_column.trim().is_empty() {
            return Err(RenderError::Platform {
                platform: platform.name.clone(),
                message: "its time_column is empty".to_string(),
            });
        }
        let time = Kql::ident(&platform.time_column);
        let filters = &hunt.filters;
        let remote = &hunt.remote_device;
        let output = &hunt.output.columns;

        let nearest_before = remote.resolve == Resolution::NearestBefore;
        let by_device_id = remote.exclude_self == SelfExclusion::ByDeviceId;
        let wants = |column: OutputColumn| output.contains(&column);
        let keep_connection_time = nearest_before || wants(OutputColumn::LastConnectionTime);
        let keep_remote_device_id = by_device_id || wants(OutputColumn::RemoteDeviceId);

        // The columns kept from the last connection to each address, in the published order:
        // the address, its ports, the event columns of the result, then the device.
        let mut connection_columns = vec![Kql::ident("RemoteIP"), Kql::ident("ConnectedPorts")];
        connection_columns.extend(
            output
                .iter()
                .filter(|c| c.is_event_column())
                .map(|c| Kql::ident(c.name())),
        );
        connection_columns.push(assign("CompromisedDevice", Kql::ident("DeviceName")));
        if by_device_id {
            connection_columns.push(assign("CompromisedDeviceId", Kql::ident("DeviceId")));
        }
        if keep_connection_time {
            connection_columns.push(assign("LastConnectionTime", time.clone()));
        }

        // The columns of each address report.
        let mut address_columns = vec![Kql::ident("IPAddress"), Kql::ident("DeviceName")];
        if keep_remote_device_id {
            address_columns.push(Kql::ident("DeviceId"));
        }
        if nearest_before {
            address_columns.push(time.clone());
        }

        let result_columns = output
            .iter()
            .map(|&column| match column {
                OutputColumn::RemoteDeviceName => assign(column.name(), Kql::ident("DeviceName")),
                OutputColumn::RemoteDeviceId => assign(column.name(), Kql::ident("DeviceId")),
                _ => Kql::ident(column.name()),
            })
            .collect();

        let action_types: Vec<&str> = hunt
            .search
            .action_types
            .iter()
            .map(|a| a.as_str())
            .collect();
        let texts = |values: &[crate::model::Text]| -> Vec<String> {
            values.iter().map(|v| v.as_str().to_string()).collect()
        };
        let processes = texts(&filters.excluded_processes);
        let account_names = texts(&filters.excluded_account_names);
        let account_sids: Vec<&str> = filters
            .excluded_account_sids
            .iter()
            .map(|s| s.as_str())
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

        Ok(InternalConnectionsQuery {
            comments: hunt.output.comments,
            title: Kql::comment_text(hunt.hunt.title.as_str()),
            profile: Kql::comment_text(hunt.hunt.name.as_str()),
            platform: Kql::comment_text(&platform.title),
            device: hunt.device.name.as_str().to_string(),
            device_exact: hunt.device.matching == DeviceMatch::Exact,
            device_case_insensitive: hunt.device.matching == DeviceMatch::CaseInsensitive,
            device_host_name: hunt.device.matching == DeviceMatch::HostName,
            window: Kql::timespan(hunt.search.window),
            time,
            first_ipv4_address: ipv4_addresses_only,
            action_types: Comparison::one_of(&action_types),
            excluded_processes: Comparison::none_of(&strs(&processes), any_case, "<>"),
            unmap_ipv4: hunt.search.unmap_ipv4,
            private_only: filters.private_only,
            // Remote addresses of connections may be IPv6 whatever the profile says.
            private_ranges: filters
                .private_ranges
                .iter()
                .map(|r| RangeView::new(r, false))
                .collect(),
            excluded_account_names: Comparison::none_of(&strs(&account_names), any_case, "!="),
            excluded_account_sids: Comparison::none_of(&account_sids, false, "!="),
            benign_port_sets,
            kept_benign_port_sets,
            connection_columns,
            lookback: (!remote.lookback.is_zero()).then(|| Kql::timespan(remote.lookback)),
            excluded_ranges: remote
                .excluded_ranges
                .iter()
                .map(|r| RangeView::new(r, ipv4_addresses_only))
                .collect(),
            address_columns,
            nearest_before,
            self_by_name: remote.exclude_self == SelfExclusion::ByName,
            self_by_device_id: by_device_id,
            name_equals: Kql::fixed(if hunt.device.matching == DeviceMatch::Exact {
                "=="
            } else {
                "=~"
            }),
            result_columns,
        })
    }
}

/// `name = value`.
fn assign(name: &str, value: Kql) -> Kql {
    Kql::assignment(&Kql::ident(name), &value)
}

fn strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}
