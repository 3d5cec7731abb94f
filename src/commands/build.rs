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
use nhi::site::{self, Gzip, Options, Progress};

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
    /// registry.json.gz), a tenth of their size; alone, the flag means `always`
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        num_args = 0..=1,
        require_equals = true,
        default_value_t = Gzip::Auto,
        default_missing_value = "always"
    )]
    pub gzip_downloads: Gzip,
    /// The largest site the host publishes, in MiB, counted as a tar of the output directory (GitHub Pages
    /// takes 1024): past it the downloads are compressed, and `nhi build` warns if the site is still larger
    #[arg(long, value_name = "MIB", default_value_t = site::tarball::PAGES_LIMIT / MIB)]
    pub size_limit: u64,
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
        size_limit: args.size_limit.saturating_mul(MIB),
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
    if built.gzipped_to_fit {
        eprintln!(
            "note: {}",
            compressed_note(built.tar_bytes, opts.size_limit)
        );
    }
    if let Some(warning) = size_warning(built.tar_bytes, opts.size_limit, built.gzipped) {
        match ci_warning(crate::args::ci_format_here(), &warning) {
            // Read from the log by the CI, which shows it on the run.
            Some(line) => writeln!(out, "{line}")?,
            None => eprintln!("warning: {warning}"),
        }
    }
    Ok(Exit::Pass)
}

const MIB: u64 = 1 << 20;

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

/// What to say when the site was too large with plain downloads, so they were compressed.
fn compressed_note(tar_bytes: u64, limit: u64) -> String {
    format!(
        "with plain downloads the site would pack into a tar of more than --size-limit {} MiB: the downloads \
         are written as .gz files, and the tar is {} MiB (--gzip-downloads=never keeps them plain)",
        limit / MIB,
        tar_bytes.div_ceil(MIB),
    )
}

/// What to say when the site is larger than the host publishes, and what makes it smaller.
fn size_warning(tar_bytes: u64, limit: u64, gzipped: bool) -> Option<String> {
    if tar_bytes <= limit {
        return None;
    }
    let fix = if gzipped {
        "publish it from a host without that limit, or make the pages shorter with --templates"
    } else {
        "build it with --gzip-downloads (the downloads as .gz files, a tenth of their size)"
    };
    Some(format!(
        "the site packs into a tar of {} MiB, more than --size-limit {} MiB (GitHub Pages supports sites of up \
         to {} MiB): {fix}",
        tar_bytes.div_ceil(MIB),
        limit / MIB,
        site::tarball::PAGES_LIMIT / MIB,
    ))
}

#[cfg(test)]
mod tests {
    use super::{ci_warning, compressed_note, size_warning, MIB};
    use nhi::report::Format;

    #[test]
    fn warns_past_the_size_limit_and_names_the_fix() {
        let limit = 1024 * MIB;
        assert_eq!(size_warning(1 << 30, limit, false), None);
        let over = size_warning((1 << 30) + 1, limit, false).unwrap();
        assert!(
            over.contains("1025 MiB") && over.contains("--gzip-downloads"),
            "{over}"
        );
        let gzipped = size_warning(2 << 30, limit, true).unwrap();
        assert!(!gzipped.contains("--gzip-downloads"), "{gzipped}");
        assert!(size_warning(11 * MIB, 10 * MIB, true)
            .unwrap()
            .contains("more than --size-limit 10 MiB"));
    }

    #[test]
    fn the_note_gives_the_limit_the_size_and_how_to_keep_the_downloads_plain() {
        let note = compressed_note(970 * MIB + 1, 1024 * MIB);
        assert!(
            note.contains("1024 MiB") && note.contains("971 MiB"),
            "{note}"
        );
        assert!(note.contains("--gzip-downloads=never"), "{note}");
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
