//! `nhi offboard PERSON [REGISTRY]`: what a person's leaving touches and what to do about it (a report);
//! with `--to TEAM`, the departure recorded in the registry (the edits are in `nhi::record::offboard`).
//! `nhi offboard --vendor VENDOR [REGISTRY]`: the same report for a third party at the end of its contract.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::leak::RunbookFormat;
use super::record::Recording;
use super::{not_found, Exit};
use nhi::load;
use nhi::offboard;
use nhi::record;
use nhi::report::text::terminal as plain;

#[derive(Debug, clap::Args)]
pub struct OffboardArgs {
    /// PERSON [REGISTRY]: the Person who leaves, then the registry root (default `.`); with --vendor only
    /// [REGISTRY]
    #[arg(value_name = "PERSON", num_args = 0..=2)]
    pub positional: Vec<String>,
    /// Record the departure: the Person becomes inactive and the Team takes over what they own (it must
    /// have another active member). Without it, nothing is written: the report says what leaving touches
    #[arg(long, value_name = "TEAM", conflicts_with_all = ["vendor", "format"])]
    pub to: Option<String>,
    /// A third party at the end of its contract: every identity it holds or issued and system it runs
    #[arg(long, value_name = "VENDOR")]
    pub vendor: Option<String>,
    /// Output format of the report
    #[arg(long, value_enum)]
    pub format: Option<RunbookFormat>,
    #[command(flatten)]
    pub recording: Recording,
}

pub fn run(args: OffboardArgs, out: &mut dyn Write) -> Result<Exit> {
    let mut positional = args.positional.iter();
    let person = if args.vendor.is_some() {
        None
    } else {
        let Some(p) = positional.next() else {
            bail!("name the person who leaves (`nhi offboard PERSON [REGISTRY]`), or a third party with `--vendor VENDOR`");
        };
        Some(p.clone())
    };
    let root = PathBuf::from(positional.next().map_or(".", String::as_str));
    let format = args.format.unwrap_or(RunbookFormat::Markdown);
    if let Some(team) = &args.to {
        let person = person.unwrap_or_default();
        return args.recording.record(&root, out, |ws, on, today| {
            record::offboard::offboard(ws, &person, team, on, today)
        });
    }
    let registry = load::load(&root)?.registry;
    if let Some(vendor) = &args.vendor {
        let Some(report) = offboard::vendor::report(&registry, vendor) else {
            bail!(
                "no identity or system in {} names the vendor `{}`",
                root.display(),
                plain(vendor)
            );
        };
        return emit(&report, format, out, || {
            nhi::report::offboard::render_vendor(&report)
        });
    }
    let person = person.unwrap_or_default();
    let read = reader(&root);
    let as_of = args.recording.today();
    let Some(report) = offboard::report(&registry, &person, as_of, &read) else {
        let ids = registry.persons.iter().map(|d| d.item.id.as_str());
        return Err(not_found("Person", &person, &root, ids));
    };
    emit(&report, format, out, || {
        nhi::report::offboard::render(&report)
    })
}

/// Reads a registry file again (inside the registry only), for the lines of references.
fn reader(root: &Path) -> impl Fn(&str) -> Option<String> + Sync + '_ {
    let canonical = root.canonicalize().ok();
    move |file| load::read_again(canonical.as_deref()?, &root.join(file))
}

fn emit<T: serde::Serialize>(
    report: &T,
    format: RunbookFormat,
    out: &mut dyn Write,
    markdown: impl FnOnce() -> String,
) -> Result<Exit> {
    match format {
        RunbookFormat::Json => nhi::report::pretty_json(out, report)?,
        RunbookFormat::Markdown => out.write_all(markdown().as_bytes())?,
    }
    Ok(Exit::Pass)
}
