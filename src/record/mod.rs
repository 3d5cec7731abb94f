//! Recording decisions in the registry: reviews, rotations, retirements, exceptions and departures.
//!
//! Each command plans its edits in a [`Workspace`] (the registry as loaded, and the files being edited
//! through [`crate::edit`]), then asks [`Workspace::gate`] whether the registry as edited would still
//! report the finding the command exists to resolve, or one the gate would reject (a reviewer who left, a
//! self-approval, an exception past `max_exception_days`): if so, it is refused with the rule's own words
//! and nothing is written. Nothing here prints; commands show the plan's diff or write it.

pub mod exception;
pub mod identity;
pub mod offboard;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::catalogue::RuleId;
use crate::edit::{EditError, EditFile, Plan};
use crate::model::{Doc, Identity, Kind, Person, Registry, Source};

/// Why a command writes nothing.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The command asks for something the registry or the gate does not allow.
    #[error("{0}")]
    Invalid(String),
    /// Edits that cannot be made safely (each names its file and line).
    #[error("{}", list(.0))]
    Unsafe(Vec<EditError>),
    /// The registry cannot be read.
    #[error(transparent)]
    Load(#[from] crate::load::LoadError),
}

fn list(errors: &[EditError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    format!("nothing was written:\n  {}", lines.join("\n  "))
}

/// A refusal in the command's words.
pub fn invalid<T>(message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused::Invalid(message.into()))
}

/// The document among `docs` whose id (`id_of` reads it) is `id`, or a refusal naming what was looked for.
fn named<'a, T>(
    docs: &'a [Doc<T>],
    what: &str,
    id: &str,
    id_of: impl Fn(&T) -> &str,
) -> Result<&'a Doc<T>, Refused> {
    match docs.iter().find(|d| id_of(&d.item) == id) {
        Some(d) => Ok(d),
        None => invalid(format!("no {what} `{id}` in the registry")),
    }
}

/// What a command will write: the plan, what each file gets, and the edits skipped with `--skip-unsafe`.
#[derive(Debug, Default)]
pub struct Outcome {
    pub plan: Plan,
    /// One line per file written: the file and what it records.
    pub lines: Vec<String>,
    pub skipped: Vec<EditError>,
}

/// The registry and the files being edited.
pub struct Workspace {
    pub root: PathBuf,
    pub registry: Registry,
    files: BTreeMap<String, EditFile>,
    /// What each file records, for the line printed when it is written.
    notes: BTreeMap<String, Vec<String>>,
    skipped: Vec<EditError>,
    /// The documents whose edits were skipped: the gate does not hold them to the edit.
    skipped_ids: Vec<(Kind, String)>,
    failed: Vec<EditError>,
    pub skip_unsafe: bool,
}

impl Workspace {
    /// Loads the registry at `root`.
    pub fn open(root: &Path, skip_unsafe: bool) -> Result<Workspace, Refused> {
        let loaded = crate::load::load(root)?;
        Ok(Workspace::new(root, loaded.registry, skip_unsafe))
    }

    /// A workspace over an already loaded registry.
    pub fn new(root: &Path, registry: Registry, skip_unsafe: bool) -> Workspace {
        Workspace {
            root: root.to_path_buf(),
            registry,
            files: BTreeMap::new(),
            notes: BTreeMap::new(),
            skipped: Vec::new(),
            skipped_ids: Vec::new(),
            failed: Vec::new(),
            skip_unsafe,
        }
    }

    /// The identity `id`, or a refusal naming it.
    pub fn identity(&self, id: &str) -> Result<&Doc<Identity>, Refused> {
        named(&self.registry.identities, "identity", id, |i| &i.id)
    }

    /// The Person `id`, who must be active (the words of `reviewer-left` and `exception-unapproved`).
    pub fn active_person(&self, id: &str, role: &str) -> Result<&Doc<Person>, Refused> {
        let Some(p) = self.registry.persons.iter().find(|d| d.item.id == id) else {
            return invalid(format!("{role} `{id}` is not a Person of the registry"));
        };
        if !p.item.is_active() {
            let on = crate::rules::people::left_on(&p.item);
            return invalid(format!(
                "{role} `{id}` left{on}: a Person who left cannot answer for it"
            ));
        }
        Ok(p)
    }

    /// Runs `edit` on the document `kind`/`id` of `source`'s file. An unsafe edit leaves the file as it
    /// was; it is skipped (with `--skip-unsafe`) or fails the whole command when the plan is finished.
    pub fn edit(
        &mut self,
        source: &Source,
        kind: Kind,
        id: &str,
        note: String,
        edit: impl FnOnce(&mut EditFile, usize) -> Result<bool, EditError>,
    ) {
        let rel = source.file.to_string();
        let result = self.try_edit(&rel, kind, id, edit);
        match result {
            Ok(true) => self.notes.entry(rel).or_default().push(note),
            Ok(false) => {}
            Err(e) if self.skip_unsafe => {
                self.skipped.push(e);
                self.skipped_ids.push((kind, id.to_string()));
            }
            Err(e) => self.failed.push(e),
        }
    }

    fn try_edit(
        &mut self,
        rel: &str,
        kind: Kind,
        id: &str,
        edit: impl FnOnce(&mut EditFile, usize) -> Result<bool, EditError>,
    ) -> Result<bool, EditError> {
        if !self.files.contains_key(rel) {
            let file = EditFile::open(&self.root.join(rel), rel)?;
            self.files.insert(rel.to_string(), file);
        }
        let file = self.files.get_mut(rel).expect("opened above");
        let mut draft = file.clone();
        let doc = draft.find(kind.name(), id)?;
        let changed = edit(&mut draft, doc)?;
        *file = draft;
        Ok(changed)
    }

    /// Adds a new file (e.g. an exception) to the plan.
    pub fn create(&mut self, rel: &str, text: &str, note: String) -> Result<(), Refused> {
        let path = self.root.join(rel);
        if path.exists() {
            return invalid(format!("{rel} already exists; nhi never overwrites a file"));
        }
        let file = EditFile::create(&path, rel, text).map_err(|e| Refused::Unsafe(vec![e]))?;
        self.files.insert(rel.to_string(), file);
        self.notes.entry(rel.to_string()).or_default().push(note);
        Ok(())
    }

    /// Whether any edit failed (without `--skip-unsafe`).
    pub fn check_safe(&mut self) -> Result<(), Refused> {
        match std::mem::take(&mut self.failed) {
            failed if failed.is_empty() => Ok(()),
            failed => Err(Refused::Unsafe(failed)),
        }
    }

    /// Checks the registry as edited, as of `day`: a finding of one of `rules` on one of `subjects` that is
    /// not waived refuses the command, in the rule's own words.
    pub fn gate(
        &mut self,
        day: Date,
        subjects: &[(Kind, &str)],
        rules: &[RuleId],
    ) -> Result<(), Refused> {
        self.check_safe()?;
        let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(self.registry.files.len() + 1);
        for rel in self
            .registry
            .files
            .iter()
            .map(|f| f.to_string())
            .chain([crate::load::POLICY_FILE.to_string()])
        {
            if self.files.contains_key(&rel) {
                continue;
            }
            if let Ok(text) = std::fs::read(self.root.join(&rel)) {
                files.push((rel, text));
            }
        }
        files.extend(self.files.iter().map(|(rel, f)| (rel.clone(), f.bytes())));
        let name = self.root.display().to_string();
        let checked = crate::check_files(&name, files, day)?;
        let blocking: Vec<String> = checked
            .findings
            .iter()
            .filter(|f| f.waived_by.is_none() && rules.contains(&f.rule))
            .filter(|f| {
                let is = |k: &Kind, id: &str| f.subject.kind == k.name() && f.subject.id == id;
                subjects.iter().any(|(k, id)| is(k, id))
                    && !self.skipped_ids.iter().any(|(k, id)| is(k, id))
            })
            .map(|f| {
                format!(
                    "{}:{}: {}: {}",
                    f.file,
                    f.pos.line,
                    f.rule.as_str(),
                    f.message
                )
            })
            .collect();
        if blocking.is_empty() {
            Ok(())
        } else {
            invalid(format!(
                "the registry would still fail the gate, so nothing was written:\n  {}",
                blocking.join("\n  ")
            ))
        }
    }

    /// The plan of every file changed, with one line per file.
    pub fn finish(mut self) -> Result<Outcome, Refused> {
        self.check_safe()?;
        let mut outcome = Outcome {
            skipped: self.skipped,
            ..Outcome::default()
        };
        for (rel, file) in self.files {
            if file.changed() {
                let notes = self.notes.remove(&rel).unwrap_or_default();
                outcome.lines.push(format!("{rel}: {}", notes.join("; ")));
                outcome.plan.add(file);
            }
        }
        Ok(outcome)
    }
}

/// A day for a record: not later than `today` (a decision cannot be recorded before it is made).
pub fn not_future(what: &str, day: Date, today: Date) -> Result<Date, Refused> {
    if day > today {
        return invalid(format!(
            "{what} {day} is after today ({today}): record it when it has happened"
        ));
    }
    Ok(day)
}
