//! The incident runbook for a leaked credential (`nhi leak`): what it reaches, who to call, where the
//! secret is kept and who consumes it, what else is exposed with it, and the steps to revoke and rotate.
//!
//! Everything comes from the registry and the blast radius; what to do on each platform comes from one
//! table ([`playbooks`]). Rendering is in `report::leak`; the JSON is this module's types, serialized.

pub mod playbooks;

use jiff::civil::Date;
use serde::Serialize;

use crate::graph::{Blast, Graph, ReachedIdentity};
use crate::model::{
    CredentialKind, Criticality, Doc, Environment, Identity, IdentityType, Person, Registry,
    Status, Team,
};
use crate::rules::Ctx;
use crate::span::Place;
use playbooks::{Facts, Playbook, Record};

/// How many exposed identities get a step of their own (the rest share one).
pub const EXPOSED_STEPS: usize = 25;

/// What to do for each system in `used_by` once the replacement exists.
pub const CONSUMER_DETAIL: &str = "Point it at the new secret in the store and redeploy or restart it; check that it works before moving on to the next consumer.";
/// What to do for each person in `used_by`.
pub const PERSON_DETAIL: &str = "A person should not hold a non-human credential: give them their own account instead of the new secret, and remove them from `used_by`.";

/// The runbook of one identity, in the shape of `nhi leak --format json`.
#[derive(Debug, Serialize)]
pub struct Runbook {
    pub identity: Subject,
    pub blast: Blast,
    pub owner: Option<Contact>,
    pub contact: Option<Contact>,
    #[serde(flatten)]
    pub kept: Kept,
    pub exposed: Vec<String>,
    /// The playbook row the steps follow (`aws-access-key`, `generic`, …).
    pub playbook: &'static str,
    pub steps: Vec<Step>,
}

/// Where a credential's secret is kept and what uses it: what replacing the secret touches. The leak
/// runbook and offboarding's credentials to rotate both list it.
#[derive(Debug, Serialize)]
pub struct Kept {
    /// The secret stores that hold it (`credential.stores`).
    pub stores: Vec<String>,
    /// What uses it and needs the new secret (`used_by`).
    pub consumers: Vec<String>,
}

impl Kept {
    pub fn of(i: &Identity) -> Kept {
        Kept {
            stores: i.credential.stores.clone(),
            consumers: i.used_by.clone(),
        }
    }
}

/// The leaked identity as the runbook names it.
#[derive(Debug, Serialize)]
pub struct Subject {
    pub id: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<IdentityType>,
    pub environment: Option<Environment>,
    pub status: Option<Status>,
    pub credential: Option<CredentialKind>,
    pub system_of_record: Option<String>,
    pub external_id: Option<String>,
    pub vendor: Option<String>,
    /// The day the credential was last rotated, or created when it never was.
    pub last_rotated: Option<Date>,
    /// Where the identity is declared.
    #[serde(flatten)]
    pub at: Place,
}

/// Who to call: a Team or a Person, with how to reach them.
#[derive(Debug, Serialize)]
pub struct Contact {
    pub id: String,
    /// `Team`, `Person`, or `unknown` when the id names nothing in the registry.
    pub kind: &'static str,
    pub name: Option<String>,
    pub email: Option<String>,
    pub slack: Option<String>,
    pub github: Option<String>,
    /// False for a Person who has left (the runbook then points at the team's lead).
    pub active: bool,
    /// A Team's lead, to call when nobody else answers.
    pub lead: Option<Box<Contact>>,
}

/// One step of the runbook.
#[derive(Debug, Serialize)]
pub struct Step {
    pub order: usize,
    pub action: String,
    pub detail: String,
    /// The `nhi` command that records the step in the registry; `None` when the step changes no fact the
    /// registry keeps.
    pub record: Option<String>,
    /// Which part of the runbook the step is (for views that group or shorten steps, like the site's).
    #[serde(skip)]
    pub part: Part,
    /// The consumer or exposed identity the step is about, for [`Part::Consumer`], [`Part::Person`] and
    /// [`Part::Exposed`].
    #[serde(skip)]
    pub about: Option<String>,
}

/// The parts of a runbook, in the order they come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The playbook's `disable` text.
    Disable,
    /// The playbook's `create` text.
    Create,
    /// A system in `used_by` gets the new credential.
    Consumer,
    /// A person in `used_by` loses the secret.
    Person,
    /// The playbook's `retire` text (or checking that nothing uses the old credential).
    Retire,
    /// The playbook's `logs` text.
    Logs,
    /// One exposed identity to rotate.
    Exposed,
    /// The exposed identities beyond [`EXPOSED_STEPS`], in one step.
    ExposedRest,
    /// Decommissioning instead.
    Decommission,
}

/// The runbook of identity `id`, or `None` when the registry has no such identity.
pub fn runbook(registry: &Registry, graph: &Graph, id: &str) -> Option<Runbook> {
    let doc = registry.identities.iter().find(|d| d.item.id == id)?;
    let blast = graph.blast(&format!("identity:{id}"))?;
    // Only the lookups by id are used: the day does not matter.
    let ctx = Ctx::new(registry, crate::day::today_utc());
    Some(of(&ctx, doc, blast))
}

/// The runbook of `doc`, whose blast radius is `blast`.
pub fn of(ctx: &Ctx<'_>, doc: &Doc<Identity>, blast: Blast) -> Runbook {
    let i = &doc.item;
    let plan = plan(ctx, i, &blast.identities);
    Runbook {
        identity: subject(doc),
        owner: plan.owner,
        contact: plan.contact,
        kept: Kept::of(i),
        exposed: blast.identities.iter().map(|r| r.id.clone()).collect(),
        playbook: plan.playbook.key,
        steps: plan.steps,
        blast,
    }
}

/// What to do and whom to call for identity `i`, with `exposed` the identities of its blast radius (none
/// when the caller did not compute them): the runbook without the blast radius itself.
pub struct Plan {
    pub playbook: &'static Playbook,
    pub owner: Option<Contact>,
    pub contact: Option<Contact>,
    pub steps: Vec<Step>,
}

/// The plan of identity `i`; lookups go through `ctx`'s indexes, so a plan per identity of a large registry
/// stays cheap.
pub fn plan(ctx: &Ctx<'_>, i: &Identity, exposed: &[ReachedIdentity]) -> Plan {
    let system = i
        .system_of_record
        .as_deref()
        .and_then(|s| ctx.systems.get(s));
    let facts = Facts {
        kind: i.kind,
        credential: i.credential.kind,
        vendor: system
            .and_then(|s| s.item.vendor.as_deref())
            .or(i.vendor.as_deref()),
        external_id: i.external_id.as_deref(),
        system: system.and_then(|s| s.item.kind),
    };
    let playbook = playbooks::choose(&facts);
    let consumers = consumers_in_order(ctx, i);
    Plan {
        playbook,
        owner: i.owner.as_deref().map(|o| contact(ctx, o)),
        contact: i.contact.as_deref().map(|c| contact(ctx, c)),
        steps: steps(playbook, i, &consumers, exposed),
    }
}

fn subject(doc: &Doc<Identity>) -> Subject {
    let i = &doc.item;
    Subject {
        id: i.id.clone(),
        name: i.name.clone(),
        kind: i.kind,
        environment: i.environment,
        status: i.status,
        credential: i.credential.kind,
        system_of_record: i.system_of_record.clone(),
        external_id: i.external_id.clone(),
        vendor: i.vendor.clone(),
        last_rotated: i.last_rotation(),
        at: doc.source.place(),
    }
}

/// The owner or contact `id`: a Team (with its lead) or a Person.
pub fn contact(ctx: &Ctx<'_>, id: &str) -> Contact {
    if let Some(t) = ctx.teams.get(id) {
        return team_contact(ctx, &t.item);
    }
    if let Some(p) = ctx.persons.get(id) {
        return person_contact(&p.item);
    }
    Contact {
        id: id.to_string(),
        kind: "unknown",
        name: None,
        email: None,
        slack: None,
        github: None,
        active: false,
        lead: None,
    }
}

fn team_contact(ctx: &Ctx<'_>, t: &Team) -> Contact {
    let lead = t
        .lead
        .as_deref()
        .and_then(|l| ctx.persons.get(l))
        .map(|p| Box::new(person_contact(&p.item)));
    Contact {
        id: t.id.clone(),
        kind: "Team",
        name: t.name.clone(),
        email: t.email.clone(),
        slack: t.slack.clone(),
        github: t.github.clone(),
        active: true,
        lead,
    }
}

fn person_contact(p: &Person) -> Contact {
    Contact {
        id: p.id.clone(),
        kind: "Person",
        name: p.name.clone(),
        email: p.email.clone(),
        slack: p.slack.clone(),
        github: p.github.clone(),
        active: p.is_active(),
        lead: None,
    }
}

/// A consumer and the criticality of the system it is (`None` for a Person or an unknown id).
pub struct Consumer<'r> {
    id: &'r str,
    criticality: Option<Criticality>,
    person: bool,
}

/// `used_by`, most critical system first (with the old credential revoked they are all down; the most
/// critical comes back first), then people, each once.
fn consumers_in_order<'r>(ctx: &Ctx<'_>, i: &'r Identity) -> Vec<Consumer<'r>> {
    let mut out: Vec<Consumer<'r>> = Vec::new();
    for id in &i.used_by {
        if out.iter().any(|c| c.id == id) {
            continue;
        }
        let system = ctx.systems.get(id.as_str());
        out.push(Consumer {
            id,
            criticality: system.and_then(|s| s.item.criticality),
            person: system.is_none() && ctx.persons.contains_key(id.as_str()),
        });
    }
    out.sort_by(|a, b| {
        a.person
            .cmp(&b.person)
            .then(b.criticality.cmp(&a.criticality))
            .then(a.id.cmp(b.id))
    });
    out
}

/// Fills a playbook text's placeholders with the identity's facts.
fn fill(text: &str, i: &Identity) -> String {
    let or = |v: Option<&str>, none: &str| v.map_or_else(|| none.to_string(), |v| format!("`{v}`"));
    let stores = if i.credential.stores.is_empty() {
        "the secret store (none is recorded: add it to `credential.stores`)".to_string()
    } else {
        i.credential
            .stores
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    text.replace("{id}", &i.id)
        .replace(
            "{external_id}",
            &or(i.external_id.as_deref(), "no `external_id` recorded"),
        )
        .replace(
            "{system}",
            &or(i.system_of_record.as_deref(), "the issuing system"),
        )
        .replace("{stores}", &stores)
        .replace(
            "{last}",
            &i.last_rotation()
                .map_or_else(|| "it was issued".to_string(), |d| format!("{d}")),
        )
}

/// The steps, in order: disable, create and store, update each consumer, retire the old credential and
/// record the rotation, pull the logs and record the review, then rotate what was exposed with it.
fn steps(
    p: &Playbook,
    i: &Identity,
    consumers: &[Consumer<'_>],
    exposed: &[ReachedIdentity],
) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut push = |part: Part, about: Option<&str>, action: String, detail: String, record| {
        out.push(Step {
            order: out.len() + 1,
            action,
            detail,
            record,
            part,
            about: about.map(str::to_string),
        });
    };
    let id = &i.id;
    let rotated = match p.record {
        Record::Rotated => Some(format!("nhi rotated {id}")),
        Record::RotatedWithExpiry => Some(format!("nhi rotated {id} --expires NEW_EXPIRY")),
        Record::ReviewOnly => None,
    };
    push(
        Part::Disable,
        None,
        format!("Disable `{id}` first"),
        fill(p.disable, i),
        None,
    );
    if let Some(create) = p.create {
        push(
            Part::Create,
            None,
            "Create the replacement".into(),
            fill(create, i),
            None,
        );
        for c in consumers {
            let (part, action, detail) = if c.person {
                (
                    Part::Person,
                    format!("Take the secret away from the person `{}`", c.id),
                    PERSON_DETAIL.to_string(),
                )
            } else {
                let critical = c.criticality.map(|c| format!(" ({c})")).unwrap_or_default();
                (
                    Part::Consumer,
                    format!("Give `{}`{critical} the new credential", c.id),
                    CONSUMER_DETAIL.to_string(),
                )
            };
            push(part, Some(c.id), action, detail, None);
        }
        let retire = p.retire.map_or_else(
            || "Check that nothing still uses the old credential.".to_string(),
            |r| fill(r, i),
        );
        push(
            Part::Retire,
            None,
            "Retire the old credential".into(),
            retire,
            rotated,
        );
    }
    push(
        Part::Logs,
        None,
        "Pull the logs".into(),
        fill(p.logs, i),
        Some(format!(
            "nhi review {id} --by PERSON --note \"leak: logs reviewed\""
        )),
    );
    for r in exposed.iter().take(EXPOSED_STEPS) {
        push(
            Part::Exposed,
            Some(&r.id),
            format!("Rotate `{}`, exposed with it", r.id),
            format!(
                "Its credential was within reach: {}. Its own runbook: `nhi leak {}`.",
                r.explained, r.id
            ),
            Some(format!("nhi rotated {}", r.id)),
        );
    }
    if exposed.len() > EXPOSED_STEPS {
        let rest = exposed.len() - EXPOSED_STEPS;
        push(
            Part::ExposedRest,
            None,
            format!("Rotate the {rest} other identities exposed with it"),
            format!("Farther along the blast radius; `nhi leak {id} --format json` lists them all under `exposed`, nearest first."),
            None,
        );
    }
    push(
        Part::Decommission,
        None,
        "Or retire it for good".into(),
        format!("If `{id}` is no longer needed, decommission it instead of rotating: revoke the credential and remove its access everywhere."),
        Some(format!("nhi decommission {id}")),
    );
    out
}
