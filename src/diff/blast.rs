//! The reach of each identity, as the diff compares it before and after a change.
//!
//! The diff consumes only [`Reach`] and [`reach_all`]: when the blast-radius graph lands, `reach_all` is the
//! one function to switch over, and every consumer follows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{Criticality, Registry};

/// How far an identity reaches: what an attacker holding its credential gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// Systems reached.
    pub systems: usize,
    /// Of those, the critical ones.
    pub critical: usize,
    /// Systems weighted by criticality (low 1, medium 2, high 5, critical 10).
    pub score: u32,
    /// The highest criticality reached.
    pub highest: Option<Criticality>,
    /// Other identities whose credentials are reached on the way (0 while reach is direct access only).
    pub identities: usize,
}

/// The reach of every identity in `registry`, by id (the first document wins on a duplicate id).
///
/// Direct access only: the systems each identity's `access` entries name that exist in the registry.
// integration point: replace with nhi::graph — `Graph::build(registry).all()` gives one `Summary` per identity
// (identity, score, systems, critical, highest, identities), which maps field for field onto `Reach`.
pub fn reach_all(registry: &Registry) -> BTreeMap<String, Reach> {
    let criticality: HashMap<&str, Option<Criticality>> = registry
        .systems
        .iter()
        .rev()
        .map(|s| (s.item.id.as_str(), s.item.criticality))
        .collect();
    let mut out = BTreeMap::new();
    for doc in &registry.identities {
        if out.contains_key(&doc.item.id) {
            continue;
        }
        let reached: BTreeSet<&str> = doc
            .item
            .access
            .iter()
            .map(|a| a.system.as_str())
            .filter(|s| criticality.contains_key(s))
            .collect();
        let levels: Vec<Option<Criticality>> = reached.iter().map(|s| criticality[s]).collect();
        let reach = Reach {
            systems: reached.len(),
            critical: levels
                .iter()
                .filter(|c| **c == Some(Criticality::Critical))
                .count(),
            score: levels.iter().flatten().map(|c| c.weight()).sum(),
            highest: levels.iter().flatten().max().copied(),
            identities: 0,
        };
        out.insert(doc.item.id.clone(), reach);
    }
    out
}
