//! A content pipeline step built on the library: every Defender XDR hunt in a folder is put in
//! the canonical layout and given a Sentinel twin beside it (`NAME.sentinel.kql`), with what
//! could not be converted listed. Nothing is written for a file that does not parse.
//!
//! `cargo run --example sentinel_twins -- hunts/`

use std::path::Path;

use kqlsmith::lint::Platform;
use kqlsmith::lint::convert::convert;
use kqlsmith::syntax::format::{FormatOptions, format};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = std::env::args()
        .nth(1)
        .ok_or("usage: sentinel_twins FOLDER")?;
    let defender = Platform::builtin("defender")?;
    let sentinel = Platform::builtin("sentinel")?;
    let mut paths: Vec<_> = std::fs::read_dir(&folder)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "kql"))
        .filter(|p| !p.to_string_lossy().ends_with(".sentinel.kql"))
        .collect();
    paths.sort();
    for path in paths {
        let source = std::fs::read_to_string(&path)?;
        // Format first, so that both twins share one layout (the conversion keeps it).
        let tidy = match format(&source, &FormatOptions::default()) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{}: skipped: {error}", path.display());
                continue;
            }
        };
        let twin = convert(&tidy, &defender, &sentinel)?;
        for d in &twin.diagnostics {
            eprintln!(
                "{}: {}[{}]: {}",
                path.display(),
                d.severity,
                d.code,
                d.message
            );
        }
        std::fs::write(&path, &tidy)?;
        std::fs::write(twin_path(&path), &twin.text)?;
        println!(
            "{}: {} name(s) changed for Sentinel",
            path.display(),
            twin.edits.len()
        );
    }
    Ok(())
}

/// `hunt.kql` -> `hunt.sentinel.kql`.
fn twin_path(path: &Path) -> std::path::PathBuf {
    path.with_extension("sentinel.kql")
}
