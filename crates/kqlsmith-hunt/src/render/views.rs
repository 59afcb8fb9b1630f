//! View pieces every hunt's template uses: comparisons against value lists, address ranges,
//! the device-name condition and assignments. Each turns typed values into [`Kql`] fragments,
//! so templates never see raw profile text.

use crate::cidr::Cidr;
use crate::kql::Kql;
use crate::model::DeviceMatch;
use crate::model::internal_connections::Lookup;
use crate::timespan::Timespan;

/// `column op operand`, where the operand is one value or a list: `== "ConnectionSuccess"`,
/// `!in~ ("a.exe", "b.exe")`.
pub(super) struct Comparison {
    pub(super) operator: Kql,
    pub(super) operand: Kql,
}

impl Comparison {
    /// Keeps rows whose column is one of `values`.
    pub(super) fn one_of<S: AsRef<str>>(values: &[S]) -> Comparison {
        Comparison {
            operator: Kql::fixed(if values.len() == 1 { "==" } else { "in" }),
            operand: operand(values),
        }
    }

    /// Leaves out rows whose column is one of `values`; `None` when there are none.
    /// `not_equal` is the operator for one value compared exactly (the published query
    /// writes `<>` in one place and `!=` in another).
    pub(super) fn none_of<S: AsRef<str>>(
        values: &[S],
        any_case: bool,
        not_equal: &'static str,
    ) -> Option<Comparison> {
        let operator = match (values.len(), any_case) {
            (0, _) => return None,
            (1, false) => not_equal,
            (1, true) => "!~",
            (_, false) => "!in",
            (_, true) => "!in~",
        };
        Some(Comparison {
            operator: Kql::fixed(operator),
            operand: operand(values),
        })
    }
}

/// One value as a string literal, several as a parenthesised list.
fn operand<S: AsRef<str>>(values: &[S]) -> Kql {
    match values {
        [value] => Kql::string(value.as_ref()),
        _ => Kql::list(values.iter().map(|v| Kql::string(v.as_ref()))),
    }
}

/// An address range and the function that tests an address against it.
pub(super) struct RangeView {
    pub(super) function: Kql,
    pub(super) literal: String,
    pub(super) comment: Kql,
}

impl RangeView {
    /// `ipv4_is_in_range` where every address tested is IPv4 (as published), else
    /// `ipv6_is_match`, which takes IPv4 and IPv6 addresses and ranges alike.
    pub(super) fn new(range: &Cidr, ipv4_addresses_only: bool) -> RangeView {
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

/// Where the ranges that do not name a device are tested, by which reports the lookup reads:
/// on each report's address when every report is read, once on each connected address when
/// only those are (`connected`; connected addresses may be IPv6 whatever the profile looks
/// up). Returns the ranges tested on reports, then those tested on connected addresses.
pub(super) fn lookup_exclusions(
    ranges: &[Cidr],
    lookup: Lookup,
    ipv4_addresses_only: bool,
) -> (Vec<RangeView>, Vec<RangeView>) {
    let views = |ipv4_only: bool| {
        ranges
            .iter()
            .map(|r| RangeView::new(r, ipv4_only))
            .collect()
    };
    match lookup {
        Lookup::ConnectedAddresses => (Vec::new(), views(false)),
        Lookup::EveryReport => (views(ipv4_addresses_only), Vec::new()),
    }
}

/// The columns kept of each address report when the remote device is named for each
/// connection: the address, the device that reported it and when (`time`).
pub(super) fn report_columns(time: &Kql) -> Vec<Kql> {
    vec![
        Kql::ident("IPAddress"),
        assign("RemoteDeviceName", Kql::ident("DeviceName")),
        assign("RemoteDeviceId", Kql::ident("DeviceId")),
        assign("ReportTime", time.clone()),
    ]
}

/// How far back the `DeviceNetworkInfo` reports are read: the query's own window (`SearchWindow`,
/// plus `BaselineWindow` where the query looks before it) and the profile's lookback, which
/// finds who held an address since before that window.
pub(super) fn report_window(window: Kql, lookback: Timespan) -> Kql {
    if lookback.is_zero() {
        window
    } else {
        Kql::binary(&window, "+", &Kql::timespan(lookback))
    }
}

/// The condition that `column` names the device under investigation (held in the
/// `CompromisedDevice` variable), matched as the profile says.
pub(super) fn device_condition(column: &str, matching: DeviceMatch) -> Kql {
    let column = Kql::ident(column);
    let device = Kql::fixed("CompromisedDevice");
    match matching {
        DeviceMatch::Exact => Kql::binary(&column, "==", &device),
        DeviceMatch::CaseInsensitive => Kql::binary(&column, "=~", &device),
        DeviceMatch::HostName => Kql::binary(
            &Kql::binary(&column, "=~", &device),
            "or",
            &Kql::binary(
                &column,
                "startswith",
                &Kql::call("strcat", [device.clone(), Kql::string(".")]),
            ),
        ),
    }
}

/// `name = value`.
pub(super) fn assign(name: &str, value: Kql) -> Kql {
    Kql::assignment(&Kql::ident(name), &value)
}
