//! `nhi drift SOURCE FILE [REGISTRY]`: what an inventory export and the registry disagree on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;

use super::import::SourceOptions;
use crate::cli::{Color, Deny};
use nhi::drift::report::{DriftReport, Header};
use nhi::drift::{self, Drifted, Origin};
use nhi::import::SourceKind;
use nhi::report::{self, Format};

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// The export's format
    #[arg(value_enum)]
    pub source: SourceKind,
    /// The export file (for github-actions: the repository checkout)
    pub file: PathBuf,
    /// The registry root (the directory holding nhi.yaml)
    #[arg(default_value = ".")]
    pub registry: PathBuf,
    /// Output format [default: github when GITHUB_ACTIONS=true, else human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Make warnings fail the gate too
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Colour the human output: auto (on a terminal), always or never
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    #[command(flatten)]
    pub options: SourceOptions,
}

pub fn run(args: DriftArgs, out: &mut dyn Write, color_ok: bool) -> Result<u8> {
    let as_of = args.options.as_of.unwrap_or_else(nhi::day::today_utc);
    let loaded = nhi::load::load(&args.registry)?;
    let export = args.options.read(args.source, &args.file, as_of)?;
    let mut drifted = drift::compare(&loaded.registry, &export, as_of);
    let mut placed: Vec<_> = drifted.iter().map(|d| d.finding.clone()).collect();
    nhi::load::resolve_positions(&mut placed, &|file| {
        std::fs::read_to_string(args.registry.join(file)).ok()
    });
    for (d, f) in drifted.iter_mut().zip(placed) {
        d.finding.pos = f.pos;
    }
    drifted.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let fails = drifted.iter().any(|d| d.finding.fails(deny_warnings));
    let format = args.format.unwrap_or_else(|| {
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    });
    if format == Format::Json {
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
        serde_json::to_writer_pretty(&mut *out, &DriftReport::new(&header, &drifted))?;
        writeln!(out)?;
        return Ok(u8::from(fails));
    }
    if format == Format::Human {
        for note in &export.notes {
            writeln!(out, "note: {}", note.replace(|c: char| c.is_control(), " "))?;
        }
    }
    let findings = drifted
        .iter()
        .map(|d| for_display(&args.registry, d))
        .collect();
    let checked = nhi::Checked {
        as_of,
        registry: loaded.registry,
        findings,
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => color_ok,
    };
    // Paths are shown as the user can open them from here: the registry's joined to its root, the export's
    // as given; GitHub resolves them from the work tree's top.
    let cx = report::Context {
        checked: &checked,
        root: Path::new(""),
        repo_prefix: report::repo_prefix(Path::new(".")),
        color,
        changed: None,
    };
    report::emitter(format).emit(&cx, out)?;
    Ok(u8::from(fails))
}

/// The finding with its file as a path from the current directory.
fn for_display(registry: &Path, d: &Drifted) -> nhi::finding::Finding {
    let mut f = d.finding.clone();
    if d.origin == Origin::Registry && registry != Path::new(".") {
        let joined = registry.join(&*f.file);
        let shown = joined.to_string_lossy().replace('\\', "/");
        f.file = Arc::from(shown.strip_prefix("./").unwrap_or(&shown));
    }
    f
}
