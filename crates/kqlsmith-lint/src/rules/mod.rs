//! The lint rules, one a file. Each file declares its rule (code, name, default severity,
//! summary, and its documentation as the doc comment) with `declare_rule!`.

mod registry;

pub(crate) use registry::declare_rule;
pub use registry::{RuleInfo, find, select};

use crate::diagnostic::Diagnostic;
use crate::ir::Script;
use crate::platform::Platform;
use crate::semantic::Model;

/// What a rule looks at.
pub struct Context<'a> {
    pub source: &'a str,
    pub script: &'a Script,
    pub model: &'a Model,
    pub platform: &'a Platform,
}

impl Context<'_> {
    /// The shipped platforms other than this one.
    pub fn other_platforms(&self) -> impl Iterator<Item = &'static Platform> + '_ {
        Platform::shipped()
            .iter()
            .filter(|p| p.name != self.platform.name)
    }

    /// Whether `name` is another platform's time column (and not this one's).
    pub fn is_foreign_time_column(&self, name: &str) -> bool {
        name != self.platform.time_column && self.other_platforms().any(|p| p.time_column == name)
    }
}

/// A rule's check: reads the context, pushes its findings.
pub type Check = fn(&Context, &mut Vec<Diagnostic>);

/// Every rule that checks a parsed script, with its check (`syntax-error` comes from the
/// parser instead).
pub fn checks() -> &'static [(&'static RuleInfo, Check)] {
    CHECKS
}

static CHECKS: &[(&RuleInfo, Check)] = &[
    (&unknown_table::RULE, unknown_table::check),
    (&unknown_column::RULE, unknown_column::check),
    (
        &removed_column_reference::RULE,
        removed_column_reference::check,
    ),
    (&undefined_name::RULE, undefined_name::check),
    (&column_shadows_let::RULE, column_shadows_let::check),
    (&unused_let::RULE, unused_let::check),
    (&wrong_argument_count::RULE, wrong_argument_count::check),
    (&join_without_kind::RULE, join_without_kind::check),
    (
        &case_sensitive_name_comparison::RULE,
        case_sensitive_name_comparison::check,
    ),
    (
        &extract_from_stringified_array::RULE,
        extract_from_stringified_array::check,
    ),
    (
        &boolean_compared_to_number::RULE,
        boolean_compared_to_number::check,
    ),
    (&contains_operator::RULE, contains_operator::check),
    (
        &implicit_string_concatenation::RULE,
        implicit_string_concatenation::check,
    ),
    (&tolower_comparison::RULE, tolower_comparison::check),
    (&missing_time_filter::RULE, missing_time_filter::check),
    (&time_filter_not_first::RULE, time_filter_not_first::check),
    (&search_operator::RULE, search_operator::check),
    (&foreign_time_column::RULE, foreign_time_column::check),
    (
        &angle_bracket_not_equal::RULE,
        angle_bracket_not_equal::check,
    ),
    (&obsolete_function::RULE, obsolete_function::check),
    (&foreign_time_filter::RULE, foreign_time_filter::check),
];

pub mod angle_bracket_not_equal;
pub mod boolean_compared_to_number;
pub mod case_sensitive_name_comparison;
pub mod column_shadows_let;
pub mod contains_operator;
pub mod extract_from_stringified_array;
pub mod foreign_time_column;
pub mod foreign_time_filter;
pub mod implicit_string_concatenation;
pub mod join_without_kind;
pub mod missing_time_filter;
pub mod obsolete_function;
pub mod removed_column_reference;
pub mod search_operator;
pub mod syntax_error;
pub mod time_filter_not_first;
pub mod tolower_comparison;
pub mod undefined_name;
pub mod unknown_column;
pub mod unknown_table;
pub mod unused_let;
pub mod wrong_argument_count;

/// Every rule, in code order.
pub fn all() -> &'static [&'static RuleInfo] {
    ALL
}

static ALL: &[&RuleInfo] = &[
    &syntax_error::RULE,
    &unknown_table::RULE,
    &unknown_column::RULE,
    &removed_column_reference::RULE,
    &undefined_name::RULE,
    &column_shadows_let::RULE,
    &unused_let::RULE,
    &wrong_argument_count::RULE,
    &join_without_kind::RULE,
    &case_sensitive_name_comparison::RULE,
    &extract_from_stringified_array::RULE,
    &boolean_compared_to_number::RULE,
    &implicit_string_concatenation::RULE,
    &contains_operator::RULE,
    &tolower_comparison::RULE,
    &missing_time_filter::RULE,
    &time_filter_not_first::RULE,
    &search_operator::RULE,
    &foreign_time_column::RULE,
    &angle_bracket_not_equal::RULE,
    &obsolete_function::RULE,
    &foreign_time_filter::RULE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_in_order() {
        let codes: Vec<_> = all().iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and listed in order");
        for code in codes {
            assert!(
                code.len() == 6
                    && code.starts_with("KQL")
                    && code[3..].bytes().all(|b| b.is_ascii_digit()),
                "{code}"
            );
        }
        assert!(all().len() >= 15);
    }

    #[test]
    fn every_rule_but_syntax_error_has_a_check() {
        let checked: Vec<_> = checks().iter().map(|(r, _)| r.code).collect();
        for rule in all() {
            assert_eq!(
                checked.contains(&rule.code),
                rule.code != "KQL001",
                "{}",
                rule.code
            );
        }
    }

    #[test]
    fn names_are_unique_kebab_case() {
        let mut names: Vec<_> = all().iter().map(|r| r.name).collect();
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                    && !name.starts_with('-')
                    && !name.ends_with('-'),
                "{name}"
            );
        }
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[test]
    fn every_rule_is_documented_in_four_sections() {
        for rule in all() {
            let doc = rule.documentation();
            for section in [
                "## What it does",
                "## Why is this bad",
                "## Example",
                "## Fix",
            ] {
                // A heading starts its line.
                assert!(
                    doc.lines().any(|line| line == section),
                    "{} lacks {section}",
                    rule.code
                );
            }
            assert!(
                doc.lines().any(|line| line == "```kql"),
                "{} has no KQL example",
                rule.code
            );
            assert!(
                !rule.summary.is_empty() && !rule.summary.ends_with('.'),
                "{}",
                rule.code
            );
        }
    }

    #[test]
    fn selectors_name_codes_prefixes_and_names() {
        let codes = |s: &str| {
            select(all(), s).map(|rules| rules.iter().map(|r| r.code).collect::<Vec<_>>())
        };
        assert_eq!(codes("KQL301").unwrap(), ["KQL301"]);
        assert_eq!(codes("kql301").unwrap(), ["KQL301"]);
        assert_eq!(codes("contains-operator").unwrap(), ["KQL301"]);
        let perf = codes("KQL3").unwrap();
        assert!(perf.len() >= 3 && perf.iter().all(|c| c.starts_with("KQL3")));
        assert_eq!(codes("ALL").unwrap().len(), all().len());
        assert!(codes("KQL9").is_none() && codes("no-such-rule").is_none());
        assert_eq!(find(all(), "unknown-table").unwrap().code, "KQL101");
    }
}
