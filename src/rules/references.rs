//! `duplicate-id` and `unknown-reference`: the registry's integrity, over every document.

use foldhash::{HashMap, HashMapExt};

use super::{catalogue, Ctx};
use crate::catalogue::RuleId;
use crate::finding::Finding;
use crate::model::{Doc, Kind, Source};

/// `duplicate-id`: every document after the first with an id already used in its kind group.
pub fn duplicate_ids(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.registry;
    let mut check = |docs: Vec<(Kind, &str, &Source)>| {
        let mut seen: HashMap<&str, &Source> = HashMap::with_capacity(docs.len());
        for (kind, id, source) in docs {
            if let Some(first) = seen.get(id) {
                let message = format!(
                    "{} id `{id}` is already used by {}:{}; ids are unique among {}",
                    kind.name(),
                    first.file,
                    first.start.line,
                    kind.group()
                );
                out.push(
                    Finding::at(RuleId::DuplicateId, kind, id, source, "/id", message).on_value(),
                );
            } else {
                seen.insert(id, source);
            }
        }
    };
    fn list<T>(kind: Kind, docs: &[Doc<T>], id: impl Fn(&T) -> &str) -> Vec<(Kind, &str, &Source)> {
        docs.iter()
            .map(|d| (kind, id(&d.item), &d.source))
            .collect()
    }
    check(list(Kind::Identity, &r.identities, |i| &i.id));
    let mut owners = list(Kind::Team, &r.teams, |t| &t.id);
    owners.extend(list(Kind::Person, &r.persons, |p| &p.id));
    owners.sort_by(|a, b| (&a.2.file, a.2.start).cmp(&(&b.2.file, b.2.start)));
    check(owners);
    check(list(Kind::System, &r.systems, |s| &s.id));
    check(list(Kind::Exception, &r.exceptions, |e| &e.id));
}

/// `duplicate-external-id`: an identity whose `external_id` an earlier identity already has (trimmed, case
/// ignored: ARNs, e-mails and names are matched that way by `nhi drift`). A decommissioned identity may keep
/// the `external_id` of a re-created successor, so it neither fires nor counts.
pub fn duplicate_external_ids(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut seen: HashMap<String, &Doc<crate::model::Identity>> = HashMap::new();
    for doc in &ctx.registry.identities {
        let Some(ext) = doc.item.external_id.as_deref() else {
            continue;
        };
        if doc.item.status == Some(crate::model::Status::Decommissioned) || ext.trim().is_empty() {
            continue;
        }
        let key = ext.trim().to_lowercase();
        match seen.get(&key) {
            Some(first) => {
                let message = format!(
                    "identity `{}` ({}:{}) has the same `external_id`: one identity in the provider, two in the registry; merge them, or correct one `external_id`",
                    first.item.id, first.source.file, first.source.start.line
                );
                out.push(
                    crate::finding::on_identity(
                        RuleId::DuplicateExternalId,
                        doc,
                        "/external_id",
                        message,
                    )
                    .on_value(),
                );
            }
            None => {
                seen.insert(key, doc);
            }
        }
    }
}

/// What a reference must name.
#[derive(Clone, Copy)]
enum Target {
    Owner,
    Person,
    Team,
    System,
    SystemOrPerson,
    Identity,
}

impl Target {
    fn describe(self) -> &'static str {
        match self {
            Target::Owner => "a Team or Person",
            Target::Person => "a Person",
            Target::Team => "a Team",
            Target::System => "a System",
            Target::SystemOrPerson => "a System",
            Target::Identity => "an Identity",
        }
    }
}

/// The document a reference is checked in.
#[derive(Clone, Copy)]
struct At<'d> {
    kind: Kind,
    id: &'d str,
    source: &'d Source,
}

impl<'d> At<'d> {
    fn new(kind: Kind, id: &'d str, source: &'d Source) -> At<'d> {
        At { kind, id, source }
    }
}

struct Refs<'a, 'r> {
    ctx: &'a Ctx<'r>,
    out: &'a mut Vec<Finding>,
}

impl Refs<'_, '_> {
    fn check(
        &mut self,
        at: At<'_>,
        pointer: &str,
        field: &str,
        value: Option<&str>,
        target: Target,
    ) {
        let Some(value) = value else { return };
        let c = self.ctx;
        let exists = match target {
            Target::Owner => c.is_owner(value),
            Target::Person => c.persons.contains_key(value),
            Target::Team => c.teams.contains_key(value),
            Target::System => c.systems.contains_key(value),
            Target::SystemOrPerson => {
                c.systems.contains_key(value) || c.persons.contains_key(value)
            }
            Target::Identity => c.identities.contains_key(value),
        };
        if exists {
            return;
        }
        let elsewhere = if c.teams.contains_key(value) {
            " (it is a Team)"
        } else if c.persons.contains_key(value) {
            " (it is a Person)"
        } else if c.systems.contains_key(value) {
            " (it is a System)"
        } else {
            ""
        };
        let message = format!(
            "`{field}` names `{value}`, which is not {} in the registry{elsewhere}",
            target.describe()
        );
        self.out.push(
            Finding::at(
                RuleId::UnknownReference,
                at.kind,
                at.id,
                at.source,
                pointer,
                message,
            )
            .on_value(),
        );
    }

    fn list(&mut self, at: At<'_>, pointer: &str, values: &[String], target: Target) {
        let field = crate::hint::field_name(pointer);
        for (i, v) in values.iter().enumerate() {
            self.check(
                at,
                &format!("{pointer}/{i}"),
                &format!("{field}[{i}]"),
                Some(v),
                target,
            );
        }
    }
}

/// `unknown-reference`: every id a document names must exist with the right kind.
pub fn unknown_references(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.registry;
    let mut refs = Refs { ctx, out };
    for d in &r.identities {
        let i = &d.item;
        let at = At::new(Kind::Identity, &i.id, &d.source);
        refs.check(at, "/owner", "owner", i.owner.as_deref(), Target::Owner);
        refs.check(
            at,
            "/contact",
            "contact",
            i.contact.as_deref(),
            Target::Person,
        );
        refs.check(
            at,
            "/system_of_record",
            "system_of_record",
            i.system_of_record.as_deref(),
            Target::System,
        );
        refs.list(
            at,
            "/credential/stores",
            &i.credential.stores,
            Target::System,
        );
        refs.list(at, "/used_by", &i.used_by, Target::SystemOrPerson);
        for (n, a) in i.access.iter().enumerate() {
            refs.check(
                at,
                &format!("/access/{n}/system"),
                &format!("access[{n}].system"),
                Some(&a.system),
                Target::System,
            );
        }
        let by = i.review.as_ref().and_then(|r| r.by.as_deref());
        refs.check(at, "/review/by", "review.by", by, Target::Person);
    }
    for d in &r.teams {
        let at = At::new(Kind::Team, &d.item.id, &d.source);
        refs.check(at, "/lead", "lead", d.item.lead.as_deref(), Target::Person);
    }
    for d in &r.persons {
        let at = At::new(Kind::Person, &d.item.id, &d.source);
        refs.check(at, "/team", "team", d.item.team.as_deref(), Target::Team);
    }
    for d in &r.systems {
        let at = At::new(Kind::System, &d.item.id, &d.source);
        refs.check(
            at,
            "/owner",
            "owner",
            d.item.owner.as_deref(),
            Target::Owner,
        );
    }
    for d in &r.exceptions {
        let e = &d.item;
        let at = At::new(Kind::Exception, &e.id, &d.source);
        refs.check(
            at,
            "/requested_by",
            "requested_by",
            e.requested_by.as_deref(),
            Target::Person,
        );
        refs.check(
            at,
            "/approved_by",
            "approved_by",
            e.approved_by.as_deref(),
            Target::Person,
        );
        refs.list(at, "/identities", &e.identities, Target::Identity);
        if let Some(rule) = e.rule.as_deref() {
            if catalogue::get(rule).is_none() {
                let hint =
                    crate::hint::did_you_mean(rule, catalogue::RULES.iter().map(|r| r.id.as_str()));
                let message = format!(
                    "`rule` names `{rule}`, which is not a rule id{hint} (`nhi rules` lists them)"
                );
                refs.out.push(
                    Finding::at(
                        RuleId::UnknownReference,
                        at.kind,
                        at.id,
                        at.source,
                        "/rule",
                        message,
                    )
                    .on_value(),
                );
            }
        }
    }
}
