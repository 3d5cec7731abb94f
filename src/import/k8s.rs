//! `k8s-service-accounts`: `kubectl get serviceaccounts -A -o json`, a `v1` `List` of `ServiceAccount`s.
//!
//! External ids are `k8s:<namespace>/<name>` (a bare `<namespace>/<name>` in the registry matches too).
//! Workload-identity annotations make the credential `federated`: `eks.amazonaws.com/role-arn` (IRSA),
//! `iam.gke.io/gcp-service-account` (GKE), `azure.workload.identity/client-id` (AKS). A `secrets` entry named
//! `<sa>-token-<suffix>` is a legacy long-lived token Secret (clusters before 1.24): `static`. Otherwise pods
//! get projected tokens that expire: `short_lived`.
//!
//! Every namespace has a `default` service account and `kube-*` namespaces hold the cluster's own: both are
//! skipped (not imported, never `undeclared`, still compared when the registry declares them) unless a
//! `default` account carries a workload-identity annotation, or `--all` is given.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::json_stream::SyntaxError;
use super::{ids, input, Export, ImportError, Options, Record};
use crate::model::{CredentialKind, IdentityType};

/// Annotations that bind a service account to a cloud identity, and what they name.
pub const FEDERATION: [(&str, &str); 3] = [
    ("eks.amazonaws.com/role-arn", "the AWS IAM role"),
    (
        "iam.gke.io/gcp-service-account",
        "the Google service account",
    ),
    (
        "azure.workload.identity/client-id",
        "the Azure managed identity (client id)",
    ),
];

const SYSTEM_NAMESPACES: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ServiceAccount {
    kind: Option<String>,
    metadata: Metadata,
    secrets: Vec<SecretRef>,
    automount_service_account_token: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Metadata {
    name: Option<String>,
    namespace: Option<String>,
    creation_timestamp: Option<String>,
    annotations: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
}

/// Annotations that restate the object (kubectl's copy of the applied manifest): no fact for a person.
const NOISE: [&str; 1] = ["kubectl.kubernetes.io/last-applied-configuration"];
/// Longer label and annotation values are cut in notes.
const MAX_NOTE_VALUE: usize = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SecretRef {
    name: Option<String>,
}

/// The namespace of a registry external id this source speaks for: `k8s:ns/name`, or a bare `ns/name` on a
/// workload or service account (other identities, such as TLS certificates, use that shape too).
pub fn namespace_of(external_id: &str, kind: Option<IdentityType>) -> Option<String> {
    let id = external_id.trim();
    let (rest, prefixed) = match id.strip_prefix("k8s:") {
        Some(rest) => (rest, true),
        None => (id, false),
    };
    let (namespace, name) = rest.split_once('/')?;
    let label = |s: &str, dots: bool| {
        !s.is_empty()
            && s.len() <= 253
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (dots && b == b'.')
            })
    };
    let shaped = label(namespace, false) && namespace.len() <= 63 && label(name, true);
    let workload = matches!(
        kind,
        Some(IdentityType::Workload | IdentityType::ServiceAccount)
    );
    (shaped && (prefixed || workload)).then(|| namespace.to_string())
}

/// Reads the list at `path` into `export`.
pub fn read(path: &Path, options: &Options, export: &mut Export) -> Result<(), ImportError> {
    let envelopes = input::listing(
        path,
        export,
        &["items"],
        "a ServiceAccount",
        |file, line, sa| record(file, line, sa, options),
    )?;
    for kind in envelopes
        .iter()
        .filter_map(|m| m.get("kind"))
        .filter_map(|k| k.as_str())
    {
        if kind != "List" && kind != "ServiceAccountList" && kind != "ServiceAccount" {
            return Err(ImportError::format(
                &export.file,
                1,
                format!("a `{kind}`, not a list of ServiceAccounts"),
            ));
        }
    }
    Ok(())
}

fn record(
    file: &str,
    line: u32,
    sa: ServiceAccount,
    options: &Options,
) -> Result<Record, SyntaxError> {
    if let Some(kind) = sa.kind.as_deref().filter(|k| *k != "ServiceAccount") {
        let shown: String = kind.chars().take(40).collect();
        return Err(SyntaxError {
            line,
            message: format!("an item of kind `{shown}`, expected ServiceAccount"),
        });
    }
    let meta = &sa.metadata;
    let (Some(name), Some(namespace)) = (meta.name.clone(), meta.namespace.clone()) else {
        return Err(SyntaxError {
            line,
            message: "a ServiceAccount without `metadata.name` and `metadata.namespace`".into(),
        });
    };
    let external_id = format!("k8s:{namespace}/{name}");
    if namespace_of(&external_id, None).is_none() {
        return Err(SyntaxError {
            line,
            message: "a ServiceAccount whose namespace or name is not a valid Kubernetes name"
                .into(),
        });
    }
    let mut record = Record::new(
        external_id,
        ids::sanitize(&format!("{namespace}-{name}")),
        name.clone(),
        IdentityType::Workload,
        file,
        line,
    );
    record.created = match meta.creation_timestamp.as_deref() {
        None => None,
        Some(text) => Some(crate::day::of_timestamp(text).ok_or_else(|| SyntaxError {
            line,
            message: "`creationTimestamp` is not an RFC 3339 timestamp".into(),
        })?),
    };
    let federated: Vec<String> = FEDERATION
        .iter()
        .filter_map(|(key, what)| {
            meta.annotations
                .get(*key)
                .map(|v| format!("federated to {what} {v} ({key})"))
        })
        .collect();
    let legacy: Vec<&str> = sa
        .secrets
        .iter()
        .filter_map(|s| s.name.as_deref())
        .filter(|n| n.starts_with(&format!("{name}-token-")))
        .collect();
    record.credential = Some(if !federated.is_empty() {
        CredentialKind::Federated
    } else if !legacy.is_empty() {
        CredentialKind::Static
    } else {
        CredentialKind::ShortLived
    });
    record.notes.extend(federated.iter().cloned());
    if !legacy.is_empty() {
        record.notes.push(format!(
            "legacy long-lived token Secret(s): {}",
            legacy.join(", ")
        ));
    }
    for (what, map) in [("label", &meta.labels), ("annotation", &meta.annotations)] {
        for (key, value) in map {
            if NOISE.contains(&key.as_str()) || FEDERATION.iter().any(|(k, _)| k == key) {
                continue;
            }
            let mut shown: String = value.chars().take(MAX_NOTE_VALUE).collect();
            if shown.len() < value.len() {
                shown.push('…');
            }
            record.notes.push(format!("{what} {key}: {shown}"));
        }
    }
    if sa.automount_service_account_token == Some(false) {
        record
            .notes
            .push("automountServiceAccountToken: false (pods get no token unless they ask)".into());
    }
    if options.all {
        return Ok(record);
    }
    if SYSTEM_NAMESPACES.contains(&namespace.as_str()) {
        record.skipped = Some(format!(
            "a service account of the cluster's own `{namespace}` namespace"
        ));
    } else if name == "default" && federated.is_empty() {
        record.skipped = Some("the namespace's `default` service account".into());
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_of_prefixed_and_bare_ids() {
        assert_eq!(
            namespace_of("k8s:payments/checkout-service", None).as_deref(),
            Some("payments")
        );
        assert_eq!(
            namespace_of("payments/checkout-service", Some(IdentityType::Workload)).as_deref(),
            Some("payments")
        );
        assert_eq!(
            namespace_of("ingress/api-tls", Some(IdentityType::Certificate)),
            None
        );
        assert_eq!(namespace_of("k8s:Payments/x", None), None);
        assert_eq!(
            namespace_of("arn:aws:iam::1:role/x", Some(IdentityType::Workload)),
            None
        );
        assert_eq!(
            namespace_of("github:northwind/scim/okta", Some(IdentityType::Workload)),
            None
        );
    }
}
