//! The outputs of `nhi due`: one emitter per format (text, Markdown, JSON, iCalendar, Slack, GitHub issues).

pub mod ics;
pub mod issues;
pub mod json;
pub mod markdown;
pub mod slack;
pub mod text;

use std::io::{self, Write};

use crate::day;
use crate::due::{Due, Item};

/// The output formats of `nhi due`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DueFormat {
    /// Grouped by owner, for people at a terminal.
    Text,
    /// Grouped by owner, for a job summary, an issue or a Microsoft Teams message.
    Markdown,
    /// The stable JSON document of the specification.
    Json,
    /// An iCalendar (RFC 5545) file: one all-day event per item.
    Ics,
    /// A Slack Block Kit message payload, within Slack's limits.
    Slack,
    /// The desired set of GitHub issues, one per owning team, as JSON for a reconciling script.
    GithubIssues,
}

/// What every emitter gets.
pub struct Context<'a> {
    pub due: &'a Due,
    /// The registry argument to repeat in each command (shell-quoted), `None` when it is the current directory.
    pub registry: Option<String>,
    /// The published site, to link items and the full list from chat messages and issues.
    pub site_url: Option<String>,
}

impl Context<'_> {
    pub fn command(&self, item: &Item) -> String {
        item.command(self.registry.as_deref())
    }

    /// A link to the site's page of an item's subject, when the site's address is known.
    pub fn page(&self, item: &Item) -> Option<String> {
        let base = self.site_url.as_deref()?.trim_end_matches('/');
        Some(match item.kind() {
            "Exception" => format!("{base}/exceptions/{}.html", item.id()),
            _ => format!("{base}/identities/{}.html", item.id()),
        })
    }

    /// A link to an owner's page on the site.
    pub fn owner_page(&self, owner: &str) -> Option<String> {
        let base = self.site_url.as_deref()?.trim_end_matches('/');
        Some(format!("{base}/owners/{owner}.html"))
    }

    /// Where the obligation is written: `file:line`, or the file alone when positions were not resolved.
    pub fn location(item: &Item) -> String {
        if item.place.anchor == crate::finding::Anchor::Fixed {
            format!("{}:{}", item.place.file, item.place.pos.line)
        } else {
            item.place.file.to_string()
        }
    }

    /// When an item falls due, relative to the day: `3 days overdue`, `due today`, `in 12 days`.
    pub fn when(&self, item: &Item) -> String {
        let Some(day) = item.deadline.day() else {
            return "overdue (no known day)".into();
        };
        let days = day::between(self.due.as_of, day);
        let plural = |n: i64| if n == 1 { "" } else { "s" };
        match days {
            0 => "due today".into(),
            d if d < 0 => format!("{} day{} overdue", -d, plural(-d)),
            d => format!("in {d} day{}", plural(d)),
        }
    }

    /// The day as written in listings (`—` when there is none).
    pub fn day(item: &Item) -> String {
        item.deadline
            .day()
            .map_or_else(|| "—".to_string(), |d| d.to_string())
    }

    /// A one-line headline: how many items, how many overdue.
    pub fn headline(&self) -> String {
        let n = self.due.items.len();
        let overdue = self.due.overdue(false);
        format!(
            "{n} item{} overdue or due within {} days as of {}, {overdue} overdue",
            if n == 1 { "" } else { "s" },
            self.due.within,
            self.due.as_of
        )
    }

    /// An owner as people read it: `team-data (Data Platform)`.
    pub fn owner_label(&self, owner: Option<&str>) -> String {
        let Some(id) = owner else {
            return "(no owner)".into();
        };
        match self.due.owners.get(id).and_then(|o| o.name.as_deref()) {
            Some(name) if name != id => format!("{id} ({name})"),
            _ => id.to_string(),
        }
    }
}

/// One output format of `nhi due`.
pub trait Emitter {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// The emitter for `format`.
pub fn emitter(format: DueFormat) -> Box<dyn Emitter> {
    match format {
        DueFormat::Text => Box::new(text::Text),
        DueFormat::Markdown => Box::new(markdown::Markdown),
        DueFormat::Json => Box::new(json::Json),
        DueFormat::Ics => Box::new(ics::Ics),
        DueFormat::Slack => Box::new(slack::Slack),
        DueFormat::GithubIssues => Box::new(issues::Issues),
    }
}

/// A path as one shell word: bare when it is plain, else single-quoted.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'.' | b'_' | b'-' | b'/' | b'+' | b'@' | b':' | b',')
        });
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
