//! Rule KQL305 `search-operator`: `search` or `union *` reads every table.

use crate::diagnostic::Diagnostic;
use crate::ir::{Source, Stage, StageKind, Union};
use crate::rules::{Context, declare_rule};
use crate::visit::{IrVisitor, walk_script};

declare_rule! {
/// ## What it does
/// Reports `search` without a table list (`search "x"`, `search *`) and `union *`.
///
/// ## Why is this bad
/// They read every table in the workspace: very slow, and results depend on which tables
/// happen to exist.
///
/// ## Example
/// ```kql
/// search "evil.example.com"
/// ```
///
/// ## Fix
/// Name the tables: `search in (DeviceNetworkEvents, DnsEvents) "evil.example.com"`, or query
/// the table and column that hold the value.
    "KQL305", "search-operator", Warning, "`search` or `union *` reads every table"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    struct Everything<'o> {
        out: &'o mut Vec<Diagnostic>,
    }
    impl Everything<'_> {
        fn union(&mut self, u: &Union) {
            if let Some(star) = &u.wildcard
                && star.text == "*"
            {
                self.out.push(Diagnostic::new(
                    &RULE,
                    star.span.clone(),
                    "`union *` reads every table of the workspace; name the tables".into(),
                ));
            }
        }
    }
    impl IrVisitor for Everything<'_> {
        fn source(&mut self, source: &Source) {
            match source {
                Source::Search {
                    tables: None, span, ..
                } => self.out.push(Diagnostic::new(
                    &RULE,
                    span.clone(),
                    "`search` without `in (...)` reads every table of the workspace; name \
                     the tables (`search in (T1, T2) ...`) or query the column that holds the value"
                        .into(),
                )),
                Source::Union(u) => self.union(u),
                _ => {}
            }
        }
        fn stage(&mut self, stage: &Stage) {
            if let StageKind::Union(u) = &stage.kind {
                self.union(u);
            }
        }
    }
    walk_script(cx.script, &mut Everything { out });
}
