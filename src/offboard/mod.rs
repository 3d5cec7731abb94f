//! What follows when a person leaves (`nhi offboard PERSON`): every place the registry names them, and
//! what their leaving breaks or exposes — identities orphaned, teams left unstaffed, exceptions whose
//! approval lapses, and static credentials they could have copied.
//!
//! The report is computed as if the person had left (whether or not the registry says so yet), so it reads
//! the same before the edit and in the pull request that records it. [`vendor`] does the same for a third
//! party at the end of a contract; `report::offboard` renders both as checklists.

pub mod vendor;

use jiff::civil::Date;
use serde::Serialize;

use crate::model::{Doc, Person, Registry, Source};
use crate::rules::{exceptions, Ctx};

/// One place the registry names the person.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Reference {
    pub kind: &'static str,
    pub id: String,
    /// `owner`, `contact`, `used_by`, `review.by`, `requested_by`, `approved_by` or `lead`.
    pub field: &'static str,
    pub file: String,
    pub line: u32,
}

/// The person as the report names them.
#[derive(Debug, Serialize)]
pub struct Who {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub team: Option<String>,
    pub active: bool,
    pub left_on: Option<Date>,
}

/// A document the leaving affects, with where it is declared.
#[derive(Debug, Serialize)]
pub struct Affected {
    pub id: String,
    /// Why it is listed, in a few words.
    pub why: String,
    pub file: String,
    pub line: u32,
}

/// A static credential the person could have copied.
#[derive(Debug, Serialize)]
pub struct Rotate {
    pub id: String,
    /// How the person is named on it: `owner`, `contact`, `used_by`.
    pub fields: Vec<&'static str>,
    pub last_rotated: Option<Date>,
    pub stores: Vec<String>,
    pub consumers: Vec<String>,
    pub record: String,
}

/// `nhi offboard PERSON --format json`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub person: Who,
    pub as_of: Date,
    pub references: Vec<Reference>,
    /// Active identities whose owner is the person, or a team with no other active member.
    pub orphaned: Vec<Affected>,
    /// Teams with no active member once the person is gone.
    pub unstaffed_teams: Vec<Affected>,
    /// Exceptions in force that the person approved: they stop waiving anything.
    pub exceptions: Vec<Affected>,
    /// Active static credentials the person could have copied, not rotated since they left.
    pub rotate: Vec<Rotate>,
}

/// The report for Person `id` as of `as_of`, or `None` when no Person has that id. `read` gives a file's
/// text by its registry-relative path (for the lines of the references).
pub fn report(
    registry: &Registry,
    id: &str,
    as_of: Date,
    read: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Option<Report> {
    let doc = registry.persons.iter().find(|p| p.item.id == id)?;
    let p = &doc.item;
    let references = references(registry, id, read);
    let others_staff = |team: &str| {
        registry
            .persons
            .iter()
            .any(|q| q.item.id != id && q.item.is_active() && q.item.team.as_deref() == Some(team))
    };
    let is_team = |t: &str| registry.teams.iter().any(|d| d.item.id == t);
    let mut orphaned = Vec::new();
    for d in registry.identities.iter().filter(|d| d.item.is_active()) {
        let Some(owner) = d.item.owner.as_deref() else {
            continue;
        };
        let why = if owner == id && !is_team(owner) {
            "owned by them".to_string()
        } else if is_team(owner) && p.team.as_deref() == Some(owner) && !others_staff(owner) {
            format!("owned by `{owner}`, whose last active member they are")
        } else {
            continue;
        };
        orphaned.push(affected(&d.item.id, why, &d.source));
    }
    let unstaffed_teams = registry
        .teams
        .iter()
        .filter(|t| p.team.as_deref() == Some(t.item.id.as_str()) && !others_staff(&t.item.id))
        .map(|t| affected(&t.item.id, "no other active member".into(), &t.source))
        .collect();
    Some(Report {
        person: Who {
            id: p.id.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            team: p.team.clone(),
            active: p.is_active(),
            left_on: p.left_on,
        },
        as_of,
        references,
        orphaned,
        unstaffed_teams,
        exceptions: lapsing_exceptions(registry, doc, as_of),
        rotate: to_rotate(registry, p),
    })
}

fn affected(id: &str, why: String, source: &Source) -> Affected {
    Affected {
        id: id.to_string(),
        why,
        file: source.file.to_string(),
        line: source.start.line.get(),
    }
}

/// Every field of every document that names `id`, in file order, with its line.
pub fn references(
    registry: &Registry,
    id: &str,
    read: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<Reference> {
    let mut found: Vec<(&'static str, &str, &'static str, &Source, String)> = Vec::new();
    for d in &registry.identities {
        let i = &d.item;
        let mut add =
            |field, pointer: String| found.push(("Identity", &i.id, field, &d.source, pointer));
        if i.owner.as_deref() == Some(id) {
            add("owner", "/owner".into());
        }
        if i.contact.as_deref() == Some(id) {
            add("contact", "/contact".into());
        }
        for (n, u) in i.used_by.iter().enumerate() {
            if u == id {
                add("used_by", format!("/used_by/{n}"));
            }
        }
        if i.review.as_ref().and_then(|r| r.by.as_deref()) == Some(id) {
            add("review.by", "/review/by".into());
        }
    }
    for d in &registry.systems {
        if d.item.owner.as_deref() == Some(id) {
            found.push(("System", &d.item.id, "owner", &d.source, "/owner".into()));
        }
    }
    for d in &registry.teams {
        if d.item.lead.as_deref() == Some(id) {
            found.push(("Team", &d.item.id, "lead", &d.source, "/lead".into()));
        }
    }
    for d in &registry.exceptions {
        let e = &d.item;
        if e.requested_by.as_deref() == Some(id) {
            found.push((
                "Exception",
                &e.id,
                "requested_by",
                &d.source,
                "/requested_by".into(),
            ));
        }
        if e.approved_by.as_deref() == Some(id) {
            found.push((
                "Exception",
                &e.id,
                "approved_by",
                &d.source,
                "/approved_by".into(),
            ));
        }
    }
    let wanted: Vec<(&Source, String)> = found.iter().map(|f| (f.3, f.4.clone())).collect();
    let positions = crate::load::value_positions(&wanted, read);
    let mut out: Vec<Reference> = found
        .into_iter()
        .zip(positions)
        .map(|((kind, doc, field, source, _), pos)| Reference {
            kind,
            id: doc.to_string(),
            field,
            file: source.file.to_string(),
            line: pos.line.get(),
        })
        .collect();
    out.sort_by(|a, b| (&a.file, a.line, a.field).cmp(&(&b.file, b.line, b.field)));
    out
}

/// Exceptions in force with the person still counted as active, whose approver they are.
fn lapsing_exceptions(registry: &Registry, person: &Doc<Person>, as_of: Date) -> Vec<Affected> {
    let mut present = person.clone();
    present.item.active = Some(true);
    present.item.left_on = None;
    let mut ctx = Ctx::new(registry, as_of);
    ctx.persons.insert(present.item.id.as_str(), &present);
    registry
        .exceptions
        .iter()
        .filter(|d| d.item.approved_by.as_deref() == Some(present.item.id.as_str()))
        .filter(|d| exceptions::in_force(&ctx, &d.item))
        .map(|d| {
            let rule = d.item.rule.as_deref().unwrap_or("?");
            affected(
                &d.item.id,
                format!(
                    "waives `{rule}` until {}",
                    d.item.expires.map_or("?".into(), |x| x.to_string())
                ),
                &d.source,
            )
        })
        .collect()
}

/// Active static credentials naming the person as owner, contact or user, unless rotated on or after the
/// day they left.
fn to_rotate(registry: &Registry, p: &Person) -> Vec<Rotate> {
    let mut out = Vec::new();
    for d in &registry.identities {
        let i = &d.item;
        if !i.is_active() || !i.is_static() {
            continue;
        }
        let mut fields: Vec<&'static str> = i
            .holders()
            .filter(|(_, who)| *who == p.id)
            .map(|(field, _)| field)
            .collect();
        fields.dedup();
        let rotated_since =
            matches!((p.left_on, i.last_rotation()), (Some(left), Some(r)) if r >= left);
        if fields.is_empty() || rotated_since {
            continue;
        }
        out.push(Rotate {
            id: i.id.clone(),
            fields,
            last_rotated: i.last_rotation(),
            stores: i.credential.stores.clone(),
            consumers: i.used_by.clone(),
            record: format!("nhi rotated {}", i.id),
        });
    }
    out
}
