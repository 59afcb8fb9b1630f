//! KQL timespans such as `30m`, `48h` or `7d`: a whole number and a unit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written the way KQL writes timespan literals: a whole number followed by one of
/// the units `d`, `h`, `m`, `s` or `ms`. It renders back exactly as written, so `48h` stays
/// `48h` in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timespan {
    count: u64,
    unit: TimeUnit,
}

/// The units a [`Timespan`] may use, with their KQL suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
}

impl TimeUnit {
    /// Every unit, longest suffix first so that `ms` is tried before `m` and `s`.
    const ALL: [TimeUnit; 5] = [
        TimeUnit::Milliseconds,
        TimeUnit::Days,
        TimeUnit::Hours,
        TimeUnit::Minutes,
        TimeUnit::Seconds,
    ];

    /// The KQL suffix of the unit.
    pub fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Days => "d",
            TimeUnit::Hours => "h",
            TimeUnit::Minutes => "m",
            TimeUnit::Seconds => "s",
            TimeUnit::Milliseconds => "ms",
        }
    }

    fn milliseconds(self) -> u64 {
        match self {
            TimeUnit::Days => 86_400_000,
            TimeUnit::Hours => 3_600_000,
            TimeUnit::Minutes => 60_000,
            TimeUnit::Seconds => 1_000,
            TimeUnit::Milliseconds => 1,
        }
    }
}

/// The longest timespan KQL can hold (`timespan` is .NET's `TimeSpan`: about 10,675,199 days).
const MAX_MILLISECONDS: u64 = 10_675_199 * 86_400_000;

/// Why a text is not a timespan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimespanError {
    #[error(
        "`{0}` is not a timespan: write a whole number followed by d, h, m, s or ms, such as 30m, 48h or 7d"
    )]
    Syntax(String),
    #[error("`{0}` is negative: a timespan here looks back from now, write it without the sign")]
    Negative(String),
    #[error("`{0}` is too long for a KQL timespan (at most 10675199d)")]
    TooLong(String),
}

impl Timespan {
    /// A timespan of `count` units.
    pub fn new(count: u64, unit: TimeUnit) -> Result<Timespan, TimespanError> {
        let span = Timespan { count, unit };
        match count.checked_mul(unit.milliseconds()) {
            Some(ms) if ms <= MAX_MILLISECONDS => Ok(span),
            _ => Err(TimespanError::TooLong(span.to_string())),
        }
    }

    /// True for `0d`, `0h` and the like.
    pub fn is_zero(&self) -> bool {
        self.count == 0
    }

    /// The length of the timespan in milliseconds.
    pub fn as_millis(&self) -> u64 {
        self.count * self.unit.milliseconds()
    }
}

impl FromStr for Timespan {
    type Err = TimespanError;

    fn from_str(text: &str) -> Result<Timespan, TimespanError> {
        let syntax = || TimespanError::Syntax(text.to_string());
        if text.starts_with('-') && text[1..].parse::<Timespan>().is_ok() {
            return Err(TimespanError::Negative(text.to_string()));
        }
        let unit = TimeUnit::ALL
            .into_iter()
            .find(|unit| text.ends_with(unit.suffix()))
            .ok_or_else(syntax)?;
        let digits = &text[..text.len() - unit.suffix().len()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        // All digits: the only way to fail is overflow, which is a timespan too long.
        let count = digits
            .parse::<u64>()
            .map_err(|_| TimespanError::TooLong(text.to_string()))?;
        Timespan::new(count, unit)
    }
}

/// The KQL literal: `48h`.
impl fmt::Display for Timespan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.count, self.unit.suffix())
    }
}

impl Serialize for Timespan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timespan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timespan, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kql_timespans_and_renders_them_as_written() {
        for text in ["30m", "48h", "7d", "90s", "500ms", "0d", "10675199d"] {
            let span: Timespan = text.parse().unwrap();
            assert_eq!(span.to_string(), text);
        }
        assert_eq!(
            "48h".parse::<Timespan>().unwrap().as_millis(),
            48 * 3_600_000
        );
        assert_eq!(
            "500ms".parse::<Timespan>().unwrap(),
            Timespan::new(500, TimeUnit::Milliseconds).unwrap()
        );
        assert!("0h".parse::<Timespan>().unwrap().is_zero());
    }

    #[test]
    fn rejects_everything_else_with_a_message() {
        for text in [
            "48 hours", "48", "h", "-1x", "+1d", "1.5h", "1w", "48H", " 48h", "48h ", "", "1d2h",
            "0x10d", "١٢h",
        ] {
            let err = text.parse::<Timespan>().unwrap_err();
            assert_eq!(err, TimespanError::Syntax(text.to_string()), "{text}");
            assert!(err.to_string().contains("such as 30m, 48h or 7d"));
        }
    }

    #[test]
    fn negative_timespans_are_named_as_such() {
        let err = "-48h".parse::<Timespan>().unwrap_err();
        assert_eq!(err, TimespanError::Negative("-48h".into()));
        assert!(err.to_string().contains("negative"));
    }

    #[test]
    fn rejects_timespans_kql_cannot_hold() {
        assert!(matches!(
            "10675200d".parse::<Timespan>(),
            Err(TimespanError::TooLong(_))
        ));
        assert!(matches!(
            "99999999999999999999999h".parse::<Timespan>(),
            Err(TimespanError::TooLong(_))
        ));
    }
}
