//! `nhi import SOURCE FILE`: draft registry documents from an inventory export.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Exit;
use anyhow::{bail, Context as _, Result};
use jiff::civil::Date;

use crate::args::{self, AsOf};
use nhi::import::draft::Draft;
use nhi::import::{self, ids, match_key, Export, Options, Record, SourceKind};
use nhi::model::Environment;

/// The export, and how to read it (shared with `nhi drift`).
#[derive(Debug, clap::Args)]
#[command(mut_arg("as_of", |a| a.help("Judge dates (key expiry) as of this day (YYYY-MM-DD) instead of today (UTC)")))]
pub struct SourceOptions {
    /// GCP: a key listing (`gcloud iam service-accounts keys list --iam-account=EMAIL --format=json`); repeat
    /// for each account
    #[arg(long, value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// GitHub Actions and deploy keys: the repository as OWNER/REPO [Actions default: the origin remote, else
    /// the directory name]
    #[arg(long, value_name = "OWNER/REPO")]
    pub repo: Option<String>,
    /// GitHub personal access tokens (and App installations without `account`): the organisation
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Keep what the source skips by default: console users without keys (AWS), `default` and `kube-*`
    /// service accounts (Kubernetes)
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub as_of: AsOf,
}

impl SourceOptions {
    /// Reads the export with these options.
    pub fn read(&self, source: SourceKind, file: &Path, as_of: Date) -> Result<Export> {
        if let Some(repo) = &self.repo {
            let parts: Vec<&str> = repo.split('/').collect();
            if parts.len() != 2 || parts.iter().any(|p| p.is_empty() || p.contains(':')) {
                bail!("--repo must be OWNER/REPO, not `{repo}`");
            }
        }
        if let Some(org) = &self.org {
            if org.is_empty() || org.contains(['/', ':']) {
                bail!("--org must be an organisation name, not `{org}`");
            }
        }
        let options = Options {
            keys: self.keys.clone(),
            repo: self.repo.clone(),
            org: self.org.clone(),
            all: self.all,
            as_of: Some(as_of),
        };
        Ok(import::read(source, file, &options)?)
    }
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The export's format
    #[arg(value_enum)]
    pub source: SourceKind,
    /// The export file (for github-actions: the repository checkout)
    pub file: PathBuf,
    /// The owner every draft gets (a Team id) [default: the placeholder `todo-owner`, marked TODO]
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// The environment every draft gets: prod, staging, dev, test or shared [default: prod, marked TODO]
    #[arg(long, value_name = "ENV", value_parser = args::word::<Environment>())]
    pub environment: Option<Environment>,
    /// Write one file per identity to DIR/identities/SOURCE/ID.yaml instead of printing a YAML stream; when DIR
    /// is a registry, identities it already declares are skipped and its ids are not reused
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub options: SourceOptions,
}

/// A record to draft, and its id (drafts are rendered one at a time as they are written).
struct Prepared<'a> {
    id: String,
    record: &'a Record,
}

pub fn run(args: ImportArgs, out: &mut dyn Write) -> Result<Exit> {
    if let Some(owner) = &args.owner {
        if !nhi::id::is_id(owner) {
            bail!("--owner `{owner}` is not an id (lowercase letters, digits, `.`, `_`, `-`)");
        }
    }
    let as_of = args.options.as_of.day();
    let export = args.options.read(args.source, &args.file, as_of)?;
    let registry = match &args.output {
        Some(dir) if dir.join(nhi::load::POLICY_FILE).is_file() => {
            Some(nhi::load::load(dir)?.registry)
        }
        _ => None,
    };
    let declared: std::collections::HashSet<String> = registry
        .iter()
        .flat_map(|r| &r.identities)
        .filter_map(|d| d.item.external_id.as_deref())
        .map(|e| match_key(args.source, e))
        .collect();
    let mut unique = ids::Unique::with_taken(
        registry
            .iter()
            .flat_map(|r| &r.identities)
            .map(|d| d.item.id.clone()),
    );
    let draft = Draft {
        source: args.source,
        as_of,
        owner: args.owner.as_deref(),
        environment: args.environment,
    };
    let mut prepared = Vec::new();
    let mut skipped = Vec::new();
    let mut already = 0usize;
    for record in &export.records {
        if let Some(why) = &record.skipped {
            skipped.push(format!("{}: {why}", record.external_id));
        } else if declared.contains(&match_key(args.source, &record.external_id)) {
            already += 1;
        } else {
            let id = unique.claim(&record.base_id);
            prepared.push(Prepared { id, record });
        }
    }
    match &args.output {
        None => print_stream(out, &draft, &export, &prepared, &skipped)?,
        Some(dir) => write_files(out, dir, &draft, &export, &prepared, &skipped, already)?,
    }
    Ok(Exit::Pass)
}

fn print_stream(
    out: &mut dyn Write,
    draft: &Draft<'_>,
    export: &Export,
    prepared: &[Prepared<'_>],
    skipped: &[String],
) -> Result<()> {
    for note in &export.notes {
        writeln!(out, "# note: {}", import::draft::comment(note))?;
    }
    for skip in skipped {
        writeln!(out, "# skipped {}", import::draft::comment(skip))?;
    }
    if prepared.is_empty() {
        writeln!(out, "# no identities to import")?;
    }
    for p in prepared {
        write!(out, "---\n{}", draft.render(p.record, &p.id))?;
    }
    Ok(())
}

fn write_files(
    out: &mut dyn Write,
    dir: &Path,
    draft: &Draft<'_>,
    export: &Export,
    prepared: &[Prepared<'_>],
    skipped: &[String],
    already: usize,
) -> Result<()> {
    let folder = dir.join("identities").join(draft.source.name());
    let targets: Vec<PathBuf> = prepared
        .iter()
        .map(|p| folder.join(format!("{}.yaml", p.id)))
        .collect();
    let existing: Vec<String> = targets
        .iter()
        .filter(|t| t.symlink_metadata().is_ok())
        .map(|t| t.display().to_string())
        .collect();
    if !existing.is_empty() {
        let more = if existing.len() > 5 {
            format!(" and {} more", existing.len() - 5)
        } else {
            String::new()
        };
        bail!(
            "refusing to overwrite {}{more}: nothing was written",
            existing[..existing.len().min(5)].join(", ")
        );
    }
    if !prepared.is_empty() {
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    for (p, target) in prepared.iter().zip(&targets) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
            .with_context(|| {
                format!(
                    "cannot create {} (nothing after it was written)",
                    target.display()
                )
            })?;
        file.write_all(draft.render(p.record, &p.id).as_bytes())
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    for note in &export.notes {
        writeln!(out, "note: {note}")?;
    }
    for skip in skipped {
        writeln!(out, "skipped {skip}")?;
    }
    writeln!(
        out,
        "wrote {} draft(s) to {}{}; {} skipped; {already} already in the registry",
        prepared.len(),
        folder.display(),
        std::path::MAIN_SEPARATOR,
        skipped.len()
    )?;
    Ok(())
}
