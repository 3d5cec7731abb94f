//! One registry file of arbitrary bytes through the whole pipeline: YAML parsing with positions, the
//! schema, the typed model, every rule, and every output format. Anything but a panic, a hang or an
//! abort is fine; the first byte picks which registry file the bytes are.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use nhi::report::{self, Context, Format};

const FILES: [&str; 4] = [
    "identities/x.yaml",
    "nhi.yaml",
    "owners/o.yaml",
    "exceptions/e.yaml",
];

fuzz_target!(|data: &[u8]| {
    let (rel, bytes) = match data.split_first() {
        Some((first, rest)) => (FILES[usize::from(*first) % FILES.len()], rest),
        None => (FILES[0], data),
    };
    let as_of: jiff::civil::Date = "2026-11-23".parse().unwrap();
    let checked = nhi::check_bytes(rel, bytes, as_of).expect("one file and a policy");
    let cx = Context {
        checked: &checked,
        root: Path::new("/nonexistent"),
        repo_prefix: String::new(),
        color: false,
        changed: None,
    };
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let mut out = Vec::new();
        report::emitter(format).emit(&cx, &mut out).unwrap();
    }
    let _ = report::markdown::summary(&cx);
});
