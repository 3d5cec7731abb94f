//! `aws-credential-report`: the IAM credential report, a CSV with one row per IAM user of an account.
//!
//! Columns are found by their header name (AWS has added columns over the years). Timestamps are ISO 8601
//! (`2026-03-04T10:11:12+00:00`); `N/A` means not applicable (no such key, never used), `no_information`
//! that IAM has no record (use before October 2014), `not_supported` a field that does not apply to the root
//! user. The root user's row is named `<root_account>` and its ARN ends in `:root`.

use std::path::Path;

use csv::StringRecord;
use jiff::civil::Date;

use std::io::BufRead;

use super::{ids, input, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};

const ROOT: &str = "<root_account>";

/// The account id of an IAM user or root ARN (`arn:aws:iam::123456789012:user/path/name`).
pub fn account_of(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.trim().splitn(6, ':').collect();
    let [arn_, partition, service, "", account, resource] = parts.as_slice() else {
        return None;
    };
    let is_user = resource.starts_with("user/") || *resource == "root";
    let ok = *arn_ == "arn"
        && partition.starts_with("aws")
        && *service == "iam"
        && account.len() == 12
        && is_user;
    (ok && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_string())
}

/// The columns of the report, by position.
struct Columns {
    names: Vec<String>,
}

impl Columns {
    fn get<'r>(&self, row: &'r StringRecord, name: &str) -> Option<&'r str> {
        let i = self.names.iter().position(|n| n == name)?;
        row.get(i).map(str::trim)
    }
}

/// One row's fields, with the file and line for errors.
struct Row<'a> {
    columns: &'a Columns,
    row: &'a StringRecord,
    file: &'a str,
    line: u32,
}

impl Row<'_> {
    fn text(&self, name: &str) -> &str {
        self.columns.get(self.row, name).unwrap_or("")
    }

    /// `true`, `false`, or nothing for `N/A` / `not_supported` / an absent column.
    fn flag(&self, name: &str) -> Result<Option<bool>, ImportError> {
        match self.text(name).to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            "" | "n/a" | "not_supported" | "no_information" => Ok(None),
            other => Err(self.bad(name, other, "true or false")),
        }
    }

    /// The day of a timestamp, or nothing for `N/A` / `no_information` / `not_supported`.
    fn day(&self, name: &str) -> Result<Option<Date>, ImportError> {
        let text = self.text(name);
        match text.to_ascii_lowercase().as_str() {
            "" | "n/a" | "no_information" | "not_supported" => Ok(None),
            _ => crate::day::of_timestamp(text)
                .map(Some)
                .ok_or_else(|| self.bad(name, text, "an ISO 8601 timestamp")),
        }
    }

    fn bad(&self, column: &str, value: &str, expected: &str) -> ImportError {
        let shown = excerpt(value);
        ImportError::format(
            self.file,
            self.line,
            format!("column `{column}` holds `{shown}`, expected {expected}"),
        )
    }
}

/// Reads the report at `path` into `export`: the CSV, or the JSON that `aws iam get-credential-report`
/// prints (its `Content` is the CSV, base64-encoded).
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let file = export.file.clone();
    let mut reader = input::open(path)?;
    let first = reader
        .fill_buf()
        .map_err(|e| ImportError::io(path, e))?
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace());
    if first == Some(b'{') {
        drop(reader);
        let csv = envelope(path, &file)?;
        export.notes.push(format!(
            "{file} is the JSON of `aws iam get-credential-report`: its `Content` was decoded; line numbers are those of the decoded report"
        ));
        return read_csv(std::io::Cursor::new(csv), &file, options, export);
    }
    read_csv(reader, &file, options, export)
}

/// The decoded `Content` of a `get-credential-report` JSON response.
fn envelope(path: &Path, file: &str) -> Result<Vec<u8>, ImportError> {
    let bytes = input::read_all(path, 256 * 1024 * 1024)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        let line = u32::try_from(e.line()).unwrap_or(1).max(1);
        ImportError::format(
            file,
            line,
            "invalid JSON (expected the output of `aws iam get-credential-report`)",
        )
    })?;
    if let Some(format) = json.get("ReportFormat").and_then(|f| f.as_str()) {
        if format != "text/csv" {
            let shown = excerpt(format);
            return Err(ImportError::format(
                file,
                1,
                format!("`ReportFormat` is `{shown}`, expected text/csv"),
            ));
        }
    }
    let Some(content) = json.get("Content").and_then(|c| c.as_str()) else {
        return Err(ImportError::format(file, 1, "a JSON document without `Content`: expected the output of `aws iam get-credential-report`"));
    };
    base64(content).ok_or_else(|| ImportError::format(file, 1, "`Content` is not base64"))
}

/// Standard base64 (RFC 4648, padding optional, whitespace ignored).
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or(0));
        }
    }
    Some(out)
}

/// Columns the reading depends on: without one, keys would silently read as inactive or users as
/// password-less. The others (last use, MFA, password dates) only add facts and may be missing.
const REQUIRED: [&str; 12] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// The columns of a header row, or an error naming those that are missing.
fn header(row: &StringRecord, file: &str, line: u32) -> Result<Columns, ImportError> {
    let names: Vec<String> = row
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    if names.first().is_some_and(|n| n.starts_with("dXNlcixhcm4")) {
        let message = "this is the report still base64-encoded: decode it (`base64 -d`), or give the JSON of `aws iam get-credential-report`";
        return Err(ImportError::format(file, line, message));
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !names.iter().any(|n| n == c))
        .collect();
    if missing.len() == REQUIRED.len() || missing.contains(&"user") || missing.contains(&"arn") {
        let message = format!(
            "not an IAM credential report: the header has no `{}` column",
            missing[0]
        );
        return Err(ImportError::format(file, line, message));
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|c| format!("`{c}`")).collect();
        let message = format!(
            "the credential report lacks the column(s) {}: keys, certificates and passwords cannot be read without them (only the last-used, MFA and password date columns may be missing)",
            list.join(", ")
        );
        return Err(ImportError::format(file, line, message));
    }
    Ok(Columns { names })
}

fn read_csv(
    reader: impl std::io::Read,
    file: &str,
    options: &Options,
    export: &mut Export,
) -> Result<(), ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input::LfOnly::new(reader));
    let mut columns: Option<Columns> = None;
    let mut row = StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e)),
        }
        let line = row
            .position()
            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // Reports of several accounts pasted one after another repeat the header.
        let is_header = row.get(0).map(|f| f.trim().trim_start_matches('\u{feff}')) == Some("user")
            && row.get(1).map(str::trim) == Some("arn");
        let Some(cols) = columns.as_ref().filter(|_| !is_header) else {
            columns = Some(header(&row, file, line)?);
            continue;
        };
        if row.len() != cols.names.len() {
            let message = format!(
                "malformed CSV: this row has {} fields where the header has {}",
                row.len(),
                cols.names.len()
            );
            return Err(ImportError::format(file, line, message));
        }
        let record = user(
            &Row {
                columns: cols,
                row: &row,
                file,
                line,
            },
            options,
        )?;
        if let Some(account) = account_of(&record.external_id) {
            export.scope.insert(account);
        }
        export.records.push(record);
    }
    if columns.is_none() {
        return Err(ImportError::format(file, 1, "the file is empty"));
    }
    Ok(())
}

fn csv_error(file: &str, e: &csv::Error) -> ImportError {
    let line = e
        .position()
        .map_or(1, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("malformed CSV: this row has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
        _ => format!("malformed CSV: {e}"),
    };
    ImportError::format(file, line, message)
}

/// An access key or signing certificate as the row describes it.
struct Key {
    label: String,
    active: bool,
    rotated: Option<Date>,
    last_used: Option<Date>,
    access_key: bool,
}

fn keys(row: &Row<'_>) -> Result<Vec<Key>, ImportError> {
    let mut keys = Vec::new();
    for n in 1..=2 {
        let prefix = format!("access_key_{n}");
        let rotated = row.day(&format!("{prefix}_last_rotated"))?;
        let active = row.flag(&format!("{prefix}_active"))?.unwrap_or(false);
        let last_used = row.day(&format!("{prefix}_last_used_date"))?;
        let mut label = format!("access key {n}");
        if let Some(day) = last_used {
            let region = row.text(&format!("{prefix}_last_used_region"));
            let service = row.text(&format!("{prefix}_last_used_service"));
            let place: Vec<&str> = [region, service]
                .into_iter()
                .filter(|v| !v.is_empty() && *v != "N/A")
                .collect();
            let place = if place.is_empty() {
                String::new()
            } else {
                format!(" ({})", place.join(", "))
            };
            label = format!("{label}|, last used {day}{place}");
        }
        keys.push(Key {
            label,
            active,
            rotated,
            last_used,
            access_key: true,
        });
    }
    for n in 1..=2 {
        let rotated = row.day(&format!("cert_{n}_last_rotated"))?;
        let active = row.flag(&format!("cert_{n}_active"))?.unwrap_or(false);
        keys.push(Key {
            label: format!("signing certificate {n}"),
            active,
            rotated,
            last_used: None,
            access_key: false,
        });
    }
    keys.retain(|k| k.active || k.rotated.is_some());
    Ok(keys)
}

fn user(row: &Row<'_>, options: &Options) -> Result<Record, ImportError> {
    let name = row.text("user").to_string();
    let arn = row.text("arn").to_string();
    if account_of(&arn).is_none() {
        return Err(row.bad(
            "arn",
            &arn,
            "an IAM user ARN (arn:aws:iam::ACCOUNT:user/NAME)",
        ));
    }
    let is_root = name == ROOT;
    let base = if is_root {
        format!("aws-root-{}", account_of(&arn).unwrap_or_default())
    } else {
        name.clone()
    };
    let mut record = Record::new(
        arn,
        ids::sanitize(&base),
        name,
        IdentityType::ServiceAccount,
        row.file,
        row.line,
    );
    record.created = row.day("user_creation_time")?;
    let keys = keys(row)?;
    let active: Vec<&Key> = keys.iter().filter(|k| k.active).collect();
    record.active = !active.is_empty();
    record.active_keys =
        u32::try_from(active.iter().filter(|k| k.access_key).count()).unwrap_or(u32::MAX);
    record.rotated = active.iter().filter_map(|k| k.rotated).min();
    record.last_used = keys.iter().filter_map(|k| k.last_used).max();
    record.credential = Some(if keys.is_empty() {
        CredentialKind::None
    } else {
        CredentialKind::Static
    });
    for key in &keys {
        let state = if key.active { "active" } else { "inactive" };
        let issued = key
            .rotated
            .map(|d| format!(", issued {d}"))
            .unwrap_or_default();
        let (label, used) = key.label.split_once('|').unwrap_or((&key.label, ""));
        record.notes.push(format!("{label}: {state}{issued}{used}"));
    }
    let password = row.flag("password_enabled")?.unwrap_or(false);
    if password {
        let used = row
            .day("password_last_used")?
            .map(|d| format!(", last used {d}"))
            .unwrap_or_default();
        record.notes.push(format!(
            "has a console password{used}: if a person signs in with it, that is human use (NHI10)"
        ));
        if row.flag("mfa_active")? == Some(false) {
            record
                .notes
                .push("the console password has no MFA device".to_string());
        }
    }
    if is_root {
        if record.active {
            record.notes.push("the account's root user has an active access key or certificate: AWS advises none; delete it".into());
        } else {
            record.skipped = Some("the root user has no access key or signing certificate".into());
        }
    } else if password && !record.active && !options.all {
        record.skipped = Some("a console user without an active access key or certificate: a person, not a non-human identity".into());
    }
    Ok(record)
}

/// At most 40 characters of a value from the report, escaped, for an error message.
fn excerpt(value: &str) -> String {
    let start: String = value.chars().take(40).collect();
    start.escape_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64("dXNlcixhcm4=").unwrap(), b"user,arn");
        assert_eq!(base64("dXNlcixhcm4").unwrap(), b"user,arn");
        assert_eq!(base64("dXNl\ncixh").unwrap(), b"user,a");
        assert!(base64("not base64!").is_none());
    }

    #[test]
    fn accounts_come_from_user_and_root_arns_only() {
        let account = Some("123456789012");
        for (arn, expected) in [
            ("arn:aws:iam::123456789012:user/ci/deploy", account),
            ("arn:aws:iam::123456789012:root", account),
            ("arn:aws-us-gov:iam::123456789012:user/x", account),
            ("arn:aws:iam::123456789012:role/ci-deployer", None),
            ("arn:aws:iam::12345:user/x", None),
            ("etl@p.iam.gserviceaccount.com", None),
        ] {
            assert_eq!(account_of(arn).as_deref(), expected, "{arn}");
        }
    }
}
