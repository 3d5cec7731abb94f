//! `aws-credential-report`: the IAM credential report, a CSV with one row per IAM user of an account.
//!
//! Columns are found by their header name (AWS has added columns over the years). Timestamps are ISO 8601
//! (`2026-03-04T10:11:12+00:00`); `N/A` means not applicable (no such key, never used), `no_information`
//! that IAM has no record (use before October 2014), `not_supported` a field that does not apply to the root
//! user. The root user's row is named `<root_account>` and its ARN ends in `:root`.

use std::path::Path;

use csv::StringRecord;
use jiff::civil::Date;

use super::{ids, open, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};

const ROOT: &str = "<root_account>";
const REQUIRED: [&str; 3] = ["user", "arn", "user_creation_time"];

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
        let shown: String = value
            .chars()
            .take(40)
            .collect::<String>()
            .escape_default()
            .to_string();
        ImportError::format(
            self.file,
            self.line,
            format!("column `{column}` holds `{shown}`, expected {expected}"),
        )
    }
}

/// Reads the report at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let file = export.file.clone();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(open(path)?);
    let headers = reader.headers().map_err(|e| csv_error(&file, &e))?.clone();
    let columns = Columns {
        names: headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect(),
    };
    if let Some(missing) = REQUIRED
        .iter()
        .find(|c| !columns.names.iter().any(|n| n == *c))
    {
        let message = format!("not an IAM credential report: the header has no `{missing}` column");
        return Err(ImportError::format(&file, 1, message));
    }
    let mut row = StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&file, &e)),
        }
        let line = row
            .position()
            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let record = user(
            &Row {
                columns: &columns,
                row: &row,
                file: &file,
                line,
            },
            options,
        )?;
        if let Some(account) = account_of(&record.external_id) {
            export.scope.insert(account);
        }
        export.records.push(record);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_come_from_user_and_root_arns_only() {
        assert_eq!(
            account_of("arn:aws:iam::123456789012:user/ci/deploy").as_deref(),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:aws:iam::123456789012:root").as_deref(),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:aws-us-gov:iam::123456789012:user/x").as_deref(),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:aws:iam::123456789012:role/ci-deployer"),
            None
        );
        assert_eq!(account_of("arn:aws:iam::12345:user/x"), None);
        assert_eq!(account_of("etl@p.iam.gserviceaccount.com"), None);
    }
}
