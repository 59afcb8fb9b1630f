//! Query files for the commands that read them (`parse`, `lint`, `fmt`, `convert`): finding
//! them, reading them as UTF-8 text, the `kqlsmith.toml` that applies to each, reporting the
//! ones that are not valid KQL, and writing them back atomically, so that a failure never
//! leaves a file half written.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use kqlsmith_lint::Config;
use kqlsmith_lint::output::{self, FileReport};
use kqlsmith_lint::rules::syntax_error;

/// The name standard input goes by.
pub const STDIN: &str = "-";

/// The files named: files as given, folders searched (in sorted order) for `.kql` files and
/// host files (Markdown, YAML, JSON), `-` for standard input. A path that does not exist is an error that names it.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == STDIN {
            files.push(path.clone());
        } else if path.is_dir() {
            for entry in walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name()
            {
                let entry = entry.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                if entry.file_type().is_file() && super::hosts::is_query_file(entry.path()) {
                    files.push(entry.into_path());
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    Ok(files)
}

/// Whether `path` stands for standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// The text of a file (or of standard input, for `-`); text that is not UTF-8 is an error that
/// says at which byte.
pub fn read(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let bytes = if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?
    };
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{shown} is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Replaces the file's content: the text goes to a temporary file beside it (with the file's
/// permissions), which is then renamed over it. On any error the file is as it was. A linked
/// file is replaced where it lives, not by a plain file in place of the link.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let target = std::fs::canonicalize(path).map_err(fail)?;
    let path = target.as_path();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path).map_err(fail)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".kqlsmith-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    std::fs::set_permissions(temp.path(), permissions).map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The `kqlsmith.toml` that applies to each file (the nearest one upwards; for standard
/// input, upwards from the working folder), each configuration file loaded once.
#[derive(Default)]
pub struct Configs {
    loaded: HashMap<PathBuf, Config>,
    defaults: Config,
}

impl Configs {
    /// The configuration for `file`: the nearest `kqlsmith.toml`, or the defaults when there
    /// is none. A configuration file that cannot be read or is invalid is an error that says
    /// where and what.
    pub fn for_file(&mut self, file: &Path) -> Result<&Config, String> {
        let start = if is_stdin(file) { Path::new(".") } else { file };
        let Some(path) = Config::find(start) else {
            return Ok(&self.defaults);
        };
        if !self.loaded.contains_key(&path) {
            let config = Config::load(&path).map_err(|e| e.to_string())?;
            self.loaded.insert(path.clone(), config);
        }
        Ok(&self.loaded[&path])
    }
}

/// A parse error, rustc-style (with the line, a caret and the lint code `KQL001`), on standard
/// error; in colour on a terminal.
pub fn report_syntax_error(shown: &str, source: &str, error: &kqlsmith_syntax::ParseError) {
    let report = FileReport {
        path: shown.to_string(),
        source: source.to_string(),
        diagnostics: vec![syntax_error::diagnostic(source, error)],
        notes: Vec::new(),
    };
    let text = output::human(&[report], std::io::stderr().is_terminal());
    let _ = write!(anstream::stderr(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_give_their_kql_files_sorted_and_missing_paths_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.kql", "a.kql", "sub/c.kql", "notes.txt"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "T").unwrap();
        }
        let files = collect(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                f.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.kql", "b.kql", "sub/c.kql"]);
        let missing = dir.path().join("missing.kql");
        assert!(collect(&[missing]).unwrap_err().contains("no such file"));
    }

    #[test]
    fn each_file_gets_the_nearest_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("team/sub")).unwrap();
        std::fs::write(
            dir.path().join("team/kqlsmith.toml"),
            "[lint]\nplatform = \"sentinel\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("broken")).unwrap();
        std::fs::write(dir.path().join("broken/kqlsmith.toml"), "platform = [").unwrap();
        let mut configs = Configs::default();
        let nested = configs
            .for_file(&dir.path().join("team/sub/q.kql"))
            .unwrap();
        assert_eq!(nested.platform.as_deref(), Some("sentinel"));
        let error = configs
            .for_file(&dir.path().join("broken/q.kql"))
            .unwrap_err();
        assert!(error.contains("kqlsmith.toml"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn writing_through_a_link_replaces_the_linked_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.kql");
        let link = dir.path().join("link.kql");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomically(&link, "new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn writing_replaces_the_content_and_keeps_the_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.kql");
        std::fs::write(&path, "old").unwrap();
        let before = std::fs::metadata(&path).unwrap().permissions();
        write_atomically(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions(), before);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::write(dir.path().join("latin1.kql"), b"print '\xe9'").unwrap();
        assert!(
            read(&dir.path().join("latin1.kql"))
                .unwrap_err()
                .contains("byte 7")
        );
    }
}
