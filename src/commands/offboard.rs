//! `nhi offboard PERSON --to TEAM`: record a departure, handing what the Person owns to a team that still
//! has people. The work is in `nhi::record::offboard`.

use std::io::Write;

use anyhow::Result;
use jiff::civil::Date;

use super::record::{finish, Writing};
use super::Exit;
use crate::args::{AsOf, Registry};
use nhi::record::{offboard, Workspace};

#[derive(Debug, clap::Args)]
pub struct OffboardArgs {
    /// The Person who left
    pub person: String,
    #[command(flatten)]
    pub registry: Registry,
    /// The Team that takes over what they own (it must have another active member)
    #[arg(long, value_name = "TEAM")]
    pub to: String,
    /// The day they left [default: today, or --as-of]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub on: Option<Date>,
    #[command(flatten)]
    pub as_of: AsOf,
    #[command(flatten)]
    pub writing: Writing,
}

pub fn run(args: OffboardArgs, out: &mut dyn Write) -> Result<Exit> {
    let today = args.as_of.day();
    let mut ws = Workspace::open(&args.registry.root, args.writing.skip_unsafe)?;
    offboard::offboard(
        &mut ws,
        &args.person,
        &args.to,
        args.on.unwrap_or(today),
        today,
    )?;
    finish(ws.finish()?, &args.writing, out)
}
