//! `nhi build`: render the site, with a progress bar on a terminal, and say where it went.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::Exit;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::civil::Date;

use super::trend::Period;
use crate::args::{AsOf, Registry, Revision};
use nhi::history::trend::Every;
use nhi::site::{self, Options, Progress};

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// The output directory (replaced as a whole once the new site is complete)
    #[arg(short, long, value_name = "DIR", default_value = "site")]
    pub output: PathBuf,
    #[command(flatten)]
    pub as_of: AsOf,
    /// A directory of templates and assets that replace the built-in ones file by file
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The commit to show [default: `git rev-parse HEAD` in the registry, or "unknown"]
    #[arg(long, value_name = "REV")]
    pub commit: Option<String>,
    /// A drift report (`nhi drift ... --format json`) to show on the site; repeatable
    #[arg(long, value_name = "FILE")]
    pub drift: Vec<PathBuf>,
    /// A trace report (`nhi trace ... --format json`): who obtained federated identities' credentials, shown
    /// on their pages; repeatable
    #[arg(long, value_name = "FILE")]
    pub trace: Vec<PathBuf>,
    #[command(flatten)]
    pub revision: Revision,
    /// The repository's web URL (e.g. https://github.com/org/registry): history sections link commits and
    /// pull requests there
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
    #[command(flatten)]
    pub history: History,
    /// Write the downloads gzip-compressed (inventory.csv.gz, findings.csv.gz, findings.sarif.gz,
    /// registry.json.gz): a tenth of their size, for a large registry's site on a host with a size limit
    #[arg(long)]
    pub gzip_downloads: bool,
}

/// The Trends page: `--history` and the two options that only go with it.
#[derive(Debug, clap::Args)]
pub struct History {
    /// Add a Trends page from the git history: the registry at each month of the year before the build's
    /// day (see nhi trend)
    #[arg(long)]
    pub history: bool,
    /// With --history: the first sample day [default: a year before the build's day]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg, requires = "history")]
    pub history_since: Option<Date>,
    /// With --history: how far apart samples are
    #[arg(long, value_enum, default_value_t = Period::Month, requires = "history")]
    pub history_every: Period,
}

impl History {
    /// With `--history`: the first sample day (by default a year before `as_of`) and the samples' period.
    fn trends(&self, as_of: Date) -> Option<(Date, Every)> {
        self.history.then(|| {
            let since = self
                .history_since
                .unwrap_or_else(|| as_of.saturating_sub(jiff::Span::new().years(1)));
            (since, self.history_every.into())
        })
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self) {
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Builds the site; exit code 0 whatever the gate says (the site shows the findings).
pub fn run(args: BuildArgs, out: &mut dyn Write) -> Result<Exit> {
    let picked = args.revision.pick(&args.registry.root, &args.as_of)?;
    let (as_of, rev) = match picked {
        Some((_, commit, day)) => (day, Some(commit)),
        None => (args.as_of.day(), None),
    };
    let opts = Options {
        registry: args.registry.root,
        out: args.output,
        as_of,
        rev,
        repo_url: args.repo_url,
        trends: args.history.trends(as_of),
        templates: args.templates,
        commit: args.commit,
        drift: args.drift,
        trace: args.trace,
        gzip_downloads: args.gzip_downloads,
    };
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(
        ProgressStyle::with_template("rendering {bar:40} {pos}/{len} pages")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let built = site::build(&opts, &Bar(bar))?;
    let gate = if built.gate_fails { "fails" } else { "passes" };
    writeln!(
        out,
        "built {} ({} files, {} written, {} pages rendered, {} KiB) as of {}, commit {}; {} errors, {} warnings, {} notices, {} waived (gate {gate})",
        opts.out.display(),
        built.files,
        built.written,
        built.rendered,
        built.bytes.div_ceil(1024),
        opts.as_of,
        built.commit,
        built.counts.errors,
        built.counts.warnings,
        built.counts.notices,
        built.counts.waived,
    )?;
    if let Some(warning) = pages_warning(built.tar_bytes, opts.gzip_downloads) {
        let ci = crate::args::ci_format(&|name| std::env::var(name).ok());
        match ci_warning(ci, &warning) {
            // Read from the log by the CI, which shows it on the run.
            Some(line) => writeln!(out, "{line}")?,
            None => eprintln!("warning: {warning}"),
        }
    }
    Ok(Exit::Pass)
}

/// `warning` as the CI service of `format` reads a warning from the log, if it reads one.
fn ci_warning(format: nhi::report::Format, warning: &str) -> Option<String> {
    use nhi::report::check::{azure, github};
    match format {
        nhi::report::Format::Github => Some(format!(
            "::warning title=nhi build::{}",
            github::escape_data(warning)
        )),
        nhi::report::Format::Azure => Some(format!(
            "##vso[task.logissue type=warning]{}",
            azure::escape_data(warning)
        )),
        _ => None,
    }
}

/// What to say when the site is larger than GitHub Pages supports, and what makes it smaller.
fn pages_warning(tar_bytes: u64, gzip_downloads: bool) -> Option<String> {
    const MIB: u64 = 1 << 20;
    if tar_bytes <= site::tarball::PAGES_LIMIT {
        return None;
    }
    let fix = if gzip_downloads {
        "publish it from a host without that limit, or make the pages shorter with --templates"
    } else {
        "build it with --gzip-downloads (the downloads as .gz files, a tenth of their size)"
    };
    Some(format!(
        "the site packs into a tar of {} MiB, and GitHub Pages supports sites of up to {} MiB: {fix}",
        tar_bytes.div_ceil(MIB),
        site::tarball::PAGES_LIMIT / MIB,
    ))
}

#[cfg(test)]
mod tests {
    use super::{ci_warning, pages_warning};
    use nhi::report::Format;

    #[test]
    fn warns_past_what_github_pages_supports_and_names_the_fix() {
        assert_eq!(pages_warning(1 << 30, false), None);
        let over = pages_warning((1 << 30) + 1, false).unwrap();
        assert!(
            over.contains("1025 MiB") && over.contains("--gzip-downloads"),
            "{over}"
        );
        let gzipped = pages_warning(2 << 30, true).unwrap();
        assert!(!gzipped.contains("--gzip-downloads"), "{gzipped}");
    }

    #[test]
    fn under_a_ci_the_warning_is_an_annotation_on_one_line() {
        let text = "a tar of 1,100 MiB: 100% over\nthe limit";
        assert_eq!(
            ci_warning(Format::Github, text).unwrap(),
            "::warning title=nhi build::a tar of 1,100 MiB: 100%25 over%0Athe limit"
        );
        assert_eq!(
            ci_warning(Format::Azure, text).unwrap(),
            "##vso[task.logissue type=warning]a tar of 1,100 MiB: 100%AZP25 over%0Athe limit"
        );
        assert_eq!(ci_warning(Format::Human, text), None);
    }
}
