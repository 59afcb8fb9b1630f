//! What every rule declares about itself, and how configuration names rules.

use crate::diagnostic::Severity;

/// Where kqlsmith's sources live: SARIF's `informationUri`, and the base of each rule's page.
pub const HOME: &str = "https://github.com/kqlsmith/kqlsmith";

/// A rule's identity and documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code: `KQL` and three digits. The hundreds say the group: 0 syntax, 1 schema
    /// and names, 2 correctness, 3 performance, 4 style and platform portability.
    pub code: &'static str,
    /// kebab-case name of the bad pattern, e.g. `contains-operator`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `kqlsmith rules`.
    pub summary: &'static str,
    /// The rule's doc comment as written, one space before each line (see
    /// [`RuleInfo::documentation`]).
    pub doc: &'static str,
}

impl RuleInfo {
    /// The rule's documentation (Markdown): What it does / Why is this bad / Example / Fix.
    /// The doc comment's text, without the space that follows each `///`.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The rule's page: its own source file, whose doc comment is the documentation above.
    /// The file is named after the rule (`contains-operator`: `contains_operator.rs`), so the
    /// link holds as long as the rule keeps its name, which is as stable as its code.
    pub fn docs_url(&self) -> String {
        format!(
            "{HOME}/blob/main/crates/kqlsmith-lint/src/rules/{}.rs",
            self.name.replace('-', "_")
        )
    }
}

/// Declares a rule's `RuleInfo` as a `pub static RULE`; the doc comment above the name is the
/// rule's documentation, printed by `kqlsmith rules CODE`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $code:literal, $name:literal, $severity:ident, $summary:literal
    ) => {
        $(#[doc = $doc])+
        pub static RULE: $crate::rules::RuleInfo = $crate::rules::RuleInfo {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            summary: $summary,
            doc: concat!($($doc, "\n"),+),
        };
    };
}
pub(crate) use declare_rule;

/// Which rules a selector names: a code (`KQL301`), a code prefix (`KQL3`, `KQL30`), a rule
/// name (`contains-operator`) or `ALL`. `None` when it names no rule.
pub fn select(rules: &[&'static RuleInfo], selector: &str) -> Option<Vec<&'static RuleInfo>> {
    let upper = selector.to_ascii_uppercase();
    let matched: Vec<&'static RuleInfo> = rules
        .iter()
        .copied()
        .filter(|rule| {
            upper == "ALL"
                || rule.name == selector
                || (upper.starts_with("KQL") && rule.code.starts_with(upper.as_str()))
        })
        .collect();
    (!matched.is_empty()).then_some(matched)
}

/// The rule with this code or name (exactly; any case for codes).
pub fn find(rules: &[&'static RuleInfo], code_or_name: &str) -> Option<&'static RuleInfo> {
    rules
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}
