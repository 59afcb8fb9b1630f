//! rustc-style text: the message, the source line with a caret under the problem, and the fix
//! as a patch.

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};

use super::FileReport;
use crate::diagnostic::{Applicability, Severity};

/// Renders every file's diagnostics and notes; `color` adds ANSI styles.
pub fn human(reports: &[FileReport], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for report in reports {
        for note in &report.notes {
            let group = [Group::with_title(
                Level::NOTE.primary_title(format!("{}: {note}", report.path)),
            )];
            out.push_str(&renderer.render(&group));
            out.push('\n');
        }
        for diagnostic in &report.diagnostics {
            let level = match diagnostic.severity {
                Severity::Error => Level::ERROR,
                Severity::Warning => Level::WARNING,
                Severity::Info => Level::INFO,
            };
            let snippet = || {
                Snippet::source(report.source.as_str())
                    .path(report.path.as_str())
                    .fold(true)
            };
            let mut annotated = snippet().annotation(
                AnnotationKind::Primary
                    .span(clamp(&report.source, diagnostic.range.clone()))
                    .label(diagnostic.rule),
            );
            for label in &diagnostic.labels {
                annotated = annotated.annotation(
                    AnnotationKind::Context
                        .span(clamp(&report.source, label.range.clone()))
                        .label(label.message.as_str()),
                );
            }
            let mut groups = vec![
                level
                    .primary_title(diagnostic.message.as_str())
                    .id(diagnostic.code)
                    .element(annotated),
            ];
            if let Some(fix) = &diagnostic.fix {
                let how = match fix.applicability {
                    Applicability::Safe => "safe fix, applied by --fix",
                    Applicability::Unsafe => "unsafe fix, review before applying",
                };
                let mut patched = Snippet::source(report.source.as_str())
                    .path(report.path.as_str())
                    .fold(true);
                for edit in &fix.edits {
                    patched = patched.patch(Patch::new(
                        clamp(&report.source, edit.range.clone()),
                        edit.replacement.as_str(),
                    ));
                }
                groups.push(
                    Level::HELP
                        .secondary_title(format!("{} ({how})", fix.message))
                        .element(patched),
                );
            }
            out.push_str(&renderer.render(&groups));
            out.push_str("\n\n");
        }
    }
    out
}

/// The closing line: "N errors, N warnings in M files".
pub fn summary(reports: &[FileReport]) -> String {
    let count = |severity| reports.iter().map(|r| r.count(severity)).sum::<usize>();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut text = format!(
        "{}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning")
    );
    let infos = count(Severity::Info);
    if infos > 0 {
        text.push_str(&format!(", {}", plural(infos, "info")));
    }
    let fixable = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
        })
        .count();
    text.push_str(&format!(" in {}", plural(reports.len(), "file")));
    if fixable > 0 {
        text.push_str(&format!(" ({fixable} fixable with --fix)"));
    }
    text
}

/// A byte range that lies inside `source` on character boundaries, so rendering never panics.
fn clamp(source: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let fit = |mut i: usize| {
        i = i.min(source.len());
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fit(range.start);
    start..fit(range.end).max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Edit, Fix};
    use crate::rules;

    fn report() -> FileReport {
        let source = "DeviceNetworkEvents\n| where InitiatingProcessFileName <> \"x\"\n";
        let rule = rules::find(rules::all(), "KQL402").unwrap();
        let start = source.find("<>").unwrap();
        let diagnostic = Diagnostic::new(rule, start..start + 2, "use `!=`, not `<>`".into())
            .with_fix(Fix::safe(
                "replace `<>` with `!=`",
                vec![Edit::replace(start..start + 2, "!=")],
            ));
        FileReport {
            path: "q.kql".into(),
            source: source.into(),
            diagnostics: vec![diagnostic],
            notes: vec!["platform inferred: defender".into()],
        }
    }

    #[test]
    fn shows_code_location_caret_and_fix_without_colour() {
        let text = human(&[report()], false);
        assert!(
            text.contains("warning[KQL402]: use `!=`, not `<>`"),
            "{text}"
        );
        assert!(text.contains("q.kql:2:35"), "{text}");
        assert!(text.contains("^^ angle-bracket-not-equal"), "{text}");
        assert!(text.contains("replace `<>` with `!=` (safe fix"), "{text}");
        assert!(
            text.contains("note: q.kql: platform inferred: defender"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "no colour codes: {text}");
        assert!(human(&[report()], true).contains('\u{1b}'));
    }

    #[test]
    fn summary_counts_by_severity_and_files() {
        assert_eq!(
            summary(&[report()]),
            "0 errors, 1 warning in 1 file (1 fixable with --fix)"
        );
        assert_eq!(summary(&[]), "0 errors, 0 warnings in 0 files");
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let mut r = report();
        r.diagnostics[0].range = 500..9000;
        r.source = "é".into();
        r.diagnostics[0].fix = None;
        assert!(human(&[r], false).contains("KQL402"));
    }
}
