//! Findings are data: what a rule found, where, and whether an exception waives it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::catalogue::RuleId;
use crate::model::{Doc, Identity, Kind, Source};
pub use crate::severity::Severity;
use crate::span::Pos;

/// What a finding is about: a document of a kind with an id, or a file that has no readable document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    /// `Identity`, `Team`, …; `File` when the file itself cannot be read or parsed.
    pub kind: &'static str,
    pub id: String,
}

/// What a finding's position points at inside its document. Rule findings name a JSON pointer and are
/// placed on the key or the value when positions are resolved; load findings carry a fixed position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Fixed,
    Key,
    Value,
}

/// One finding. `severity` is the effective one, after the policy's overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub waived_by: Option<String>,
    pub subject: Subject,
    pub file: Arc<str>,
    pub pos: Pos,
    /// A JSON pointer inside the document: with rule and subject, a stable fingerprint.
    pub pointer: String,
    pub message: String,
    /// How `pos` is found: fixed, or the key or value at `pointer` in document `doc` of `file`.
    pub anchor: Anchor,
    pub doc: u32,
}

impl Finding {
    /// A finding about the document of `source` at `pointer` (its key, or the nearest existing ancestor).
    pub fn at(
        rule: RuleId,
        kind: Kind,
        id: &str,
        source: &Source,
        pointer: &str,
        message: String,
    ) -> Finding {
        // Placed on the key (or value) of `pointer` when positions are resolved.
        let mut f = Finding::at_pos(
            rule,
            kind.name(),
            id,
            source,
            source.start,
            pointer,
            message,
        );
        f.anchor = Anchor::Key;
        f
    }

    /// The finding placed on the value of its pointer rather than the key (for a reference or a literal
    /// that is wrong).
    pub fn on_value(mut self) -> Finding {
        self.anchor = Anchor::Value;
        self
    }

    /// A finding at a known position.
    pub fn at_pos(
        rule: RuleId,
        kind: &'static str,
        id: &str,
        source: &Source,
        pos: Pos,
        pointer: &str,
        message: String,
    ) -> Finding {
        Finding {
            rule,
            severity: Severity::Error,
            waived_by: None,
            subject: Subject {
                kind,
                id: id.to_string(),
            },
            file: source.file.clone(),
            pos,
            pointer: pointer.to_string(),
            message,
            anchor: Anchor::Fixed,
            doc: source.doc,
        }
    }

    /// Whether this finding fails the gate at `deny` (errors always; warnings with `--deny warnings`).
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.waived_by.is_none()
            && (self.severity == Severity::Error
                || (deny_warnings && self.severity == Severity::Warning))
    }

    /// The order of every output: file, line, column, rule, subject.
    pub fn sort_key(&self) -> (&str, Pos, &str, &Subject, &str) {
        (
            &self.file,
            self.pos,
            self.rule.as_str(),
            &self.subject,
            &self.message,
        )
    }
}

/// A finding about the identity `doc`, placed on the key at `pointer` (`.on_value()`: on its value).
pub fn on_identity(rule: RuleId, doc: &Doc<Identity>, pointer: &str, message: String) -> Finding {
    Finding::at(
        rule,
        Kind::Identity,
        &doc.item.id,
        &doc.source,
        pointer,
        message,
    )
}

/// Counts for summaries: unwaived by severity, and waived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
    pub waived: usize,
}

impl Counts {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match (&f.waived_by, f.severity) {
                (Some(_), _) => c.waived += 1,
                (None, Severity::Error) => c.errors += 1,
                (None, Severity::Warning) => c.warnings += 1,
                (None, Severity::Notice) => c.notices += 1,
            }
        }
        c
    }
}
