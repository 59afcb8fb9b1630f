//! Rule KQL201 `join-without-kind`: `join` without `kind=`: the default drops duplicate left keys.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::ir::{Stage, StageKind};
use crate::rules::{Context, declare_rule};
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports a `join` with no `kind=`.
///
/// ## Why is this bad
/// KQL's default join kind is `innerunique`: it keeps only one row for each key of the left
/// side before joining, so left rows are silently lost. Few people expect that (in SQL an
/// inner join keeps them all), and a query reviewed as an inner join then misses rows.
/// (Kusto's analyzer: KS508.)
///
/// ## Example
/// ```kql
/// DeviceProcessEvents
/// | where Timestamp > ago(1d)
/// | join (DeviceNetworkEvents | where Timestamp > ago(1d)) on DeviceId
/// ```
///
/// ## Fix
/// Say which join is meant: `join kind=inner` for every match, or `join kind=innerunique` to
/// keep today's behaviour explicitly. The fix offered writes `kind=innerunique`, which keeps
/// what the query does today.
    "KQL201", "join-without-kind", Warning, "`join` without `kind=`: the default drops duplicate left keys"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Joins<'o>(&'o mut Vec<Diagnostic>);
    impl IrVisitor for Joins<'_> {
        fn stage(&mut self, stage: &Stage) {
            if let StageKind::Join(join) = &stage.kind
                && join.kind.is_none()
            {
                self.0.push(
                    Diagnostic::new(
                        &RULE,
                        stage.keyword.clone(),
                        "`join` without `kind=` is an `innerunique` join, which keeps one row \
                         per left key and silently drops the others; say `kind=inner` (every \
                         match) or `kind=innerunique`"
                            .into(),
                    )
                    .with_fix(Fix::safe(
                        "write the default explicitly: `join kind=innerunique`",
                        vec![Edit::insert(stage.keyword.end, " kind=innerunique")],
                    )),
                );
            }
        }
    }
    walk_script(cx.script, &mut Joins(out));
}
