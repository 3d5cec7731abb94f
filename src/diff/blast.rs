//! The reach of each identity, as the diff compares it before and after a change.
//!
//! The diff consumes only [`Reach`] and [`reach_all`], which summarises the blast-radius graph.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::Graph;
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
    /// Other identities whose credentials are picked up on the way.
    pub identities: usize,
}

/// The reach of every identity in `registry`, by id, from its blast radius (`nhi::graph`): the systems its
/// credential reaches directly and through the credentials it picks up on the way.
pub fn reach_all(registry: &Registry) -> BTreeMap<String, Reach> {
    Graph::build(registry)
        .all()
        .into_iter()
        .map(|s| {
            let reach = Reach {
                systems: s.systems,
                critical: s.critical,
                score: s.score,
                highest: s.highest,
                identities: s.identities,
            };
            (s.identity, reach)
        })
        .collect()
}
