//! Decisions about exceptions: a request (a new, unapproved exception file), an approval, a renewal.

use jiff::civil::Date;

use super::{invalid, named, not_future, Refused, Workspace};
use crate::catalogue::RuleId;
use crate::day;
use crate::edit::Scalar;
use crate::id::is_id;
use crate::model::{Doc, Exception, Kind};

/// The findings an approval exists to clear, and those the gate would reject it for.
const APPROVAL_RULES: [RuleId; 4] = [
    RuleId::ExceptionUnapproved,
    RuleId::ExceptionSelfApproved,
    RuleId::ExceptionTooLong,
    RuleId::ExceptionExpired,
];

/// What `nhi new exception` was told.
#[derive(Clone, Debug)]
pub struct Request {
    pub id: String,
    pub rule: String,
    pub identities: Vec<String>,
    pub reason: String,
    pub requested_by: String,
    pub expires: Date,
    pub ticket: Option<String>,
}

/// `nhi new exception`: writes `exceptions/ID.yaml`, unapproved. Returns the file written.
pub fn request(ws: &mut Workspace, r: &Request, today: Date) -> Result<String, Refused> {
    for id in std::iter::once(&r.id).chain(&r.identities) {
        if !is_id(id) {
            return invalid(format!("`{id}` is not a valid id: lowercase letters, digits, `.`, `_` and `-`, at most 128 characters"));
        }
    }
    if ws.registry.exceptions.iter().any(|d| d.item.id == r.id) {
        return invalid(format!("an exception `{}` already exists", r.id));
    }
    match RuleId::parse(&r.rule) {
        None => {
            return invalid(format!(
                "`{}` is not a rule id (`nhi rules` lists them)",
                r.rule
            ))
        }
        Some(rule) if !rule.rule().waivable => {
            return invalid(format!("`{}` cannot be waived by an exception", r.rule))
        }
        Some(_) => {}
    }
    if r.identities.is_empty() {
        return invalid("an exception waives its rule for at least one identity (--identity)");
    }
    for id in &r.identities {
        ws.identity(id)?;
    }
    ws.active_person(&r.requested_by, "requester")?;
    let max = ws.registry.policy.max_exception_days;
    if r.expires < today {
        return invalid(format!(
            "it would have expired on {}, before today ({today})",
            r.expires
        ));
    }
    if r.expires > day::add(today, i64::from(max)) {
        return invalid(format!("it would run {} days from today; exceptions last at most {max} days (`max_exception_days`)", day::between(today, r.expires)));
    }
    let rel = format!("exceptions/{}.yaml", r.id);
    ws.create(
        &rel,
        &text(r),
        format!(
            "exception {} requested by {}, unapproved",
            r.id, r.requested_by
        ),
    )?;
    ws.gate(
        today,
        &[(Kind::Exception, &r.id)],
        &[
            RuleId::Schema,
            RuleId::UnknownReference,
            RuleId::DuplicateId,
        ],
    )?;
    Ok(rel)
}

fn text(r: &Request) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = format!(
        "kind: Exception\nid: {}\nrule: {}\nidentities: [{}]\nreason: {}\nrequested_by: {}\n",
        r.id,
        r.rule,
        r.identities.join(", "),
        quote(&r.reason),
        r.requested_by
    );
    out.push_str(&format!("expires: {}\n", r.expires));
    if let Some(t) = &r.ticket {
        out.push_str(&format!("ticket: {}\n", quote(t)));
    }
    out
}

fn exception<'w>(ws: &'w Workspace, id: &str) -> Result<&'w Doc<Exception>, Refused> {
    named(&ws.registry.exceptions, "exception", id, |e| &e.id)
}

/// `nhi approve EXC --by PERSON`: refused when the approval would not put it in force.
pub fn approve(
    ws: &mut Workspace,
    id: &str,
    by: &str,
    on: Date,
    today: Date,
) -> Result<(), Refused> {
    record_approval(ws, id, by, on, None, today)
}

/// `nhi renew EXC --expires DAY --by PERSON`: a new approval with a new expiry.
pub fn renew(
    ws: &mut Workspace,
    id: &str,
    expires: Date,
    by: &str,
    on: Date,
    today: Date,
) -> Result<(), Refused> {
    if expires <= on {
        return invalid(format!("a renewal on {on} cannot expire on {expires}"));
    }
    record_approval(ws, id, by, on, Some(expires), today)
}

fn record_approval(
    ws: &mut Workspace,
    id: &str,
    by: &str,
    on: Date,
    expires: Option<Date>,
    today: Date,
) -> Result<(), Refused> {
    not_future("the approval on", on, today)?;
    ws.active_person(by, "approver")?;
    let doc = exception(ws, id)?.clone();
    let note = match expires {
        Some(x) => format!("exception {id} renewed by {by} on {on} until {x}"),
        None => format!("exception {id} approved by {by} on {on}"),
    };
    let by = by.to_string();
    ws.edit(&doc.source, Kind::Exception, id, note, move |f, d| {
        let mut changed = false;
        if let Some(x) = expires {
            changed |= f.set(d, "/expires", x.into())?;
        }
        changed |= f.set_after(
            d,
            "/approved_by",
            Scalar::from(by.as_str()),
            &["requested_by", "reason"],
        )?;
        changed |= f.set_after(d, "/approved_on", on.into(), &["approved_by"])?;
        Ok(changed)
    });
    ws.gate(today, &[(Kind::Exception, id)], &APPROVAL_RULES)
}
