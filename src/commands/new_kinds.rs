//! `nhi new team|person|system`: write a schema-valid document of each owner and system kind, from flags
//! named after its fields, for the pull request that adds it.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Result};

use super::new::{ensure_valid, next_steps, write_new};
use super::Exit;
use crate::args::{self, Registry};
use nhi::model::{Criticality, Environment, Kind, Person, System, SystemType, Team};
use nhi::scaffold;

#[derive(Debug, clap::Args)]
pub struct NewTeamArgs {
    /// The team's id (lowercase letters, digits, `.`, `_`, `-`), e.g. team-payments
    #[arg(long)]
    pub id: String,
    /// Its display name
    #[arg(long)]
    pub name: Option<String>,
    /// Its e-mail address
    #[arg(long)]
    pub email: Option<String>,
    /// Its chat channel, e.g. "#payments"
    #[arg(long)]
    pub slack: Option<String>,
    /// The Person id of its lead
    #[arg(long, value_name = "PERSON")]
    pub lead: Option<String>,
    /// Its GitHub team, e.g. @example-org/payments (CODEOWNERS asks it to approve its identities' changes)
    #[arg(long, value_name = "@ORG/TEAM")]
    pub github: Option<String>,
    /// What the team does
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub registry: Registry,
}

#[derive(Debug, clap::Args)]
pub struct NewPersonArgs {
    /// The person's id (lowercase letters, digits, `.`, `_`, `-`), e.g. alice
    #[arg(long)]
    pub id: String,
    /// Their full name
    #[arg(long)]
    pub name: Option<String>,
    /// Their e-mail address
    #[arg(long)]
    pub email: Option<String>,
    /// The Team id they belong to
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    /// Their GitHub user name
    #[arg(long, value_name = "USER")]
    pub github: Option<String>,
    #[command(flatten)]
    pub registry: Registry,
}

#[derive(Debug, clap::Args)]
pub struct NewSystemArgs {
    /// The system's id (lowercase letters, digits, `.`, `_`, `-`), e.g. vault-prod
    #[arg(long)]
    pub id: String,
    /// Its display name
    #[arg(long)]
    pub name: Option<String>,
    /// What sort of system it is (secret_store: one that may keep static credentials)
    #[arg(long = "type", value_name = "TYPE", value_parser = args::word::<SystemType>())]
    pub kind: SystemType,
    /// How much harm its compromise does (sets the review period of identities that reach it)
    #[arg(long, value_parser = args::word::<Criticality>())]
    pub criticality: Option<Criticality>,
    /// Its environment
    #[arg(long, value_parser = args::word::<Environment>())]
    pub environment: Option<Environment>,
    /// The Team id that runs it
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// The third party that runs it, if any
    #[arg(long)]
    pub vendor: Option<String>,
    /// What it is
    #[arg(long)]
    pub description: Option<String>,
    /// Where it lives
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub registry: Registry,
}

/// Every given id must be well formed before anything is read or written.
pub(super) fn check_ids<'a>(ids: impl IntoIterator<Item = Option<&'a String>>) -> Result<()> {
    for id in ids.into_iter().flatten() {
        if !nhi::id::is_id(id) {
            bail!("`{id}` is not a valid id: {}", nhi::id::RULE);
        }
    }
    Ok(())
}

/// Writes the `kind` document `id` to `<group>/<id>.yaml` after checking it (`yaml` makes its text, given the
/// schema reference for editors), notes the id it names that the registry does not have yet (`missing`: what
/// it is, and the id), and says what to do next.
fn write(
    out: &mut dyn Write,
    root: &Path,
    kind: Kind,
    id: &str,
    yaml: impl FnOnce(Option<&str>) -> String,
    missing: Option<(&str, &String)>,
) -> Result<Exit> {
    let text = yaml(scaffold::schema_reference(root, kind).as_deref());
    let rel = format!("{}/{id}.yaml", kind.group());
    ensure_valid(&rel, &text)?;
    let path = root.join(&rel);
    write_new(&path, &text)?;
    writeln!(out, "wrote {}", path.display())?;
    if let Some((what, id)) = missing {
        writeln!(
            out,
            "note: {what} `{id}` is not in the registry yet; add it in the same change"
        )?;
    }
    next_steps(out, &text, root)?;
    Ok(Exit::Pass)
}

/// `id` with what it names (`what`), when the registry does not have it (`known` says whether it does).
fn unknown<'a>(
    what: &'a str,
    id: Option<&'a String>,
    known: impl Fn(&str) -> bool,
) -> Option<(&'a str, &'a String)> {
    id.filter(|id| !known(id)).map(|id| (what, id))
}

/// The registry at `root`, when it has no owner `id` yet (owners share one id space).
fn without_owner(root: &Path, id: &str) -> Result<nhi::model::Registry> {
    let registry = nhi::load::load(root)?.registry;
    if let Some(source) = registry.owner(id) {
        bail!("an owner `{id}` already exists in {}", source.file);
    }
    Ok(registry)
}

pub fn team(args: NewTeamArgs, out: &mut dyn Write) -> Result<Exit> {
    check_ids([Some(&args.id), args.lead.as_ref()])?;
    let root = &args.registry.root;
    let registry = without_owner(root, &args.id)?;
    let team = Team {
        id: args.id.clone(),
        name: args.name,
        email: args.email,
        slack: args.slack,
        lead: args.lead.clone(),
        github: args.github,
        description: args.description,
    };
    let missing = unknown("person", args.lead.as_ref(), |p| {
        registry.persons.iter().any(|d| d.item.id == p)
    });
    let yaml = |schema: Option<&str>| scaffold::team_yaml(&team, schema);
    write(out, root, Kind::Team, &args.id, yaml, missing)
}

pub fn person(args: NewPersonArgs, out: &mut dyn Write) -> Result<Exit> {
    check_ids([Some(&args.id), args.team.as_ref()])?;
    let root = &args.registry.root;
    let registry = without_owner(root, &args.id)?;
    let person = Person {
        id: args.id.clone(),
        name: args.name,
        email: args.email,
        team: args.team.clone(),
        github: args.github,
        ..Person::default()
    };
    let missing = unknown("team", args.team.as_ref(), |t| {
        registry.teams.iter().any(|d| d.item.id == t)
    });
    let yaml = |schema: Option<&str>| scaffold::person_yaml(&person, schema);
    write(out, root, Kind::Person, &args.id, yaml, missing)
}

pub fn system(args: NewSystemArgs, out: &mut dyn Write) -> Result<Exit> {
    check_ids([Some(&args.id), args.owner.as_ref()])?;
    let root = &args.registry.root;
    let registry = nhi::load::load(root)?.registry;
    if let Some(doc) = registry.systems.iter().find(|d| d.item.id == args.id) {
        bail!(
            "a system `{}` already exists in {}",
            args.id,
            doc.source.file
        );
    }
    let system = System {
        id: args.id.clone(),
        name: args.name,
        kind: Some(args.kind),
        criticality: args.criticality,
        environment: args.environment,
        owner: args.owner.clone(),
        vendor: args.vendor,
        description: args.description,
        url: args.url,
        tags: Vec::new(),
    };
    let missing = unknown("owner", args.owner.as_ref(), |o| {
        registry.owner(o).is_some()
    });
    let yaml = |schema: Option<&str>| scaffold::system_yaml(&system, schema);
    write(out, root, Kind::System, &args.id, yaml, missing)
}
