//! `nhi trend`: the registry at each week or month since a day, from its git history.

use std::io::Write;

use super::Exit;
use anyhow::{bail, Result};
use jiff::civil::Date;

use crate::args::{AsOf, Registry};
use nhi::history::trend::{self, Every};
use nhi::history::{Chain, Reader};
use nhi::report::trend::{write, TrendFormat};

#[derive(Debug, clap::Args)]
#[command(mut_arg("as_of", |a| a.help("The last sample day (YYYY-MM-DD) [default: today (UTC)]")))]
pub struct TrendArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// The first sample day (YYYY-MM-DD)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = nhi::day::parse_arg)]
    pub since: Date,
    /// How far apart samples are
    #[arg(long, value_enum, default_value_t = Period::Month)]
    pub every: Period,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Output format
    #[arg(long, value_enum, default_value_t = TrendFormat::Json)]
    pub format: TrendFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Period {
    Week,
    Month,
}

impl From<Period> for Every {
    fn from(p: Period) -> Every {
        match p {
            Period::Week => Every::Week,
            Period::Month => Every::Month,
        }
    }
}

pub fn run(args: TrendArgs, out: &mut dyn Write) -> Result<Exit> {
    let as_of = args.as_of.day();
    if args.since > as_of {
        bail!(
            "--since {} is after the last sample day {as_of}",
            args.since
        );
    }
    let every = args.every.into();
    let mut reader = Reader::open(&args.registry.root)?;
    let chain = Chain::of(&reader.repo, "HEAD")?;
    let days = trend::days(args.since, every, as_of);
    let trend = trend::trend(&mut reader, &chain, &days)?;
    write(&trend, args.format, out)?;
    Ok(Exit::Pass)
}
