//! `secret-in-code`: leaked secrets (secret scanners' findings, keys the provider found exposed) as findings
//! at the place they were found, naming the registry identity when the report's identifiers match its
//! `external_id`. Only the leak's description, place and identifiers are used: never a secret value.

use std::collections::HashSet;

use super::{at_export, Drifted};
use crate::catalogue::RuleId;
use crate::import::Leak;
use crate::model::{Doc, Identity, Registry};
use crate::span::push_token;

/// The registry identity a leak names: one whose `external_id` is among the leak's identifiers (trimmed,
/// case ignored, `k8s:` optional).
fn leaked_identity<'r>(registry: &'r Registry, leak: &Leak) -> Option<&'r Doc<Identity>> {
    let key = |s: &str| {
        let s = s.trim().to_lowercase();
        s.strip_prefix("k8s:").map(str::to_string).unwrap_or(s)
    };
    let wanted: HashSet<String> = leak.identifiers.iter().map(|i| key(i)).collect();
    registry.identities.iter().find(|d| {
        d.item
            .external_id
            .as_deref()
            .is_some_and(|e| wanted.contains(&key(e)))
    })
}

/// The `secret-in-code` finding of one leak.
pub fn leaked(registry: &Registry, leak: &Leak) -> Drifted {
    let commit = leak
        .commit
        .as_deref()
        .map(|c| {
            format!(
                " found in commit {}",
                c.chars().take(12).collect::<String>()
            )
        })
        .unwrap_or_default();
    let url = leak
        .url
        .as_deref()
        .map(|u| format!(" (exposed at {u})"))
        .unwrap_or_default();
    let identity = leaked_identity(registry, leak);
    let (id, what_next) = match identity {
        Some(doc) => (
            doc.item.id.clone(),
            format!("it is identity `{0}`: revoke and rotate it now, then follow `nhi leak {0}`", doc.item.id),
        ),
        None => (
            UNMATCHED.to_string(),
            "no registry identity's `external_id` is among the identifiers the report gives: find whose credential it is, revoke and rotate it, and follow `nhi leak ID`".to_string(),
        ),
    };
    let message = format!(
        "{}{commit}{url}: treat it as leaked (the value is not shown); {what_next}",
        leak.what
    );
    let mut pointer = String::new();
    push_token(&mut pointer, &leak.what);
    let external_id = identity
        .and_then(|d| d.item.external_id.clone())
        .unwrap_or_default();
    at_export(
        RuleId::SecretInCode,
        &id,
        external_id,
        &leak.at,
        &pointer,
        message,
    )
}

/// The `id` of a `secret-in-code` finding no registry identity matches.
pub const UNMATCHED: &str = "unmatched";
