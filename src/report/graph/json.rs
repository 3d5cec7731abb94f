//! The whole graph as JSON (`nhi graph --format json`): every node and edge with every attribute.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{array, Export};
use crate::graph::{controls, Edge};

impl Export<'_> {
    /// `{"nodes": [...], "edges": [...]}`, one node or edge per line, streamed.
    pub(super) fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        let nodes = self.graph.petgraph().node_weights().map(|n| {
            let mut p = self.properties(n);
            p.insert("key".into(), json!(n.key()));
            Value::Object(p)
        });
        let edges = self.edges().map(|(from, to, edge)| {
            let mut e = json!({"from": from.key(), "to": to.key(), "edge": edge.label()});
            if let Edge::Access(level) = edge {
                e["level"] = json!(level);
                e["controls"] = json!(controls(to.system_type(), level));
            }
            e
        });
        write!(out, "{{\"nodes\": ")?;
        array(out, nodes)?;
        write!(out, ",\n\"edges\": ")?;
        array(out, edges)?;
        writeln!(out, "}}")
    }
}
