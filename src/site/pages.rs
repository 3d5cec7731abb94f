//! The context of each entity page: an identity, an owner (team or person), a system. Values from the
//! registry go in as data; the templates escape them. Links are relative to the page.

use crate::catalogue::RuleId;
use serde_json::{json, Value};
use std::cmp::Reverse;

use super::index::Site;
use crate::due::{Item, What};
use crate::finding::Finding;
use crate::graph::Blast;
use crate::model::{Criticality, Doc, Identity, Person, System, Team};

/// Pages one folder below the site root.
pub const DEEP: &str = "../";

/// A link shown as a link only when it is an `http` or `https` URL; anything else is plain text.
pub fn web_link(label: &str, url: &str) -> Value {
    Site::link(label, is_web_url(url).then(|| url.to_string()))
}

/// `http://` or `https://` (any case), with no whitespace or control characters.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && url.len() > lower.find("//").map_or(0, |i| i + 2)
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Adds `fields` to the object `ctx`, moving each value in. (`json!` takes a `Value` or a `Vec<Value>` by
/// serializing it again, which copies it: for a page's lists of rows that was a tenth of its context.)
pub fn insert<const N: usize>(ctx: &mut Value, fields: [(&str, Value); N]) {
    if let Value::Object(map) = ctx {
        for (key, value) in fields {
            map.insert(key.to_string(), value);
        }
    }
}

fn severity_rank(f: &Finding) -> u8 {
    match (f.waived_by.is_some(), f.severity) {
        (true, _) => 3,
        (false, s) => s as u8,
    }
}

/// One finding for a table.
pub fn finding(site: &Site<'_>, f: &Finding, root: &str) -> Value {
    let rule = f.rule.rule();
    json!({
        "rank": severity_rank(f),
        "rule": Site::link(f.rule.as_str(), site.rule_href(f.rule.as_str(), root)),
        "severity": f.severity.as_str(),
        "waived_by": f.waived_by.as_deref().map(|w| Site::link(w, site.exception_href(w, root))),
        "kind": f.subject.kind,
        "subject": Site::link(&f.subject.id, site.subject_href(f.subject.kind, &f.subject.id, root)),
        "file": &*f.file,
        "line": f.pos.line.get(),
        "column": f.pos.column.get(),
        "message": f.message,
        "fix": rule.fix,
    })
}

/// Findings sorted for people: open errors first, then warnings, notices, waived; then by rule.
pub fn findings(site: &Site<'_>, list: &[&Finding], root: &str) -> Vec<Value> {
    let mut sorted = list.to_vec();
    sort_findings(&mut sorted);
    sorted.iter().map(|f| finding(site, f, root)).collect()
}

/// Findings in the order of the site's tables: open before waived, worst severity first, then by rule.
pub fn sort_findings(list: &mut [&Finding]) {
    list.sort_by(|a, b| {
        (severity_rank(a), a.rule, a.sort_key()).cmp(&(severity_rank(b), b.rule, b.sort_key()))
    });
}

/// One identity as a row of a table.
pub fn identity_row(site: &Site<'_>, doc: &Doc<Identity>, root: &str) -> Value {
    let i = &doc.item;
    let (open, waived, worst) = site.tally(&i.id);
    let score = site.score(&i.id);
    json!({
        "id": site.identity_link(&i.id, root),
        "name": i.name,
        "type": i.kind,
        "environment": i.environment,
        "status": i.status,
        "owner": i.owner.as_deref().map(|o| site.owner_link(o, root)),
        "open": open,
        "waived": waived,
        "worst": worst.map(|s| s.as_str()),
        "score": score,
    })
}

pub fn due_item(site: &Site<'_>, d: &Item, root: &str) -> Value {
    let subject = match d.what {
        What::ExceptionExpiry => Site::link(d.id(), site.exception_href(d.id(), root)),
        _ => site.identity_link(d.id(), root),
    };
    let date = d.deadline.day();
    json!({
        "date": date.map(|x| x.to_string()),
        "days": date.map(|x| site.days_until(x)),
        "what": d.what.label(),
        "class": d.what.class(),
        "subject": subject,
        "owner": d.owner.as_deref().map(|o| site.owner_link(o, root)),
        "command": d.command(None),
    })
}

/// The page of an identity; `full` is its blast radius from [`full_blast`].
pub fn identity(site: &Site<'_>, doc: &Doc<Identity>, full: Option<&Blast>) -> Value {
    let root = DEEP;
    let i = &doc.item;
    let c = &i.credential;
    let policy = site.ctx.policy;
    let rotation = c
        .rotation_days
        .map(|d| (d, "this identity"))
        .unwrap_or((policy.rotation_period(i.kind), "the policy"));
    let access: Vec<Value> = i
        .access
        .iter()
        .map(|a| {
            let system = site.ctx.systems.get(a.system.as_str()).map(|s| &s.item);
            json!({
                "system": site.system_link(&a.system, root),
                "level": a.level, "scope": a.scope, "justification": a.justification,
                "criticality": system.and_then(|s| s.criticality),
                "environment": system.and_then(|s| s.environment),
            })
        })
        .collect();
    let exceptions: Vec<Value> = crate::ownership::of(
        &site.ownership.exceptions_for,
        i.id.as_str(),
    )
    .iter()
    .map(|e| {
        json!({
            "id": Site::link(&e.item.id, site.exception_href(&e.item.id, root)),
            "rule": e.item.rule.as_deref().map(|r| Site::link(r, site.rule_href(r, root))),
            "expires": e.item.expires, "reason": e.item.reason, "in_force": site.in_force(&e.item),
        })
    })
    .collect();
    let due: Vec<Value> = site
        .due_of(&i.id)
        .map(|d| due_item(site, d, root))
        .collect();
    let links: Vec<Value> = i
        .links
        .iter()
        .map(|(k, v)| json!({"name": k, "link": web_link(v, v)}))
        .collect();
    let review = i.review.as_ref();
    // When each obligation falls due, and whether it is overdue (only active identities owe anything).
    let as_of = site.checked.as_of;
    let falls_due = |due: Option<crate::rules::upcoming::Due>| {
        due.filter(|_| i.is_active()).map(|d| {
            let left = d.days_left(as_of);
            json!({"day": d.day, "overdue": left < 0, "days": left.abs()})
        })
    };
    let rotation_due = falls_due(crate::rules::upcoming::rotation(&site.ctx, doc));
    let review_due = falls_due(crate::rules::upcoming::review(&site.ctx, i));
    let mut ctx = json!({
        "root": root,
        "title": i.name.clone().unwrap_or_else(|| i.id.clone()),
        "identity": {
            "id": i.id, "name": i.name, "type": i.kind, "purpose": i.purpose, "environment": i.environment,
            "status": i.status, "decommissioned_on": i.decommissioned_on, "external_id": i.external_id,
            "owner": i.owner.as_deref().map(|o| site.owner_link(o, root)),
            "owner_kind": i.owner.as_deref().map(|o| if site.ctx.teams.contains_key(o) { "team" } else if site.ctx.persons.contains_key(o) { "person" } else { "unknown" }),
            "contact": i.contact.as_deref().map(|p| site.owner_link(p, root)),
            "review_due": review_due,
            "system_of_record": i.system_of_record.as_deref().map(|s| site.system_link(s, root)),
            "credential": {
                "kind": c.kind, "created": c.created, "last_rotated": c.last_rotated, "expires": c.expires,
                "revoked_on": c.revoked_on, "rotation_days": rotation.0, "rotation_from": rotation.1,
                "rotation_due": rotation_due,
                "stores": c.stores.iter().map(|s| site.system_link(s, root)).collect::<Vec<_>>(),
            },
            "used_by": i.used_by.iter().map(|u| site.any_link(u, root)).collect::<Vec<_>>(),
            "last_used": i.last_used,
            "review_last": review.and_then(|r| r.last),
            "review_by": review.and_then(|r| r.by.as_deref()).map(|p| site.owner_link(p, root)),
            "review_days": site.ctx.review_period(i),
            "vendor": i.vendor, "vendor_review": i.vendor_review, "spiffe_id": i.spiffe_id, "tags": i.tags,
            "file": &*doc.source.file, "line": doc.source.start.line.get(),
        },
    });
    insert(
        &mut ctx["identity"],
        [
            ("access", Value::Array(access)),
            ("links", Value::Array(links)),
        ],
    );
    insert(
        &mut ctx,
        [
            (
                "findings",
                Value::Array(findings(site, site.findings("Identity", &i.id), root)),
            ),
            ("exceptions", Value::Array(exceptions)),
            ("due", Value::Array(due)),
            ("blast", blast(site, i, full, root)),
        ],
    );
    ctx
}

/// Larger radii (systems and identities reached) are summarised rather than listed path by path.
const FULL_BLAST_LIMIT: usize = 500;
/// The most reached systems, and identities, the table of a blast radius lists: the most critical first.
/// The graph view and `nhi blast` show the rest; at 250 rows the 4 % of identities with a radius beyond
/// their own access made 50 MB of a 100,000-identity site.
const BLAST_ROWS: usize = 25;

/// A reached system as the table and picture show it.
struct Reached<'a> {
    id: &'a str,
    level: Option<crate::model::Level>,
    criticality: Option<Criticality>,
    path: String,
    direct: bool,
}

/// The blast radius of an identity with every path, when the page shows it: not for a radius that picks up
/// no other credential (the identity's own access is the radius: no search needed), nor for a very large
/// one (every path would cost more than the whole rest of the page: such pages show the identity's own
/// access and the critical systems it reaches, and `nhi blast` prints the rest).
pub fn full_blast(site: &Site<'_>, identity: &Identity) -> Option<Blast> {
    let summary = site.summary(&identity.id)?;
    let direct = summary.identities == 0;
    (!direct && summary.systems + summary.identities <= FULL_BLAST_LIMIT)
        .then(|| site.graph.blast(&identity.id))
        .flatten()
}

fn blast(site: &Site<'_>, identity: &Identity, full: Option<&Blast>, root: &str) -> Value {
    let id = identity.id.as_str();
    let Some(summary) = site.summary(id) else {
        return Value::Null;
    };
    let direct = summary.identities == 0;
    let (mut systems, identities): (Vec<Reached<'_>>, Vec<(&str, String)>) = match full {
        _ if direct => (own_access(site, identity), Vec::new()),
        Some(b) => (
            b.systems
                .iter()
                .map(|s| Reached {
                    id: &s.id,
                    level: Some(s.level),
                    criticality: s.criticality,
                    path: s.explained.clone(),
                    direct: s.path.len() <= 1,
                })
                .collect(),
            b.identities
                .iter()
                .map(|r| (r.id.as_str(), r.explained.clone()))
                .collect(),
        ),
        None => (large_radius(site, identity, summary), Vec::new()),
    };
    systems.sort_by(|x, y| {
        (y.criticality, y.level)
            .cmp(&(x.criticality, x.level))
            .then_with(|| x.id.cmp(y.id))
    });
    let total = summary.systems + summary.identities;
    let listed = systems.len().min(BLAST_ROWS) + identities.len().min(BLAST_ROWS);
    let mut ctx = json!({
        "score": summary.score,
        "complete": direct || full.is_some(),
        // A radius of the identity's own access only repeats the Access table: no second table for it.
        "own_only": systems.iter().all(|s| s.direct) && identities.is_empty() && total == systems.len(),
        "system_count": summary.systems,
        "identity_count": summary.identities,
        "not_listed": total.saturating_sub(listed),
    });
    let systems = systems.iter().take(BLAST_ROWS).map(|s| {
        let mut row = json!({"level": s.level, "criticality": s.criticality, "path": s.path, "direct": s.direct});
        insert(&mut row, [("system", site.system_link(s.id, root))]);
        row
    });
    let identities = identities.iter().take(BLAST_ROWS).map(|(r, path)| {
        let mut row = json!({"path": path});
        insert(&mut row, [("identity", site.identity_link(r, root))]);
        row
    });
    insert(
        &mut ctx,
        [
            ("systems", systems.collect()),
            ("identities", identities.collect()),
        ],
    );
    ctx
}

/// The systems an identity's own access entries reach (known systems, highest level each), as the graph
/// has them: a path of one step.
fn own_access<'a>(site: &Site<'_>, identity: &'a Identity) -> Vec<Reached<'a>> {
    let mut reached: Vec<Reached<'a>> = Vec::new();
    for a in &identity.access {
        let Some(system) = site.ctx.systems.get(a.system.as_str()) else {
            continue;
        };
        if !reached.iter().any(|r| r.id == a.system) {
            let level = identity
                .access
                .iter()
                .filter(|b| b.system == a.system)
                .map(|b| b.level.unwrap_or(crate::model::Level::Read))
                .max();
            let step = crate::graph::Step {
                from: identity.id.clone(),
                to: a.system.clone(),
                edge: crate::graph::Edge::Access(level.unwrap_or(crate::model::Level::Read)),
            };
            let path = crate::graph::render_path(&identity.id, &[step]);
            reached.push(Reached {
                id: &a.system,
                level,
                criticality: system.item.criticality,
                path,
                direct: true,
            });
        }
    }
    reached
}

/// For a very large radius: the identity's own access, then the critical systems the summary names.
fn large_radius<'a>(
    site: &Site<'_>,
    identity: &'a Identity,
    summary: &'a crate::graph::Summary,
) -> Vec<Reached<'a>> {
    let criticality = |s: &str| site.ctx.systems.get(s).and_then(|d| d.item.criticality);
    let mut reached = own_access(site, identity);
    for s in &summary.critical_systems {
        if !reached.iter().any(|r| r.id == s) {
            reached.push(Reached {
                id: s,
                level: None,
                criticality: criticality(s),
                path: "through other identities' credentials".into(),
                direct: false,
            });
        }
    }
    reached
}

/// What an owner must act on: open findings and what falls due soon on the identities they own.
fn needs_action(
    site: &Site<'_>,
    owner: &str,
    owned: &[&Doc<Identity>],
    root: &str,
) -> (Vec<Value>, Vec<Value>) {
    let mut open: Vec<&Finding> = leaver_findings(site, owner);
    for doc in owned {
        open.extend(
            site.findings("Identity", &doc.item.id)
                .iter()
                .filter(|f| f.waived_by.is_none()),
        );
    }
    let due = site
        .due_by_owner(owner)
        .filter(|d| site.is_soon(d))
        .map(|d| due_item(site, d, root))
        .collect();
    (findings(site, &open, root), due)
}

/// Where a Person who left still stands: the open `contact-left` and `reviewer-left` findings of the
/// identities that name them as contact or as the maker of their latest review (none for anyone else).
fn leaver_findings<'s>(site: &'s Site<'_>, person: &str) -> Vec<&'s Finding> {
    let left = site
        .ctx
        .persons
        .get(person)
        .is_some_and(|p| !p.item.is_active());
    if !left {
        return Vec::new();
    }
    site.checked
        .findings
        .iter()
        .filter(|f| f.waived_by.is_none())
        .filter(|f| {
            let Some(identity) = site.ctx.identities.get(f.subject.id.as_str()) else {
                return false;
            };
            let i = &identity.item;
            match f.rule {
                RuleId::ContactLeft => i.contact.as_deref() == Some(person),
                RuleId::ReviewerLeft => {
                    i.review.as_ref().and_then(|r| r.by.as_deref()) == Some(person)
                }
                _ => false,
            }
        })
        .collect()
}

/// The most identities an owner's or a system's table lists; past it, the page lists those that most need
/// looking at and says where the full list is (`inventory.csv`), so a team of 50,000 identities does not
/// make a page of 50 MB.
pub const LIST_LIMIT: usize = 250;

/// How an identity ranks in a long table: (no open finding, worst severity, open count, blast score, id).
type Rank<'a> = (
    bool,
    Option<crate::finding::Severity>,
    Reverse<usize>,
    Reverse<u32>,
    &'a str,
);

/// The rows of an identity table: all of them up to [`LIST_LIMIT`], else the ones with the worst open
/// findings and the largest blast radius first; and how many were left out.
fn rows(site: &Site<'_>, docs: &[&Doc<Identity>], root: &str) -> (Vec<Value>, usize) {
    if docs.len() <= LIST_LIMIT {
        return (
            docs.iter().map(|d| identity_row(site, d, root)).collect(),
            0,
        );
    }
    // Worst open severity first (none last), then most open findings, then the highest score, then by id.
    let mut ranked: Vec<(&Doc<Identity>, Rank<'_>)> = docs
        .iter()
        .map(|d| {
            let (open, _, worst) = site.tally(&d.item.id);
            let score = site.score(&d.item.id);
            (
                *d,
                (
                    worst.is_none(),
                    worst,
                    Reverse(open),
                    Reverse(score),
                    d.item.id.as_str(),
                ),
            )
        })
        .collect();
    ranked.sort_by_key(|(_, rank)| *rank);
    let shown = ranked
        .iter()
        .take(LIST_LIMIT)
        .map(|(d, _)| identity_row(site, d, root))
        .collect();
    (shown, docs.len() - LIST_LIMIT)
}

pub fn team(site: &Site<'_>, doc: &Doc<Team>) -> Value {
    let root = DEEP;
    let t = &doc.item;
    let members: Vec<Value> = crate::ownership::of(&site.ownership.members, t.id.as_str())
        .iter()
        .map(|p| json!({"person": site.owner_link(&p.item.id, root), "name": p.item.name, "active": p.item.is_active(), "left_on": p.item.left_on}))
        .collect();
    let owner = json!({
        "id": t.id, "name": t.name, "email": t.email, "slack": t.slack, "github": t.github,
        "description": t.description, "lead": t.lead.as_deref().map(|l| site.owner_link(l, root)),
        "staffed": site.ctx.staffed.contains(t.id.as_str()),
        "file": &*doc.source.file, "line": doc.source.start.line.get(),
    });
    let mut ctx = owner_page(site, "Team", &t.id, t.name.as_deref(), owner);
    insert(
        &mut ctx,
        [
            ("members", Value::Array(members)),
            ("contact_for", Value::Array(Vec::new())),
            ("contact_for_more", Value::from(0)),
        ],
    );
    ctx
}

pub fn person(site: &Site<'_>, doc: &Doc<Person>) -> Value {
    let root = DEEP;
    let p = &doc.item;
    let contact_for = crate::ownership::of(&site.ownership.contact_for, &p.id);
    let contact_rows = rows(site, contact_for, root);
    let owner = json!({
        "id": p.id, "name": p.name, "email": p.email, "github": p.github, "active": p.is_active(),
        "left_on": p.left_on, "team": p.team.as_deref().map(|t| site.owner_link(t, root)),
        "file": &*doc.source.file, "line": doc.source.start.line.get(),
    });
    let mut ctx = owner_page(site, "Person", &p.id, p.name.as_deref(), owner);
    insert(
        &mut ctx,
        [
            ("members", Value::Array(Vec::new())),
            ("contact_for", Value::Array(contact_rows.0)),
            ("contact_for_more", Value::from(contact_rows.1)),
        ],
    );
    ctx
}

/// What the pages of teams and persons share: the identities the owner owns (ranked past the limit), what
/// needs action on them, and the findings about the owner itself.
fn owner_page(site: &Site<'_>, kind: &str, id: &str, name: Option<&str>, owner: Value) -> Value {
    let root = DEEP;
    let owned = crate::ownership::of(&site.ownership.owned_by, id);
    let (owned_rows, owned_more) = rows(site, owned, root);
    let (open, due) = needs_action(site, id, owned, root);
    let mut ctx = json!({
        "root": root,
        "title": name.unwrap_or(id),
        "kind": kind,
        "owned_more": owned_more, "owned_total": owned.len(),
    });
    let findings = findings(site, site.findings(kind, id), root);
    insert(
        &mut ctx,
        [
            ("owner", owner),
            ("owned", Value::Array(owned_rows)),
            ("open", Value::Array(open)),
            ("due", Value::Array(due)),
            ("findings", Value::Array(findings)),
        ],
    );
    ctx
}

pub fn system(site: &Site<'_>, doc: &Doc<System>) -> Value {
    let root = DEEP;
    let s = &doc.item;
    let stored_in = crate::ownership::of(&site.ownership.stored_in, &s.id);
    let run_by = crate::ownership::of(&site.ownership.run_by, &s.id);
    let (stored_total, runs_total) = (stored_in.len(), run_by.len());
    let (stored, runs) = (rows(site, stored_in, root), rows(site, run_by, root));
    let mut access: Vec<_> =
        crate::ownership::of(&site.ownership.access_to, s.id.as_str()).to_vec();
    access.sort_by(|(da, a), (db, b)| {
        b.level
            .cmp(&a.level)
            .then_with(|| da.item.id.cmp(&db.item.id))
    });
    let access_total = access.len();
    let access: Vec<Value> = access
        .iter()
        .take(LIST_LIMIT)
        .map(|(d, a)| {
            json!({
                "identity": site.identity_link(&d.item.id, root), "level": a.level, "scope": a.scope,
                "justification": a.justification, "environment": d.item.environment, "status": d.item.status,
                "owner": d.item.owner.as_deref().map(|o| site.owner_link(o, root)),
            })
        })
        .collect();
    let mut ctx = json!({
        "root": root,
        "title": s.name.clone().unwrap_or_else(|| s.id.clone()),
        "system": {
            "id": s.id, "name": s.name, "type": s.kind, "criticality": s.criticality, "environment": s.environment,
            "owner": s.owner.as_deref().map(|o| site.owner_link(o, root)), "vendor": s.vendor,
            "description": s.description, "url": s.url.as_deref().map(|u| web_link(u, u)), "tags": s.tags,
            "file": &*doc.source.file, "line": doc.source.start.line.get(),
        },
        "access_total": access_total,
        "access_admin": site.ownership.access_to.get(s.id.as_str()).map_or(0, |all| all.iter().filter(|(_, a)| a.level == Some(crate::model::Level::Admin)).count()),
        "access_more": access_total.saturating_sub(LIST_LIMIT),
        "stored_more": stored.1, "stored_total": stored_total,
        "runs_more": runs.1, "runs_total": runs_total,
    });
    let findings = findings(site, site.findings("System", &s.id), root);
    insert(
        &mut ctx,
        [
            ("access", Value::Array(access)),
            ("stored", Value::Array(stored.0)),
            ("runs", Value::Array(runs.0)),
            ("findings", Value::Array(findings)),
        ],
    );
    ctx
}

#[cfg(test)]
mod tests {
    use super::is_web_url;

    #[test]
    fn only_http_and_https_urls_are_links() {
        assert!(is_web_url("https://example.com/x"));
        assert!(is_web_url("HTTP://example.com"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "https://",
            "https://a b",
            "vbscript:x",
            "file:///etc/passwd",
            " https://x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
