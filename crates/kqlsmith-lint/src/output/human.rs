//! rustc-style text: the message, the source line with a caret under the problem, and the fix
//! as a patch.

use std::borrow::Cow;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use kqlsmith_syntax::LineIndex;

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
        let lines = LineIndex::new(&report.source);
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
            let ranges = diagnostic.labels.iter().map(|l| l.range.clone());
            let edits = diagnostic.fix.iter().flat_map(|f| &f.edits);
            let excerpt = Excerpt::new(
                &report.source,
                &lines,
                diagnostic.range.clone(),
                ranges.chain(edits.map(|e| e.range.clone())),
            );
            let mut annotated = excerpt.snippet(&report.path).annotation(
                AnnotationKind::Primary
                    .span(excerpt.range(diagnostic.range.clone()))
                    .label(diagnostic.rule),
            );
            for label in &diagnostic.labels {
                annotated = annotated.annotation(
                    AnnotationKind::Context
                        .span(excerpt.range(label.range.clone()))
                        .label(label.message.as_str()),
                );
            }
            let title = level
                .primary_title(diagnostic.message.as_str())
                .id(diagnostic.code);
            let mut groups = vec![match excerpt.location(&report.path) {
                Some(location) => title
                    .element(annotated)
                    .element(Level::NOTE.message(location)),
                None => title.element(annotated),
            }];
            if let Some(fix) = &diagnostic.fix {
                let how = match fix.applicability {
                    Applicability::Safe => "safe fix, applied by --fix",
                    Applicability::Unsafe => "unsafe fix, review before applying",
                };
                let mut patched = excerpt.snippet(&report.path);
                for edit in &fix.edits {
                    patched = patched.patch(Patch::new(
                        excerpt.range(edit.range.clone()),
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

/// Bytes of a long line shown either side of what a diagnostic points at.
const CONTEXT: usize = 160;

/// The piece of a file a diagnostic's snippets show: the lines its ranges touch, and of a
/// long line only `CONTEXT` bytes either side of them. The renderer reads all the text it is
/// given, so handing it the whole file made the output of a big file quadratic (each of
/// hundreds of diagnostics reading megabytes).
struct Excerpt<'s> {
    /// The shown text: `source[start..end]`, after `...` where a long line was cut.
    text: Cow<'s, str>,
    start: usize,
    end: usize,
    /// 1-based line of `start`.
    line: usize,
    /// Line and character column of the primary range, when the line is cut (the renderer
    /// would count the column from the cut).
    cut_at: Option<(usize, usize)>,
}

/// What marks a cut line.
const ELLIPSIS: &str = "...";

impl<'s> Excerpt<'s> {
    fn new(
        source: &'s str,
        lines: &LineIndex<'_>,
        primary: Range<usize>,
        others: impl Iterator<Item = Range<usize>>,
    ) -> Self {
        let primary = clamp(source, primary);
        let (mut low, mut high) = (primary.start, primary.end);
        for range in others {
            let range = clamp(source, range);
            low = low.min(range.start);
            high = high.max(range.end);
        }
        let bytes = source.as_bytes();
        // The end of a text that ends with a line break is shown, as the renderer shows it,
        // at the end of the last line.
        if low == source.len() && source.ends_with('\n') {
            low -= 1;
        }
        let reach_back = low.saturating_sub(CONTEXT);
        let mut start = match bytes[reach_back..low].iter().rposition(|&b| b == b'\n') {
            Some(i) => reach_back + i + 1,
            None => reach_back,
        };
        let reach_on = (high + CONTEXT).min(source.len());
        let mut end = match bytes[high..reach_on].iter().position(|&b| b == b'\n') {
            Some(i) => high + i,
            None => reach_on,
        };
        while !source.is_char_boundary(start) {
            start += 1;
        }
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let cut_before = start > 0 && bytes[start - 1] != b'\n';
        let cut_after = end < source.len() && bytes[end] != b'\n';
        let text = if cut_before || cut_after {
            let before = if cut_before { ELLIPSIS } else { "" };
            let after = if cut_after { ELLIPSIS } else { "" };
            Cow::Owned(format!("{before}{}{after}", &source[start..end]))
        } else {
            Cow::Borrowed(&source[start..end])
        };
        Excerpt {
            text,
            start,
            end,
            line: lines.line_col(start).0,
            cut_at: cut_before.then(|| lines.line_col(primary.start)),
        }
    }

    /// A snippet of the excerpt, numbered as in the file.
    fn snippet<'a, T: Clone>(&'a self, path: &'a str) -> Snippet<'a, T> {
        let snippet = Snippet::source(self.text.as_ref())
            .line_start(self.line)
            .fold(true);
        match self.cut_at {
            Some(_) => snippet,
            None => snippet.path(path),
        }
    }

    /// Where the diagnostic is, when the snippet cannot say it (its line is cut, and the
    /// renderer would count the column from the cut).
    fn location(&self, path: &str) -> Option<String> {
        let (line, column) = self.cut_at?;
        Some(format!("at {path}:{line}:{column} (a long line, cut)"))
    }

    /// A range of the file as a range of the excerpt's text.
    fn range(&self, range: Range<usize>) -> Range<usize> {
        let lead = if self.cut_at.is_some() {
            ELLIPSIS.len()
        } else {
            0
        };
        let inside = |i: usize| i.clamp(self.start, self.end) - self.start + lead;
        inside(range.start)..inside(range.end).max(inside(range.start))
    }
}

/// A byte range that lies inside `source` on character boundaries, so rendering never panics.
fn clamp(source: &str, range: Range<usize>) -> Range<usize> {
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

    /// The renderer gets a diagnostic's lines, not the file: on a long file, and on one
    /// long line, what it reads stays the same whatever the file's size (it read the whole
    /// file once a diagnostic, quadratic on big files with many diagnostics).
    #[test]
    fn a_snippet_reads_only_the_text_around_its_diagnostic() {
        let line = "| where RemotePort == 1\n";
        let many_lines = format!("T\n{}| where Ports == 2\n", line.repeat(200_000));
        let at = many_lines.find("Ports").unwrap();
        let lines = LineIndex::new(&many_lines);
        let excerpt = Excerpt::new(&many_lines, &lines, at..at + 5, std::iter::empty());
        assert_eq!(excerpt.text, "| where Ports == 2");
        assert_eq!((excerpt.line, excerpt.cut_at), (200_002, None));

        let one_line = format!(
            "T | where {}Ports == 2 or x == 1",
            "RemotePort == 1 or ".repeat(500_000)
        );
        let at = one_line.find("Ports").unwrap();
        let lines = LineIndex::new(&one_line);
        let excerpt = Excerpt::new(&one_line, &lines, at..at + 5, std::iter::empty());
        assert!(
            excerpt.text.len() <= 2 * CONTEXT + 5 + 2 * ELLIPSIS.len(),
            "{}",
            excerpt.text
        );
        assert!(excerpt.text.starts_with("...") && excerpt.text.ends_with("Ports == 2 or x == 1"));
        assert_eq!(excerpt.cut_at, Some((1, at + 1)));
        assert_eq!(&excerpt.text[excerpt.range(at..at + 5)], "Ports");
    }

    #[test]
    fn a_cut_line_still_shows_the_file_line_and_column() {
        let mut r = report();
        let padding = "x == 1 or ".repeat(100);
        r.source =
            format!("DeviceNetworkEvents\n| where {padding}InitiatingProcessFileName <> \"x\"\n");
        let start = r.source.find("<>").unwrap();
        r.diagnostics[0].range = start..start + 2;
        r.diagnostics[0].fix.as_mut().unwrap().edits[0].range = start..start + 2;
        let text = human(&[r], false);
        let location = format!("= note: at q.kql:2:{} (a long line, cut)", start - 20 + 1);
        assert!(text.contains(&location), "{text}");
        assert!(!text.contains("-->") && !text.contains(":::"), "{text}");
        assert!(text.contains("^^ angle-bracket-not-equal"), "{text}");
        assert!(text.contains("2 | ..."), "{text}");
        assert!(
            text.contains("InitiatingProcessFileName != \"x\""),
            "{text}"
        );
    }
}
