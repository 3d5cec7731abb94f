//! `nhi due` as Markdown: a section per owner with a table of what falls due, for a job summary, an issue,
//! or a Microsoft Teams message (Teams renders Markdown; it has no Block Kit).

use std::io::{self, Write};

use super::{Context, Emitter};
use crate::due::Item;
use crate::report::text::{cell, code};

pub struct Markdown;

impl Emitter for Markdown {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(document(cx).as_bytes())
    }
}

/// The whole listing.
pub fn document(cx: &Context<'_>) -> String {
    let due = cx.due;
    let mut md = format!("## What falls due as of {}\n\n", due.as_of);
    if due.items.is_empty() {
        md.push_str(&format!(
            "Nothing is overdue or due within {} days.\n",
            due.within
        ));
        return md;
    }
    md.push_str(&format!("{}.\n", cx.headline()));
    for (owner, items) in due.owners_with_items() {
        md.push_str(&format!("\n### {}\n\n", cell(&cx.owner_label(owner))));
        md.push_str(&table(cx, &items));
    }
    md
}

/// A table of items with the day, what, the subject and the command that records it.
pub fn table(cx: &Context<'_>, items: &[&Item]) -> String {
    let mut md =
        String::from("| Due | When | What | Subject | Record it with |\n|---|---|---|---|---|\n");
    for item in items {
        let when = if item.overdue(cx.due.as_of) {
            format!("**{}**", cx.when(item))
        } else {
            cx.when(item)
        };
        let subject = match cx.page(item) {
            Some(url) => format!("[{}]({url})", code(item.id())),
            None => code(item.id()),
        };
        let waived = item
            .waived_by
            .as_deref()
            .map(|e| format!(" (waived by {})", code(e)))
            .unwrap_or_default();
        md.push_str(&format!(
            "| {} | {when} | {} | {subject}{waived} <br>{}:{} | {} |\n",
            Context::day(item),
            item.what.as_str(),
            cell(&item.place.file),
            item.place.pos.line,
            command(&cx.command(item)),
        ));
    }
    md
}

/// A command as a code span, when nothing in it can end the span or the cell.
pub fn command(c: &str) -> String {
    if c.contains(['`', '|', '\n', '\r']) {
        cell(c)
    } else {
        format!("`{c}`")
    }
}
