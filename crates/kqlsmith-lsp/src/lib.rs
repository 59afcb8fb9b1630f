//! The kqlsmith language server: `kqlsmith lsp` speaks the Language Server Protocol over
//! standard input and output, and gives an editor what the command line gives: the findings of
//! `kqlsmith lint` as the user types, their fixes as quick fixes, `kqlsmith fmt` as formatting,
//! `kqlsmith convert` as a code action, and hover, completion, navigation and signatures from
//! the platform's schema and the query's names.
//!
//! - `server`: the message loop and the capabilities;
//! - `document`: an open document, its edits, and the KQL regions it holds;
//! - `position`: byte offsets to LSP positions (UTF-16 unless the client chooses otherwise);
//! - `settings`: the nearest `kqlsmith.toml` and the platform;
//! - `semantics`: the only module that asks the lint crate what names mean;
//! - `features`: one module a request family.
//!
//! Touch-list for a new request: its module under `features/`, one arm in
//! `Server::dispatch`, its capability in `server::capabilities`, a test in `tests/protocol.rs`.

pub mod document;
pub mod features;
pub mod position;
pub mod semantics;
pub mod server;
pub mod settings;

pub use server::{Ending, capabilities, serve};

/// Runs the server on standard input and output until the client says `exit` or goes away.
pub fn run_stdio() -> Result<Ending, String> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let ending = serve(connection)?;
    // The reader thread stops after `exit`; when the client went away it has stopped already.
    io_threads
        .join()
        .map_err(|e| format!("standard input or output failed: {e}"))?;
    Ok(ending)
}
