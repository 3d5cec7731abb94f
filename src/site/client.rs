//! The data the site's own JavaScript reads: the search index and the identity/system graph. Both are
//! written as JavaScript files that assign a global, so they load from `file://` too. Each is serialised
//! entry by entry as it is written ([`data::js_data`](super::data::js_data)), never held as a JSON tree: at
//! a million identities the trees took gigabytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use super::index::Site;
use crate::model::{Criticality, Environment, Level, SystemType};

/// `data/search.js`: one entry per identity, owner and system, each of which has its page (the script makes
/// its href from the kind and the id: 7 MB fewer at 100,000 identities).
pub struct SearchIndex<'s, 'a>(pub &'s Site<'a>);

impl Serialize for SearchIndex<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let site = self.0;
        let identities = site.identity_pages.iter().map(|d| {
            let i = &d.item;
            let detail = [
                i.kind.map(|k| k.to_string()),
                i.environment.map(|e| e.to_string()),
                i.owner.clone(),
                i.system_of_record.clone(),
                i.external_id.clone(),
                i.vendor.clone(),
                (!i.tags.is_empty()).then(|| i.tags.join(" ")),
            ];
            entry("identity", &i.id, &i.name, detail)
        });
        let teams = site.team_pages.iter().map(|d| {
            let t = &d.item;
            let detail = [t.email.clone(), t.slack.clone()];
            entry("team", &t.id, &t.name, detail)
        });
        let persons = site.person_pages.iter().map(|d| {
            let p = &d.item;
            let detail = [p.email.clone(), p.team.clone()];
            entry("person", &p.id, &p.name, detail)
        });
        let systems = site.system_pages.iter().map(|d| {
            let s = &d.item;
            let detail = [
                s.kind.map(|k| k.to_string()),
                s.criticality.map(|c| c.to_string()),
                s.environment.map(|e| e.to_string()),
                s.vendor.clone(),
            ];
            entry("system", &s.id, &s.name, detail)
        });
        s.collect_seq(identities.chain(teams).chain(persons).chain(systems))
    }
}

/// One search entry: `[kind, id, name, details joined with " · "]`.
type Entry<'a> = (&'static str, &'a str, &'a str, String);

fn entry<'a, const N: usize>(
    kind: &'static str,
    id: &'a str,
    name: &'a Option<String>,
    detail: [Option<String>; N],
) -> Entry<'a> {
    let text = detail.into_iter().flatten().collect::<Vec<_>>().join(" · ");
    (kind, id, name.as_deref().unwrap_or_default(), text)
}

/// `data/graph.js`: nodes (identities, then systems) and edges by node index.
///
/// Edges follow the blast-radius model: identity → system for access (with the level), system → identity
/// for a credential stored in the system (`holds`) or a system using the identity (`runs`).
pub struct GraphData<'s, 'a> {
    site: &'s Site<'a>,
    /// The node index of each system (identities are numbered first, in page order).
    systems: HashMap<&'a str, usize>,
}

impl<'s, 'a> GraphData<'s, 'a> {
    pub fn new(site: &'s Site<'a>) -> Self {
        let first = site.identity_pages.len();
        let systems = site
            .system_pages
            .iter()
            .enumerate()
            .map(|(n, d)| (d.item.id.as_str(), first + n))
            .collect();
        GraphData { site, systems }
    }
}

impl Serialize for GraphData<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut graph = s.serialize_struct("Graph", 2)?;
        graph.serialize_field("nodes", &Nodes(self.site))?;
        graph.serialize_field("edges", &Edges(self))?;
        graph.end()
    }
}

struct Nodes<'s, 'a>(&'s Site<'a>);

/// A node: an identity (`k: "i"`, with its owner `o` and blast score `s`) or a system (`k: "s"`, with its
/// criticality `c` and kind `t`); `l` the name, `e` the environment. Each has its page, whose href the
/// script makes from the kind and the id.
#[derive(serde::Serialize)]
struct Node<'a> {
    id: &'a str,
    k: &'static str,
    l: &'a str,
    e: Option<Environment>,
    #[serde(flatten)]
    of: Of<'a>,
}

impl<'a> Node<'a> {
    fn new(
        id: &'a str,
        k: &'static str,
        name: &'a Option<String>,
        e: Option<Environment>,
        of: Of<'a>,
    ) -> Self {
        let l = name.as_deref().unwrap_or_default();
        Node { id, k, l, e, of }
    }
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Of<'a> {
    Identity {
        o: &'a Option<String>,
        s: u32,
    },
    System {
        c: Option<Criticality>,
        t: Option<SystemType>,
    },
}

impl Serialize for Nodes<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let site = self.0;
        let identities = site.identity_pages.iter().map(|d| {
            let i = &d.item;
            let of = Of::Identity {
                o: &i.owner,
                s: site.score(&i.id),
            };
            Node::new(&i.id, "i", &i.name, i.environment, of)
        });
        let systems = site.system_pages.iter().map(|d| {
            let s = &d.item;
            let of = Of::System {
                c: s.criticality,
                t: s.kind,
            };
            Node::new(&s.id, "s", &s.name, s.environment, of)
        });
        s.collect_seq(identities.chain(systems))
    }
}

struct Edges<'g, 's, 'a>(&'g GraphData<'s, 'a>);

impl Serialize for Edges<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let systems = &self.0.systems;
        let mut edges = s.serialize_seq(None)?;
        for (from, d) in self.0.site.identity_pages.iter().enumerate() {
            let i = &d.item;
            // One access edge per system, at the highest level the identity's entries give.
            let mut access: BTreeMap<&str, Level> = BTreeMap::new();
            for a in &i.access {
                let level = a.level.unwrap_or(Level::Read);
                let entry = access.entry(a.system.as_str()).or_insert(level);
                *entry = (*entry).max(level);
            }
            for (system, level) in access {
                if let Some(&to) = systems.get(system) {
                    edges.serialize_element(&(from, to, "access", Some(level)))?;
                }
            }
            for (ids, kind) in [(&i.credential.stores, "holds"), (&i.used_by, "runs")] {
                let mut seen = BTreeSet::new();
                for s in ids.iter().filter(|s| seen.insert(s.as_str())) {
                    if let Some(&sys) = systems.get(s.as_str()) {
                        edges.serialize_element(&(sys, from, kind, None::<Level>))?;
                    }
                }
            }
        }
        edges.end()
    }
}
