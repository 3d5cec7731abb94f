//! What each subcommand does with the library; only this module and `report/` write output.

pub mod blast;
pub mod build;
pub mod codeowners;
pub mod diff;
pub mod drift;
pub mod due;
pub mod graph;
pub mod import;
pub mod init;
pub mod leak;
pub mod new;
pub mod new_kinds;
pub mod offboard;
pub mod record;
pub mod sync;
pub mod trace;
pub mod trend;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};

use crate::args::{AsOf, ListFormat, Output, Registry, Revision};
use nhi::catalogue;
use nhi::load::schema;
use nhi::model::Kind;
use nhi::report;

/// How the process ends, as the README lists it. Commands return `Pass` or `Fail`; a command that cannot
/// run returns an error, which `main` turns into `Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: the gate passes, or there is no gate.
    Pass,
    /// 1: an unwaived error (or warning with `--deny warnings`) remains, or a check found a difference.
    Fail,
    /// 2: the registry cannot be read, or the command line is wrong.
    Error,
}

impl Exit {
    /// `Fail` when `fails`.
    pub fn gate(fails: bool) -> Exit {
        if fails {
            Exit::Fail
        } else {
            Exit::Pass
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Pass => ExitCode::SUCCESS,
            Exit::Fail => ExitCode::from(1),
            Exit::Error => ExitCode::from(2),
        }
    }
}

#[derive(Debug, clap::Args)]
// `--as-of` is listed right after `--format`, where `nhi check --help` has always shown it.
#[command(mut_arg("as_of", |a| a.display_order(1)))]
pub struct CheckArgs {
    #[command(flatten)]
    pub registry: Registry,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Annotate findings in files changed since this git revision first (e.g. the pull request's base)
    #[arg(long, value_name = "REV", conflicts_with_all = ["rev", "at"])]
    pub changed_from: Option<String>,
    #[command(flatten)]
    pub revision: Revision,
}

pub fn check(args: CheckArgs, out: &mut dyn Write, color_ok: bool) -> Result<Exit> {
    let root = &args.registry.root;
    let mut checked = match args.revision.pick(root, &args.as_of)? {
        Some((mut reader, commit, day)) => reader.check_at(&commit, day)?,
        None => nhi::check(root, args.as_of.day())?,
    };
    let mut changed = None;
    if let Some(rev) = &args.changed_from {
        let repo = nhi::git::Repo::discover(root)?;
        let files = repo.changed_since(rev)?;
        checked.add_unread(root, &repo.prefix, &files);
        changed = Some((repo, files));
    }
    let mut cx = report::Context {
        outcome: (&checked).into(),
        root,
        repo_prefix: nhi::git::prefix_of(root),
        color: args.output.color(color_ok),
        changed: None,
    };
    if let Some((repo, files)) = changed {
        cx.changed = Some(files);
        cx.repo_prefix = repo.prefix;
    }
    let format = args.output.format();
    nhi::timings::phase("output", || report::emitter(format).emit(&cx, out))?;
    let code = Exit::gate(checked.fails(args.output.deny_warnings()));
    // The process exits next: freeing a large registry document by document would only cost time.
    std::mem::forget(checked);
    Ok(code)
}

/// The error of a command given an id its registry lacks: ``no {what} `ID` in ROOT``, with a hint when a
/// known id is close.
pub fn not_found<'a>(
    what: &str,
    id: &str,
    root: &std::path::Path,
    ids: impl IntoIterator<Item = &'a str>,
) -> anyhow::Error {
    let hint = nhi::hint::did_you_mean(id, ids);
    anyhow::anyhow!(
        "no {what} `{}` in {}{hint}",
        nhi::report::text::terminal(id),
        root.display()
    )
}

pub fn rules(format: ListFormat, out: &mut dyn Write) -> Result<Exit> {
    report::rules::list(format == ListFormat::Json, out)?;
    Ok(Exit::Pass)
}

pub fn explain(id: &str, out: &mut dyn Write) -> Result<Exit> {
    let Some(r) = catalogue::get(id) else {
        let hint = nhi::hint::did_you_mean(id, catalogue::RULES.iter().map(|r| r.id.as_str()));
        bail!("no rule `{id}`{hint} (`nhi rules` lists them)");
    };
    report::rules::explain(r, out)?;
    Ok(Exit::Pass)
}

pub fn schema(
    kind: Option<&str>,
    write: Option<std::path::PathBuf>,
    out: &mut dyn Write,
) -> Result<Exit> {
    let kind = match kind {
        None => None,
        Some(name) => Some(
            Kind::ALL
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no kind `{name}`: one of Identity, Team, Person, System, Exception, Policy"
                    )
                })?,
        ),
    };
    if let Some(dir) = write {
        for (file, text) in nhi::starter::schema_files()
            .into_iter()
            .filter(|(file, _)| kind.is_none_or(|k| *file == nhi::starter::schema_file(k)))
        {
            let path = dir.join(file);
            let current = std::fs::read_to_string(&path).is_ok_and(|t| t == text);
            if !current {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let what = if current { "current" } else { "wrote" };
            writeln!(out, "{what} {}", path.display())?;
        }
        return Ok(Exit::Pass);
    }
    let Some(kind) = kind else {
        for (kind, _) in schema::SCHEMAS {
            writeln!(
                out,
                "{:<10} schema/{}",
                kind.name(),
                nhi::starter::schema_file(kind)
            )?;
        }
        return Ok(Exit::Pass);
    };
    out.write_all(schema::text(kind).as_bytes())?;
    Ok(Exit::Pass)
}
