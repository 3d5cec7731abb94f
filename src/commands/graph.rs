//! `nhi graph [REGISTRY]`: the whole graph of identities and systems for other tools.

use std::io::Write;

use super::Exit;
use anyhow::Result;

use crate::args::Registry;
use nhi::report::graph::{write, GraphFormat};

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// Output format (`opengraph` loads into BloodHound)
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    pub format: GraphFormat,
}

pub fn graph(args: GraphArgs, out: &mut dyn Write) -> Result<Exit> {
    let graph = super::blast::graph_of(&args.registry.root)?;
    write(&graph, args.format, out)?;
    Ok(Exit::Pass)
}
