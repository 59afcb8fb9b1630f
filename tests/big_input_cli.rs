//! Big inputs through every command: flat chains of 100,000 terms (which Microsoft's parser
//! accepts) are parsed, linted, formatted and converted, never refused as nesting and never
//! a stack overflow.

#[path = "support/cli.rs"]
mod cli;
use cli::{kqlsmith, text, write};

#[test]
fn a_where_with_100_000_or_terms_goes_through_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let terms: Vec<String> = (0..100_000).map(|i| format!("RemotePort == {i}")).collect();
    let query = format!("DeviceNetworkEvents\n| where {}\n", terms.join(" or "));
    write(dir.path(), "or.kql", &query);
    let sum = format!("print total = 1{}\n", " + 1".repeat(100_000));
    write(dir.path(), "sum.kql", &sum);
    for args in [
        &["parse", "or.kql", "sum.kql"][..],
        &["lint", "or.kql", "sum.kql"],
        &["fmt", "--check", "sum.kql"],
        &["convert", "--to", "sentinel", "or.kql"],
    ] {
        let out = kqlsmith(dir.path(), args);
        let stderr = text(&out.stderr);
        assert!(
            !stderr.contains("overflow") && !stderr.contains("nested deeper"),
            "{args:?}: {stderr}"
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
