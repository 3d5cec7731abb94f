//! Which commits changed each document, from the registry's history in `git log`.
//!
//! The log follows the branch's first-parent chain (each merged pull request counts once, as it landed).
//! Starting from the documents' line ranges in the version shown, each commit, newest first, is attributed
//! to the documents whose lines it touches, and the ranges are then carried back to the lines they held
//! before it, as `git blame` does. A file of several documents thus credits a commit only to the documents
//! it changed; a rename carries the ranges to the old name; a document's history stops at the commit that
//! created it.
//!
//! The history is read in two passes that cost what it changed rather than what the registry weighs: a
//! listing of the files each commit added, deleted or changed (`--raw`), and the `-U0` hunks of only the
//! files changed in place (`--diff-filter=ad`). An added file credits every document traced to it without
//! being read, unless a document starts below its first line (appended later) or is an exception (whose
//! approval is looked for): then its blob alone is read. A deleted file holds nothing of later versions.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use super::log::{self, FileDiff, Hunk, Listed, Patches};
use crate::git::{BlobReader, GitError, Repo};
use crate::model::{Registry, Source};

/// One commit of the registry's history.
#[derive(Clone, Debug, Serialize)]
pub struct Commit {
    pub hash: String,
    /// The author date's UTC day.
    pub date: Date,
    pub author: String,
    pub email: String,
    pub subject: String,
    /// The pull request the subject names: "Title (#123)", "Merge pull request #123 from …".
    pub pr: Option<u64>,
}

/// A commit that changed one document.
#[derive(Clone, Copy, Debug)]
pub struct Change {
    /// Index into [`Changes::commits`].
    pub commit: usize,
    /// The commit added an `approved_by` line inside the document (looked for in exceptions, the only
    /// documents approved).
    pub approval: bool,
}

/// Every document's changes, newest first, keyed by (file, index of the document in the file).
#[derive(Default)]
pub struct Changes {
    pub commits: Vec<Commit>,
    pub by_doc: HashMap<(Arc<str>, u32), Vec<Change>>,
}

impl Changes {
    /// The changes of the document at `source`, newest first.
    pub fn of(&self, source: &Source) -> &[Change] {
        self.by_doc
            .get(&(source.file.clone(), source.doc))
            .map_or(&[], Vec::as_slice)
    }
}

/// A document's lines in the version being traced back: first and last (inclusive).
struct Tracked {
    key: (Arc<str>, u32),
    first: u32,
    last: u32,
    /// An exception: only exceptions are approved, so only their approvals are looked for.
    exception: bool,
}

/// The changes of every document of `registry` (read at `commit` of `repo`) from the history of `commit`.
pub fn read(repo: &Repo, commit: &str, registry: &Registry) -> Result<Changes, GitError> {
    let mut tracer = Tracer {
        repo,
        strip: repo.prefix.clone(),
        tracked: initial_ranges(registry),
        changes: Changes::default(),
        patches: None,
        blobs: None,
    };
    let mut listing = repo.log(&log::args(&["--raw", "--no-abbrev"], commit, &repo.prefix))?;
    let mut current: Option<Listed> = None;
    while let Some(line) = listing.next_line()? {
        if let Some(header) = line.strip_prefix(b"\x1e") {
            if let Some(listed) = current.take() {
                tracer.apply(listed)?;
            }
            current = Some(Listed::new(header));
        } else if let Some(listed) = current.as_mut() {
            listed.raw_line(line, &tracer.strip);
        }
    }
    if let Some(listed) = current.take() {
        tracer.apply(listed)?;
    }
    listing.finish()?;
    tracer.finish()
}

/// The state of the walk back through the history: the documents' ranges in the version reached, the
/// changes found so far, and the second pass and blob reader, started when first needed.
struct Tracer<'r> {
    repo: &'r Repo,
    strip: String,
    tracked: HashMap<String, Vec<Tracked>>,
    changes: Changes,
    patches: Option<Patches>,
    blobs: Option<BlobReader>,
}

impl Tracer<'_> {
    /// Credits one listed commit: its added files, and the hunks of the files it changed from the second
    /// pass.
    fn apply(&mut self, listed: Listed) -> Result<(), GitError> {
        let mut files = Vec::new();
        if listed.changed {
            // Started at the first commit that needs it: the chain goes on from there.
            let patches = match &mut self.patches {
                Some(patches) => patches,
                none => none.insert(Patches::start(self.repo, &listed.hash)?),
            };
            files = patches.of(&listed.hash, &self.strip)?;
        }
        for (path, blob) in listed.added {
            if let Some(file) = self.creation(path, &blob)? {
                files.push(file);
            }
        }
        if let Some(commit) = listed.commit {
            apply(&mut self.changes, &mut self.tracked, commit, files);
        }
        Ok(())
    }

    /// The diff of a file added with the blob `blob`, for the documents traced to it, if any. Each of them
    /// starts on the file's first line unless a later change moved its start (a document appended to
    /// the file, leading lines removed), and only an exception's approval is looked for: otherwise the file
    /// is not read, and a one-line hunk stands for its lines.
    fn creation(&mut self, path: String, blob: &str) -> Result<Option<FileDiff>, GitError> {
        let Some(docs) = self.tracked.get(&path) else {
            return Ok(None);
        };
        let read = !blob.is_empty() && docs.iter().any(|d| d.first > 1 || d.exception);
        if !read {
            return Ok(Some(FileDiff::added(path, None)));
        }
        let blobs = match &mut self.blobs {
            Some(blobs) => blobs,
            none => none.insert(self.repo.blob_reader()?),
        };
        Ok(Some(FileDiff::added(path, Some(&blobs.read(blob)?))))
    }

    /// The changes, once the second pass has been read to its end.
    fn finish(mut self) -> Result<Changes, GitError> {
        if let Some(patches) = self.patches.take() {
            patches.finish()?;
        }
        Ok(self.changes)
    }
}

/// Each document's lines in the version read: from its start to the line before the next document's
/// start (the first from line 1, the last to the end of the file).
fn initial_ranges(registry: &Registry) -> HashMap<String, Vec<Tracked>> {
    let mut starts: HashMap<Arc<str>, Vec<(u32, u32, bool)>> = HashMap::new();
    let sources = registry
        .identities
        .iter()
        .map(|d| (&d.source, false))
        .chain(registry.teams.iter().map(|d| (&d.source, false)))
        .chain(registry.persons.iter().map(|d| (&d.source, false)))
        .chain(registry.systems.iter().map(|d| (&d.source, false)))
        .chain(registry.exceptions.iter().map(|d| (&d.source, true)));
    for (s, exception) in sources {
        starts
            .entry(s.file.clone())
            .or_default()
            .push((s.start.line.get(), s.doc, exception));
    }
    let mut out = HashMap::new();
    for (file, mut docs) in starts {
        docs.sort_unstable();
        let ranges: Vec<Tracked> = docs
            .iter()
            .enumerate()
            .map(|(i, &(start, doc, exception))| Tracked {
                key: (file.clone(), doc),
                first: if i == 0 { 1 } else { start },
                last: docs.get(i + 1).map_or(u32::MAX, |(next, _, _)| next - 1),
                exception,
            })
            .collect();
        out.insert(file.to_string(), ranges);
    }
    out
}

/// Credits `commit` to the documents its hunks touch, then carries their ranges back through the hunks.
fn apply(
    changes: &mut Changes,
    tracked: &mut HashMap<String, Vec<Tracked>>,
    commit: Commit,
    files: Vec<FileDiff>,
) {
    let index = changes.commits.len();
    let mut credited = false;
    let mut moved: Vec<(String, Vec<Tracked>)> = Vec::new();
    for file in files {
        let Some(new_path) = &file.new_path else {
            continue; // a deletion: nothing of it is in the later version
        };
        let Some(mut docs) = tracked.remove(new_path) else {
            continue;
        };
        // A rename moves every document of the file, whether or not it changes lines.
        let renamed = file.old_path.as_ref().is_some_and(|old| old != new_path);
        for doc in &docs {
            if renamed || file.hunks.iter().any(|h| touches(h, doc)) {
                let approval = doc.exception
                    && file
                        .approvals
                        .iter()
                        .any(|&l| l >= doc.first && l <= doc.last);
                changes
                    .by_doc
                    .entry(doc.key.clone())
                    .or_default()
                    .push(Change {
                        commit: index,
                        approval,
                    });
                credited = true;
            }
        }
        let Some(old_path) = file.old_path else {
            continue; // created here: nothing before
        };
        docs.retain_mut(|doc| carry_back(&file.hunks, doc));
        if !docs.is_empty() {
            moved.push((old_path, docs));
        }
    }
    for (path, docs) in moved {
        tracked.entry(path).or_default().extend(docs);
    }
    if credited {
        changes.commits.push(commit);
    }
}

/// Whether a hunk changes lines of the document: its new lines overlap the range, or it removes lines
/// right after one of the range's lines.
fn touches(hunk: &Hunk, doc: &Tracked) -> bool {
    let (start, len) = hunk.new;
    if len == 0 {
        let at = start.max(1);
        return at >= doc.first && at <= doc.last;
    }
    let end = start + len - 1;
    start <= doc.last && end >= doc.first
}

/// Moves the range to the lines it held before the hunks; `false` when none of its lines existed then.
fn carry_back(hunks: &[Hunk], doc: &mut Tracked) -> bool {
    let first = old_line(hunks, doc.first, true);
    let last = if doc.last == u32::MAX {
        u32::MAX
    } else {
        old_line(hunks, doc.last, false)
    };
    doc.first = first;
    doc.last = last;
    first <= last
}

/// The old line of new line `n`: shifted by the hunks before it; inside a hunk, the hunk's first old line
/// (for a range's start) or its last (for a range's end).
fn old_line(hunks: &[Hunk], n: u32, start: bool) -> u32 {
    let mut shift: i64 = 0;
    for h in hunks {
        let (a, b) = h.old;
        let (c, d) = h.new;
        if d > 0 && n >= c && n < c + d {
            return match (start, b) {
                (true, 0) => a + 1,
                (true, _) => a,
                (false, 0) => a,
                (false, _) => a + b - 1,
            };
        }
        let before = if d == 0 { c < n } else { c + d - 1 < n };
        if before {
            shift += i64::from(b) - i64::from(d);
        }
    }
    u32::try_from((i64::from(n) + shift).max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::{old_line, touches, Hunk, Tracked};

    #[test]
    fn ranges_follow_the_hunks_back() {
        // Lines 3-4 replaced by one line, and two lines inserted after old line 10.
        let hunks = [
            Hunk {
                old: (3, 2),
                new: (3, 1),
            },
            Hunk {
                old: (10, 0),
                new: (10, 2),
            },
        ];
        assert_eq!(old_line(&hunks, 2, true), 2);
        assert_eq!(old_line(&hunks, 3, true), 3);
        assert_eq!(old_line(&hunks, 3, false), 4);
        assert_eq!(old_line(&hunks, 5, true), 6);
        assert_eq!(old_line(&hunks, 10, true), 11);
        assert_eq!(old_line(&hunks, 13, true), 12);
        let doc = |first, last| Tracked {
            key: ("f".into(), 0),
            first,
            last,
            exception: false,
        };
        assert!(touches(&hunks[0], &doc(1, 3)));
        assert!(!touches(&hunks[0], &doc(4, 9)));
        let deletion = Hunk {
            old: (5, 2),
            new: (4, 0),
        };
        assert!(touches(&deletion, &doc(1, 4)));
        assert!(!touches(&deletion, &doc(5, 9)));
    }
}
