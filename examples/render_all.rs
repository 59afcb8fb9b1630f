//! A content pipeline: render every hunt profile of a folder for every platform, as queries
//! and rule files, into one output folder.
//!
//! ```sh
//! cargo run --example render_all                              # profiles/hunts -> target/rendered-hunts
//! cargo run --example render_all -- my/hunts generated/        # any folders
//! ```
//!
//! Everything is rendered in memory first; files are written only when every profile
//! rendered. The layout is flat and sorted (`<hunt>.<platform>.kql`, `<hunt>.sentinel.yaml`,
//! `<hunt>.sentinel.rule.yaml`, `<hunt>.sentinel.arm.json`, `<hunt>.defender.json`), so a
//! repository of generated rules diffs cleanly. A hunt that cannot be a scheduled rule (a hunt
//! of one device still naming the placeholder device) skips the scheduled rule formats.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kqlsmith::RuleFormat;

/// One rendered file: its name in the output folder and its text.
struct Rendered {
    file_name: String,
    text: String,
}

/// Renders every `*.toml` profile in `profiles` for every platform and format.
fn render_folder(profiles: &Path) -> Result<Vec<Rendered>, Box<dyn std::error::Error>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(profiles)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|path| path.extension().is_some_and(|e| e == "toml"));
    paths.sort();
    let mut files = Vec::new();
    for path in &paths {
        let hunt = kqlsmith::load_profile(path)?;
        for platform in kqlsmith::platforms() {
            for format in RuleFormat::ALL {
                if format
                    .platform_name()
                    .is_some_and(|name| name != platform.name)
                {
                    continue;
                }
                let text = match kqlsmith::emit(&hunt, format, &platform) {
                    Ok(text) => text,
                    Err(kqlsmith::Error::Export(kqlsmith::hunt::ExportError::Refused(refusal))) => {
                        eprintln!("skipped: {refusal}");
                        continue;
                    }
                    Err(error) => return Err(error.into()),
                };
                files.push(Rendered {
                    file_name: kqlsmith::file_name(&hunt, format, &platform)?,
                    text,
                });
            }
        }
    }
    files.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(files)
}

/// Renders `profiles` into `out` (created if missing); returns the files written.
fn run(profiles: &Path, out: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let files = render_folder(profiles)?;
    std::fs::create_dir_all(out)?;
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = out.join(&file.file_name);
        std::fs::write(&path, file.text)?;
        written.push(path);
    }
    Ok(written)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let profiles = PathBuf::from(args.next().unwrap_or_else(|| "profiles/hunts".into()));
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/rendered-hunts".into()),
    );
    match run(&profiles, &out) {
        Ok(written) => {
            for path in &written {
                println!("{}", path.display());
            }
            eprintln!("{} files in {}", written.len(), out.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_profiles() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/hunts")
    }

    #[test]
    fn every_shipped_profile_is_written_for_both_platforms() {
        let out = tempfile::tempdir().unwrap();
        let written = run(&shipped_profiles(), out.path()).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        // Hunting formats for every profile; scheduled rules for the detection only, as the
        // hunts of one device still name the placeholder device.
        for hunt in kqlsmith::shipped_profiles() {
            for suffix in [
                "defender.kql",
                "sentinel.kql",
                "sentinel.yaml",
                "sentinel.arm.json",
            ] {
                let name = format!("{hunt}.{suffix}");
                assert!(names.contains(&name), "{name} missing from {names:?}");
            }
        }
        for suffix in ["defender.json", "sentinel.rule.yaml"] {
            let name = format!("internal-connections-detection.{suffix}");
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        assert_eq!(names.len(), kqlsmith::shipped_profiles().len() * 4 + 2);
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        // Every query parses, and is what `render` gives for that platform.
        for path in written
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "kql"))
        {
            let text = std::fs::read_to_string(path).unwrap();
            kqlsmith::parse(&text).unwrap();
        }
        let hunt = kqlsmith::shipped_profile("remote-logons").unwrap();
        let sentinel = kqlsmith::platform("sentinel").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("remote-logons.sentinel.kql")).unwrap(),
            kqlsmith::render(&hunt, &sentinel).unwrap()
        );
    }

    #[test]
    fn a_bad_profile_writes_nothing() {
        let profiles = tempfile::tempdir().unwrap();
        std::fs::write(
            profiles.path().join("bad.toml"),
            "[hunt]\nkind = \"nope\"\n",
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let error = run(profiles.path(), &out.path().join("rules")).unwrap_err();
        assert!(
            error.to_string().contains("unknown hunt kind `nope`"),
            "{error}"
        );
        assert!(!out.path().join("rules").exists());
    }
}
