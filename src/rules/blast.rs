//! The rules about an identity's blast radius (section 6): what a leak of its credential exposes.

use super::Ctx;
use crate::catalogue::RuleId;
use crate::finding::Finding;
use crate::graph::CRITICAL_SAMPLE;
use crate::model::Kind;

/// Runs the blast-radius rules over every active identity.
pub fn rules(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for doc in &ctx.registry.identities {
        if doc.item.is_active() && doc.item.is_static() {
            blast_radius_critical(ctx, doc, out);
        }
    }
}

/// `blast-radius-critical`: a static credential whose blast radius reaches more than `max_critical_reach`
/// critical systems.
fn blast_radius_critical(
    ctx: &Ctx<'_>,
    doc: &crate::model::Doc<crate::model::Identity>,
    out: &mut Vec<Finding>,
) {
    let id = doc.item.id.as_str();
    let Some(summary) = ctx.blast.get(id) else {
        return;
    };
    let max = ctx.policy.max_critical_reach as usize;
    if summary.critical <= max {
        return;
    }
    let mut named = summary.critical_systems.join(", ");
    if summary.critical > CRITICAL_SAMPLE {
        named.push_str(&format!(
            " and {} more",
            summary.critical - summary.critical_systems.len()
        ));
    }
    let message = format!(
        "a leak of this static credential reaches {} critical systems ({named}), more than `max_critical_reach` ({max}): `nhi blast {id}` shows the paths",
        summary.critical
    );
    out.push(Finding::at(
        RuleId::BlastRadiusCritical,
        Kind::Identity,
        id,
        &doc.source,
        "/access",
        message,
    ));
}
