//! `nhi due`: what falls due, by owner, in the format a team reads it (terminal, Markdown, JSON, calendar,
//! chat, issues).

use std::io::Write;

use anyhow::{bail, Result};

use super::Exit;
use crate::args::{AsOf, Registry};
use nhi::due::{self, Filter};
use nhi::report::due::{emitter, shell_word, Context, DueFormat};

#[derive(Debug, clap::Args)]
pub struct DueArgs {
    #[command(flatten)]
    pub registry: Registry,
    /// List what falls due within this many days (overdue items always)
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub within: u32,
    /// Only this owner's items (a Team or Person id)
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    #[command(flatten)]
    pub as_of: AsOf,
    /// Output format
    #[arg(long, value_enum, default_value_t = DueFormat::Text)]
    pub format: DueFormat,
    /// Exit 1 when an item is overdue and no exception waives it
    #[arg(long)]
    pub fail_on_overdue: bool,
    /// The published site (https://…), to link items and the full list from messages, issues and events
    #[arg(long, value_name = "URL", value_parser = parse_site_url)]
    pub site_url: Option<String>,
}

/// An http(s) address with nothing that could end a Markdown link, a Slack link or a calendar line.
fn parse_site_url(s: &str) -> Result<String, String> {
    let web = s.starts_with("https://") || s.starts_with("http://");
    let clean = s
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"<>()|\"'`\\[]{}".contains(&b));
    if web && clean && s.len() <= 2000 {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an http(s) address without spaces, quotes, brackets or parentheses"
        ))
    }
}

pub fn run(args: DueArgs, out: &mut dyn Write) -> Result<Exit> {
    let as_of = args.as_of.day();
    let root = &args.registry.root;
    let filter = Filter {
        within: i64::from(args.within),
        owner: args.owner.clone(),
    };
    let due = due::load(root, as_of, &filter)?;
    if let Some(owner) = &args.owner {
        if !due.owners.contains_key(owner) {
            bail!("no Team or Person `{owner}` in the registry");
        }
    }
    let registry = root.to_string_lossy();
    let cx = Context {
        due: &due,
        registry: (registry != ".").then(|| shell_word(&registry)),
        site_url: args.site_url,
    };
    emitter(args.format).emit(&cx, out)?;
    Ok(Exit::gate(args.fail_on_overdue && due.overdue(true) > 0))
}
