//! Guessing the platform a query was written for, when nobody said: `TimeGenerated` means
//! Sentinel; `Timestamp` on Defender tables (and no `TimeGenerated`) means Defender; else the
//! tables read decide. It looks at the words of the text only, so it works on text that does
//! not parse too.

use crate::platform::Platform;

/// A guessed platform and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// `defender` or `sentinel`.
    pub platform: &'static str,
    /// Why, in words: "it uses `TimeGenerated`".
    pub reason: String,
}

/// Guesses the platform of `source`.
pub fn infer_platform(source: &str) -> Inference {
    let words = words(source);
    let has = |w: &str| words.contains(&w);
    let defender = Platform::builtin("defender").expect("shipped");
    let sentinel = Platform::builtin("sentinel").expect("shipped");
    let defender_tables: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| defender.schema().table(w).is_some())
        .collect();
    if has("TimeGenerated") {
        return Inference {
            platform: "sentinel",
            reason: "it uses `TimeGenerated`".into(),
        };
    }
    if has("Timestamp") && !defender_tables.is_empty() {
        return Inference {
            platform: "defender",
            reason: format!("it uses `Timestamp` on `{}`", defender_tables[0]),
        };
    }
    if let Some(table) = words
        .iter()
        .find(|w| sentinel.schema().table(w).is_some() && defender.schema().table(w).is_none())
    {
        return Inference {
            platform: "sentinel",
            reason: format!("it reads `{table}`, a Sentinel table"),
        };
    }
    if let Some(table) = defender_tables.first() {
        return Inference {
            platform: "defender",
            reason: format!("it reads `{table}`, a Defender XDR table"),
        };
    }
    Inference {
        platform: "sentinel",
        reason: "nothing in it names a platform; Sentinel has the most tables".into(),
    }
}

/// The identifiers of the text, outside comments and string literals.
fn words(source: &str) -> Vec<&str> {
    kqlsmith_syntax::code_words(source)
        .into_iter()
        .map(|(word, _)| word)
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
}
