//! The schemas shipped in `profiles/platforms/*.tables` must say exactly what the compiled
//! table references in `../shared/schemas/*.json` say: every table, every column, in order,
//! with the type as spelled there. Regenerate with the `import_schema` example.

use std::collections::BTreeMap;
use std::path::PathBuf;

type Tables = BTreeMap<String, Vec<(String, String)>>;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shipped(platform: &str) -> Tables {
    let path = workspace_root().join(format!("profiles/platforms/{platform}.tables"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut tables = Tables::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut words = line.split(' ');
        let table = words.next().unwrap().to_string();
        let columns = words
            .map(|w| {
                let (c, t) = w.split_once(':').unwrap();
                (c.to_string(), t.to_string())
            })
            .collect();
        assert!(tables.insert(table, columns).is_none());
    }
    tables
}

#[test]
fn shipped_schemas_equal_the_compiled_table_references() {
    let dir = std::env::var_os("KQLSMITH_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/schemas"));
    for (platform, tables) in [("defender", 62), ("sentinel", 925)] {
        let json = dir.join(format!("{platform}.json"));
        let Ok(text) = std::fs::read_to_string(&json) else {
            eprintln!(
                "SKIPPED: {} not found; shipped {platform} schema not compared",
                json.display()
            );
            continue;
        };
        let reference: Tables = serde_json::from_str(&text).unwrap();
        let ours = shipped(platform);
        assert_eq!(ours.len(), tables);
        assert_eq!(reference.len(), tables);
        for (table, columns) in &reference {
            assert_eq!(ours.get(table), Some(columns), "{platform} table {table}");
        }
    }
}

#[test]
fn shipped_schemas_parse_into_every_table() {
    // `[schema.corrections]` moves the two Entra ID sign-in beta tables, which the compiled
    // list files under Sentinel, to Defender.
    for (platform, listed, corrected) in [("defender", 62, 64), ("sentinel", 925, 923)] {
        let p = kqlsmith_lint::Platform::builtin(platform).unwrap();
        assert_eq!(shipped(platform).len(), listed);
        assert_eq!(p.schema().len(), corrected);
    }
}
