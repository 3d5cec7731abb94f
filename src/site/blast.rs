//! Blast radius for the site, from direct access only.
//!
//! integration point: replace with nhi::graph. These types have the shape of `nhi::graph`
//! (`Graph::build`, `all`, `blast`, `Summary`, `Blast`, `ReachedSystem`, `ReachedIdentity`, `Step`, `Edge`);
//! once that module is merged, delete this file and import them from there. Until then the radius of an
//! identity is the systems named in its own `access` entries, each reached by one `Access` step.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::model::{Criticality, Level, Registry};

/// How one node reaches the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "level")]
pub enum Edge {
    /// An identity's access entry, at a level.
    Access(Level),
    /// A system holds the credential of an identity (`credential.stores`).
    Holds,
    /// A system runs with the identity (`used_by`).
    Runs,
}

/// One edge of a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub edge: Edge,
}

/// A system in a blast radius: the highest level reached, its criticality, and one shortest path.
#[derive(Clone, Debug, Serialize)]
pub struct ReachedSystem {
    pub id: String,
    pub level: Level,
    pub criticality: Option<Criticality>,
    pub path: Vec<Step>,
}

/// An identity whose credential is reachable through the blast radius.
#[derive(Clone, Debug, Serialize)]
pub struct ReachedIdentity {
    pub id: String,
    pub path: Vec<Step>,
}

/// The blast radius of one identity.
#[derive(Clone, Debug, Serialize)]
pub struct Blast {
    pub root: String,
    pub systems: Vec<ReachedSystem>,
    pub identities: Vec<ReachedIdentity>,
    pub score: u32,
}

/// One line of the ranking.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub identity: String,
    pub score: u32,
    pub systems: usize,
    pub critical: usize,
    pub highest: Option<Criticality>,
    pub identities: usize,
}

/// Every identity's blast radius, by id (the first document wins on duplicate ids).
pub struct Graph {
    blasts: BTreeMap<String, Blast>,
}

impl Graph {
    pub fn build(registry: &Registry) -> Graph {
        let criticality: HashMap<&str, Option<Criticality>> = registry
            .systems
            .iter()
            .map(|s| (s.item.id.as_str(), s.item.criticality))
            .rev()
            .collect();
        let mut blasts = BTreeMap::new();
        for doc in &registry.identities {
            let i = &doc.item;
            if blasts.contains_key(&i.id) {
                continue;
            }
            let mut reached: BTreeMap<&str, Level> = BTreeMap::new();
            for a in &i.access {
                let level = a.level.unwrap_or(Level::Read);
                let entry = reached.entry(a.system.as_str()).or_insert(level);
                *entry = (*entry).max(level);
            }
            let systems: Vec<ReachedSystem> = reached
                .into_iter()
                .map(|(id, level)| ReachedSystem {
                    id: id.to_string(),
                    level,
                    criticality: criticality.get(id).copied().flatten(),
                    path: vec![Step {
                        from: i.id.clone(),
                        to: id.to_string(),
                        edge: Edge::Access(level),
                    }],
                })
                .collect();
            let score = systems
                .iter()
                .map(|s| s.criticality.map_or(0, Criticality::weight))
                .sum();
            blasts.insert(
                i.id.clone(),
                Blast {
                    root: i.id.clone(),
                    systems,
                    identities: Vec::new(),
                    score,
                },
            );
        }
        Graph { blasts }
    }

    /// Every identity's summary, largest score first (then by id).
    pub fn all(&self) -> Vec<Summary> {
        let mut all: Vec<Summary> = self
            .blasts
            .values()
            .map(|b| Summary {
                identity: b.root.clone(),
                score: b.score,
                systems: b.systems.len(),
                critical: b
                    .systems
                    .iter()
                    .filter(|s| s.criticality == Some(Criticality::Critical))
                    .count(),
                highest: b.systems.iter().filter_map(|s| s.criticality).max(),
                identities: b.identities.len(),
            })
            .collect();
        all.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.identity.cmp(&b.identity))
        });
        all
    }

    pub fn blast(&self, id: &str) -> Option<Blast> {
        self.blasts.get(id).cloned()
    }
}
