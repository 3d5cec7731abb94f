//! `nhi` compiles a registry of non-human identities: YAML files → a typed registry → findings → outputs.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod catalogue;
pub mod codeowners;
pub mod day;
pub mod diff;
pub mod directory;
pub mod drift;
pub mod due;
pub mod edit;
pub mod federation;
pub mod finding;
pub mod git;
pub mod graph;
pub mod hint;
pub mod history;
pub mod id;
pub mod import;
pub mod leak;
pub mod load;
pub mod model;
pub mod offboard;
pub mod ownership;
pub mod record;
pub mod report;
pub mod rules;
pub mod scaffold;
pub mod secrets;
pub mod severity;
pub mod site;
pub mod span;
pub mod starter;
pub mod sync;
pub mod synth;
pub mod timings;
pub mod trace;

use std::path::Path;

use jiff::civil::Date;

use finding::{Counts, Finding};
use model::Registry;

/// The outcome of checking a registry: what was loaded, and every finding in output order.
pub struct Checked {
    pub as_of: Date,
    pub registry: Registry,
    pub findings: Vec<Finding>,
}

impl Checked {
    pub fn counts(&self) -> Counts {
        Counts::of(&self.findings)
    }

    /// Adds a `not-read` finding for each YAML file in `changed` (paths from the top of the work tree, where
    /// the registry sits at `prefix`) that the registry does not read, in output order.
    pub fn add_unread(
        &mut self,
        root: &Path,
        prefix: &str,
        changed: &std::collections::BTreeSet<String>,
    ) {
        let unread = load::stray::unread_changes(root, prefix, changed, &self.findings);
        let mut unread = rules::apply_policy_to(&self.registry.policy, unread);
        if unread.is_empty() {
            return;
        }
        self.findings.append(&mut unread);
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// Whether the gate fails: an unwaived error remains (or a warning, with `deny_warnings`).
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.findings.iter().any(|f| f.fails(deny_warnings))
    }
}

/// Loads and checks the registry at `root` as of `as_of`.
pub fn check(root: &Path, as_of: Date) -> Result<Checked, load::LoadError> {
    let loaded = load::load(root)?;
    Ok(check_loaded(root, loaded, as_of))
}

/// [`check`], keeping the graph and blast-radius ranking the rules made ([`rules::check_keeping`]) for a
/// caller that needs them again: the site, which would otherwise build and rank them a second time.
pub fn check_keeping(
    root: &Path,
    as_of: Date,
) -> Result<(Checked, graph::Ranked), load::LoadError> {
    let loaded = load::load(root)?;
    Ok(check_loaded_by(
        root,
        loaded,
        as_of,
        |registry, findings| rules::check_keeping(registry, findings, as_of),
    ))
}

/// [`check`] of a registry already loaded from `root` (e.g. by [`load::load_keeping`]).
pub fn check_loaded(root: &Path, loaded: load::Loaded, as_of: Date) -> Checked {
    check_loaded_by(root, loaded, as_of, |registry, findings| {
        (rules::check(registry, findings, as_of), ())
    })
    .0
}

/// [`check_loaded`] with the rules run by `run`, which may keep something of theirs.
fn check_loaded_by<T>(
    root: &Path,
    mut loaded: load::Loaded,
    as_of: Date,
    run: impl FnOnce(&Registry, Vec<Finding>) -> (Vec<Finding>, T),
) -> (Checked, T) {
    let codeowners = codeowners::approvers::findings(&loaded.registry, root);
    loaded.findings.extend(codeowners);
    // Read again only what the loader read: inside the registry, within the size limit.
    let canonical_root = root.canonicalize().ok();
    let read = |file: &str| load::read_again(canonical_root.as_deref()?, &root.join(file));
    finish_by(loaded, as_of, &read, run)
}

/// Loads and checks a registry held in memory (e.g. read from a git revision), as [`load::load_files`].
pub fn check_files(
    name: &str,
    files: Vec<(String, Vec<u8>)>,
    as_of: Date,
) -> Result<Checked, load::LoadError> {
    let texts: std::collections::HashMap<String, String> = files
        .iter()
        .filter_map(|(path, bytes)| Some((path.clone(), String::from_utf8(bytes.clone()).ok()?)))
        .collect();
    let loaded = load::load_files(name, files)?;
    Ok(finish(loaded, as_of, &|file| texts.get(file).cloned()))
}

/// The rules over a loaded registry, then the findings' positions (reading files again through `read`)
/// and their output order.
pub(crate) fn finish(
    loaded: load::Loaded,
    as_of: Date,
    read: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Checked {
    finish_by(loaded, as_of, read, |registry, findings| {
        (rules::check(registry, findings, as_of), ())
    })
    .0
}

/// [`finish`] with the rules run by `run`, which may keep something of theirs.
fn finish_by<T>(
    loaded: load::Loaded,
    as_of: Date,
    read: &(dyn Fn(&str) -> Option<String> + Sync),
    run: impl FnOnce(&Registry, Vec<Finding>) -> (Vec<Finding>, T),
) -> (Checked, T) {
    let (mut findings, kept) = timings::phase("rules", || run(&loaded.registry, loaded.findings));
    timings::phase("positions", || load::resolve_positions(&mut findings, read));
    timings::phase("sort", || {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    });
    let checked = Checked {
        as_of,
        registry: loaded.registry,
        findings,
    };
    (checked, kept)
}

/// Checks the contents of one registry file given as bytes (`rel` names it, e.g. `identities/x.yaml` or
/// `nhi.yaml`; a default `nhi.yaml` is added for any other file) as a registry of that file alone: the whole
/// pipeline without the file system, for fuzzing and property tests.
pub fn check_bytes(rel: &str, bytes: &[u8], as_of: Date) -> Result<Checked, load::LoadError> {
    let mut files = vec![(rel.to_string(), bytes.to_vec())];
    if rel != load::POLICY_FILE {
        files.push((load::POLICY_FILE.to_string(), b"kind: Policy\n".to_vec()));
    }
    check_files(rel, files, as_of)
}

/// The version `nhi --version` prints: the package version and the commit it was built from (see `build.rs`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("NHI_COMMIT"),
    ")"
);
