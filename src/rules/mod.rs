//! The rules: each a small function from the registry to findings. This module runs them all, applies the
//! policy's severities and the exceptions in force, and sorts the result.

pub mod blast;
pub use crate::catalogue;
pub mod deadline;
pub mod departure;
pub mod exceptions;
pub mod federation;
pub mod identity;
pub mod people;
pub mod references;
pub mod upcoming;

use foldhash::{HashMap, HashMapExt, HashSet};

use jiff::civil::Date;

use crate::finding::Finding;
use crate::graph::{Graph, Ranked, Summary};
use crate::model::Policy;
use crate::model::{Criticality, Doc, Identity, Person, Registry, System, Team};

/// What every rule needs: the registry, the day, and indexes by id (first document wins on duplicates).
pub struct Ctx<'r> {
    pub registry: &'r Registry,
    pub policy: &'r Policy,
    pub as_of: Date,
    pub identities: HashMap<&'r str, &'r Doc<Identity>>,
    pub teams: HashMap<&'r str, &'r Doc<Team>>,
    pub persons: HashMap<&'r str, &'r Doc<Person>>,
    pub systems: HashMap<&'r str, &'r Doc<System>>,
    /// Teams with at least one active Person naming them in `team`.
    pub staffed: HashSet<&'r str>,
    /// The highest criticality each identity reaches (by its blast radius when one is given).
    pub reach: HashMap<&'r str, Criticality>,
    /// Each identity's blast radius, once [`Ctx::with_graph`] has computed it.
    pub blast: HashMap<&'r str, Summary>,
}

impl<'r> Ctx<'r> {
    pub fn new(registry: &'r Registry, as_of: Date) -> Ctx<'r> {
        fn index<T>(docs: &[Doc<T>], id: impl Fn(&T) -> &str) -> HashMap<&str, &Doc<T>> {
            let mut map = HashMap::with_capacity(docs.len());
            for doc in docs {
                map.entry(id(&doc.item)).or_insert(doc);
            }
            map
        }
        let staffed = registry
            .persons
            .iter()
            .filter(|p| p.item.is_active())
            .filter_map(|p| p.item.team.as_deref())
            .collect();
        let mut ctx = Ctx {
            registry,
            policy: &registry.policy,
            as_of,
            identities: index(&registry.identities, |i| &i.id),
            teams: index(&registry.teams, |t| &t.id),
            persons: index(&registry.persons, |p| &p.id),
            systems: index(&registry.systems, |s| &s.id),
            staffed,
            reach: HashMap::new(),
            blast: HashMap::new(),
        };
        ctx.reach = ctx.direct_reach();
        ctx
    }

    /// The highest criticality among the systems each identity's access entries name.
    fn direct_reach(&self) -> HashMap<&'r str, Criticality> {
        let mut reach = HashMap::new();
        for doc in &self.registry.identities {
            let highest = doc
                .item
                .access
                .iter()
                .filter_map(|a| self.systems.get(a.system.as_str())?.item.criticality)
                .max();
            if let Some(c) = highest {
                reach.insert(doc.item.id.as_str(), c);
            }
        }
        reach
    }

    /// Takes each identity's reach from its blast radius in `graph` (section 6): the highest criticality
    /// among every system an attacker holding its credential reaches, not only those it names.
    pub fn with_graph(self, graph: &Graph) -> Ctx<'r> {
        self.with_ranking(&graph.all())
    }

    /// [`Ctx::with_graph`] from a ranking already made with `Graph::all`, for callers that keep it.
    pub fn with_ranking(mut self, ranking: &[Summary]) -> Ctx<'r> {
        self.reach.clear();
        for summary in ranking {
            let Some((&id, _)) = self.identities.get_key_value(summary.identity.as_str()) else {
                continue;
            };
            if let Some(highest) = summary.highest {
                self.reach.insert(id, highest);
            }
            // Only `blast-radius-critical` reads the summaries, and only past the threshold: keeping the rest
            // would cost hundreds of bytes per identity in large registries.
            if summary.critical > self.policy.max_critical_reach as usize {
                self.blast.insert(id, summary.clone());
            }
        }
        self
    }

    /// The review period of an identity: by the highest criticality it reaches, else `review_days`.
    pub fn review_period(&self, identity: &Identity) -> u32 {
        self.policy
            .review_period(self.reach.get(identity.id.as_str()).copied())
    }

    /// Whether `id` names an owner (Team or Person).
    pub fn is_owner(&self, id: &str) -> bool {
        self.teams.contains_key(id) || self.persons.contains_key(id)
    }
}

/// Runs every rule over `registry` as of `as_of`, with `loaded` (the load findings) merged in, and returns
/// the findings with policy severities, waivers and a stable order.
/// Review periods follow each identity's blast radius.
pub fn check(registry: &Registry, loaded: Vec<Finding>, as_of: Date) -> Vec<Finding> {
    let (graph, ctx) = graph_and_ctx(registry, as_of);
    let ctx = crate::timings::phase("reach", || ctx.with_graph(&graph));
    check_with(&ctx, loaded)
}

/// [`check`], keeping the graph and the ranking it made, for a caller that needs them again (the site).
/// The ranking stays alive while the rules run, which `check` spares its other callers.
pub fn check_keeping(
    registry: &Registry,
    loaded: Vec<Finding>,
    as_of: Date,
) -> (Vec<Finding>, Ranked) {
    let (graph, ctx) = graph_and_ctx(registry, as_of);
    let (ctx, ranking) = crate::timings::phase("reach", || {
        let ranking = graph.all();
        (ctx.with_ranking(&ranking), ranking)
    });
    let findings = check_with(&ctx, loaded);
    (findings, Ranked { graph, ranking })
}

/// The graph and the rules' indexes, independent of each other: built side by side.
fn graph_and_ctx(registry: &Registry, as_of: Date) -> (Graph, Ctx<'_>) {
    crate::timings::phase("graph", || {
        rayon::join(|| Graph::build(registry), || Ctx::new(registry, as_of))
    })
}

/// As [`check`], with a prepared context (so callers can give it a blast-radius reach).
pub fn check_with(ctx: &Ctx<'_>, loaded: Vec<Finding>) -> Vec<Finding> {
    let mut findings = loaded;
    references::duplicate_ids(ctx, &mut findings);
    references::duplicate_external_ids(ctx, &mut findings);
    references::unknown_references(ctx, &mut findings);
    crate::timings::phase("identity", || identity::all(ctx, &mut findings));
    blast::rules(ctx, &mut findings);
    federation::rules(ctx, &mut findings);
    departure::rules(ctx, &mut findings);
    exceptions::rules(ctx, &mut findings);
    apply_policy(ctx.policy, &mut findings);
    let mut unused = exceptions::waive(ctx, &mut findings);
    apply_policy(ctx.policy, &mut unused);
    findings.extend(unused);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    findings
}

/// Sets each finding's severity from the policy, dropping rules turned `off`.
/// [`apply_policy`] for findings made after the rules ran (e.g. about a change), by value.
pub fn apply_policy_to(policy: &Policy, mut findings: Vec<Finding>) -> Vec<Finding> {
    apply_policy(policy, &mut findings);
    findings
}

fn apply_policy(policy: &Policy, findings: &mut Vec<Finding>) {
    findings.retain_mut(|f| match policy.severity(f.rule, f.rule.rule().default) {
        Some(severity) => {
            f.severity = severity;
            true
        }
        None => false,
    });
}
