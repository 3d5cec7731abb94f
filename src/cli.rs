//! The command line: one subcommand per user task.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use nhi::report::Format;

#[derive(Debug, Parser)]
#[command(name = "nhi", version, about = "Compile a GitOps registry of non-human identities: validate, gate, explain", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the registry and fail when an unwaived error remains (exit 1)
    Check(CheckArgs),
    /// List every rule with its default severity and compliance mappings
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain one rule: what it checks, why, and how to fix it
    Explain {
        /// A rule id, e.g. rotation-overdue
        rule: String,
    },
    /// Draft registry documents from an inventory export (AWS, GCP, Kubernetes, GitHub Actions)
    Import(crate::commands::import::ImportArgs),
    /// Compare an inventory export with the registry: undeclared, stale and drifted identities (exit 1)
    Drift(crate::commands::drift::DriftArgs),
    /// Render the registry as a static site for auditors and owners (built even when the gate fails)
    Build(BuildArgs),
    /// Print the JSON Schema of a kind (all kinds' file names when none is given)
    Schema {
        /// Identity, Team, Person, System, Exception or Policy (any case)
        kind: Option<String>,
    },
    /// Compare the registry with a git revision: Markdown for a pull-request comment, or JSON
    Diff(crate::commands::diff::DiffArgs),
    /// Print a CODEOWNERS block so each identity's owners must approve changes to it (--check, --write)
    Codeowners(crate::commands::codeowners::CodeownersArgs),
    /// Write a skeleton document for a pull request (`nhi new identity --id … --type … --owner …`)
    New(crate::commands::new::NewArgs),
    /// If this credential leaks, what can it reach? Systems, levels, paths and score of one identity or system
    Blast(crate::commands::blast::BlastArgs),
    /// Rank identities by blast-radius score, largest first
    Rank(crate::commands::blast::RankArgs),
    /// Export the graph of identities and systems (dot, json, graphml, BloodHound OpenGraph)
    Graph(crate::commands::graph::GraphArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The registry root (the directory holding nhi.yaml)
    #[arg(default_value = ".")]
    pub registry: PathBuf,
    /// Output format [default: github when GITHUB_ACTIONS=true, else human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Evaluate date rules as of this day (YYYY-MM-DD) instead of today (UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub as_of: Option<Date>,
    /// Make warnings fail the gate too
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Colour the human output: auto (on a terminal), always or never
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Annotate findings in files changed since this git revision first (e.g. the pull request's base)
    #[arg(long, value_name = "REV")]
    pub changed_from: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The registry root (the directory holding nhi.yaml)
    #[arg(default_value = ".")]
    pub registry: PathBuf,
    /// The output directory (replaced as a whole once the new site is complete)
    #[arg(short, long, value_name = "DIR", default_value = "site")]
    pub output: PathBuf,
    /// Evaluate date rules as of this day (YYYY-MM-DD) instead of today (UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub as_of: Option<Date>,
    /// A directory of templates and assets that replace the built-in ones file by file
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The commit to show [default: `git rev-parse HEAD` in the registry, or "unknown"]
    #[arg(long, value_name = "REV")]
    pub commit: Option<String>,
    /// A drift report (`nhi drift ... --format json`) to show on the site; repeatable
    #[arg(long, value_name = "FILE")]
    pub drift: Vec<PathBuf>,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}
