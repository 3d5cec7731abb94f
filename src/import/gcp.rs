//! `gcp-service-accounts`: `gcloud iam service-accounts list --format=json`, and optionally the keys of
//! each account from `gcloud iam service-accounts keys list --iam-account=EMAIL --format=json` (`--keys`).
//!
//! An account is `{name, projectId, uniqueId, email, displayName, description, etag, oauth2ClientId}`, with
//! `disabled: true` only when disabled. A key is `{name, validAfterTime, validBeforeTime, keyAlgorithm,
//! keyOrigin, keyType, disabled}`; `name` is `projects/P/serviceAccounts/EMAIL/keys/KEY_ID`, which is how keys
//! find their account. Only `USER_MANAGED` keys are long-lived secrets someone holds; Google rotates
//! `SYSTEM_MANAGED` keys itself. A user-managed key without expiry says `validBeforeTime: 9999-12-31T23:59:59Z`.

use std::collections::HashMap;
use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{ids, input, Export, ImportError, Leak, Options, Record};
use crate::model::{CredentialKind, IdentityType};
use crate::span::Place;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Account {
    email: Option<String>,
    project_id: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    disabled: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Key {
    name: Option<String>,
    valid_after_time: Option<String>,
    valid_before_time: Option<String>,
    key_algorithm: Option<String>,
    key_type: Option<String>,
    key_origin: Option<String>,
    disabled: bool,
    disable_reason: Option<String>,
    extended_status: Vec<ExtendedStatus>,
}

/// `{key: SERVICE_ACCOUNT_KEY_EXTENDED_STATUS_KEY_EXPOSED, value: …}`: permanent facts about a key; for an
/// exposed key the value says where it was found.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExtendedStatus {
    key: Option<String>,
    value: Option<String>,
}

/// A key as the comparison needs it.
struct KeyFact {
    id: String,
    user_managed: bool,
    disabled: bool,
    valid_after: Option<Date>,
    valid_before: Option<Date>,
    algorithm: String,
    /// `GOOGLE_PROVIDED` (Google generated the pair) or `USER_PROVIDED` (a public key was uploaded).
    origin: Option<String>,
    /// Why Google or the user disabled it (`…_EXPOSED`, `…_COMPROMISE_DETECTED`, `…_USER_INITIATED`).
    disable_reason: Option<String>,
    /// Google found the private key exposed (`Some(where)`, possibly empty) or used by an attacker.
    exposed: Option<String>,
    compromised: bool,
    /// The key listing and line that describe the key.
    at: Place,
}

/// The project an account e-mail belongs to, when the address says (`NAME@PROJECT.iam.gserviceaccount.com`,
/// `PROJECT@appspot.gserviceaccount.com`).
pub fn project_of(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    if let Some(project) = domain.strip_suffix(".iam.gserviceaccount.com") {
        return (!project.is_empty()).then(|| project.to_string());
    }
    (domain == "appspot.gserviceaccount.com" && !local.is_empty()).then(|| local.to_string())
}

/// Reads the account list at `path`, and the key listings of `options.keys`, into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let mut keys: HashMap<String, Vec<KeyFact>> = HashMap::new();
    for keys_path in &options.keys {
        read_keys(keys_path, &mut keys)?;
    }
    let file = export.file.clone();
    let mut accounts = Vec::new();
    let pages = input::items(path, &file, &["accounts"], |item, line| {
        let account: Account = super::typed(item, line, "a service account")?;
        accounts.push((account, line));
        Ok(())
    })?;
    paging(&pages, &file, export);
    for (account, line) in accounts {
        let Some(email) = account.email.clone().filter(|e| e.contains('@')) else {
            return Err(ImportError::format(
                &file,
                line,
                "a service account without an `email`",
            ));
        };
        if let Some(project) = account.project_id.clone().or_else(|| project_of(&email)) {
            export.scope.insert(project.to_lowercase());
        }
        let mine = keys.remove(&email.to_lowercase());
        export
            .leaks
            .extend(leaks(&email, mine.as_deref().unwrap_or_default()));
        let record = record(
            &file,
            line,
            account,
            &email,
            mine.as_deref(),
            !options.keys.is_empty(),
            options.as_of,
        );
        export.records.push(record);
    }
    let mut orphans: Vec<String> = keys.into_keys().collect();
    orphans.sort();
    for email in orphans {
        export.notes.push(format!(
            "keys were given for {email}, which the account list does not contain"
        ));
    }
    Ok(())
}

/// A REST page that says more follow: the export is incomplete.
fn paging(pages: &input::Envelopes, file: &str, export: &mut Export) {
    if pages.iter().any(|p| {
        p.get("nextPageToken")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty())
    }) {
        export.notes.push(format!("{file} is one page of several (`nextPageToken`): fetch every page, or use `gcloud iam service-accounts list`, which does; accounts on other pages look stale"));
    }
}

fn read_keys(path: &Path, out: &mut HashMap<String, Vec<KeyFact>>) -> Result<(), ImportError> {
    let file = path.display().to_string();
    input::items(path, &file, &["keys"], |item, line| {
        let key: Key = super::typed(item, line, "a service account key")?;
        let name = key.name.clone().unwrap_or_default();
        let parts: Vec<&str> = name.split('/').collect();
        let ["projects", _, "serviceAccounts", email, "keys", id] = parts.as_slice() else {
            let message =
                "a key whose `name` is not projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID"
                    .to_string();
            return Err(SyntaxError { line, message });
        };
        let day = |field: &Option<String>, what: &str| -> Result<Option<Date>, SyntaxError> {
            match field.as_deref() {
                None | Some("") => Ok(None),
                Some(text) => crate::day::of_timestamp(text)
                    .map(Some)
                    .ok_or_else(|| SyntaxError {
                        line,
                        message: format!("`{what}` is not an RFC 3339 timestamp"),
                    }),
            }
        };
        let status = |suffix: &str| {
            key.extended_status
                .iter()
                .find(|s| s.key.as_deref().is_some_and(|k| k.ends_with(suffix)))
        };
        let reason = key.disable_reason.clone().unwrap_or_default();
        let exposed = status("KEY_EXPOSED")
            .map(|s| s.value.clone().unwrap_or_default())
            .or_else(|| reason.ends_with("_EXPOSED").then(String::new));
        let compromised =
            status("COMPROMISE_DETECTED").is_some() || reason.ends_with("COMPROMISE_DETECTED");
        let fact = KeyFact {
            origin: key
                .key_origin
                .clone()
                .filter(|o| !o.ends_with("UNSPECIFIED")),
            disable_reason: key
                .disable_reason
                .clone()
                .map(|r| {
                    r.trim_start_matches("SERVICE_ACCOUNT_KEY_DISABLE_REASON_")
                        .to_string()
                })
                .filter(|r| r != "UNSPECIFIED"),
            exposed,
            compromised,
            at: Place::new(file.clone(), line),
            id: id
                .chars()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
            user_managed: key.key_type.as_deref() == Some("USER_MANAGED"),
            disabled: key.disabled,
            valid_after: day(&key.valid_after_time, "validAfterTime")?,
            valid_before: day(&key.valid_before_time, "validBeforeTime")?,
            algorithm: key
                .key_algorithm
                .clone()
                .unwrap_or_default()
                .trim_start_matches("KEY_ALG_")
                .to_string(),
        };
        out.entry(email.to_lowercase()).or_default().push(fact);
        Ok(())
    })?;
    Ok(())
}

fn record(
    file: &str,
    line: u32,
    account: Account,
    email: &str,
    keys: Option<&[KeyFact]>,
    listed: bool,
    as_of: Option<Date>,
) -> Record {
    let base = email
        .trim_end_matches(".gserviceaccount.com")
        .trim_end_matches(".iam")
        .replace('@', "-");
    let name = account
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| email.to_string());
    let mut record = Record::new(
        email.to_string(),
        ids::sanitize(&base),
        name,
        IdentityType::ServiceAccount,
        file,
        line,
    );
    record.active = !account.disabled;
    record.purpose = account.description.filter(|d| !d.trim().is_empty());
    if account.disabled {
        record.notes.push("the service account is disabled".into());
    }
    if listed {
        keys_facts(&mut record, keys.unwrap_or_default(), as_of);
    } else {
        record.notes.push(
            "no key listing was given (--keys): whether it has user-managed keys, and their dates, is unknown".into(),
        );
    }
    record
}

/// The keys Google found exposed or compromised, as leaks of the account.
fn leaks(email: &str, keys: &[KeyFact]) -> Vec<Leak> {
    keys.iter()
        .filter(|k| k.exposed.is_some() || k.compromised)
        .map(|k| {
            let how = if k.exposed.is_some() {
                "Google found its private key exposed"
            } else {
                "Google detected it used by an attacker"
            };
            let url = k.exposed.clone().filter(|u| !u.trim().is_empty());
            Leak {
                what: format!("the user-managed key …{} of {email} ({how})", k.id),
                at: k.at.clone(),
                commit: None,
                url,
                identifiers: vec![email.to_string()],
            }
        })
        .collect()
}

fn keys_facts(record: &mut Record, keys: &[KeyFact], as_of: Option<Date>) {
    let user: Vec<&KeyFact> = keys.iter().filter(|k| k.user_managed).collect();
    let live = |k: &&&KeyFact| {
        !k.disabled
            && k.valid_before
                .is_none_or(|b| as_of.is_none_or(|day| b >= day))
    };
    let active: Vec<&&KeyFact> = user.iter().filter(live).collect();
    record.active_keys = u32::try_from(active.len()).unwrap_or(u32::MAX);
    record.credential = Some(if active.is_empty() {
        CredentialKind::ShortLived
    } else {
        CredentialKind::Static
    });
    record.created = user.iter().filter_map(|k| k.valid_after).min();
    record.rotated = active.iter().filter_map(|k| k.valid_after).min();
    record.expires = active
        .iter()
        .filter_map(|k| k.valid_before)
        .filter(|d| d.year() < 9999)
        .min();
    for key in &user {
        let state = if key.disabled {
            "disabled"
        } else if live(&key) {
            "active"
        } else {
            "expired"
        };
        let from = key
            .valid_after
            .map(|d| format!(", valid from {d}"))
            .unwrap_or_default();
        let origin = match key.origin.as_deref() {
            Some("USER_PROVIDED") => ", public key uploaded (USER_PROVIDED)",
            Some("GOOGLE_PROVIDED") => ", generated by Google (GOOGLE_PROVIDED)",
            _ => "",
        };
        let reason = key
            .disable_reason
            .as_deref()
            .map(|r| format!(", disable reason {r}"))
            .unwrap_or_default();
        record.notes.push(format!(
            "user-managed key …{} ({}{origin}): {state}{from}{reason}",
            key.id, key.algorithm
        ));
        if key.exposed.is_some() || key.compromised {
            record.notes.push(format!(
                "the key …{} was found exposed or compromised by Google: revoke it and investigate (`nhi drift` reports it as `secret-in-code`)",
                key.id
            ));
        }
    }
    let system = keys.len() - user.len();
    if active.is_empty() {
        record.notes.push(format!(
            "no active user-managed key ({system} Google-managed): tokens are short-lived"
        ));
    }
    if !record.active && !active.is_empty() {
        record
            .notes
            .push("the account is disabled but still has active user-managed keys".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_come_from_the_address() {
        assert_eq!(
            project_of("etl@northwind-data.iam.gserviceaccount.com").as_deref(),
            Some("northwind-data")
        );
        assert_eq!(
            project_of("northwind-web@appspot.gserviceaccount.com").as_deref(),
            Some("northwind-web")
        );
        assert_eq!(
            project_of("123-compute@developer.gserviceaccount.com"),
            None
        );
        assert_eq!(project_of("arn:aws:iam::123456789012:user/x"), None);
    }
}
