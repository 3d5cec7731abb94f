//! `nhi diff --base REV [REGISTRY]`: what a pull request does to the registry, as Markdown or JSON.

use std::io::Write;

use super::Exit;
use anyhow::{Context as _, Result};

use crate::args::{AsOf, Registry};
use nhi::diff::{self, Base};
use nhi::git::Repo;
use nhi::load::LoadError;
use nhi::report::diff::{write, DiffFormat};

#[derive(Debug, clap::Args)]
#[command(
    mut_arg("registry", |a| a.help("The registry root in the working tree (the directory holding nhi.yaml)")),
    mut_arg("as_of", |a| a.help("Evaluate date rules on both sides as of this day (YYYY-MM-DD) instead of today (UTC)"))
)]
pub struct DiffArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// The git revision to compare with: a branch, tag or commit (e.g. origin/main, the PR's base SHA)
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
    #[command(flatten)]
    pub as_of: AsOf,
}

pub fn run(args: DiffArgs, out: &mut dyn Write) -> Result<Exit> {
    let as_of = args.as_of.day();
    let mut head = nhi::check(&args.registry.root, as_of)?;
    let repo = Repo::discover(&args.registry.root)?;
    let commit = repo.resolve(&args.base)?;
    // A changed YAML file the registry does not read is a finding the change introduces.
    head.add_unread(
        &args.registry.root,
        &repo.prefix,
        &repo.changed_since(&commit)?,
    );
    let files = repo
        .registry_files_at(&commit)
        .with_context(|| format!("cannot read the registry at `{}`", args.base))?;
    let name = format!("{}:{}", args.base, repo.prefix);
    let base_checked = match nhi::check_files(&name, files, as_of) {
        Ok(checked) => Some(checked),
        // A registry that the change creates: everything in it is new.
        Err(LoadError::NoPolicy(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let diff = diff::compare(
        Base {
            rev: &args.base,
            commit: Some(commit),
            checked: base_checked.as_ref(),
        },
        &head,
    );
    write(&diff, &repo.prefix, args.format, out)?;
    Ok(Exit::Pass)
}
