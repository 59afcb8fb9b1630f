//! Any bytes: parsing gives a tree or an error, never a panic or a stack overflow; a tree
//! prints as KQL that parses back to an equal tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(script) = kqlsmith_syntax::parse(text) {
        let printed = script.to_string();
        let again = kqlsmith_syntax::parse(&printed).unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{printed}"));
        assert!(again == script, "reparsed tree differs:\n{printed}");
    }
});
