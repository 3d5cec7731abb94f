//! One blast radius (`nhi blast`) for people (text), for tools (JSON) and for Graphviz (DOT).

use std::io::{self, Write};

use super::graph::{criticality_color, dot_edge_attrs, dot_quote};
use super::text::{plural, terminal as plain};
use crate::graph::{Blast, Edge};
use crate::model::Kind;

/// The output formats of `nhi blast` and `nhi rank`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BlastFormat {
    /// A table for people.
    Text,
    /// The result as JSON.
    Json,
    /// The explaining paths as a Graphviz digraph.
    Dot,
}

/// Writes `blast` in `format`.
pub fn write_blast(blast: &Blast, format: BlastFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        BlastFormat::Text => text(blast, out),
        BlastFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, blast)?;
            writeln!(out)
        }
        BlastFormat::Dot => dot(blast, out),
    }
}

fn text(b: &Blast, out: &mut dyn Write) -> io::Result<()> {
    let kind = if b.root_kind == Kind::Identity {
        "identity"
    } else {
        "system (as if held with admin)"
    };
    writeln!(
        out,
        "Blast radius of {kind} {}: score {}",
        plain(&b.root),
        b.score
    )?;
    if b.revoked {
        writeln!(
            out,
            "  decommissioned with its credential revoked: it reaches nothing"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "  {} ({} critical), {} picked up",
        plural(b.systems.len(), "system", "systems"),
        b.critical(),
        plural(b.identities.len(), "identity", "identities")
    )?;
    if !b.systems.is_empty() {
        let width = b
            .systems
            .iter()
            .map(|s| s.id.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        writeln!(
            out,
            "\n{:<width$}  {:<11}  {:<5}  path",
            "system", "criticality", "level"
        )?;
        for s in &b.systems {
            let criticality = s.criticality.map_or("-", |c| c.as_str());
            let id = plain(&s.id);
            writeln!(
                out,
                "{id:<width$}  {criticality:<11}  {:<5}  {}",
                s.level.as_str(),
                plain(&s.explained)
            )?;
        }
    }
    if !b.identities.is_empty() {
        let width = b
            .identities
            .iter()
            .map(|i| i.id.chars().count())
            .max()
            .unwrap_or(0)
            .max(20);
        writeln!(out, "\n{:<width$}  path", "identity picked up")?;
        for i in &b.identities {
            writeln!(out, "{:<width$}  {}", plain(&i.id), plain(&i.explained))?;
        }
    }
    Ok(())
}

/// The root, every reached node, and the edges of the explaining paths (each once).
fn dot(b: &Blast, out: &mut dyn Write) -> io::Result<()> {
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
