//! Who may obtain a federated identity's credential (its `federation` mapping, each subject judged as
//! `federation-too-broad` judges it), and, when the build is given issuance traces (`--trace FILE`), who did.

use serde_json::{json, Value};

use crate::federation::{issuer_kind, pattern};
use crate::model::Identity;

/// The `federation` context of an identity page; `null` when it declares none.
pub fn of_identity(identity: &Identity) -> Value {
    let Some(f) = identity.federation.as_deref() else {
        return Value::Null;
    };
    let kind = issuer_kind(f.issuer.as_deref().unwrap_or(""));
    let subjects: Vec<Value> = f
        .subjects
        .iter()
        .map(|s| {
            json!({
                "subject": s,
                "pattern": pattern::has_wildcard(s),
                "too_broad": pattern::too_broad(kind, s),
            })
        })
        .collect();
    json!({
        "issuer": f.issuer,
        "audience": f.audience,
        "subjects": subjects,
        "any_subject": f.subjects.is_empty(),
    })
}
