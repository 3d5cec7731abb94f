//! The trace report as JSON (`nhi trace --format json`), and loading it back (`nhi build --trace FILE`).
//!
//! The shape of the drift report (`as_of`, `summary`, `findings` with the same keys), with `log` instead of
//! `export` and, per registry identity the log issued credentials for, the issuances seen. docs/trace.md
//! documents every key.

use std::path::Path;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::super::drift::json::{item, Item};
use crate::catalogue::RuleId;
use crate::drift::Drifted;
use crate::finding::Counts;
use crate::report::saved;
pub use crate::report::saved::ReportError;

/// The version of the document's shape; a loader refuses versions it does not know.
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceReport {
    pub version: u32,
    pub as_of: Date,
    /// `cloudtrail`.
    pub source: String,
    /// The log as named on the command line.
    pub log: String,
    pub summary: Summary,
    pub findings: Vec<Item>,
    /// Registry identities the log issued credentials for (or refused), in registry order.
    pub identities: Vec<Traced>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// `errors`, `warnings`, `notices` (unwaived) and `waived`, as `nhi check --format json` counts them.
    #[serde(flatten)]
    pub counts: Counts,
    /// Identities in the registry.
    pub identities: usize,
    /// Events in the log, credentials issued, attempts refused.
    pub events: u64,
    pub issuances: u64,
    pub failed: u64,
    pub undeclared: usize,
    pub unexpected_subject: usize,
}

/// The issuances seen for one registry identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traced {
    pub id: String,
    pub external_id: String,
    pub count: u64,
    pub failed: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Distinct subjects, most issuances first (at most a thousand; `unlisted` counts the issuances to others).
    pub subjects: Vec<Subject>,
    #[serde(default)]
    pub unlisted: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub subject: String,
    pub issuer: String,
    pub count: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Whether the identity's `federation.subjects` admit it (always, when it declares none).
    pub declared: bool,
}

/// What the report is about besides its findings.
pub struct Header<'a> {
    pub as_of: Date,
    pub source: &'a str,
    pub log: &'a str,
    pub identities: usize,
    pub events: u64,
    pub issuances: u64,
    pub failed: u64,
}

impl TraceReport {
    pub fn new(header: &Header<'_>, drifted: &[Drifted], traced: &[Traced]) -> TraceReport {
        let count = |rule: RuleId| drifted.iter().filter(|d| d.finding.rule == rule).count();
        TraceReport {
            version: VERSION,
            as_of: header.as_of,
            source: header.source.to_string(),
            log: header.log.to_string(),
            summary: Summary {
                counts: Counts::of(drifted.iter().map(|d| &d.finding)),
                identities: header.identities,
                events: header.events,
                issuances: header.issuances,
                failed: header.failed,
                undeclared: count(RuleId::Undeclared),
                unexpected_subject: count(RuleId::UnexpectedSubject),
            },
            findings: drifted.iter().map(item).collect(),
            identities: traced.to_vec(),
        }
    }
}

/// Loads a report written by `nhi trace --format json`.
pub fn load(path: &Path) -> Result<TraceReport, ReportError> {
    saved::load(path, "trace", |text| {
        saved::parse(text, VERSION, |value| match value.get("log") {
            Some(_) => Ok(()),
            None => Err("it has no `log` (is it a drift report? give those to --drift)".into()),
        })
    })
}
