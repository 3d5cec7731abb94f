//! `nhi init [DIR]`: a new registry that passes `nhi check` and builds a site, with everything a team needs
//! in its first hour (policy, starter documents, schemas for editors, CODEOWNERS, the CI workflow). It never
//! replaces a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use super::Exit;
use nhi::codeowners;
use nhi::starter;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The directory of the new registry (created when missing)
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The organization's name, shown on the site [default: the directory's name]
    #[arg(long, value_name = "NAME")]
    pub organization: Option<String>,
}

pub fn run(args: InitArgs, out: &mut dyn Write) -> Result<Exit> {
    let dir = &args.dir;
    let files = starter::registry_files(&organization(&args)?);
    let taken: Vec<String> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !taken.is_empty() {
        let more = match taken.len() {
            1..=3 => String::new(),
            n => format!(" and {} more", n - 3),
        };
        bail!(
            "{}{more} already exist(s); nhi init never overwrites a file (nothing was written)",
            taken[..taken.len().min(3)].join(", ")
        );
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    writeln!(
        out,
        "wrote {} (policy), owners/, systems/, identities/, exceptions/ and schema/ in {}",
        nhi::load::POLICY_FILE,
        dir.display()
    )?;
    let (top, prefix) = repository(dir)?;
    github_files(out, dir, &top, &prefix)?;
    write_if_absent(out, &dir.join(".gitignore"), "/site/\n")?;
    let shown = dir.display();
    writeln!(out, "next:")?;
    writeln!(
        out,
        "  nhi new person --id YOU --name \"Your Name\" --team {} {shown}",
        starter::STARTER_TEAM
    )?;
    writeln!(
        out,
        "  nhi new identity --id ci-deploy-token --type token --owner {} --system {} {shown}",
        starter::STARTER_TEAM,
        starter::STARTER_SYSTEM
    )?;
    writeln!(out, "  nhi check {shown} && nhi build {shown} -o site")?;
    Ok(Exit::Pass)
}

/// The name given, else the directory's.
fn organization(args: &InitArgs) -> Result<String> {
    if let Some(name) = &args.organization {
        return Ok(name.clone());
    }
    let absolute = std::path::absolute(&args.dir)
        .with_context(|| format!("cannot resolve {}", args.dir.display()))?;
    let name = absolute
        .components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "/" && n != "." && n != "..");
    Ok(name.unwrap_or_else(|| "Example Corp".into()))
}

/// The top of the git work tree holding `dir` and the registry's place in it (`/`-terminated), or `dir`
/// itself when it is in none yet (it will be the repository).
fn repository(dir: &Path) -> Result<(PathBuf, String)> {
    let root = dir
        .canonicalize()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    match nhi::git::top_of(&root) {
        Some(top) => Ok((top, nhi::git::prefix_of(&root))),
        None => Ok((root, String::new())),
    }
}

/// CODEOWNERS (the block `nhi codeowners` generates) and the workflow, at the top of the repository; an
/// existing file is left alone with a word on what to do.
fn github_files(out: &mut dyn Write, dir: &Path, top: &Path, prefix: &str) -> Result<()> {
    let registry = nhi::load::load(dir)?.registry;
    let block = codeowners::generate(&registry, prefix);
    match codeowners::LOCATIONS
        .iter()
        .map(|l| top.join(l))
        .find(|p| p.is_file())
    {
        Some(existing) => writeln!(
            out,
            "left {} alone: add the registry's block with `nhi codeowners {} --write`",
            existing.display(),
            dir.display()
        )?,
        None => write_if_absent(out, &top.join(codeowners::LOCATIONS[0]), &block)?,
    }
    write_if_absent(
        out,
        &top.join(starter::WORKFLOW_FILE),
        &starter::workflow(prefix),
    )
}

/// Writes `text` to `path` unless a file is there (then says it was left alone).
fn write_if_absent(out: &mut dyn Write, path: &Path, text: &str) -> Result<()> {
    if path.exists() {
        writeln!(out, "left {} alone (it exists)", path.display())?;
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(out, "wrote {}", path.display())?;
    Ok(())
}
