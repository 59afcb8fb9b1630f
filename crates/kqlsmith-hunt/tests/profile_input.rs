//! Any profile text and any `--set` value ends in a hunt or an error, never a panic; and an
//! error that comes from the file points inside the file.

use kqlsmith_hunt::profile::{self, Override, ProfileError};
use proptest::prelude::*;

/// The default profile with one line replaced by `replacement`.
fn mutated(line: usize, replacement: &str) -> String {
    let lines: Vec<&str> = profile::DEFAULT_PROFILE.lines().collect();
    let at = line % lines.len();
    let mut out: Vec<&str> = lines.clone();
    out[at] = replacement;
    out.join("\n")
}

fn check(text: &str, overrides: &[Override]) {
    match profile::load(text, "fuzz.toml", overrides) {
        Ok(_) => {}
        Err(ProfileError::Invalid(invalid)) => {
            assert!(!invalid.message.is_empty());
            if let Some(span) = &invalid.span {
                assert!(span.start <= text.len(), "{span:?} is outside the text");
                let (line, column) = invalid.line_column().unwrap();
                assert!(line >= 1 && column >= 1);
                assert!(line <= text.lines().count().max(1) + 1);
            }
        }
        Err(other) => assert!(!other.to_string().is_empty()),
    }
}

proptest! {
    #[test]
    fn arbitrary_text_is_an_error_not_a_panic(text in any::<String>()) {
        check(&text, &[]);
    }

    #[test]
    fn a_profile_with_one_line_changed_loads_or_says_why(
        line in any::<usize>(),
        replacement in prop_oneof![
            any::<String>(),
            "[a-z_.]{1,20} = (\"[^\"\\\\]{0,10}\"|[0-9]{1,6}|true|\\[\\]|\\[\"[a-zA-Z:/.0-9]{0,12}\"\\])",
            "\\[[a-z_.]{1,20}\\]",
        ],
    ) {
        check(&mutated(line, &replacement), &[]);
    }

    #[test]
    fn any_set_value_is_an_error_not_a_panic(
        key in prop::sample::select(profile::keys(kqlsmith_hunt::HuntKind::InternalConnections)),
        value in any::<String>(),
    ) {
        let overrides = [Override::new(key.clone(), value, format!("--set {key}"))];
        match profile::load_default(&overrides) {
            Ok(_) => {}
            Err(ProfileError::InvalidOverride { field, .. }) => prop_assert!(field.starts_with(&key)),
            Err(other) => prop_assert!(false, "unexpected error: {other}"),
        }
    }
}
