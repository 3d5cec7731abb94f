//! `nhi diff --base REV [REGISTRY]`: what a pull request does to the registry, as Markdown or JSON.

use std::io::Write;

use super::Exit;
use anyhow::Result;

use crate::args::{AsOf, Registry};
use nhi::diff::{self, Base};
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
    let sides = diff::sides::check(&args.registry.root, &args.base, as_of)?;
    let mut head = sides.head;
    // A changed YAML file the registry does not read is a finding the change introduces.
    head.add_unread(&args.registry.root, &sides.repo.prefix, &sides.changed);
    let diff = nhi::timings::phase("compare", || {
        diff::compare(
            Base {
                rev: &args.base,
                commit: Some(sides.commit),
                checked: sides.base.as_ref(),
            },
            &head,
        )
    });
    write(&diff, &sides.repo.prefix, args.format, out)?;
    Ok(Exit::Pass)
}
