//! When a scheduled rule runs and how far back it reads, in the duration forms rule files use:
//! ISO 8601 (`PT12H`, `P2D`) for Microsoft Graph and ARM templates, and the short form of the
//! Azure-Sentinel repository's YAML (`12h`, `2d`).
//!
//! Before a hunt becomes a scheduled rule, [`check`] refuses what the platform would refuse
//! or what could never work: a device-scoped hunt still naming the placeholder device, a
//! Defender XDR query without `Timestamp` and `ReportId`, a Sentinel rule that runs
//! continuously or reads more than Sentinel allows.

use kqlsmith_lint::Platform;

use super::{ExportError, Refusal, RuleFormat};
use crate::model::Hunt;
use crate::model::metadata::Frequency;

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// The longest period a Sentinel scheduled analytics rule may read: 14 days.
pub const SENTINEL_MAX_PERIOD: u64 = 14 * DAY;

/// A duration in milliseconds as ISO 8601: whole days as `P2D`, else hours and minutes as
/// `PT12H`, `PT1H30M`; zero is `PT0S`.
pub fn iso8601(millis: u64) -> String {
    if millis == 0 {
        return "PT0S".to_string();
    }
    if millis.is_multiple_of(DAY) {
        return format!("P{}D", millis / DAY);
    }
    let mut text = String::from("PT");
    let (hours, rest) = (millis / HOUR, millis % HOUR);
    if hours > 0 {
        text.push_str(&format!("{hours}H"));
    }
    let (minutes, rest) = (rest / MINUTE, rest % MINUTE);
    if minutes > 0 {
        text.push_str(&format!("{minutes}M"));
    }
    if rest > 0 {
        let seconds = rest as f64 / 1000.0;
        text.push_str(&format!("{seconds}S"));
    }
    text
}

/// A duration in milliseconds in the Azure-Sentinel YAML's short form, in the largest unit
/// that divides it: `2d`, `12h`, `90m`.
pub fn short(millis: u64) -> String {
    if millis > 0 && millis.is_multiple_of(DAY) {
        format!("{}d", millis / DAY)
    } else if millis.is_multiple_of(HOUR) {
        format!("{}h", millis / HOUR)
    } else {
        format!("{}m", millis.div_ceil(MINUTE))
    }
}

/// How often and how far back a Sentinel scheduled rule of `hunt` runs, in milliseconds: the
/// rule's frequency, and the time the query reads (at least one run's interval).
pub fn sentinel_schedule(hunt: &Hunt, format: RuleFormat) -> Result<(u64, u64), ExportError> {
    let meta = hunt.metadata();
    if meta.frequency == Frequency::Continuous {
        return Err(Refusal::new(hunt, format, Refusal::CONTINUOUS).into());
    }
    let frequency = meta.frequency.interval().as_millis();
    let period = hunt.reads().max(frequency);
    if period > SENTINEL_MAX_PERIOD {
        return Err(Refusal::new(
            hunt,
            format,
            format!(
                "its query reads {} of data, and a Sentinel scheduled rule reads at most 14 days; shorten the hunt's window (or its baseline or lookback)",
                short(period)
            ),
        )
        .into());
    }
    Ok((frequency, period))
}

/// Refuses to make `hunt` a scheduled rule in `format` when it cannot be one: a device-scoped
/// hunt whose device is still the placeholder, or (Defender XDR) a query that does not return
/// the platform's time column and `ReportId`.
pub fn check(hunt: &Hunt, format: RuleFormat, platform: &Platform) -> Result<(), ExportError> {
    if let Some(device) = hunt.device()
        && device.is_placeholder()
    {
        return Err(Refusal::new(
            hunt,
            format,
            format!(
                "the hunt looks at one device and still names the placeholder `{}`: a scheduled rule would only ever match a device of that name; pass --device NAME, or use the detection profile internal-connections-detection",
                device.name
            ),
        )
        .into());
    }
    if format == RuleFormat::DefenderJson {
        let missing = missing_required_columns(hunt, platform);
        if !missing.is_empty() {
            return Err(Refusal::new(
                hunt,
                format,
                format!(
                    "Defender XDR creates a custom detection only from a query that returns {} and ReportId, and this query does not return {}; add them to the hunt's output columns",
                    platform.time_column,
                    missing.join(" or ")
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// The columns Defender XDR requires of a custom detection's result that the hunt's query
/// does not return: the platform's time column and `ReportId`.
pub fn missing_required_columns(hunt: &Hunt, platform: &Platform) -> Vec<String> {
    let returned = hunt.result_columns(&platform.time_column);
    [platform.time_column.as_str(), "ReportId"]
        .into_iter()
        .filter(|required| !returned.iter().any(|c| c == required))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{self, Override};

    #[test]
    fn durations_take_both_forms() {
        assert_eq!(iso8601(0), "PT0S");
        assert_eq!(iso8601(HOUR), "PT1H");
        assert_eq!(iso8601(12 * HOUR), "PT12H");
        assert_eq!(iso8601(DAY), "P1D");
        assert_eq!(iso8601(14 * DAY), "P14D");
        assert_eq!(iso8601(36 * HOUR), "PT36H");
        assert_eq!(iso8601(90 * MINUTE), "PT1H30M");
        assert_eq!(short(2 * DAY), "2d");
        assert_eq!(short(12 * HOUR), "12h");
        assert_eq!(short(36 * HOUR), "36h");
        assert_eq!(short(90 * MINUTE), "90m");
    }

    fn with(sets: &[(&str, &str)]) -> Hunt {
        let overrides: Vec<Override> = sets
            .iter()
            .map(|(k, v)| Override::new(*k, *v, "test"))
            .collect();
        profile::load_default(&overrides).unwrap()
    }

    #[test]
    fn the_sentinel_period_covers_what_the_query_reads() {
        // 48h window and a day more of DeviceNetworkInfo.
        let hunt = with(&[("device.name", "ws-1")]);
        assert_eq!(
            sentinel_schedule(&hunt, RuleFormat::SentinelRule).unwrap(),
            (12 * HOUR, 3 * DAY)
        );
        // Never shorter than one run's interval.
        let hunt = with(&[
            ("device.name", "ws-1"),
            ("search.window", "30m"),
            ("remote_device.lookback", "0d"),
            ("hunt.frequency", "3h"),
        ]);
        assert_eq!(
            sentinel_schedule(&hunt, RuleFormat::SentinelRule).unwrap(),
            (3 * HOUR, 3 * HOUR)
        );
        let hunt = with(&[("device.name", "ws-1"), ("search.window", "14d")]);
        let err = sentinel_schedule(&hunt, RuleFormat::SentinelRule).unwrap_err();
        assert!(err.to_string().contains("reads 15d of data"), "{err}");
        let hunt = with(&[("device.name", "ws-1"), ("hunt.frequency", "continuous")]);
        let err = sentinel_schedule(&hunt, RuleFormat::SentinelArm).unwrap_err();
        assert!(err.to_string().contains("continuous"), "{err}");
    }

    #[test]
    fn the_placeholder_device_is_refused_and_a_real_one_accepted() {
        let defender = Platform::builtin("defender").unwrap();
        let err = check(&with(&[]), RuleFormat::DefenderJson, &defender).unwrap_err();
        assert!(matches!(err, ExportError::Refused(_)), "{err}");
        assert!(err.to_string().contains("--device"), "{err}");
        for placeholder in ["compromiseddevice", "CompromisedDevice"] {
            let hunt = with(&[("device.name", placeholder)]);
            assert!(check(&hunt, RuleFormat::SentinelRule, &defender).is_err());
        }
        assert!(
            check(
                &with(&[("device.name", "ws-1")]),
                RuleFormat::DefenderJson,
                &defender
            )
            .is_ok()
        );
    }

    #[test]
    fn defender_rules_need_the_time_column_and_report_id() {
        let defender = Platform::builtin("defender").unwrap();
        let hunt = with(&[
            ("device.name", "ws-1"),
            (
                "output.columns",
                "RemoteIP,RemoteDeviceName,LastConnectionTime",
            ),
        ]);
        assert_eq!(
            missing_required_columns(&hunt, &defender),
            ["Timestamp", "ReportId"]
        );
        let err = check(&hunt, RuleFormat::DefenderJson, &defender).unwrap_err();
        assert!(
            err.to_string()
                .contains("does not return Timestamp or ReportId"),
            "{err}"
        );
        // Sentinel rules do not ask for them.
        let sentinel = Platform::builtin("sentinel").unwrap();
        assert!(check(&hunt, RuleFormat::SentinelRule, &sentinel).is_ok());
        let sentinel_columns = missing_required_columns(&hunt, &sentinel);
        assert_eq!(sentinel_columns, ["TimeGenerated", "ReportId"]);
    }
}
