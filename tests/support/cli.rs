//! Running the `kqlsmith` binary in the command-line tests, and the files they set up.
//! Each test file includes this one with `#[path]`.

#![allow(dead_code)] // Each test file uses the helpers it needs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `kqlsmith ARGS` in `dir` and waits for it.
pub fn kqlsmith(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Standard output or error as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Writes `dir/name`, making its folders.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}
