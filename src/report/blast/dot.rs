//! One blast radius as a Graphviz digraph (`nhi blast --format dot`): the explaining paths, drawn as
//! `nhi graph --format dot` draws the whole graph.

use std::io::{self, Write};

use crate::graph::{Blast, Edge};
use crate::model::Kind;
use crate::report::graph::{criticality_color, dot_edge_attrs, dot_quote};

/// The root, every reached node, and the edges of the explaining paths (each once).
pub(super) fn write(b: &Blast, out: &mut dyn Write) -> io::Result<()> {
    let key = |kind: Kind, id: &str| format!("{}:{id}", kind.name().to_ascii_lowercase());
    writeln!(out, "digraph blast {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [fontname=\"Helvetica\"];")?;
    let root_shape = if b.root_kind == Kind::Identity {
        "ellipse"
    } else {
        "box"
    };
    let root = key(b.root_kind, &b.root);
    writeln!(
        out,
        "  {} [label={}, shape={root_shape}, style=bold, penwidth=2];",
        dot_quote(&root),
        dot_quote(&b.root)
    )?;
    for s in &b.systems {
        if s.path.is_empty() {
            continue; // the root system
        }
        let label = format!(
            "{}\n{} ({})",
            s.id,
            s.level,
            s.criticality.map_or("-", |c| c.as_str())
        );
        let color = criticality_color(s.criticality);
        writeln!(
            out,
            "  {} [label={}, shape=box, color={color}];",
            dot_quote(&key(Kind::System, &s.id)),
            dot_quote(&label)
        )?;
    }
    for i in &b.identities {
        writeln!(
            out,
            "  {} [label={}, shape=ellipse];",
            dot_quote(&key(Kind::Identity, &i.id)),
            dot_quote(&i.id)
        )?;
    }
    let mut edges: Vec<(String, String, Edge)> = Vec::new();
    let paths = b
        .systems
        .iter()
        .map(|s| &s.path)
        .chain(b.identities.iter().map(|i| &i.path));
    for step in paths.flatten() {
        let (from_kind, to_kind) = match step.edge {
            Edge::Access(_) => (Kind::Identity, Kind::System),
            _ => (Kind::System, Kind::Identity),
        };
        let edge = (
            key(from_kind, &step.from),
            key(to_kind, &step.to),
            step.edge,
        );
        if !edges.contains(&edge) {
            edges.push(edge);
        }
    }
    for (from, to, edge) in edges {
        writeln!(
            out,
            "  {} -> {} [{}];",
            dot_quote(&from),
            dot_quote(&to),
            dot_edge_attrs(edge)
        )?;
    }
    writeln!(out, "}}")
}
