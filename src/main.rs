//! The `kqlsmith` command-line tool.

mod cli;

/// The stack the commands run on. Parsing follows flat chains (`a or b or ...`) with loops,
/// but the linter's passes recurse once a link; 1 GiB of address space (touched only as
/// deep as a query goes) lets them through chains of 100,000 terms.
const STACK_BYTES: usize = 1 << 30;

fn main() -> std::process::ExitCode {
    std::thread::Builder::new()
        .name("kqlsmith".into())
        .stack_size(STACK_BYTES)
        .spawn(cli::run)
        .and_then(|thread| {
            thread
                .join()
                .map_err(|_| std::io::Error::other("the command panicked"))
        })
        .unwrap_or_else(|error| {
            eprintln!("error: {error}");
            std::process::ExitCode::from(2)
        })
}
