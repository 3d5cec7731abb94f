//! `github-personal-access-tokens`: fine-grained personal access tokens with access to an organisation
//! (`GET /orgs/{org}/personal-access-tokens`, `gh api orgs/ORG/personal-access-tokens`, for organisation
//! owners and GitHub Apps): `[{id, owner: {login}, repository_selection, permissions, access_granted_at,
//! token_id, token_name, token_expired, token_expires_at, token_last_used_at}]`. The listing does not name
//! the organisation: `--org ORG` does. External ids are `github-pat:<org>:<token_id>`.
//!
//! A personal access token acts as the person who created it: used by automation, it is a non-human
//! identity bound to a human account (NHI10), and it leaves with that person.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{day_at, ids, input, Export, ImportError, Options, Record};
use crate::model::IdentityType;

/// The prefix of this source's external ids.
pub const PREFIX: &str = "github-pat:";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Grant {
    owner: Option<Owner>,
    repository_selection: Option<String>,
    access_granted_at: Option<Value>,
    token_id: Option<u64>,
    token_name: Option<String>,
    token_expired: Option<bool>,
    token_expires_at: Option<Value>,
    token_last_used_at: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Owner {
    login: Option<String>,
}

/// Reads the listing at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let missing = "the token listing does not name its organisation: give --org ORG";
    let what = "a fine-grained personal access token grant";
    input::listing_for(path, export, options.org.as_ref(), missing, what, record)
}

fn record(file: &str, line: u32, org: &str, g: Grant) -> Result<Record, SyntaxError> {
    let bad = |message: String| SyntaxError { line, message };
    let token = g
        .token_id
        .ok_or_else(|| bad("a grant without `token_id`".into()))?;
    let owner = g.owner.and_then(|o| o.login).unwrap_or_default();
    let name = g
        .token_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("token {token}"));
    let mut record = Record::new(
        format!("{PREFIX}{org}:{token}"),
        ids::sanitize(&format!("pat-{owner}-{name}")),
        name,
        IdentityType::Token,
        file,
        line,
    );
    let created = day_at(&g.access_granted_at, "access_granted_at", line)?;
    record.single_static(created, g.token_expired != Some(true));
    record.expires = day_at(&g.token_expires_at, "token_expires_at", line)?;
    record.last_used = day_at(&g.token_last_used_at, "token_last_used_at", line)?;
    if !owner.is_empty() {
        record.notes.push(format!("a personal access token of {owner}: it acts as that person and leaves with them (NHI10); prefer a GitHub App"));
    }
    if record.expires.is_none() {
        record.notes.push("it never expires".into());
    }
    if g.repository_selection.as_deref() == Some("all") {
        record
            .notes
            .push(format!("access to every repository of {org}"));
    }
    if g.token_expired == Some(true) {
        record.notes.push("expired".into());
    }
    Ok(record)
}
