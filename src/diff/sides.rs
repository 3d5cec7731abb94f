//! The two sides of a change, checked: the work tree, and the registry at the base revision. The files the
//! change leaves alone hold the same bytes on both sides, so the base takes the work tree's parse of them
//! and reads from git only what changed; the two sides' rules then run in parallel.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::civil::Date;

use crate::git::Repo;
use crate::history::{HistoryError, Reader};
use crate::load::{self, LoadError};
use crate::Checked;

/// The work tree and the base revision, checked as of the same day.
pub struct Sides {
    pub repo: Repo,
    /// The commit the base revision names.
    pub commit: String,
    /// Files changed since the base (committed, staged or not, and untracked), from the top of the work tree.
    pub changed: BTreeSet<String>,
    pub head: Checked,
    /// `None` when the base revision has no registry (the change creates it).
    pub base: Option<Checked>,
}

/// Why the two sides cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum SidesError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error("cannot read the registry at `{rev}`: {cause}")]
    Base { rev: String, cause: HistoryError },
}

/// Checks the registry at `root` (in a git work tree) and at the revision `rev`.
pub fn check(root: &Path, rev: &str, as_of: Date) -> Result<Sides, SidesError> {
    let repo = Repo::discover(root)?;
    let commit = repo.resolve(rev)?;
    let changed = repo.changed_since(&commit)?;
    let (loaded, kept) = load::load_keeping(root)?;
    let base_error = |cause| SidesError::Base {
        rev: rev.to_string(),
        cause,
    };
    let mut reader = Reader::open(root).map_err(|e| base_error(HistoryError::Git(e)))?;
    reader
        .seed(&commit, kept, root, &changed)
        .map_err(base_error)?;
    let (head, base) = rayon::join(
        || crate::check_loaded(root, loaded, as_of),
        || crate::timings::phase("base", || reader.check_at(&commit, as_of)),
    );
    let base = match base {
        Ok(checked) => Some(checked),
        Err(HistoryError::Load(LoadError::NoPolicy(_))) => None,
        Err(cause) => return Err(base_error(cause)),
    };
    Ok(Sides {
        repo,
        commit,
        changed,
        head,
        base,
    })
}
