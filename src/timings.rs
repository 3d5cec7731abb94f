//! Phase timings on standard error when `NHI_TIMINGS` is set: how a run's wall time splits between
//! reading, parsing, rules and output, for profiling on a user's own registry without a profiler.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NHI_TIMINGS").is_some_and(|v| !v.is_empty()))
}

/// Runs `f`, reporting its wall time under `name` when timings are on.
pub fn phase<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let value = f();
    let seconds = start.elapsed().as_secs_f64();
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "nhi: timing: {name:<12} {seconds:>8.3} s  {:>6} MiB resident",
            resident_mib()
        );
    }
    value
}

/// The process's resident memory now, from `/proc` where there is one.
fn resident_mib() -> String {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or_else(
            || "?".into(),
            |pages| (pages * 4096 / (1 << 20)).to_string(),
        )
}
