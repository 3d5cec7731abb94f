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
use crate::finding::{Counts, Finding};

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
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
    pub waived: usize,
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
        let findings: Vec<Finding> = drifted.iter().map(|d| d.finding.clone()).collect();
        let counts = Counts::of(&findings);
        let count = |rule: RuleId| drifted.iter().filter(|d| d.finding.rule == rule).count();
        TraceReport {
            version: VERSION,
            as_of: header.as_of,
            source: header.source.to_string(),
            log: header.log.to_string(),
            summary: Summary {
                errors: counts.errors,
                warnings: counts.warnings,
                notices: counts.notices,
                waived: counts.waived,
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

/// Why a trace report cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read the trace report {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not an nhi trace report (`nhi trace --format json`): {message}")]
    Invalid { path: String, message: String },
}

/// Loads a report written by `nhi trace --format json`.
pub fn load(path: &Path) -> Result<TraceReport, ReportError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
        path: shown.clone(),
        source,
    })?;
    let invalid = |message: String| ReportError::Invalid {
        path: shown.clone(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(invalid(format!(
                "version {v} is not supported (this nhi reads version {VERSION})"
            )))
        }
        None => return Err(invalid("it has no `version`".into())),
    }
    if value.get("log").is_none() {
        return Err(invalid(
            "it has no `log` (is it a drift report? give those to --drift)".into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
}
