//! The history sections of the site's pages: the commits that changed each document (the last
//! [`SHOWN`], with a count of the rest), linked to the forge when its URL is given, and for an exception
//! the commit that set its approval, flagged when its author may not approve it.

use anyhow::Result;
use serde_json::{json, Value};

use super::index::Site;
use super::pages::is_web_url;
use super::Options;
use crate::git::Repo;
use crate::history::changes::{self, Changes, Commit};
use crate::history::trend::Trend;
use crate::model::{Doc, Exception, Source};
use crate::Checked;

/// How many commits a page lists; older ones are counted.
pub const SHOWN: usize = 20;

/// What the site knows of the registry's history.
pub struct SiteHistory {
    pub changes: Changes,
    pub forge: Option<Forge>,
    /// The samples of the Trends page (`nhi build --history`).
    pub trend: Option<Trend>,
    /// Why the pages list no commits, when they cannot (a shallow clone).
    pub note: Option<String>,
}

/// A forge's web pages for commits and pull requests.
pub struct Forge {
    base: String,
    gitlab: bool,
}

impl Forge {
    /// The forge of a repository's web URL (`https://github.com/org/repo`, a GitLab project…); `None` for
    /// anything but an http(s) URL.
    pub fn new(url: &str) -> Option<Forge> {
        let base = url.trim().trim_end_matches('/').trim_end_matches(".git");
        is_web_url(base).then(|| Forge {
            base: base.to_string(),
            gitlab: base.contains("gitlab"),
        })
    }

    pub fn commit(&self, hash: &str) -> String {
        let sep = if self.gitlab {
            "/-/commit/"
        } else {
            "/commit/"
        };
        format!("{}{sep}{hash}", self.base)
    }

    fn pull(&self, n: u64) -> String {
        let sep = if self.gitlab {
            "/-/merge_requests/"
        } else {
            "/pull/"
        };
        format!("{}{sep}{n}", self.base)
    }
}

/// The history of the registry the site shows, when it sits in a git repository (`None` otherwise, and
/// without commits when the clone is shallow: its first commit would look like it wrote everything).
pub fn read(opts: &Options, checked: &Checked) -> Result<Option<SiteHistory>> {
    let Ok(repo) = Repo::discover(&opts.registry) else {
        return Ok(None);
    };
    let commit = match &opts.rev {
        Some(commit) => commit.clone(),
        None => match repo.resolve("HEAD") {
            Ok(commit) => commit,
            Err(_) => return Ok(None), // a repository without commits yet
        },
    };
    let forge = opts.repo_url.as_deref().and_then(Forge::new);
    if repo.is_shallow() {
        let note = "This is a shallow clone: the history of each document is not shown (fetch the whole history, e.g. `fetch-depth: 0`).";
        return Ok(Some(SiteHistory {
            changes: Changes::default(),
            forge,
            trend: None,
            note: Some(note.into()),
        }));
    }
    let changes = crate::timings::phase("history", || {
        changes::read(&repo, &commit, &checked.registry)
    })?;
    Ok(Some(SiteHistory {
        changes,
        forge,
        trend: None,
        note: None,
    }))
}

fn commit_json(history: &SiteHistory, c: &Commit) -> Value {
    let forge = history.forge.as_ref();
    json!({
        "hash": c.hash, "short": crate::history::short(&c.hash).get(..8).unwrap_or(&c.hash),
        "date": c.date.to_string(), "author": c.author, "subject": c.subject, "pr": c.pr,
        "href": forge.map(|f| f.commit(&c.hash)), "pr_href": c.pr.and_then(|n| forge.map(|f| f.pull(n))),
    })
}

/// The history section of the page of the document at `source`: `null` outside a repository.
pub fn of_doc(site: &Site<'_>, source: &Source) -> Value {
    let Some(history) = &site.history else {
        return Value::Null;
    };
    let changes = history.changes.of(source);
    let shown: Vec<Value> = changes
        .iter()
        .take(SHOWN)
        .filter_map(|c| history.changes.commits.get(c.commit))
        .map(|c| commit_json(history, c))
        .collect();
    json!({
        "commits": shown,
        "more": changes.len().saturating_sub(SHOWN),
        "note": history.note,
    })
}

/// An exception's history and the commit that set its approval, with why it is the approver's own.
pub fn of_exception(site: &Site<'_>, doc: &Doc<Exception>) -> Value {
    let mut value = of_doc(site, &doc.source);
    let Some(history) = &site.history else {
        return value;
    };
    if let Some(approval) =
        crate::history::approval::of(&history.changes, &site.checked.registry, doc)
    {
        value["approval"] = commit_json(history, approval.commit);
        value["approval"]["own"] = json!(approval.own);
    }
    value
}
