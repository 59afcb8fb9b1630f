//! Rule KQL103 `removed-column-reference`: A column used after a stage that removed it.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, declare_rule};
use crate::semantic::Resolution;

declare_rule! {
/// ## What it does
/// Reports a column that existed earlier in the query but was dropped by a `project`,
/// `project-away`, `summarize`, `distinct` or similar stage before it is used.
///
/// ## Why is this bad
/// The query fails to resolve the name. The stage that removed the column is shown, since that
/// is usually where the fix belongs.
///
/// ## Example
/// ```kql
/// DeviceNetworkEvents
/// | where Timestamp > ago(1d)
/// | summarize Connections = count() by RemoteIP
/// | where DeviceName =~ "host"
/// ```
///
/// ## Fix
/// Filter before the stage that removes the column, or keep the column (add it to the
/// `project` list or the `by` clause).
    "KQL103", "removed-column-reference", Error, "A column used after a stage that removed it"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for name in &cx.model.names {
        let Resolution::Removed(stage) = &name.resolution else {
            continue;
        };
        let keyword = &cx.source[stage.clone()];
        out.push(
            Diagnostic::new(
                &RULE,
                name.ident.span.clone(),
                format!(
                    "column `{}` was removed by an earlier `{keyword}`; use it before that \
                     stage or keep it there",
                    name.ident.name
                ),
            )
            .with_label(stage.clone(), format!("`{}` removed here", name.ident.name)),
        );
    }
}
