//! The signatures of KQL's built-in functions: for each overload, its parameters' names and
//! types, which may be left out and which repeat (`strcat(arg: scalar, ...)`). The list is data
//! (`data/signatures.txt`, made from Microsoft's Kusto.Language by
//! `data/dump-signatures.js`), parsed once; [`crate::functions::Function::signatures`] gives a
//! function's.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use crate::functions::FunctionKind;

/// How many times a parameter, or a block of them, occurs in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurs {
    pub min: usize,
    /// `None`: any number.
    pub max: Option<usize>,
}

impl Occurs {
    const ONCE: Occurs = Occurs {
        min: 1,
        max: Some(1),
    };

    fn repeats(self) -> bool {
        self.max.is_none_or(|max| max > 1)
    }
}

/// A parameter: its name and its type as Kusto.Language displays it (a scalar type such as
/// `datetime`, several joined by `|`, a family such as `scalar` or `number`, `()` for a table).
/// The literal star of `count(*)` has the name `*` and no type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: &'static str,
    pub ty: Option<&'static str>,
}

/// Parameters that occur together: one parameter, or a block that repeats as a whole
/// (`case(predicate, then, ..., else)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices into [`Signature::parameters`].
    pub parameters: Range<usize>,
    pub occurs: Occurs,
}

/// One overload of a built-in function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub parameters: Vec<Parameter>,
    /// The parameters in order, grouped by how they occur.
    pub groups: Vec<Group>,
}

impl Signature {
    /// The fewest arguments a call of this overload takes.
    pub fn min_args(&self) -> usize {
        self.groups
            .iter()
            .map(|g| g.occurs.min * g.parameters.len())
            .sum()
    }

    /// The most arguments a call of this overload takes; `None`: any number.
    pub fn max_args(&self) -> Option<usize> {
        self.groups
            .iter()
            .map(|g| g.occurs.max.map(|max| max * g.parameters.len()))
            .sum()
    }

    /// Whether a call with `count` arguments fits this overload.
    pub fn accepts(&self, count: usize) -> bool {
        count >= self.min_args() && self.max_args().is_none_or(|max| count <= max)
    }

    /// The parameter (index into [`Self::parameters`]) that argument `argument` of a call of
    /// `count` arguments stands for: arguments fill the parameters in order, each optional or
    /// repeated one taking what the required ones after it leave. `None` past the last one.
    pub fn parameter_of(&self, argument: usize, count: usize) -> Option<usize> {
        let mut spare = count.saturating_sub(self.min_args());
        let mut first = 0;
        for group in &self.groups {
            let len = group.parameters.len();
            let more = group
                .occurs
                .max
                .map_or(usize::MAX, |max| max.saturating_sub(group.occurs.min));
            let extra = (spare / len).min(more);
            spare -= extra * len;
            let taken = (group.occurs.min + extra) * len;
            if argument < first + taken {
                return Some(group.parameters.start + (argument - first) % len);
            }
            first += taken;
        }
        // An argument past what the call fits stays on a repeated tail, if there is one.
        self.groups
            .last()
            .filter(|g| g.occurs.repeats())
            .map(|g| g.parameters.start + (argument - first) % g.parameters.len())
    }

    /// `name(value: number, roundTo: number)`, with the byte range of each parameter's text in
    /// it (in [`Self::parameters`]' order). Optional parameters are in brackets; a repeated
    /// one, or block, is followed by `, ...`.
    pub fn label(&self, name: &str) -> (String, Vec<Range<usize>>) {
        let mut text = format!("{name}(");
        let mut ranges = Vec::with_capacity(self.parameters.len());
        for (i, group) in self.groups.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            let optional = group.occurs.min == 0;
            if optional {
                text.push('[');
            }
            for (j, p) in self.parameters[group.parameters.clone()].iter().enumerate() {
                if j > 0 {
                    text.push_str(", ");
                }
                let start = text.len();
                text.push_str(p.name);
                if let Some(ty) = p.ty {
                    text.push_str(": ");
                    text.push_str(ty);
                }
                ranges.push(start..text.len());
            }
            if group.occurs.repeats() {
                text.push_str(", ...");
            }
            if optional {
                text.push(']');
            }
        }
        text.push(')');
        (text, ranges)
    }
}

/// The overload (index into `signatures`) a call of `count` arguments reads as: the first
/// that accepts that many, else the first that takes more (the call is still being typed),
/// else the last.
pub fn best_fit<'a>(signatures: impl IntoIterator<Item = &'a Signature>, count: usize) -> usize {
    let all: Vec<&Signature> = signatures.into_iter().collect();
    all.iter()
        .position(|s| s.accepts(count))
        .or_else(|| {
            all.iter()
                .position(|s| s.max_args().is_none_or(|max| max > count))
        })
        .unwrap_or(all.len().saturating_sub(1))
}

const DATA: &str = include_str!("../data/signatures.txt");

/// The signatures of each function by kind and name, read from `data/signatures.txt` at first
/// use.
pub(crate) fn of(kind: FunctionKind, name: &'static str) -> &'static [Signature] {
    static BY_NAME: OnceLock<HashMap<(FunctionKind, &'static str), Vec<Signature>>> =
        OnceLock::new();
    BY_NAME
        .get_or_init(|| {
            let mut by_name: HashMap<_, Vec<Signature>> = HashMap::new();
            for line in data_lines() {
                let (key, signature) = parse_line(line)
                    .unwrap_or_else(|| panic!("data/signatures.txt: bad line `{line}`"));
                by_name.entry(key).or_default().push(signature);
            }
            by_name
        })
        .get(&(kind, name))
        .map_or(&[], Vec::as_slice)
}

fn data_lines() -> impl Iterator<Item = &'static str> {
    DATA.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
}

/// `scalar case (predicate:bool,then:scalar){1,*} else:scalar`
fn parse_line(line: &'static str) -> Option<((FunctionKind, &'static str), Signature)> {
    let mut words = line.split_ascii_whitespace();
    let kind = FunctionKind::from_word(words.next()?)?;
    let name = words.next()?;
    let mut signature = Signature {
        parameters: Vec::new(),
        groups: Vec::new(),
    };
    for word in words {
        let (members, occurs) = parse_occurs(word)?;
        let members = match members.strip_prefix('(') {
            Some(block) => block.strip_suffix(')')?,
            None => members,
        };
        let start = signature.parameters.len();
        for member in members.split(',') {
            signature.parameters.push(parse_parameter(member)?);
        }
        signature.groups.push(Group {
            parameters: start..signature.parameters.len(),
            occurs,
        });
    }
    Some(((kind, name), signature))
}

/// Splits `x:t?` into `x:t` and 0..1, `x:t{2,*}` into `x:t` and 2..any.
fn parse_occurs(word: &'static str) -> Option<(&'static str, Occurs)> {
    if let Some(optional) = word.strip_suffix('?') {
        return Some((
            optional,
            Occurs {
                min: 0,
                max: Some(1),
            },
        ));
    }
    let Some(counted) = word.strip_suffix('}') else {
        return Some((word, Occurs::ONCE));
    };
    let (members, range) = counted.rsplit_once('{')?;
    let (min, max) = range.split_once(',')?;
    let max = match max {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    Some((
        members,
        Occurs {
            min: min.parse().ok()?,
            max,
        },
    ))
}

fn parse_parameter(text: &'static str) -> Option<Parameter> {
    if text == "*" {
        return Some(Parameter {
            name: "*",
            ty: None,
        });
    }
    let (name, ty) = text.split_once(':')?;
    (!name.is_empty() && !ty.is_empty()).then_some(Parameter { name, ty: Some(ty) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions;

    fn signatures(kind: FunctionKind, name: &str) -> &'static [Signature] {
        functions::lookup(kind, name).unwrap().signatures()
    }

    fn labels(kind: FunctionKind, name: &str) -> Vec<String> {
        signatures(kind, name)
            .iter()
            .map(|s| s.label(name).0)
            .collect()
    }

    #[test]
    fn every_line_parses_and_names_a_known_function() {
        let mut lines = 0;
        for line in data_lines() {
            let ((kind, name), _) = parse_line(line).unwrap_or_else(|| panic!("bad line `{line}`"));
            assert!(
                functions::lookup(kind, name).is_some(),
                "a signature of no function: `{line}`"
            );
            lines += 1;
        }
        assert!(lines > 550, "{lines}");
    }

    #[test]
    fn every_function_has_signatures_whose_counts_agree_with_its_arity() {
        let mut wrong = Vec::new();
        for kind in [
            FunctionKind::Scalar,
            FunctionKind::Aggregate,
            FunctionKind::Plugin,
        ] {
            for name in functions::names(kind) {
                let f = functions::lookup(kind, name).unwrap();
                let signatures = f.signatures();
                if signatures.is_empty() {
                    wrong.push(format!("{kind:?} {name}: no signature"));
                    continue;
                }
                let min = signatures.iter().map(Signature::min_args).min();
                // functions.txt writes `*` for a limit Kusto sets at 32,767 or more.
                let max = signatures
                    .iter()
                    .map(|s| s.max_args().filter(|&m| m < 32_767))
                    .try_fold(0, |most, m| m.map(|m| most.max(m)));
                if min != Some(f.min_args) || max != f.max_args {
                    wrong.push(format!(
                        "{kind:?} {name}: signatures take {min:?}..{max:?}, \
                         functions.txt {}..{:?}",
                        f.min_args, f.max_args
                    ));
                }
            }
        }
        assert_eq!(wrong, Vec::<String>::new());
    }

    #[test]
    fn labels_name_each_parameter_with_its_type() {
        assert_eq!(
            labels(FunctionKind::Scalar, "bin"),
            [
                "bin(value: number, roundTo: number)",
                "bin(value: timespan, roundTo: timespan)",
                "bin(value: datetime, roundTo: datetime)",
                "bin(value: datetime, roundTo: timespan)",
            ]
        );
        assert_eq!(
            labels(FunctionKind::Scalar, "substring"),
            ["substring(string: scalar, start: integer, [length: integer])"]
        );
        assert_eq!(
            labels(FunctionKind::Scalar, "strcat"),
            ["strcat(arg: scalar, ...)"]
        );
        assert_eq!(
            labels(FunctionKind::Scalar, "case"),
            ["case(predicate: bool, then: scalar, ..., else: scalar)"]
        );
        assert_eq!(
            labels(FunctionKind::Aggregate, "arg_max"),
            ["arg_max(maximized: scalar, [returned: scalar, ...])"]
        );
        let (label, ranges) = signatures(FunctionKind::Scalar, "iff")[0].label("iff");
        let named: Vec<&str> = ranges.iter().map(|r| &label[r.clone()]).collect();
        assert_eq!(named, ["if: bool", "then: scalar", "else: scalar"]);
    }

    #[test]
    fn arguments_map_to_parameters_through_optional_and_repeated_ones() {
        let of = |kind, name, count| {
            let s = &signatures(kind, name)[0];
            (0..count)
                .map(|i| s.parameter_of(i, count).map(|p| s.parameters[p].name))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of(FunctionKind::Scalar, "strcat", 3),
            [Some("arg"), Some("arg"), Some("arg")]
        );
        assert_eq!(
            of(FunctionKind::Scalar, "strcat_delim", 3),
            [Some("delimiter"), Some("arg"), Some("arg")]
        );
        assert_eq!(
            of(FunctionKind::Scalar, "case", 5),
            [
                Some("predicate"),
                Some("then"),
                Some("predicate"),
                Some("then"),
                Some("else")
            ]
        );
        assert_eq!(
            of(FunctionKind::Plugin, "autocluster", 2),
            [Some("SizeWeight"), Some("WeightColumn")]
        );
        // Past the last parameter: none, unless the tail repeats.
        let iff = &signatures(FunctionKind::Scalar, "iff")[0];
        assert_eq!(iff.parameter_of(3, 4), None);
        let strcat = &signatures(FunctionKind::Scalar, "strcat")[0];
        assert_eq!(strcat.parameter_of(70, 71), Some(0));
    }

    #[test]
    fn the_overload_is_chosen_by_the_argument_count() {
        let extract = signatures(FunctionKind::Scalar, "extract");
        assert_eq!(extract.len(), 2);
        assert_eq!(best_fit(extract, 3), 0);
        assert_eq!(best_fit(extract, 4), 1);
        // Still typing the first arguments: the first overload that takes more.
        assert_eq!(best_fit(extract, 1), 0);
        assert_eq!(best_fit(extract, 9), 1);
        assert_eq!(best_fit(&[] as &[Signature], 1), 0);
    }
}
