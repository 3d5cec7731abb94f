//! Who may obtain a federated identity's credential (its `federation` mapping, each subject judged as
//! `federation-too-broad` judges it), and, when the build is given issuance traces (`--trace FILE`), who did.

use std::path::Path;

use anyhow::{anyhow, Result};
use serde_json::{json, Value};

use super::index::Site;
use crate::federation::{issuer_kind, pattern};
use crate::model::Identity;
use crate::report::saved::{self, file_name};
use crate::report::trace::{self as report, TraceReport};

/// Loads every trace report, ordered by source, log file name and day; the first that cannot be read
/// stops the build before anything is written.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Vec<TraceReport>> {
    saved::load_all(paths, report::load, |r| (&r.source, &r.log, r.as_of))
        .map_err(|e| anyhow!("{e}"))
}

/// Who obtained the identity `id`'s credential, from each trace report that saw it; `[]` when none did.
pub fn issued(site: &Site<'_>, id: &str) -> Value {
    let day = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string());
    let list: Vec<Value> = site
        .trace
        .iter()
        .filter_map(|r| Some((r, r.identities.iter().find(|t| t.id == id)?)))
        .map(|(r, t)| {
            let subjects: Vec<Value> = t
                .subjects
                .iter()
                .map(|s| json!({"subject": s.subject, "count": s.count, "last": day(s.last), "declared": s.declared}))
                .collect();
            json!({
                "source": r.source, "log": file_name(&r.log), "as_of": r.as_of.to_string(),
                "count": t.count, "failed": t.failed, "first": day(t.first), "last": day(t.last),
                "subjects": subjects, "unlisted": t.unlisted,
            })
        })
        .collect();
    Value::Array(list)
}

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
