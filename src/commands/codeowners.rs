//! `nhi codeowners [REGISTRY]`: print, check or write the CODEOWNERS block that makes each identity's owners
//! approve changes to it.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::args::Registry;

use super::Exit;
use anyhow::{bail, Context as _, Result};

use nhi::codeowners::{self, LOCATIONS};

#[derive(Debug, clap::Args)]
pub struct CodeownersArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// Verify that the CODEOWNERS file holds the current block (exit 1 with the differences when not)
    #[arg(long, conflicts_with = "write")]
    pub check: bool,
    /// Replace the block in the CODEOWNERS file (or append it), keeping every other line
    #[arg(long)]
    pub write: bool,
    /// The CODEOWNERS file for --check and --write [default: .github/CODEOWNERS, CODEOWNERS or
    /// docs/CODEOWNERS at the top of the repository, the first that exists]
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

pub fn run(args: CodeownersArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = nhi::load::load(&args.registry.root)?;
    let generated =
        codeowners::generate(&loaded.registry, &nhi::git::prefix_of(&args.registry.root));
    if !args.check && !args.write {
        out.write_all(generated.as_bytes())?;
        return Ok(Exit::Pass);
    }
    let path = match args.file {
        Some(path) => path,
        None => default_file(&args.registry.root)?,
    };
    if args.check && !path.is_file() {
        writeln!(out, "{} does not exist; it should hold:", path.display())?;
        out.write_all(generated.as_bytes())?;
        return Ok(Exit::Fail);
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if args.write {
        let updated = codeowners::replace(&text, &generated);
        if updated != text {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&path, &updated)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        writeln!(
            out,
            "{}: {}",
            path.display(),
            if updated == text {
                "already current"
            } else {
                "updated"
            }
        )?;
        return Ok(Exit::Pass);
    }
    let differences = codeowners::differences(codeowners::block(&text), generated.trim_end());
    if differences.is_empty() {
        writeln!(out, "{} is current", path.display())?;
        return Ok(Exit::Pass);
    }
    writeln!(out, "{} is out of date with the registry:", path.display())?;
    for line in differences {
        writeln!(out, "{line}")?;
    }
    let registry = args.registry.root.display();
    writeln!(
        out,
        "Update it with `nhi codeowners {registry} --write --file {}`.",
        path.display()
    )?;
    Ok(Exit::Fail)
}

/// The CODEOWNERS file GitHub would read for the repository holding `registry`, or where the first of its
/// locations would be when there is none yet.
fn default_file(registry: &Path) -> Result<PathBuf> {
    let root = registry
        .canonicalize()
        .with_context(|| format!("cannot read {}", registry.display()))?;
    let Some(top) = nhi::git::top_of(&root) else {
        bail!(
            "{} is not in a git repository: name the CODEOWNERS file with --file",
            registry.display()
        );
    };
    if let Some(found) = LOCATIONS.iter().map(|l| top.join(l)).find(|p| p.is_file()) {
        return Ok(found);
    }
    Ok(top.join(LOCATIONS[0]))
}
