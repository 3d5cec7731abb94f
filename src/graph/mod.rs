//! The graph of identities and systems, and what an attacker holding one credential reaches from it.
//!
//! A node per Identity and per System. Edges: identity → system for each `access` entry (labelled with the
//! highest level granted), system → identity for each System that stores the credential (`Holds`,
//! from `credential.stores`) or runs it (`Runs`, from `used_by`). A decommissioned identity whose
//! credential is gone (revoked, or of kind `none`) keeps its node but takes no part: it has no edges.
//!
//! Propagation: an attacker holding a credential reaches every system it can access. A system the
//! attacker controls — `admin` on it, or any level on a `secret_store` — gives up every credential it
//! holds or runs, and the attacker goes on from those. [`blast`](Graph::blast) answers for one root with a
//! breadth-first search (shortest explaining paths); [`all`](Graph::all) answers for every identity at
//! once by condensing the control graph (see `rank.rs`).

mod blast;
mod rank;

pub use rank::CRITICAL_SAMPLE;

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rayon::slice::ParallelSliceMut;
use serde::Serialize;

use crate::model::{
    CredentialKind, Criticality, Environment, Identity, IdentityType, Kind, Level, Registry,
    Status, System, SystemType,
};

/// How an attacker moves along one edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "level", rename_all = "lowercase")]
pub enum Edge {
    /// Identity → system: the identity's access, at its highest level there.
    Access(Level),
    /// System → identity: the system stores the identity's credential (`credential.stores`).
    Holds,
    /// System → identity: the system runs with the identity (`used_by`).
    Runs,
}

impl Edge {
    /// The word used in rendered paths and exports: `admin`, `holds`, `runs`, …
    pub fn label(self) -> &'static str {
        match self {
            Edge::Access(level) => level.as_str(),
            Edge::Holds => "holds",
            Edge::Runs => "runs",
        }
    }
}

/// A node: an identity or a system, with what the exports and the analysis need to know of it.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub id: String,
    pub name: Option<String>,
    pub environment: Option<Environment>,
    pub owner: Option<String>,
    /// What only an identity, or only a system, has.
    pub facts: Facts,
}

/// What a node knows of itself as an identity or as a system.
#[derive(Clone, Debug, Serialize)]
pub enum Facts {
    Identity {
        identity_type: Option<IdentityType>,
        status: Option<Status>,
        credential: Option<CredentialKind>,
        /// False when decommissioned with the credential gone (the node has no edges).
        takes_part: bool,
    },
    System {
        system_type: Option<SystemType>,
        criticality: Option<Criticality>,
    },
}

impl Node {
    /// `Identity` or `System`.
    pub fn kind(&self) -> Kind {
        match self.facts {
            Facts::Identity { .. } => Kind::Identity,
            Facts::System { .. } => Kind::System,
        }
    }

    /// A key unique across kinds (an identity and a system may share an id): `identity:ID`, `system:ID`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind().name().to_ascii_lowercase(), self.id)
    }

    /// Whether its edges count: false for an identity decommissioned with its credential gone.
    pub fn takes_part(&self) -> bool {
        match self.facts {
            Facts::Identity { takes_part, .. } => takes_part,
            Facts::System { .. } => true,
        }
    }

    /// A system's type (`None` for an identity).
    pub fn system_type(&self) -> Option<SystemType> {
        match self.facts {
            Facts::System { system_type, .. } => system_type,
            Facts::Identity { .. } => None,
        }
    }

    /// A system's criticality (`None` for an identity).
    pub fn criticality(&self) -> Option<Criticality> {
        match self.facts {
            Facts::System { criticality, .. } => criticality,
            Facts::Identity { .. } => None,
        }
    }
}

/// One step of a path: an edge between two ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub edge: Edge,
}

/// A system in a blast radius: the highest level reached there, and one shortest path that reaches it so.
#[derive(Clone, Debug, Serialize)]
pub struct ReachedSystem {
    pub id: String,
    pub level: Level,
    pub criticality: Option<Criticality>,
    #[serde(rename = "type")]
    pub system_type: Option<SystemType>,
    /// Whether the attacker controls it (admin, or any level on a secret store) and so takes its credentials.
    pub controlled: bool,
    pub path: Vec<Step>,
    /// `path` rendered: `root → (admin) vault-prod → holds ci-deployer → (admin) aws-prod`.
    pub explained: String,
}

/// An identity whose credential the attacker picks up, with one shortest path to it.
#[derive(Clone, Debug, Serialize)]
pub struct ReachedIdentity {
    pub id: String,
    pub path: Vec<Step>,
    pub explained: String,
}

/// What compromise of one identity's credential (or of one system) exposes.
#[derive(Clone, Debug, Serialize)]
pub struct Blast {
    pub root: String,
    pub root_kind: Kind,
    /// The root is an identity whose credential is gone (decommissioned and revoked): it reaches nothing.
    pub revoked: bool,
    /// Most critical first, then highest level, then id.
    pub systems: Vec<ReachedSystem>,
    /// Nearest first, then id. The root itself is never listed.
    pub identities: Vec<ReachedIdentity>,
    /// Systems weighted by criticality: low 1, medium 2, high 5, critical 10.
    pub score: u32,
}

impl Blast {
    /// How many reached systems are critical.
    pub fn critical(&self) -> usize {
        self.systems
            .iter()
            .filter(|s| s.criticality == Some(Criticality::Critical))
            .count()
    }

    /// The highest criticality reached.
    pub fn highest(&self) -> Option<Criticality> {
        self.systems.iter().filter_map(|s| s.criticality).max()
    }
}

/// The size of one identity's blast radius, as the risk ranking shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub identity: String,
    pub score: u32,
    /// Systems reached.
    pub systems: usize,
    /// Critical systems reached.
    pub critical: usize,
    /// The highest criticality reached.
    pub highest: Option<Criticality>,
    /// Identities picked up on the way (the root not counted).
    pub identities: usize,
    /// The critical systems reached, by id; at most [`CRITICAL_SAMPLE`] of them.
    pub critical_systems: Vec<String>,
}

/// Renders a path as people read it: `a → (admin) b → holds c → (admin) d`.
pub fn render_path(root: &str, path: &[Step]) -> String {
    let mut out = root.to_string();
    for step in path {
        match step.edge {
            Edge::Access(level) => out.push_str(&format!(" → ({level}) {}", step.to)),
            other => out.push_str(&format!(" → {} {}", other.label(), step.to)),
        }
    }
    out
}

/// Whether holding `level` on a system of type `kind` gives up the credentials it holds and runs.
pub fn controls(kind: Option<SystemType>, level: Level) -> bool {
    level == Level::Admin || kind == Some(SystemType::SecretStore)
}

/// A registry's graph with every identity's blast radius ranked ([`Graph::all`]): made once by the rules
/// when a caller needs them again (the site), rather than built and ranked a second time.
pub struct Ranked {
    pub graph: Graph,
    pub ranking: Vec<Summary>,
}

impl Ranked {
    /// The graph of `registry` and its ranking.
    pub fn of(registry: &Registry) -> Ranked {
        let graph = Graph::build(registry);
        let ranking = graph.all();
        Ranked { graph, ranking }
    }
}

/// The graph of a registry. Identity nodes come first (`0..identities`), then system nodes.
pub struct Graph {
    graph: DiGraph<Node, Edge>,
    identities: usize,
    by_identity: HashMap<String, NodeIndex>,
    by_system: HashMap<String, NodeIndex>,
}

impl Graph {
    /// Builds the graph of `registry`. On duplicate ids the first document wins, as in the rules; references
    /// to unknown systems make no edge (they are `unknown-reference` findings).
    pub fn build(registry: &Registry) -> Graph {
        let mut graph =
            DiGraph::with_capacity(registry.identities.len() + registry.systems.len(), 0);
        let mut by_identity = HashMap::with_capacity(registry.identities.len());
        let mut by_system = HashMap::with_capacity(registry.systems.len());
        let mut kept = Vec::with_capacity(registry.identities.len());
        for doc in &registry.identities {
            if !by_identity.contains_key(&doc.item.id) {
                by_identity.insert(
                    doc.item.id.clone(),
                    graph.add_node(identity_node(&doc.item)),
                );
                kept.push(&doc.item);
            }
        }
        let identities = graph.node_count();
        for doc in &registry.systems {
            if !by_system.contains_key(&doc.item.id) {
                by_system.insert(doc.item.id.clone(), graph.add_node(system_node(&doc.item)));
            }
        }
        for identity in kept {
            let node = by_identity[&identity.id];
            if graph[node].takes_part() {
                add_edges(&mut graph, &by_system, node, identity);
            }
        }
        Graph {
            graph,
            identities,
            by_identity,
            by_system,
        }
    }

    /// The petgraph model, for exports and custom queries.
    pub fn petgraph(&self) -> &DiGraph<Node, Edge> {
        &self.graph
    }

    /// The node of an identity id.
    pub fn identity(&self, id: &str) -> Option<NodeIndex> {
        self.by_identity.get(id).copied()
    }

    /// The node of a system id.
    pub fn system(&self, id: &str) -> Option<NodeIndex> {
        self.by_system.get(id).copied()
    }

    /// The node `id` names: an identity first, then a system; `identity:ID` and `system:ID` choose.
    pub fn lookup(&self, id: &str) -> Option<NodeIndex> {
        if let Some(rest) = id.strip_prefix("identity:") {
            return self.identity(rest);
        }
        if let Some(rest) = id.strip_prefix("system:") {
            return self.system(rest);
        }
        self.identity(id).or_else(|| self.system(id))
    }

    /// Number of identity nodes (they are the nodes `0..n`).
    pub fn identity_count(&self) -> usize {
        self.identities
    }

    /// The blast radius of an identity or a system (as if the attacker holds admin on it).
    pub fn blast(&self, id: &str) -> Option<Blast> {
        self.lookup(id).map(|node| blast::blast(self, node))
    }

    /// The blast radius size of every identity, computed at once: score descending, then id ascending.
    pub fn all(&self) -> Vec<Summary> {
        let mut all = rank::all(self);
        // Identity ids are unique, so an unstable sort gives the one order.
        all.par_sort_unstable_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.identity.cmp(&b.identity))
        });
        all
    }

    /// The access edges of an identity node: (system node, level).
    fn access(&self, node: NodeIndex) -> impl Iterator<Item = (NodeIndex, Level)> + '_ {
        self.graph.edges(node).filter_map(|e| match *e.weight() {
            Edge::Access(level) => Some((e.target(), level)),
            _ => None,
        })
    }

    /// The identities a system gives up when controlled: (identity node, Holds or Runs).
    fn yields(&self, node: NodeIndex) -> impl Iterator<Item = (NodeIndex, Edge)> + '_ {
        self.graph.edges(node).map(|e| (e.target(), *e.weight()))
    }
}

fn identity_node(i: &Identity) -> Node {
    let gone = i.credential.revoked_on.is_some() || i.credential.kind == Some(CredentialKind::None);
    Node {
        id: i.id.clone(),
        name: i.name.clone(),
        environment: i.environment,
        owner: i.owner.clone(),
        facts: Facts::Identity {
            identity_type: i.kind,
            status: i.status,
            credential: i.credential.kind,
            takes_part: !(i.status == Some(Status::Decommissioned) && gone),
        },
    }
}

fn system_node(s: &System) -> Node {
    Node {
        id: s.id.clone(),
        name: s.name.clone(),
        environment: s.environment,
        owner: s.owner.clone(),
        facts: Facts::System {
            system_type: s.kind,
            criticality: s.criticality,
        },
    }
}

/// The edges of one identity: one access edge per system (its highest level; a missing level counts as
/// `read`), one `Holds` per store and one `Runs` per user system, without repeats.
fn add_edges(
    graph: &mut DiGraph<Node, Edge>,
    systems: &HashMap<String, NodeIndex>,
    node: NodeIndex,
    i: &Identity,
) {
    let mut levels: Vec<(NodeIndex, Level)> = i
        .access
        .iter()
        .filter_map(|a| Some((*systems.get(&a.system)?, a.level.unwrap_or(Level::Read))))
        .collect();
    levels.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    levels.dedup_by_key(|(system, _)| *system);
    for (system, level) in levels {
        graph.add_edge(node, system, Edge::Access(level));
    }
    let stores = i.credential.stores.iter().map(|s| (s, 0u8));
    let users = i.used_by.iter().map(|s| (s, 1u8));
    let mut yields: Vec<(NodeIndex, u8)> = stores
        .chain(users)
        .filter_map(|(id, e)| Some((*systems.get(id)?, e)))
        .collect();
    yields.sort_unstable();
    yields.dedup();
    for (system, e) in yields {
        graph.add_edge(system, node, if e == 0 { Edge::Holds } else { Edge::Runs });
    }
}

#[cfg(test)]
mod tests;
