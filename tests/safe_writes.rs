//! What the commands that write files (`render --out`, `fmt`, `convert --in-place`) leave
//! behind when a write fails: every file keeps its previous bytes, a new file stays absent, and
//! no temporary file is left. Also the modes and links of the files they write.
//!
//! The faults are real: an immutable file (`chattr +i`, which stops root too), and, run as
//! another user (`setpriv` from root, or the test's own user when it is not root), a read-only
//! file, a read-only folder and another user's file in a sticky folder. Where a fault cannot be
//! made here, the test says SKIPPED with the reason on standard error and passes.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/cli.rs"]
mod cli;

use cli::{text, write};

/// The user the unprivileged runs take when the tests run as root.
const NOBODY: u32 = 65534;

const DEFENDER: &str = "internal-connections.defender.kql";
const SENTINEL: &str = "internal-connections.sentinel.kql";

/// Says why a test did not run, where a plain `cargo test` shows it (not through the
/// harness's captured `eprintln!`).
fn skipped(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {reason}");
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `kqlsmith ARGS` run by a user without root's powers: `nobody` through `setpriv` when the
/// tests run as root, else the test's own user. `None` when root cannot drop its privileges.
fn unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    let mut command = if is_root() {
        let mut command = Command::new("setpriv");
        command.args([
            format!("--reuid={NOBODY}"),
            format!("--regid={NOBODY}"),
            "--clear-groups".to_string(),
            env!("CARGO_BIN_EXE_kqlsmith").to_string(),
        ]);
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
    };
    command.args(args).current_dir(dir);
    match command.output() {
        // setpriv itself failed (absent, or not allowed here).
        Ok(output) if is_root() && output.status.code() == Some(127) => None,
        Ok(output) => Some(output),
        Err(_) => None,
    }
}

/// Whether `unprivileged` works here: it can run kqlsmith at all.
fn can_drop_privileges(dir: &Path) -> bool {
    unprivileged(dir, &["--version"]).is_some_and(|o| o.status.success())
}

/// The user the unprivileged runs take, for the files they must own.
fn unprivileged_ids() -> (u32, u32) {
    if is_root() {
        (NOBODY, NOBODY)
    } else {
        let meta = std::fs::metadata("/proc/self").unwrap();
        (meta.uid(), meta.gid())
    }
}

/// A world-usable temporary folder (the unprivileged user must reach it), owned by `owner`.
fn shared_dir(mode: u32, owner: Option<(u32, u32)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), mode);
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
    }
    dir
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn chown(path: &Path, (uid, gid): (u32, u32)) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// The names in `dir`, sorted: a temporary or backup file left behind would show here.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// An immutable file (`chattr +i`: not even root may replace it), made mutable again on drop
/// so the folder can be removed.
struct Immutable(PathBuf);

impl Immutable {
    fn new(path: &Path) -> Option<Immutable> {
        let done = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        done.then(|| Immutable(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).output();
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    cli::kqlsmith(dir, args)
}

#[test]
fn render_out_keeps_every_previous_file_when_one_cannot_be_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let defender = write(dir.path(), DEFENDER, "old defender\n");
    let sentinel = write(dir.path(), SENTINEL, "old sentinel\n");
    // The Sentinel file comes second: the Defender one would already be in place.
    let Some(_frozen) = Immutable::new(&sentinel) else {
        skipped(
            "render_out_keeps_every_previous_file_when_one_cannot_be_replaced",
            "chattr +i is not available on this file system",
        );
        return;
    };
    let output = run(dir.path(), &["render", "--out", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(SENTINEL), "{stderr}");
    assert!(stderr.contains("no file was changed"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&defender).unwrap(),
        "old defender\n"
    );
    assert_eq!(
        std::fs::read_to_string(&sentinel).unwrap(),
        "old sentinel\n"
    );
    assert_eq!(names(dir.path()), [DEFENDER, SENTINEL]);
}

#[test]
fn render_all_out_keeps_every_file_when_the_last_cannot_be_replaced() {
    let dir = tempfile::tempdir().unwrap();
    // The first file in order exists and would be replaced first; the others are new but the
    // last, which exists and is frozen.
    let first = write(
        dir.path(),
        "internal-connections-classic.defender.kql",
        "first\n",
    );
    let last = write(dir.path(), "remote-logons.sentinel.kql", "old\n");
    let Some(_frozen) = Immutable::new(&last) else {
        skipped(
            "render_all_out_keeps_every_file_when_the_last_cannot_be_replaced",
            "chattr +i is not available on this file system",
        );
        return;
    };
    let output = run(dir.path(), &["render", "--all", "--out", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert_eq!(
        names(dir.path()),
        [
            "internal-connections-classic.defender.kql",
            "remote-logons.sentinel.kql"
        ]
    );
    assert_eq!(std::fs::read_to_string(&first).unwrap(), "first\n");
    assert_eq!(std::fs::read_to_string(&last).unwrap(), "old\n");
}

#[test]
fn render_out_keeps_the_files_when_another_users_file_sits_in_a_sticky_folder() {
    let test = "render_out_keeps_the_files_when_another_users_file_sits_in_a_sticky_folder";
    if !is_root() {
        skipped(test, "making a file of another user needs root");
        return;
    }
    // A shared folder such as /tmp: anyone may create files, only owners may replace theirs.
    let dir = shared_dir(0o1777, None);
    if !can_drop_privileges(dir.path()) {
        skipped(test, "setpriv cannot run kqlsmith as nobody here");
        return;
    }
    let defender = write(dir.path(), DEFENDER, "old defender\n");
    chown(&defender, unprivileged_ids());
    // Root's file, writable by all: only the sticky bit stops its replacement.
    let sentinel = write(dir.path(), SENTINEL, "old sentinel\n");
    set_mode(&sentinel, 0o666);
    let output = unprivileged(dir.path(), &["render", "--out", "."]).unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(SENTINEL), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&defender).unwrap(),
        "old defender\n"
    );
    assert_eq!(
        std::fs::read_to_string(&sentinel).unwrap(),
        "old sentinel\n"
    );
    assert_eq!(names(dir.path()), [DEFENDER, SENTINEL]);
}

/// Runs `args` as an unprivileged user in a folder holding `a/q.kql` and `b/q.kql`, both
/// `query` and owned by that user, with the folder `b/` read-only (its file cannot be
/// replaced: no new name can be made there). `None`, reported as skipped, where privileges
/// cannot be dropped.
fn run_with_folder_b_read_only(
    test: &str,
    query: &str,
    args: &[&str],
) -> Option<(tempfile::TempDir, Vec<PathBuf>, Output)> {
    let owner = unprivileged_ids();
    let dir = shared_dir(0o755, Some(owner));
    if !can_drop_privileges(dir.path()) {
        skipped(test, "setpriv cannot run kqlsmith as nobody here");
        return None;
    }
    let mut paths = Vec::new();
    for folder in ["a", "b"] {
        let path = write(dir.path(), &format!("{folder}/q.kql"), query);
        chown(path.parent().unwrap(), owner);
        chown(&path, owner);
        paths.push(path);
    }
    set_mode(&dir.path().join("b"), 0o555);
    let output = unprivileged(dir.path(), args).unwrap();
    set_mode(&dir.path().join("b"), 0o755);
    Some((dir, paths, output))
}

#[test]
fn fmt_writes_no_file_when_a_folder_is_read_only() {
    let unformatted = "T|where x>1\n";
    let Some((dir, paths, output)) = run_with_folder_b_read_only(
        "fmt_writes_no_file_when_a_folder_is_read_only",
        unformatted,
        &["fmt", "a", "b"],
    ) else {
        return;
    };
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("b/q.kql"), "{stderr}");
    assert!(
        stderr.contains("2 files not written (every file left as it was)"),
        "{stderr}"
    );
    for path in &paths {
        assert_eq!(std::fs::read_to_string(path).unwrap(), unformatted);
    }
    assert_eq!(names(&dir.path().join("a")), ["q.kql"]);
}

#[test]
fn convert_in_place_writes_no_file_and_counts_the_failure_when_a_file_is_read_only() {
    let test = "convert_in_place_writes_no_file_and_counts_the_failure_when_a_file_is_read_only";
    let owner = unprivileged_ids();
    let dir = shared_dir(0o755, Some(owner));
    if !can_drop_privileges(dir.path()) {
        skipped(test, "setpriv cannot run kqlsmith as nobody here");
        return;
    }
    let query = "DeviceProcessEvents\n| where Timestamp > ago(1d)\n";
    let a = write(dir.path(), "a.kql", query);
    let b = write(dir.path(), "b.kql", query);
    for path in [&a, &b] {
        chown(path, owner);
    }
    set_mode(&b, 0o444);
    let output = unprivileged(
        dir.path(),
        &[
            "convert",
            "--from",
            "defender",
            "--to",
            "sentinel",
            "--in-place",
            ".",
        ],
    )
    .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("b.kql"), "{stderr}");
    assert!(stderr.contains(", 1 error,"), "{stderr}");
    assert!(stderr.contains("2 files not written"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&a).unwrap(), query);
    assert_eq!(std::fs::read_to_string(&b).unwrap(), query);
    assert_eq!(mode(&b), 0o444);
    assert_eq!(names(dir.path()), ["a.kql", "b.kql"]);
}

#[test]
fn render_out_new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    // What a new file gets under this process's umask (which kqlsmith inherits).
    let probe = write(dir.path(), "probe", "");
    let umask_mode = mode(&probe);
    std::fs::remove_file(&probe).unwrap();
    let sentinel = write(dir.path(), SENTINEL, "old\n");
    set_mode(&sentinel, 0o640);
    let output = run(dir.path(), &["render", "--out", "."]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(mode(&dir.path().join(DEFENDER)), umask_mode);
    assert_ne!(umask_mode, 0o600, "the test needs a umask that is not 077");
    assert_eq!(mode(&sentinel), 0o640);
    assert_ne!(std::fs::read_to_string(&sentinel).unwrap(), "old\n");
}

#[test]
fn render_out_writes_through_a_link_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let real = write(dir.path(), "shared/hunt.kql", "old\n");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink("../shared/hunt.kql", out.join(DEFENDER)).unwrap();
    let output = run(
        dir.path(),
        &["render", "--platform", "defender", "--out", "out"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        std::fs::symlink_metadata(out.join(DEFENDER))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let printed = run(dir.path(), &["render", "--platform", "defender"]);
    assert_eq!(std::fs::read(&real).unwrap(), printed.stdout);
    assert_eq!(names(&out), [DEFENDER]);
}

#[test]
fn lint_fix_writes_no_file_when_a_folder_is_read_only() {
    // The other platform's time column: a safe fix.
    let query = "DeviceProcessEvents\n| where TimeGenerated > ago(1d)\n";
    let Some((dir, paths, output)) = run_with_folder_b_read_only(
        "lint_fix_writes_no_file_when_a_folder_is_read_only",
        query,
        &["lint", "--platform", "defender", "--fix", "a", "b"],
    ) else {
        return;
    };
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("b/q.kql"), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("fixes not written"), "{stdout}");
    assert!(!stdout.contains("applied 1 fix"), "{stdout}");
    for path in &paths {
        assert_eq!(std::fs::read_to_string(path).unwrap(), query);
    }
    assert_eq!(names(&dir.path().join("a")), ["q.kql"]);
}
