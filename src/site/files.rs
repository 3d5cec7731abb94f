//! The files beside the pages: the assets, the data scripts, the downloads, the calendars, and the sums of
//! everything (`SHA256SUMS`, `manifest.json`). Each goes to its file as it is made, so none is held whole:
//! at a million identities the downloads are gigabytes and the manifest lists over a million files.

use std::collections::HashMap;
use std::io::{self, Write};

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use super::index::{self, Site};
use super::output::{Staging, Written, MANIFEST};
use super::templates::{Templates, ASSETS};
use super::{client, data, Options};
use crate::due::Item;
use crate::report::{self, Emitter as _};

/// Writes everything that is not a page into `staging`, adding each file to `written`; the downloads
/// gzip-compressed when `gzip` is set. The files are made in parallel, the largest first: at 100,000
/// identities they took 2.7 s one after the other.
pub fn data_files(
    site: &Site<'_>,
    templates: &Templates,
    opts: &Options,
    staging: &Staging,
    gzip: bool,
    written: &mut Vec<Written>,
) -> Result<()> {
    for asset in ASSETS {
        let text = templates
            .source(asset)
            .with_context(|| format!("the asset {asset} is missing"))?;
        written.push(staging.write(asset, text.as_bytes())?);
    }
    let one = |w: Result<Written>| w.map(|w| vec![w]);
    let graph = || {
        let graph = client::GraphData::new(site);
        one(staging.write_with("data/graph.js", |out| {
            data::js_data("NHI_GRAPH", &graph, out)
        }))
    };
    let search = || {
        let search = client::SearchIndex(site);
        one(staging.write_with("data/search.js", |out| {
            data::js_data("NHI_SEARCH", &search, out)
        }))
    };
    let calendars = || calendars(site, staging);
    let [registry, inventory, sarif, findings] = downloads(site, opts, staging, gzip);
    make(
        &[
            &registry, &graph, &calendars, &search, &inventory, &sarif, &findings,
        ],
        written,
    )
}

/// What makes one or more files of the site.
type Maker<'a> = dyn Fn() -> Result<Vec<Written>> + Sync + 'a;

/// Makes the files of `makers` in parallel, adding them to `written` in the makers' order.
fn make(makers: &[&Maker<'_>], written: &mut Vec<Written>) -> Result<()> {
    let made: Vec<Result<Vec<Written>>> = makers.par_iter().map(|make| make()).collect();
    for files in made {
        written.extend(files?);
    }
    Ok(())
}

/// Removes the files `names` from `staging` and from `written`, so that they can be written again.
pub fn remove(staging: &Staging, written: &mut Vec<Written>, names: &[&str]) -> Result<()> {
    for name in names {
        staging.remove(name)?;
    }
    written.retain(|w| !names.contains(&w.path.as_str()));
    Ok(())
}

/// The downloads' names, as written without `--gzip-downloads`.
pub const DOWNLOADS: [&str; 4] = [
    "registry.json",
    "inventory.csv",
    "findings.sarif",
    "findings.csv",
];

/// Writes the downloads again, gzip-compressed, in place of the plain ones `written` lists (removed from
/// `staging` and from `written`).
pub fn gzip_downloads(
    site: &Site<'_>,
    opts: &Options,
    staging: &Staging,
    written: &mut Vec<Written>,
) -> Result<()> {
    remove(staging, written, &DOWNLOADS)?;
    let makers = downloads(site, opts, staging, true);
    let makers: Vec<&Maker<'_>> = makers.iter().map(|m| &**m).collect();
    make(&makers, written)
}

/// What makes each of [`DOWNLOADS`], in that order.
fn downloads<'a>(
    site: &'a Site<'a>,
    opts: &'a Options,
    staging: &'a Staging,
    gzip: bool,
) -> [Box<Maker<'a>>; 4] {
    let checked = site.checked;
    [
        Box::new(move || {
            let as_of = checked.as_of.to_string();
            download(staging, gzip, DOWNLOADS[0], &|out| {
                data::registry_json(&checked.registry, &as_of, &site.commit, out)
            })
        }),
        Box::new(move || {
            let tally = |id: &str| {
                let (open, waived, _) = site.tally(id);
                (open, waived)
            };
            download(staging, gzip, DOWNLOADS[1], &|out| {
                data::inventory_csv(&site.identity_pages, tally, out)
            })
        }),
        Box::new(move || {
            let cx = report::Context {
                outcome: checked.into(),
                root: &opts.registry,
                repo_prefix: crate::git::prefix_of(&opts.registry),
                color: false,
                changed: None,
            };
            download(staging, gzip, DOWNLOADS[2], &|out| {
                report::sarif::Sarif.emit(&cx, out)
            })
        }),
        Box::new(move || {
            download(staging, gzip, DOWNLOADS[3], &|out| {
                data::findings_csv(&checked.findings, out)
            })
        }),
    ]
}

/// Writes the download `name` as `fill` makes it, gzip-compressed as `NAME.gz` when `gzip` is set
/// (`nhi build --gzip-downloads`).
fn download(
    staging: &Staging,
    gzip: bool,
    name: &str,
    fill: &dyn Fn(&mut dyn Write) -> io::Result<()>,
) -> Result<Vec<Written>> {
    let written = if gzip {
        staging.write_with(&format!("{name}.gz"), |out| {
            // No name and no time in the header, so the same data gives the same bytes. The buffer hands
            // the compressor 64 KiB at a time, not each small write of the serialisers.
            let gz = flate2::GzBuilder::new().write(out, flate2::Compression::default());
            let mut buffered = io::BufWriter::with_capacity(1 << 16, gz);
            fill(&mut buffered)?;
            let gz = buffered.into_inner().map_err(|e| e.into_error())?;
            gz.finish().map(drop)
        })
    } else {
        staging.write_with(name, fill)
    };
    written.map(|w| vec![w])
}

/// `calendar/all.ics` and one calendar per owner page: what is overdue or falls due within the chart's weeks,
/// computed as `nhi due` does, for a team to subscribe to.
fn calendars(site: &Site<'_>, staging: &Staging) -> Result<Vec<Written>> {
    let mut written = Vec::new();
    // The items are the site's own (not a copy): the calendars get them by reference.
    let due = crate::due::Due {
        as_of: site.checked.as_of,
        within: index::CHART_WEEKS * 7 - 1,
        owner: None,
        items: Vec::new(),
        owners: crate::due::owners::of(&site.checked.registry),
    };
    let cx = report::due::Context {
        due: &due,
        registry: None,
        site_url: None,
    };
    let all: Vec<&Item> = site.obligations.iter().collect();
    written.push(staging.write_with("calendar/all.ics", |out| {
        report::due::ics::calendar(&cx, "nhi: what falls due", &all, out)
    })?);
    let mut by_owner: HashMap<&str, Vec<&Item>> = HashMap::new();
    for item in all {
        if let Some(owner) = item.owner.as_deref() {
            by_owner.entry(owner).or_default().push(item);
        }
    }
    let owners = site
        .team_pages
        .iter()
        .map(|t| &t.item.id)
        .chain(site.person_pages.iter().map(|p| &p.item.id));
    for owner in owners {
        let items = crate::ownership::of(&by_owner, owner);
        let name = format!("nhi: what falls due for {}", cx.owner_label(Some(owner)));
        written.push(staging.write_with(&format!("calendar/{owner}.ics"), |out| {
            report::due::ics::calendar(&cx, &name, items, out)
        })?);
    }
    Ok(written)
}

/// The file of every file's SHA-256, as `sha256sum` writes it.
pub const SUMS: &str = "SHA256SUMS";

/// Writes `SHA256SUMS` and `manifest.json` (the generator, the day, the commit and every file with its sum
/// and size, in path order), each straight to its file, and adds both to `written`.
pub fn sums(site: &Site<'_>, staging: &Staging, written: &mut Vec<Written>) -> Result<()> {
    written.sort();
    let sums = staging.write_with(SUMS, |out| {
        written
            .iter()
            .try_for_each(|w| writeln!(out, "{}  {}", w.sha256, w.path))
    })?;
    written.push(sums);
    written.sort();
    let manifest = staging.write_with(MANIFEST, |out| manifest(site, written, out))?;
    written.push(manifest);
    Ok(())
}

/// `manifest.json`: indented JSON with one line per file (at 100,000 identities, 13 MB instead of the 19 MB
/// of one line per field).
fn manifest(site: &Site<'_>, files: &[Written], out: &mut dyn Write) -> std::io::Result<()> {
    let text = |s: &str| serde_json::to_string(s);
    let generator = format!("nhi {}", env!("CARGO_PKG_VERSION"));
    write!(
        out,
        "{{\n  \"generator\": {},\n  \"as_of\": {},\n  \"commit\": {},\n  \"files\": [",
        text(&generator)?,
        text(&site.checked.as_of.to_string())?,
        text(&site.commit)?,
    )?;
    for (n, file) in files.iter().enumerate() {
        out.write_all(if n == 0 { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, file)?;
    }
    out.write_all(b"\n  ]\n}\n")
}
