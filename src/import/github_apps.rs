//! `github-app-installations`: the organisation's GitHub App installations (`GET /orgs/{org}/installations`,
//! `gh api orgs/ORG/installations`): `{total_count, installations: [{id, account: {login}, app_id,
//! app_slug, target_type, repository_selection, permissions, events, created_at, updated_at, suspended_at,
//! suspended_by}]}`. An installation acts with tokens GitHub issues for an hour; the long-lived secret is
//! the App's private key, held by whoever owns the App. External ids are `github-app:<org>:<app_slug>`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{day_at, ids, input, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};

/// The prefix of this source's external ids.
pub const PREFIX: &str = "github-app:";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Installation {
    id: Option<u64>,
    account: Option<Account>,
    app_id: Option<u64>,
    app_slug: Option<String>,
    repository_selection: Option<String>,
    permissions: BTreeMap<String, String>,
    created_at: Option<Value>,
    updated_at: Option<Value>,
    suspended_at: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Account {
    login: Option<String>,
}

/// Reads the listing at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let what = "a GitHub App installation";
    input::listing(path, export, &["installations"], what, |file, line, app| {
        record(file, line, app, options)
    })?;
    Ok(())
}

fn record(
    file: &str,
    line: u32,
    i: Installation,
    options: &Options,
) -> Result<Record, SyntaxError> {
    let bad = |message: String| SyntaxError { line, message };
    let org = i
        .account
        .and_then(|a| a.login)
        .or_else(|| options.org.clone())
        .ok_or_else(|| bad("an installation without `account.login` (give --org ORG)".into()))?;
    let slug = i
        .app_slug
        .clone()
        .or_else(|| i.app_id.map(|id| format!("app-{id}")))
        .ok_or_else(|| bad("an installation without `app_slug` or `app_id`".into()))?;
    let mut record = Record::new(
        format!("{PREFIX}{org}:{slug}"),
        ids::sanitize(&format!("github-app-{slug}")),
        slug.clone(),
        IdentityType::Bot,
        file,
        line,
    );
    record.credential = Some(CredentialKind::ShortLived);
    record.created = day_at(&i.created_at, "created_at", line)?;
    let suspended = day_at(&i.suspended_at, "suspended_at", line)?;
    record.active = suspended.is_none();
    if let Some(day) = suspended {
        record.notes.push(format!("suspended on {day}"));
    }
    if let Some(id) = i.id {
        record.notes.push(format!("installation {id}"));
    }
    if let Some(updated) = day_at(&i.updated_at, "updated_at", line)? {
        record
            .notes
            .push(format!("permissions last changed {updated}"));
    }
    match i.repository_selection.as_deref() {
        Some("all") => record
            .notes
            .push("installed on every repository of the organisation".into()),
        Some(other) => record.notes.push(format!("repository selection: {other}")),
        None => {}
    }
    let writes: Vec<String> = i
        .permissions
        .iter()
        .filter(|(_, level)| matches!(level.as_str(), "write" | "admin"))
        .map(|(scope, level)| format!("{scope}: {level}"))
        .collect();
    if !writes.is_empty() {
        record
            .notes
            .push(format!("write permissions: {}", writes.join(", ")));
    }
    record.notes.push("tokens last an hour; the App's private key is the long-lived secret, held by the App's owner (set `vendor` for a third-party App)".into());
    Ok(record)
}
