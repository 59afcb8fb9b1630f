//! Lists the shipped hunt profiles for `src/profile.rs`: every `data/hunts/<name>.toml`,
//! compiled in, in name order. A new hunt's profile is its file only.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let folder = Path::new(&manifest).join("data/hunts");
    println!("cargo:rerun-if-changed=data/hunts");
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
        let file = folder.join(format!("{name}.toml"));
        writeln!(
            list,
            "    ({name:?}, {:?}, include_str!({:?})),",
            format!("profiles/hunts/{name}.toml"),
            file.display().to_string()
        )
        .expect("writing to a String");
    }
    list.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("hunts.rs");
    std::fs::write(&out, list).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
