//! The `nhi` binary: parse the command line, call the library, map the outcome to an exit code.
//!
//! Exit codes: 0 the gate passes, 1 an unwaived error (or warning with `--deny warnings`) remains,
//! 2 the registry cannot be read or the command line is wrong.

mod cli;
mod commands;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

/// Loading allocates many small strings and maps across threads; mimalloc handles that markedly better
/// than the system allocator (measured in docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let stdout = io::stdout();
    let color_ok = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = commands::run(cli.command, &mut out, color_ok)
        .and_then(|code| out.flush().map(|()| code).map_err(Into::into));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            drop(out);
            let _ = writeln!(io::stderr(), "nhi: error: {e:#}");
            ExitCode::from(2)
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
