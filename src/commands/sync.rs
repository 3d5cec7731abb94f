//! `nhi sync SOURCE FILE [REGISTRY]`: write back what an export shows and what only moves forward (last
//! use, rotation). The work is in `nhi::sync`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::import::SourceOptions;
use super::record::{finish, Writing};
use super::Exit;
use crate::args::Registry;
use clap::ValueEnum;
use nhi::directory::Directory;
use nhi::import::SourceKind;
use nhi::record::{Outcome, Refused};
use nhi::trace::LogSource;

/// What `nhi sync` reads: an inventory export, an issuance log, or a directory export that finds people
/// who left.
#[derive(Clone, Copy, Debug)]
pub enum SyncSource {
    Export(SourceKind),
    Log(LogSource),
    Directory(Directory),
}

/// A source name: one of `nhi import`'s, or `cloudtrail`.
fn parse_source(name: &str) -> Result<SyncSource, String> {
    if let Some(kind) = SourceKind::parse(name) {
        return Ok(SyncSource::Export(kind));
    }
    if let Ok(log) = LogSource::from_str(name, false) {
        return Ok(SyncSource::Log(log));
    }
    if let Ok(directory) = Directory::from_str(name, false) {
        return Ok(SyncSource::Directory(directory));
    }
    let mut names: Vec<&str> = SourceKind::ALL.iter().map(|s| s.name()).collect();
    names.push(LogSource::Cloudtrail.name());
    names.extend(Directory::value_variants().iter().map(|d| d.name()));
    Err(format!("`{name}` is not one of {}", names.join(", ")))
}

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The export's format (a source of `nhi import`), `cloudtrail` for an issuance log (its last issuance
    /// per identity becomes `last_used`), or a directory of people: github-org-members, okta-users,
    /// google-workspace-users (who left becomes `active: false` and `left_on`)
    #[arg(value_parser = parse_source)]
    pub source: SyncSource,
    /// The export file (for github-actions: the repository checkout; for cloudtrail: a log file, `-` or a
    /// directory of log files)
    pub file: PathBuf,
    #[command(flatten)]
    pub registry: Registry,
    #[command(flatten)]
    pub options: SourceOptions,
    #[command(flatten)]
    pub writing: Writing,
}

pub fn run(args: SyncArgs, out: &mut dyn Write) -> Result<Exit> {
    let as_of = args.options.as_of.day();
    let root = &args.registry.root;
    let loaded = nhi::load::load(root)?;
    let updates = match args.source {
        SyncSource::Export(kind) => {
            let export = args.options.read(kind, &args.file, as_of)?;
            nhi::sync::facts(&loaded.registry, &export, as_of)
        }
        SyncSource::Log(log) => {
            let (trace, _) = super::trace::read(log, &args.file, &loaded.registry, as_of)?;
            nhi::sync::issuance_facts(&loaded.registry, &trace.identities, as_of)
        }
        SyncSource::Directory(directory) => {
            let text = std::fs::read_to_string(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let left = nhi::directory::leavers(directory, &text, &loaded.registry, as_of)
                .with_context(|| args.file.display().to_string())?;
            nhi::sync::leaver_facts(&loaded.registry, &left, as_of)
        }
    };
    let (plan, lines, refused) = nhi::sync::plan(root, &updates);
    if !refused.is_empty() && !args.writing.skip_unsafe {
        return Err(Refused::Unsafe(refused).into());
    }
    let outcome = Outcome {
        plan,
        lines,
        skipped: refused,
    };
    finish(outcome, &args.writing, out)
}
