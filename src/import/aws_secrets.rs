//! `aws-secrets-manager`: `aws secretsmanager list-secrets` (`{"SecretList": […], "NextToken": …}`), one
//! `SecretListEntry` per secret: `ARN, Name, Description, RotationEnabled, RotationRules, LastRotatedDate,
//! LastChangedDate, LastAccessedDate, DeletedDate, NextRotationDate, CreatedDate, OwningService, Tags`.
//! The listing never holds a secret value (that takes `GetSecretValue`).
//!
//! Timestamps are RFC 3339 text (AWS CLI v2) or seconds since the epoch (the API, AWS CLI v1).
//! `LastAccessedDate` is a day (Secrets Manager records access per day, per Region). A secret is the stored
//! credential of one identity: the registry names it by writing the secret's ARN as the identity's
//! `external_id` (the full ARN, or the partial ARN without the six random characters Secrets Manager adds).

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{day_at, ids, input, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct Entry {
    #[serde(rename = "ARN")]
    arn: Option<String>,
    name: Option<String>,
    description: Option<String>,
    rotation_enabled: Option<bool>,
    rotation_rules: Option<Rules>,
    last_rotated_date: Option<Value>,
    last_accessed_date: Option<Value>,
    deleted_date: Option<Value>,
    next_rotation_date: Option<Value>,
    created_date: Option<Value>,
    owning_service: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct Rules {
    automatically_after_days: Option<u64>,
    schedule_expression: Option<String>,
}

/// The region and account of a secret ARN (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf`).
pub fn scope_of(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.trim().splitn(7, ':').collect();
    let ["arn", partition, "secretsmanager", region, account, "secret", name] = parts.as_slice()
    else {
        return None;
    };
    let ok = partition.starts_with("aws")
        && !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty();
    ok.then(|| format!("{region}:{account}"))
}

/// The ARN without the `-XXXXXX` suffix Secrets Manager appends to the name: how a partial ARN matches.
pub fn partial(arn: &str) -> String {
    let arn = arn.trim().to_lowercase();
    match arn.rsplit_once('-') {
        Some((stem, tail))
            if tail.len() == 6 && tail.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            stem.to_string()
        }
        _ => arn,
    }
}

/// Reads the listing at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let what = "a Secrets Manager SecretListEntry";
    let pages = input::listing(path, export, &["SecretList"], what, |file, line, entry| {
        record(file, line, entry, options)
    })?;
    if pages.iter().any(|p| {
        p.get("NextToken")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty())
    }) {
        let file = &export.file;
        export.notes.push(format!("{file} is one page of several (`NextToken`): list every page (the AWS CLI does unless --max-items is given); secrets on other pages look stale"));
    }
    Ok(())
}

fn record(file: &str, line: u32, e: Entry, options: &Options) -> Result<Record, SyntaxError> {
    let bad = |message: String| SyntaxError { line, message };
    let arn = e
        .arn
        .filter(|a| scope_of(a).is_some())
        .ok_or_else(|| bad("a secret without an `ARN` of the form arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME".into()))?;
    let name = e
        .name
        .clone()
        .unwrap_or_else(|| arn.rsplit(':').next().unwrap_or("").to_string());
    let mut record = Record::new(
        arn,
        ids::sanitize(&name),
        name,
        IdentityType::ApiKey,
        file,
        line,
    );
    record.credential = Some(CredentialKind::Static);
    record.created = day_at(&e.created_date, "CreatedDate", line)?;
    record.rotated = day_at(&e.last_rotated_date, "LastRotatedDate", line)?.or(record.created);
    record.last_used = day_at(&e.last_accessed_date, "LastAccessedDate", line)?;
    record.purpose = e.description.filter(|d| !d.trim().is_empty());
    let deleted = day_at(&e.deleted_date, "DeletedDate", line)?;
    record.active = deleted.is_none();
    record.notes.push("a Secrets Manager secret: its type is a guess (a database password is a service_account, a token a token)".into());
    match e.rotation_enabled {
        Some(true) => {
            let every = e.rotation_rules.as_ref().and_then(|r| {
                r.automatically_after_days
                    .map(|d| format!(" every {d} days"))
                    .or_else(|| r.schedule_expression.as_ref().map(|s| format!(" on `{s}`")))
            });
            let next_day = day_at(&e.next_rotation_date, "NextRotationDate", line)?;
            let next = next_day
                .map(|d| format!(", next on {d}"))
                .unwrap_or_default();
            if let Some(d) = next_day.filter(|d| options.as_of.is_some_and(|today| *d < today)) {
                record.notes.push(format!(
                    "the rotation due on {d} has not happened: check the rotation function"
                ));
            }
            record.notes.push(format!(
                "Secrets Manager rotates it{}{next}",
                every.unwrap_or_default()
            ));
        }
        _ => record
            .notes
            .push("rotation is not enabled in Secrets Manager".into()),
    }
    if let Some(service) = e.owning_service.filter(|s| !s.is_empty()) {
        record.notes.push(format!(
            "managed by {service} (it rotates and deletes the secret)"
        ));
    }
    if let Some(day) = deleted {
        record
            .notes
            .push(format!("scheduled for deletion on {day}"));
        if !options.all {
            record.skipped = Some(format!("scheduled for deletion on {day}"));
        }
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_scope_and_partial_form() {
        let arn =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/stripe-AbCdEf";
        assert_eq!(scope_of(arn).as_deref(), Some("eu-west-1:123456789012"));
        assert_eq!(
            partial(arn),
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/stripe"
        );
        assert_eq!(scope_of("arn:aws:iam::123456789012:user/x"), None);
    }
}
