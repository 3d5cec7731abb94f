//! `nhi leak ID [REGISTRY]`: the incident runbook for a leaked credential.

use std::io::Write;

use anyhow::Result;

use super::{not_found, Exit};
use crate::args::Registry;

use nhi::graph::Graph;
use nhi::load;

/// The output formats of `nhi leak` and `nhi offboard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RunbookFormat {
    /// A checklist to paste into the incident ticket or channel.
    Markdown,
    /// The runbook as JSON, for tools.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct LeakArgs {
    /// The identity whose credential leaked
    pub id: String,
    #[command(flatten)]
    pub registry: Registry,
    /// Output format
    #[arg(long, value_enum, default_value_t = RunbookFormat::Markdown)]
    pub format: RunbookFormat,
}

pub fn run(args: LeakArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = load::load(&args.registry.root)?;
    let registry = loaded.registry;
    let graph = Graph::build(&registry);
    let Some(runbook) = nhi::leak::runbook(&registry, &graph, &args.id) else {
        let ids = registry.identities.iter().map(|d| d.item.id.as_str());
        return Err(not_found("identity", &args.id, &args.registry.root, ids));
    };
    match args.format {
        RunbookFormat::Json => nhi::report::pretty_json(out, &runbook)?,
        RunbookFormat::Markdown => out.write_all(nhi::report::leak::render(&runbook).as_bytes())?,
    }
    Ok(Exit::Pass)
}
