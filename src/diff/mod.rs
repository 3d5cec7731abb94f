//! What a change does to the registry: identities added, removed and changed, access gained and lost, blast
//! radius before and after, findings introduced and fixed. The pull-request view of `nhi diff`.
//!
//! Both sides are checked as of the same day, so a finding that differs is the change's doing.

pub mod blast;
pub mod fields;
pub mod headline;
pub mod sides;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;

use crate::finding::{Finding, RuleId, Severity};
use crate::model::{
    Criticality, Doc, Environment, Identity, IdentityType, Level, Registry, Status,
};
use crate::Checked;
use blast::Reach;
pub use fields::FieldChange;

/// The whole comparison, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// The base revision as given.
    pub base: String,
    /// The commit it resolved to.
    pub base_commit: Option<String>,
    /// False when the base revision has no registry (everything is added).
    pub base_exists: bool,
    pub as_of: Date,
    /// One sentence a reviewer reads first.
    pub headline: String,
    pub identities: IdentityChanges,
    pub access: AccessChanges,
    pub blast_radius: Vec<BlastChange>,
    pub findings: FindingChanges,
}

#[derive(Debug, Default, Serialize)]
pub struct IdentityChanges {
    pub added: Vec<IdentityRef>,
    pub removed: Vec<IdentityRef>,
    pub changed: Vec<ChangedIdentity>,
}

/// An identity as listed when added or removed.
#[derive(Debug, Serialize)]
pub struct IdentityRef {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Option<IdentityType>,
    pub owner: Option<String>,
    pub environment: Option<Environment>,
    pub status: Option<Status>,
    pub purpose: Option<String>,
    pub file: String,
}

/// An identity present on both sides whose document changed, field by field.
#[derive(Debug, Serialize)]
pub struct ChangedIdentity {
    pub id: String,
    pub file: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Default, Serialize)]
pub struct AccessChanges {
    pub gained: Vec<AccessChange>,
    pub lost: Vec<AccessChange>,
}

/// One identity's level on one system before and after (`None`: no access).
#[derive(Debug, Serialize)]
pub struct AccessChange {
    pub identity: String,
    pub system: String,
    pub before: Option<Level>,
    pub after: Option<Level>,
    pub criticality: Option<Criticality>,
}

impl AccessChange {
    /// Admin first, then critical systems, then by identity and system.
    fn order_key(&self) -> (bool, Reverse<Option<Criticality>>, &str, &str) {
        let admin = self.before == Some(Level::Admin) || self.after == Some(Level::Admin);
        (
            !admin,
            Reverse(self.criticality),
            &self.identity,
            &self.system,
        )
    }
}

/// The reach of an identity before and after (`None`: the identity does not exist on that side).
#[derive(Debug, Serialize)]
pub struct BlastChange {
    pub identity: String,
    pub before: Option<Reach>,
    pub after: Option<Reach>,
    /// True when the identity's own document did not change: its reach changed through the graph.
    pub indirect: bool,
}

impl BlastChange {
    pub fn score_delta(&self) -> i64 {
        i64::from(self.after.map_or(0, |r| r.score)) - i64::from(self.before.map_or(0, |r| r.score))
    }
}

#[derive(Debug, Default, Serialize)]
pub struct FindingChanges {
    pub introduced: Vec<FindingRef>,
    pub fixed: Vec<FindingRef>,
    /// Findings on both sides that an exception now waives.
    pub waived: Vec<FindingRef>,
    /// Findings on both sides that no exception waives any more.
    pub unwaived: Vec<FindingRef>,
}

/// A finding as the diff lists it (the side it comes from: head, except for fixed ones).
#[derive(Clone, Debug, Serialize)]
pub struct FindingRef {
    pub rule: RuleId,
    pub severity: Severity,
    pub waived_by: Option<String>,
    pub kind: &'static str,
    pub id: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub pointer: String,
    pub message: String,
}

impl From<&Finding> for FindingRef {
    fn from(f: &Finding) -> FindingRef {
        FindingRef {
            rule: f.rule,
            severity: f.severity,
            waived_by: f.waived_by.clone(),
            kind: f.subject.kind,
            id: f.subject.id.clone(),
            file: f.file.to_string(),
            line: f.pos.line.get(),
            column: f.pos.column.get(),
            pointer: f.pointer.clone(),
            message: f.message.clone(),
        }
    }
}

/// Where the base side came from.
pub struct Base<'a> {
    pub rev: &'a str,
    pub commit: Option<String>,
    /// `None` when the base revision has no registry.
    pub checked: Option<&'a Checked>,
}

/// Compares the registry at the base revision with the working tree.
pub fn compare(base: Base<'_>, head: &Checked) -> Diff {
    let empty = Registry::default();
    let base_registry = base.checked.map_or(&empty, |c| &c.registry);
    let identities = identity_changes(base_registry, &head.registry);
    let access = access_changes(base_registry, &head.registry, &identities);
    let blast_radius = blast_changes(base_registry, &head.registry, &identities);
    let findings = finding_changes(
        base.checked.map_or(&[][..], |c| &c.findings),
        &head.findings,
    );
    let mut diff = Diff {
        base: base.rev.to_string(),
        base_commit: base.commit,
        base_exists: base.checked.is_some(),
        as_of: head.as_of,
        headline: String::new(),
        identities,
        access,
        blast_radius,
        findings,
    };
    diff.headline = headline::headline(&diff, &|id| id.to_string());
    diff
}

/// The first document of each identity id.
fn by_id(registry: &Registry) -> BTreeMap<&str, &Doc<Identity>> {
    let mut map = BTreeMap::new();
    for doc in &registry.identities {
        map.entry(doc.item.id.as_str()).or_insert(doc);
    }
    map
}

fn identity_ref(doc: &Doc<Identity>) -> IdentityRef {
    let i = &doc.item;
    IdentityRef {
        id: i.id.clone(),
        kind: i.kind,
        owner: i.owner.clone(),
        environment: i.environment,
        status: i.status,
        purpose: i.purpose.clone(),
        file: doc.source.file.to_string(),
    }
}

fn identity_changes(base: &Registry, head: &Registry) -> IdentityChanges {
    let (before, after) = (by_id(base), by_id(head));
    let mut out = IdentityChanges::default();
    for (id, doc) in &after {
        match before.get(id) {
            None => out.added.push(identity_ref(doc)),
            // The same document (most of them, in a pull request): no field to compare.
            Some(old) if old.item == doc.item && old.source.file == doc.source.file => {}
            Some(old) => {
                let fields = fields::changes(old, doc);
                if !fields.is_empty() {
                    out.changed.push(ChangedIdentity {
                        id: id.to_string(),
                        file: doc.source.file.to_string(),
                        fields,
                    });
                }
            }
        }
    }
    out.removed = before
        .iter()
        .filter(|(id, _)| !after.contains_key(*id))
        .map(|(_, doc)| identity_ref(doc))
        .collect();
    out
}

/// The highest level each of the identities `ids` holds on each system.
fn levels<'r>(registry: &'r Registry, ids: &BTreeSet<&str>) -> BTreeMap<(&'r str, &'r str), Level> {
    let mut map = BTreeMap::new();
    for (id, doc) in by_id(registry)
        .into_iter()
        .filter(|(id, _)| ids.contains(id))
    {
        for a in &doc.item.access {
            if let Some(level) = a.level {
                let entry = map.entry((id, a.system.as_str())).or_insert(level);
                *entry = (*entry).max(level);
            }
        }
    }
    map
}

/// The access changes of the identities `identities` lists: an identity's access is in its own document, so
/// only a document added, removed or changed can change it.
fn access_changes(base: &Registry, head: &Registry, identities: &IdentityChanges) -> AccessChanges {
    let touched: BTreeSet<&str> = touched(identities);
    let (before, after) = (levels(base, &touched), levels(head, &touched));
    let criticality: HashMap<&str, Criticality> = base
        .systems
        .iter()
        .chain(&head.systems)
        .filter_map(|s| Some((s.item.id.as_str(), s.item.criticality?)))
        .collect();
    let keys: BTreeSet<(&str, &str)> = before.keys().chain(after.keys()).copied().collect();
    let mut out = AccessChanges::default();
    for key @ (identity, system) in keys {
        let (b, a) = (before.get(&key).copied(), after.get(&key).copied());
        if a == b {
            continue;
        }
        let change = AccessChange {
            identity: identity.to_string(),
            system: system.to_string(),
            before: b,
            after: a,
            criticality: criticality.get(system).copied(),
        };
        if a > b {
            out.gained.push(change);
        } else {
            out.lost.push(change);
        }
    }
    out.gained.sort_by(|x, y| x.order_key().cmp(&y.order_key()));
    out.lost.sort_by(|x, y| x.order_key().cmp(&y.order_key()));
    out
}

fn blast_changes(
    base: &Registry,
    head: &Registry,
    identities: &IdentityChanges,
) -> Vec<BlastChange> {
    let (before, after) = rayon::join(|| blast::reach_all(base), || blast::reach_all(head));
    let touched = touched(identities);
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out: Vec<BlastChange> = ids
        .into_iter()
        .filter_map(|id| {
            let (b, a) = (before.get(id).copied(), after.get(id).copied());
            let own = touched.contains(id.as_str());
            (own || a != b).then(|| BlastChange {
                identity: id.clone(),
                before: b,
                after: a,
                indirect: !own,
            })
        })
        .collect();
    out.sort_by(|x, y| {
        x.score_delta()
            .abs()
            .cmp(&y.score_delta().abs())
            .reverse()
            .then_with(|| x.identity.cmp(&y.identity))
    });
    out
}

/// The ids of the identities added, removed or changed.
fn touched(identities: &IdentityChanges) -> BTreeSet<&str> {
    identities
        .added
        .iter()
        .chain(&identities.removed)
        .map(|i| i.id.as_str())
        .chain(identities.changed.iter().map(|c| c.id.as_str()))
        .collect()
}

/// What makes two findings the same across revisions: rule, subject and place in the document (not the
/// message, which may carry dates and counts). A finding about a file itself is keyed by that file.
type Key<'f> = (RuleId, &'static str, &'f str, &'f str, &'f str);

fn key(f: &Finding) -> Key<'_> {
    let file = if f.subject.kind == "File" {
        &*f.file
    } else {
        ""
    };
    (f.rule, f.subject.kind, &f.subject.id, &f.pointer, file)
}

fn finding_changes(base: &[Finding], head: &[Finding]) -> FindingChanges {
    fn group(findings: &[Finding]) -> BTreeMap<Key<'_>, Vec<&Finding>> {
        let mut map: BTreeMap<Key<'_>, Vec<&Finding>> = BTreeMap::new();
        for f in findings {
            map.entry(key(f)).or_default().push(f);
        }
        map
    }
    let (before, after) = (group(base), group(head));
    let mut out = FindingChanges::default();
    for (k, now) in &after {
        let was = before.get(k).map_or(&[][..], Vec::as_slice);
        out.introduced
            .extend(now.iter().skip(was.len()).map(|f| FindingRef::from(*f)));
        if let (Some(old), Some(new)) = (was.first(), now.first()) {
            match (&old.waived_by, &new.waived_by) {
                (None, Some(_)) => out.waived.push(FindingRef::from(*new)),
                (Some(_), None) => out.unwaived.push(FindingRef::from(*new)),
                _ => {}
            }
        }
    }
    for (k, was) in &before {
        let now = after.get(k).map_or(0, Vec::len);
        out.fixed
            .extend(was.iter().skip(now).map(|f| FindingRef::from(*f)));
    }
    for list in [
        &mut out.introduced,
        &mut out.fixed,
        &mut out.waived,
        &mut out.unwaived,
    ] {
        list.sort_by(|a, b| {
            (a.waived_by.is_some(), a.severity, &a.file, a.line, a.rule).cmp(&(
                b.waived_by.is_some(),
                b.severity,
                &b.file,
                b.line,
                b.rule,
            ))
        });
    }
    out
}
