//! The whole graph as Graphviz DOT (`nhi graph --format dot`), and the DOT quoting and attributes that
//! `nhi blast --format dot` draws with too.

use std::io::{self, Write};

use super::Export;
use crate::graph::{Edge, Facts, Node};
use crate::report::text::escape;

impl Export<'_> {
    pub(super) fn dot(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "digraph nhi {{")?;
        writeln!(out, "  rankdir=LR;")?;
        writeln!(out, "  node [fontname=\"Helvetica\"];")?;
        for node in self.graph.petgraph().node_weights() {
            writeln!(
                out,
                "  {} [{}];",
                dot_quote(&node.key()),
                dot_node_attrs(node)
            )?;
        }
        for (from, to, edge) in self.edges() {
            writeln!(
                out,
                "  {} -> {} [{}];",
                dot_quote(&from.key()),
                dot_quote(&to.key()),
                dot_edge_attrs(edge)
            )?;
        }
        writeln!(out, "}}")
    }
}

/// A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`, other controls dropped.
pub fn dot_quote(s: &str) -> String {
    let inner = escape(s, |out, c| match c {
        '\\' => out.push_str("\\\\"),
        '"' => out.push_str("\\\""),
        '\n' => out.push_str("\\n"),
        c if c.is_control() => out.push(' '),
        c => out.push(c),
    });
    format!("\"{inner}\"")
}

/// DOT attributes of a node: shape by kind, colour by criticality.
pub fn dot_node_attrs(node: &Node) -> String {
    let (shape, color) = match node.facts {
        Facts::Identity {
            takes_part: false, ..
        } => ("ellipse", "gray"),
        Facts::Identity { .. } => ("ellipse", "black"),
        Facts::System { criticality, .. } => ("box", criticality_color(criticality)),
    };
    let tooltip = node
        .name
        .as_deref()
        .map(|n| format!(", tooltip={}", dot_quote(n)));
    format!(
        "label={}, shape={shape}, color={color}{}",
        dot_quote(&node.id),
        tooltip.unwrap_or_default()
    )
}

pub fn criticality_color(c: Option<crate::model::Criticality>) -> &'static str {
    use crate::model::Criticality::*;
    match c {
        Some(Critical) => "red",
        Some(High) => "orange",
        Some(Medium) => "goldenrod",
        Some(Low) => "darkgreen",
        None => "gray",
    }
}

/// DOT attributes of an edge: access levels solid, credentials taken dashed.
pub fn dot_edge_attrs(edge: Edge) -> String {
    let style = if matches!(edge, Edge::Access(_)) {
        "solid"
    } else {
        "dashed"
    };
    format!("label={}, style={style}", dot_quote(edge.label()))
}
