//! The blast radius of one root: a breadth-first search over the attacker's states, so that every system
//! and identity comes with one shortest path that explains it.
//!
//! A state is "holds identity i" or "holds level L on system s". Holding an identity gives its access;
//! holding a level that controls a system (see [`controls`]) gives the identities it holds and runs. A
//! system's reported level is the highest level state reached, and its path the shortest to that state.
//! Every state is visited once, so cycles end.

use std::collections::VecDeque;

use petgraph::graph::NodeIndex;

use super::{controls, render_path, Blast, Edge, Graph, ReachedIdentity, ReachedSystem, Step};
use crate::model::{Kind, Level};

/// How a state was first reached.
#[derive(Clone, Copy)]
enum Via {
    Root,
    /// A system level, through an access edge of this identity.
    Access(NodeIndex),
    /// An identity, given up by this system controlled at this level.
    Yield(NodeIndex, Level, Edge),
}

#[derive(Clone, Copy)]
enum State {
    Identity(NodeIndex),
    System(NodeIndex, Level),
}

fn slot(level: Level) -> usize {
    match level {
        Level::Read => 0,
        Level::Write => 1,
        Level::Admin => 2,
    }
}

const LEVELS: [Level; 3] = [Level::Read, Level::Write, Level::Admin];

/// What the search found: how each identity and each system level was first reached.
struct Search<'g> {
    g: &'g Graph,
    root: NodeIndex,
    identities: Vec<Option<Via>>,
    systems: Vec<[Option<Via>; 3]>,
}

pub(super) fn blast(g: &Graph, root: NodeIndex) -> Blast {
    let n = g.graph.node_count();
    let mut search = Search {
        g,
        root,
        identities: vec![None; n],
        systems: vec![[None; 3]; n],
    };
    let mut queue = VecDeque::new();
    let root_node = &g.graph[root];
    if root_node.kind == Kind::Identity {
        search.identities[root.index()] = Some(Via::Root);
        queue.push_back(State::Identity(root));
    } else {
        search.systems[root.index()][slot(Level::Admin)] = Some(Via::Root);
        queue.push_back(State::System(root, Level::Admin));
    }
    search.run(queue);
    let systems = search.systems_reached();
    let identities = search.identities_reached();
    let score = systems
        .iter()
        .filter_map(|s| s.criticality)
        .map(|c| c.weight())
        .sum();
    Blast {
        root: root_node.id.clone(),
        root_kind: root_node.kind,
        revoked: !root_node.takes_part,
        systems,
        identities,
        score,
    }
}

impl Search<'_> {
    fn run(&mut self, mut queue: VecDeque<State>) {
        let mut expanded = vec![false; self.identities.len()];
        while let Some(state) = queue.pop_front() {
            match state {
                State::Identity(i) => {
                    for (s, level) in self.g.access(i) {
                        let seen = &mut self.systems[s.index()][slot(level)];
                        if seen.is_none() {
                            *seen = Some(Via::Access(i));
                            queue.push_back(State::System(s, level));
                        }
                    }
                }
                State::System(s, level) => {
                    if expanded[s.index()] || !controls(self.g.graph[s].system_type, level) {
                        continue;
                    }
                    expanded[s.index()] = true;
                    for (j, edge) in self.g.yields(s) {
                        let seen = &mut self.identities[j.index()];
                        if seen.is_none() {
                            *seen = Some(Via::Yield(s, level, edge));
                            queue.push_back(State::Identity(j));
                        }
                    }
                }
            }
        }
    }

    fn id(&self, node: NodeIndex) -> String {
        self.g.graph[node].id.clone()
    }

    /// The steps from the root to identity `i`, in order.
    fn path_to_identity(&self, mut i: NodeIndex, steps: &mut Vec<Step>) {
        while let Some(Via::Yield(s, level, edge)) = self.identities[i.index()] {
            steps.push(Step {
                from: self.id(s),
                to: self.id(i),
                edge,
            });
            match self.systems[s.index()][slot(level)] {
                Some(Via::Access(p)) => {
                    steps.push(Step {
                        from: self.id(p),
                        to: self.id(s),
                        edge: Edge::Access(level),
                    });
                    i = p;
                }
                _ => break, // the root system
            }
        }
    }

    fn path_to_system(&self, s: NodeIndex, level: Level) -> Vec<Step> {
        let mut steps = Vec::new();
        if let Some(Via::Access(p)) = self.systems[s.index()][slot(level)] {
            steps.push(Step {
                from: self.id(p),
                to: self.id(s),
                edge: Edge::Access(level),
            });
            self.path_to_identity(p, &mut steps);
        }
        steps.reverse();
        steps
    }

    fn systems_reached(&self) -> Vec<ReachedSystem> {
        let root = self.root_id();
        let mut out: Vec<ReachedSystem> = Vec::new();
        for (index, levels) in self.systems.iter().enumerate() {
            let Some(level) = LEVELS
                .into_iter()
                .rev()
                .find(|l| levels[slot(*l)].is_some())
            else {
                continue;
            };
            let s = NodeIndex::new(index);
            let node = &self.g.graph[s];
            let path = self.path_to_system(s, level);
            out.push(ReachedSystem {
                id: node.id.clone(),
                level,
                criticality: node.criticality,
                system_type: node.system_type,
                controlled: LEVELS
                    .iter()
                    .any(|l| levels[slot(*l)].is_some() && controls(node.system_type, *l)),
                explained: render_path(&root, &path),
                path,
            });
        }
        out.sort_by(|a, b| {
            b.criticality
                .cmp(&a.criticality)
                .then(b.level.cmp(&a.level))
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    fn identities_reached(&self) -> Vec<ReachedIdentity> {
        let root_id = self.root_id();
        let mut out: Vec<ReachedIdentity> = Vec::new();
        for (index, via) in self.identities.iter().enumerate() {
            if via.is_none() || index == self.root.index() {
                continue;
            }
            let mut path = Vec::new();
            self.path_to_identity(NodeIndex::new(index), &mut path);
            path.reverse();
            out.push(ReachedIdentity {
                id: self.id(NodeIndex::new(index)),
                explained: render_path(&root_id, &path),
                path,
            });
        }
        out.sort_by(|a, b| {
            a.path
                .len()
                .cmp(&b.path.len())
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    fn root_id(&self) -> String {
        self.id(self.root)
    }
}
