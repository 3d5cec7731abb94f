//! `nhi review`, `nhi rotated`, `nhi decommission`, `nhi approve`, `nhi renew`: record a decision in the
//! registry with one command. The work is in `nhi::record`; this reads the flags and shows the outcome.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use jiff::civil::Date;

use super::Exit;
use crate::args::{AsOf, Registry};
use nhi::edit::Plan;
use nhi::record::{exception, identity, Outcome, Workspace};

/// The options of every command that edits the registry.
#[derive(Debug, clap::Args)]
pub struct Writing {
    /// Print the unified diff of what would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write the edits that are safe and list the others, instead of writing nothing when one is unsafe
    #[arg(long)]
    pub skip_unsafe: bool,
}

/// The day a decision was made, the day the gate is judged on, and how to write: the options of the
/// commands that record a decision.
#[derive(Debug, clap::Args)]
pub struct Recording {
    /// The day it happened [default: today, or --as-of]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub on: Option<Date>,
    #[command(flatten)]
    pub as_of: AsOf,
    #[command(flatten)]
    pub writing: Writing,
}

impl Recording {
    /// The day the registry as edited is checked on.
    pub fn today(&self) -> Date {
        self.as_of.day()
    }

    /// The day of the decision.
    pub fn on(&self) -> Date {
        self.on.unwrap_or_else(|| self.today())
    }

    /// Opens the registry at `root`, plans the edits of `decide` in it (given the day of the decision and the
    /// day the edited registry is checked on), and shows or writes them.
    pub fn record<T, E>(
        &self,
        root: &Path,
        out: &mut dyn Write,
        decide: impl FnOnce(&mut Workspace, Date, Date) -> Result<T, E>,
    ) -> Result<Exit>
    where
        anyhow::Error: From<E>,
    {
        let (on, today) = (self.on(), self.today());
        let mut ws = Workspace::open(root, self.writing.skip_unsafe)?;
        decide(&mut ws, on, today)?;
        finish(ws.finish()?, &self.writing, out)
    }
}

/// Shows or writes what a command planned: the diff with `--dry-run`, else one line per file written.
pub fn finish(outcome: Outcome, writing: &Writing, out: &mut dyn Write) -> Result<Exit> {
    for e in &outcome.skipped {
        writeln!(out, "skipped {e}")?;
    }
    if outcome.plan.is_empty() {
        if outcome.skipped.is_empty() {
            eprintln!("nhi: nothing to change");
        }
        return Ok(Exit::Pass);
    }
    if writing.dry_run {
        write!(out, "{}", outcome.plan.diff())?;
        return Ok(Exit::Pass);
    }
    write_plan(outcome.plan, &outcome.lines, out)
}

fn write_plan(plan: Plan, lines: &[String], out: &mut dyn Write) -> Result<Exit> {
    plan.apply()?;
    for line in lines {
        writeln!(out, "{}", line.replace(|c: char| c.is_control(), " "))?;
    }
    Ok(Exit::Pass)
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// ID [REGISTRY], or with --owner only [REGISTRY]
    #[arg(value_name = "ID", num_args = 0..=2)]
    pub targets: Vec<String>,
    /// Review every active identity of this owner whose review is overdue or falls due within --within days
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// The Person who reviewed (must be active)
    #[arg(long, value_name = "PERSON")]
    pub by: String,
    /// What the reviewer decided or checked (review.note)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// A link to the review's ticket (review.ticket)
    #[arg(long, value_name = "URL")]
    pub ticket: Option<String>,
    /// Record a review of the vendor's access (vendor_review) instead
    #[arg(long)]
    pub vendor: bool,
    /// With --owner: also the reviews falling due within this many days
    #[arg(long, value_name = "DAYS", default_value_t = 30, requires = "owner")]
    pub within: u32,
    #[command(flatten)]
    pub recording: Recording,
}

pub fn review(args: ReviewArgs, out: &mut dyn Write) -> Result<Exit> {
    let (id, root) = match (&args.owner, args.targets.as_slice()) {
        (Some(_), [root]) => (None, PathBuf::from(root)),
        (Some(_), []) => (None, PathBuf::from(".")),
        (Some(_), _) => bail!("with --owner, the only argument is the registry"),
        (None, [id]) => (Some(id.clone()), PathBuf::from(".")),
        (None, [id, root]) => (Some(id.clone()), PathBuf::from(root)),
        (None, _) => bail!(
            "name the identity reviewed (nhi review ID [REGISTRY] --by PERSON), or --owner OWNER"
        ),
    };
    args.recording.record(&root, out, |ws, on, today| {
        let r = identity::Review {
            by: args.by.clone(),
            on,
            note: args.note.clone(),
            ticket: args.ticket.clone(),
            vendor: args.vendor,
        };
        match (&id, &args.owner) {
            (Some(id), _) => identity::review(ws, id, &r, today),
            (None, Some(owner)) => identity::campaign(ws, owner, &r, args.within, today).map(drop),
            (None, None) => unreachable!("checked above"),
        }
    })
}

#[derive(Debug, clap::Args)]
pub struct RotatedArgs {
    /// The identity whose credential was rotated
    pub id: String,
    #[command(flatten)]
    pub registry: Registry,
    /// The new credential's expiry (certificates and any expiring credential)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub expires: Option<Date>,
    #[command(flatten)]
    pub recording: Recording,
}

pub fn rotated(args: RotatedArgs, out: &mut dyn Write) -> Result<Exit> {
    args.recording
        .record(&args.registry.root, out, |ws, on, today| {
            identity::rotated(ws, &args.id, on, args.expires, today)
        })
}

#[derive(Debug, clap::Args)]
pub struct DecommissionArgs {
    /// The identity retired
    pub id: String,
    #[command(flatten)]
    pub registry: Registry,
    /// The day its credential was revoked [default: --on]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub revoked_on: Option<Date>,
    #[command(flatten)]
    pub recording: Recording,
}

pub fn decommission(args: DecommissionArgs, out: &mut dyn Write) -> Result<Exit> {
    args.recording
        .record(&args.registry.root, out, |ws, on, today| {
            let revoked_on = args.revoked_on.unwrap_or(on);
            identity::decommission(ws, &args.id, on, revoked_on, today)
        })
}

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The exception approved
    pub exception: String,
    #[command(flatten)]
    pub registry: Registry,
    /// The approving Person: active, not the requester, outside the owning teams (and one of the policy's
    /// approvers when it names them)
    #[arg(long, value_name = "PERSON")]
    pub by: String,
    #[command(flatten)]
    pub recording: Recording,
}

pub fn approve(args: ApproveArgs, out: &mut dyn Write) -> Result<Exit> {
    args.recording
        .record(&args.registry.root, out, |ws, on, today| {
            exception::approve(ws, &args.exception, &args.by, on, today)
        })
}

#[derive(Debug, clap::Args)]
pub struct RenewArgs {
    /// The exception renewed
    pub exception: String,
    #[command(flatten)]
    pub registry: Registry,
    /// The new expiry (at most max_exception_days after --on)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub expires: Date,
    /// The approving Person (a renewal is a new approval)
    #[arg(long, value_name = "PERSON")]
    pub by: String,
    #[command(flatten)]
    pub recording: Recording,
}

pub fn renew(args: RenewArgs, out: &mut dyn Write) -> Result<Exit> {
    args.recording
        .record(&args.registry.root, out, |ws, on, today| {
            exception::renew(ws, &args.exception, args.expires, &args.by, on, today)
        })
}

#[derive(Debug, clap::Args)]
pub struct NewExceptionArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// The exception's id (its file is exceptions/ID.yaml)
    #[arg(long)]
    pub id: String,
    /// The rule it waives
    #[arg(long)]
    pub rule: String,
    /// An identity it waives the rule for (repeat for more)
    #[arg(long = "identity", value_name = "ID", required = true)]
    pub identities: Vec<String>,
    /// Why the rule cannot be met yet
    #[arg(long)]
    pub reason: String,
    /// The Person asking for it
    #[arg(long, value_name = "PERSON")]
    pub requested_by: String,
    /// When it ends (at most max_exception_days away)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub expires: Date,
    /// A link to the request's ticket
    #[arg(long, value_name = "URL")]
    pub ticket: Option<String>,
    #[command(flatten)]
    pub as_of: AsOf,
    #[command(flatten)]
    pub writing: Writing,
}

pub fn new_exception(args: NewExceptionArgs, out: &mut dyn Write) -> Result<Exit> {
    let today = args.as_of.day();
    let mut ws = Workspace::open(&args.registry.root, false)?;
    let request = exception::Request {
        id: args.id,
        rule: args.rule,
        identities: args.identities,
        reason: args.reason,
        requested_by: args.requested_by,
        expires: args.expires,
        ticket: args.ticket,
    };
    exception::request(&mut ws, &request, today)?;
    finish(ws.finish()?, &args.writing, out)
}
