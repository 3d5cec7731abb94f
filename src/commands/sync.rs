//! `nhi sync SOURCE FILE [REGISTRY]`: write back what an export shows and what only moves forward (last
//! use, rotation). The work is in `nhi::sync`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::import::SourceOptions;
use super::record::{finish, Writing};
use super::Exit;
use crate::args::Registry;
use nhi::import::SourceKind;
use nhi::record::{Outcome, Refused};

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The export's format
    #[arg(value_enum)]
    pub source: SourceKind,
    /// The export file (for github-actions: the repository checkout)
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
    let export = args.options.read(args.source, &args.file, as_of)?;
    let updates = nhi::sync::facts(&loaded.registry, &export, as_of);
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
