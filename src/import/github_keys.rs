//! `github-deploy-keys`: the REST response of "list deploy keys" (`GET /repos/{owner}/{repo}/keys`, `gh api
//! repos/OWNER/REPO/keys`): `[{id, key, url, title, verified, created_at, read_only, added_by, last_used,
//! enabled}]`. The listing does not name its repository: `--repo OWNER/REPO` does. `key` is the public key
//! and is not read. External ids are `github-deploy-key:<owner/repo>:<id>`.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{day_at, ids, input, Export, ImportError, Options, Record};
use crate::model::IdentityType;

/// The prefix of this source's external ids.
pub const PREFIX: &str = "github-deploy-key:";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeployKey {
    id: Option<u64>,
    title: Option<String>,
    verified: Option<bool>,
    created_at: Option<Value>,
    read_only: Option<bool>,
    added_by: Option<String>,
    last_used: Option<Value>,
    enabled: Option<bool>,
}

/// The repository of an external id of this source, lower-cased.
pub fn repo_of(external_id: &str) -> Option<String> {
    let rest = external_id.trim().strip_prefix(PREFIX)?;
    let (repo, id) = rest.rsplit_once(':')?;
    (repo.contains('/') && !id.is_empty()).then(|| repo.to_lowercase())
}

/// Reads the listing at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let missing = "the deploy-key listing does not name its repository: give --repo OWNER/REPO";
    let what = "a deploy key";
    input::listing_for(path, export, options.repo.as_ref(), missing, what, record)
}

fn record(file: &str, line: u32, repo: &str, key: DeployKey) -> Result<Record, SyntaxError> {
    let bad = |message: String| SyntaxError { line, message };
    let id = key
        .id
        .ok_or_else(|| bad("a deploy key without `id`".into()))?;
    let title = key
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| format!("deploy key {id}"));
    let short = repo.rsplit('/').next().unwrap_or(repo);
    let mut record = Record::new(
        format!("{PREFIX}{repo}:{id}"),
        ids::sanitize(&format!("{short}-deploy-{title}")),
        title,
        IdentityType::SshKey,
        file,
        line,
    );
    let created = day_at(&key.created_at, "created_at", line)?;
    record.single_static(created, key.enabled != Some(false));
    record.last_used = day_at(&key.last_used, "last_used", line)?;
    if key.read_only == Some(false) {
        record
            .notes
            .push(format!("read-write: it can push to {repo}"));
    } else {
        record.notes.push("read-only".into());
    }
    if let Some(by) = key.added_by.filter(|b| !b.is_empty()) {
        record.notes.push(format!("added by {by}"));
    }
    if key.verified == Some(false) {
        record.notes.push("not verified by GitHub".into());
    }
    if key.enabled == Some(false) {
        record.notes.push("disabled".into());
    }
    Ok(record)
}
