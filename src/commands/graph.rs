//! `nhi graph [REGISTRY]`: the whole graph of identities and systems for other tools.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use nhi::graph::export::{self, GraphFormat};

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The registry root (the directory holding nhi.yaml)
    #[arg(default_value = ".")]
    pub registry: PathBuf,
    /// Output format (`opengraph` loads into BloodHound)
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    pub format: GraphFormat,
}

pub fn graph(args: GraphArgs, out: &mut dyn Write) -> Result<u8> {
    let graph = super::blast::graph_of(&args.registry)?;
    export::write(&graph, args.format, out)?;
    Ok(0)
}
