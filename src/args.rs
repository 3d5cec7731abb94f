//! Argument groups every command shares, declared once: the registry, the day, the output (format, colour,
//! `--deny`), and the value parsers for model words. Commands flatten them into their own arguments.

use std::path::PathBuf;

use clap::ValueEnum;
use jiff::civil::Date;

use nhi::model::{Criticality, Environment, IdentityType, Level, SystemType};
use nhi::report::Format;

/// The registry a command reads.
#[derive(Debug, clap::Args)]
pub struct Registry {
    /// The registry root (the directory holding nhi.yaml)
    #[arg(id = "registry", value_name = "REGISTRY", default_value = ".")]
    pub root: PathBuf,
}

/// The day dates are judged as of.
#[derive(Debug, clap::Args)]
pub struct AsOf {
    /// Evaluate date rules as of this day (YYYY-MM-DD) instead of today (UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub as_of: Option<Date>,
}

impl AsOf {
    /// The day given, else today in UTC.
    pub fn day(&self) -> Date {
        self.as_of.unwrap_or_else(nhi::day::today_utc)
    }
}

/// The git revision a command reads the registry at, instead of the work tree.
#[derive(Debug, clap::Args)]
pub struct Revision {
    /// Read the registry as it was at this git revision (a branch, tag or commit) instead of the work tree
    #[arg(long, value_name = "REV", conflicts_with = "at")]
    pub rev: Option<String>,
    /// Read the registry as it was on this day: the last first-parent commit of HEAD whose committer date
    /// (UTC) is on or before it; dates are judged as of this day unless --as-of is given
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub at: Option<Date>,
}

impl Revision {
    /// The commit to read (and the day to judge as of, when `--at` sets it) for the registry at `root`;
    /// `None` for the work tree.
    pub fn pick(
        &self,
        root: &std::path::Path,
        as_of: &AsOf,
    ) -> Result<Option<(nhi::history::Reader, String, Date)>, nhi::history::HistoryError> {
        if self.rev.is_none() && self.at.is_none() {
            return Ok(None);
        }
        let reader = nhi::history::Reader::open(root)?;
        let picked = nhi::history::pick(&reader.repo, self.rev.as_deref(), self.at, as_of.as_of)?;
        Ok(picked.map(|(commit, day)| {
            let day = day.unwrap_or_else(nhi::day::today_utc);
            (reader, commit, day)
        }))
    }
}

/// How findings are written and when they fail the gate: the options of every command that reports
/// findings.
#[derive(Debug, clap::Args)]
pub struct Output {
    /// Output format [default: github when GITHUB_ACTIONS=true, azure when TF_BUILD=True, else human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Make warnings fail the gate too
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Colour the human output: auto (on a terminal), always or never
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

impl Output {
    /// The format given, else the one the CI environment asks for.
    pub fn format(&self) -> Format {
        self.format.unwrap_or_else(ci_format_here)
    }

    /// Whether to colour: as asked, or when `auto`, whether the terminal takes colour (`color_ok`).
    pub fn color(&self, color_ok: bool) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => color_ok,
        }
    }

    /// Whether warnings fail the gate as errors do.
    pub fn deny_warnings(&self) -> bool {
        self.deny == Some(Deny::Warnings)
    }
}

/// [`ci_format`] of this process's environment.
pub fn ci_format_here() -> Format {
    ci_format(&|name| std::env::var(name).ok())
}

/// The default output format for the CI service the command runs in (read through `var`), else `human`.
/// The one place that knows each service's environment variable: annotations where the CI reads them from
/// the log (GitHub Actions, Azure Pipelines, which sets `TF_BUILD=True`). GitLab reads Code Quality and
/// JUnit from report files, not from the log, so a GitLab job log (`GITLAB_CI`) gets the human output, as
/// Jenkins does.
pub fn ci_format(var: &dyn Fn(&str) -> Option<String>) -> Format {
    if var("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        Format::Github
    } else if var("TF_BUILD").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        Format::Azure
    } else {
        Format::Human
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Warnings fail the gate as errors do
    Warnings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// The format of lists (rules, rankings): for people or for tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// A model word (an identity type, a level…): its values as the schema spells them, which `--help` lists.
pub trait Word: Copy + Send + Sync + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
}

macro_rules! words {
    ($($t:ty),*) => {$(
        impl Word for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            fn as_str(self) -> &'static str {
                <$t>::as_str(self)
            }
        }
    )*};
}
words!(IdentityType, Level, Environment, SystemType, Criticality);

/// The parser of a model word: only its values are accepted, and `--help` lists them.
pub fn word<T: Word>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(T::ALL.iter().map(|v| v.as_str())).map(|s| {
        T::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .unwrap_or(T::ALL[0])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ci_environment_picks_the_default_format() {
        let none = |_: &str| None;
        assert_eq!(ci_format(&none), Format::Human);
        let github = |name: &str| (name == "GITHUB_ACTIONS").then(|| "true".to_string());
        assert_eq!(ci_format(&github), Format::Github);
        let not_true = |name: &str| (name == "GITHUB_ACTIONS").then(|| "1".to_string());
        assert_eq!(ci_format(&not_true), Format::Human);
        let azure = |name: &str| (name == "TF_BUILD").then(|| "True".to_string());
        assert_eq!(ci_format(&azure), Format::Azure);
        let gitlab = |name: &str| (name == "GITLAB_CI").then(|| "true".to_string());
        assert_eq!(
            ci_format(&gitlab),
            Format::Human,
            "GitLab reads reports from files"
        );
    }

    #[test]
    fn model_words_parse_as_the_schema_spells_them() {
        use clap::builder::TypedValueParser as _;
        let cmd = clap::Command::new("t");
        let parse = |s: &str| word::<Environment>().parse_ref(&cmd, None, std::ffi::OsStr::new(s));
        assert_eq!(parse("prod").unwrap(), Environment::Prod);
        let err = parse("production").unwrap_err().to_string();
        assert!(
            err.contains("[possible values: prod, staging, dev, test, shared]"),
            "{err}"
        );
        let levels: Vec<_> = word::<Level>()
            .possible_values()
            .unwrap()
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(levels, ["read", "write", "admin"]);
    }
}
