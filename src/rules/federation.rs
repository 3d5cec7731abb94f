//! `federation-too-broad`: a declared subject pattern that lets more than one workload obtain an
//! identity's credential (SPEC section 14). Trust policies read from exports are judged the same way by
//! `nhi drift`.

use super::Ctx;
use crate::catalogue::RuleId;
use crate::federation::{issuer_kind, pattern};
use crate::finding::Finding;
use crate::model::{Doc, Identity};

pub const RULE: RuleId = RuleId::FederationTooBroad;

/// Runs the rule over every active identity that declares a federation.
pub fn rules(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for doc in &ctx.registry.identities {
        if doc.item.is_active() {
            too_broad(doc, out);
        }
    }
}

fn too_broad(doc: &Doc<Identity>, out: &mut Vec<Finding>) {
    let Some(federation) = doc.item.federation.as_deref() else {
        return;
    };
    let issuer = federation.issuer.as_deref().unwrap_or("");
    let kind = issuer_kind(issuer);
    let example = pattern::scoped_example(kind);
    if federation.subjects.is_empty() {
        let message = format!(
            "`federation` names no subject: any token `{issuer}` signs could obtain this credential; list the one workload's subject, e.g. `{example}`"
        );
        out.push(at(doc, "/federation", message, false));
        return;
    }
    for (n, subject) in federation.subjects.iter().enumerate() {
        if let Some(why) = pattern::too_broad(kind, subject) {
            let message =
                format!("{why}: each of them can obtain this credential; scope it to one workload, e.g. `{example}`");
            out.push(at(doc, &format!("/federation/subjects/{n}"), message, true));
        }
    }
}

fn at(doc: &Doc<Identity>, pointer: &str, message: String, value: bool) -> Finding {
    let f = crate::finding::on_identity(RULE, doc, pointer, message);
    if value {
        f.on_value()
    } else {
        f
    }
}
