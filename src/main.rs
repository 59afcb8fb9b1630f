//! The `kqlsmith` command-line tool.

mod cli;

/// The stack the commands run on. Parsing and the linter's passes follow flat chains
/// (`a or b or ...`) with loops, but recurse once a level of real nesting (up to the
/// parser's bound); 1 GiB of address space (touched only as deep as a query goes) lets the
/// deepest query through.
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
