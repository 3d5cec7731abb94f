//! Records the git commit the binary is built from, for `nhi --version`: `NHI_COMMIT` when the build sets it
//! (a container or release build from a tree without `.git`), else `git rev-parse HEAD` of the source tree,
//! else "unknown" (a crate unpacked from a registry).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=NHI_COMMIT");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let commit = std::env::var("NHI_COMMIT")
        .ok()
        .and_then(|c| short(c.trim()))
        .or_else(|| from_git(Path::new(&dir)))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=NHI_COMMIT={commit}");
}

/// The commit of HEAD, when `dir` is the top of a git work tree, and the files to watch for a new one.
fn from_git(dir: &Path) -> Option<String> {
    // A crate vendored inside someone else's repository must not report that repository's commit.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = Path::new(&top).canonicalize().ok()? == dir.canonicalize().ok()?;
    if !same {
        return None;
    }
    for name in ["HEAD", "packed-refs"] {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
            println!("cargo:rerun-if-changed={}", dir.join(path).display());
        }
    }
    if let Some(head_ref) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &head_ref]) {
            println!("cargo:rerun-if-changed={}", dir.join(path).display());
        }
    }
    short(&git(dir, &["rev-parse", "HEAD"])?)
}

/// The first 12 hex digits of a commit id, or nothing when `id` is not one.
fn short(id: &str) -> Option<String> {
    let hex = id.len() >= 7 && id.chars().all(|c| c.is_ascii_hexdigit());
    hex.then(|| id[..id.len().min(12)].to_ascii_lowercase())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
