//! The command line: one subcommand per user task. Each command's arguments live beside its code in
//! `commands/`; the groups they share (registry, day, output) in `args`.

use std::io::Write;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::args::ListFormat;
use crate::commands::{
    self, blast, build, codeowners, diff, drift, due, graph, import, init, leak, new, offboard,
    record, sync, trace, trend, CheckArgs, Exit,
};

#[derive(Debug, Parser)]
#[command(name = "nhi", version = nhi::VERSION, about = "Compile a GitOps registry of non-human identities: validate, gate, explain", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a registry: policy, starter team, person and system, schemas, CODEOWNERS and CI workflow
    Init(init::InitArgs),
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
    Import(import::ImportArgs),
    /// Compare an inventory export with the registry: undeclared, stale and drifted identities (exit 1)
    Drift(drift::DriftArgs),
    /// Who obtained credentials: an issuance log (CloudTrail) against the registry's federation (exit 1)
    Trace(trace::TraceArgs),
    /// Render the registry as a static site for auditors and owners (built even when the gate fails)
    Build(build::BuildArgs),
    /// Print the JSON Schema of a kind (all kinds' file names when none is given), or write them (--write)
    Schema {
        /// Identity, Team, Person, System, Exception or Policy (any case)
        kind: Option<String>,
        /// Write the schema files (every kind's, or KIND's) into DIR, e.g. REGISTRY/schema, for editors
        #[arg(long, value_name = "DIR")]
        write: Option<std::path::PathBuf>,
    },
    /// Compare the registry with a git revision: Markdown for a pull-request comment, or JSON
    Diff(diff::DiffArgs),
    /// Print a CODEOWNERS block so each identity's owners must approve changes to it (--check, --write)
    Codeowners(codeowners::CodeownersArgs),
    /// Write a skeleton document for a pull request (`nhi new identity --id … --type … --owner …`)
    New(new::NewArgs),
    /// If this credential leaks, what can it reach? Systems, levels, paths and score of one identity or system
    Blast(blast::BlastArgs),
    /// Rank identities by blast-radius score, largest first
    Rank(blast::RankArgs),
    /// Export the graph of identities and systems (dot, json, graphml, BloodHound OpenGraph)
    Graph(graph::GraphArgs),
    /// A credential leaked: who to call, what it reaches, where it is kept, and the steps to revoke and rotate
    Leak(leak::LeakArgs),
    /// Record an access review (review.last, review.by), or with --owner a review campaign
    Review(record::ReviewArgs),
    /// Record a credential rotation (credential.last_rotated, and with --expires credential.expires)
    Rotated(record::RotatedArgs),
    /// Record a retirement: status, decommissioned_on, credential.revoked_on; removes the access entries
    Decommission(record::DecommissionArgs),
    /// Approve an exception (approved_by, approved_on); refused when it would not be in force
    Approve(record::ApproveArgs),
    /// Renew an exception: a new expiry and a new approval
    Renew(record::RenewArgs),
    /// Someone leaves: every place the registry names them and what follows; --to TEAM records it (--vendor: a third party)
    Offboard(offboard::OffboardArgs),
    /// Write back what an export shows that only moves forward: last use, rotation, people who left
    Sync(sync::SyncArgs),
    /// What falls due, by owner: overdue and upcoming rotations, reviews and expiries, with the command for each
    Due(due::DueArgs),
    /// The registry over time from git: counts, findings by rule and rates at each week or month since a day
    Trend(trend::TrendArgs),
}

impl Command {
    /// Runs this subcommand and returns how it ends.
    pub fn run(self, out: &mut dyn Write, color_ok: bool) -> Result<Exit> {
        match self {
            Command::Init(args) => init::run(args, out),
            Command::Check(args) => commands::check(args, out, color_ok),
            Command::Rules { format } => commands::rules(format, out),
            Command::Explain { rule } => commands::explain(&rule, out),
            Command::Schema { kind, write } => commands::schema(kind.as_deref(), write, out),
            Command::Import(args) => import::run(args, out),
            Command::Drift(args) => drift::run(args, out, color_ok),
            Command::Trace(args) => trace::run(args, out, color_ok),
            Command::Diff(args) => diff::run(args, out),
            Command::Codeowners(args) => codeowners::run(args, out),
            Command::New(args) => new::run(args, out),
            Command::Blast(args) => blast::blast(args, out),
            Command::Rank(args) => blast::rank(args, out),
            Command::Graph(args) => graph::graph(args, out),
            Command::Build(args) => build::run(args, out),
            Command::Review(args) => record::review(args, out),
            Command::Rotated(args) => record::rotated(args, out),
            Command::Decommission(args) => record::decommission(args, out),
            Command::Approve(args) => record::approve(args, out),
            Command::Renew(args) => record::renew(args, out),
            Command::Offboard(args) => offboard::run(args, out),
            Command::Leak(args) => leak::run(args, out),
            Command::Sync(args) => sync::run(args, out),
            Command::Due(args) => due::run(args, out),
            Command::Trend(args) => trend::run(args, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
