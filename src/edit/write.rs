//! A plan of edits over many files: its unified diff, and writing it (every file or none), each file
//! through a temporary file in its own directory renamed over the original, keeping its permissions.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use similar::TextDiff;

use super::{release, EditError, EditFile};

/// The files a command changes, written together by [`Plan::apply`].
#[derive(Debug, Default)]
pub struct Plan {
    files: Vec<EditFile>,
}

impl Plan {
    /// Adds a file (one that did not change is left out); it is sealed, as a plan only diffs and writes.
    pub fn add(&mut self, mut file: EditFile) {
        if file.changed() {
            file.seal();
            self.files.push(file);
        }
    }

    /// Whether nothing would be written.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The names of the files the plan writes.
    pub fn files(&self) -> Vec<String> {
        self.files.iter().map(|f| f.display.clone()).collect()
    }

    /// The unified diff of every file, as `git diff` would show it.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            let old = f
                .original
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let new = String::from_utf8_lossy(&f.bytes()).into_owned();
            let a = match f.original {
                Some(_) => format!("a/{}", f.display),
                None => "/dev/null".to_string(),
            };
            let b = format!("b/{}", f.display);
            let diff = TextDiff::from_lines(old.as_ref(), new.as_str());
            let unified = diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string();
            out.push_str(&unified);
            if !unified.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        out
    }

    /// Writes every file, or none: each file's new text goes to a temporary file first, and only when
    /// all are written (and no file changed on disk since it was read) are they renamed into place.
    /// Returns the names of the files written.
    pub fn apply(self) -> Result<Vec<String>, EditError> {
        // Staging is independent per file: in parallel, as a sync of many files spends its time here.
        let results: Vec<Result<PathBuf, EditError>> =
            crate::timings::phase("stage", || self.files.par_iter().map(stage).collect());
        let mut staged: Vec<(PathBuf, &EditFile)> = Vec::with_capacity(self.files.len());
        let mut first_error = None;
        for (result, f) in results.into_iter().zip(&self.files) {
            match result {
                Ok(tmp) => staged.push((tmp, f)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            for (tmp, _) in &staged {
                let _ = fs::remove_file(tmp);
            }
            return Err(e);
        }
        // One by one, in order; what waits on the disk (freeing each replaced file) is done off this thread.
        crate::timings::phase("rename", || rename_all(&staged))
    }
}

/// Renames each staged file over its original, stopping at the first failure (the temporary files not yet
/// renamed are removed). Returns the names of the files written.
///
/// The rename that replaces a file also frees the old one, and on some file systems that waits on the disk
/// (ext4 without a journal and mounted with `discard` trims each freed file's blocks before the call
/// returns: about a tenth of a millisecond each, and much more on a busy disk). So each original is held
/// open across its rename, which then only swaps names, and let go on other threads, where the freeing
/// waits in parallel. What readers see is the same: each name moves from the old file to the new one at once.
fn rename_all(staged: &[(PathBuf, &EditFile)]) -> Result<Vec<String>, EditError> {
    release::with_releasers(staged.len(), |release| {
        let mut written = Vec::with_capacity(staged.len());
        let mut failure = None;
        for (tmp, f) in staged {
            if failure.is_some() {
                let _ = fs::remove_file(tmp);
                continue;
            }
            let held = release.hold(&f.path);
            match fs::rename(tmp, &f.path) {
                Ok(()) => written.push(f.display.clone()),
                Err(e) => {
                    let _ = fs::remove_file(tmp);
                    failure = Some(fail(f, format!("cannot write: {e}")));
                }
            }
            release.let_go(held);
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(written),
        }
    })
}

fn fail(f: &EditFile, message: String) -> EditError {
    EditError {
        file: f.display.clone(),
        line: 1,
        message,
    }
}

/// Writes `f`'s new bytes beside it, with its permissions; checks the file is still what was read (by its
/// stamp when that vouches for it, else by its bytes).
fn stage(f: &EditFile) -> Result<PathBuf, EditError> {
    let on_disk = match fs::symlink_metadata(&f.path) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(fail(
                f,
                "not a regular file (a link?); edit it by hand".into(),
            ))
        }
        Ok(meta) => Some(meta),
        Err(_) => None,
    };
    let unchanged = |meta: &fs::Metadata, original: &[u8]| {
        f.stamp.as_ref().is_some_and(|s| s.vouches_for(meta))
            || fs::read(&f.path).is_ok_and(|bytes| bytes == original)
    };
    let permissions = match (&f.original, on_disk) {
        (Some(original), Some(meta)) if unchanged(&meta, original) => Some(meta.permissions()),
        (None, None) => None,
        (None, Some(_)) => return Err(fail(f, "the file already exists".into())),
        _ => {
            return Err(fail(
                f,
                "the file changed while the edit was planned; run again".into(),
            ))
        }
    };
    let dir = f
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if f.original.is_none() {
        fs::create_dir_all(dir)
            .map_err(|e| fail(f, format!("cannot create {}: {e}", dir.display())))?;
    }
    let name = f
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.nhi-{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        out.write_all(&f.bytes())?;
        if let Some(p) = &permissions {
            out.set_permissions(p.clone())?;
        }
        // No fsync per file: the rename already keeps readers from ever seeing a partial file, and an fsync
        // per file cost ~3 ms each (220 s for an 80,000-file sync). Git does not fsync by default either.
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        fail(f, format!("cannot write beside it: {e}"))
    })?;
    Ok(tmp)
}
