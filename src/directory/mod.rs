//! Leavers found in directory exports: which Persons of the registry a directory says have left, and since
//! when. Each source is parsed into the same fact, [`Left`]; `nhi sync` records the facts (`active: false`,
//! `left_on`) and `nhi offboard` says what follows from them.
//!
//! Sources: a GitHub organisation's member list (`gh api --paginate orgs/ORG/members`; a Person whose
//! `github` handle is missing from the full list has left), Okta users (`/api/v1/users`, status
//! `DEPROVISIONED` or `SUSPENDED`, matched on e-mail, dated by `statusChanged`) and Google Workspace users
//! (Admin SDK `users.list`, `suspended`, matched on e-mail).

mod parse;

use jiff::civil::Date;
use serde::Serialize;

use crate::model::Registry;

/// A directory export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Directory {
    /// `gh api --paginate orgs/ORG/members` (the full member list of the organisation)
    GithubOrgMembers,
    /// Okta `GET /api/v1/users` (include deprovisioned users with a `status` filter)
    OktaUsers,
    /// Google Workspace Admin SDK `users.list` JSON
    GoogleWorkspaceUsers,
}

impl Directory {
    pub fn name(self) -> &'static str {
        match self {
            Directory::GithubOrgMembers => "github-org-members",
            Directory::OktaUsers => "okta-users",
            Directory::GoogleWorkspaceUsers => "google-workspace-users",
        }
    }
}

/// "Person X left on day D", as a directory says it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Left {
    pub person: String,
    pub on: Date,
    /// What the directory shows, in a few words (never a secret: handles, e-mail addresses, statuses).
    pub evidence: String,
}

/// Why an export cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a {format} export: {why}")]
    Format { format: &'static str, why: String },
    #[error("{0}")]
    Unsafe(String),
}

/// The active Persons of `registry` that the export in `text` shows as gone, each once, by id. `as_of` dates
/// a departure the export does not date (a member missing from a GitHub organisation; a Google account
/// suspended with no suspension time).
pub fn leavers(
    directory: Directory,
    text: &str,
    registry: &Registry,
    as_of: Date,
) -> Result<Vec<Left>, Error> {
    let mut out = match directory {
        Directory::GithubOrgMembers => parse::github(text, registry, as_of)?,
        Directory::OktaUsers => parse::okta(text, registry, as_of)?,
        Directory::GoogleWorkspaceUsers => parse::google(text, registry, as_of)?,
    };
    out.sort_by(|a, b| a.person.cmp(&b.person));
    out.dedup_by(|a, b| a.person == b.person);
    Ok(out)
}

/// The active Person whose `email` is `email` (case-insensitive).
fn by_email<'r>(registry: &'r Registry, email: &str) -> Option<&'r str> {
    registry
        .persons
        .iter()
        .filter(|p| p.item.is_active())
        .find(|p| {
            p.item
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email.trim()))
        })
        .map(|p| p.item.id.as_str())
}

/// A GitHub handle without its `@`, lowercased (GitHub logins are case-insensitive).
fn handle(h: &str) -> String {
    h.trim().trim_start_matches('@').to_ascii_lowercase()
}
