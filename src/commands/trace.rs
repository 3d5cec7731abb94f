//! `nhi trace SOURCE FILE [REGISTRY]`: who obtained credentials, from issuance logs, against the registry.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use super::drift::Against;
use super::Exit;
use crate::args::AsOf;
use nhi::drift::Drifted;
use nhi::report;
use nhi::report::check::Context;
use nhi::report::trace::Header;
use nhi::trace::{cloudtrail, LogSource, Tracer};

#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// The log's format
    #[arg(value_enum)]
    pub source: LogSource,
    /// The log file (`-` for standard input), or a directory of `*.json` log files (read in name order)
    pub file: PathBuf,
    #[command(flatten)]
    pub against: Against,
    #[command(flatten)]
    pub as_of: AsOf,
}

pub fn run(args: TraceArgs, out: &mut dyn Write, color_ok: bool) -> Result<Exit> {
    let as_of = args.as_of.day();
    let loaded = nhi::load::load(&args.against.registry.root)?;
    let (mut trace, events) = read(args.source, &args.file, &loaded.registry, as_of)?;
    let log = args.file.display().to_string();
    let header = Header {
        as_of,
        source: args.source.name(),
        log: &log,
        identities: loaded.registry.identities.len(),
        events,
        issuances: trace.issuances,
        failed: trace.failed,
    };
    let traced = &trace.identities;
    let write = |drifted: &[Drifted], format, cx: &Context<'_>| {
        report::trace::write(&header, drifted, traced, format, cx, out)
    };
    args.against.report(
        &mut trace.drifted,
        as_of,
        header.identities,
        color_ok,
        write,
    )
}

/// Reads the log(s) at `file` against `registry`: the trace, and how many events were read.
pub(super) fn read(
    source: LogSource,
    file: &Path,
    registry: &nhi::model::Registry,
    as_of: jiff::civil::Date,
) -> Result<(nhi::trace::Trace, u64)> {
    let mut tracer = Tracer::new(registry);
    let mut events = 0;
    for path in logs(file)? {
        let shown = path.display().to_string();
        tracer.set_file(&shown);
        let reader: Box<dyn BufRead> = if path == Path::new("-") {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                std::io::stdin().lock(),
            ))
        } else {
            let file =
                std::fs::File::open(&path).with_context(|| format!("cannot read {shown}"))?;
            Box::new(BufReader::with_capacity(256 * 1024, file))
        };
        let counts = match source {
            LogSource::Cloudtrail => cloudtrail::read(reader, |i| tracer.add(i)),
        }
        .map_err(|e| anyhow::anyhow!("{shown}:{}: {}", e.line, e.message))?;
        events += counts.events;
    }
    Ok((tracer.finish(as_of), events))
}

/// The log files FILE names: itself, standard input, or a directory's `*.json` files in name order.
fn logs(file: &Path) -> Result<Vec<PathBuf>> {
    if file == Path::new("-") || !file.is_dir() {
        return Ok(vec![file.to_path_buf()]);
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(file).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", file.display()))?;
        let is_json = entry
            .path()
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if entry.file_type().is_file() && is_json {
            found.push(entry.into_path());
        }
    }
    if found.is_empty() {
        bail!(
            "{} holds no `*.json` log file (decompress `.json.gz` files first)",
            file.display()
        );
    }
    Ok(found)
}
