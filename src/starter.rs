//! What `nhi init` writes: a commented policy with every key at its default, a starter team, person and
//! system, the JSON Schemas for editors, CODEOWNERS and the GitHub workflow of the docs. Text only; the
//! command writes it.

use crate::load::schema::SCHEMAS;
use crate::model::{Kind, Policy};
use crate::model::{Person, System, Team};
use crate::scaffold;

/// The GitHub workflow the docs describe (`docs/examples/registry-workflow.yml`, checked by actionlint).
pub const WORKFLOW: &str = include_str!("../docs/examples/registry-workflow.yml");
/// Where the workflow goes, from the top of the repository.
pub const WORKFLOW_FILE: &str = ".github/workflows/nhi.yml";
/// The folder the schemas go to, inside the registry.
pub const SCHEMA_DIR: &str = "schema";

/// The starter documents' ids, for the messages that name them.
pub const STARTER_TEAM: &str = "team-platform";
pub const STARTER_PERSON: &str = "alex";
pub const STARTER_SYSTEM: &str = "vault";

/// The file name of a kind's schema: `identity.schema.json`.
pub fn schema_file(kind: Kind) -> String {
    format!("{}.schema.json", kind.name().to_lowercase())
}

/// Every kind's schema file name and text.
pub fn schema_files() -> Vec<(String, &'static str)> {
    SCHEMAS
        .iter()
        .map(|(kind, text)| (schema_file(*kind), *text))
        .collect()
}

/// The policy, every key written at its default value with a comment on what it does.
pub fn policy_yaml(organization: &str) -> String {
    let p = Policy::default();
    let map = |m: Vec<(String, u32)>| {
        let items: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{{{}}}", items.join(", "))
    };
    let by_criticality = map(p
        .review_days_by_criticality
        .iter()
        .rev()
        .map(|(c, d)| (c.to_string(), *d))
        .collect());
    let rotation = map(p
        .rotation_days
        .iter()
        .map(|(k, d)| (k.clone(), *d))
        .collect());
    let stores: Vec<&str> = p.allowed_secret_stores.iter().map(|s| s.as_str()).collect();
    let mut y = format!(
        "# yaml-language-server: $schema={SCHEMA_DIR}/{}\n",
        schema_file(Kind::Policy)
    );
    y += "# The registry's policy. Every key is optional: each is written here at its default value, so you can\n";
    y += "# see what applies and change it in place. `nhi explain RULE` says what a rule checks.\n";
    y += "kind: Policy\n";
    y += &format!(
        "organization: {}  # shown on the site\n",
        scaffold::quote(organization)
    );
    y += &format!(
        "review_days: {}  # days between access reviews\n",
        p.review_days
    );
    y += &format!("review_days_by_criticality: {by_criticality}  # shorter periods by the highest criticality an identity reaches\n");
    y += &format!("rotation_days: {rotation}  # static credentials, by identity type (`default`: any other)\n");
    y += &format!("expiry_warning_days: {}  # warn this many days before expiries, rotations and reviews fall due\n", p.expiry_warning_days);
    y += &format!(
        "dormant_days: {}  # unused for this long (last_used) is dormant\n",
        p.dormant_days
    );
    y += &format!(
        "max_exception_days: {}  # longest exception after its approval\n",
        p.max_exception_days
    );
    y += &format!(
        "max_critical_reach: {}  # critical systems a static credential may reach (blast radius)\n",
        p.max_critical_reach
    );
    y += &format!(
        "allowed_secret_stores: [{}]  # System types that may keep static credentials\n",
        stores.join(", ")
    );
    y += &format!(
        "review_by_owner: {}  # false: a reviewer from the owning team is not independent\n",
        p.review_by_owner
    );
    y += "approvers: []  # Team or Person ids who approve exceptions and own exceptions/ and nhi.yaml, e.g. [team-security]\n";
    y += "rules: {}  # severity overrides, e.g. {owner-is-person: off, dormant: error}\n";
    y
}

/// The registry's own files, as `(path relative to the registry root, text)`: the policy, the starter team,
/// person and system, the schemas, and a `.gitkeep` in the folders that start empty.
pub fn registry_files(organization: &str) -> Vec<(String, String)> {
    let schema = |kind: Kind| Some(format!("../{SCHEMA_DIR}/{}", schema_file(kind)));
    let starter = "# A starter document from `nhi init`: edit it, or replace it with your own.\n";
    let team = Team {
        id: STARTER_TEAM.into(),
        name: Some("Platform".into()),
        email: Some("platform@example.com".into()),
        lead: Some(STARTER_PERSON.into()),
        ..Team::default()
    };
    let team = scaffold::team_yaml(&team, schema(Kind::Team).as_deref());
    let person = Person {
        id: STARTER_PERSON.into(),
        name: Some("Alex Example".into()),
        email: Some("alex@example.com".into()),
        team: Some(STARTER_TEAM.into()),
        ..Person::default()
    };
    let person = scaffold::person_yaml(&person, schema(Kind::Person).as_deref());
    let system = System {
        id: STARTER_SYSTEM.into(),
        name: Some("Secret store".into()),
        kind: Some(crate::model::SystemType::SecretStore),
        criticality: Some(crate::model::Criticality::Critical),
        environment: Some(crate::model::Environment::Prod),
        owner: Some(STARTER_TEAM.into()),
        description: Some("Where static credentials are kept".into()),
        ..System::default()
    };
    let system = scaffold::system_yaml(&system, schema(Kind::System).as_deref());
    let with_note = |text: String| match text.split_once('\n') {
        Some((header, rest)) => format!("{header}\n{starter}{rest}"),
        None => text,
    };
    let mut files = vec![
        (
            crate::load::POLICY_FILE.to_string(),
            policy_yaml(organization),
        ),
        (format!("owners/{STARTER_TEAM}.yaml"), with_note(team)),
        (format!("owners/{STARTER_PERSON}.yaml"), with_note(person)),
        (format!("systems/{STARTER_SYSTEM}.yaml"), with_note(system)),
        ("identities/.gitkeep".into(), String::new()),
        ("exceptions/.gitkeep".into(), String::new()),
    ];
    files.extend(
        schema_files()
            .into_iter()
            .map(|(file, text)| (format!("{SCHEMA_DIR}/{file}"), text.to_string())),
    );
    files
}

/// The workflow for a registry at `prefix` in its repository (`/`-terminated, or empty at the top).
pub fn workflow(prefix: &str) -> String {
    let dir = prefix.trim_end_matches('/');
    if dir.is_empty() {
        return WORKFLOW.to_string();
    }
    WORKFLOW
        .replace("registry: .\n", &format!("registry: {dir}\n"))
        .replace("nhi build . -o site", &format!("nhi build {dir} -o site"))
}
