//! Exports of the whole graph for other tools, one file per format: Graphviz DOT (`dot`), JSON (`json`),
//! GraphML (`graphml`) and BloodHound OpenGraph (`opengraph`).
//!
//! Every registry value is hostile: ids and names are quoted for DOT, escaped for XML (characters XML 1.0
//! cannot carry are replaced), and written through serde for JSON. Node keys (`identity:ID`,
//! `system:ID`) keep an identity and a system with the same id apart.

mod dot;
mod graphml;
mod json;
mod opengraph;

use std::collections::HashMap;
use std::io::{self, Write};

use petgraph::visit::EdgeRef;
use serde_json::{json, Map, Value};

use crate::graph::{Edge, Facts, Graph, Node, Summary};
pub use dot::{criticality_color, dot_edge_attrs, dot_node_attrs, dot_quote};
pub use opengraph::opengraph_edge_kind;

/// The whole-graph export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// `{"nodes": [...], "edges": [...]}` with every attribute.
    Json,
    /// GraphML (yEd, Gephi, NetworkX).
    Graphml,
    /// BloodHound OpenGraph JSON, to load the registry into BloodHound.
    Opengraph,
}

/// Writes the whole graph in `format`. Identity nodes carry their blast-radius summary.
pub fn write(graph: &Graph, format: GraphFormat, out: &mut dyn Write) -> io::Result<()> {
    let summaries: HashMap<String, Summary> = graph
        .all()
        .into_iter()
        .map(|s| (s.identity.clone(), s))
        .collect();
    let x = Export { graph, summaries };
    match format {
        GraphFormat::Dot => x.dot(out),
        GraphFormat::Json => x.json(out),
        GraphFormat::Graphml => x.graphml(out),
        GraphFormat::Opengraph => x.opengraph(out),
    }
}

struct Export<'g> {
    graph: &'g Graph,
    summaries: HashMap<String, Summary>,
}

impl Export<'_> {
    /// Every attribute of a node as flat JSON values (absent ones left out).
    fn properties(&self, node: &Node) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("id".into(), json!(node.id));
        p.insert("kind".into(), json!(node.kind().name()));
        let mut optional = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                p.insert(key.into(), json!(v));
            }
        };
        optional("name", node.name.clone());
        optional("environment", node.environment.map(|e| e.to_string()));
        optional("owner", node.owner.clone());
        match node.facts {
            Facts::Identity {
                identity_type,
                status,
                credential,
                ..
            } => {
                optional("identity_type", identity_type.map(|t| t.to_string()));
                optional("status", status.map(|s| s.to_string()));
                optional("credential", credential.map(|c| c.to_string()));
            }
            Facts::System {
                system_type,
                criticality,
            } => {
                optional("system_type", system_type.map(|t| t.to_string()));
                optional("criticality", criticality.map(|c| c.to_string()));
            }
        }
        if let Facts::Identity { takes_part, .. } = node.facts {
            p.insert("takes_part".into(), json!(takes_part));
            if let Some(s) = self.summaries.get(&node.id) {
                p.insert("blast_score".into(), json!(s.score));
                p.insert("blast_systems".into(), json!(s.systems));
                p.insert("blast_critical".into(), json!(s.critical));
                p.insert("blast_identities".into(), json!(s.identities));
            }
        }
        p
    }

    fn edges(&self) -> impl Iterator<Item = (&Node, &Node, Edge)> + '_ {
        let g = self.graph.petgraph();
        g.edge_references()
            .map(move |e| (&g[e.source()], &g[e.target()], *e.weight()))
    }
}

/// A JSON array written one element per line, without holding the elements in memory.
fn array(out: &mut dyn Write, items: impl Iterator<Item = Value>) -> io::Result<()> {
    write!(out, "[")?;
    for (n, item) in items.enumerate() {
        write!(out, "{}\n  ", if n == 0 { "" } else { "," })?;
        serde_json::to_writer(&mut *out, &item)?;
    }
    write!(out, "\n]")
}
