//! `nhi blast ID [REGISTRY]` and `nhi rank [REGISTRY]`: what a leaked credential reaches, and who reaches most.

use std::io::Write;

use super::Exit;
use anyhow::Result;

use crate::args::{ListFormat, Registry};
use nhi::graph::Graph;
use nhi::load;
use nhi::report::blast::{write_blast, BlastFormat};
use nhi::report::rank::write_ranking;

#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    /// An identity id, or a system id (as if the attacker holds admin on it); `system:ID` picks the system
    /// when an identity has the same id
    pub id: String,
    #[command(flatten)]
    pub registry: Registry,
    /// Output format
    #[arg(long, value_enum, default_value_t = BlastFormat::Text)]
    pub format: BlastFormat,
}

#[derive(Debug, clap::Args)]
pub struct RankArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// How many identities to list (0: all)
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// Loads the registry (documents with findings still count: the graph is built from what loads).
pub fn graph_of(root: &std::path::Path) -> Result<Graph> {
    let loaded = load::load(root)?;
    Ok(Graph::build(&loaded.registry))
}

pub fn blast(args: BlastArgs, out: &mut dyn Write) -> Result<Exit> {
    let graph = graph_of(&args.registry.root)?;
    let Some(blast) = graph.blast(&args.id) else {
        let ids = graph.petgraph().node_weights().map(|n| n.id.as_str());
        return Err(super::not_found(
            "identity or system",
            &args.id,
            &args.registry.root,
            ids,
        ));
    };
    write_blast(&blast, args.format, out)?;
    Ok(Exit::Pass)
}

pub fn rank(args: RankArgs, out: &mut dyn Write) -> Result<Exit> {
    let graph = graph_of(&args.registry.root)?;
    let mut all = graph.all();
    if args.top > 0 {
        all.truncate(args.top);
    }
    write_ranking(&all, args.format == ListFormat::Json, out)?;
    Ok(Exit::Pass)
}
