//! Exports of the whole graph for other tools: Graphviz DOT, JSON, GraphML, and BloodHound OpenGraph.
//!
//! Every registry value is hostile: ids and names are quoted for DOT, escaped for XML (characters XML 1.0
//! cannot carry are replaced), and written through serde for JSON. Node keys (`identity:ID`,
//! `system:ID`) keep an identity and a system with the same id apart.

use std::collections::HashMap;
use std::io::{self, Write};

use petgraph::visit::EdgeRef;
use serde_json::{json, Map, Value};

use crate::graph::{controls, Edge, Graph, Node, Summary};
use crate::model::Kind;

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

/// A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`, other controls dropped.
pub fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text escaped for XML content and attribute values; characters XML 1.0 forbids become U+FFFD.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// DOT attributes of a node: shape by kind, colour by criticality.
pub fn dot_node_attrs(node: &Node) -> String {
    let (shape, color) = match node.kind {
        Kind::Identity if !node.takes_part => ("ellipse", "gray"),
        Kind::Identity => ("ellipse", "black"),
        _ => ("box", criticality_color(node.criticality)),
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

/// The OpenGraph edge kind: `NHIRead`, `NHIWrite`, `NHIAdmin`, `NHIHoldsSecret`, `NHIRunsAs`.
pub fn opengraph_edge_kind(edge: Edge) -> &'static str {
    use crate::model::Level::*;
    match edge {
        Edge::Access(Read) => "NHIRead",
        Edge::Access(Write) => "NHIWrite",
        Edge::Access(Admin) => "NHIAdmin",
        Edge::Holds => "NHIHoldsSecret",
        Edge::Runs => "NHIRunsAs",
    }
}

/// `api_key` → `ApiKey`.
fn camel(s: &str) -> String {
    let mut out = String::new();
    for word in s.split('_') {
        let mut chars = word.chars();
        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        out.extend(chars);
    }
    out
}

impl Export<'_> {
    /// Every attribute of a node as flat JSON values (absent ones left out).
    fn properties(&self, node: &Node) -> Map<String, Value> {
        let mut p = Map::new();
        p.insert("id".into(), json!(node.id));
        p.insert("kind".into(), json!(node.kind.name()));
        let optional = [
            ("name", node.name.clone()),
            ("environment", node.environment.map(|e| e.to_string())),
            ("owner", node.owner.clone()),
            ("identity_type", node.identity_type.map(|t| t.to_string())),
            ("status", node.status.map(|s| s.to_string())),
            ("credential", node.credential.map(|c| c.to_string())),
            ("system_type", node.system_type.map(|t| t.to_string())),
            ("criticality", node.criticality.map(|c| c.to_string())),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                p.insert(key.into(), json!(v));
            }
        }
        if node.kind == Kind::Identity {
            p.insert("takes_part".into(), json!(node.takes_part));
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

    fn dot(&self, out: &mut dyn Write) -> io::Result<()> {
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

    /// `{"nodes": [...], "edges": [...]}`, one node or edge per line, streamed.
    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        let nodes = self.graph.petgraph().node_weights().map(|n| {
            let mut p = self.properties(n);
            p.insert("key".into(), json!(n.key()));
            Value::Object(p)
        });
        let edges = self.edges().map(|(from, to, edge)| {
            let mut e = json!({"from": from.key(), "to": to.key(), "edge": edge.label()});
            if let Edge::Access(level) = edge {
                e["level"] = json!(level);
                e["controls"] = json!(controls(to.system_type, level));
            }
            e
        });
        write!(out, "{{\"nodes\": ")?;
        array(out, nodes)?;
        write!(out, ",\n\"edges\": ")?;
        array(out, edges)?;
        writeln!(out, "}}")
    }

    fn graphml(&self, out: &mut dyn Write) -> io::Result<()> {
        const NODE_KEYS: [(&str, &str); 15] = [
            ("id", "string"),
            ("kind", "string"),
            ("name", "string"),
            ("environment", "string"),
            ("owner", "string"),
            ("identity_type", "string"),
            ("status", "string"),
            ("credential", "string"),
            ("system_type", "string"),
            ("criticality", "string"),
            ("takes_part", "boolean"),
            ("blast_score", "int"),
            ("blast_systems", "int"),
            ("blast_critical", "int"),
            ("blast_identities", "int"),
        ];
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
        )?;
        for (key, ty) in NODE_KEYS {
            writeln!(
                out,
                r#"  <key id="n_{key}" for="node" attr.name="{key}" attr.type="{ty}"/>"#
            )?;
        }
        writeln!(
            out,
            r#"  <key id="e_edge" for="edge" attr.name="edge" attr.type="string"/>"#
        )?;
        writeln!(
            out,
            r#"  <key id="e_level" for="edge" attr.name="level" attr.type="string"/>"#
        )?;
        writeln!(
            out,
            r#"  <key id="e_controls" for="edge" attr.name="controls" attr.type="boolean"/>"#
        )?;
        writeln!(out, r#"  <graph id="nhi" edgedefault="directed">"#)?;
        for node in self.graph.petgraph().node_weights() {
            writeln!(out, r#"    <node id="{}">"#, xml_escape(&node.key()))?;
            let props = self.properties(node);
            for (key, _) in NODE_KEYS {
                if let Some(v) = props.get(key) {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    writeln!(
                        out,
                        r#"      <data key="n_{key}">{}</data>"#,
                        xml_escape(&text)
                    )?;
                }
            }
            writeln!(out, "    </node>")?;
        }
        for (n, (from, to, edge)) in self.edges().enumerate() {
            let (f, t) = (xml_escape(&from.key()), xml_escape(&to.key()));
            writeln!(out, r#"    <edge id="e{n}" source="{f}" target="{t}">"#)?;
            writeln!(out, r#"      <data key="e_edge">{}</data>"#, edge.label())?;
            if let Edge::Access(level) = edge {
                writeln!(out, r#"      <data key="e_level">{level}</data>"#)?;
                writeln!(
                    out,
                    r#"      <data key="e_controls">{}</data>"#,
                    controls(to.system_type, level)
                )?;
            }
            writeln!(out, "    </edge>")?;
        }
        writeln!(out, "  </graph>")?;
        writeln!(out, "</graphml>")
    }

    /// BloodHound OpenGraph, streamed: `{"metadata": ..., "graph": {"nodes": [...], "edges": [...]}}`.
    fn opengraph(&self, out: &mut dyn Write) -> io::Result<()> {
        let nodes = self.graph.petgraph().node_weights().map(|n| {
            let primary = if n.kind == Kind::Identity {
                "NHIIdentity"
            } else {
                "NHISystem"
            };
            let ty = n
                .identity_type
                .map(|t| t.to_string())
                .or_else(|| n.system_type.map(|t| t.to_string()));
            let mut kinds = vec![primary.to_string()];
            kinds.extend(ty.map(|t| format!("NHI{}", camel(&t))));
            let mut p = self.properties(n);
            // BloodHound sets `objectid` from `id` itself and refuses it among the properties.
            p.insert(
                "displayname".into(),
                json!(n.name.as_deref().unwrap_or(&n.id)),
            );
            p.insert("name".into(), json!(n.id));
            json!({"id": n.key(), "kinds": kinds, "properties": p})
        });
        let edges = self.edges().map(|(from, to, edge)| {
            let mut p = json!({"edge": edge.label()});
            if let Edge::Access(level) = edge {
                p["level"] = json!(level);
                p["controls"] = json!(controls(to.system_type, level));
            }
            json!({
                "kind": opengraph_edge_kind(edge),
                "start": {"value": from.key(), "match_by": "id"},
                "end": {"value": to.key(), "match_by": "id"},
                "properties": p,
            })
        });
        writeln!(out, "{{\"metadata\": {{\"source_kind\": \"NHIBase\"}},")?;
        write!(out, "\"graph\": {{\"nodes\": ")?;
        array(out, nodes)?;
        write!(out, ",\n\"edges\": ")?;
        array(out, edges)?;
        writeln!(out, "}}}}")
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
