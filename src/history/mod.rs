//! The registry over time, from git: the registry as it was at a revision or on a day, its trend between
//! two days, and which commits changed each document. Each file version is parsed once however many
//! revisions are read ([`crate::load::versions`]).

pub mod approval;
pub mod changes;
mod log;
pub mod trend;

use std::path::Path;

use jiff::civil::Date;

use crate::git::{GitError, Repo};
use crate::load::versions::Versions;
use crate::load::LoadError;
use crate::Checked;

/// What stops reading the registry's history.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("this clone is shallow: its history stops before {0}, so the registry as it was then cannot be read; fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)")]
    Shallow(Date),
    #[error("no commit on or before {day}: the first commit is of {first}")]
    BeforeFirst { day: Date, first: Date },
    #[error("the branch has no commit")]
    NoCommit,
}

/// The commits of the branch in force one after the other (its first-parent chain), newest first, each
/// with the UTC day of its committer date.
pub struct Chain {
    pub commits: Vec<(String, Date)>,
    pub shallow: bool,
}

impl Chain {
    /// The chain ending at `rev`.
    pub fn of(repo: &Repo, rev: &str) -> Result<Chain, HistoryError> {
        let head = repo.resolve(rev)?;
        let commits = repo
            .first_parent_commits(&head)?
            .into_iter()
            .map(|(hash, seconds)| (hash, utc_day(seconds)))
            .collect();
        Ok(Chain {
            commits,
            shallow: repo.is_shallow(),
        })
    }

    /// The commit in force on `day`: the newest of the chain whose committer date (UTC) is on or before it.
    pub fn on(&self, day: Date) -> Option<&str> {
        self.commits
            .iter()
            .find(|(_, d)| *d <= day)
            .map(|(hash, _)| hash.as_str())
    }

    /// [`Chain::on`], or why there is none: a shallow clone, or a day before the first commit.
    pub fn require(&self, day: Date) -> Result<&str, HistoryError> {
        if let Some(hash) = self.on(day) {
            return Ok(hash);
        }
        if self.shallow {
            return Err(HistoryError::Shallow(day));
        }
        let first = self.first_day().ok_or(HistoryError::NoCommit)?;
        Err(HistoryError::BeforeFirst { day, first })
    }

    /// The day of the oldest commit of the chain.
    pub fn first_day(&self) -> Option<Date> {
        self.commits.iter().map(|(_, d)| *d).min()
    }
}

/// The UTC calendar day of a time in seconds since the epoch.
pub fn utc_day(seconds: i64) -> Date {
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Reads and checks the registry at revisions of its repository, sharing parsed files between them.
pub struct Reader {
    pub repo: Repo,
    versions: Versions,
}

impl Reader {
    /// The reader of the registry at `root` (a directory inside a git work tree).
    pub fn open(root: &Path) -> Result<Reader, GitError> {
        Ok(Reader {
            repo: Repo::discover(root)?,
            versions: Versions::new(),
        })
    }

    /// Lends the reader the work tree's parses (see [`Versions::seed`]): files of the revision `commit`
    /// that the work tree holds unchanged (`changed`: paths from the top of the work tree, as
    /// [`Repo::changed_since`] gives them) are then neither read from git nor parsed again.
    pub fn seed(
        &mut self,
        commit: &str,
        kept: crate::load::Kept,
        root: &Path,
        changed: &std::collections::BTreeSet<String>,
    ) -> Result<(), HistoryError> {
        let tree = self.repo.registry_tree_at(commit)?;
        let prefix = self.repo.prefix.clone();
        self.versions.seed(&tree, kept, root, |rel| {
            !changed.contains(&format!("{prefix}{rel}"))
        });
        Ok(())
    }

    /// How many file versions were parsed so far (each once).
    pub fn parses(&self) -> usize {
        self.versions.parses
    }

    /// The registry at the commit `commit` (a full hash), checked as of `as_of`: what `nhi check --as-of`
    /// says on a checkout of that commit.
    pub fn check_at(&mut self, commit: &str, as_of: Date) -> Result<Checked, HistoryError> {
        let tree = self.repo.registry_tree_at(commit)?;
        let missing = self.versions.missing(&tree);
        if !missing.is_empty() {
            let contents = self.repo.blobs(&missing)?;
            let missing: Vec<String> = missing.into_iter().map(str::to_string).collect();
            let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
            self.versions.add(&missing, contents);
        }
        let name = format!("{}:{}", short(commit), self.repo.prefix);
        let mut loaded = crate::timings::phase("load", || self.versions.load(&name, &tree))?;
        if !loaded.registry.policy.approvers.is_empty() {
            let codeowners = crate::codeowners::LOCATIONS.iter().find_map(|l| {
                let bytes = self.repo.file_at(commit, l)?;
                Some((*l, String::from_utf8(bytes).ok()?))
            });
            let codeowners = codeowners.as_ref().map(|(l, t)| (*l, t.as_str()));
            loaded
                .findings
                .extend(crate::codeowners::approvers::findings_with(
                    &loaded.registry,
                    codeowners,
                    &self.repo.prefix,
                ));
        }
        let objects: std::collections::HashMap<&str, &str> = tree
            .iter()
            .map(|(rel, object)| (rel.as_str(), object.as_str()))
            .collect();
        let versions = &self.versions;
        Ok(crate::finish(loaded, as_of, &|file| {
            versions.text(objects.get(file)?)
        }))
    }
}

/// The first 12 hex digits of a commit hash.
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// The commit and day a command reads the registry at, from `--rev REV` or `--at DAY` (`at` wins the day
/// unless `as_of` is given): `None` when neither is given (the work tree).
pub fn pick(
    repo: &Repo,
    rev: Option<&str>,
    at: Option<Date>,
    as_of: Option<Date>,
) -> Result<Option<(String, Option<Date>)>, HistoryError> {
    if let Some(rev) = rev {
        return Ok(Some((repo.resolve(rev)?, as_of)));
    }
    let Some(day) = at else {
        return Ok(None);
    };
    let chain = Chain::of(repo, "HEAD")?;
    let commit = chain.require(day)?.to_string();
    Ok(Some((commit, Some(as_of.unwrap_or(day)))))
}
