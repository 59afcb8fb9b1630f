//! Rule KQL107 `wrong-argument-count`: A function called with too few or too many arguments.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::semantic::{Callee, LetKind};

declare_rule! {
/// ## What it does
/// Reports a call to a built-in or platform function with a number of arguments the function
/// does not take.
///
/// ## Why is this bad
/// The query fails with "The function expects N arguments".
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago()
/// ```
///
/// ## Fix
/// Pass the arguments the function takes (here `ago(1d)`).
    "KQL107", "wrong-argument-count", Error, "A function called with too few or too many arguments"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for call in &cx.model.calls {
        let (min, max) = match &call.callee {
            Callee::Builtin(f) => {
                // A name can be both a scalar function and an aggregate with other arities.
                let other =
                    crate::functions::lookup(crate::functions::FunctionKind::Aggregate, f.name)
                        .into_iter()
                        .chain(crate::functions::lookup(
                            crate::functions::FunctionKind::Scalar,
                            f.name,
                        ));
                if f.accepts(call.arg_count) || other.clone().any(|g| g.accepts(call.arg_count)) {
                    continue;
                }
                (f.min_args, f.max_args)
            }
            Callee::Platform { min_args, max_args } => (*min_args, Some(*max_args)),
            Callee::Let(index) => match cx.model.lets[*index].kind {
                LetKind::Function { min_args, max_args } => (min_args, Some(max_args)),
                _ => continue,
            },
            Callee::Unknown { .. } | Callee::Unchecked => continue,
        };
        let n = call.arg_count;
        if n >= min && max.is_none_or(|max| n <= max) {
            continue;
        }
        let expected = match max {
            Some(max) if max == min => format!("{min} argument{}", if min == 1 { "" } else { "s" }),
            Some(max) => format!("{min} to {max} arguments"),
            None => format!("at least {min} argument{}", if min == 1 { "" } else { "s" }),
        };
        out.push(Diagnostic::new(
            &RULE,
            call.span.clone(),
            format!(
                "`{}` takes {expected}, but {n} {} given; pass the arguments it takes",
                call.name.name,
                if n == 1 { "is" } else { "are" }
            ),
        ));
    }
}
