//! `gitleaks`: the JSON report of `gitleaks git --report-format json --report-path FILE` (also `detect` and
//! `dir`): an array of findings `{RuleID, Description, StartLine, EndLine, StartColumn, EndColumn, Match,
//! Secret, File, SymlinkFile, Commit, Link, Entropy, Author, Email, Date, Message, Tags, Fingerprint}`.
//!
//! Each finding is a leaked secret (`secret-in-code`), never an identity to draft. The report holds the
//! secret itself (`Secret`, and `Match`/`Line` around it): only the fields named below are read, so the
//! value never enters the tool's data, and errors never quote the report's text. gitleaks reports nothing
//! beside the secret that names whose it is, so its findings match no registry identity by themselves.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{given, Export, ImportError, Leak, Options};

/// The fields read from a finding: none of them holds the secret.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Finding {
    #[serde(rename = "RuleID")]
    rule_id: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "File")]
    file: Option<String>,
    #[serde(rename = "StartLine")]
    start_line: Option<u64>,
    #[serde(rename = "Commit")]
    commit: Option<String>,
    #[serde(rename = "Link")]
    link: Option<String>,
}

/// Reads the report at `path` into `export.leaks`.
pub fn read(path: &Path, _options: &Options, export: &mut Export) -> Result<(), ImportError> {
    super::scanner_report(path, export, "gitleaks", |item, line| {
        leak(item, line).map(Some)
    })
}

fn leak(item: Value, line: u32) -> Result<Leak, SyntaxError> {
    let bad = |what: &str| SyntaxError {
        line,
        message: format!("not a gitleaks finding: {what}"),
    };
    let fields = ["RuleID", "File", "StartLine", "Commit", "Link"];
    let f: Finding = super::typed_naming(item, line, "a gitleaks finding", &fields)?;
    let rule = given(f.rule_id).ok_or_else(|| bad("no `RuleID`"))?;
    let file = given(f.file).ok_or_else(|| bad("no `File`"))?;
    let described = f
        .description
        .filter(|d| !d.trim().is_empty())
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    let what = format!("a secret (gitleaks rule `{rule}`{described})");
    Ok(Leak::scanned(what, file, f.start_line, f.commit, f.link))
}
