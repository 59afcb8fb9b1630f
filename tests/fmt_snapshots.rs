//! The formatted text of every fixture in `tests/fixtures/fmt/`, as a reviewer reads it; each is
//! also checked to keep the query and its comments and to be stable under formatting again.

use kqlsmith::syntax::format::{FormatOptions, format};
use kqlsmith::syntax::parse;

#[test]
fn fixtures_format_to_their_snapshots() {
    insta::glob!("fixtures/fmt", "*.kql", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let options = FormatOptions::default();
        let formatted = format(&source, &options).unwrap();

        let before = parse(&source).unwrap();
        let after = parse(&formatted).unwrap();
        assert_eq!(after, before, "the formatted text is another query");
        let texts = |s: &kqlsmith::syntax::Script| {
            s.comments
                .iter()
                .map(|c| c.text.trim_end().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&after), texts(&before), "comments changed");
        assert_eq!(
            format(&formatted, &options).unwrap(),
            formatted,
            "not idempotent"
        );
        assert!(formatted.ends_with('\n') && !formatted.ends_with("\n\n"));
        assert!(
            formatted.lines().all(|line| line == line.trim_end()),
            "trailing spaces"
        );

        insta::assert_snapshot!(formatted);
    });
}
