//! Writes a synthetic registry for benchmarks: `cargo run --release --example synth -- COUNT DIR [--seed N]`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.first().and_then(|a| a.parse::<usize>().ok());
    let (Some(count), Some(dir)) = (count, args.get(1).map(PathBuf::from)) else {
        eprintln!("usage: synth COUNT DIR [--seed N]");
        return ExitCode::from(2);
    };
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    match nhi::synth::generate(&dir, count, seed) {
        Ok(s) => {
            eprintln!(
                "wrote {} identities, {} systems, {} teams, {} persons, {} exceptions to {}",
                s.identities,
                s.systems,
                s.teams,
                s.persons,
                s.exceptions,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: cannot write {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
