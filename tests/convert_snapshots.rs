//! What converting each fixture in `tests/fixtures/convert/` changes, as a reviewer reads it: a
//! diff of the query and the findings. `NAME.defender.kql` converts to Sentinel,
//! `NAME.sentinel.kql` to Defender XDR.

use kqlsmith::lint::Platform;
use kqlsmith::lint::convert::convert;
use similar::TextDiff;

#[test]
fn fixtures_convert_to_their_snapshots() {
    insta::glob!("fixtures/convert", "*.kql", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let (from, to) = if name.ends_with(".defender.kql") {
            ("defender", "sentinel")
        } else {
            ("sentinel", "defender")
        };
        let (from, to) = (
            Platform::builtin(from).unwrap(),
            Platform::builtin(to).unwrap(),
        );
        let conversion = convert(&source, &from, &to).unwrap();

        // Only names change: the text outside the edits is the source's, byte for byte.
        let mut at = 0;
        let mut kept = String::new();
        for edit in &conversion.edits {
            kept.push_str(&source[at..edit.range.start]);
            at = edit.range.end;
        }
        kept.push_str(&source[at..]);
        let mut kept_after = String::new();
        let mut at = 0;
        let mut shift = 0isize;
        for edit in &conversion.edits {
            let start = (edit.range.start as isize + shift) as usize;
            kept_after.push_str(&conversion.text[at..start]);
            at = start + edit.replacement.len();
            shift += edit.replacement.len() as isize - edit.range.len() as isize;
        }
        kept_after.push_str(&conversion.text[at..]);
        assert_eq!(kept, kept_after);

        let mut report = TextDiff::from_lines(source.as_str(), conversion.text.as_str())
            .unified_diff()
            .context_radius(0)
            .header(&from.name, &to.name)
            .to_string();
        for d in &conversion.diagnostics {
            let line = conversion.text[..d.range.start].matches('\n').count() + 1;
            report.push_str(&format!(
                "{}[{}] line {line} `{}`: {}\n",
                d.severity,
                d.code,
                &conversion.text[d.range.clone()],
                d.message
            ));
        }
        insta::assert_snapshot!(report);
    });
}
