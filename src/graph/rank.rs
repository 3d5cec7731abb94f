//! The blast radius of every identity at once, near-linear in practice.
//!
//! What an identity reaches is its own access plus, for every system it controls, the closure of that
//! system: the identities the system gives up, their access, and the closures of the systems *they*
//! control. Closures are shared between identities, so they are computed once, on the *control graph*:
//! controllable systems → the controlling identities they give up → the systems those control. Its
//! strongly connected components (cycles: a credential stored where it is admin) share one closure, and
//! the condensation is processed children first, each closure the union of its own elements and its
//! children's closures, over one universe (systems ordered by criticality, then identities).
//!
//! Closures nest: whatever reaches the big vault cycle reaches everything it holds. So a closure is kept
//! as the closure of its largest child plus the sorted elements it adds (`Closure`), and only a closure
//! that adds many becomes a bit set, an *anchor*, for the closures above it to build on (at most
//! `BUDGET_WORDS` words of them). A union then costs what it adds, not the size of the universe; an
//! identity's radius is the closure of the systems it controls plus what its own access adds, each class
//! counted from the sorted additions (binary searches), never by scanning a bit set per identity.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use super::{controls, Edge, Graph, Summary};
use crate::model::Criticality;

/// At most this many 64-bit words of anchor bit sets are held at once (32 MiB).
pub(super) const BUDGET_WORDS: usize = 1 << 22;
/// `Summary::critical_systems` names at most this many.
pub const CRITICAL_SAMPLE: usize = 10;
const NONE: u32 = u32::MAX;

/// Criticality classes in universe order: critical, high, medium, low, none.
const CLASSES: [Option<Criticality>; 5] = [
    Some(Criticality::Critical),
    Some(Criticality::High),
    Some(Criticality::Medium),
    Some(Criticality::Low),
    None,
];

/// Compressed adjacency of the graph, by identity index and system offset.
struct Compact {
    identities: usize,
    /// Identity `i`'s access is `access[access_at[i]..access_at[i + 1]]`: (system offset, whether the
    /// access controls it).
    access_at: Vec<usize>,
    access: Vec<(u32, bool)>,
    /// Per system: the identities it gives up, without repeats.
    yields: Vec<Vec<u32>>,
    /// Universe position of each system; systems sit before identities.
    position: Vec<u32>,
    /// Universe position → system offset.
    system_at: Vec<u32>,
    /// End of each criticality class in the universe.
    class_end: [usize; 5],
}

impl Compact {
    fn new(g: &Graph) -> Compact {
        let identities = g.identities;
        let systems = g.graph.node_count() - identities;
        let system = |s: usize| &g.graph[NodeIndex::new(identities + s)];
        let kinds: Vec<_> = (0..systems).map(|s| system(s).system_type()).collect();
        let mut access_at = vec![0usize; identities + 1];
        let mut yields = vec![Vec::new(); systems];
        for e in g.graph.raw_edges() {
            match e.weight {
                Edge::Access(_) => access_at[e.source().index() + 1] += 1,
                Edge::Holds | Edge::Runs => {
                    yields[e.source().index() - identities].push(e.target().index() as u32)
                }
            }
        }
        for i in 0..identities {
            access_at[i + 1] += access_at[i];
        }
        let mut access = vec![(0u32, false); access_at[identities]];
        let mut next = access_at.clone();
        for e in g.graph.raw_edges() {
            if let Edge::Access(level) = e.weight {
                let (from, to) = (e.source().index(), e.target().index() - identities);
                access[next[from]] = (to as u32, controls(kinds[to], level));
                next[from] += 1;
            }
        }
        for y in &mut yields {
            y.sort_unstable();
            y.dedup();
        }
        let class: Vec<usize> = (0..systems)
            .map(|s| {
                let criticality = system(s).criticality();
                CLASSES.iter().position(|c| *c == criticality).unwrap_or(4)
            })
            .collect();
        let mut system_at: Vec<u32> = (0..systems as u32).collect();
        system_at.sort_by(|a, b| {
            let (a, b) = (*a as usize, *b as usize);
            class[a]
                .cmp(&class[b])
                .then_with(|| system(a).id.cmp(&system(b).id))
        });
        let mut position = vec![0u32; systems];
        let mut class_end = [0usize; 5];
        for (pos, s) in system_at.iter().enumerate() {
            position[*s as usize] = pos as u32;
            class_end[class[*s as usize]] = pos + 1;
        }
        for c in 1..5 {
            class_end[c] = class_end[c].max(class_end[c - 1]);
        }
        Compact {
            identities,
            access_at,
            access,
            yields,
            position,
            system_at,
            class_end,
        }
    }

    /// The access of identity `i`.
    fn access(&self, i: usize) -> &[(u32, bool)] {
        &self.access[self.access_at[i]..self.access_at[i + 1]]
    }

    fn systems(&self) -> usize {
        self.position.len()
    }

    fn universe(&self) -> usize {
        self.systems() + self.identities
    }
}

/// The control graph condensed: components in dependency order (children first), with their elements.
struct Closures {
    /// Component of each controllable system (by offset), or NONE.
    system_comp: Vec<u32>,
    /// Per component: its own universe elements, and its child components.
    elements: Vec<Vec<u32>>,
    children: Vec<Vec<u32>>,
}

impl Closures {
    fn new(c: &Compact) -> Closures {
        let systems = c.systems();
        let mut controllable = vec![false; systems];
        for &(s, control) in &c.access {
            controllable[s as usize] |= control;
        }
        // Nodes: controllable systems, then identities that control something and are given up by one.
        let mut graph: DiGraph<(), ()> = DiGraph::new();
        let mut system_node = vec![NONE; systems];
        let mut identity_node = vec![NONE; c.identities];
        let mut owner: Vec<(bool, u32)> = Vec::new();
        let mut controller = vec![false; c.identities];
        for s in (0..systems).filter(|s| controllable[*s]) {
            system_node[s] = graph.add_node(()).index() as u32;
            owner.push((true, s as u32));
            for &j in &c.yields[s] {
                controller[j as usize] = c.access(j as usize).iter().any(|a| a.1);
            }
        }
        for j in (0..c.identities).filter(|j| controller[*j]) {
            identity_node[j] = graph.add_node(()).index() as u32;
            owner.push((false, j as u32));
        }
        for s in (0..systems).filter(|s| controllable[*s]) {
            for &j in &c.yields[s] {
                if identity_node[j as usize] != NONE {
                    graph.add_edge(
                        NodeIndex::new(system_node[s] as usize),
                        NodeIndex::new(identity_node[j as usize] as usize),
                        (),
                    );
                }
            }
        }
        for (j, &node) in identity_node
            .iter()
            .enumerate()
            .filter(|(_, n)| **n != NONE)
        {
            for &(s, control) in c.access(j) {
                if control {
                    graph.add_edge(
                        NodeIndex::new(node as usize),
                        NodeIndex::new(system_node[s as usize] as usize),
                        (),
                    );
                }
            }
        }
        // kosaraju_scc is iterative (no recursion depth limit) and yields components children first.
        let components = kosaraju_scc(&graph);
        let mut comp_of = vec![0u32; graph.node_count()];
        for (k, members) in components.iter().enumerate() {
            for n in members {
                comp_of[n.index()] = k as u32;
            }
        }
        let (elements, children): (Vec<Vec<u32>>, Vec<Vec<u32>>) = components
            .par_iter()
            .enumerate()
            .map(|(k, members)| {
                let mut own = Vec::new();
                let mut kids: Vec<u32> = Vec::new();
                for n in members {
                    let (is_system, x) = owner[n.index()];
                    if is_system {
                        for &j in &c.yields[x as usize] {
                            own.push((c.systems() + j as usize) as u32);
                            if identity_node[j as usize] == NONE {
                                own.extend(
                                    c.access(j as usize)
                                        .iter()
                                        .map(|a| c.position[a.0 as usize]),
                                );
                            }
                        }
                    } else {
                        own.push((c.systems() + x as usize) as u32);
                        own.extend(
                            c.access(x as usize)
                                .iter()
                                .map(|a| c.position[a.0 as usize]),
                        );
                    }
                    kids.extend(
                        graph
                            .neighbors(*n)
                            .map(|m| comp_of[m.index()])
                            .filter(|m| *m as usize != k),
                    );
                }
                own.sort_unstable();
                own.dedup();
                kids.sort_unstable();
                kids.dedup();
                debug_assert!(
                    kids.iter().all(|kid| (*kid as usize) < k),
                    "components must come children first"
                );
                (own, kids)
            })
            .unzip();
        let system_comp = system_node
            .iter()
            .map(|n| {
                if *n == NONE {
                    NONE
                } else {
                    comp_of[*n as usize]
                }
            })
            .collect();
        Closures {
            system_comp,
            elements,
            children,
        }
    }
}

/// What a set of universe elements holds: systems per criticality class, identities, and the first
/// critical systems (universe positions, ascending, at most [`CRITICAL_SAMPLE`]).
#[derive(Clone, Default)]
struct Tally {
    classes: [u32; 5],
    identities: u32,
    sample: Vec<u32>,
}

impl Tally {
    fn size(&self) -> u32 {
        self.classes.iter().sum::<u32>() + self.identities
    }

    /// Adds `elements`: sorted, without repeats, none of them counted already.
    fn add(&mut self, c: &Compact, elements: &[u32]) {
        let before = |end: usize| elements.partition_point(|e| (*e as usize) < end) as u32;
        let mut start = 0;
        for (class, &end) in c.class_end.iter().enumerate() {
            let upto = before(end);
            self.classes[class] += upto - start;
            start = upto;
        }
        self.identities += elements.len() as u32 - before(c.systems());
        let critical = before(c.class_end[0]) as usize;
        if critical > 0 {
            self.sample
                .extend(elements[..critical].iter().take(CRITICAL_SAMPLE));
            self.sample.sort_unstable();
            self.sample.truncate(CRITICAL_SAMPLE);
        }
    }
}

/// A closure: every element of an anchor's bit set (if it has one), plus `extra`, sorted, none of them in
/// the anchor's set.
struct Closure {
    base: Option<u32>,
    extra: Vec<u32>,
    tally: Tally,
}

/// The empty closure.
static EMPTY: Closure = Closure {
    base: None,
    extra: Vec::new(),
    tally: Tally {
        classes: [0; 5],
        identities: 0,
        sample: Vec::new(),
    },
};

/// The closures held as bit sets over the whole universe. Most closures are an anchor plus a few elements:
/// in a real registry the big closures nest (everything that reaches the vault cycle reaches all it holds).
struct Anchors {
    words: usize,
    /// At most this many anchors (the memory budget).
    max: usize,
    /// A closure with more extra elements than this becomes an anchor, while the budget allows.
    threshold: usize,
    bits: Vec<Vec<u64>>,
}

impl Anchors {
    fn new(c: &Compact, budget: usize) -> Anchors {
        let words = c.universe().div_ceil(64).max(1);
        Anchors {
            words,
            max: budget / words,
            threshold: words,
            bits: Vec::new(),
        }
    }

    fn has(&self, base: Option<u32>, e: u32) -> bool {
        base.is_some_and(|b| self.bits[b as usize][e as usize / 64] & (1 << (e % 64)) != 0)
    }

    fn contains(&self, closure: &Closure, e: u32) -> bool {
        self.has(closure.base, e) || closure.extra.binary_search(&e).is_ok()
    }

    /// The elements of `own` and of the closures `others` that `heavy` lacks: sorted, without repeats.
    fn beyond<'b>(
        &self,
        heavy: &Closure,
        own: &[u32],
        others: impl Iterator<Item = &'b Closure>,
    ) -> Vec<u32> {
        let lacks = |e: &u32| !self.contains(heavy, *e);
        let mut new: Vec<u32> = own.iter().copied().filter(lacks).collect();
        for other in others {
            if let Some(b) = other.base.filter(|_| other.base != heavy.base) {
                for (w, &word) in self.bits[b as usize].iter().enumerate() {
                    let mut word = match heavy.base {
                        Some(a) => word & !self.bits[a as usize][w],
                        None => word,
                    };
                    while word != 0 {
                        let e = (w * 64) as u32 + word.trailing_zeros();
                        word &= word - 1;
                        if heavy.extra.binary_search(&e).is_err() {
                            new.push(e);
                        }
                    }
                }
            }
            new.extend(other.extra.iter().copied().filter(lacks));
        }
        new.sort_unstable();
        new.dedup();
        new
    }

    /// The union of `own` elements and the closures `kids`, relative to the largest of them: that closure,
    /// the elements the rest adds (sorted), and the union's tally.
    fn union<'a>(
        &self,
        c: &Compact,
        own: &[u32],
        kids: &[u32],
        closures: &'a [Closure],
    ) -> (&'a Closure, Vec<u32>, Tally) {
        let heavy = kids
            .iter()
            .copied()
            .max_by_key(|k| closures[*k as usize].tally.size());
        let others = kids
            .iter()
            .filter(|k| Some(**k) != heavy)
            .map(|k| &closures[*k as usize]);
        let new = self.beyond(heavy.map_or(&EMPTY, |k| &closures[k as usize]), own, others);
        let heavy = heavy.map_or(&EMPTY, |k| &closures[k as usize]);
        let mut tally = heavy.tally.clone();
        tally.add(c, &new);
        (heavy, new, tally)
    }

    /// Makes `closure` an anchor when its extra elements outgrow the threshold and the budget allows.
    fn settle(&mut self, closure: &mut Closure) {
        if closure.extra.len() <= self.threshold || self.bits.len() >= self.max {
            return;
        }
        let mut bits = match closure.base {
            Some(b) => self.bits[b as usize].clone(),
            None => vec![0; self.words],
        };
        for e in std::mem::take(&mut closure.extra) {
            bits[e as usize / 64] |= 1 << (e % 64);
        }
        closure.base = Some(self.bits.len() as u32);
        self.bits.push(bits);
    }
}

/// Merges two sorted lists without common elements.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The closure of every component, children first.
fn component_closures(c: &Compact, closures: Closures, anchors: &mut Anchors) -> Vec<Closure> {
    let mut out: Vec<Closure> = Vec::with_capacity(closures.elements.len());
    for (own, kids) in closures.elements.into_iter().zip(&closures.children) {
        let (heavy, new, tally) = anchors.union(c, &own, kids, &out);
        let mut closure = Closure {
            base: heavy.base,
            extra: merge(&heavy.extra, &new),
            tally,
        };
        anchors.settle(&mut closure);
        out.push(closure);
    }
    out
}

/// The summaries of every identity, in node order.
pub(super) fn all(g: &Graph) -> Vec<Summary> {
    all_within(g, BUDGET_WORDS)
}

/// As [`all`], holding at most about `budget` words of closure bit sets at once.
pub(super) fn all_within(g: &Graph, budget: usize) -> Vec<Summary> {
    let c = Compact::new(g);
    let closures = Closures::new(&c);
    // Per identity: the components of the systems it controls.
    let roots: Vec<Vec<u32>> = (0..c.identities)
        .map(|i| {
            let mut comps: Vec<u32> = c
                .access(i)
                .iter()
                .filter(|a| a.1)
                .map(|a| closures.system_comp[a.0 as usize])
                .collect();
            comps.sort_unstable();
            comps.dedup();
            comps
        })
        .collect();
    let mut anchors = Anchors::new(&c, budget);
    let comps = component_closures(&c, closures, &mut anchors);
    (0..c.identities)
        .into_par_iter()
        .map(|i| {
            let mut positions: Vec<u32> = c
                .access(i)
                .iter()
                .map(|a| c.position[a.0 as usize])
                .collect();
            positions.sort_unstable();
            // A root whose closure holds the identity reaches all its roots, so is (one of) the largest.
            let (heavy, _, mut tally) = anchors.union(&c, &positions, &roots[i], &comps);
            if anchors.contains(heavy, (c.systems() + i) as u32) {
                tally.identities -= 1;
            }
            summary(g, &c, i, tally)
        })
        .collect()
}

fn summary(g: &Graph, c: &Compact, i: usize, acc: Tally) -> Summary {
    let weights = CLASSES.map(|class| class.map_or(0, Criticality::weight));
    let score = acc.classes.iter().zip(weights).map(|(n, w)| n * w).sum();
    let highest = CLASSES
        .iter()
        .zip(acc.classes)
        .find(|(_, n)| *n > 0)
        .and_then(|(class, _)| *class);
    let name = |s: u32| {
        g.graph[NodeIndex::new(c.identities + s as usize)]
            .id
            .clone()
    };
    Summary {
        identity: g.graph[NodeIndex::new(i)].id.clone(),
        score,
        systems: acc.classes.iter().sum::<u32>() as usize,
        critical: acc.classes[0] as usize,
        highest,
        identities: acc.identities as usize,
        critical_systems: acc
            .sample
            .into_iter()
            .map(|p| name(c.system_at[p as usize]))
            .collect(),
    }
}
