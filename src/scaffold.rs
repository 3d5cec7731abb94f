//! Skeleton documents for `nhi new`: a valid starting point with the fields that matter for the type, and
//! comments where the author still has to decide. Checking code never writes; this only builds text.

use jiff::civil::Date;

use crate::day;
use crate::model::{
    Criticality, Environment, IdentityType, Kind, Level, Person, Registry, System, SystemType, Team,
};

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
    /// The `$schema` reference for the editor header (a relative path), when the registry has the schemas.
    pub schema: Option<String>,
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML 1.2).
pub fn quote(s: &str) -> String {
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
    let mut y = header(spec.schema.as_deref());
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

/// The editor line that wires a document to its JSON Schema (the YAML language server reads it).
pub fn header(schema: Option<&str>) -> String {
    schema
        .map(|s| format!("# yaml-language-server: $schema={s}\n"))
        .unwrap_or_default()
}

/// The relative path from a file in `<registry>/<folder>/` to the nearest `schema/<kind>.schema.json` in
/// the registry or above it (within its repository), as `nhi init` and `nhi schema --write` place them.
/// `None` when there is none: no line is better than one that does not resolve.
pub fn schema_reference(registry: &std::path::Path, kind: Kind) -> Option<String> {
    let file = format!("schema/{}.schema.json", kind.name().to_lowercase());
    let root = registry.canonicalize().ok()?;
    for (depth, dir) in root.ancestors().enumerate() {
        if dir.join(&file).is_file() {
            return Some(format!("{}{file}", "../".repeat(depth + 1)));
        }
        if crate::git::is_top(dir) {
            break;
        }
    }
    None
}

/// A `key: value` line for an optional field, or a comment saying what it would hold.
fn field(key: &str, value: Option<&str>, hint: &str) -> String {
    match value {
        Some(v) => format!("{key}: {}\n", quote(v)),
        None => format!("# {key}: {hint}\n"),
    }
}

/// An optional id field: written bare (ids need no quotes), or a comment.
fn id_field(key: &str, value: Option<&str>, hint: &str) -> String {
    match value {
        Some(v) => format!("{key}: {v}\n"),
        None => format!("# {key}: {hint}\n"),
    }
}

/// The Team document, with `schema` for editors.
pub fn team_yaml(t: &Team, schema: Option<&str>) -> String {
    let mut y = header(schema);
    y += "kind: Team\n";
    y += &format!("id: {}\n", t.id);
    y += &field("name", t.name.as_deref(), "a display name");
    y += &field(
        "email",
        t.email.as_deref(),
        "the team's address, for owners' notices",
    );
    y += &field("slack", t.slack.as_deref(), "\"#channel\"");
    y += &id_field("lead", t.lead.as_deref(), "the Person id of the team lead");
    y += &field(
        "github",
        t.github.as_deref(),
        "\"@org/team\"  # the GitHub team that approves its identities' changes (CODEOWNERS)",
    );
    y += &field(
        "description",
        t.description.as_deref(),
        "what the team does",
    );
    y
}

/// The Person document (active, whatever `p` says; `nhi offboard` records the day they leave), with
/// `schema` for editors.
pub fn person_yaml(p: &Person, schema: Option<&str>) -> String {
    let mut y = header(schema);
    y += "kind: Person\n";
    y += &format!("id: {}\n", p.id);
    y += &field("name", p.name.as_deref(), "their full name");
    y += &field("email", p.email.as_deref(), "their address");
    y += &id_field(
        "team",
        p.team.as_deref(),
        "the Team id they belong to (a team is staffed while an active person names it)",
    );
    y += &field("github", p.github.as_deref(), "their GitHub user name");
    y += "active: true  # false once they leave, with left_on: YYYY-MM-DD\n";
    y
}

/// The System document (its tags are not written), with `schema` for editors.
pub fn system_yaml(s: &System, schema: Option<&str>) -> String {
    let mut y = header(schema);
    y += "kind: System\n";
    y += &format!("id: {}\n", s.id);
    y += &field("name", s.name.as_deref(), "a display name");
    let kind = s.kind.map(SystemType::as_str);
    y += &id_field(
        "type",
        kind,
        "secret_store | database | cloud_account | saas | ci_cd | cluster | service | repository | other",
    );
    let criticality = s.criticality.map(Criticality::as_str);
    y += &id_field(
        "criticality",
        criticality,
        "low | medium | high | critical  # sets the review period of identities that reach it",
    );
    let environment = s.environment.map(Environment::as_str);
    y += &id_field(
        "environment",
        environment,
        "prod | staging | dev | test | shared",
    );
    y += &id_field("owner", s.owner.as_deref(), "the Team id that runs it");
    y += &field(
        "vendor",
        s.vendor.as_deref(),
        "the third party that runs it, if any",
    );
    y += &field("description", s.description.as_deref(), "what it is");
    y += &field("url", s.url.as_deref(), "where it lives");
    y
}

/// The schema problems of a generated document (`rel` names its file in the registry), as
/// `line: message`: what `nhi new` and `nhi init` check before they write anything.
pub fn problems(rel: &str, text: &str) -> Vec<String> {
    let Ok(checked) = crate::check_bytes(rel, text.as_bytes(), crate::day::today_utc()) else {
        return vec!["the document cannot be checked".into()];
    };
    checked
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule,
                crate::catalogue::RuleId::Schema | crate::catalogue::RuleId::SecretInRegistry
            )
        })
        .map(|f| format!("line {}: {}", f.pos.line, f.message))
        .collect()
}
