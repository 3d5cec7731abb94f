//! The blast radius of one root: a breadth-first search over the attacker's states, so that every system
//! and identity comes with one shortest path that explains it.
//!
//! A state is "holds identity i" or "holds level L on system s". Holding an identity gives its access;
//! holding a level that controls a system (see [`controls`]) gives the identities it holds and runs. A
//! system's reported level is the highest level state reached, and its path the shortest to that state.
//! Every state is visited once, so cycles end.
//!
//! A site builds one radius per identity page, so a search costs what it reaches, not the whole graph: the
//! per-node arrays are kept per thread between searches, and only the entries a search touched are read
//! back and cleared.

use std::cell::RefCell;
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

/// How each node was first reached, indexed by node; every entry is `None` between searches.
#[derive(Default)]
struct Scratch {
    identities: Vec<Option<Via>>,
    systems: Vec<[Option<Via>; 3]>,
    expanded: Vec<bool>,
    /// The identity and system nodes the search set an entry of, each once.
    touched_identities: Vec<usize>,
    touched_systems: Vec<usize>,
}

impl Scratch {
    fn fit(&mut self, n: usize) {
        if self.identities.len() < n {
            self.identities.resize(n, None);
            self.systems.resize(n, [None; 3]);
            self.expanded.resize(n, false);
        }
    }

    /// Clears what the last search set, so the next one starts from nothing.
    fn clear(&mut self) {
        for i in self.touched_identities.drain(..) {
            self.identities[i] = None;
        }
        for s in self.touched_systems.drain(..) {
            self.systems[s] = [None; 3];
            self.expanded[s] = false;
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// What the search found: how each identity and each system level was first reached.
struct Search<'g, 's> {
    g: &'g Graph,
    root: NodeIndex,
    s: &'s mut Scratch,
}

pub(super) fn blast(g: &Graph, root: NodeIndex) -> Blast {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => blast_in(g, root, &mut scratch),
        // Not reached (a search does not start another), but a fresh scratch is always correct.
        Err(_) => blast_in(g, root, &mut Scratch::default()),
    })
}

fn blast_in(g: &Graph, root: NodeIndex, scratch: &mut Scratch) -> Blast {
    scratch.fit(g.graph.node_count());
    let mut search = Search {
        g,
        root,
        s: scratch,
    };
    let mut queue = VecDeque::new();
    let root_node = &g.graph[root];
    if root_node.kind() == Kind::Identity {
        search.reach_identity(root, Via::Root);
        queue.push_back(State::Identity(root));
    } else {
        search.reach_system(root, Level::Admin, Via::Root);
        queue.push_back(State::System(root, Level::Admin));
    }
    search.run(queue);
    let systems = search.systems_reached();
    let identities = search.identities_reached();
    search.s.clear();
    let score = systems
        .iter()
        .filter_map(|s| s.criticality)
        .map(|c| c.weight())
        .sum();
    Blast {
        root: root_node.id.clone(),
        root_kind: root_node.kind(),
        revoked: !root_node.takes_part(),
        systems,
        identities,
        score,
    }
}

impl Search<'_, '_> {
    /// Records how identity `i` was first reached; false when it was reached before.
    fn reach_identity(&mut self, i: NodeIndex, via: Via) -> bool {
        let seen = &mut self.s.identities[i.index()];
        if seen.is_some() {
            return false;
        }
        *seen = Some(via);
        self.s.touched_identities.push(i.index());
        true
    }

    /// Records how `level` on system `s` was first reached; false when it was reached before.
    fn reach_system(&mut self, s: NodeIndex, level: Level, via: Via) -> bool {
        let levels = &mut self.s.systems[s.index()];
        if levels[slot(level)].is_some() {
            return false;
        }
        if levels.iter().all(Option::is_none) {
            self.s.touched_systems.push(s.index());
        }
        levels[slot(level)] = Some(via);
        true
    }

    fn run(&mut self, mut queue: VecDeque<State>) {
        while let Some(state) = queue.pop_front() {
            match state {
                State::Identity(i) => {
                    for (s, level) in self.g.access(i) {
                        if self.reach_system(s, level, Via::Access(i)) {
                            queue.push_back(State::System(s, level));
                        }
                    }
                }
                State::System(s, level) => {
                    if self.s.expanded[s.index()] || !controls(self.g.graph[s].system_type(), level)
                    {
                        continue;
                    }
                    self.s.expanded[s.index()] = true;
                    for (j, edge) in self.g.yields(s) {
                        if self.reach_identity(j, Via::Yield(s, level, edge)) {
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
        while let Some(Via::Yield(s, level, edge)) = self.s.identities[i.index()] {
            steps.push(Step {
                from: self.id(s),
                to: self.id(i),
                edge,
            });
            match self.s.systems[s.index()][slot(level)] {
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
        if let Some(Via::Access(p)) = self.s.systems[s.index()][slot(level)] {
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
        for &index in &self.s.touched_systems {
            let levels = &self.s.systems[index];
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
                criticality: node.criticality(),
                system_type: node.system_type(),
                controlled: LEVELS
                    .iter()
                    .any(|l| levels[slot(*l)].is_some() && controls(node.system_type(), *l)),
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
        for &index in &self.s.touched_identities {
            if index == self.root.index() {
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
