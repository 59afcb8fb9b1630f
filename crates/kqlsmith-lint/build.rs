//! Lists the shipped platforms for `src/platform.rs`: every `data/platforms/<name>.toml`, with
//! the `<name>.tables` schema beside it when there is one, compiled in. A new platform is its
//! data files only.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let folder = Path::new(&manifest).join("data/platforms");
    println!("cargo:rerun-if-changed=data/platforms");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()))
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            let stem = path.file_stem().expect("a file name").to_string_lossy();
            stem.into_owned()
        })
        .collect();
    names.sort();
    let mut list = String::from("&[\n");
    for name in &names {
        let toml = folder.join(format!("{name}.toml"));
        let tables = folder.join(format!("{name}.tables"));
        let tables = if tables.exists() {
            format!("Some(include_str!({:?}))", tables.display().to_string())
        } else {
            "None".to_string()
        };
        writeln!(
            list,
            "    ({:?}, include_str!({:?}), {tables}),",
            format!("profiles/platforms/{name}.toml"),
            toml.display().to_string()
        )
        .expect("writing to a String");
    }
    list.push(']');
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("platforms.rs");
    std::fs::write(&out, list).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
