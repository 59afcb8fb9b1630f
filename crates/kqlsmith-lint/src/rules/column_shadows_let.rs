//! Rule KQL105 `column-shadows-let`: A column that hides a `let` binding of the same name.

use crate::diagnostic::Diagnostic;
use crate::output::position;
use crate::rules::{Context, declare_rule};

declare_rule! {
/// ## What it does
/// Reports a column created with the name of a `let` binding (`project X = ...`,
/// `extend X = ...`, `summarize X = ...`).
///
/// ## Why is this bad
/// Inside a pipe, a column wins over a `let` of the same name: after the column exists, the
/// name means the column, not the value the `let` holds. The published hunt *Internal
/// connections made by a compromised device* projects `CompromisedDevice = DeviceName` while
/// `let CompromisedDevice = "..."` holds the device searched for, so every later
/// `CompromisedDevice` means the column. It is easy to misread and breaks silently when the
/// stages are reordered. (Kusto's own analyzer reports this as KS510.)
///
/// ## Example
/// ```kql
/// let CompromisedDevice = "host.contoso.com";
/// DeviceNetworkEvents
/// | where DeviceName =~ CompromisedDevice
/// | project RemoteIP, CompromisedDevice = DeviceName
/// ```
///
/// ## Fix
/// Give the column another name (`SourceDevice = DeviceName`).
    "KQL105", "column-shadows-let", Warning, "A column that hides a `let` binding of the same name"
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for def in &cx.model.defs {
        let Some(index) = def.shadows else { continue };
        let binding = &cx.model.lets[index];
        let line = position(cx.source, binding.name.span.start).line;
        out.push(
            Diagnostic::new(
                &RULE,
                def.ident.span.clone(),
                format!(
                    "column `{name}` hides `let {name}` (line {line}): from here on `{name}` \
                     means the column; give the column another name",
                    name = def.ident.name
                ),
            )
            .with_label(binding.name.span.clone(), "the `let` it hides"),
        );
    }
}
