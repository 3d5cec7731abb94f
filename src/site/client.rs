//! The data the site's own JavaScript reads: the search index and the identity/system graph. Both are
//! written as JavaScript files that assign a global, so they load from `file://` too.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::index::Site;

/// `data/search.js`: one entry per identity, owner and system; hrefs relative to the site root.
pub fn search_index(site: &Site<'_>) -> Value {
    let mut entries = Vec::new();
    for d in &site.identity_pages {
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
        let href = site.identity_href(&i.id, "");
        entries.push(entry("identity", &i.id, &i.name, detail, href));
    }
    for d in &site.team_pages {
        let t = &d.item;
        let detail = [t.email.clone(), t.slack.clone()];
        entries.push(entry(
            "team",
            &t.id,
            &t.name,
            detail,
            site.owner_href(&t.id, ""),
        ));
    }
    for d in &site.person_pages {
        let p = &d.item;
        let detail = [p.email.clone(), p.team.clone()];
        entries.push(entry(
            "person",
            &p.id,
            &p.name,
            detail,
            site.owner_href(&p.id, ""),
        ));
    }
    for d in &site.system_pages {
        let s = &d.item;
        let detail = [
            s.kind.map(|k| k.to_string()),
            s.criticality.map(|c| c.to_string()),
            s.environment.map(|e| e.to_string()),
            s.vendor.clone(),
        ];
        let href = site.system_href(&s.id, "");
        entries.push(entry("system", &s.id, &s.name, detail, href));
    }
    Value::Array(entries)
}

/// One search entry: `[kind, id, name, details joined with " · ", href]`.
fn entry<const N: usize>(
    kind: &str,
    id: &str,
    name: &Option<String>,
    detail: [Option<String>; N],
    href: Option<String>,
) -> Value {
    let text = detail.into_iter().flatten().collect::<Vec<_>>().join(" · ");
    json!([kind, id, name.clone().unwrap_or_default(), text, href])
}

/// `data/graph.js`: nodes (identities, then systems) and edges by node index.
///
/// Edges follow the blast-radius model: identity → system for access (with the level), system → identity
/// for a credential stored in the system (`holds`) or a system using the identity (`runs`).
pub fn graph(site: &Site<'_>) -> Value {
    let mut nodes = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for d in &site.identity_pages {
        let i = &d.item;
        let score = site.score(&i.id);
        index.insert(("i", &i.id), nodes.len());
        nodes.push(json!({"id": i.id, "k": "i", "l": i.name.clone().unwrap_or_default(), "e": i.environment, "o": i.owner, "s": score, "u": site.identity_href(&i.id, "")}));
    }
    for d in &site.system_pages {
        let s = &d.item;
        index.insert(("s", &s.id), nodes.len());
        nodes.push(json!({"id": s.id, "k": "s", "l": s.name.clone().unwrap_or_default(), "e": s.environment, "c": s.criticality, "t": s.kind, "u": site.system_href(&s.id, "")}));
    }
    let mut edges = Vec::new();
    for d in &site.identity_pages {
        let i = &d.item;
        let Some(&from) = index.get(&("i", i.id.as_str())) else {
            continue;
        };
        // One access edge per system, at the highest level the identity's entries give.
        let mut access: std::collections::BTreeMap<&str, crate::model::Level> =
            std::collections::BTreeMap::new();
        for a in &i.access {
            let level = a.level.unwrap_or(crate::model::Level::Read);
            let entry = access.entry(a.system.as_str()).or_insert(level);
            *entry = (*entry).max(level);
        }
        for (system, level) in access {
            if let Some(&to) = index.get(&("s", system)) {
                edges.push(json!([from, to, "access", level]));
            }
        }
        for (ids, kind) in [(&i.credential.stores, "holds"), (&i.used_by, "runs")] {
            let mut seen = std::collections::BTreeSet::new();
            for s in ids.iter().filter(|s| seen.insert(s.as_str())) {
                if let Some(&sys) = index.get(&("s", s.as_str())) {
                    edges.push(json!([sys, from, kind, null]));
                }
            }
        }
    }
    json!({"nodes": nodes, "edges": edges})
}
