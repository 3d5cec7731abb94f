//! `trufflehog`: the JSON Lines that `trufflehog git|github|filesystem … --json` prints, one object per
//! finding: `{SourceMetadata: {Data: {Git|Github|Gitlab|Filesystem|…: {commit, file, line, link, repository,
//! …}}}, SourceName, DetectorName, DecoderName, Verified, Raw, RawV2, Redacted, ExtraData, …}`.
//!
//! Each finding is a leaked secret (`secret-in-code`). `Raw`, `RawV2` and `Redacted` hold the secret (or
//! most of it) and are never read. `ExtraData` holds what the detector learnt about the secret's owner
//! (for a verified AWS key: the caller's `account` and `arn`; for many others an `account`, `username` or
//! `email`): those values are the identifiers a registry identity's `external_id` is matched on.
//! Log lines that trufflehog writes to the same stream (`{"level": …, "msg": …}`) are skipped.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{given, Export, ImportError, Leak, Options};

/// The fields read from a finding: none of them holds the secret.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Finding {
    #[serde(rename = "SourceMetadata")]
    source_metadata: Option<Metadata>,
    #[serde(rename = "DetectorName")]
    detector_name: Option<String>,
    #[serde(rename = "Verified")]
    verified: bool,
    #[serde(rename = "ExtraData")]
    extra_data: Option<BTreeMap<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    #[serde(rename = "Data")]
    data: BTreeMap<String, Location>,
}

/// Where the source says the secret is: every source names these keys the same way.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Location {
    file: Option<String>,
    line: Option<u64>,
    commit: Option<String>,
    link: Option<String>,
    repository: Option<String>,
}

/// Reads the report at `path` into `export.leaks`.
pub fn read(path: &Path, _options: &Options, export: &mut Export) -> Result<(), ImportError> {
    super::scanner_report(path, export, "trufflehog", leak)
}

fn leak(item: Value, line: u32) -> Result<Option<Leak>, SyntaxError> {
    let bad = |what: &str| SyntaxError {
        line,
        message: format!("not a trufflehog finding: {what}"),
    };
    if item.get("DetectorName").is_none() && item.get("level").is_some() {
        return Ok(None);
    }
    let fields = ["SourceMetadata", "DetectorName", "Verified", "ExtraData"];
    let f: Finding = super::typed_naming(item, line, "a trufflehog finding", &fields)?;
    let detector = given(f.detector_name).ok_or_else(|| bad("no `DetectorName`"))?;
    let location = f
        .source_metadata
        .and_then(|m| m.data.into_values().next())
        .unwrap_or_default();
    let file = location
        .file
        .clone()
        .or_else(|| location.repository.clone())
        .filter(|f| !f.is_empty())
        .ok_or_else(|| bad("`SourceMetadata.Data` names no `file`"))?;
    let verified = if f.verified {
        "verified live"
    } else {
        "unverified"
    };
    let identifiers = f
        .extra_data
        .unwrap_or_default()
        .into_values()
        .filter_map(|v| v.as_str().map(str::to_string))
        .filter(|v| crate::secrets::detect(v).is_none())
        .collect();
    let what = format!("a secret (trufflehog detector `{detector}`, {verified})");
    Ok(Some(Leak {
        identifiers,
        ..Leak::scanned(what, file, location.line, location.commit, location.link)
    }))
}
