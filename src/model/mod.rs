//! The typed registry: identities, owners, systems, exceptions, and where each document came from.
//!
//! Fields the schema requires are still `Option` here: a document with a schema error keeps every valid
//! field (the loader removes only the offending values), so the other rules still see it.

use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize};

use crate::span::{Place, Pos};

pub mod policy;

pub use policy::{Policy, PolicyFile, RuleLevel};

/// Where a document lives: its file (relative to the registry root, `/`-separated), where it starts, and
/// its index among the file's documents. Positions inside it are found when a finding needs one
/// ([`crate::load::resolve_positions`]), so a registry of a million documents keeps no position index.
#[derive(Clone, Debug)]
pub struct Source {
    pub file: Arc<str>,
    pub start: Pos,
    /// The document's index among the non-empty documents of its file.
    pub doc: u32,
    /// The document had schema findings (its offending values were dropped before typing).
    pub flawed: bool,
}

impl Source {
    /// The file and the line the document starts on.
    pub fn place(&self) -> Place {
        Place {
            file: self.file.to_string(),
            line: self.start.line,
        }
    }
}

/// A document of one kind with its source.
#[derive(Clone, Debug)]
pub struct Doc<T> {
    pub source: Source,
    pub item: T,
}

/// The kinds of document, and the kind group each belongs to for id uniqueness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    Identity,
    Team,
    Person,
    System,
    Exception,
    Policy,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Identity,
        Kind::Team,
        Kind::Person,
        Kind::System,
        Kind::Exception,
        Kind::Policy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Identity => "Identity",
            Kind::Team => "Team",
            Kind::Person => "Person",
            Kind::System => "System",
            Kind::Exception => "Exception",
            Kind::Policy => "Policy",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Teams and persons share one id space ("owners").
    pub fn group(self) -> &'static str {
        match self {
            Kind::Identity => "identities",
            Kind::Team | Kind::Person => "owners",
            Kind::System => "systems",
            Kind::Exception => "exceptions",
            Kind::Policy => "policy",
        }
    }
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(IdentityType {
    ServiceAccount = "service_account", ApiKey = "api_key", OauthApp = "oauth_app", Token = "token",
    Certificate = "certificate", SshKey = "ssh_key", Bot = "bot", Workload = "workload",
});
string_enum!(Environment { Prod = "prod", Staging = "staging", Dev = "dev", Test = "test", Shared = "shared" });
string_enum!(Status { Active = "active", Disabled = "disabled", Decommissioned = "decommissioned" });
string_enum!(CredentialKind {
    Static = "static", ShortLived = "short_lived", Federated = "federated", Certificate = "certificate", None = "none",
});
string_enum!(
    /// Access levels, ordered: read < write < admin.
    Level { Read = "read", Write = "write", Admin = "admin" }
);
string_enum!(SystemType {
    SecretStore = "secret_store", Database = "database", CloudAccount = "cloud_account", Saas = "saas",
    CiCd = "ci_cd", Cluster = "cluster", Service = "service", Repository = "repository", Other = "other",
});
string_enum!(
    /// Criticality, ordered: low < medium < high < critical.
    Criticality { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);

impl Environment {
    /// `prod`, `shared` and the rest: shared is neither prod nor non-prod.
    pub fn is_non_prod(self) -> bool {
        matches!(
            self,
            Environment::Staging | Environment::Dev | Environment::Test
        )
    }
}

impl Criticality {
    /// The weight of a system of this criticality in a blast-radius score.
    pub fn weight(self) -> u32 {
        match self {
            Criticality::Low => 1,
            Criticality::Medium => 2,
            Criticality::High => 5,
            Criticality::Critical => 10,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Identity {
    pub id: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<IdentityType>,
    pub owner: Option<String>,
    pub contact: Option<String>,
    pub purpose: Option<String>,
    pub environment: Option<Environment>,
    pub system_of_record: Option<String>,
    pub external_id: Option<String>,
    pub status: Option<Status>,
    #[serde(deserialize_with = "date")]
    pub decommissioned_on: Option<Date>,
    pub credential: Credential,
    pub access: Vec<Access>,
    pub used_by: Vec<String>,
    #[serde(deserialize_with = "date")]
    pub last_used: Option<Date>,
    pub review: Option<Review>,
    pub vendor: Option<String>,
    #[serde(deserialize_with = "date")]
    pub vendor_review: Option<Date>,
    pub spiffe_id: Option<String>,
    /// Who may obtain a `federated` or `short_lived` credential (boxed: most identities have none).
    pub federation: Option<Box<Federation>>,
    pub tags: Vec<String>,
    pub links: Links,
}

impl Identity {
    /// Rules about dates, access and use apply to active identities only (an absent status counts as active).
    pub fn is_active(&self) -> bool {
        matches!(self.status, Some(Status::Active) | None)
    }

    pub fn is_static(&self) -> bool {
        self.credential.kind == Some(CredentialKind::Static)
    }

    /// The people who could have copied the credential: the owner, the contact and every `used_by` entry,
    /// each with the field that names it (`owner`, `contact`, `used_by`). Whether an id is a Person is the
    /// caller's to decide.
    pub fn holders(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let owner = self.owner.as_deref().map(|o| ("owner", o));
        let contact = self.contact.as_deref().map(|c| ("contact", c));
        let users = self.used_by.iter().map(|u| ("used_by", u.as_str()));
        owner.into_iter().chain(contact).chain(users)
    }

    /// The day the credential was last rotated, or created when it never was.
    pub fn last_rotation(&self) -> Option<Date> {
        self.credential.last_rotated.or(self.credential.created)
    }

    /// The day a retired identity stopped being usable: the day it was decommissioned, else the day its
    /// credential was revoked. `None` while it is active.
    pub fn retired_on(&self) -> Option<Date> {
        if self.is_active() {
            return None;
        }
        self.decommissioned_on.or(self.credential.revoked_on)
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Credential {
    pub kind: Option<CredentialKind>,
    #[serde(deserialize_with = "date")]
    pub created: Option<Date>,
    #[serde(deserialize_with = "date")]
    pub last_rotated: Option<Date>,
    pub rotation_days: Option<u32>,
    #[serde(deserialize_with = "date")]
    pub expires: Option<Date>,
    #[serde(deserialize_with = "date")]
    pub revoked_on: Option<Date>,
    pub stores: Vec<String>,
}

/// Who may obtain a federated credential: the OIDC issuer, the subjects it signs that may (exact, or
/// patterns with AWS `StringLike` semantics), and the audience.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct Federation {
    pub issuer: Option<String>,
    pub subjects: Vec<String>,
    pub audience: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Access {
    pub system: String,
    pub level: Option<Level>,
    pub scope: Option<String>,
    pub justification: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Review {
    #[serde(deserialize_with = "date")]
    pub last: Option<Date>,
    pub by: Option<String>,
    pub note: Option<String>,
    pub ticket: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Team {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub slack: Option<String>,
    pub lead: Option<String>,
    pub github: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Person {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Chat handle, for who to call in an incident.
    pub slack: Option<String>,
    pub team: Option<String>,
    pub active: Option<bool>,
    #[serde(deserialize_with = "date")]
    pub left_on: Option<Date>,
    pub github: Option<String>,
}

impl Person {
    /// A Person without `active` is active.
    pub fn is_active(&self) -> bool {
        self.active.unwrap_or(true)
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct System {
    pub id: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<SystemType>,
    pub criticality: Option<Criticality>,
    pub environment: Option<Environment>,
    pub owner: Option<String>,
    pub vendor: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Exception {
    pub id: String,
    pub rule: Option<String>,
    pub identities: Vec<String>,
    pub reason: Option<String>,
    pub requested_by: Option<String>,
    pub approved_by: Option<String>,
    #[serde(deserialize_with = "date")]
    pub approved_on: Option<Date>,
    #[serde(deserialize_with = "date")]
    pub expires: Option<Date>,
    pub ticket: Option<String>,
}

/// The whole registry after loading: every document that has a kind and an id, typed.
#[derive(Debug, Default)]
pub struct Registry {
    pub policy: Policy,
    pub policy_source: Option<Source>,
    pub identities: Vec<Doc<Identity>>,
    pub teams: Vec<Doc<Team>>,
    pub persons: Vec<Doc<Person>>,
    pub systems: Vec<Doc<System>>,
    pub exceptions: Vec<Doc<Exception>>,
    /// Every file read, relative to the registry root.
    pub files: Vec<Arc<str>>,
}

impl Registry {
    /// Where the owner `id` is declared: a Team or a Person (owners share one id space), if it has one.
    pub fn owner(&self, id: &str) -> Option<&Source> {
        let teams = self.teams.iter().map(|d| (&d.item.id, &d.source));
        let persons = self.persons.iter().map(|d| (&d.item.id, &d.source));
        teams.chain(persons).find(|(i, _)| *i == id).map(|(_, s)| s)
    }
}

/// Parses a `YYYY-MM-DD` string; anything else (already reported by the schema) becomes `None`.
fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    Ok(s.and_then(|s| crate::day::parse(&s)))
}

/// Named links (`links: {runbook: https://…}`), in the order written. A list of pairs, not a tree map: a
/// registry of a million identities with one link each would otherwise spend a map node on every one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links(pub Vec<(String, String)>);

impl Links {
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a Links {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for Links {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Links, D::Error> {
        let map = serde_json::Map::deserialize(d)?;
        let mut links = Vec::with_capacity(map.len());
        for (name, value) in map {
            if let serde_json::Value::String(url) = value {
                links.push((name, url));
            }
        }
        links.shrink_to_fit();
        Ok(Links(links))
    }
}
