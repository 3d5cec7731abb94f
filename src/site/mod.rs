//! The static site for auditors and owners: a dashboard, a page per identity, owner and system, findings,
//! exceptions, compliance, a graph view, search, and downloads with a manifest of SHA-256 sums.
//!
//! The build is a pipeline: check the registry, index it ([`index::Site`]), render every page in parallel
//! (one template environment per thread) into a staging directory beside the output, write the data files
//! and the manifest, then rename the staging directory over the output. The same registry and day give
//! the same bytes: everything is sorted and the only varying inputs are the day and the commit.

mod client;
pub mod data;
mod drift;
mod end_tags;
mod federation;
mod files;
pub mod history;
mod index;
mod inputs;
mod markup;
pub mod output;
mod overview;
mod pages;
pub use pages::LIST_LIMIT;
mod runbook;
mod svg;
pub mod tarball;
pub mod templates;
mod trends;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use jiff::civil::Date;
use minijinja::{Environment, Value as Jinja};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::finding::Counts;
use crate::model::{Doc, Identity, Person, System, Team};
use index::Site;
use output::{Staging, Written};
use templates::Templates;

/// What `nhi build` was asked to do.
pub struct Options {
    pub registry: PathBuf,
    pub out: PathBuf,
    pub as_of: Date,
    pub templates: Option<PathBuf>,
    /// The commit to show; by default `git rev-parse HEAD` in the registry's work tree.
    pub commit: Option<String>,
    /// Drift reports written by `nhi drift --format json`, shown on the Drift page and identity pages.
    pub drift: Vec<PathBuf>,
    /// Trace reports written by `nhi trace --format json`, shown on federated identities' pages.
    pub trace: Vec<PathBuf>,
    /// The registry as it was at this commit (read through the reader), instead of the work tree.
    pub rev: Option<String>,
    /// The repository's web URL: commits and pull requests in history sections link there.
    pub repo_url: Option<String>,
    /// A Trends page sampling the history from this day, every week or month (`nhi build --history`).
    pub trends: Option<(Date, crate::history::trend::Every)>,
    /// When the downloads are written gzip-compressed, as `inventory.csv.gz` and so on
    /// (`nhi build --gzip-downloads`).
    pub gzip_downloads: Gzip,
    /// The largest site, as a tar, that the host publishes (`nhi build --size-limit`): past it the downloads
    /// are compressed under [`Gzip::Auto`], and `nhi build` warns.
    pub size_limit: u64,
}

/// When the downloads are written gzip-compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Gzip {
    /// When the site would be larger than --size-limit with them plain
    Auto,
    /// Whatever the site's size
    Always,
    /// Never: past --size-limit, `nhi build` warns
    Never,
}

/// Reports progress of long builds (a progress bar on a terminal); every method may be called from any thread.
pub trait Progress: Sync {
    fn start(&self, _total: u64) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// No progress reporting.
pub struct Quiet;
impl Progress for Quiet {}

/// What was built.
#[derive(Debug)]
pub struct Built {
    pub files: usize,
    /// Of those, how many were written; the others were the previous site's files, unchanged (hard links).
    pub written: usize,
    /// How many pages were rendered; the others' inputs were the ones the previous site recorded, so they
    /// are its files, not rendered again. The downloads page counts twice when the downloads were
    /// compressed to fit.
    pub rendered: usize,
    pub bytes: u64,
    /// The bytes of a tar of the site, as `actions/upload-pages-artifact` packs it ([`tarball`]).
    pub tar_bytes: u64,
    /// Whether the downloads were written gzip-compressed.
    pub gzipped: bool,
    /// Whether they were because the site was larger than the size limit with them plain ([`Gzip::Auto`]).
    pub gzipped_to_fit: bool,
    pub commit: String,
    pub counts: Counts,
    pub gate_fails: bool,
}

/// One file rendered from a template.
enum Job<'a> {
    Page {
        template: &'static str,
        path: &'static str,
    },
    Identity(&'a Doc<Identity>),
    Team(&'a Doc<Team>),
    Person(&'a Doc<Person>),
    System(&'a Doc<System>),
    Exception(&'a Doc<crate::model::Exception>),
}

const PAGES: [(&str, &str); 12] = [
    ("index.html", "index.html"),
    ("identities.html", "identities.html"),
    ("owners.html", "owners.html"),
    ("systems.html", "systems.html"),
    ("findings.html", "findings.html"),
    ("exceptions.html", "exceptions.html"),
    ("compliance.html", "compliance.html"),
    ("graph.html", "graph.html"),
    ("search.html", "search.html"),
    ("drift.html", "drift.html"),
    ("downloads.html", "downloads.html"),
    ("runbooks.html", "runbooks.html"),
];

/// Builds the site of the registry at `opts.registry` into `opts.out`.
pub fn build(opts: &Options, progress: &dyn Progress) -> Result<Built> {
    // The check keeps its graph and ranking for the site; a revision's check does not (made when indexed).
    let (checked, ranked) = match &opts.rev {
        Some(commit) => {
            let reader = crate::history::Reader::open(&opts.registry);
            (reader?.check_at(commit, opts.as_of)?, None)
        }
        None => {
            let (checked, ranked) = crate::check_keeping(&opts.registry, opts.as_of)?;
            (checked, Some(ranked))
        }
    };
    refuse_registry_as_output(&opts.registry, &opts.out)?;
    let reports = drift::load(&opts.drift)?;
    let traces = federation::load(&opts.trace)?;
    let commit = opts.commit.clone().unwrap_or_else(|| match &opts.rev {
        Some(commit) => commit.clone(),
        None => crate::git::head_commit(&opts.registry).unwrap_or_else(|| "unknown".into()),
    });
    let templates = Templates::with_overrides(opts.templates.as_deref())?;
    // The history is read from `git log` while the site is indexed: they need nothing of each other.
    let (mut site, history) = rayon::join(
        || crate::timings::phase("site index", || Site::new(&checked, commit, ranked)),
        || history::read(opts, &checked),
    );
    site.drift = reports;
    site.trace = traces;
    site.history = history?;
    if let Some((since, every)) = opts.trends {
        let trend = trend_of(opts, since, every)?;
        if let Some(h) = site.history.as_mut() {
            h.trend = Some(trend);
        }
    }
    let staging = Staging::beside(&opts.out)?;
    let result = write_site(&site, &templates, &staging, opts, progress).and_then(|built| {
        crate::timings::phase("commit", || staging.commit(&opts.out))?;
        Ok(built)
    });
    if result.is_err() {
        staging.discard();
    }
    result
}

/// The samples of the Trends page: as `nhi trend` takes them, up to the day of the build, on the branch
/// of the commit shown.
fn trend_of(
    opts: &Options,
    since: Date,
    every: crate::history::trend::Every,
) -> Result<crate::history::trend::Trend> {
    use crate::history::{trend, Chain, Reader};
    let mut reader = Reader::open(&opts.registry)?;
    let chain = Chain::of(&reader.repo, opts.rev.as_deref().unwrap_or("HEAD"))?;
    let days = trend::days(since.min(opts.as_of), every, opts.as_of);
    Ok(trend::trend(&mut reader, &chain, &days)?)
}

fn refuse_registry_as_output(registry: &Path, out: &Path) -> Result<()> {
    let (Ok(registry), Ok(out)) = (registry.canonicalize(), out.canonicalize()) else {
        return Ok(());
    };
    if registry.starts_with(&out) {
        bail!(
            "refusing to build into {}: it holds the registry",
            out.display()
        );
    }
    Ok(())
}

fn globals(site: &Site<'_>, gzip: bool) -> inputs::Globals {
    let c = &site.checked;
    let Value::Object(fields) = json!({
        "organization": c.registry.policy.organization,
        "as_of": c.as_of.to_string(),
        "commit": site.commit,
        "version": env!("CARGO_PKG_VERSION"),
        "counts": c.counts(),
        "gate_fails": c.fails(false),
        "trends": site.history.as_ref().is_some_and(|h| h.trend.is_some()),
        "gzip_downloads": gzip,
    }) else {
        unreachable!("an object")
    };
    inputs::Globals::new(fields)
}

fn environment(templates: &Templates, globals: &Jinja) -> Environment<'static> {
    let mut env = templates.environment();
    env.add_global("site", globals.clone());
    env
}

/// One page to write: where, with which template, and its context.
struct Page {
    path: String,
    template: &'static str,
    ctx: Value,
}

fn page(site: &Site<'_>, job: &Job<'_>) -> Page {
    let (template, ctx) = match job {
        Job::Page { template, .. } => (*template, page_context(site, template)),
        Job::Identity(d) => {
            let full = pages::full_blast(site, &d.item);
            let mut ctx = pages::identity(site, d, full.as_ref());
            ctx["leak"] = runbook::identity(site, d, full.as_ref());
            ctx["drift"] = json!(drift::of_identity(site, &d.item.id, pages::DEEP));
            ctx["federation"] = federation::of_identity(&d.item);
            ctx["issued"] = federation::issued(site, &d.item.id);
            ("identity.html", ctx)
        }
        Job::Team(d) => ("owner.html", pages::team(site, d)),
        Job::Person(d) => {
            let mut ctx = pages::person(site, d);
            ctx["offboard"] = runbook::person(site, d);
            ("owner.html", ctx)
        }
        Job::System(d) => ("system.html", pages::system(site, d)),
        Job::Exception(d) => {
            let e = overview::exception(site, d, pages::DEEP);
            (
                "exception.html",
                json!({"root": pages::DEEP, "title": d.item.id, "e": e}),
            )
        }
    };
    let path = job.path();
    let mut ctx = ctx;
    if let Some(source) = job.source() {
        ctx["history"] = history::of_doc(site, source);
    }
    ctx["section"] = json!(section(template));
    Page {
        path,
        template,
        ctx,
    }
}

/// A context as the templates see it. The same value `minijinja::value::Serde` would make, built directly:
/// serializing through serde cost a tenth of the time of a page. An object is a [`Fields`], not the
/// engine's own map, which sorts its keys as it is built.
fn jinja(value: &Value) -> Jinja {
    match value {
        Value::Null => Jinja::from(()),
        Value::Bool(b) => Jinja::from(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Jinja::from(u),
            (None, Some(i)) => Jinja::from(i),
            (None, None) => Jinja::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Jinja::from(s.as_str()),
        Value::Array(items) => items.iter().map(jinja).collect(),
        Value::Object(map) => Jinja::from_object(Fields(
            map.iter()
                .map(|(k, v)| (Jinja::from(k.as_str()), jinja(v)))
                .collect(),
        )),
    }
}

/// An object of a page's context: its fields in the context's order, found by name. A page reads a few
/// dozen fields of small objects once or twice, so a scan costs less than the sorted map the engine
/// builds from pairs (at 100,000 identities, sorting the keys was a tenth of the build's instructions).
/// A template that lists the fields (`|items`, `|tojson`) gets them sorted by name, as from that map.
#[derive(Debug)]
struct Fields(Vec<(Jinja, Jinja)>);

impl minijinja::value::Object for Fields {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Map
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Jinja) -> Option<Jinja> {
        let key = key.as_str()?;
        self.0
            .iter()
            .find(|(name, _)| name.as_str() == Some(key))
            .map(|(_, v)| v.clone())
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        let mut names: Vec<Jinja> = self.0.iter().map(|(name, _)| name.clone()).collect();
        names.sort();
        minijinja::value::Enumerator::Values(names)
    }

    fn enumerator_len(self: &std::sync::Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// Renders a page, noting the site-wide fields it read.
fn render(env: &Environment<'_>, page: &Page) -> Result<(String, u32)> {
    let (html, read) = inputs::Globals::tracking(|| {
        env.get_template(page.template)
            .and_then(|t| t.render(jinja(&page.ctx)))
    });
    let html = html.map_err(|e| {
        anyhow::anyhow!(
            "cannot render {} with the template {}: {e:#}",
            page.path,
            page.template
        )
    })?;
    Ok((end_tags::omit(html), read))
}

/// Writes one page: the previous site's file when the page's inputs are the ones recorded for it (no
/// rendering), else the page rendered now. Returns its manifest entry and its input key.
fn write_page(
    env: &Environment<'_>,
    staging: &Staging,
    keys: &Keys<'_>,
    page: Page,
) -> Result<(Written, inputs::Input, bool)> {
    let base = inputs::Base::of(keys.templates, page.template, &page.ctx);
    if let Some((read, key)) = staging.previous_input(&page.path) {
        if base.key(keys.globals, read) == key {
            if let Some(w) = staging.relink(&page.path)? {
                let input = inputs::Input {
                    path: page.path,
                    read,
                    key: key.to_string(),
                };
                return Ok((w, input, false));
            }
        }
    }
    let (html, read) = render(env, &page)?;
    let w = staging.write(&page.path, html.as_bytes())?;
    let input = inputs::Input {
        key: base.key(keys.globals, read),
        path: page.path,
        read,
    };
    Ok((w, input, true))
}

/// What every page's input key is made of besides its context.
struct Keys<'a> {
    templates: &'a [u8; 32],
    globals: &'a inputs::Globals,
}

impl Job<'_> {
    /// Where the page goes in the site.
    fn path(&self) -> String {
        match self {
            Job::Page { path, .. } => (*path).to_string(),
            Job::Identity(d) => format!("identities/{}.html", d.item.id),
            Job::Team(d) => format!("owners/{}.html", d.item.id),
            Job::Person(d) => format!("owners/{}.html", d.item.id),
            Job::System(d) => format!("systems/{}.html", d.item.id),
            Job::Exception(d) => format!("exceptions/{}.html", d.item.id),
        }
    }

    /// The document a page shows, if it shows one.
    fn source(&self) -> Option<&crate::model::Source> {
        match self {
            // An exception's history comes with its approval, in its own context.
            Job::Page { .. } | Job::Exception(_) => None,
            Job::Identity(d) => Some(&d.source),
            Job::Team(d) => Some(&d.source),
            Job::Person(d) => Some(&d.source),
            Job::System(d) => Some(&d.source),
        }
    }
}

/// The navigation entry a template belongs to.
fn section(template: &str) -> &str {
    match template {
        "identity.html" => "identities",
        "owner.html" => "owners",
        "system.html" => "systems",
        "exception.html" => "exceptions",
        t => t.trim_end_matches(".html"),
    }
}

fn page_context(site: &Site<'_>, template: &str) -> Value {
    match template {
        "index.html" => {
            let mut ctx = overview::dashboard(site);
            ctx["drift"] = drift::totals(site);
            ctx
        }
        "identities.html" => overview::identities(site),
        "owners.html" => overview::owners(site),
        "systems.html" => overview::systems(site),
        "findings.html" => overview::findings(site),
        "exceptions.html" => overview::exceptions(site),
        "compliance.html" => overview::compliance(site),
        "graph.html" => overview::simple("Graph"),
        "search.html" => overview::simple("Search"),
        "drift.html" => drift::page(site, overview::TOP),
        "runbooks.html" => runbook::playbooks_page(),
        "trends.html" => trends::page(site),
        _ => overview::simple("Downloads"),
    }
}

fn jobs<'a>(site: &Site<'a>) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'a>> = PAGES
        .iter()
        .map(|(template, path)| Job::Page { template, path })
        .collect();
    if site.history.as_ref().is_some_and(|h| h.trend.is_some()) {
        jobs.push(Job::Page {
            template: "trends.html",
            path: "trends.html",
        });
    }
    jobs.extend(site.identity_pages.iter().map(|d| Job::Identity(d)));
    jobs.extend(site.team_pages.iter().map(|d| Job::Team(d)));
    jobs.extend(site.person_pages.iter().map(|d| Job::Person(d)));
    jobs.extend(site.system_pages.iter().map(|d| Job::System(d)));
    // A page for each exception with a valid id (the first of a duplicated one).
    let mut seen = std::collections::HashSet::new();
    jobs.extend(
        site.exceptions
            .iter()
            .filter(|d| crate::id::is_id(&d.item.id) && seen.insert(d.item.id.as_str()))
            .map(|d| Job::Exception(d)),
    );
    jobs
}

fn write_site(
    site: &Site<'_>,
    templates: &Templates,
    staging: &Staging,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Built> {
    for dir in [
        "identities",
        "owners",
        "systems",
        "exceptions",
        "assets",
        "data",
        "calendar",
    ] {
        staging.mkdir(dir)?;
    }
    let jobs = jobs(site);
    progress.start(jobs.len() as u64);
    let always = opts.gzip_downloads == Gzip::Always;
    let pages = crate::timings::phase("pages", || {
        write_pages(site, templates, staging, jobs.par_iter(), always, progress)
    })?;
    progress.finish();
    let mut rendered = pages.iter().filter(|(_, _, rendered)| *rendered).count();
    let (mut written, mut inputs): (Vec<Written>, Vec<inputs::Input>) =
        pages.into_iter().map(|(w, i, _)| (w, i)).unzip();
    written.push(staging.write(inputs::FILE, inputs::text(&mut inputs).as_bytes())?);
    drop(inputs);
    // Under `auto`, downloads are compressed when the site is too large with them plain. When the pages
    // alone are, they are compressed from the start; else the site is measured whole, and they are written
    // again when it is.
    let auto = opts.gzip_downloads == Gzip::Auto;
    let too_large = |written: &[Written]| auto && tar_bytes(written) > opts.size_limit;
    let early = too_large(&written);
    crate::timings::phase("data", || {
        files::data_files(
            site,
            templates,
            opts,
            staging,
            always || early,
            &mut written,
        )
    })?;
    crate::timings::phase("manifest", || files::sums(site, staging, &mut written))?;
    let late = !early && too_large(&written);
    if early || late {
        rendered += crate::timings::phase("gzip", || {
            compress(site, templates, opts, staging, &jobs, late, &mut written)
        })?;
    }
    Ok(Built {
        files: written.len(),
        written: staging.written(),
        rendered,
        bytes: written.iter().map(|w| w.bytes as u64).sum(),
        tar_bytes: tar_bytes(&written),
        gzipped: always || early || late,
        gzipped_to_fit: early || late,
        commit: site.commit.clone(),
        counts: site.checked.counts(),
        gate_fails: site.checked.fails(false),
    })
}

/// Writes the pages of `jobs` in parallel, in their order, each as [`write_page`] does, with one template
/// environment per thread; `gzip` says whether the downloads they name are compressed.
fn write_pages<'j, 's: 'j>(
    site: &Site<'_>,
    templates: &Templates,
    staging: &Staging,
    jobs: impl IndexedParallelIterator<Item = &'j Job<'s>>,
    gzip: bool,
    progress: &dyn Progress,
) -> Result<Vec<(Written, inputs::Input, bool)>> {
    let globals = std::sync::Arc::new(globals(site, gzip));
    let keys = Keys {
        templates: &templates.fingerprint(),
        globals: &globals,
    };
    let globals = Jinja::from_dyn_object(globals.clone());
    jobs.map_init(
        || environment(templates, &globals),
        |env, job| {
            let w = write_page(env, staging, &keys, page(site, job));
            progress.advance();
            w
        },
    )
    .collect()
}

/// Finishes a site whose downloads are compressed because it is too large with them plain, though its pages
/// were rendered with them plain: the downloads written again when `downloads` is set, the pages that read
/// `site.gzip_downloads` (the Downloads page) rendered again, and the page inputs and sums written again.
/// Returns how many pages it rendered.
fn compress(
    site: &Site<'_>,
    templates: &Templates,
    opts: &Options,
    staging: &Staging,
    jobs: &[Job<'_>],
    downloads: bool,
    written: &mut Vec<Written>,
) -> Result<usize> {
    // The recorded inputs are read as text and written again line by line, not held as a map: at a million
    // pages the map would take more memory than the build can spare.
    let path = staging.path(inputs::FILE)?;
    let recorded = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let bit = globals(site, true).bit("gzip_downloads");
    let reading: foldhash::HashSet<&str> = recorded
        .lines()
        .filter_map(inputs::parse_line)
        .filter(|(_, read, _)| read & bit != 0)
        .map(|(path, _, _)| path)
        .collect();
    files::remove(
        staging,
        written,
        &[inputs::FILE, files::SUMS, output::MANIFEST],
    )?;
    if downloads {
        files::gzip_downloads(site, opts, staging, written)?;
    }
    let jobs: Vec<&Job<'_>> = jobs
        .iter()
        .filter(|job| reading.contains(job.path().as_str()))
        .collect();
    for job in &jobs {
        staging.remove(&job.path())?;
    }
    let pages = write_pages(site, templates, staging, jobs.into_par_iter(), true, &Quiet)?;
    let rendered = pages.iter().filter(|(_, _, rendered)| *rendered).count();
    let mut renewed = foldhash::HashMap::default();
    for (w, input, _) in pages {
        renewed.insert(w.path.clone(), (w, input));
    }
    for w in written.iter_mut() {
        if let Some((page, _)) = renewed.get(&w.path) {
            *w = page.clone();
        }
    }
    written.push(staging.write_with(inputs::FILE, |out| {
        recorded.lines().try_for_each(|line| {
            let path = inputs::parse_line(line).map(|(path, _, _)| path);
            match path.and_then(|path| renewed.get(path)) {
                Some((_, input)) => writeln!(out, "{input}"),
                None => writeln!(out, "{line}"),
            }
        })
    })?);
    files::sums(site, staging, written)?;
    Ok(rendered)
}

fn tar_bytes(written: &[Written]) -> u64 {
    tarball::tar_bytes(written.iter().map(|w| (w.path.as_str(), w.bytes as u64)))
}

#[cfg(test)]
mod tests {
    use super::{jinja, Jinja};
    use serde_json::json;

    /// A user's template reads a context object as it would read the engine's own map: fields by name,
    /// listed in name order, counted, tested, serialised.
    #[test]
    fn context_objects_read_as_the_engines_maps_do() {
        let ctx = json!({
            "i": {"id": "ci-deployer", "b": 2, "a": [1, {"z": null, "y": "x<y"}], "empty": {}},
            "nothing": {},
        });
        let template = "{{ i.id }}|{{ i.missing is defined }}|{% for k in i %}{{ k }},{% endfor %}|\
            {% for k, v in i|items %}{{ k }}={{ v }};{% endfor %}|{{ i|length }}|{{ i is mapping }}|\
            {{ i.a[1] }}|{{ i }}|{{ i|dictsort|list }}|{{ nothing|length }}|{% if nothing %}full{% else %}empty{% endif %}|\
            {% if i.empty %}full{% else %}empty{% endif %}|{{ i.a[1].y }}|{{ i.a|map(attribute='y')|list }}";
        let env = minijinja::Environment::new();
        let render = |value: Jinja| env.render_str(template, value).unwrap();
        let ours = render(jinja(&ctx));
        assert_eq!(ours, render(Jinja::from(minijinja::value::Serde(&ctx))));
        assert!(
            ours.starts_with("ci-deployer|False|a,b,empty,id,|"),
            "{ours}"
        );
    }
}
