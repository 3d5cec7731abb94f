//! `azure-service-principals`: `az ad sp list --all -o json`, an array of Microsoft Graph `servicePrincipal`
//! objects (`{"value": […]}` pages of the Graph REST API read too): `id, appId, displayName,
//! servicePrincipalType, accountEnabled, appOwnerOrganizationId, description, notes, tags,
//! passwordCredentials, keyCredentials`.
//!
//! `passwordCredentials` are client secrets (`{keyId, displayName, startDateTime, endDateTime, hint,
//! secretText}`; `secretText` is null in listings, and `hint` holds the secret's first characters, so it is
//! never read); `keyCredentials` are certificates (`{keyId, type, usage, startDateTime, endDateTime, key}`).
//! Graph gives no last use. External ids are `azure-sp:<appId>`.
//!
//! Every tenant holds hundreds of Microsoft's own service principals (owned by Microsoft's tenant): they are
//! skipped unless `--all`.

use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use super::json_stream::SyntaxError;
use super::{day_of, ids, input, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};

/// The prefix of this source's external ids.
pub const PREFIX: &str = "azure-sp:";
/// The tenant that owns Microsoft's first-party applications.
const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Principal {
    app_id: Option<String>,
    display_name: Option<String>,
    service_principal_type: Option<String>,
    account_enabled: Option<bool>,
    app_owner_organization_id: Option<String>,
    description: Option<String>,
    notes: Option<String>,
    password_credentials: Vec<Credential>,
    key_credentials: Vec<Credential>,
}

/// A client secret or certificate: only its id, name, type and dates are read.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Credential {
    key_id: Option<String>,
    display_name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    start_date_time: Option<Value>,
    end_date_time: Option<Value>,
}

/// `azure` for every `azure-sp:` external id: one export speaks for one tenant's service principals.
pub fn scope_of(external_id: &str) -> Option<String> {
    external_id
        .trim()
        .strip_prefix(PREFIX)
        .filter(|id| !id.is_empty())
        .map(|_| "azure".to_string())
}

/// Reads the listing at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let what = "a Microsoft Graph servicePrincipal";
    input::listing(path, export, &["value"], what, |file, line, sp| {
        record(file, line, sp, options)
    })?;
    Ok(())
}

/// A credential's facts: (kind, id suffix, name, start, end).
struct Fact {
    what: &'static str,
    id: String,
    name: String,
    start: Option<Date>,
    end: Option<Date>,
}

fn facts(list: &[Credential], what: &'static str, line: u32) -> Result<Vec<Fact>, SyntaxError> {
    let day = |v: &Option<Value>, field: &str| {
        day_of(v.as_ref()).map_err(|why| SyntaxError {
            line,
            message: format!("`{field}` of a credential is {why}"),
        })
    };
    list.iter()
        .map(|c| {
            let id = c.key_id.clone().unwrap_or_default();
            Ok(Fact {
                what: if c.kind.as_deref() == Some("Symmetric") {
                    "symmetric key"
                } else {
                    what
                },
                id: id.chars().take(8).collect(),
                name: c.display_name.clone().unwrap_or_default(),
                start: day(&c.start_date_time, "startDateTime")?,
                end: day(&c.end_date_time, "endDateTime")?,
            })
        })
        .collect()
}

fn record(file: &str, line: u32, sp: Principal, options: &Options) -> Result<Record, SyntaxError> {
    let Some(app_id) = sp.app_id.clone().filter(|a| !a.trim().is_empty()) else {
        return Err(SyntaxError {
            line,
            message: "a service principal without `appId`".into(),
        });
    };
    let name = sp
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| app_id.clone());
    let managed = sp.service_principal_type.as_deref() == Some("ManagedIdentity");
    let kind = if managed {
        IdentityType::Workload
    } else {
        IdentityType::ServiceAccount
    };
    let mut record = Record::new(
        format!("{PREFIX}{app_id}"),
        ids::sanitize(&name),
        name,
        kind,
        file,
        line,
    );
    record.purpose = sp
        .description
        .clone()
        .or(sp.notes.clone())
        .filter(|d| !d.trim().is_empty());
    record.active = sp.account_enabled != Some(false);
    let mut creds = facts(&sp.password_credentials, "client secret", line)?;
    let secrets = creds.len();
    creds.extend(facts(&sp.key_credentials, "certificate", line)?);
    let as_of = options.as_of;
    let live = |f: &&Fact| f.end.is_none_or(|e| as_of.is_none_or(|d| e >= d));
    let active: Vec<&Fact> = creds.iter().filter(live).collect();
    record.active_keys =
        u32::try_from(creds[..secrets].iter().filter(live).count()).unwrap_or(u32::MAX);
    record.credential = Some(if managed {
        CredentialKind::ShortLived
    } else if active.iter().any(|f| f.what == "client secret") {
        CredentialKind::Static
    } else if !active.is_empty() {
        CredentialKind::Certificate
    } else {
        CredentialKind::None
    });
    if record.credential == Some(CredentialKind::Certificate) {
        record.kind = IdentityType::ServiceAccount;
    }
    // A managed identity's certificates are Azure's to renew: their dates are no fact of the identity's.
    if !managed {
        record.created = creds.iter().filter_map(|f| f.start).min();
        record.rotated = active.iter().filter_map(|f| f.start).min();
        record.expires = active.iter().filter_map(|f| f.end).min();
    }
    for f in &creds {
        let state = if live(&f) { "active" } else { "expired" };
        let dates = match (f.start, f.end) {
            (Some(s), Some(e)) => format!(", {s} to {e}"),
            (Some(s), None) => format!(", from {s}"),
            (None, Some(e)) => format!(", until {e}"),
            (None, None) => String::new(),
        };
        let named = if f.name.is_empty() {
            String::new()
        } else {
            format!(" `{}`", f.name)
        };
        record
            .notes
            .push(format!("{} {}…{named}: {state}{dates}", f.what, f.id));
    }
    if managed {
        record
            .notes
            .push("a managed identity: Azure issues and rotates its tokens".into());
    } else if creds.is_empty() {
        record.notes.push("no credential on the service principal: an application's secrets and certificates are listed by `az ad app credential list --id APP_ID`, its federated credentials by `az ad app federated-credential list`".into());
    }
    if sp.account_enabled == Some(false) {
        record
            .notes
            .push("sign-in is disabled (accountEnabled: false)".into());
    }
    let microsoft = sp.app_owner_organization_id.as_deref() == Some(MICROSOFT_TENANT);
    if microsoft && !options.all {
        record.skipped = Some("a Microsoft first-party service principal".into());
    } else if let Some(owner) = sp.app_owner_organization_id.filter(|o| !o.is_empty()) {
        record.notes.push(format!("the application is registered in tenant {owner} (another tenant's means a third-party app)"));
    }
    Ok(record)
}
