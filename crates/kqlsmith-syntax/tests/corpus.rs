//! Agreement with Microsoft's KQL parser over the public corpus, and printing round trips.

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

/// Agreement (in tenths of a percent) below which the test fails. Ratchet it up as the
/// grammar improves; never down.
const AGREEMENT_FLOOR_PERMILLE: usize = 1000;

#[test]
fn agrees_with_the_reference_parser() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    let mut agree = 0;
    let (mut yes, mut yes_accepted, mut no, mut no_rejected) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for entry in &entries {
        let result = kqlsmith_syntax::parse(&entry.text);
        if entry.oracle_ok {
            yes += 1;
        } else {
            no += 1;
        }
        match (&result, entry.oracle_ok) {
            (Ok(_), true) => yes_accepted += 1,
            (Err(_), false) => no_rejected += 1,
            _ => {}
        }
        if result.is_ok() == entry.oracle_ok {
            agree += 1;
        } else {
            let ours = match &result {
                Ok(_) => "accepted".to_string(),
                Err(e) => format!("rejected at {e}"),
            };
            disagreements.push(format!(
                "{}: oracle {} ({}), we {ours}",
                entry.file,
                if entry.oracle_ok { "yes" } else { "no" },
                entry.oracle_error
            ));
        }
    }
    for d in &disagreements {
        println!("DISAGREE {d}");
    }
    let permille = agree * 1000 / entries.len();
    println!(
        "corpus agreement: {agree}/{} = {:.1}% (yes accepted {yes_accepted}/{yes}, no rejected {no_rejected}/{no})",
        entries.len(),
        agree as f64 * 100.0 / entries.len() as f64
    );
    assert!(
        permille >= AGREEMENT_FLOOR_PERMILLE,
        "agreement {permille}‰ fell below the floor {AGREEMENT_FLOOR_PERMILLE}‰"
    );
}

#[test]
fn printing_round_trips_every_parsed_file() {
    let Some(entries) = corpus::entries() else {
        return;
    };
    let mut failures = Vec::new();
    let mut parsed = 0;
    for entry in &entries {
        let Ok(script) = kqlsmith_syntax::parse(&entry.text) else {
            continue;
        };
        parsed += 1;
        let printed = script.to_string();
        match kqlsmith_syntax::parse(&printed) {
            Ok(again) if again == script => {}
            Ok(_) => failures.push(format!("{}: reparsed tree differs\n{printed}", entry.file)),
            Err(e) => failures.push(format!(
                "{}: printed text does not parse: {e}\n{printed}",
                entry.file
            )),
        }
    }
    println!("round trips: {}/{parsed}", parsed - failures.len());
    assert!(
        failures.is_empty(),
        "{} round-trip failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
