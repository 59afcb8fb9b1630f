//! Converts a table schema in JSON (`{"Table": [["Column", "type"], ...], ...}`, the form
//! Microsoft's table references are commonly compiled into) to the line format kqlsmith ships
//! in `profiles/platforms/*.tables`: one table a line, `Table Column:type Column:type ...`,
//! types spelled as in the source.
//!
//! ```sh
//! cargo run -p kqlsmith-lint --example import_schema -- ../shared/schemas/defender.json \
//!     > profiles/platforms/defender.tables
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: import_schema SCHEMA.json > NAME.tables");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let tables: BTreeMap<String, Vec<(String, String)>> = match serde_json::from_str(&text) {
        Ok(tables) => tables,
        Err(e) => {
            eprintln!("{path}: not a table schema: {e}");
            return ExitCode::from(2);
        }
    };
    for (table, columns) in &tables {
        let columns: Vec<String> = columns.iter().map(|(c, t)| format!("{c}:{t}")).collect();
        println!("{table} {}", columns.join(" "));
    }
    ExitCode::SUCCESS
}
