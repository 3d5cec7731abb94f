//! The few things `nhi` asks of git, through the `git` command (always present in CI, no extra crates): where
//! the registry sits in its work tree, the registry's files at a revision, the files a change touches, the
//! commit checked out; and what can be read without running git (the top of a work tree, the origin remote).
//! Everything else asks here.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::load;

/// What stops a git query.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    #[error("{0} is not inside a git work tree")]
    NotARepository(PathBuf),
    #[error("`{0}` is not a revision of this repository")]
    BadRevision(String),
    #[error("`git {command}` failed: {stderr}")]
    Failed { command: String, stderr: String },
}

/// A registry inside a git work tree.
#[derive(Clone, Debug)]
pub struct Repo {
    /// The top of the work tree.
    pub top: PathBuf,
    /// The registry's path inside the work tree, `/`-terminated, or empty at the top.
    pub prefix: String,
}

impl Repo {
    /// Finds the work tree that holds the registry at `root`.
    pub fn discover(root: &Path) -> Result<Repo, GitError> {
        let out = run(root, &["rev-parse", "--show-toplevel", "--show-prefix"])
            .map_err(|_| GitError::NotARepository(root.to_path_buf()))?;
        let text = String::from_utf8_lossy(&out);
        let mut lines = text.lines();
        let top = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| GitError::NotARepository(root.to_path_buf()))?;
        let prefix = lines.next().unwrap_or("").to_string();
        Ok(Repo {
            top: PathBuf::from(top),
            prefix,
        })
    }

    /// The commit `rev` names (a branch, tag, `HEAD~1`, a hash…).
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n']) {
            return Err(GitError::BadRevision(rev.to_string()));
        }
        let spec = format!("{rev}^{{commit}}");
        let out = run(&self.top, &["rev-parse", "--verify", "--quiet", &spec])
            .map_err(|_| GitError::BadRevision(rev.to_string()))?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The registry's files at `rev`, as `(path relative to the registry root, contents)`: only the files the
    /// loader reads (see [`load::is_registry_file`]) and the YAML files beside them that could hold a misplaced
    /// document ([`load::stray::is_outside`]); symbolic links and submodules are left out.
    pub fn registry_files_at(&self, rev: &str) -> Result<Vec<(String, Vec<u8>)>, GitError> {
        let commit = self.resolve(rev)?;
        let wanted = self.registry_tree_at(&commit)?;
        let objects: Vec<&str> = wanted.iter().map(|(_, o)| o.as_str()).collect();
        let contents = self.blobs(&objects)?;
        Ok(wanted
            .into_iter()
            .map(|(rel, _)| rel)
            .zip(contents)
            .collect())
    }

    /// The files [`Repo::registry_files_at`] reads at the commit `commit` (a full hash), as `(path relative to
    /// the registry root, blob id)`, without their contents: a blob id is a hash of the contents, so a caller
    /// reading several revisions reads and parses each version of a file once.
    pub fn registry_tree_at(&self, commit: &str) -> Result<Vec<(String, String)>, GitError> {
        let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", commit];
        if !self.prefix.is_empty() {
            args.extend(["--", self.prefix.as_str()]);
        }
        let listing = run(&self.top, &args)?;
        let mut wanted: Vec<(String, String)> = Vec::new();
        for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            let (Some(mode), Some(kind), Some(object)) = (meta.next(), meta.next(), meta.next())
            else {
                continue;
            };
            if kind != "blob" || mode == "120000" {
                continue;
            }
            let Some(rel) = path.strip_prefix(self.prefix.as_str()) else {
                continue;
            };
            if load::is_registry_file(rel) || load::stray::is_outside(rel) {
                wanted.push((rel.to_string(), object.to_string()));
            }
        }
        Ok(wanted)
    }

    /// The contents of the blobs `objects`, in order, through one `git cat-file --batch`.
    pub fn blobs(&self, objects: &[&str]) -> Result<Vec<Vec<u8>>, GitError> {
        cat_blobs(&self.top, objects)
    }

    /// The file at `path` (from the top of the work tree) in the commit `commit`, if it holds one.
    pub fn file_at(&self, commit: &str, path: &str) -> Option<Vec<u8>> {
        let spec = format!("{commit}:{path}");
        let out = run(&self.top, &["cat-file", "blob", &spec]).ok()?;
        Some(out)
    }

    /// Whether the repository is a shallow clone (its history stops at a grafted commit).
    pub fn is_shallow(&self) -> bool {
        run(&self.top, &["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|out| out.starts_with(b"true"))
    }

    /// The first-parent chain from `commit` back to the first commit, newest first, as `(hash, committer time
    /// in seconds since the epoch)`: the commits that were in force on the branch, one after the other.
    pub fn first_parent_commits(&self, commit: &str) -> Result<Vec<(String, i64)>, GitError> {
        let out = run(
            &self.top,
            &["log", "--first-parent", "--format=%H %ct", commit, "--"],
        )?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|line| {
                let (hash, time) = line.split_once(' ')?;
                Some((hash.to_string(), time.trim().parse().ok()?))
            })
            .collect())
    }

    /// `git log ARGS` (a format and options chosen by the caller, in the repository's top), read line by line
    /// without holding the whole output: one pass over a long history.
    pub fn log(&self, args: &[&str]) -> Result<Log, GitError> {
        let mut full = vec!["-c", "core.quotePath=false", "log"];
        full.extend_from_slice(args);
        let mut child = git(&self.top, &full)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(GitError::Spawn)?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| GitError::Spawn(std::io::Error::other("no stdout")))?;
        Ok(Log {
            child,
            reader: BufReader::with_capacity(1 << 16, stdout),
            line: Vec::new(),
            command: full.join(" "),
        })
    }

    /// A `git cat-file --batch` that answers one blob at a time, for a caller that learns which blobs it
    /// needs while it reads something else.
    pub fn blob_reader(&self) -> Result<BlobReader, GitError> {
        let mut child = git(&self.top, &["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(GitError::Spawn)?;
        let no = |what: &str| GitError::Spawn(std::io::Error::other(format!("no {what}")));
        let stdin = child.stdin.take().ok_or_else(|| no("stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| no("stdout"))?;
        Ok(BlobReader {
            child,
            stdin: Some(stdin),
            reader: BufReader::new(stdout),
        })
    }

    /// Files changed between `rev` and the work tree (committed, staged or not), plus untracked files that
    /// are not ignored: paths relative to the top of the work tree.
    pub fn changed_since(&self, rev: &str) -> Result<BTreeSet<String>, GitError> {
        let commit = self.resolve(rev)?;
        let mut changed = BTreeSet::new();
        for args in [
            vec!["diff", "--name-only", "-z", "--no-renames", commit.as_str()],
            vec![
                "ls-files",
                "-z",
                "--others",
                "--exclude-standard",
                "--full-name",
            ],
        ] {
            let out = run(&self.top, &args)?;
            changed.extend(
                out.split(|&b| b == 0)
                    .filter(|p| !p.is_empty())
                    .map(|p| String::from_utf8_lossy(p).into_owned()),
            );
        }
        Ok(changed)
    }
}

/// A running `git log`, read a line at a time ([`Repo::log`]).
pub struct Log {
    child: Child,
    reader: BufReader<ChildStdout>,
    line: Vec<u8>,
    command: String,
}

impl Log {
    /// The next line, without its newline; `None` at the end of the output.
    pub fn next_line(&mut self) -> Result<Option<&[u8]>, GitError> {
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .map_err(GitError::Spawn)?;
        if n == 0 {
            return Ok(None);
        }
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
        }
        Ok(Some(&self.line))
    }

    /// Waits for git once the output is read: an error if it failed.
    pub fn finish(mut self) -> Result<(), GitError> {
        let status = self.child.wait().map_err(GitError::Spawn)?;
        if !status.success() {
            return Err(GitError::Failed {
                command: std::mem::take(&mut self.command),
                stderr: format!("exited with {status}"),
            });
        }
        Ok(())
    }
}

impl Drop for Log {
    /// A log left before its end (an error elsewhere) is stopped rather than left running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A running `git cat-file --batch` asked for one blob at a time ([`Repo::blob_reader`]).
pub struct BlobReader {
    child: Child,
    stdin: Option<ChildStdin>,
    reader: BufReader<ChildStdout>,
}

impl BlobReader {
    /// The contents of the blob `object`.
    pub fn read(&mut self, object: &str) -> Result<Vec<u8>, GitError> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| GitError::Spawn(std::io::Error::other("no stdin")))?;
        stdin
            .write_all(format!("{object}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(GitError::Spawn)?;
        read_blob(&mut self.reader, object)
    }
}

impl Drop for BlobReader {
    /// Closing its input ends git's batch.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// The commit `HEAD` names in the work tree holding `dir`, if there is one.
pub fn head_commit(dir: &Path) -> Option<String> {
    let out = run(dir, &["rev-parse", "--verify", "--quiet", "HEAD"]).ok()?;
    let text = String::from_utf8_lossy(&out).trim().to_string();
    let hex = (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
    hex.then_some(text)
}

/// Whether `dir` is the top of a work tree (it holds `.git`, a directory or a worktree's file).
pub fn is_top(dir: &Path) -> bool {
    dir.join(".git").exists()
}

/// The top of the work tree holding the directory `path`, found by looking for `.git` upwards without
/// running git.
pub fn top_of(path: &Path) -> Option<PathBuf> {
    let path = path.canonicalize().ok()?;
    path.ancestors()
        .find(|dir| is_top(dir))
        .map(Path::to_path_buf)
}

/// The path of `root` relative to the top of the work tree holding it, `/`-terminated (`""` when it is the
/// top, or when it is not in a work tree), found without running git.
pub fn prefix_of(root: &Path) -> String {
    let (Ok(root), Some(top)) = (root.canonicalize(), top_of(root)) else {
        return String::new();
    };
    let rel = load::slash_path(root.strip_prefix(&top).unwrap_or(Path::new("")));
    if rel.is_empty() {
        rel
    } else {
        format!("{rel}/")
    }
}

/// The URL of the `origin` remote in the `.git/config` of the checkout at `checkout`, if there is one.
pub fn origin_url(checkout: &Path) -> Option<String> {
    let config = std::fs::read_to_string(checkout.join(".git").join("config")).ok()?;
    let mut in_origin = false;
    for line in config.lines().map(str::trim) {
        if line.starts_with('[') {
            in_origin = line == "[remote \"origin\"]";
        } else if in_origin {
            if let Some(url) = line
                .strip_prefix("url")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix('='))
            {
                return Some(url.trim().to_string());
            }
        }
    }
    None
}

/// Runs `git -C dir ARGS` and returns its standard output.
fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = git(dir, args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitError::Spawn)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(GitError::Failed {
            command: args.join(" "),
            stderr,
        });
    }
    Ok(out.stdout)
}

fn git(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .arg("--literal-pathspecs")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The contents of `objects`, in order, through one `git cat-file --batch`.
fn cat_blobs(dir: &Path, objects: &[&str]) -> Result<Vec<Vec<u8>>, GitError> {
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git(dir, &["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(GitError::Spawn)?;
    let request: String = objects.iter().map(|o| format!("{o}\n")).collect();
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| GitError::Spawn(std::io::Error::other("no stdin")))?;
    // Write from another thread: git answers while it reads, and a full pipe would block both sides.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| GitError::Spawn(std::io::Error::other("no stdout")))?;
    let mut reader = BufReader::new(stdout);
    let mut contents = Vec::with_capacity(objects.len());
    for object in objects {
        contents.push(read_blob(&mut reader, object)?);
    }
    drop(reader);
    let _ = writer.join();
    let _ = child.wait();
    Ok(contents)
}

/// One `<object> <type> <size>` header, the contents, and the newline after them.
fn read_blob(reader: &mut impl BufRead, object: &str) -> Result<Vec<u8>, GitError> {
    let failed = |why: &str| GitError::Failed {
        command: "cat-file --batch".into(),
        stderr: format!("{object}: {why}"),
    };
    let mut header = String::new();
    reader.read_line(&mut header).map_err(GitError::Spawn)?;
    let size = header
        .trim_end()
        .rsplit(' ')
        .next()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|_| !header.ends_with(" missing\n"))
        .ok_or_else(|| failed(header.trim_end()))?;
    let mut blob = vec![0; size];
    reader.read_exact(&mut blob).map_err(GitError::Spawn)?;
    let mut newline = [0u8; 1];
    reader.read_exact(&mut newline).map_err(GitError::Spawn)?;
    Ok(blob)
}
