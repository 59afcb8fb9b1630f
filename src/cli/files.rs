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

/// What the paths named: the query files, and the entries that could not be read.
#[derive(Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    /// One message a path that could not be read (a missing path, a dangling link, a link
    /// loop, a folder without permission): the other files are still processed.
    pub errors: Vec<String>,
}

impl Found {
    /// Prints each error on standard error; whether there was any.
    pub fn report_errors(&self) -> bool {
        let mut stderr = anstream::stderr().lock();
        for error in &self.errors {
            let _ = writeln!(stderr, "error: {error}");
        }
        !self.errors.is_empty()
    }
}

/// The files named: files as given, folders searched (in sorted order, through links) for
/// `.kql` files (the extension in any case) and host files (Markdown, YAML, and JSON that is
/// recognisably a host), `-` for standard input. A walk passes over hidden files and folders
/// (a name starting with `.`, such as `.git` or `.vscode`) unless the command line names
/// them. A path or folder entry that cannot be read is an error for that path alone.
pub fn collect(paths: &[PathBuf]) -> Found {
    let mut found = Found::default();
    for path in paths {
        if path.as_os_str() == STDIN {
            found.files.push(path.clone());
        } else if path.is_dir() {
            walk(path, &mut found);
        } else if path.exists() {
            found.files.push(path.clone());
        } else {
            found
                .errors
                .push(format!("{}: {}", printable_path(path), missing(path)));
        }
    }
    found
}

fn walk(folder: &Path, found: &mut Found) {
    let entries = walkdir::WalkDir::new(folder)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // The folder itself was named, hidden or not.
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.path()));
    for entry in entries {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_file() && super::hosts::walk_takes(entry.path()) {
                    found.files.push(entry.into_path());
                }
            }
            Err(error) => {
                let path = error.path().unwrap_or(folder);
                if path != folder && is_hidden(path) {
                    continue;
                }
                let message = if let Some(ancestor) = error.loop_ancestor() {
                    format!(
                        "a symbolic link loop (it leads back to {}); skipped",
                        printable_path(ancestor)
                    )
                } else if error
                    .io_error()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                {
                    // Only a link that might have named queries is worth an error.
                    if path.extension().is_some() && !super::hosts::is_query_file(path) {
                        continue;
                    }
                    missing(path).to_string()
                } else {
                    match error.io_error() {
                        Some(io) => format!("cannot read it: {io}"),
                        None => format!("cannot read it: {error}"),
                    }
                };
                found
                    .errors
                    .push(format!("{}: {message}", printable_path(path)));
            }
        }
    }
}

/// Whether a walk passes over `path`: its name starts with `.`.
fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.as_encoded_bytes().starts_with(b"."))
}

/// Why `path` does not exist: a link to nothing, or nothing at all.
fn missing(path: &Path) -> &'static str {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        "a symbolic link to a file or folder that does not exist; skipped"
    } else {
        "no such file or folder"
    }
}

/// A path for a message, with control characters escaped.
pub fn printable_path(path: &Path) -> String {
    kqlsmith_syntax::printable(&path.to_string_lossy()).into_owned()
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
        for name in ["b.kql", "a.kql", "sub/c.kql", "notes.txt", "D.KQL"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "T").unwrap();
        }
        let found = collect(&[dir.path().to_path_buf()]);
        assert!(found.errors.is_empty());
        let names: Vec<_> = found
            .files
            .iter()
            .map(|f| {
                f.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["D.KQL", "a.kql", "b.kql", "sub/c.kql"]);
        let missing = dir.path().join("missing.kql");
        let found = collect(&[missing, dir.path().join("a.kql")]);
        assert!(
            found.errors[0].contains("no such file"),
            "{:?}",
            found.errors
        );
        assert_eq!(found.files, [dir.path().join("a.kql")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_or_a_link_loop_is_an_error_for_its_path_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["a.kql", "sub/b.kql"] {
            std::fs::write(dir.path().join(name), "T").unwrap();
        }
        let link = |from: &str, to: &str| {
            std::os::unix::fs::symlink(dir.path().join(to), dir.path().join(from)).unwrap()
        };
        link("dangling.kql", "missing.kql");
        link("sub/up", ".");
        link("self.kql", "self.kql");
        // A dangling link that could not hold queries is no error.
        link("notes.txt", "missing.txt");
        let found = collect(&[dir.path().to_path_buf()]);
        let names: Vec<_> = found
            .files
            .iter()
            .map(|f| f.strip_prefix(dir.path()).unwrap().to_owned())
            .collect();
        assert_eq!(names, [Path::new("a.kql"), Path::new("sub/b.kql")]);
        let errors = found.errors.join("\n");
        assert_eq!(found.errors.len(), 3, "{errors}");
        assert!(
            errors
                .contains("dangling.kql: a symbolic link to a file or folder that does not exist"),
            "{errors}"
        );
        assert!(errors.contains("up: a symbolic link loop"), "{errors}");
        assert!(errors.contains("self.kql: cannot read it"), "{errors}");
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

    #[test]
    fn text_that_is_not_utf8_is_an_error_at_its_byte() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("latin1.kql"), b"print '\xe9'").unwrap();
        assert!(
            read(&dir.path().join("latin1.kql"))
                .unwrap_err()
                .contains("byte 7")
        );
    }
}
