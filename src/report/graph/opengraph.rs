//! The whole graph as BloodHound OpenGraph JSON (`nhi graph --format opengraph`), to load the registry
//! into BloodHound.

use std::io::{self, Write};

use serde_json::json;

use super::{array, Export};
use crate::graph::{controls, Edge, Facts};

impl Export<'_> {
    /// BloodHound OpenGraph, streamed: `{"metadata": ..., "graph": {"nodes": [...], "edges": [...]}}`.
    pub(super) fn opengraph(&self, out: &mut dyn Write) -> io::Result<()> {
        let nodes = self.graph.petgraph().node_weights().map(|n| {
            let (primary, ty) = match n.facts {
                Facts::Identity { identity_type, .. } => {
                    ("NHIIdentity", identity_type.map(|t| t.to_string()))
                }
                Facts::System { system_type, .. } => {
                    ("NHISystem", system_type.map(|t| t.to_string()))
                }
            };
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
                p["controls"] = json!(controls(to.system_type(), level));
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
