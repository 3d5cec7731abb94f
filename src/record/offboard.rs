//! A departure, recorded: the Person leaves, what they own goes to a team that still has people, and where
//! they were the technical contact the team's lead takes over (or the contact is removed).

use jiff::civil::Date;

use super::{invalid, named, not_future, Refused, Workspace};
use crate::catalogue::RuleId;
use crate::edit::Scalar;
use crate::model::{Kind, Source};

/// What an offboarding changed: identities and systems handed over, contacts replaced or removed.
#[derive(Debug, Default)]
pub struct Handover {
    pub owned: Vec<String>,
    pub systems: Vec<String>,
    pub contacts: Vec<String>,
}

/// `nhi offboard PERSON --to TEAM`: refused when TEAM has no other active member.
pub fn offboard(
    ws: &mut Workspace,
    person: &str,
    team: &str,
    on: Date,
    today: Date,
) -> Result<Handover, Refused> {
    not_future("the departure on", on, today)?;
    let leaver = named(&ws.registry.persons, "Person", person, |p| &p.id)?.clone();
    let to = named(&ws.registry.teams, "Team", team, |t| &t.id)?.clone();
    let staffed =
        ws.registry.persons.iter().any(|p| {
            p.item.id != person && p.item.is_active() && p.item.team.as_deref() == Some(team)
        });
    if !staffed {
        return invalid(format!("`{team}` has no other active member: what `{person}` owns would be orphaned (a Team with no active member)"));
    }
    // The lead takes over as contact when someone is there to answer.
    let lead = to.item.lead.clone().filter(|lead| {
        lead != person
            && ws
                .registry
                .persons
                .iter()
                .any(|p| &p.item.id == lead && p.item.is_active())
    });

    if leaver.item.is_active() || leaver.item.left_on.is_none() {
        let note = format!("{person} left on {on}");
        ws.edit(&leaver.source, Kind::Person, person, note, move |f, d| {
            let mut changed = f.set_after(d, "/active", false.into(), &["team", "email"])?;
            if f.get(d, "/left_on").is_none() {
                changed |= f.set_after(d, "/left_on", on.into(), &["active"])?;
            }
            Ok(changed)
        });
    }

    let mut handover = Handover::default();
    let identities: Vec<(Source, String, bool, bool)> = ws
        .registry
        .identities
        .iter()
        .map(|d| {
            let owns = d.item.owner.as_deref() == Some(person);
            let contact = d.item.contact.as_deref() == Some(person);
            (d.source.clone(), d.item.id.clone(), owns, contact)
        })
        .filter(|(_, _, owns, contact)| *owns || *contact)
        .collect();
    for (source, id, owns, contact) in identities {
        let mut what = Vec::new();
        if owns {
            what.push(format!("owner {team}"));
            handover.owned.push(id.clone());
        }
        if contact {
            what.push(match &lead {
                Some(lead) => format!("contact {lead}"),
                None => "contact removed".to_string(),
            });
            handover.contacts.push(id.clone());
        }
        let note = format!("{id}: {}", what.join(", "));
        let (team, lead) = (team.to_string(), lead.clone());
        ws.edit(&source, Kind::Identity, &id, note, move |f, d| {
            let mut changed = false;
            if owns {
                changed |= f.set(d, "/owner", Scalar::from(team.as_str()))?;
            }
            if contact {
                changed |= match &lead {
                    Some(lead) => f.set(d, "/contact", Scalar::from(lead.as_str()))?,
                    None => f.remove(d, "/contact")?,
                };
            }
            Ok(changed)
        });
    }
    let systems: Vec<(Source, String)> = ws
        .registry
        .systems
        .iter()
        .filter(|s| s.item.owner.as_deref() == Some(person))
        .map(|s| (s.source.clone(), s.item.id.clone()))
        .collect();
    for (source, id) in systems {
        handover.systems.push(id.clone());
        let team = team.to_string();
        ws.edit(
            &source,
            Kind::System,
            &id,
            format!("{id}: owner {team}"),
            move |f, d| f.set(d, "/owner", Scalar::from(team.as_str())),
        );
    }
    let mut subjects: Vec<(Kind, &str)> = handover
        .owned
        .iter()
        .chain(&handover.contacts)
        .map(|i| (Kind::Identity, i.as_str()))
        .collect();
    subjects.extend(handover.systems.iter().map(|s| (Kind::System, s.as_str())));
    let rules = [
        RuleId::Orphaned,
        RuleId::ContactLeft,
        RuleId::UnknownReference,
    ];
    let subjects: Vec<(Kind, String)> = subjects
        .into_iter()
        .map(|(k, s)| (k, s.to_string()))
        .collect();
    let borrowed: Vec<(Kind, &str)> = subjects.iter().map(|(k, s)| (*k, s.as_str())).collect();
    ws.gate(today, &borrowed, &rules)?;
    Ok(handover)
}
