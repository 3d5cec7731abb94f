//! `nhi due` for a terminal: one block per owner, each item with its day and the command that records it.

use std::io::{self, Write};

use super::{Context, Emitter};
use crate::report::text::terminal;

pub struct Text;

impl Emitter for Text {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        let due = cx.due;
        if due.items.is_empty() {
            return writeln!(
                out,
                "Nothing is overdue or due within {} days as of {}.",
                due.within, due.as_of
            );
        }
        writeln!(out, "{}.", capitalise(&cx.headline()))?;
        for (owner, items) in due.owners_with_items() {
            let overdue = items.iter().filter(|i| i.overdue(due.as_of)).count();
            writeln!(
                out,
                "\n{}: {} item{}, {overdue} overdue",
                terminal(&cx.owner_label(owner)),
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            )?;
            for item in items {
                let waived = item
                    .waived_by
                    .as_deref()
                    .map(|e| format!(" (waived by {e})"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {:<10}  {:<22}  {:<17}  {} {}{waived}",
                    Context::day(item),
                    cx.when(item),
                    item.what.as_str(),
                    item.kind(),
                    item.id(),
                )?;
                writeln!(
                    out,
                    "  {:<10}  {}  ({}:{})",
                    "",
                    cx.command(item),
                    item.place.file,
                    item.place.pos.line
                )?;
            }
        }
        Ok(())
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
