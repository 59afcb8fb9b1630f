//! Any bytes that parse: the formatter gives text that parses to the same query with the
//! same comments (it checks that itself, and says Internal when it cannot), and formatting
//! that text again changes nothing.
#![no_main]

use kqlsmith_syntax::format::{FormatError, FormatOptions, format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = FormatOptions::default();
    match format(text, &options) {
        Ok(formatted) => {
            let again = format(&formatted, &options)
                .unwrap_or_else(|e| panic!("formatted text does not format: {e}\n{formatted}"));
            assert!(again == formatted, "not idempotent:\n{formatted}\n---\n{again}");
        }
        Err(FormatError::Syntax(_)) => {}
        Err(e @ FormatError::Internal(_)) => panic!("{e}\n{text}"),
    }
});
