//! The blast radius of every identity at once, near-linear in practice.
//!
//! What an identity reaches is its own access plus, for every system it controls, the closure of that
//! system: the identities the system gives up, their access, and the closures of the systems *they*
//! control. Closures are shared between identities, so they are computed once, on the *control graph*:
//! controllable systems → the controlling identities they give up → the systems those control. Its
//! strongly connected components (cycles: a credential stored where it is admin) share one closure, and
//! the condensation is processed children first, each closure the union of its own elements and its
//! children's closures. Closures are bit sets over one universe (systems ordered by criticality, then
//! identities), computed a slice of the universe at a time so memory stays bounded (`BUDGET_WORDS`).
//! Identities that control nothing need no bit set at all.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use super::{controls, Edge, Graph, Summary};
use crate::model::Criticality;

/// At most this many 64-bit words of closures are held at once (32 MiB).
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
    /// Per identity: (system offset, whether the access controls it).
    access: Vec<Vec<(u32, bool)>>,
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
        let mut access = vec![Vec::new(); identities];
        let mut yields = vec![Vec::new(); systems];
        for e in g.graph.raw_edges() {
            let (from, to) = (e.source().index(), e.target().index());
            match e.weight {
                Edge::Access(level) => {
                    let control = controls(g.graph[e.target()].system_type, level);
                    access[from].push(((to - identities) as u32, control));
                }
                Edge::Holds | Edge::Runs => yields[from - identities].push(to as u32),
            }
        }
        for y in &mut yields {
            y.sort_unstable();
            y.dedup();
        }
        let class = |s: usize| {
            CLASSES
                .iter()
                .position(|c| *c == g.graph[NodeIndex::new(identities + s)].criticality)
                .unwrap_or(4)
        };
        let mut system_at: Vec<u32> = (0..systems as u32).collect();
        let id = |s: u32| &g.graph[NodeIndex::new(identities + s as usize)].id;
        system_at.sort_by(|a, b| {
            class(*a as usize)
                .cmp(&class(*b as usize))
                .then_with(|| id(*a).cmp(id(*b)))
        });
        let mut position = vec![0u32; systems];
        let mut class_end = [0usize; 5];
        for (pos, s) in system_at.iter().enumerate() {
            position[*s as usize] = pos as u32;
            class_end[class(*s as usize)] = pos + 1;
        }
        for c in 1..5 {
            class_end[c] = class_end[c].max(class_end[c - 1]);
        }
        Compact {
            identities,
            access,
            yields,
            position,
            system_at,
            class_end,
        }
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
        for list in &c.access {
            for &(s, control) in list {
                controllable[s as usize] |= control;
            }
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
                controller[j as usize] = c.access[j as usize].iter().any(|a| a.1);
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
            for &(s, control) in &c.access[j] {
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
        let mut elements = Vec::with_capacity(components.len());
        let mut children = Vec::with_capacity(components.len());
        for (k, members) in components.iter().enumerate() {
            let mut own = Vec::new();
            let mut kids: Vec<u32> = Vec::new();
            for n in members {
                let (is_system, x) = owner[n.index()];
                if is_system {
                    for &j in &c.yields[x as usize] {
                        own.push((c.systems() + j as usize) as u32);
                        if identity_node[j as usize] == NONE {
                            own.extend(
                                c.access[j as usize]
                                    .iter()
                                    .map(|a| c.position[a.0 as usize]),
                            );
                        }
                    }
                } else {
                    own.push((c.systems() + x as usize) as u32);
                    own.extend(
                        c.access[x as usize]
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
            elements.push(own);
            children.push(kids);
        }
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

/// One identity's running totals across universe slices.
#[derive(Clone, Default)]
struct Acc {
    classes: [u32; 5],
    identities: u32,
    sample: Vec<u32>,
}

/// The summaries of every identity, in node order.
pub(super) fn all(g: &Graph) -> Vec<Summary> {
    all_within(g, BUDGET_WORDS)
}

/// As [`all`], holding at most about `budget` words of closures at once.
pub(super) fn all_within(g: &Graph, budget: usize) -> Vec<Summary> {
    let c = Compact::new(g);
    let closures = Closures::new(&c);
    // Per identity: the components of the systems it controls.
    let roots: Vec<Vec<u32>> = c
        .access
        .iter()
        .map(|list| {
            let mut comps: Vec<u32> = list
                .iter()
                .filter(|a| a.1)
                .map(|a| closures.system_comp[a.0 as usize])
                .collect();
            comps.sort_unstable();
            comps.dedup();
            comps
        })
        .collect();
    let mut accs: Vec<Acc> = vec![Acc::default(); c.identities];
    accs.par_iter_mut()
        .enumerate()
        .filter(|(i, _)| roots[*i].is_empty())
        .for_each(|(i, acc)| {
            let mut positions: Vec<u32> = c.access[i]
                .iter()
                .map(|a| c.position[a.0 as usize])
                .collect();
            positions.sort_unstable();
            for p in positions {
                count(&c, acc, p as usize);
            }
        });
    slices(&c, &closures, &roots, &mut accs, budget);
    accs.into_iter()
        .enumerate()
        .map(|(i, acc)| summary(g, &c, i, acc))
        .collect()
}

/// Counts universe element `p` (a system position) into `acc`.
fn count(c: &Compact, acc: &mut Acc, p: usize) {
    let class = c.class_end.iter().position(|end| p < *end).unwrap_or(4);
    acc.classes[class] += 1;
    if class == 0 && acc.sample.len() < CRITICAL_SAMPLE {
        acc.sample.push(c.system_at[p]);
    }
}

/// Computes the closures one slice of the universe at a time and adds each identity's share.
fn slices(c: &Compact, closures: &Closures, roots: &[Vec<u32>], accs: &mut [Acc], budget: usize) {
    let comps = closures.elements.len();
    if comps == 0 {
        return;
    }
    let total = c.universe().div_ceil(64);
    let words = (budget / comps).clamp(8, total.max(8));
    let mut bits = vec![0u64; comps * words];
    let mut tmp = vec![0u64; words];
    for first in (0..total).step_by(words) {
        let lo = first * 64;
        let hi = lo + words * 64;
        for k in 0..comps {
            tmp.fill(0);
            for &e in &closures.elements[k] {
                set(&mut tmp, lo, hi, e as usize);
            }
            for &kid in &closures.children[k] {
                or(&mut tmp, &bits[kid as usize * words..][..words]);
            }
            bits[k * words..][..words].copy_from_slice(&tmp);
        }
        let bits = &bits;
        accs.par_iter_mut()
            .enumerate()
            .filter(|(i, _)| !roots[*i].is_empty())
            .for_each_init(
                || vec![0u64; words],
                |scratch, (i, acc)| {
                    scratch.fill(0);
                    for &k in &roots[i] {
                        or(scratch, &bits[k as usize * words..][..words]);
                    }
                    for a in &c.access[i] {
                        set(scratch, lo, hi, c.position[a.0 as usize] as usize);
                    }
                    let own = c.systems() + i;
                    if (lo..hi).contains(&own) {
                        scratch[(own - lo) / 64] &= !(1u64 << ((own - lo) % 64));
                    }
                    tally(c, scratch, lo, acc);
                },
            );
    }
}

fn set(bits: &mut [u64], lo: usize, hi: usize, e: usize) {
    if (lo..hi).contains(&e) {
        bits[(e - lo) / 64] |= 1u64 << ((e - lo) % 64);
    }
}

fn or(into: &mut [u64], from: &[u64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a |= *b;
    }
}

/// Adds the members of `bits` (the slice starting at universe position `lo`) to `acc`, class by class.
fn tally(c: &Compact, bits: &[u64], lo: usize, acc: &mut Acc) {
    let mut start = 0;
    for (class, &end) in c.class_end.iter().enumerate() {
        acc.classes[class] += count_range(bits, lo, start, end) as u32;
        if class == 0 && acc.sample.len() < CRITICAL_SAMPLE {
            for p in members(bits, lo, start, end) {
                if acc.sample.len() == CRITICAL_SAMPLE {
                    break;
                }
                acc.sample.push(c.system_at[p]);
            }
        }
        start = end;
    }
    acc.identities += count_range(bits, lo, c.systems(), c.universe()) as u32;
}

/// How many members of universe range `[from, to)` are set in the slice `bits` starting at `lo`.
fn count_range(bits: &[u64], lo: usize, from: usize, to: usize) -> usize {
    let hi = lo + bits.len() * 64;
    let (from, to) = (from.max(lo), to.min(hi));
    if from >= to {
        return 0;
    }
    let (a, b) = (from - lo, to - lo);
    let (wa, wb) = (a / 64, (b - 1) / 64);
    let mask_a = !0u64 << (a % 64);
    let mask_b = !0u64 >> (63 - (b - 1) % 64);
    if wa == wb {
        return (bits[wa] & mask_a & mask_b).count_ones() as usize;
    }
    let middle: u32 = bits[wa + 1..wb].iter().map(|w| w.count_ones()).sum();
    (bits[wa] & mask_a).count_ones() as usize
        + middle as usize
        + (bits[wb] & mask_b).count_ones() as usize
}

/// The members of universe range `[from, to)` set in the slice `bits` starting at `lo`, in order.
fn members(bits: &[u64], lo: usize, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
    let hi = lo + bits.len() * 64;
    let (from, to) = (from.max(lo), to.min(hi).max(from.max(lo)));
    let words = if from < to {
        (from - lo) / 64..(to - lo).div_ceil(64)
    } else {
        0..0
    };
    words.flat_map(move |w| {
        let mut word = bits[w];
        std::iter::from_fn(move || {
            while word != 0 {
                let p = lo + w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                if (from..to).contains(&p) {
                    return Some(p);
                }
            }
            None
        })
    })
}

fn summary(g: &Graph, c: &Compact, i: usize, acc: Acc) -> Summary {
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
        critical_systems: acc.sample.into_iter().map(name).collect(),
    }
}
