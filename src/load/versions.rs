//! Registry versions read from git share their parsed files: a blob id is a hash of a file's contents, so a
//! file that did not change between two revisions is read and parsed once, however many revisions are
//! checked (the trend of a year samples twelve versions of a registry that changes a few percent a month).

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{assemble, classify, misplaced_in, parse_bytes, FileResult, LoadError, Loaded};
use crate::finding::Finding;

/// The files of every version read so far: contents by blob id, parsed files by (path, blob id).
#[derive(Default)]
pub struct Versions {
    blobs: HashMap<String, Arc<[u8]>>,
    parsed: HashMap<(String, String), FileResult>,
    misplaced: HashMap<(String, String), Vec<Finding>>,
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
            .filter(|o| !self.blobs.contains_key(*o) && seen.insert(*o))
            .collect()
    }

    /// Keeps the contents of `objects`, given in the same order.
    pub fn add(&mut self, objects: &[&str], contents: Vec<Vec<u8>>) {
        for (object, bytes) in objects.iter().zip(contents) {
            self.blobs.insert((*object).to_string(), Arc::from(bytes));
        }
    }

    /// The text of a blob read before, when it is UTF-8.
    pub fn text(&self, object: &str) -> Option<String> {
        let bytes = self.blobs.get(object)?;
        String::from_utf8(bytes.to_vec()).ok()
    }

    /// Loads the version whose files are `tree` (every blob held: see [`Versions::missing`]), as
    /// [`super::load_files`] would from their contents, parsing only the (path, blob) pairs not seen before.
    pub fn load(&mut self, name: &str, tree: &[(String, String)]) -> Result<Loaded, LoadError> {
        let (files, outside) = classify(name, tree.to_vec())?;
        let new: Vec<&(String, String)> = files
            .iter()
            .filter(|key| !self.parsed.contains_key(*key))
            .collect();
        let blobs = &self.blobs;
        let parsed: Vec<((String, String), FileResult)> = new
            .into_par_iter()
            .map(|(rel, object)| {
                let bytes = blobs.get(object).map_or(&[][..], |b| &b[..]);
                ((rel.clone(), object.clone()), parse_bytes(rel, bytes))
            })
            .collect();
        self.parses += parsed.len();
        self.parsed.extend(parsed);
        let mut misplaced = Vec::new();
        for key in outside {
            let found = match self.misplaced.get(&key) {
                Some(found) => found.clone(),
                None => {
                    let bytes = self.blobs.get(&key.1).map_or(&[][..], |b| &b[..]);
                    let found = misplaced_in(&key.0, bytes);
                    self.misplaced.insert(key, found.clone());
                    found
                }
            };
            misplaced.extend(found);
        }
        let names: Vec<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
        let results: Vec<FileResult> = files
            .par_iter()
            .map(|key| self.parsed.get(key).cloned().unwrap_or_default())
            .collect();
        let mut loaded = assemble(&names, results);
        loaded.findings.extend(misplaced);
        Ok(loaded)
    }
}
