//! The registry's history as `git log` gives it, in the two passes [`super::changes`] reads: the listing of
//! the files each commit added, deleted or changed (`--raw`), and the `-U0` patches of only the files
//! changed in place (`--diff-filter=ad`), read commit by commit as the listing reaches them.

use super::changes::Commit;
use crate::git::{GitError, Log, Repo};

/// One hunk of `-U0` output: old start and length, new start and length, and the new lines that add
/// `approved_by`.
#[derive(Default)]
pub(super) struct Hunk {
    pub(super) old: (u32, u32),
    pub(super) new: (u32, u32),
}

/// What one commit did to one file.
#[derive(Default)]
pub(super) struct FileDiff {
    pub(super) old_path: Option<String>,
    pub(super) new_path: Option<String>,
    pub(super) hunks: Vec<Hunk>,
    pub(super) approvals: Vec<u32>,
    /// The new line the next `+` line of the current hunk lands on.
    next_new: u32,
}

impl FileDiff {
    /// The diff of the file `path` added with `contents`, as its patch shows it: every line added. Without
    /// its contents (not read), a hunk of its first line stands for its lines.
    pub(super) fn added(path: String, contents: Option<&[u8]>) -> FileDiff {
        let mut file = FileDiff {
            new_path: Some(path),
            ..FileDiff::default()
        };
        match contents {
            Some(contents) => file.added_lines(contents),
            None => {
                file.hunks = vec![Hunk {
                    old: (0, 0),
                    new: (1, 1),
                }]
            }
        }
        file
    }

    /// The hunk and approvals of a file added with `contents`.
    fn added_lines(&mut self, contents: &[u8]) {
        let mut lines = 0;
        self.approvals.clear();
        if !contents.is_empty() {
            let contents = contents.strip_suffix(b"\n").unwrap_or(contents);
            for line in contents.split(|&b| b == b'\n') {
                lines += 1;
                if is_approval(line) {
                    self.approvals.push(lines);
                }
            }
        }
        self.hunks = if lines == 0 {
            Vec::new()
        } else {
            vec![Hunk {
                old: (0, 0),
                new: (1, lines),
            }]
        };
    }
}

/// An added line that sets an approval.
fn is_approval(line: &[u8]) -> bool {
    String::from_utf8_lossy(line)
        .trim_start()
        .starts_with("approved_by:")
}

/// The options of both passes over the log: the first-parent chain of `commit`, renames found (`-M`) among
/// the files under `prefix`, and `output` (the raw listing or the patches).
pub(super) fn args<'a>(output: &[&'a str], commit: &'a str, prefix: &'a str) -> Vec<&'a str> {
    let mut args = vec!["--first-parent", "--diff-merges=first-parent"];
    args.extend_from_slice(output);
    args.extend([
        "-M",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--format=%x1e%H%x1f%aI%x1f%an%x1f%ae%x1f%s",
        commit,
        "--",
    ]);
    let prefix = prefix.trim_end_matches('/');
    if !prefix.is_empty() {
        args.push(prefix);
    }
    args
}

/// One commit of the raw listing: the files it added (path in the registry, blob), and whether it changed
/// others in place (modified, renamed, changed type), whose hunks the second pass gives.
pub(super) struct Listed {
    pub(super) hash: String,
    pub(super) commit: Option<Commit>,
    pub(super) added: Vec<(String, String)>,
    pub(super) changed: bool,
}

/// The blob of an empty file (SHA-1 and SHA-256 repositories): its addition shows no lines.
const EMPTY_BLOBS: [&str; 2] = [
    "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
];

impl Listed {
    pub(super) fn new(header: &[u8]) -> Listed {
        let hash = header.split(|&b| b == 0x1f).next().unwrap_or_default();
        Listed {
            hash: String::from_utf8_lossy(hash).into_owned(),
            commit: parse_header(header),
            added: Vec::new(),
            changed: false,
        }
    }

    /// `:OLDMODE NEWMODE OLDBLOB NEWBLOB STATUS\tPATH[\tPATH]`. A deletion leaves nothing of the file in
    /// later versions; an empty file's addition shows no lines, and the patches skipped it. A path git
    /// quotes is not followed, as in the patches.
    pub(super) fn raw_line(&mut self, line: &[u8], strip: &str) {
        let Some(line) = line.strip_prefix(b":") else {
            return;
        };
        let text = String::from_utf8_lossy(line);
        let Some((meta, path)) = text.split_once('\t') else {
            return;
        };
        let meta: Vec<&str> = meta.split(' ').collect();
        let [_, mode, _, blob, status] = meta[..] else {
            return;
        };
        match status.as_bytes().first() {
            Some(b'A') => {
                if let Some(rel) = path.strip_prefix(strip) {
                    if !EMPTY_BLOBS.contains(&blob) && !path.starts_with('"') {
                        let blob = if mode == "160000" { "" } else { blob };
                        self.added.push((rel.to_string(), blob.to_string()));
                    }
                }
            }
            Some(b'D') => {}
            _ => self.changed = true,
        }
    }
}

/// The second pass: the `-U0` patches of the files changed in place (everything but additions and
/// deletions, `--diff-filter=ad`), read commit by commit as the listing reaches them.
pub(super) struct Patches {
    log: Log,
    /// The header of the next commit, read ahead.
    next: Option<Vec<u8>>,
}

impl Patches {
    pub(super) fn start(repo: &Repo, commit: &str) -> Result<Patches, GitError> {
        let args = args(&["-p", "-U0", "--diff-filter=ad"], commit, &repo.prefix);
        Ok(Patches {
            log: repo.log(&args)?,
            next: None,
        })
    }

    /// The files of the commit `hash`, which must be the next commit of the pass.
    pub(super) fn of(&mut self, hash: &str, strip: &str) -> Result<Vec<FileDiff>, GitError> {
        while self.next.is_none() {
            match self.log.next_line()? {
                Some(line) => {
                    if let Some(header) = line.strip_prefix(b"\x1e") {
                        self.next = Some(header.to_vec());
                    }
                }
                None => break,
            }
        }
        let next_hash = self
            .next
            .as_deref()
            .and_then(|h| h.split(|&b| b == 0x1f).next())
            .unwrap_or_default();
        if next_hash != hash.as_bytes() {
            return Err(disagree(hash));
        }
        self.next = None;
        let mut files = Vec::new();
        while let Some(line) = self.log.next_line()? {
            if let Some(header) = line.strip_prefix(b"\x1e") {
                self.next = Some(header.to_vec());
                break;
            }
            diff_line(&mut files, line, strip);
        }
        Ok(files)
    }

    /// Ends the pass: every commit it gave was listed.
    pub(super) fn finish(mut self) -> Result<(), GitError> {
        loop {
            if let Some(header) = self.next.take() {
                let hash = header.split(|&b| b == 0x1f).next().unwrap_or_default();
                return Err(disagree(&String::from_utf8_lossy(hash)));
            }
            match self.log.next_line()? {
                Some(line) => self.next = line.strip_prefix(b"\x1e").map(<[u8]>::to_vec),
                None => return self.log.finish(),
            }
        }
    }
}

/// The two passes over the log do not list the same commits (which they should, git being the same).
fn disagree(hash: &str) -> GitError {
    GitError::Failed {
        command: "log -p --diff-filter=ad".into(),
        stderr: format!("the patches and the listing of the history disagree at {hash}"),
    }
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
fn pull_request(subject: &str) -> Option<u64> {
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
            if is_approval(added) {
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

#[cfg(test)]
mod tests {
    use super::{pull_request, FileDiff};

    #[test]
    fn an_added_file_is_one_hunk_of_all_its_lines_with_its_approvals() {
        let mut file = FileDiff::default();
        file.added_lines(b"kind: Exception\n  approved_by: a\nx: 1\napproved_by: b");
        assert_eq!(file.hunks.len(), 1);
        assert_eq!((file.hunks[0].old, file.hunks[0].new), ((0, 0), (1, 4)));
        assert_eq!(file.approvals, [2, 4]);
        file.added_lines(b"a\n\nb\n");
        assert_eq!(file.hunks[0].new, (1, 3));
        assert!(file.approvals.is_empty());
        file.added_lines(b"\n");
        assert_eq!(file.hunks[0].new, (1, 1));
        file.added_lines(b"");
        assert!(file.hunks.is_empty());
    }

    #[test]
    fn pull_requests_are_read_from_the_subject() {
        assert_eq!(pull_request("Rotate the key (#123)"), Some(123));
        assert_eq!(pull_request("Merge pull request #7 from a/b"), Some(7));
        assert_eq!(pull_request("Fix (#12) then (#13)"), Some(13));
        assert_eq!(pull_request("Fix #12"), None);
        assert_eq!(pull_request("Odd (#12x)"), None);
    }
}
