//! The whole graph as GraphML (`nhi graph --format graphml`), for yEd, Gephi and NetworkX. Registry text
//! is escaped for XML ([`xml`]).

use std::io::{self, Write};

use super::Export;
use crate::graph::{controls, Edge};
use crate::report::text::xml;

impl Export<'_> {
    pub(super) fn graphml(&self, out: &mut dyn Write) -> io::Result<()> {
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
            writeln!(out, r#"    <node id="{}">"#, xml(&node.key()))?;
            let props = self.properties(node);
            for (key, _) in NODE_KEYS {
                if let Some(v) = props.get(key) {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    writeln!(out, r#"      <data key="n_{key}">{}</data>"#, xml(&text))?;
                }
            }
            writeln!(out, "    </node>")?;
        }
        for (n, (from, to, edge)) in self.edges().enumerate() {
            let (f, t) = (xml(&from.key()), xml(&to.key()));
            writeln!(out, r#"    <edge id="e{n}" source="{f}" target="{t}">"#)?;
            writeln!(out, r#"      <data key="e_edge">{}</data>"#, edge.label())?;
            if let Edge::Access(level) = edge {
                writeln!(out, r#"      <data key="e_level">{level}</data>"#)?;
                writeln!(
                    out,
                    r#"      <data key="e_controls">{}</data>"#,
                    controls(to.system_type(), level)
                )?;
            }
            writeln!(out, "    </edge>")?;
        }
        writeln!(out, "  </graph>")?;
        writeln!(out, "</graphml>")
    }
}
