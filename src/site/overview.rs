//! The context of the pages about the whole registry: the dashboard, the lists, findings, exceptions and
//! the compliance mapping.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::index::{Site, CHART_WEEKS};
use super::pages::{due_item, finding, identity_row, web_link};
use super::svg;
use crate::catalogue::{self, Rule, RuleId, NIST, OWASP};
use crate::day;
use crate::due::What;
use crate::finding::{Finding, Severity};
use crate::model::{Environment, IdentityType, Status};

/// Pages at the site root.
pub const TOP: &str = "";
/// The most rows a list page shows; the downloads and search hold everything.
pub const LIST_LIMIT: usize = 5_000;
/// The most entries each list of the dashboard shows.
const DASHBOARD_LIMIT: usize = 50;
/// The most failing subjects the compliance page names per rule.
const FAILING_SHOWN: usize = 25;

fn counts<T: Copy + Ord + std::fmt::Display>(
    all: &[T],
    values: impl Iterator<Item = Option<T>>,
) -> Vec<Value> {
    let mut map: BTreeMap<Option<T>, usize> = BTreeMap::new();
    for v in values {
        *map.entry(v).or_default() += 1;
    }
    let mut out: Vec<Value> = all
        .iter()
        .filter_map(|t| {
            map.get(&Some(*t))
                .map(|n| json!({"label": t.to_string(), "count": n}))
        })
        .collect();
    if let Some(n) = map.get(&None) {
        out.push(json!({"label": "(not set)", "count": n}));
    }
    out
}

fn open_of_rule<'a>(site: &'a Site<'_>, rule: RuleId) -> impl Iterator<Item = &'a Finding> {
    site.checked.findings.iter().filter(move |f| f.rule == rule)
}

fn rule_bars(site: &Site<'_>, root: &str) -> String {
    // Per rule: open, waived, the worst open severity (or any severity when all are waived).
    let mut by_rule: BTreeMap<RuleId, (usize, usize, Option<Severity>, Severity)> = BTreeMap::new();
    for f in &site.checked.findings {
        let e = by_rule.entry(f.rule).or_insert((0, 0, None, f.severity));
        if f.waived_by.is_some() {
            e.1 += 1;
        } else {
            e.0 += 1;
            e.2 = Some(e.2.map_or(f.severity, |s| s.min(f.severity)));
        }
    }
    let mut rows: Vec<(RuleId, (usize, usize, Severity))> = by_rule
        .into_iter()
        .map(|(rule, (open, waived, worst, any))| (rule, (open, waived, worst.unwrap_or(any))))
        .collect();
    // Open findings first, by severity and count; rules whose findings are all waived last.
    rows.sort_by_key(|&(rule, (open, waived, sev))| {
        (
            open == 0,
            sev,
            std::cmp::Reverse(open),
            std::cmp::Reverse(waived),
            rule,
        )
    });
    let bars: Vec<svg::Bar<'_>> = rows
        .iter()
        .map(|(rule, (open, waived, sev))| svg::Bar {
            label: rule.as_str(),
            href: Some(format!("{root}findings.html?filter={rule}")),
            class: match sev {
                Severity::Error => "sev-error",
                Severity::Warning => "sev-warning",
                Severity::Notice => "sev-notice",
            },
            open: *open,
            waived: *waived,
        })
        .collect();
    if bars.is_empty() {
        String::new()
    } else {
        svg::bars("Findings by rule", &bars)
    }
}

fn weeks_chart(site: &Site<'_>) -> String {
    let as_of = site.checked.as_of;
    let labels: Vec<String> = (0..CHART_WEEKS)
        .map(|w| day::add(as_of, w * 7).strftime("%b %d").to_string())
        .collect();
    // One count per obligation, however many owners share it (an exception waiving several teams' identities).
    let mut seen = BTreeSet::new();
    let obligations: Vec<_> = site
        .due()
        .filter(|d| seen.insert((d.what, d.kind(), d.id())))
        .collect();
    let series: Vec<svg::Series<'_>> = What::ALL
        .iter()
        .map(|kind| {
            let mut values = vec![0; labels.len()];
            for d in obligations.iter().filter(|d| d.what == *kind) {
                let day = d.deadline.day().unwrap_or(as_of);
                let week = usize::try_from(site.days_until(day) / 7)
                    .unwrap_or(0)
                    .min(labels.len() - 1);
                values[week] += 1;
            }
            svg::Series {
                name: kind.label(),
                class: kind.class(),
                values,
            }
        })
        .collect();
    svg::stacked_columns("What falls due, by week", &labels, &series)
}

fn rule_subjects<'a>(site: &'a Site<'_>, rule: RuleId) -> Vec<(&'a str, &'a str, bool)> {
    let mut subjects: BTreeMap<(&str, &str), bool> = BTreeMap::new();
    for f in open_of_rule(site, rule) {
        let open = subjects
            .entry((f.subject.kind, f.subject.id.as_str()))
            .or_insert(false);
        *open |= f.waived_by.is_none();
    }
    subjects
        .into_iter()
        .map(|((k, id), open)| (k, id, open))
        .collect()
}

pub fn dashboard(site: &Site<'_>) -> Value {
    let root = TOP;
    let registry = &site.checked.registry;
    let ids = &registry.identities;
    let top: Vec<Value> = site
        .blast_ranking
        .iter()
        .filter(|s| s.score > 0)
        .take(10)
        .map(|s| json!({"identity": site.identity_link(&s.identity, root), "score": s.score, "systems": s.systems, "critical": s.critical, "highest": s.highest, "identities": s.identities}))
        .collect();
    // Each list shows at most DASHBOARD_LIMIT entries, with the total.
    let list = |items: Vec<Value>| -> Value {
        let total = items.len();
        json!({"items": items.into_iter().take(DASHBOARD_LIMIT).collect::<Vec<_>>(), "total": total, "more": total.saturating_sub(DASHBOARD_LIMIT)})
    };
    let of_rule = |rule: RuleId| {
        list(
            open_of_rule(site, rule)
                .map(|f| finding(site, f, root))
                .collect(),
        )
    };
    let soon = list(site.due_soon().map(|d| due_item(site, d, root)).collect());
    let mut seen = BTreeSet::new();
    let exceptions_ending = list(
        site.due_soon()
            .filter(|d| d.what == What::ExceptionExpiry && seen.insert(d.id()))
            .map(|d| due_item(site, d, root))
            .collect(),
    );
    json!({
        "root": root,
        "title": "Dashboard",
        "totals": {
            "identities": ids.len(), "active": ids.iter().filter(|d| d.item.is_active()).count(),
            "owners": registry.teams.len() + registry.persons.len(), "teams": registry.teams.len(),
            "persons": registry.persons.len(), "systems": registry.systems.len(), "exceptions": registry.exceptions.len(),
            "in_force": site.exceptions.iter().filter(|e| site.in_force(&e.item)).count(),
        },
        "by_type": counts(IdentityType::ALL, ids.iter().map(|d| d.item.kind)),
        "by_status": counts(Status::ALL, ids.iter().map(|d| d.item.status)),
        "by_environment": counts(Environment::ALL, ids.iter().map(|d| d.item.environment)),
        "rule_bars": rule_bars(site, root),
        "weeks_chart": weeks_chart(site),
        "soon": soon,
        "orphaned": of_rule(RuleId::Orphaned),
        "dormant": of_rule(RuleId::Dormant),
        "exceptions_ending": exceptions_ending,
        "expired_exceptions": of_rule(RuleId::ExceptionExpired),
        "top_blast": top,
    })
}

pub fn identities(site: &Site<'_>) -> Value {
    let rows: Vec<Value> = site
        .identity_pages
        .iter()
        .take(LIST_LIMIT)
        .map(|d| identity_row(site, d, TOP))
        .collect();
    json!({"root": TOP, "title": "Identities", "rows": rows, "total": site.identity_pages.len(), "limit": LIST_LIMIT})
}

pub fn owners(site: &Site<'_>) -> Value {
    let owned = |id: &str| site.ownership.owned_by.get(id).map_or(0, Vec::len);
    let open = |id: &str| -> usize {
        site.ownership.owned_by.get(id).map_or(0, |docs| {
            docs.iter().map(|d| site.tally(&d.item.id).0).sum()
        })
    };
    let teams: Vec<Value> = site.team_pages.iter().map(|t| json!({
        "id": site.owner_link(&t.item.id, TOP), "name": t.item.name, "owned": owned(&t.item.id), "open": open(&t.item.id),
        "members": site.ownership.members.get(t.item.id.as_str()).map_or(0, Vec::len), "staffed": site.ctx.staffed.contains(t.item.id.as_str()),
    })).collect();
    let persons: Vec<Value> = site.person_pages.iter().map(|p| json!({
        "id": site.owner_link(&p.item.id, TOP), "name": p.item.name, "owned": owned(&p.item.id), "open": open(&p.item.id),
        "team": p.item.team.as_deref().map(|t| site.owner_link(t, TOP)), "active": p.item.is_active(),
        "contact_for": site.ownership.contact_for.get(p.item.id.as_str()).map_or(0, Vec::len),
    })).collect();
    json!({"root": TOP, "title": "Owners", "teams": teams, "persons": persons})
}

pub fn systems(site: &Site<'_>) -> Value {
    let rows: Vec<Value> = site.system_pages.iter().map(|s| {
        let reach = site.ownership.access_to.get(s.item.id.as_str()).map_or(0, Vec::len);
        let admin = site.ownership.access_to.get(s.item.id.as_str()).map_or(0, |v| v.iter().filter(|(_, a)| a.level == Some(crate::model::Level::Admin)).count());
        json!({
            "id": site.system_link(&s.item.id, TOP), "name": s.item.name, "type": s.item.kind, "criticality": s.item.criticality,
            "crit_rank": s.item.criticality.map_or(0, |c| c as u8 + 1),
            "environment": s.item.environment, "owner": s.item.owner.as_deref().map(|o| site.owner_link(o, TOP)),
            "reached_by": reach, "admin": admin, "stores": site.ownership.stored_in.get(s.item.id.as_str()).map_or(0, Vec::len),
        })
    }).collect();
    json!({"root": TOP, "title": "Systems", "rows": rows})
}

pub fn findings(site: &Site<'_>) -> Value {
    // Rows for the listed findings only: at a million identities there are hundreds of thousands.
    let mut first: Vec<_> = site.checked.findings.iter().collect();
    let total = first.len();
    super::pages::sort_findings(&mut first);
    first.truncate(LIST_LIMIT);
    let rows = first
        .iter()
        .map(|f| super::pages::finding(site, f, TOP))
        .collect::<Vec<_>>();
    json!({
        "root": TOP, "title": "Findings", "counts": site.checked.counts(), "total": total, "limit": LIST_LIMIT,
        "rows": rows, "rule_bars": rule_bars(site, TOP),
        "gate_fails": site.checked.fails(false),
    })
}

pub fn exceptions(site: &Site<'_>) -> Value {
    let rows: Vec<Value> = site
        .exceptions
        .iter()
        .map(|d| exception(site, d, TOP))
        .collect();
    json!({"root": TOP, "title": "Exceptions", "rows": rows})
}

/// One exception as its row on the Exceptions page and its own page show it, with links from `root`.
pub fn exception(
    site: &Site<'_>,
    d: &crate::model::Doc<crate::model::Exception>,
    root: &str,
) -> Value {
    let e = &d.item;
    let status = if site.in_force(e) {
        "in force"
    } else if e.expires.is_some_and(|x| x < site.checked.as_of) {
        "expired"
    } else {
        "not in force"
    };
    let valid = crate::id::is_id(&e.id);
    json!({
        "id": e.id, "anchor": valid.then(|| format!("exception-{}", e.id)),
        "page": valid.then(|| format!("{root}exceptions/{}.html", e.id)),
        "rule": e.rule.as_deref().map(|r| super::index::Site::link(r, site.rule_href(r, root))),
        "identities": e.identities.iter().map(|i| site.identity_link(i, root)).collect::<Vec<_>>(),
        "reason": e.reason, "requested_by": e.requested_by.as_deref().map(|p| site.owner_link(p, root)),
        "approved_by": e.approved_by.as_deref().map(|p| site.owner_link(p, root)), "approved_on": e.approved_on,
        "expires": e.expires, "days_left": e.expires.map(|x| site.days_until(x)), "status": status,
        "ticket": e.ticket.as_deref().map(|t| web_link(t, t)),
        "findings": super::pages::findings(site, site.findings("Exception", &e.id), root),
        "waives": all_waived_by(site, &e.id),
        "history": super::history::of_exception(site, d),
        "file": &*d.source.file, "line": d.source.start.line.get(),
    })
}

fn all_waived_by(site: &Site<'_>, id: &str) -> usize {
    site.checked
        .findings
        .iter()
        .filter(|f| f.waived_by.as_deref() == Some(id))
        .count()
}

/// How many subjects a rule applies to: active identities, all identities, exceptions, or every document.
fn population(site: &Site<'_>, rule: &Rule) -> usize {
    let r = &site.checked.registry;
    match rule.id {
        RuleId::Schema
        | RuleId::DuplicateId
        | RuleId::UnknownReference
        | RuleId::SecretInRegistry => {
            r.identities.len()
                + r.teams.len()
                + r.persons.len()
                + r.systems.len()
                + r.exceptions.len()
                + 1
        }
        RuleId::DecommissionedNotRevoked => r.identities.len(),
        id if id.as_str().starts_with("exception-") => r.exceptions.len(),
        _ => r.identities.iter().filter(|d| d.item.is_active()).count(),
    }
}

/// Why a rule was not evaluated for this site, if it was not: a rule that never ran passes nothing.
fn not_evaluated(site: &Site<'_>, rule: &Rule) -> Option<String> {
    let policy = site.ctx.policy;
    let registry = &site.checked.registry;
    if policy.severity(rule.id, rule.default).is_none() {
        return Some(format!(
            "turned off in nhi.yaml (`rules: {{{}: off}}`)",
            rule.id
        ));
    }
    match rule.id {
        id if catalogue::DRIFT_RULES.contains(&id) && site.drift.is_empty() => Some(
            "it compares an inventory export or a scanner report, and no drift report was given to this site (`nhi build --drift FILE`)".into(),
        ),
        RuleId::UnexpectedSubject if site.trace.is_empty() => Some(
            "it compares issuance logs, and no trace report was given to this site (`nhi build --trace FILE`)".into(),
        ),
        RuleId::NotRead => Some(
            "it looks at a change (`nhi check --changed-from`, `nhi diff`), not at a registry".into(),
        ),
        RuleId::CodeownersApprovers if policy.approvers.is_empty() => {
            Some("the policy names no `approvers`".into())
        }
        RuleId::ReviewNotIndependent if policy.review_by_owner => Some(
            "it applies only when the policy sets `review_by_owner: false`".into(),
        ),
        RuleId::Dormant
            if !registry
                .identities
                .iter()
                .any(|d| d.item.is_active() && d.item.last_used.is_some()) =>
        {
            Some("no active identity records `last_used`, so none can be judged dormant".into())
        }
        _ => None,
    }
}

fn rule_status(site: &Site<'_>, rule: &Rule, root: &str) -> Value {
    let subjects = rule_subjects(site, rule.id);
    let failing: Vec<&(&str, &str, bool)> = subjects.iter().filter(|s| s.2).collect();
    let waived = subjects.len() - failing.len();
    let population = population(site, rule).max(subjects.len());
    // A rule that did not run passes nothing; what it found anyway (drift given later) still shows.
    let why = not_evaluated(site, rule).filter(|_| subjects.is_empty());
    let shown: Vec<Value> = failing
        .iter()
        .take(FAILING_SHOWN)
        .map(|(k, id, _)| {
            let label = if id.is_empty() {
                format!("{k} (file)")
            } else {
                (*id).to_string()
            };
            super::index::Site::link(&label, site.subject_href(k, id, root))
        })
        .collect();
    json!({
        "id": rule.id, "anchor": format!("rule-{}", rule.id), "summary": rule.summary, "explanation": rule.explanation,
        "fix": rule.fix, "default": rule.default.as_str(), "waivable": rule.waivable,
        "severity": site.ctx.policy.severity(rule.id, rule.default).map_or("off", Severity::as_str),
        "owasp": rule.owasp, "nist": rule.nist,
        "population": population, "fail": failing.len(), "waived": waived,
        "pass": if why.is_some() { 0 } else { population - subjects.len() },
        "evaluated": why.is_none(), "why": why,
        "failing": shown, "more": failing.len().saturating_sub(FAILING_SHOWN),
        "findings_href": format!("{root}findings.html?filter={}", rule.id),
    })
}

pub fn compliance(site: &Site<'_>) -> Value {
    let rules: Vec<Value> = catalogue::RULES
        .iter()
        .map(|r| rule_status(site, r, TOP))
        .collect();
    let by_id: BTreeMap<RuleId, &Value> =
        catalogue::RULES.iter().map(|r| r.id).zip(&rules).collect();
    let framework = |items: &[(&str, &str)],
                     mapped: fn(&Rule) -> &'static [&'static str]|
     -> Vec<Value> {
        items.iter().map(|(id, title)| {
            let rs: Vec<&Value> = catalogue::RULES.iter().filter(|r| mapped(r).contains(id)).map(|r| by_id[&r.id]).collect();
            let fail: usize = rs.iter().map(|r| r["fail"].as_u64().unwrap_or(0) as usize).sum();
            let failing_rules = rs.iter().filter(|r| r["fail"].as_u64().unwrap_or(0) > 0).count();
            let evaluated = rs.iter().filter(|r| r["evaluated"] == true).count();
            let waived = rs.iter().any(|r| r["waived"].as_u64().unwrap_or(0) > 0);
            // Only what ran can pass, and a control whose only findings are waived is waived, not passing.
            let status = match () {
                _ if rs.is_empty() => "not covered",
                _ if failing_rules > 0 => "fail",
                _ if waived => "waived",
                _ if evaluated == 0 => "not evaluated",
                _ => "pass",
            };
            json!({"id": id, "title": title, "rules": rs, "fail": fail, "failing_rules": failing_rules,
                   "not_evaluated": rs.len() - evaluated, "status": status})
        }).collect()
    };
    let nist_ids: BTreeSet<&str> = catalogue::RULES
        .iter()
        .flat_map(|r| r.nist.iter().copied())
        .collect();
    let nist_items: Vec<(&str, &str)> = NIST
        .iter()
        .copied()
        .filter(|(id, _)| nist_ids.contains(id))
        .collect();
    json!({
        "root": TOP, "title": "Compliance",
        "owasp": framework(&OWASP, |r| r.owasp),
        "nist": framework(&nist_items, |r| r.nist),
        "rules": rules,
    })
}

pub fn simple(title: &str) -> Value {
    json!({"root": TOP, "title": title})
}
