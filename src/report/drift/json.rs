//! The drift report as JSON (`nhi drift --format json`), and loading it back (`nhi build --drift FILE`).
//!
//! One set of types both writes and reads the document, so the two cannot disagree. The shape is the JSON
//! output of `nhi check` (`as_of`, `summary`, `findings` with the same keys) plus what drift adds: a
//! `version`, the `source` and `export`, more counts, and per finding its `origin`, `external_id`, and for
//! `drift` the `field` with the `registry` and `export` values. docs/discovery.md documents every key.

use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::drift::{Drifted, Origin};
use crate::finding::{Counts, RuleId, Severity};
use crate::report::saved;
pub use crate::report::saved::ReportError;

/// The version of the document's shape; a loader refuses versions it does not know.
pub const VERSION: u32 = 1;

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftReport {
    pub version: u32,
    pub as_of: Date,
    /// `aws-credential-report`, `gcp-service-accounts`, `k8s-service-accounts` or `github-actions`.
    pub source: String,
    /// The export as named on the command line.
    pub export: String,
    pub summary: Summary,
    pub findings: Vec<Item>,
    /// Observations about the export as a whole (e.g. a workflow passing `secrets: inherit`).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Counts: unwaived findings by severity, waived ones, and the three rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// `errors`, `warnings`, `notices` (unwaived) and `waived`, as `nhi check --format json` counts them.
    #[serde(flatten)]
    pub counts: Counts,
    /// Identities in the registry.
    pub identities: usize,
    /// Identities in the export, and how many of them the source skips (`default` service accounts, …).
    pub exported: usize,
    pub skipped: usize,
    pub undeclared: usize,
    pub stale: usize,
    pub drift: usize,
    /// Leaked secrets (gitleaks, trufflehog, keys the provider found exposed).
    #[serde(default)]
    pub secret_in_code: usize,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `undeclared`, `stale` or `drift`.
    pub rule: String,
    pub severity: Severity,
    pub waived_by: Option<String>,
    /// Always `Identity`.
    pub kind: String,
    /// The registry identity's id; for `undeclared`, the id `nhi import` would give it.
    pub id: String,
    /// Registry findings: the identity file, relative to the registry root. Export findings: the export file
    /// (for `github-actions`, the workflow) as named on the command line.
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub origin: Origin,
    pub external_id: String,
    /// For `drift`: the registry field that disagrees (`status`, `credential.kind`, `credential.last_rotated`,
    /// `credential`, `last_used`).
    #[serde(default)]
    pub field: Option<String>,
    /// What the registry says, and what the export says.
    #[serde(default)]
    pub registry: Option<String>,
    #[serde(default)]
    pub export: Option<String>,
}

/// What the report is about besides its findings.
pub struct Header<'a> {
    pub as_of: Date,
    pub source: &'a str,
    pub export: &'a str,
    pub identities: usize,
    pub exported: usize,
    pub skipped: usize,
    pub notes: &'a [String],
}

impl DriftReport {
    /// The report for `drifted` findings.
    pub fn new(header: &Header<'_>, drifted: &[Drifted]) -> DriftReport {
        let count = |rule: RuleId| drifted.iter().filter(|d| d.finding.rule == rule).count();
        DriftReport {
            version: VERSION,
            as_of: header.as_of,
            source: header.source.to_string(),
            export: header.export.to_string(),
            summary: Summary {
                counts: Counts::of(drifted.iter().map(|d| &d.finding)),
                identities: header.identities,
                exported: header.exported,
                skipped: header.skipped,
                undeclared: count(RuleId::Undeclared),
                stale: count(RuleId::Stale),
                drift: count(RuleId::Drift),
                secret_in_code: count(RuleId::SecretInCode),
            },
            findings: drifted.iter().map(item).collect(),
            notes: header.notes.to_vec(),
        }
    }

    /// The findings about the registry identity `id`.
    pub fn for_identity<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        // A leak points at the code it was found in, and names the identity it belongs to.
        self.findings.iter().filter(move |f| {
            f.id == id && (f.origin == Origin::Registry || f.rule == RuleId::SecretInCode.as_str())
        })
    }

    /// The identities in the export that the registry does not declare.
    pub fn undeclared(&self) -> impl Iterator<Item = &Item> {
        self.findings
            .iter()
            .filter(|f| f.rule == RuleId::Undeclared.as_str())
    }
}

/// One finding as the report writes it.
pub fn item(d: &Drifted) -> Item {
    let f = &d.finding;
    Item {
        rule: f.rule.to_string(),
        severity: f.severity,
        waived_by: f.waived_by.clone(),
        kind: f.subject.kind.to_string(),
        id: f.subject.id.clone(),
        file: f.file.to_string(),
        line: f.pos.line.get(),
        column: f.pos.column.get(),
        message: f.message.clone(),
        origin: d.origin,
        external_id: d.external_id.clone(),
        field: d.field.map(str::to_string),
        registry: d.registry.clone(),
        export: d.export.clone(),
    }
}

/// Loads a report written by `nhi drift --format json`.
pub fn load(path: &Path) -> Result<DriftReport, ReportError> {
    saved::load(path, "drift", parse)
}

/// Parses a report's text; the error says what is wrong.
pub fn parse(text: &str) -> Result<DriftReport, String> {
    saved::parse(text, VERSION, |_| Ok(()))
}
