//! The runbooks on the site: "If this leaks" on each identity page (the steps of `nhi leak`), the
//! offboarding view on each person page (the report of `nhi offboard`), and `runbooks.html`, the page of
//! playbook texts they link to.
//!
//! Pages stay small at scale: the blast radius comes from the page's own computation, long lists stop after
//! [`LIST`] links with a count of the rest, and the playbooks' paragraphs are written once, on
//! `runbooks.html`, rather than on every page. Text with `code spans` goes to templates as a list whose odd
//! items are code, so the templates escape every piece.

use serde_json::{json, Value};

use super::index::Site;
use super::pages::{insert, DEEP};
use crate::graph::Blast;
use crate::leak::{self, playbooks, Contact, Part, Step};
use crate::model::{Doc, Identity, Person};
use crate::offboard::{self, Reference};

/// The most links a list on a page shows before "and N more".
pub const LIST: usize = 10;

/// Text split at backquotes: even items are prose, odd items code.
fn spans(text: &str) -> Vec<&str> {
    text.split('`').collect()
}

/// Up to [`LIST`] of `items` as links (each with an optional note), and how many more there are of
/// `total`.
fn capped<'x, T: 'x + ?Sized>(
    items: impl IntoIterator<Item = &'x T>,
    total: usize,
    link: impl Fn(&T) -> (Value, Option<String>),
) -> Value {
    let shown: Vec<Value> = items
        .into_iter()
        .take(LIST)
        .map(|x| {
            let (link, note) = link(x);
            let mut item = json!({"note": note});
            insert(&mut item, [("link", link)]);
            item
        })
        .collect();
    let mut list = json!({"total": total, "more": total.saturating_sub(shown.len())});
    insert(&mut list, [("items", Value::Array(shown))]);
    list
}

fn contact(site: &Site<'_>, c: &Contact, root: &str) -> Value {
    json!({
        "who": site.owner_link(&c.id, root), "kind": c.kind, "name": c.name, "email": c.email,
        "slack": c.slack, "github": c.github, "active": c.active,
        "lead": c.lead.as_deref().map(|l| contact(site, l, root)),
    })
}

/// The anchor of a playbook text on `runbooks.html`.
fn how(key: &str, part: &str, root: &str) -> String {
    format!("{root}runbooks.html#{key}-{part}")
}

/// One step as the page shows it: its action, where the text of how to do it is, and the command that
/// records it.
fn step(action: &str, how: Option<String>, record: Option<&str>) -> Value {
    json!({"action": spans(action), "how": how, "record": record, "list": Value::Null})
}

/// "If this leaks" for an identity page. `full` is the blast radius the page computed (`None` when it
/// summarised a very large one, or when the identity reaches nobody else's credential).
pub fn identity(site: &Site<'_>, doc: &Doc<Identity>, full: Option<&Blast>) -> Value {
    let root = DEEP;
    let i = &doc.item;
    let exposed = full.map_or(&[][..], |b| b.identities.as_slice());
    let plan = leak::plan(&site.ctx, i, exposed);
    let key = plan.playbook.key;
    let total_exposed = site.summary(&i.id).map_or(exposed.len(), |s| s.identities);
    let mut steps: Vec<Value> = Vec::new();
    let group = |steps: &mut Vec<Value>, part: Part, members: &[&Step]| match part {
        Part::Consumer | Part::Person => {
            let (action, anchor) = if part == Part::Consumer {
                (
                    "Give the new credential to each consumer, most critical first",
                    "consumer",
                )
            } else {
                ("Take the secret away from the people who use it", "person")
            };
            let mut s = step(action, Some(how("consumers", anchor, root)), None);
            s["list"] = capped(members.iter().copied(), members.len(), |m| {
                let id = m.about.as_deref().unwrap_or_default();
                let critical = site.ctx.systems.get(id).and_then(|s| s.item.criticality);
                (site.any_link(id, root), critical.map(|c| c.to_string()))
            });
            steps.push(s);
        }
        Part::Exposed | Part::ExposedRest => {
            let action = format!(
                "Rotate the {} exposed with it, nearest first",
                crate::report::text::plural(total_exposed as i64, "identity", "identities")
            );
            let record = Some("nhi rotated ID");
            let mut s = step(&action, Some(how("consumers", "exposed", root)), record);
            s["list"] = capped(exposed, total_exposed, |r| {
                (site.identity_link(&r.id, root), None)
            });
            steps.push(s);
        }
        Part::Disable | Part::Create | Part::Retire | Part::Logs | Part::Decommission => {
            let anchor = match part {
                Part::Disable => Some("disable"),
                Part::Create => Some("create"),
                Part::Retire => plan.playbook.retire.map(|_| "retire"),
                Part::Logs => Some("logs"),
                _ => None,
            };
            for m in members {
                let link = anchor.map(|a| how(key, a, root));
                steps.push(step(&m.action, link, m.record.as_deref()));
            }
        }
    };
    let mut members: Vec<&Step> = Vec::new();
    for s in &plan.steps {
        let joins =
            |a: Part, b: Part| a == b || matches!((a, b), (Part::Exposed, Part::ExposedRest));
        if let Some(last) = members.last() {
            if !joins(last.part, s.part) {
                group(&mut steps, last.part, &members);
                members.clear();
            }
        }
        members.push(s);
    }
    if let Some(last) = members.last() {
        group(&mut steps, last.part, &members);
    }
    // A radius too large for the page is not searched for identities: say how many, and where to list them.
    if exposed.is_empty() && total_exposed > 0 {
        let action = format!(
            "Rotate the {} exposed with it: `nhi leak {}` lists them",
            crate::report::text::plural(total_exposed as i64, "identity", "identities"),
            i.id
        );
        let at = steps.len().saturating_sub(1);
        steps.insert(
            at,
            step(&action, Some(how("consumers", "exposed", root)), None),
        );
    }
    let stores = &i.credential.stores;
    let mut ctx = json!({
        "playbook": {"key": key, "title": plan.playbook.title, "href": format!("{root}runbooks.html#{key}")},
        "exposed": total_exposed,
        "last_rotated": i.last_rotation(),
    });
    let contact = |c: &Option<Contact>| c.as_ref().map_or(Value::Null, |c| contact(site, c, root));
    insert(
        &mut ctx,
        [
            ("owner", contact(&plan.owner)),
            ("contact", contact(&plan.contact)),
            (
                "stores",
                capped(stores, stores.len(), |s| (site.system_link(s, root), None)),
            ),
            ("steps", Value::Array(steps)),
        ],
    );
    ctx
}

/// The context of `runbooks.html`: every playbook's texts with their placeholders named, and the texts
/// shared by every runbook.
pub fn playbooks_page() -> Value {
    let text = |t: &str| {
        spans(&playbooks::unfilled(t))
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let rows: Vec<Value> = playbooks::PLAYBOOKS
        .iter()
        .map(|p| {
            json!({
                "key": p.key, "title": p.title,
                "disable": text(p.disable),
                "create": p.create.map(text),
                "retire": p.retire.map(text),
                "logs": text(p.logs),
            })
        })
        .collect();
    json!({
        "root": "",
        "title": "If a credential leaks",
        "playbooks": rows,
        "consumer": spans(leak::CONSUMER_DETAIL),
        "person": spans(leak::PERSON_DETAIL),
    })
}

/// How a reference's field reads in a sentence, and whether the page already lists those documents.
fn field_label(field: &str) -> (&'static str, Option<&'static str>) {
    match field {
        "owner" => ("Owner of", Some("#h-owned")),
        "contact" => ("Technical contact for", Some("#h-contact")),
        "used_by" => ("Uses the credential of", None),
        "review.by" => ("Made the latest review of", None),
        "lead" => ("Lead of", None),
        "requested_by" => ("Requested", None),
        _ => ("Approved", None),
    }
}

/// "3 identities", "1 team", … for a count of documents of `kind`.
fn count(n: usize, kind: &str) -> String {
    let (one, many) = match kind {
        "Identity" => ("identity", "identities"),
        "System" => ("system", "systems"),
        "Team" => ("team", "teams"),
        _ => ("exception", "exceptions"),
    };
    crate::report::text::plural(n as i64, one, many)
}

fn reference_link(site: &Site<'_>, r: &Reference, root: &str) -> Value {
    match r.kind {
        "Identity" => site.identity_link(&r.id, root),
        "System" => site.system_link(&r.id, root),
        "Team" => site.owner_link(&r.id, root),
        _ => Site::link(&r.id, site.exception_href(&r.id, root)),
    }
}

/// The offboarding view of a person page: what follows from their leaving, as `nhi offboard` reports it.
pub fn person(site: &Site<'_>, doc: &Doc<Person>) -> Value {
    let root = DEEP;
    let r = offboard::of(&site.ctx, &site.ownership, doc, None);
    // References by field (identities before systems for `owner`), each a capped list.
    let mut fields: Vec<((&str, &str), Vec<&Reference>)> = Vec::new();
    for x in &r.references {
        let key = (x.field, x.kind);
        match fields.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(x),
            None => fields.push((key, vec![x])),
        }
    }
    let order = [
        "owner",
        "contact",
        "used_by",
        "review.by",
        "lead",
        "requested_by",
        "approved_by",
    ];
    fields.sort_by_key(|((field, kind), _)| (order.iter().position(|f| f == field), *kind));
    let references: Vec<Value> = fields
        .iter()
        .map(|((field, kind), list)| {
            let (label, listed) = field_label(field);
            let listed = listed.filter(|_| *kind == "Identity");
            let mut v = capped(list.iter().copied(), list.len(), |x| {
                (reference_link(site, x, root), None)
            });
            v["label"] = json!(format!("{label} {}", count(list.len(), kind)));
            v["listed"] = json!(listed);
            v
        })
        .collect();
    // Orphans by why (the same few reasons for every identity).
    let mut orphaned: Vec<(&str, Vec<&offboard::Affected>)> = Vec::new();
    for a in &r.orphaned {
        match orphaned.iter_mut().find(|(why, _)| *why == a.why) {
            Some((_, list)) => list.push(a),
            None => orphaned.push((&a.why, vec![a])),
        }
    }
    let orphaned: Vec<Value> = orphaned
        .iter()
        .map(|(why, list)| {
            let mut v = capped(list.iter().copied(), list.len(), |a| {
                (site.identity_link(&a.id, root), None)
            });
            v["why"] = json!(spans(why));
            v
        })
        .collect();
    json!({
        "active": r.person.active,
        "references": references,
        "reference_count": r.references.len(),
        "orphaned": orphaned,
        "orphaned_count": r.orphaned.len(),
        "unstaffed": r.unstaffed_teams.iter().map(|t| site.owner_link(&t.id, root)).collect::<Vec<_>>(),
        "exceptions": r.exceptions.iter().map(|e| json!({
            "link": Site::link(&e.id, site.exception_href(&e.id, root)), "why": spans(&e.why),
        })).collect::<Vec<_>>(),
        "rotate": capped(&r.rotate, r.rotate.len(), |c| (site.identity_link(&c.id, root), None)),
    })
}
