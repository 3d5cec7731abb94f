//! Writing back what an inventory export shows and what only moves forward: the last use of an identity,
//! the day its active key was issued (a rotation), a Person's departure. Never an identity's `status`,
//! never a deletion, never a value from a disagreement that needs a person (those stay `drift` findings).
//!
//! A source supplies its facts through one function, [`facts`]: the sources read into
//! [`crate::import::Record`]s share [`record_facts`]; a source with other facts (a directory export of
//! people) adds its own arm returning [`Update`]s; issuance logs (`cloudtrail`) give their last issuance
//! through [`issuance_facts`]. Afterwards `nhi drift` on the same export no longer
//! gives the notices the updates answer.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use rayon::prelude::*;

use crate::edit::{EditError, EditFile, Plan, Scalar};
use crate::import::{match_key, Export, Record};
use crate::model::{Doc, Identity, IdentityType, Kind, Registry, Source, Status};
use crate::report::trace::Traced;

/// One value to write: which document, which field, the new day and what was recorded before.
#[derive(Clone, Debug)]
pub struct Update {
    pub kind: Kind,
    pub id: String,
    pub source: Source,
    pub field: Field,
    pub value: Date,
    pub was: Option<Date>,
}

/// The fields sync writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// An identity's `last_used`.
    LastUsed,
    /// An identity's `credential.last_rotated`.
    LastRotated,
    /// A Person's `active: false` and `left_on`.
    Left,
}

impl Field {
    /// The field as the registry spells it.
    pub fn name(self) -> &'static str {
        match self {
            Field::LastUsed => "last_used",
            Field::LastRotated => "credential.last_rotated",
            Field::Left => "left_on",
        }
    }
}

/// Every update `export` supports against `registry`, dated no later than `as_of`.
pub fn facts(registry: &Registry, export: &Export, as_of: Date) -> Vec<Update> {
    // Every source so far reads into records; a source with facts of another shape adds its arm here.
    let mut declared: HashMap<String, &Doc<Identity>> =
        HashMap::with_capacity(registry.identities.len());
    for doc in &registry.identities {
        if let Some(ext) = doc.item.external_id.as_deref() {
            declared.entry(match_key(export.source, ext)).or_insert(doc);
        }
    }
    let mut out = Vec::new();
    for record in &export.records {
        if let Some(doc) = declared.get(&match_key(export.source, &record.external_id)) {
            out.extend(record_facts(doc, record).filter(|u| u.value <= as_of));
        }
    }
    out
}

/// Every `last_used` an issuance log supports (`nhi sync cloudtrail`): the day of each identity's last
/// credential issued, under the same rules as an export's last use (never after a retirement, only later
/// than recorded), dated no later than `as_of`.
pub fn issuance_facts(registry: &Registry, traced: &[Traced], as_of: Date) -> Vec<Update> {
    let by_id: HashMap<&str, &Doc<Identity>> = registry
        .identities
        .iter()
        .map(|d| (d.item.id.as_str(), d))
        .collect();
    let mut out = Vec::new();
    for t in traced {
        let (Some(doc), Some(last)) = (by_id.get(t.id.as_str()), t.last) else {
            continue;
        };
        let mut record = Record::new(
            t.external_id.clone(),
            t.id.clone(),
            t.id.clone(),
            doc.item.kind.unwrap_or(IdentityType::Workload),
            "",
            0,
        );
        // Issuance says nothing about keys: only the last use is a fact here.
        record.active = false;
        record.last_used = Some(last.to_zoned(jiff::tz::TimeZone::UTC).date());
        out.extend(record_facts(doc, &record).filter(|u| u.value <= as_of));
    }
    out
}

/// The departures a directory export shows (`crate::directory`): `active: false` and `left_on` for each
/// Person still active in the registry, on the day the directory gives, never later than `as_of`.
pub fn leaver_facts(
    registry: &Registry,
    left: &[crate::directory::Left],
    as_of: Date,
) -> Vec<Update> {
    left.iter()
        .filter_map(|l| {
            let doc = registry.persons.iter().find(|p| p.item.id == l.person)?;
            doc.item.is_active().then(|| Update {
                kind: Kind::Person,
                id: l.person.clone(),
                source: doc.source.clone(),
                field: Field::Left,
                value: l.on.min(as_of),
                was: doc.item.left_on,
            })
        })
        .collect()
}

/// What a record shows that moves an identity's facts forward, exactly where `nhi drift` asks a person to
/// "update `last_used`" or "record the rotation".
pub fn record_facts<'a>(
    doc: &'a Doc<Identity>,
    record: &Record,
) -> impl Iterator<Item = Update> + 'a {
    let identity = &doc.item;
    let retired = identity.status.unwrap_or(Status::Active) != Status::Active;
    let update = move |field, value, was| Update {
        kind: Kind::Identity,
        id: identity.id.clone(),
        source: doc.source.clone(),
        field,
        value,
        was,
    };
    let mut out = Vec::new();
    if let Some(used) = record.last_used {
        // A use after retirement is an incident for a person, not a fact to write down.
        let after_retirement = identity.retired_on().is_some_and(|day| used > day);
        if !after_retirement && identity.last_used.is_none_or(|r| used > r) {
            out.push(update(Field::LastUsed, used, identity.last_used));
        }
    }
    if record.active && !retired {
        let claimed = identity.last_rotation();
        if let Some(issued) = record.rotated.filter(|i| claimed.is_none_or(|c| *i > c)) {
            out.push(update(
                Field::LastRotated,
                issued,
                identity.credential.last_rotated,
            ));
        }
    }
    out.into_iter()
}

/// The plan that writes `updates`, file by file in parallel; one line per file, and the files that could
/// not be edited safely (nothing of theirs is written).
pub fn plan(root: &std::path::Path, updates: &[Update]) -> (Plan, Vec<String>, Vec<EditError>) {
    let mut by_file: BTreeMap<&str, Vec<&Update>> = BTreeMap::new();
    for u in updates {
        by_file.entry(&u.source.file).or_default().push(u);
    }
    let edited: Vec<Result<(EditFile, String), EditError>> = crate::timings::phase("plan", || {
        by_file
            .into_par_iter()
            .map(|(rel, updates)| edit_file(root, rel, &updates))
            .collect()
    });
    let mut plan = Plan::default();
    let (mut lines, mut refused) = (Vec::new(), Vec::new());
    for result in edited {
        match result {
            Ok((file, line)) if file.changed() => {
                lines.push(line);
                plan.add(file);
            }
            Ok(_) => {}
            Err(e) => refused.push(e),
        }
    }
    (plan, lines, refused)
}

fn edit_file(
    root: &std::path::Path,
    rel: &str,
    updates: &[&Update],
) -> Result<(EditFile, String), EditError> {
    let mut file = EditFile::open(&root.join(rel), rel)?;
    let mut notes = Vec::new();
    for u in updates {
        let doc = file.find(u.kind.name(), &u.id)?;
        let changed = match u.field {
            Field::LastUsed => {
                file.set_after(doc, "/last_used", u.value.into(), &["used_by", "access"])?
            }
            Field::LastRotated => file.set_after(
                doc,
                "/credential/last_rotated",
                u.value.into(),
                &["created", "kind"],
            )?,
            Field::Left => {
                let a = file.set_after(doc, "/active", Scalar::Bool(false), &["team", "email"])?;
                let b = file.get(doc, "/left_on").is_none()
                    && file.set_after(doc, "/left_on", u.value.into(), &["active"])?;
                a || b
            }
        };
        if changed {
            let was = u.was.map(|w| format!(" (was {w})")).unwrap_or_default();
            notes.push(format!("{} {} {}{was}", u.id, u.field.name(), u.value));
        }
    }
    file.seal();
    Ok((file, format!("{rel}: {}", notes.join("; "))))
}
