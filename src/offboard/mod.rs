//! What follows when a person leaves (`nhi offboard PERSON`): every place the registry names them, and
//! what their leaving breaks or exposes — identities orphaned, teams left unstaffed, exceptions whose
//! approval lapses, and static credentials they could have copied.
//!
//! The report is computed as if the person had left (whether or not the registry says so yet), so it reads
//! the same before the edit and in the pull request that records it. [`vendor`] does the same for a third
//! party at the end of a contract; `report::offboard` renders both as checklists.

pub mod vendor;

use std::num::NonZeroU32;

use jiff::civil::Date;
use serde::Serialize;

use crate::leak::Kept;
use crate::model::{Doc, Exception, Identity, Person, Registry, Source};
use crate::ownership::{self, Ownership};
use crate::rules::{exceptions, Ctx};
use crate::span::Place;

/// One place the registry names the person.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Reference {
    pub kind: &'static str,
    pub id: String,
    /// `owner`, `contact`, `used_by`, `review.by`, `requested_by`, `approved_by` or `lead`.
    pub field: &'static str,
    /// The line of the value that names the person (of the document, when the text was not read).
    #[serde(flatten)]
    pub at: Place,
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

/// A document the leaving (of a person, or of a vendor) affects: why it is listed, and where it is declared.
#[derive(Debug, Serialize)]
pub struct Affected {
    pub id: String,
    /// Why it is listed, in a few words.
    pub why: String,
    #[serde(flatten)]
    pub at: Place,
}

/// A static credential the person could have copied.
#[derive(Debug, Serialize)]
pub struct Rotate {
    pub id: String,
    /// How the person is named on it: `owner`, `contact`, `used_by`.
    pub fields: Vec<&'static str>,
    pub last_rotated: Option<Date>,
    #[serde(flatten)]
    pub kept: Kept,
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

/// Gives a registry file's text by its registry-relative path.
pub type Read<'a> = dyn Fn(&str) -> Option<String> + Sync + 'a;

/// The report for Person `id` as of `as_of`, or `None` when no Person has that id. `read` gives a file's
/// text by its registry-relative path (for the lines of the references).
pub fn report(registry: &Registry, id: &str, as_of: Date, read: &Read<'_>) -> Option<Report> {
    let ctx = Ctx::new(registry, as_of);
    let names = Ownership::new(
        &registry.identities,
        &registry.persons,
        &registry.exceptions,
    )
    .with_owners(&registry.teams, &registry.systems);
    let doc = ctx.persons.get(id)?;
    Some(of(&ctx, &names, doc, Some(read)))
}

/// The report for the Person of `doc`, from the indexes of `names` (built once for any number of reports).
/// With `read`, references point at the line of the value that names the person; without, at the line the
/// document starts on.
pub fn of(
    ctx: &Ctx<'_>,
    names: &Ownership<'_>,
    doc: &Doc<Person>,
    read: Option<&Read<'_>>,
) -> Report {
    let p = &doc.item;
    let id = p.id.as_str();
    let others_staff = |team: &str| {
        names
            .members
            .get(team)
            .is_some_and(|m| m.iter().any(|q| q.item.id != id && q.item.is_active()))
    };
    let team = p
        .team
        .as_deref()
        .and_then(|t| ctx.teams.get(t))
        .filter(|t| !others_staff(&t.item.id));
    let mut orphaned: Vec<Affected> = Vec::new();
    if !ctx.teams.contains_key(id) {
        for d in ownership::of(&names.owned_by, id)
            .iter()
            .filter(|d| d.item.is_active())
        {
            orphaned.push(affected(&d.item.id, "owned by them".into(), &d.source));
        }
    }
    if let Some(t) = team {
        let t = t.item.id.as_str();
        for d in ownership::of(&names.owned_by, t)
            .iter()
            .filter(|d| d.item.is_active())
        {
            let why = format!("owned by `{t}`, whose last active member they are");
            orphaned.push(affected(&d.item.id, why, &d.source));
        }
    }
    orphaned.sort_by(|a, b| a.at.cmp(&b.at));
    let unstaffed_teams = team
        .map(|t| affected(&t.item.id, "no other active member".into(), &t.source))
        .into_iter()
        .collect();
    Report {
        person: Who {
            id: p.id.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            team: p.team.clone(),
            active: p.is_active(),
            left_on: p.left_on,
        },
        as_of: ctx.as_of,
        references: references(names, id, read),
        orphaned,
        unstaffed_teams,
        exceptions: lapsing_exceptions(ctx, ownership::of(&names.approved_by, id), doc),
        rotate: to_rotate(names, p),
    }
}

fn affected(id: &str, why: String, source: &Source) -> Affected {
    Affected {
        id: id.to_string(),
        why,
        at: source.place(),
    }
}

/// Every field of every document that names `id`, in file order, with its line (the value's with `read`,
/// the document's without).
fn references(names: &Ownership<'_>, id: &str, read: Option<&Read<'_>>) -> Vec<Reference> {
    let mut found: Vec<(&'static str, &str, &'static str, &Source, String)> = Vec::new();
    for d in ownership::of(&names.owned_by, id) {
        found.push(("Identity", &d.item.id, "owner", &d.source, "/owner".into()));
    }
    for d in ownership::of(&names.contact_for, id) {
        found.push((
            "Identity",
            &d.item.id,
            "contact",
            &d.source,
            "/contact".into(),
        ));
    }
    for d in ownership::of(&names.run_by, id) {
        for (n, _) in d.item.used_by.iter().enumerate().filter(|(_, u)| *u == id) {
            found.push((
                "Identity",
                &d.item.id,
                "used_by",
                &d.source,
                format!("/used_by/{n}"),
            ));
        }
    }
    for d in ownership::of(&names.reviewed_by, id) {
        found.push((
            "Identity",
            &d.item.id,
            "review.by",
            &d.source,
            "/review/by".into(),
        ));
    }
    for d in ownership::of(&names.systems_of, id) {
        found.push(("System", &d.item.id, "owner", &d.source, "/owner".into()));
    }
    for d in ownership::of(&names.leads, id) {
        found.push(("Team", &d.item.id, "lead", &d.source, "/lead".into()));
    }
    for d in ownership::of(&names.requested_by, id) {
        let pointer = "/requested_by".into();
        found.push(("Exception", &d.item.id, "requested_by", &d.source, pointer));
    }
    for d in ownership::of(&names.approved_by, id) {
        let pointer = "/approved_by".into();
        found.push(("Exception", &d.item.id, "approved_by", &d.source, pointer));
    }
    let lines: Vec<NonZeroU32> = match read {
        Some(read) => {
            let wanted: Vec<(&Source, String)> = found.iter().map(|f| (f.3, f.4.clone())).collect();
            crate::load::value_positions(&wanted, read)
                .iter()
                .map(|p| p.line)
                .collect()
        }
        None => found.iter().map(|f| f.3.start.line).collect(),
    };
    let mut out: Vec<Reference> = found
        .into_iter()
        .zip(lines)
        .map(|((kind, doc, field, source, _), line)| Reference {
            kind,
            id: doc.to_string(),
            field,
            at: Place {
                file: source.file.to_string(),
                line,
            },
        })
        .collect();
    out.sort_by(|a, b| (&a.at, a.field).cmp(&(&b.at, b.field)));
    out
}

/// Exceptions in force with the person still counted as active, whose approver they are.
fn lapsing_exceptions(
    ctx: &Ctx<'_>,
    approved: &[&Doc<Exception>],
    person: &Doc<Person>,
) -> Vec<Affected> {
    if approved.is_empty() {
        return Vec::new();
    }
    let mut present = person.clone();
    present.item.active = Some(true);
    present.item.left_on = None;
    // Counting them as active changes nothing for a person who is: only a leaver needs a context of their own.
    let mut own;
    let ctx = if person.item.is_active() {
        ctx
    } else {
        own = Ctx::new(ctx.registry, ctx.as_of);
        own.persons.insert(present.item.id.as_str(), &present);
        &own
    };
    approved
        .iter()
        .filter(|d| exceptions::in_force(ctx, &d.item))
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
fn to_rotate(names: &Ownership<'_>, p: &Person) -> Vec<Rotate> {
    let id = p.id.as_str();
    let mut held: Vec<&Doc<Identity>> = [&names.owned_by, &names.contact_for, &names.run_by]
        .into_iter()
        .flat_map(|index| ownership::of(index, id).iter().copied())
        .collect();
    held.sort_by(|a, b| {
        (&a.source.file, a.source.start.line, a.source.doc).cmp(&(
            &b.source.file,
            b.source.start.line,
            b.source.doc,
        ))
    });
    held.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let mut out = Vec::new();
    for d in held {
        let i = &d.item;
        if !i.is_active() || !i.is_static() {
            continue;
        }
        let mut fields: Vec<&'static str> = i
            .holders()
            .filter(|(_, who)| *who == id)
            .map(|(field, _)| field)
            .collect();
        fields.dedup();
        let rotated_since =
            matches!((p.left_on, i.last_rotation()), (Some(left), Some(r)) if r >= left);
        if rotated_since {
            continue;
        }
        out.push(Rotate {
            id: i.id.clone(),
            fields,
            last_rotated: i.last_rotation(),
            kept: Kept::of(i),
            record: format!("nhi rotated {}", i.id),
        });
    }
    out
}
