//! Registry versions read from git share their parsed files: a blob id is a hash of a file's contents, so a
//! file that did not change between two revisions is read and parsed once, however many revisions are
//! checked (the trend of a year samples twelve versions of a registry that changes a few percent a month).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{assemble, classify, misplaced_in, parse_bytes, FileResult, Kept, LoadError, Loaded};
use crate::finding::Finding;

/// The files of every version read so far: contents by blob id, parsed files by (path, blob id).
#[derive(Default)]
pub struct Versions {
    blobs: HashMap<String, Arc<[u8]>>,
    parsed: HashMap<(String, String), FileResult>,
    misplaced: HashMap<(String, String), Vec<Finding>>,
    /// Blobs whose bytes are those of a file in the work tree, read from there when needed.
    on_disk: HashMap<String, PathBuf>,
    /// Parses lent by the work tree ([`Versions::seed`]), moved (not copied) into the first version loaded.
    lent: HashMap<(String, String), FileResult>,
    /// How many files were parsed (each (path, blob) once).
    pub parses: usize,
}

impl Versions {
    pub fn new() -> Versions {
        Versions::default()
    }

    /// The blob ids of `tree` (`(path, blob id)` pairs) whose contents are not held yet, each once.
    pub fn missing<'t>(&self, tree: &'t [(String, String)]) -> Vec<&'t str> {
        let mut seen = std::collections::HashSet::new();
        tree.iter()
            .map(|(_, object)| object.as_str())
            .filter(|o| {
                !self.blobs.contains_key(*o) && !self.on_disk.contains_key(*o) && seen.insert(*o)
            })
            .collect()
    }

    /// Takes the parses of a registry loaded from the work tree at `root` ([`super::load_keeping`]) for the
    /// files of `tree` that `unchanged` says hold the same bytes there as in git (a pull request's untouched
    /// files): they are neither read from git nor parsed again, and their text, when a finding needs a
    /// position, is read from the work tree.
    pub fn seed(
        &mut self,
        tree: &[(String, String)],
        kept: Kept,
        root: &Path,
        unchanged: impl Fn(&str) -> bool,
    ) {
        let mut kept = kept.0;
        for (rel, object) in tree {
            if !unchanged(rel) {
                continue;
            }
            if let Some(result) = kept.remove(rel) {
                self.lent.insert((rel.clone(), object.clone()), result);
            }
            self.on_disk.insert(object.clone(), root.join(rel));
        }
    }

    /// The bytes of a blob read before, or of the work tree file holding the same bytes.
    fn bytes(&self, object: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        if let Some(bytes) = self.blobs.get(object) {
            return Some(std::borrow::Cow::Borrowed(&bytes[..]));
        }
        let path = self.on_disk.get(object)?;
        std::fs::read(path).ok().map(std::borrow::Cow::Owned)
    }

    /// Keeps the contents of `objects`, given in the same order.
    pub fn add(&mut self, objects: &[&str], contents: Vec<Vec<u8>>) {
        for (object, bytes) in objects.iter().zip(contents) {
            self.blobs.insert((*object).to_string(), Arc::from(bytes));
        }
    }

    /// The text of a blob read before, when it is UTF-8.
    pub fn text(&self, object: &str) -> Option<String> {
        String::from_utf8(self.bytes(object)?.into_owned()).ok()
    }

    /// Loads the version whose files are `tree` (every blob held: see [`Versions::missing`]), as
    /// [`super::load_files`] would from their contents, parsing only the (path, blob) pairs not seen before.
    pub fn load(&mut self, name: &str, tree: &[(String, String)]) -> Result<Loaded, LoadError> {
        let (files, outside) = classify(name, tree.to_vec())?;
        let new: Vec<&(String, String)> = files
            .iter()
            .filter(|key| !self.parsed.contains_key(*key) && !self.lent.contains_key(*key))
            .collect();
        let this = &*self;
        let parsed: Vec<((String, String), FileResult)> = new
            .into_par_iter()
            .map(|(rel, object)| {
                let bytes = this.bytes(object).unwrap_or_default();
                ((rel.clone(), object.clone()), parse_bytes(rel, &bytes))
            })
            .collect();
        self.parses += parsed.len();
        self.parsed.extend(parsed);
        let mut misplaced = Vec::new();
        for key in outside {
            let found = match self.misplaced.get(&key) {
                Some(found) => found.clone(),
                None => {
                    let bytes = self.bytes(&key.1).unwrap_or_default();
                    let found = misplaced_in(&key.0, &bytes);
                    self.misplaced.insert(key, found.clone());
                    found
                }
            };
            misplaced.extend(found);
        }
        let names: Vec<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
        let lent: Vec<Option<FileResult>> = files.iter().map(|key| self.lent.remove(key)).collect();
        let results: Vec<FileResult> = files
            .par_iter()
            .zip(lent)
            .map(|(key, lent)| {
                lent.unwrap_or_else(|| self.parsed.get(key).cloned().unwrap_or_default())
            })
            .collect();
        let mut loaded = assemble(&names, results);
        loaded.findings.extend(misplaced);
        Ok(loaded)
    }
}
