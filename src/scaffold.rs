//! Skeleton documents for `nhi new`: a valid starting point with the fields that matter for the type, and
//! comments where the author still has to decide. Checking code never writes; this only builds text.

use jiff::civil::Date;

use crate::day;
use crate::model::{Environment, IdentityType, Level, Registry, SystemType};

/// What `nhi new identity` was told.
#[derive(Clone, Debug)]
pub struct NewIdentity {
    pub id: String,
    pub kind: IdentityType,
    pub owner: String,
    pub system: Option<String>,
    pub level: Level,
    pub environment: Environment,
    pub purpose: Option<String>,
    pub stores: Vec<String>,
    pub reviewer: Option<String>,
    pub today: Date,
    /// The `$schema` reference for the editor header: a relative path or a URL.
    pub schema: String,
}

/// Whether `id` matches the id pattern of the specification.
pub fn is_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
        })
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML 1.2).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The secret stores a new static credential goes to when none is named: a `secret_store` System of the
/// identity's environment, else the first secret store by id.
pub fn default_stores(registry: &Registry, environment: Environment) -> Vec<String> {
    let mut stores: Vec<_> = registry
        .systems
        .iter()
        .map(|s| &s.item)
        .filter(|s| s.kind == Some(SystemType::SecretStore))
        .collect();
    stores.sort_by(|a, b| {
        (a.environment != Some(environment), &a.id)
            .cmp(&(b.environment != Some(environment), &b.id))
    });
    stores
        .first()
        .map(|s| vec![s.id.clone()])
        .unwrap_or_default()
}

/// The identity document, header comment included.
pub fn identity_yaml(spec: &NewIdentity, rotation_days: u32) -> String {
    let mut y = format!("# yaml-language-server: $schema={}\n", spec.schema);
    y += "kind: Identity\n";
    y += &format!("id: {}\n", spec.id);
    y += "# name: a display name\n";
    y += &format!("type: {}\n", spec.kind);
    y += &format!("owner: {}\n", spec.owner);
    y += "# contact: the Person id of the technical contact\n";
    let purpose = spec
        .purpose
        .as_deref()
        .unwrap_or("TODO: the one business function this identity serves");
    y += &format!("purpose: {}\n", quote(purpose));
    y += &format!("environment: {}\n", spec.environment);
    if let Some(system) = &spec.system {
        y += &format!("system_of_record: {system}\n");
    }
    y += "# external_id: ARN, service-account e-mail, namespace/name… (never a secret)\n";
    y += "status: active\n";
    y += &credential(spec, rotation_days);
    y += &access(spec);
    y += "used_by: []  # the System ids of the workloads that use it (one; more is a shared identity)\n";
    y += &match &spec.reviewer {
        Some(by) => format!("review:\n  last: {}\n  by: {by}\n", spec.today),
        None => {
            "# review: {last: YYYY-MM-DD, by: a Person id}  # required before the gate passes\n"
                .into()
        }
    };
    if spec.kind == IdentityType::Workload {
        y += &format!(
            "spiffe_id: {}\n",
            quote(&format!(
                "spiffe://TODO-trust-domain/ns/TODO-namespace/sa/{}",
                spec.id
            ))
        );
    }
    y += "tags: []\n";
    y
}

fn credential(spec: &NewIdentity, rotation_days: u32) -> String {
    let stores = if spec.stores.is_empty() {
        "  stores: []  # TODO: the secret_store System ids that keep the secret\n".to_string()
    } else {
        format!("  stores: [{}]\n", spec.stores.join(", "))
    };
    let today = spec.today;
    match spec.kind {
        IdentityType::Workload => {
            format!("credential:\n  kind: federated  # or short_lived\n  created: {today}\n")
        }
        IdentityType::Certificate => {
            let expires = day::add(today, i64::from(rotation_days));
            format!("credential:\n  kind: certificate\n  created: {today}\n  expires: {expires}\n{stores}")
        }
        _ => format!("credential:\n  kind: static\n  created: {today}\n  # last_rotated: YYYY-MM-DD\n{stores}"),
    }
}

fn access(spec: &NewIdentity) -> String {
    let Some(system) = &spec.system else {
        return "access: []  # one entry per System: {system: ID, level: read|write|admin}\n"
            .into();
    };
    let mut a = format!("access:\n  - system: {system}\n    level: {}\n", spec.level);
    a += "    # scope: what exactly it may do there\n";
    if spec.level == Level::Admin {
        a += "    # justification: required for admin: why a lower level is not enough\n";
    }
    a
}
