//! `nhi drift SOURCE FILE [REGISTRY]`: what an inventory export and the registry disagree on.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use jiff::civil::Date;

use super::import::SourceOptions;
use super::Exit;
use crate::args::{Output, Registry};
use nhi::drift::{self, Drifted, Origin};
use nhi::finding::Finding;
use nhi::import::SourceKind;
use nhi::report;
use nhi::report::check::{Context, Format, Outcome};
use nhi::report::drift::Header;

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// The export's format
    #[arg(value_enum)]
    pub source: SourceKind,
    /// The export file (for github-actions: the repository checkout)
    pub file: PathBuf,
    #[command(flatten)]
    pub against: Against,
    #[command(flatten)]
    pub options: SourceOptions,
}

/// The registry an export (`nhi drift`) or a log (`nhi trace`) is compared with, and how the findings are
/// written.
#[derive(Debug, clap::Args)]
pub struct Against {
    #[command(flatten)]
    pub registry: Registry,
    #[command(flatten)]
    pub output: Output,
}

impl Against {
    /// Places `drifted` in the registry's files and sorts them, writes them through `write` (given the
    /// format, and the emitters' context: the findings with paths as the user can open them), and gives
    /// the gate's exit.
    pub(super) fn report(
        &self,
        drifted: &mut [Drifted],
        as_of: Date,
        identities: usize,
        color_ok: bool,
        write: impl FnOnce(&[Drifted], Format, &Context<'_>) -> io::Result<()>,
    ) -> Result<Exit> {
        let root = &self.registry.root;
        place(root, drifted);
        let deny_warnings = self.output.deny_warnings();
        let fails = drifted.iter().any(|d| d.finding.fails(deny_warnings));
        let shown = for_display(root, drifted);
        let cx = context(&shown, as_of, identities, self.output.color(color_ok));
        write(drifted, self.output.format(), &cx)?;
        Ok(Exit::gate(fails))
    }
}

pub fn run(args: DriftArgs, out: &mut dyn Write, color_ok: bool) -> Result<Exit> {
    let as_of = args.options.as_of.day();
    let loaded = nhi::load::load(&args.against.registry.root)?;
    let export = args.options.read(args.source, &args.file, as_of)?;
    let mut drifted = drift::compare(&loaded.registry, &export, as_of);
    let skipped = export
        .records
        .iter()
        .filter(|r| r.skipped.is_some())
        .count();
    let header = Header {
        as_of,
        source: args.source.name(),
        export: &export.file,
        identities: loaded.registry.identities.len(),
        exported: export.records.len(),
        skipped,
        notes: &export.notes,
    };
    let write = |drifted: &[Drifted], format, cx: &Context<'_>| {
        report::drift::write(&header, drifted, format, cx, out)
    };
    args.against
        .report(&mut drifted, as_of, header.identities, color_ok, write)
}

/// Places registry findings on their key or value, and sorts them for output.
fn place(root: &Path, drifted: &mut [Drifted]) {
    let mut placed: Vec<_> = drifted.iter().map(|d| d.finding.clone()).collect();
    nhi::load::resolve_positions(&mut placed, &|file| {
        std::fs::read_to_string(root.join(file)).ok()
    });
    for (d, f) in drifted.iter_mut().zip(placed) {
        d.finding.pos = f.pos;
    }
    drifted.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
}

/// The findings with their files as paths from the current directory: the registry's joined to its root,
/// the export's (or log's) as given.
fn for_display(registry: &Path, drifted: &[Drifted]) -> Vec<Finding> {
    let shown = |d: &Drifted| {
        let mut f = d.finding.clone();
        if d.origin == Origin::Registry && registry != Path::new(".") {
            let joined = registry.join(&*f.file);
            let shown = joined.to_string_lossy().replace('\\', "/");
            f.file = Arc::from(shown.strip_prefix("./").unwrap_or(&shown));
        }
        f
    };
    drifted.iter().map(shown).collect()
}

/// The context the emitters write `shown` in: paths as the user can open them from here (GitHub resolves
/// them from the work tree's top).
fn context(shown: &[Finding], as_of: Date, identities: usize, color: bool) -> Context<'_> {
    Context {
        outcome: Outcome {
            findings: shown,
            as_of,
            identities,
        },
        root: Path::new(""),
        repo_prefix: nhi::git::prefix_of(Path::new(".")),
        color,
        changed: None,
    }
}
