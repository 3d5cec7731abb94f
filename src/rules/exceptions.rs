//! Exceptions: the rules about them, whether each is in force, and the waiving of findings.
//!
//! An exception is in force when it is approved (by an active Person who is neither the requester nor a
//! member of the owning team of a waived identity, and, when the policy names `approvers`, a member of one
//! of them) and has not expired. Only such an exception waives, and
//! only its rule's findings on its identities.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::deadline::{self, Deadline};
use super::Ctx;
use crate::catalogue::{RuleId, DRIFT_RULES};
use crate::day;
use crate::finding::Finding;
use crate::model::{Doc, Exception, Kind};

fn at(rule: RuleId, doc: &Doc<Exception>, pointer: &str, message: String) -> Finding {
    Finding::at(
        rule,
        Kind::Exception,
        &doc.item.id,
        &doc.source,
        pointer,
        message,
    )
    .on_value()
}

/// The reason an exception's approval does not count, if any: `(rule, pointer, message)`.
fn approval_problem(ctx: &Ctx<'_>, e: &Exception) -> Option<(RuleId, &'static str, String)> {
    let (Some(approver), Some(_)) = (e.approved_by.as_deref(), e.approved_on) else {
        let missing = if e.approved_by.is_none() {
            "approved_by"
        } else {
            "approved_on"
        };
        return Some((
            RuleId::ExceptionUnapproved,
            "/approved_by",
            format!("not approved: `{missing}` is missing, so it waives nothing"),
        ));
    };
    let person = ctx.persons.get(approver).filter(|p| p.item.is_active());
    let Some(person) = person else {
        let message = format!(
            "approver `{approver}` is not an active Person, so the exception waives nothing"
        );
        return Some((RuleId::ExceptionUnapproved, "/approved_by", message));
    };
    let approvers = &ctx.policy.approvers;
    let qualified = approvers.iter().any(|a| {
        a == approver
            || (ctx.teams.contains_key(a.as_str()) && person.item.team.as_deref() == Some(a))
    });
    if !approvers.is_empty() && !qualified {
        let message = format!(
            "approver `{approver}` is not one of the policy's approvers ({}), so the exception waives nothing",
            approvers.join(", ")
        );
        return Some((RuleId::ExceptionUnapproved, "/approved_by", message));
    }
    if e.requested_by.as_deref() == Some(approver) {
        return Some((
            RuleId::ExceptionSelfApproved,
            "/approved_by",
            format!("`{approver}` both requested and approved it"),
        ));
    }
    for id in &e.identities {
        let Some(owner) = ctx
            .identities
            .get(id.as_str())
            .and_then(|i| i.item.owner.as_deref())
        else {
            continue;
        };
        if owner == approver || person.item.team.as_deref() == Some(owner) {
            let message = format!("approver `{approver}` belongs to `{owner}`, the owner of `{id}`: someone outside the owning team must approve");
            return Some((RuleId::ExceptionSelfApproved, "/approved_by", message));
        }
    }
    None
}

/// Whether the exception is in force on the day.
pub fn in_force(ctx: &Ctx<'_>, e: &Exception) -> bool {
    let current = deadline::exception_expiry(e).is_some_and(|d| !d.overdue(ctx.as_of));
    current && approval_problem(ctx, e).is_none()
}

/// `exception-expired`, `-expiring`, `-unapproved`, `-self-approved` and `-too-long`.
pub fn rules(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for doc in &ctx.registry.exceptions {
        let e = &doc.item;
        if let Some(deadline @ Deadline::On(expires)) = deadline::exception_expiry(e) {
            let left = day::between(ctx.as_of, expires);
            if deadline.overdue(ctx.as_of) {
                let message = format!("expired on {expires}, {} day(s) ago: it waives nothing; fix the finding or renew the approval", -left);
                out.push(at(RuleId::ExceptionExpired, doc, "/expires", message));
            } else if left <= i64::from(ctx.policy.expiry_warning_days) {
                out.push(at(
                    RuleId::ExceptionExpiring,
                    doc,
                    "/expires",
                    format!("expires on {expires}, in {left} day(s)"),
                ));
            }
        }
        if let Some((rule, pointer, message)) = approval_problem(ctx, e) {
            out.push(at(rule, doc, pointer, message));
        }
        if let (Some(approved), Some(expires)) = (e.approved_on, e.expires) {
            let max = ctx.policy.max_exception_days;
            if expires > day::add(approved, i64::from(max)) {
                let length = day::between(approved, expires);
                let message = format!("runs {length} days from its approval on {approved}; exceptions last at most {max} days");
                out.push(at(RuleId::ExceptionTooLong, doc, "/expires", message));
            }
        }
    }
}

/// The exceptions in force on the day, by id, and which of them waives each (rule, identity): the first by
/// id. Built once; one lookup per finding (or per obligation `nhi due` lists), however many there are.
pub struct Waivers<'r> {
    forced: Vec<&'r Doc<Exception>>,
    by_target: HashMap<(&'r str, &'r str), &'r Doc<Exception>>,
}

impl<'r> Waivers<'r> {
    pub fn new(ctx: &Ctx<'r>) -> Waivers<'r> {
        let mut forced: Vec<&Doc<Exception>> = ctx
            .registry
            .exceptions
            .iter()
            .filter(|d| in_force(ctx, &d.item))
            .collect();
        forced.sort_by(|a, b| a.item.id.cmp(&b.item.id));
        let mut by_target = HashMap::new();
        for d in &forced {
            let rule = d.item.rule.as_deref().unwrap_or("");
            for identity in &d.item.identities {
                by_target.entry((rule, identity.as_str())).or_insert(*d);
            }
        }
        Waivers { forced, by_target }
    }

    /// The exception in force that waives `rule`'s findings on the identity `id`, if the rule is waivable.
    pub fn of(&self, rule: RuleId, id: &str) -> Option<&'r Doc<Exception>> {
        if !rule.rule().waivable {
            return None;
        }
        self.by_target.get(&(rule.as_str(), id)).copied()
    }
}

/// Marks the findings that exceptions in force waive, and returns `exception-unused` for those that
/// waive nothing.
pub fn waive(ctx: &Ctx<'_>, findings: &mut [Finding]) -> Vec<Finding> {
    let mut used: HashSet<&str> = HashSet::new();
    let waivers = Waivers::new(ctx);
    for finding in findings
        .iter_mut()
        .filter(|f| f.subject.kind == Kind::Identity.name())
    {
        if let Some(doc) = waivers.of(finding.rule, &finding.subject.id) {
            finding.waived_by = Some(doc.item.id.clone());
            used.insert(&doc.item.id);
        }
    }
    waivers
        .forced
        .iter()
        .filter(|d| !used.contains(d.item.id.as_str()))
        .filter(|d| {
            !d.item
                .rule
                .as_deref()
                .and_then(RuleId::parse)
                .is_some_and(|r| DRIFT_RULES.contains(&r))
        })
        .map(|d| {
            let rule = d.item.rule.as_deref().unwrap_or("");
            let why = match RuleId::parse(rule).map(RuleId::rule) {
                Some(r) if !r.waivable => format!("`{rule}` cannot be waived"),
                _ => format!(
                    "no `{rule}` finding on {} remains",
                    listed(&d.item.identities)
                ),
            };
            at(
                RuleId::ExceptionUnused,
                d,
                "/rule",
                format!("in force but waives nothing ({why}): delete it"),
            )
        })
        .collect()
}

/// Up to five ids, then how many more: a message stays one line however long the list.
fn listed(ids: &[String]) -> String {
    match ids.len() {
        0..=5 => ids.join(", "),
        n => format!("{} and {} more", ids[..5].join(", "), n - 5),
    }
}
