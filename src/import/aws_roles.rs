//! `aws-iam-roles`: the IAM roles of an account, from `aws iam get-account-authorization-details` (its
//! `RoleDetailList`) or `aws iam list-roles` (`{"Roles": […]}`); `aws iam get-role` (`{"Role": {…}}`) too.
//!
//! A role is `{Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument, Description,
//! MaxSessionDuration, RoleLastUsed: {LastUsedDate, Region}}` (`list-roles` leaves `RoleLastUsed` out). The
//! trust policy is a JSON object as the CLI prints it, or the URL-encoded string the API returns. A role
//! whose policy trusts an identity provider (`Federated`) is drafted as a federated identity with the
//! `federation` its `…:sub` and `…:aud` conditions admit; a role only services (`ec2.amazonaws.com`) or
//! accounts may assume is a short-lived role, not federation. Service-linked roles (path
//! `/aws-service-role/`) belong to AWS and are skipped unless `--all`.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::json_stream::{self, SyntaxError};
use super::{ids, input::open, Export, ImportError, Options, Record};
use crate::day::of_timestamp as timestamp_day;
use crate::federation::trust::{self, Grant};
use crate::federation::{issuer_kind, too_broad};
use crate::model::{CredentialKind, IdentityType};

/// The arrays the three commands put their roles in.
const LISTS: [&str; 2] = ["RoleDetailList", "Roles"];

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct Role {
    role_name: Option<String>,
    arn: Option<String>,
    path: Option<String>,
    create_date: Option<String>,
    assume_role_policy_document: Value,
    description: Option<String>,
    role_last_used: Option<LastUsed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct LastUsed {
    last_used_date: Option<String>,
    region: Option<String>,
}

/// The account id of an IAM role ARN (`arn:aws:iam::123456789012:role/path/name`).
pub fn account_of(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.trim().splitn(6, ':').collect();
    let ["arn", partition, "iam", "", account, resource] = parts.as_slice() else {
        return None;
    };
    let ok = partition.starts_with("aws")
        && resource.starts_with("role/")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| account.to_string())
}

/// Reads the roles at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let file = export.file.clone();
    let mut records = Vec::new();
    json_stream::items_under(open(path)?, &LISTS, |item, line| {
        let item = match item {
            Value::Object(mut map) if map.contains_key("Role") => {
                map.remove("Role").unwrap_or_default()
            }
            other => other,
        };
        let role = super::typed(item, line, "an IAM role")?;
        records.push(record(&file, line, role, options)?);
        Ok(())
    })
    .map_err(|e| ImportError::format(&file, e.line, e.message))?;
    export.add_covering(records);
    Ok(())
}

fn record(file: &str, line: u32, role: Role, options: &Options) -> Result<Record, SyntaxError> {
    let bad = |message: String| SyntaxError { line, message };
    let name = role
        .role_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| bad("an IAM role without a `RoleName` (is this a role listing?)".into()))?;
    let arn = role
        .arn
        .clone()
        .filter(|a| account_of(a).is_some())
        .ok_or_else(|| {
            bad(format!(
                "the role `{name}` has no role `Arn` (arn:aws:iam::ACCOUNT:role/NAME)"
            ))
        })?;
    let trust = trust::parse(&role.assume_role_policy_document)
        .map_err(|e| bad(format!("the role `{name}`: {e}")))?;
    let federated = !trust.grants.is_empty();
    let kind = if federated {
        IdentityType::Workload
    } else {
        IdentityType::ServiceAccount
    };
    let mut record = Record::new(arn, ids::sanitize(&name), name, kind, file, line);
    record.credential = Some(if federated {
        CredentialKind::Federated
    } else {
        CredentialKind::ShortLived
    });
    record.purpose = role.description.filter(|d| !d.trim().is_empty());
    let day = |text: Option<&str>, what: &str| -> Result<_, SyntaxError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => timestamp_day(t)
                .map(Some)
                .ok_or_else(|| bad(format!("`{what}` is not an ISO 8601 timestamp"))),
        }
    };
    record.created = day(role.create_date.as_deref(), "CreateDate")?;
    let last = role.role_last_used.as_ref();
    record.last_used = day(
        last.and_then(|l| l.last_used_date.as_deref()),
        "RoleLastUsed.LastUsedDate",
    )?;
    if let Some(region) = last
        .and_then(|l| l.region.as_deref())
        .filter(|_| record.last_used.is_some())
    {
        record.notes.push(format!("last used in {region}"));
    }
    let service_linked = role
        .path
        .as_deref()
        .is_some_and(|p| p.starts_with("/aws-service-role/"));
    if service_linked && !options.all {
        record.skipped = Some("a service-linked role (AWS manages it; --all keeps it)".into());
    }
    notes(&mut record, &trust);
    record.trust = trust.grants;
    Ok(record)
}

fn notes(record: &mut Record, trust: &trust::Trust) {
    for service in &trust.services {
        record
            .notes
            .push(format!("assumed by the service {service}"));
    }
    for account in &trust.accounts {
        record
            .notes
            .push(format!("assumable by the AWS principal {account}"));
    }
    for grant in &trust.grants {
        let subjects = if grant.unconditioned {
            "any subject (no `sub` condition)".to_string()
        } else {
            grant.subjects.join(", ")
        };
        record
            .notes
            .push(format!("trusts {} for {subjects}", grant.provider));
        for why in breadth(grant) {
            record.notes.push(format!("too broad: {why}"));
        }
    }
}

/// Why a grant admits more than one workload (SPEC section 14), one reason per broad subject.
pub fn breadth(grant: &Grant) -> Vec<String> {
    let kind = issuer_kind(&grant.provider);
    let mut out = Vec::new();
    if grant.unconditioned {
        out.push(format!(
            "a statement trusts `{}` with no `sub` condition: any subject it signs may assume the role",
            grant.provider
        ));
    }
    out.extend(grant.subjects.iter().filter_map(|s| too_broad(kind, s)));
    out
}

/// The issuer a registry names for a trusted provider: `https://HOST/PATH` for an IAM OIDC provider ARN
/// (the same issuer in every account), the principal as written otherwise (`accounts.google.com`).
pub fn issuer_url(provider: &str) -> String {
    match provider.split_once(":oidc-provider/") {
        Some((arn, host)) if arn.starts_with("arn:") => format!("https://{host}"),
        _ => provider.to_string(),
    }
}

/// The `federation` mapping of a draft: the first provider a role trusts (others become TODO comments).
/// A provider trusted with no `sub` condition gets an empty list, which `federation-too-broad` reports.
pub fn draft_federation(y: &mut String, grants: &[Grant]) {
    use super::draft::{comment, quote};
    use std::fmt::Write;
    let Some(first) = grants.first() else { return };
    let _ = writeln!(y, "federation:");
    let _ = writeln!(y, "  issuer: {}", quote(&issuer_url(&first.provider)));
    if first.unconditioned {
        let _ = writeln!(
            y,
            "  subjects: []  # TODO: the trust policy admits any subject: scope it to one workload"
        );
    } else {
        let _ = writeln!(y, "  subjects:");
        for subject in &first.subjects {
            let _ = writeln!(y, "    - {}", quote(subject));
        }
    }
    match first.audiences.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(y, "  audience: {}", quote(one));
        }
        many => {
            let _ = writeln!(
                y,
                "  audience: {}  # TODO: the trust policy admits {} audiences",
                quote(&many[0]),
                many.len()
            );
        }
    }
    for other in &grants[1..] {
        let _ = writeln!(
            y,
            "# TODO: the role also trusts {}: one identity per provider",
            comment(&other.provider)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_come_from_role_arns_only() {
        assert_eq!(
            account_of("arn:aws:iam::123456789012:role/service-role/deploy").as_deref(),
            Some("123456789012")
        );
        assert_eq!(account_of("arn:aws:iam::123456789012:user/deploy"), None);
        assert_eq!(
            account_of("arn:aws:sts::123456789012:assumed-role/a/b"),
            None
        );
    }
}
