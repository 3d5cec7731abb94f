//! The end of a contract with a third party (`nhi offboard --vendor VENDOR`): every identity it holds or
//! issued, every system it runs, the credentials kept in or used by those systems, and the order in which
//! to revoke them.

use serde::Serialize;

use super::{affected, Affected};
use crate::model::{Identity, Registry};

/// One step of the vendor's offboarding.
#[derive(Debug, Serialize)]
pub struct Step {
    pub order: usize,
    pub action: String,
    pub id: String,
    pub record: Option<String>,
}

/// `nhi offboard --vendor VENDOR --format json`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub vendor: String,
    /// Identities with `vendor: VENDOR`: credentials the third party holds or issued.
    pub holds: Vec<Affected>,
    /// Identities issued by (`system_of_record`) a system the vendor runs.
    pub issued: Vec<Affected>,
    /// Systems with `vendor: VENDOR`.
    pub systems: Vec<Affected>,
    /// Other identities whose credential is kept in, or used by, a system the vendor runs: it could read them.
    pub exposed: Vec<Affected>,
    /// Identities that reach a system the vendor runs, and nothing else: useless once it is gone.
    pub stranded: Vec<Affected>,
    pub steps: Vec<Step>,
}

/// The report for `vendor` (matched case-insensitively), or `None` when nothing names it.
pub fn report(registry: &Registry, vendor: &str) -> Option<Report> {
    let is = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case(vendor));
    let systems: Vec<Affected> = registry
        .systems
        .iter()
        .filter(|s| is(s.item.vendor.as_deref()))
        .map(|s| affected(&s.item.id, "runs it".into(), &s.source))
        .collect();
    let runs = |id: &str| systems.iter().any(|s| s.id == id);
    let (mut holds, mut issued, mut exposed, mut stranded) = (vec![], vec![], vec![], vec![]);
    for d in registry.identities.iter().filter(|d| d.item.is_active()) {
        let i = &d.item;
        if is(i.vendor.as_deref()) {
            holds.push(affected(&i.id, "holds or issued it".into(), &d.source));
        } else if let Some(s) = i.system_of_record.as_deref().filter(|s| runs(s)) {
            issued.push(affected(&i.id, format!("issued by `{s}`"), &d.source));
        } else if let Some(s) = seen_by(i, &runs) {
            exposed.push(affected(&i.id, s, &d.source));
        } else if !i.access.is_empty() && i.access.iter().all(|a| runs(&a.system)) {
            stranded.push(affected(
                &i.id,
                "reaches only its systems".into(),
                &d.source,
            ));
        }
    }
    if systems.is_empty() && holds.is_empty() {
        return None;
    }
    let mut steps = Vec::new();
    let mut push = |action: &str, id: &str, record: Option<String>| {
        steps.push(Step {
            order: steps.len() + 1,
            action: action.to_string(),
            id: id.to_string(),
            record,
        });
    };
    for i in &holds {
        let action = "Revoke the credential the vendor holds, then remove the identity";
        push(action, &i.id, Some(format!("nhi decommission {}", i.id)));
    }
    for i in &exposed {
        let action = "Rotate: the vendor's system could read it (move it off that system first)";
        push(action, &i.id, Some(format!("nhi rotated {}", i.id)));
    }
    for i in issued.iter().chain(&stranded) {
        let action = "Decommission: it has no use once the vendor's system is gone";
        push(action, &i.id, Some(format!("nhi decommission {}", i.id)));
    }
    for s in &systems {
        let action = "Retire the system (delete its document once nothing names it)";
        push(action, &s.id, None);
    }
    Some(Report {
        vendor: vendor.to_string(),
        holds,
        issued,
        systems,
        exposed,
        stranded,
        steps,
    })
}

/// Why a vendor's system could read the credential: it stores it or runs with it.
fn seen_by(i: &Identity, runs: &dyn Fn(&str) -> bool) -> Option<String> {
    if let Some(s) = i.credential.stores.iter().find(|s| runs(s)) {
        return Some(format!("kept in `{s}`"));
    }
    i.used_by
        .iter()
        .find(|s| runs(s))
        .map(|s| format!("used by `{s}`"))
}
