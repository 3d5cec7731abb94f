//! The `nhi` binary: parse the command line, call the library, map the outcome to an exit code.
//!
//! Exit codes: 0 the gate passes, 1 an unwaived error (or warning with `--deny warnings`) remains,
//! 2 the registry cannot be read or the command line is wrong.

mod args;
mod cli;
mod commands;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use commands::Exit;

/// Loading allocates many small strings and maps across threads; mimalloc handles that markedly better
/// than the system allocator (measured in docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let exit = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Pass
            };
            let _ = e.print();
            return exit.into();
        }
    };
    let stdout = io::stdout();
    let color_ok = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = cli
        .command
        .run(&mut out, color_ok)
        .and_then(|code| out.flush().map(|()| code).map_err(Into::into));
    match result {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Pass.into(),
        Err(e) => {
            drop(out);
            let _ = writeln!(io::stderr(), "nhi: error: {e:#}");
            Exit::Error.into()
        }
    }
}

/// `nhi check | head` closes the pipe early: not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
