//! Writing the files of a run as one: every file gets its new bytes, or every file keeps its
//! previous bytes (a file that did not exist stays absent), and no temporary file is left.
//!
//! The one way the CLI writes files (`render --out`, `fmt`, `convert --in-place`,
//! `lint --fix`). In order:
//!
//! 1. **Stage**: each new text goes to a temporary file in its target's folder. A new file is
//!    created with the umask's permissions; a replaced file's temporary copy takes its mode
//!    (and, where the system allows, its owner and group).
//! 2. **Check** that every existing target can be replaced: it is a regular file that can be
//!    opened for writing (not read-only, not immutable), and not another user's file in a
//!    sticky (shared) folder.
//! 3. **Back up** every existing target under a second name in its folder (a hard link, or a
//!    copy where links are not possible), so its previous bytes survive whatever follows.
//! 4. **Rename** each temporary file over its target. If one rename fails, the targets
//!    already replaced get their backups back and the new files are removed.
//! 5. **Clean up**: the backups are removed.
//!
//! A target that is a symbolic link is written through: the file it points to gets the new
//! bytes and the link stays a link.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

/// Links followed before a target is taken as a loop.
const MAX_LINKS: usize = 40;

/// One file of the run.
struct Staged<'a> {
    /// The path as the user or the command named it, for messages.
    shown: &'a Path,
    text: &'a str,
    /// Where the bytes land: the path with every link followed.
    target: PathBuf,
    /// The new bytes, in the target's folder.
    temp: Option<TempPath>,
    /// The previous bytes, when the target exists.
    backup: Option<TempPath>,
    existed: bool,
}

/// Writes every `(path, text)`, or none: see the module's documentation. The error says which
/// file could not be written and why, and that every file was left as it was.
pub fn write_all(files: &[(PathBuf, String)]) -> Result<(), String> {
    write_all_with(files, &mut |from, to| fs::rename(from, to))
}

/// [`write_all`] with the rename step given, so that a failing rename can be simulated.
fn write_all_with(
    files: &[(PathBuf, String)],
    rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
) -> Result<(), String> {
    let unchanged = "; no file was changed";
    let mut staged: Vec<Staged<'_>> = Vec::with_capacity(files.len());
    for (path, text) in files {
        let fail = |e: io::Error| format!("cannot write {}: {e}{unchanged}", path.display());
        let target = resolve_links(path).map_err(fail)?;
        let target = absolute_in_folder(&target).map_err(fail)?;
        if let Some(earlier) = staged.iter().position(|s| s.target == target) {
            if staged[earlier].text == text {
                continue;
            }
            return Err(format!(
                "cannot write {}: it is the same file as {}, with other text{unchanged}",
                path.display(),
                staged[earlier].shown.display()
            ));
        }
        let temp = stage(&target, text).map_err(fail)?;
        staged.push(Staged {
            shown: path,
            text,
            existed: fs::symlink_metadata(&target).is_ok(),
            target,
            temp: Some(temp),
            backup: None,
        });
    }
    for file in &mut staged {
        if file.existed {
            let temp = file.temp.as_ref().expect("staged above");
            let fail =
                |e: io::Error| format!("cannot write {}: {e}{unchanged}", file.shown.display());
            check_replaceable(&file.target, temp).map_err(fail)?;
            file.backup = Some(back_up(&file.target).map_err(fail)?);
        }
    }
    for index in 0..staged.len() {
        let temp = staged[index].temp.take().expect("staged above");
        if let Err(e) = rename(temp.as_ref(), &staged[index].target) {
            let message = format!("cannot write {}: {e}", staged[index].shown.display());
            return Err(match roll_back(&mut staged[..index], rename) {
                Ok(()) => format!("{message}{unchanged}"),
                Err(kept) => format!("{message}; {kept}"),
            });
        }
        // Renamed: there is no temporary file left to remove.
        let _ = temp.keep();
    }
    sync_folders(&staged);
    // Dropping the backups removes them.
    Ok(())
}

/// `path` with every symbolic link followed to the file it names (which may not exist yet).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let destination = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(folder) => folder.join(destination),
                    None => destination,
                };
            }
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(path),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// `path` as its folder's canonical path and its file name, so that two names of one file
/// compare equal. The folder must exist.
fn absolute_in_folder(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("not a file name"))?;
    let folder = fs::canonicalize(folder_of(path))?;
    Ok(folder.join(name))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    }
}

/// A temporary file beside `target` holding `text`, with the permissions `target` has (or the
/// umask's, for a new file).
fn stage(target: &Path, text: &str) -> io::Result<TempPath> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kqlsmith-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created with 0666 less the umask, as any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(folder_of(target))?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    match fs::metadata(target) {
        Ok(previous) => {
            if previous.is_dir() {
                return Err(io::Error::other("it is a folder"));
            }
            fs::set_permissions(temp.path(), previous.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                let new = temp.as_file().metadata()?;
                if (new.uid(), new.gid()) != (previous.uid(), previous.gid()) {
                    // Only root may give a file away; elsewhere the writer's own is fine.
                    let _ = std::os::unix::fs::chown(
                        temp.path(),
                        Some(previous.uid()),
                        Some(previous.gid()),
                    );
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(temp.into_temp_path())
}

/// Whether the rename of `temp` over the existing `target` can succeed: the target is a
/// regular file this process may write, and not another user's file in a sticky folder.
fn check_replaceable(target: &Path, temp: &Path) -> io::Result<()> {
    let meta = fs::metadata(target)?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    // Opening for writing (without truncating) asks the system itself: a read-only or
    // immutable file fails here.
    OpenOptions::new().write(true).open(target)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        const STICKY: u32 = 0o1000;
        let folder = fs::metadata(folder_of(target))?;
        // The temporary file belongs to this process's user.
        let me = fs::metadata(temp)?.uid();
        if folder.mode() & STICKY != 0 && me != 0 && meta.uid() != me && folder.uid() != me {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the file belongs to another user, in a shared (sticky) folder",
            ));
        }
    }
    Ok(())
}

/// A second name for `target`'s current bytes in its folder: a hard link, else a copy.
fn back_up(target: &Path) -> io::Result<TempPath> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kqlsmith-").suffix(".bak");
    let folder = folder_of(target);
    let linked = builder.make_in(folder, |backup| fs::hard_link(target, backup));
    let backup = match linked {
        Ok(backup) => backup,
        Err(_) => builder.make_in(folder, |backup| {
            let mut copy = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(backup)?;
            io::copy(&mut File::open(target)?, &mut copy)?;
            copy.sync_all()?;
            fs::set_permissions(backup, fs::metadata(target)?.permissions())
        })?,
    };
    Ok(backup.into_temp_path())
}

/// Puts back what the `done` files held before. An error names the backups that could not be
/// put back, which are then kept.
fn roll_back(
    done: &mut [Staged<'_>],
    rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
) -> Result<(), String> {
    let mut kept = Vec::new();
    for file in done.iter_mut().rev() {
        let restored = match file.backup.take() {
            Some(backup) => match rename(backup.as_ref(), &file.target) {
                Ok(()) => {
                    let _ = backup.keep();
                    Ok(())
                }
                Err(e) => Err((e, backup.keep().ok())),
            },
            None => fs::remove_file(&file.target).map_err(|e| (e, None)),
        };
        if let Err((e, backup)) = restored {
            kept.push(match backup {
                Some(backup) => format!(
                    "{} could not be restored ({e}): its previous content is in {}",
                    file.shown.display(),
                    backup.display()
                ),
                None => format!("{} could not be removed ({e})", file.shown.display()),
            });
        }
    }
    if kept.is_empty() {
        Ok(())
    } else {
        Err(kept.join("; "))
    }
}

/// Makes the renames durable (where the system syncs folders).
fn sync_folders(staged: &[Staged<'_>]) {
    #[cfg(unix)]
    for file in staged {
        if let Ok(folder) = File::open(folder_of(&file.target)) {
            let _ = folder.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = staged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_rename_puts_back_every_file_already_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.kql");
        let b = dir.path().join("b.kql");
        let c = dir.path().join("c.kql");
        fs::write(&a, "old a").unwrap();
        fs::write(&c, "old c").unwrap();
        let files = [
            (a.clone(), "new a".to_string()),
            (b.clone(), "new b".to_string()),
            (c.clone(), "new c".to_string()),
        ];
        // The third rename fails, after a was replaced and b created.
        let mut calls = 0;
        let error = write_all_with(&files, &mut |from, to| {
            calls += 1;
            if calls == 3 {
                Err(io::Error::other("injected failure"))
            } else {
                fs::rename(from, to)
            }
        })
        .unwrap_err();
        assert!(error.contains("c.kql: injected failure"), "{error}");
        assert!(error.ends_with("no file was changed"), "{error}");
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        assert_eq!(fs::read_to_string(&c).unwrap(), "old c");
        assert_eq!(names(dir.path()), ["a.kql", "c.kql"]);
    }

    #[test]
    fn success_replaces_every_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.kql");
        fs::write(&a, "old").unwrap();
        let files = [
            (a.clone(), "new a".to_string()),
            (dir.path().join("b.kql"), "new b".to_string()),
        ];
        write_all(&files).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(names(dir.path()), ["a.kql", "b.kql"]);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept.kql");
        fs::write(&kept, "old").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
        // What a plain new file gets under this process's umask.
        let probe = dir.path().join("probe");
        File::create(&probe).unwrap();
        let umask_mode = fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        fs::remove_file(&probe).unwrap();
        let new = dir.path().join("new.kql");
        write_all(&[(kept.clone(), "x".into()), (new.clone(), "y".into())]).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&kept), 0o640);
        assert_eq!(mode(&new), umask_mode);
        assert_ne!(umask_mode, 0o600, "the test needs a umask other than 077");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.kql");
        let link = dir.path().join("link.kql");
        let dangling = dir.path().join("dangling.kql");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.kql", &link).unwrap();
        std::os::unix::fs::symlink("made.kql", &dangling).unwrap();
        write_all(&[
            (link.clone(), "new".into()),
            (dangling.clone(), "made".into()),
        ])
        .unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(dir.path().join("made.kql")).unwrap(),
            "made"
        );
        // Both names of one file, with different texts, are refused before anything is written.
        let error =
            write_all(&[(real.clone(), "one".into()), (link.clone(), "two".into())]).unwrap_err();
        assert!(error.contains("same file"), "{error}");
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_an_error_that_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.kql");
        fs::write(&good, "old").unwrap();
        let looped = dir.path().join("loop.kql");
        std::os::unix::fs::symlink("loop.kql", &looped).unwrap();
        let error = write_all(&[(good.clone(), "new".into()), (looped, "x".into())]).unwrap_err();
        assert!(error.contains("loop.kql"), "{error}");
        assert_eq!(fs::read_to_string(&good).unwrap(), "old");
        assert_eq!(names(dir.path()), ["good.kql", "loop.kql"]);
    }
}
