//! Argument groups every command shares, declared once: the registry, the day, the output (format, colour,
//! `--deny`), and the value parsers for model words. Commands flatten them into their own arguments.

use std::path::PathBuf;

use clap::ValueEnum;
use jiff::civil::Date;

use nhi::model::{Environment, IdentityType, Level};
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

/// How findings are written and when they fail the gate: the options of every command that reports
/// findings.
#[derive(Debug, clap::Args)]
pub struct Output {
    /// Output format [default: github when GITHUB_ACTIONS=true, else human]
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
        self.format
            .unwrap_or_else(|| ci_format(&|name| std::env::var(name).ok()))
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

/// The default output format for the CI service the command runs in (read through `var`), else `human`.
/// The one place that knows each service's environment variable.
pub fn ci_format(var: &dyn Fn(&str) -> Option<String>) -> Format {
    if var("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        Format::Github
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

/// An identity type, as the schema spells it.
pub fn identity_type(s: &str) -> Result<IdentityType, String> {
    one_of(IdentityType::ALL, s)
}

/// An access level, as the schema spells it.
pub fn level(s: &str) -> Result<Level, String> {
    one_of(Level::ALL, s)
}

/// An environment, as the schema spells it.
pub fn environment(s: &str) -> Result<Environment, String> {
    one_of(Environment::ALL, s)
}

fn one_of<T: Copy + std::fmt::Display>(all: &[T], s: &str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| v.to_string() == s)
        .ok_or_else(|| {
            let names: Vec<String> = all.iter().map(ToString::to_string).collect();
            format!("`{s}` is not one of {}", names.join(", "))
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
    }

    #[test]
    fn model_words_parse_as_the_schema_spells_them() {
        assert_eq!(environment("prod"), Ok(Environment::Prod));
        let err = environment("production").unwrap_err();
        assert!(
            err.starts_with("`production` is not one of prod, "),
            "{err}"
        );
        assert_eq!(level("admin"), Ok(Level::Admin));
        assert!(identity_type("robot").is_err());
    }
}
