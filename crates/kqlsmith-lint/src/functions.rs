//! KQL's built-in functions: scalar functions, aggregates and `evaluate` plugins, with their
//! arities and how a column they compute is named when the query names none
//! (`make_set(Port)` makes `set_Port`), a one-line summary of each and its signatures
//! ([`crate::signatures`]). The list is data (`data/functions.txt`,
//! `data/function_summaries.txt`), parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

/// What kind of function a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    Scalar,
    Aggregate,
    Plugin,
}

impl FunctionKind {
    /// The kind a data file's first word names: `scalar`, `aggregate` or `plugin`.
    pub(crate) fn from_word(word: &str) -> Option<FunctionKind> {
        match word {
            "scalar" => Some(FunctionKind::Scalar),
            "aggregate" => Some(FunctionKind::Aggregate),
            "plugin" => Some(FunctionKind::Plugin),
            _ => None,
        }
    }
}

/// How the column a function computes is named when the query gives no name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultNaming {
    /// `Column1`, `Column2`, ...
    None,
    /// The function's name, `_`, and the first argument's name.
    NameAndFirst,
    /// As `NameAndFirst`, with only one argument.
    NameAndOnly,
    /// The prefix, `_`, and the first argument's name (`make_set(Port)` -> `set_Port`).
    PrefixAndFirst,
    /// As `PrefixAndFirst`, with only one argument.
    PrefixAndOnly,
    /// The value of the first (string literal) argument.
    FirstValue,
    /// The prefix alone.
    Prefix,
    /// The first argument's name (`bin(Timestamp, 1h)` -> `Timestamp`).
    First,
    /// The only argument's name.
    Only,
}

/// A built-in function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub kind: FunctionKind,
    pub name: &'static str,
    pub min_args: usize,
    /// `None`: any number.
    pub max_args: Option<usize>,
    pub naming: ResultNaming,
    pub prefix: Option<&'static str>,
    pub obsolete: bool,
}

impl Function {
    /// What the function gives, in one sentence (for hover and signature help).
    pub fn summary(&self) -> Option<&'static str> {
        summaries().get(&(self.kind, self.name)).copied()
    }

    /// Its overloads, with their parameters' names and types (at least one a function).
    pub fn signatures(&self) -> &'static [crate::signatures::Signature] {
        crate::signatures::of(self.kind, self.name)
    }

    /// Whether `count` arguments are acceptable.
    pub fn accepts(&self, count: usize) -> bool {
        count >= self.min_args && self.max_args.is_none_or(|max| count <= max)
    }

    /// The name of the column this call computes, given its first argument's name (a plain
    /// column reference) when it has one; `None` when KQL would call it `ColumnN`.
    pub fn result_name(&self, first_arg: Option<&str>, arg_count: usize) -> Option<String> {
        let prefix = self.prefix.unwrap_or(self.name);
        let joined = |p: &str| Some(format!("{p}_{}", first_arg.unwrap_or("")));
        match self.naming {
            ResultNaming::None => None,
            ResultNaming::NameAndFirst => joined(self.name),
            ResultNaming::NameAndOnly if arg_count <= 1 => joined(self.name),
            ResultNaming::PrefixAndFirst => joined(prefix),
            ResultNaming::PrefixAndOnly if arg_count <= 1 => joined(prefix),
            ResultNaming::NameAndOnly | ResultNaming::PrefixAndOnly => None,
            ResultNaming::Prefix => Some(prefix.to_string()),
            ResultNaming::First => first_arg.map(str::to_string),
            ResultNaming::Only if arg_count == 1 => first_arg.map(str::to_string),
            ResultNaming::Only | ResultNaming::FirstValue => None,
        }
    }
}

const DATA: &str = include_str!("../data/functions.txt");
const SUMMARIES: &str = include_str!("../data/function_summaries.txt");

/// The summaries by kind and name, read from `data/function_summaries.txt` at first use.
fn summaries() -> &'static HashMap<(FunctionKind, &'static str), &'static str> {
    static SUMMARIES_BY_NAME: OnceLock<HashMap<(FunctionKind, &'static str), &'static str>> =
        OnceLock::new();
    SUMMARIES_BY_NAME.get_or_init(|| {
        SUMMARIES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(parse_summary)
            .collect()
    })
}

/// `scalar ago: The current UTC time minus a timespan.`
fn parse_summary(line: &'static str) -> Option<((FunctionKind, &'static str), &'static str)> {
    let (head, summary) = line.split_once(": ")?;
    let (kind, name) = head.split_once(' ')?;
    let kind = FunctionKind::from_word(kind)?;
    Some(((kind, name), summary.trim()))
}

/// The functions of each kind by name, indexed by `FunctionKind as usize`.
struct Catalogue {
    by_kind: [HashMap<&'static str, Function>; 3],
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut by_kind: [HashMap<&'static str, Function>; 3] = Default::default();
        for line in DATA
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let f =
                parse_line(line).unwrap_or_else(|| panic!("data/functions.txt: bad line `{line}`"));
            by_kind[f.kind as usize].insert(f.name, f);
        }
        Catalogue { by_kind }
    })
}

fn parse_line(line: &'static str) -> Option<Function> {
    let mut words = line.split_ascii_whitespace();
    let kind = FunctionKind::from_word(words.next()?)?;
    let name = words.next()?;
    let min_args = words.next()?.parse().ok()?;
    let max_args = match words.next()? {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    let naming = match words.next()? {
        "none" => ResultNaming::None,
        "name-first" => ResultNaming::NameAndFirst,
        "name-only" => ResultNaming::NameAndOnly,
        "prefix-first" => ResultNaming::PrefixAndFirst,
        "prefix-only" => ResultNaming::PrefixAndOnly,
        "first-value" => ResultNaming::FirstValue,
        "prefix" => ResultNaming::Prefix,
        "first" => ResultNaming::First,
        "only" => ResultNaming::Only,
        _ => return None,
    };
    let mut prefix = None;
    let mut obsolete = false;
    for word in words {
        match word {
            "obsolete" => obsolete = true,
            w => prefix = Some(w.strip_prefix("prefix=")?),
        }
    }
    Some(Function {
        kind,
        name,
        min_args,
        max_args,
        naming,
        prefix,
        obsolete,
    })
}

/// The built-in function of this kind and name (names are case-sensitive in KQL).
pub fn lookup(kind: FunctionKind, name: &str) -> Option<&'static Function> {
    catalogue().by_kind[kind as usize].get(name)
}

/// Whether `name` is any built-in function: scalar, aggregate or plugin.
pub fn is_builtin(name: &str) -> bool {
    [
        FunctionKind::Scalar,
        FunctionKind::Aggregate,
        FunctionKind::Plugin,
    ]
    .into_iter()
    .any(|kind| lookup(kind, name).is_some())
}

/// Every built-in function name of a kind, for suggestions.
pub fn names(kind: FunctionKind) -> impl Iterator<Item = &'static str> {
    catalogue().by_kind[kind as usize].keys().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_data_parses() {
        let lines = DATA
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        let parsed: usize = catalogue().by_kind.iter().map(HashMap::len).sum();
        assert_eq!(parsed, lines);
        assert!(lines > 500, "{lines}");
    }

    #[test]
    fn every_function_has_a_summary_and_every_summary_a_function() {
        let mut missing = Vec::new();
        for (kind, functions) in [
            FunctionKind::Scalar,
            FunctionKind::Aggregate,
            FunctionKind::Plugin,
        ]
        .into_iter()
        .zip(&catalogue().by_kind)
        {
            for f in functions.values() {
                match f.summary() {
                    Some(s) if s.len() > 10 && s.ends_with('.') && !s.contains('\n') => {}
                    _ => missing.push(format!("{kind:?} {}", f.name)),
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new(), "functions without a summary");
        let lines = SUMMARIES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect::<Vec<_>>();
        for line in &lines {
            let ((kind, name), _) = parse_summary(line)
                .unwrap_or_else(|| panic!("function_summaries.txt: bad line `{line}`"));
            assert!(
                lookup(kind, name).is_some(),
                "a summary of no function: `{line}`"
            );
        }
        assert_eq!(summaries().len(), lines.len(), "one line a function");
        assert_eq!(
            lookup(FunctionKind::Aggregate, "make_set")
                .unwrap()
                .summary(),
            Some("An array of the group's distinct values, up to a maximum count.")
        );
    }

    #[test]
    fn knows_the_functions_hunts_use_with_their_arities() {
        let ago = lookup(FunctionKind::Scalar, "ago").unwrap();
        assert!(ago.accepts(1) && !ago.accepts(0) && !ago.accepts(2));
        assert!(lookup(FunctionKind::Scalar, "ipv4_is_private").is_some());
        assert!(lookup(FunctionKind::Scalar, "materialize").is_some());
        assert!(
            lookup(FunctionKind::Aggregate, "arg_max")
                .unwrap()
                .accepts(7)
        );
        assert!(lookup(FunctionKind::Plugin, "bag_unpack").is_some());
        assert!(lookup(FunctionKind::Scalar, "make_set").is_none());
        assert!(is_builtin("make_set") && !is_builtin("make_sett"));
    }

    #[test]
    fn aggregates_name_their_columns_as_kql_does() {
        let name = |f: &str, arg: Option<&str>, n| {
            lookup(FunctionKind::Aggregate, f)
                .unwrap()
                .result_name(arg, n)
        };
        assert_eq!(name("count", None, 0).as_deref(), Some("count_"));
        assert_eq!(
            name("make_set", Some("Port"), 1).as_deref(),
            Some("set_Port")
        );
        assert_eq!(name("dcount", Some("X"), 1).as_deref(), Some("dcount_X"));
        assert_eq!(name("percentile", Some("X"), 2), None);
        let bin = lookup(FunctionKind::Scalar, "bin").unwrap();
        assert_eq!(
            bin.result_name(Some("Timestamp"), 2).as_deref(),
            Some("Timestamp")
        );
    }
}
