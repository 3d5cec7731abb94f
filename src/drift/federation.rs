//! Drift of federated roles (`aws-iam-roles`): what a role's trust policy admits against the identity's
//! `federation` mapping. A trust policy that admits too much is a `federation-too-broad` finding, whether or
//! not the registry declares the role; subjects, issuer and audience that disagree are `drift`.

use super::{at_export, at_identity, Disagreement, Drifted};
use crate::federation::pattern::{covers, issuer_key};
use crate::federation::trust::Grant;
use crate::finding::Severity;
use crate::import::aws_roles::breadth;
use crate::import::Record;
use crate::model::{Doc, Identity};
use crate::rules::federation::RULE;

/// Findings about a role the registry does not declare: only its breadth (`undeclared` says the rest).
pub(super) fn undeclared(record: &Record, id: &str, out: &mut Vec<Drifted>) {
    for grant in &record.trust {
        for why in breadth(grant) {
            let message = format!("the trust policy of `{}`: {why}", record.external_id);
            let mut d = at_export(
                RULE,
                id,
                record.external_id.clone(),
                &record.at,
                "",
                message,
            );
            d.field = Some("federation.subjects");
            out.push(d);
        }
    }
}

/// Findings about a role the registry declares as `doc`.
pub(super) fn declared(doc: &Doc<Identity>, record: &Record, out: &mut Vec<Drifted>) {
    for grant in &record.trust {
        for why in breadth(grant) {
            let message = format!("the role's trust policy in the export: {why}; tighten its `sub` condition to the declared subjects");
            let mut d = at_identity(RULE, doc, "/federation", message, Severity::Error);
            d.field = Some("federation.subjects");
            out.push(d);
        }
    }
    let declared = doc.item.federation.as_deref();
    let Some(federation) = declared else {
        if let Some(grant) = record.trust.first() {
            let message = format!(
                "the role trusts `{}` (an identity provider), but the registry declares no `federation`: add who may obtain it",
                grant.provider
            );
            let d = Disagreement {
                severity: Severity::Error,
                field: "federation",
                registry: None,
                export: Some(grant.provider.clone()),
                message,
            };
            out.push(d.on(doc));
        }
        return;
    };
    let issuer = federation.issuer.as_deref().unwrap_or("");
    let Some(grant) = record
        .trust
        .iter()
        .find(|g| issuer_key(&g.provider) == issuer_key(issuer))
    else {
        let trusted: Vec<&str> = record.trust.iter().map(|g| g.provider.as_str()).collect();
        let message = if trusted.is_empty() {
            format!("the registry declares federation through `{issuer}`, but the role's trust policy trusts no identity provider")
        } else {
            format!(
                "the registry declares federation through `{issuer}`, but the role trusts {}",
                trusted.join(", ")
            )
        };
        let severity = if trusted.is_empty() {
            Severity::Warning
        } else {
            Severity::Error
        };
        let d = Disagreement {
            severity,
            field: "federation.issuer",
            registry: Some(issuer.to_string()),
            export: Some(trusted.join(", ")),
            message,
        };
        out.push(d.on(doc));
        return;
    };
    subjects(doc, &federation.subjects, grant, out);
    audience(doc, federation.audience.as_deref(), grant, out);
}

fn subjects(doc: &Doc<Identity>, declared: &[String], grant: &Grant, out: &mut Vec<Drifted>) {
    let shown = declared.join(", ");
    for admitted in &grant.subjects {
        if !declared.iter().any(|d| covers(d, admitted)) {
            let message = format!("the trust policy admits `{admitted}`, which the registry does not declare: add it to `federation.subjects`, or remove it from the role");
            let d = Disagreement {
                severity: Severity::Error,
                field: "federation.subjects",
                registry: Some(shown.clone()),
                export: Some(admitted.clone()),
                message,
            };
            out.push(d.on(doc));
        }
    }
    if grant.unconditioned {
        return;
    }
    for mine in declared {
        if !grant.subjects.iter().any(|a| covers(a, mine)) {
            let message = format!("the registry declares `{mine}`, which the trust policy does not admit: remove it from `federation.subjects`");
            let d = Disagreement {
                severity: Severity::Notice,
                field: "federation.subjects",
                registry: Some(mine.clone()),
                export: Some(grant.subjects.join(", ")),
                message,
            };
            out.push(d.on(doc));
        }
    }
}

fn audience(doc: &Doc<Identity>, declared: Option<&str>, grant: &Grant, out: &mut Vec<Drifted>) {
    let Some(mine) = declared else { return };
    if grant.audiences.is_empty() || grant.audiences.iter().any(|a| a == mine) {
        return;
    }
    let theirs = grant.audiences.join(", ");
    let message = format!(
        "the registry declares the audience `{mine}`, but the trust policy admits {theirs}"
    );
    let d = Disagreement {
        severity: Severity::Warning,
        field: "federation.audience",
        registry: Some(mine.to_string()),
        export: Some(theirs),
        message,
    };
    out.push(d.on(doc));
}
