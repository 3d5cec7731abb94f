//! `nhi new identity …`: write a valid skeleton file for the pull request that proposes an identity; the
//! other kinds are in `new_kinds`.

use std::io::Write;
use std::path::Path;

use super::Exit;
use anyhow::{bail, Context as _, Result};

use crate::args::{self, AsOf, Registry};
use nhi::model::{Environment, IdentityType, Kind, Level};
use nhi::scaffold::{self, NewIdentity};

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum NewCommand {
    /// Write identities/<ID>.yaml: a skeleton with the fields its type needs, valid against the schema
    Identity(NewIdentityArgs),
    /// Write owners/<ID>.yaml: a Team, valid against the schema
    Team(super::new_kinds::NewTeamArgs),
    /// Write owners/<ID>.yaml: a Person (active), valid against the schema
    Person(super::new_kinds::NewPersonArgs),
    /// Write systems/<ID>.yaml: a System, valid against the schema
    System(super::new_kinds::NewSystemArgs),
    /// Write exceptions/<ID>.yaml: an exception request, unapproved (`nhi approve` approves it)
    Exception(super::record::NewExceptionArgs),
}

#[derive(Debug, clap::Args)]
#[command(mut_arg("as_of", |a| a.help("Date the skeleton as of this day (YYYY-MM-DD) instead of today (UTC)")))]
pub struct NewIdentityArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// The new identity's id (lowercase letters, digits, `.`, `_`, `-`)
    #[arg(long)]
    pub id: String,
    /// What sort of identity it is
    #[arg(long = "type", value_name = "TYPE", value_parser = args::word::<IdentityType>())]
    pub kind: IdentityType,
    /// The owning Team (or Person) id
    #[arg(long)]
    pub owner: String,
    /// The System it is issued by and has access to
    #[arg(long)]
    pub system: Option<String>,
    /// Its access level on --system
    #[arg(long, value_parser = args::word::<Level>(), default_value = "read")]
    pub level: Level,
    /// Its environment
    #[arg(long, value_parser = args::word::<Environment>(), default_value = "prod")]
    pub environment: Environment,
    /// The one business function it serves
    #[arg(long)]
    pub purpose: Option<String>,
    /// A secret_store System that keeps its secret (repeatable) [default: the registry's secret store for the
    /// environment]
    #[arg(long = "store", value_name = "SYSTEM")]
    pub stores: Vec<String>,
    /// The Person who reviewed its access (records today's review)
    #[arg(long, value_name = "PERSON")]
    pub reviewer: Option<String>,
    #[command(flatten)]
    pub as_of: AsOf,
}

pub fn run(args: NewArgs, out: &mut dyn Write) -> Result<Exit> {
    match args.what {
        NewCommand::Identity(args) => identity(args, out),
        NewCommand::Team(args) => super::new_kinds::team(args, out),
        NewCommand::Person(args) => super::new_kinds::person(args, out),
        NewCommand::System(args) => super::new_kinds::system(args, out),
        NewCommand::Exception(args) => super::record::new_exception(args, out),
    }
}

fn identity(args: NewIdentityArgs, out: &mut dyn Write) -> Result<Exit> {
    let ids = [
        Some(&args.id),
        Some(&args.owner),
        args.system.as_ref(),
        args.reviewer.as_ref(),
    ];
    super::new_kinds::check_ids(ids.into_iter().chain(args.stores.iter().map(Some)))?;
    let loaded = nhi::load::load(&args.registry.root)?;
    let registry = &loaded.registry;
    if let Some(doc) = registry.identities.iter().find(|d| d.item.id == args.id) {
        bail!(
            "an identity `{}` already exists in {}",
            args.id,
            doc.source.file
        );
    }
    let dir = args.registry.root.join("identities");
    let path = dir.join(format!("{}.yaml", args.id));
    let stores = match (&args.stores, args.kind) {
        (_, IdentityType::Workload) => Vec::new(),
        (given, _) if !given.is_empty() => given.clone(),
        _ => scaffold::default_stores(registry, args.environment),
    };
    let spec = NewIdentity {
        id: args.id.clone(),
        kind: args.kind,
        owner: args.owner.clone(),
        system: args.system.clone(),
        level: args.level,
        environment: args.environment,
        purpose: args.purpose.clone(),
        stores,
        reviewer: args.reviewer.clone(),
        today: args.as_of.day(),
        schema: scaffold::schema_reference(&args.registry.root, Kind::Identity),
    };
    let text = scaffold::identity_yaml(&spec, registry.policy.rotation_period(Some(args.kind)));
    ensure_valid(&format!("identities/{}.yaml", args.id), &text)?;
    write_new(&path, &text)?;
    writeln!(out, "wrote {}", path.display())?;
    if registry.owner(&args.owner).is_none() {
        writeln!(
            out,
            "note: owner `{}` is not in the registry yet; add it in the same change",
            args.owner
        )?;
    }
    let systems: Vec<&String> = args.system.iter().chain(&spec.stores).collect();
    for system in systems
        .into_iter()
        .filter(|s| !registry.systems.iter().any(|d| &d.item.id == *s))
    {
        writeln!(
            out,
            "note: system `{system}` is not in the registry yet; add it in the same change"
        )?;
    }
    next_steps(out, &text, &args.registry.root)?;
    Ok(Exit::Pass)
}

/// What to do after writing `text`: fill in its TODOs (only when it has some), then check.
pub(super) fn next_steps(out: &mut dyn Write, text: &str, registry: &Path) -> Result<()> {
    let check = format!("`nhi check {}`", registry.display());
    if text.contains("TODO") {
        writeln!(out, "next: fill in the TODOs, then run {check}")?;
    } else {
        writeln!(out, "next: run {check}")?;
    }
    Ok(())
}

/// Writes a new file (and its folder), never replacing one that exists; then says so.
pub(super) fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!(
                    "{} already exists; nhi new never overwrites a file",
                    path.display()
                )
            } else {
                anyhow::anyhow!("cannot write {}: {e}", path.display())
            }
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Refuses a generated document that would not pass the schema (a bad e-mail, handle or URL given as a
/// flag): nothing is written.
pub(super) fn ensure_valid(rel: &str, text: &str) -> Result<()> {
    let problems = scaffold::problems(rel, text);
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "the document would not pass the schema, so nothing was written:\n  {}",
        problems.join("\n  ")
    )
}
