//! Which commits changed each document, from one `git log` pass over the registry's history.
//!
//! The log follows the branch's first-parent chain (each merged pull request counts once, as it landed)
//! with the hunks of each commit (`-U0`). Starting from the documents' line ranges in the version shown,
//! each commit, newest first, is attributed to the documents whose lines its hunks touch, and the ranges are
//! then carried back through its hunks to the lines they held before it, as `git blame` does. A file of
//! several documents thus credits a commit only to the documents it changed; a rename carries the ranges to
//! the old name; a document's history stops at the commit that created it.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::git::{GitError, Repo};
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
    /// The commit added an `approved_by` line inside the document.
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
}

/// One hunk of `-U0` output: old start and length, new start and length, and the new lines that add
/// `approved_by`.
#[derive(Default)]
struct Hunk {
    old: (u32, u32),
    new: (u32, u32),
}

/// What one commit did to one file.
#[derive(Default)]
struct FileDiff {
    old_path: Option<String>,
    new_path: Option<String>,
    hunks: Vec<Hunk>,
    approvals: Vec<u32>,
    /// The new line the next `+` line of the current hunk lands on.
    next_new: u32,
}

/// The changes of every document of `registry` (read at `commit` of `repo`) from the history of `commit`.
pub fn read(repo: &Repo, commit: &str, registry: &Registry) -> Result<Changes, GitError> {
    let mut tracked = initial_ranges(registry);
    let mut changes = Changes::default();
    let mut current: Option<(Commit, Vec<FileDiff>)> = None;
    let mut args = vec![
        "--first-parent",
        "--diff-merges=first-parent",
        "-p",
        "-U0",
        "-M",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--format=%x1e%H%x1f%aI%x1f%an%x1f%ae%x1f%s",
        commit,
        "--",
    ];
    let prefix = repo.prefix.trim_end_matches('/');
    if !prefix.is_empty() {
        args.push(prefix);
    }
    let strip = repo.prefix.clone();
    repo.log_lines(&args, |line| {
        if let Some(header) = line.strip_prefix(b"\x1e") {
            if let Some((c, files)) = current.take() {
                apply(&mut changes, &mut tracked, c, files);
            }
            current = parse_header(header).map(|c| (c, Vec::new()));
            return;
        }
        if let Some((_, files)) = current.as_mut() {
            diff_line(files, line, &strip);
        }
    })?;
    if let Some((c, files)) = current.take() {
        apply(&mut changes, &mut tracked, c, files);
    }
    Ok(changes)
}

/// Each document's lines in the version read: from its start to the line before the next document's
/// start (the first from line 1, the last to the end of the file).
fn initial_ranges(registry: &Registry) -> HashMap<String, Vec<Tracked>> {
    let mut starts: HashMap<Arc<str>, Vec<(u32, u32)>> = HashMap::new();
    let sources = registry
        .identities
        .iter()
        .map(|d| &d.source)
        .chain(registry.teams.iter().map(|d| &d.source))
        .chain(registry.persons.iter().map(|d| &d.source))
        .chain(registry.systems.iter().map(|d| &d.source))
        .chain(registry.exceptions.iter().map(|d| &d.source));
    for s in sources {
        starts
            .entry(s.file.clone())
            .or_default()
            .push((s.start.line.get(), s.doc));
    }
    let mut out = HashMap::new();
    for (file, mut docs) in starts {
        docs.sort_unstable();
        let ranges: Vec<Tracked> = docs
            .iter()
            .enumerate()
            .map(|(i, &(start, doc))| Tracked {
                key: (file.clone(), doc),
                first: if i == 0 { 1 } else { start },
                last: docs.get(i + 1).map_or(u32::MAX, |(next, _)| next - 1),
            })
            .collect();
        out.insert(file.to_string(), ranges);
    }
    out
}

fn parse_header(header: &[u8]) -> Option<Commit> {
    let text = String::from_utf8_lossy(header);
    let mut parts = text.split('\x1f');
    let hash = parts.next()?.to_string();
    let date = crate::day::of_timestamp(parts.next()?)?;
    let author = parts.next()?.to_string();
    let email = parts.next()?.to_string();
    let subject = parts.next().unwrap_or("").to_string();
    let pr = pull_request(&subject);
    Some(Commit {
        hash,
        date,
        author,
        email,
        subject,
        pr,
    })
}

/// The pull request a subject names: the last "(#123)" (squash and rebase merges), or "Merge pull request
/// #123" (merge commits).
pub fn pull_request(subject: &str) -> Option<u64> {
    let number = |s: &str| -> Option<u64> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    if let Some(rest) = subject.strip_prefix("Merge pull request #") {
        return number(rest);
    }
    let at = subject.rfind("(#")?;
    let rest = &subject[at + 2..];
    let n = number(rest)?;
    rest[n.to_string().len()..].starts_with(')').then_some(n)
}

/// One line of a commit's patch.
fn diff_line(files: &mut Vec<FileDiff>, line: &[u8], strip: &str) {
    let path = |rest: &[u8]| -> Option<String> {
        let text = String::from_utf8_lossy(rest);
        let text = text.trim_end_matches('\t');
        text.strip_prefix(strip).map(str::to_string)
    };
    if line.starts_with(b"diff --git ") {
        files.push(FileDiff::default());
        return;
    }
    let Some(file) = files.last_mut() else {
        return;
    };
    if let Some(rest) = line.strip_prefix(b"--- a/") {
        file.old_path = path(rest);
    } else if let Some(rest) = line.strip_prefix(b"+++ b/") {
        file.new_path = path(rest);
    } else if let Some(rest) = line.strip_prefix(b"rename from ") {
        file.old_path = path(rest);
    } else if let Some(rest) = line.strip_prefix(b"rename to ") {
        file.new_path = path(rest);
    } else if let Some(rest) = line.strip_prefix(b"@@ -") {
        if let Some(hunk) = parse_hunk(rest) {
            file.next_new = hunk.new.0;
            file.hunks.push(hunk);
        }
    } else if let Some(added) = line.strip_prefix(b"+") {
        if !file.hunks.is_empty() {
            let text = String::from_utf8_lossy(added);
            if text.trim_start().starts_with("approved_by:") {
                file.approvals.push(file.next_new);
            }
            file.next_new += 1;
        }
    }
}

/// `-a,b +c,d @@`: a missing length is 1.
fn parse_hunk(rest: &[u8]) -> Option<Hunk> {
    let text = std::str::from_utf8(rest).ok()?;
    let (old, rest) = text.split_once(" +")?;
    let new = rest.split(' ').next()?;
    let pair = |s: &str| -> Option<(u32, u32)> {
        match s.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((s.parse().ok()?, 1)),
        }
    };
    Some(Hunk {
        old: pair(old)?,
        new: pair(new)?,
    })
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
                let approval = file
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
    use super::{old_line, pull_request, touches, Hunk, Tracked};

    #[test]
    fn pull_requests_are_read_from_the_subject() {
        assert_eq!(pull_request("Rotate the key (#123)"), Some(123));
        assert_eq!(pull_request("Merge pull request #7 from a/b"), Some(7));
        assert_eq!(pull_request("Fix (#12) then (#13)"), Some(13));
        assert_eq!(pull_request("Fix #12"), None);
        assert_eq!(pull_request("Odd (#12x)"), None);
    }

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
