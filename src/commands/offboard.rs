//! `nhi offboard PERSON --to TEAM`: record a departure, handing what the Person owns to a team that still
//! has people. The work is in `nhi::record::offboard`.

use std::io::Write;

use anyhow::Result;

use super::record::{finish, Recording};
use super::Exit;
use crate::args::Registry;
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
    #[command(flatten)]
    pub recording: Recording,
}

pub fn run(args: OffboardArgs, out: &mut dyn Write) -> Result<Exit> {
    let today = args.recording.today();
    let mut ws = Workspace::open(&args.registry.root, args.recording.writing.skip_unsafe)?;
    offboard::offboard(&mut ws, &args.person, &args.to, args.recording.on(), today)?;
    finish(ws.finish()?, &args.recording.writing, out)
}
