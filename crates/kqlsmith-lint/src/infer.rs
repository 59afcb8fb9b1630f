//! Guessing the platform a query was written for, when nobody said. What tells the shipped
//! platforms apart comes from their files, so every platform file takes part: a platform's
//! time column decides when the platform has the tables the query reads and they do not have
//! that column on another platform (`TimeGenerated` on `SigninLogs` or `DeviceEvents` means
//! Sentinel); then its time column with one of its tables
//! (`Timestamp` on `DeviceInfo` means Defender XDR); then a table only one platform has; then
//! a table several have, for the platform with the fewest tables (the most specific); else the
//! platform with the most tables. It looks at the words of the text only, so it works on text
//! that does not parse too.

use crate::platform::Platform;

/// A guessed platform and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// The platform's name (`defender`, `sentinel`).
    pub platform: &'static str,
    /// Why, in words: "it uses `TimeGenerated`".
    pub reason: String,
}

/// Guesses the platform of `source`, among the shipped ones.
pub fn infer_platform(source: &str) -> Inference {
    let (platform, reason) = infer_among(source, Platform::shipped());
    Inference {
        platform: &platform.name,
        reason,
    }
}

/// The platform of `platforms` `source` was most likely written for, and why.
fn infer_among<'p>(source: &str, platforms: &'p [Platform]) -> (&'p Platform, String) {
    let words = words(source);
    let has = |w: &str| words.contains(&w);
    let has_table = |p: &Platform, t: &str| p.schema().table(t).is_some();
    // The words that are tables of some platform, in order.
    let tables: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| platforms.iter().any(|p| has_table(p, w)))
        .collect();
    let found = |p: &'p Platform, reason: String| (p, reason);
    // The time column alone: no table read has it on another platform, and the platform
    // has every table read.
    for p in platforms {
        let time = p.time_column.as_str();
        let elsewhere = |t: &&str| {
            platforms.iter().any(|other| {
                other.name != p.name
                    && other
                        .schema()
                        .table(t)
                        .is_some_and(|table| table.column(time).is_some())
            })
        };
        if has(time)
            && !tables.is_empty()
            && !tables.iter().any(elsewhere)
            && tables.iter().all(|t| has_table(p, t))
        {
            return found(p, format!("it uses `{time}`"));
        }
    }
    // The time column on one of the platform's tables.
    for p in platforms {
        let time = p.time_column.as_str();
        if has(time)
            && let Some(table) = tables.iter().find(|t| has_table(p, t))
        {
            return found(p, format!("it uses `{time}` on `{table}`"));
        }
    }
    // A table only one platform has.
    for table in &tables {
        let mut owners = platforms.iter().filter(|p| has_table(p, table));
        if let (Some(p), None) = (owners.next(), owners.next()) {
            return found(
                p,
                format!("it reads `{table}`, a table of {} only", p.title),
            );
        }
    }
    // A table several have: the platform with the fewest tables.
    if let Some(table) = tables.first()
        && let Some(p) = platforms
            .iter()
            .filter(|p| has_table(p, table))
            .min_by_key(|p| p.schema().len())
    {
        return found(p, format!("it reads `{table}`, a table of {}", p.title));
    }
    let widest = platforms
        .iter()
        .max_by_key(|p| p.schema().len())
        .expect("kqlsmith ships platforms");
    found(
        widest,
        format!(
            "nothing in it names a platform; {} has the most tables",
            widest.title
        ),
    )
}

/// The identifiers of the text, outside comments and string literals, each once, in the
/// order they first appear (a big file repeats a few words a million times).
fn words(source: &str) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    kqlsmith_syntax::code_words(source)
        .map(|(word, _)| word)
        .filter(|word| seen.insert(*word))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_column_and_the_tables_decide() {
        let sentinel = infer_platform("DeviceNetworkEvents | where TimeGenerated > ago(1d)");
        assert_eq!(sentinel.platform, "sentinel");
        assert!(sentinel.reason.contains("TimeGenerated"));
        let defender = infer_platform("DeviceNetworkEvents\n| where Timestamp > ago(1d)");
        assert_eq!(defender.platform, "defender");
        assert!(defender.reason.contains("DeviceNetworkEvents"));
        assert_eq!(
            infer_platform("DeviceEvents | where TimeGenerated > ago(1d) | project Timestamp")
                .platform,
            "sentinel"
        );
        assert_eq!(
            infer_platform("MyTable_CL | where Timestamp > ago(1d)").platform,
            "sentinel"
        );
        assert_eq!(infer_platform("SigninLogs | take 1").platform, "sentinel");
        assert_eq!(infer_platform("DeviceInfo | take 1").platform, "defender");
        assert_eq!(infer_platform("print 1").platform, "sentinel");
    }

    #[test]
    fn comments_and_strings_do_not_count() {
        let text = "// TimeGenerated in a comment\nDeviceInfo\n| where Timestamp > ago(1d) \
                    | where X == \"TimeGenerated\"";
        assert_eq!(infer_platform(text).platform, "defender");
    }

    /// A verbatim string ends at its quote, `\\` or not: the `TimeGenerated` after it is in
    /// another string, and the query is Defender's.
    #[test]
    fn a_backslash_ends_no_verbatim_string() {
        let text = "DeviceProcessEvents\n| where Timestamp > ago(1d)\n\
                    | where FolderPath startswith @\"C:\\Windows\\\" \
                    and ProcessCommandLine has \"TimeGenerated\"";
        assert_eq!(infer_platform(text).platform, "defender");
        let multi_line = "DeviceInfo | where Timestamp > ago(1d) | extend B = ~~~it's~~~ \
                          | where X == 'TimeGenerated'";
        assert_eq!(infer_platform(multi_line).platform, "defender");
    }

    /// A third platform file takes part as the shipped ones do: its time column and its
    /// tables tell it apart.
    #[test]
    fn a_third_platform_takes_part() {
        let mut platforms = Platform::shipped().to_vec();
        let mut third = Platform::from_toml_without_schema(
            "name = \"third\"\ntitle = \"A third platform\"\ntime_column = \"EventTime\"\n",
            "third.toml",
        )
        .unwrap();
        third.set_schema_text("ThirdEvents EventTime:datetime Host:string\n");
        platforms.push(third);
        let (p, reason) = infer_among("ThirdEvents | where EventTime > ago(1d)", &platforms);
        assert_eq!(
            (p.name.as_str(), reason.as_str()),
            ("third", "it uses `EventTime`")
        );
        let (p, _) = infer_among("ThirdEvents | take 1", &platforms);
        assert_eq!(p.name, "third");
        let (p, _) = infer_among("DeviceInfo | where Timestamp > ago(1d)", &platforms);
        assert_eq!(p.name, "defender");
    }
}
