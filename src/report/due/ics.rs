//! `nhi due` as an iCalendar file (RFC 5545): one all-day event per item, for a team to subscribe to.
//!
//! The same registry and day give the same bytes: the UID of an event is a hash of what it is about (kind of
//! obligation, kind and id of the subject, owner), so a subscribed calendar updates an event instead of
//! adding another; DTSTAMP is the as-of day. Lines end in CRLF and are folded at 75 octets; TEXT values are
//! escaped.

use std::io::{self, Write};

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use super::{Context, Emitter};
use crate::day;
use crate::due::Item;
use crate::report::text::escape;

pub struct Ics;

impl Emitter for Ics {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        let name = match cx.due.owner.as_deref() {
            Some(owner) => format!("nhi: what falls due for {}", cx.owner_label(Some(owner))),
            None => "nhi: what falls due".to_string(),
        };
        calendar(cx, &name, &cx.due.items.iter().collect::<Vec<_>>(), out)
    }
}

/// A calendar named `name` with one event per item (the first of items sharing a UID), written to `out`
/// event by event.
pub fn calendar(
    cx: &Context<'_>,
    name: &str,
    items: &[&Item],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut ics = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//nhi//nhi due//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push(&mut ics, line);
    }
    push(&mut ics, &format!("X-WR-CALNAME:{}", text(name)));
    // The UIDs written so far, as their 16 bytes (a calendar of every item has a million at scale).
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let key = key(item);
        if seen.insert(key) {
            event(cx, item, &format_uid(&key), &mut ics);
            out.write_all(ics.as_bytes())?;
            ics.clear();
        }
    }
    push(&mut ics, "END:VCALENDAR");
    out.write_all(ics.as_bytes())
}

fn event(cx: &Context<'_>, item: &Item, uid: &str, ics: &mut String) {
    let as_of = cx.due.as_of;
    // An obligation with no known day is overdue: it shows on the day the calendar was made.
    let day = item.deadline.day().unwrap_or(as_of);
    let owner = item.owner.as_deref().unwrap_or("no owner");
    let summary = format!("{} {} ({owner})", item.what.action(), item.id());
    // The summary says what and whose; the description adds when, the owner's name, how to record it and
    // where it is written (a calendar of a million identities repeats every word of it a million times).
    let mut description = format!(
        "{}, owned by {}.\nRecord it with: {}\nFile: {}",
        upper_first(&cx.when(item)),
        cx.owner_label(item.owner.as_deref()),
        cx.command(item),
        Context::location(item),
    );
    if let Some(e) = &item.waived_by {
        description.push_str(&format!("\nWaived by exception {e} as of {as_of}."));
    }
    push(ics, "BEGIN:VEVENT");
    push(ics, &format!("UID:{uid}"));
    push(ics, &format!("DTSTAMP:{}T000000Z", compact(as_of)));
    push(ics, &format!("DTSTART;VALUE=DATE:{}", compact(day)));
    push(
        ics,
        &format!("DTEND;VALUE=DATE:{}", compact(day::add(day, 1))),
    );
    push(ics, &format!("SUMMARY:{}", text(&summary)));
    push(ics, &format!("DESCRIPTION:{}", text(&description)));
    push(ics, &format!("CATEGORIES:{}", text(item.what.as_str())));
    if let Some(url) = cx.page(item) {
        push(ics, &format!("URL;VALUE=URI:{url}"));
    }
    push(ics, "TRANSP:TRANSPARENT");
    push(ics, "END:VEVENT");
}

/// `s` with its first letter in upper case.
fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A stable identifier of an obligation: the same (what, kind, id, owner) gives the same UID every day.
/// These are the 16 bytes it is written from ([`format_uid`]): the start of a SHA-256 of what it is about.
fn key(item: &Item) -> [u8; 16] {
    let mut hash = Sha256::new();
    for part in [
        item.what.as_str(),
        item.kind(),
        item.id(),
        item.owner.as_deref().unwrap_or(""),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let mut key = [0; 16];
    key.copy_from_slice(&hash.finalize()[..16]);
    key
}

/// The UID of an event: its key in hexadecimal, `@nhi`.
fn format_uid(key: &[u8; 16]) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@nhi")
}

/// `YYYYMMDD`, the DATE form of RFC 5545.
fn compact(day: Date) -> String {
    day.strftime("%Y%m%d").to_string()
}

/// A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as `\n`.
pub fn text(s: &str) -> String {
    escape(s, |out, c| match c {
        '\\' => out.push_str("\\\\"),
        ';' => out.push_str("\\;"),
        ',' => out.push_str("\\,"),
        '\n' => out.push_str("\\n"),
        '\r' => {}
        c if c.is_control() => {}
        c => out.push(c),
    })
}

/// Appends a content line folded at 75 octets (never inside a UTF-8 character), each part ending in CRLF;
/// continuation lines start with one space, which counts toward their 75.
pub fn push(ics: &mut String, line: &str) {
    let mut limit = 75;
    let mut rest = line;
    loop {
        if rest.len() <= limit {
            ics.push_str(rest);
            ics.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        ics.push_str(&rest[..cut]);
        ics.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
}

#[cfg(test)]
mod tests {
    use super::{push, text};

    #[test]
    fn lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let mut ics = String::new();
        push(&mut ics, &line);
        let parts: Vec<&str> = ics.split("\r\n").filter(|p| !p.is_empty()).collect();
        assert!(parts.len() > 2);
        for p in &parts {
            assert!(p.len() <= 75, "{} octets: {p}", p.len());
        }
        assert!(parts[1..].iter().all(|p| p.starts_with(' ')));
        let unfolded: String = ics.replace("\r\n ", "").trim_end().to_string();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
    }
}
