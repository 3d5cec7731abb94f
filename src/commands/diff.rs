//! `nhi diff --base REV [REGISTRY]`: what a pull request does to the registry, as Markdown or JSON.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use jiff::civil::Date;

use nhi::diff::{self, markdown, Base};
use nhi::git::Repo;
use nhi::load::LoadError;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The registry root in the working tree (the directory holding nhi.yaml)
    #[arg(default_value = ".")]
    pub registry: PathBuf,
    /// The git revision to compare with: a branch, tag or commit (e.g. origin/main, the PR's base SHA)
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
    /// Evaluate date rules on both sides as of this day (YYYY-MM-DD) instead of today (UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub as_of: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For a pull-request comment or `$GITHUB_STEP_SUMMARY`
    Markdown,
    /// Everything, for tools
    Json,
}

pub fn run(args: DiffArgs, out: &mut dyn Write) -> Result<u8> {
    let as_of = args.as_of.unwrap_or_else(nhi::day::today_utc);
    let head = nhi::check(&args.registry, as_of)?;
    let repo = Repo::discover(&args.registry)?;
    let commit = repo.resolve(&args.base)?;
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
    match args.format {
        DiffFormat::Markdown => out.write_all(markdown::render(&diff, &repo.prefix).as_bytes())?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &diff)?;
            writeln!(out)?;
        }
    }
    Ok(0)
}
