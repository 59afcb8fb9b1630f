//! The lint rules, one a file. Each file declares its rule (code, name, default severity,
//! summary, and its documentation as the doc comment) with `declare_rule!`.

mod registry;

pub(crate) use registry::declare_rule;
pub use registry::{HOME, RuleInfo, find, select};

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

/// Whether a rule's findings in a part of a script (a stage) depend only on that part's
/// expressions, names, calls and column definitions, and on the `let`s. A big text is
/// checked a stage at a time with these rules as the parser reads it, and with every rule
/// over what is left (see `crate::linter`); the others read what the whole script makes
/// (its tables, table scans, and the uses of each `let`).
pub fn reads_one_part(rule: &RuleInfo) -> bool {
    !WHOLE_SCRIPT.iter().any(|r| r.code == rule.code)
}

/// The rules that read what the whole script makes.
static WHOLE_SCRIPT: &[&RuleInfo] = &[
    &unknown_table::RULE,
    &unused_let::RULE,
    &deprecated_table::RULE,
    &missing_time_filter::RULE,
    &time_filter_not_first::RULE,
    &foreign_time_filter::RULE,
];

/// Every rule, in code order.
pub fn all() -> &'static [&'static RuleInfo] {
    ALL
}

/// Declares the rule modules and lists them: the parser's rule first, then every rule with
/// a check, in code order.
macro_rules! register {
    ($parser_rule:ident; $($rule:ident,)*) => {
        pub mod $parser_rule;
        $(pub mod $rule;)*
        static ALL: &[&RuleInfo] = &[&$parser_rule::RULE, $(&$rule::RULE),*];
        static CHECKS: &[(&RuleInfo, Check)] = &[$((&$rule::RULE, $rule::check)),*];
    };
}

// A new rule is its file (`declare_rule!` and `check`), its fixtures, and one line here.
register! {
    syntax_error;
    unknown_table,
    unknown_column,
    removed_column_reference,
    undefined_name,
    column_shadows_let,
    unused_let,
    wrong_argument_count,
    deprecated_table,
    join_without_kind,
    case_sensitive_name_comparison,
    extract_from_stringified_array,
    boolean_compared_to_number,
    implicit_string_concatenation,
    contains_operator,
    tolower_comparison,
    missing_time_filter,
    time_filter_not_first,
    search_operator,
    foreign_time_column,
    angle_bracket_not_equal,
    obsolete_function,
    foreign_time_filter,
}

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
