//! `nhi due` as a Slack Block Kit message payload (for an incoming webhook or `chat.postMessage`).
//!
//! Slack refuses a message of more than 50 blocks, and a section text of more than 3,000 characters: the
//! payload lists items up to those limits and ends with how many more there are and where to see them.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Context, Emitter};
use crate::due::Item;

pub struct Slack;

/// Slack's limits: blocks per message, characters per section text, characters per header.
pub const MAX_BLOCKS: usize = 50;
pub const MAX_TEXT: usize = 3000;
pub const MAX_HEADER: usize = 150;

impl Emitter for Slack {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        crate::report::pretty_json(out, &payload(cx))
    }
}

/// Escapes text for Slack's mrkdwn: `&`, `<` and `>` are the only control characters.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn section(text: String) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

fn line(cx: &Context<'_>, item: &Item) -> String {
    let subject = match cx.page(item) {
        Some(url) => format!("<{url}|{}>", escape(item.id())),
        None => format!("`{}`", escape(item.id())),
    };
    let when = if item.overdue(cx.due.as_of) {
        format!("*{}*", cx.when(item))
    } else {
        cx.when(item)
    };
    let waived = item
        .waived_by
        .as_deref()
        .map(|e| format!(" (waived by `{}`)", escape(e)))
        .unwrap_or_default();
    format!(
        "• {} {when}: {} {subject}{waived} → `{}`",
        super::Context::day(item),
        item.what.label(),
        escape(&cx.command(item))
    )
}

/// The payload: a header, the headline, then per owner a title and its items, within Slack's limits.
pub fn payload(cx: &Context<'_>) -> Value {
    let due = cx.due;
    let title = match due.owner.as_deref() {
        Some(o) => format!("What falls due for {}", cx.owner_label(Some(o))),
        None => "What falls due".to_string(),
    };
    let title: String = title.chars().take(MAX_HEADER).collect();
    let headline = if due.items.is_empty() {
        format!(
            "Nothing is overdue or due within {} days as of {}.",
            due.within, due.as_of
        )
    } else {
        format!("{}.", cx.headline())
    };
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": title, "emoji": false}}),
        section(escape(&headline)),
    ];
    // Two blocks stay free for the closing note.
    let budget = MAX_BLOCKS - 2;
    let mut shown = 0;
    'owners: for (owner, items) in due.owners_with_items() {
        if blocks.len() + 2 > budget {
            break;
        }
        blocks.push(json!({"type": "divider"}));
        let mut text = format!("*{}*", escape(&cx.owner_label(owner)));
        if let Some(url) = owner.and_then(|o| cx.owner_page(o)) {
            text = format!("*<{url}|{}>*", escape(&cx.owner_label(owner)));
        }
        for item in items {
            let line = line(cx, item);
            if text.chars().count() + 1 + line.chars().count() > MAX_TEXT {
                blocks.push(section(std::mem::take(&mut text)));
                if blocks.len() >= budget {
                    break 'owners;
                }
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&line);
            shown += 1;
        }
        if !text.is_empty() {
            blocks.push(section(text));
        }
    }
    let more = due.items.len() - shown;
    if more > 0 {
        let where_ = match cx.site_url.as_deref() {
            Some(url) => format!("<{url}|the site> lists them all"),
            None => "`nhi due` lists them all".to_string(),
        };
        blocks.push(json!({"type": "divider"}));
        blocks.push(section(format!(
            "…and {more} more item{}: {where_}.",
            if more == 1 { "" } else { "s" }
        )));
    }
    json!({"text": escape(&format!("{title}: {headline}")), "blocks": blocks})
}
