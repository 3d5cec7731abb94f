//! `nhi due` as the desired set of GitHub issues: one per owner, titled with the owner, mentioning its GitHub
//! handle, found again by a hidden marker, open while something is due and closed when nothing is. A
//! workflow reconciles the repository's issues with this set (`scripts/due-issues.sh`), so the logic of
//! what each issue says lives here and is tested offline.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{markdown, Context, Emitter};
use crate::due::Item;
use crate::report::text::cell;

pub struct Issues;

/// What starts every marker; the owner's id follows.
pub const MARKER: &str = "<!-- nhi-due owner=";
/// GitHub refuses issue bodies over 65,536 characters: rows stop well before.
const MAX_BODY: usize = 60_000;

impl Emitter for Issues {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        crate::report::pretty_json(out, &document(cx))
    }
}

/// The hidden marker of an owner's issue.
pub fn marker(owner: &str) -> String {
    format!("{MARKER}{owner} -->")
}

/// Every owner that owns an identity or has an item (only `--owner`'s when given), with its issue.
/// `complete` says whether the set covers every owner, so that issues of owners missing from it may close.
pub fn document(cx: &Context<'_>) -> Value {
    let due = cx.due;
    let groups = due.by_owner();
    let issues: Vec<Value> = due
        .owners
        .iter()
        .filter_map(|(id, o)| {
            let items = groups
                .get(&Some(id.as_str()))
                .map_or(&[][..], Vec::as_slice);
            let chosen = due.owner.as_deref().is_none_or(|only| only == id.as_str());
            (chosen && (o.identities > 0 || !items.is_empty())).then(|| issue(cx, id, items))
        })
        .collect();
    json!({
        "as_of": due.as_of.to_string(),
        "within": due.within,
        "complete": due.owner.is_none(),
        "marker": MARKER,
        "issues": issues,
    })
}

fn issue(cx: &Context<'_>, owner: &str, items: &[&Item]) -> Value {
    let due = cx.due;
    let overdue = items.iter().filter(|i| i.overdue(due.as_of)).count();
    let label = cx.owner_label(Some(owner));
    let mention = due
        .owners
        .get(owner)
        .and_then(|o| o.github.clone())
        .map(|h| format!("{h}: "))
        .unwrap_or_default();
    let mut body = format!("{}\n", marker(owner));
    if items.is_empty() {
        body.push_str(&format!(
            "Nothing of {} is overdue or due within {} days as of {}.\n",
            cell(&label),
            due.within,
            due.as_of
        ));
    } else {
        body.push_str(&format!(
            "{mention}{} item{} of {} overdue or due within {} days as of {}, {overdue} overdue.\n\n",
            items.len(),
            if items.len() == 1 { "" } else { "s" },
            cell(&label),
            due.within,
            due.as_of
        ));
        let mut shown = items.len();
        let mut table = markdown::table(cx, items);
        while table.len() > MAX_BODY && shown > 1 {
            shown = shown * 3 / 4;
            table = markdown::table(cx, &items[..shown]);
        }
        body.push_str(&table);
        if shown < items.len() {
            body.push_str(&format!(
                "\n…and {} more: run `nhi due --owner {owner}` for the whole list.\n",
                items.len() - shown
            ));
        }
    }
    body.push_str("\nEach command records the work in the registry; the pull request that commits it clears the item. This issue is kept up to date by a scheduled `nhi due` and closes when nothing is due.\n");
    json!({
        "owner": owner,
        "marker": marker(owner),
        "title": format!("What falls due for {label}"),
        "state": if items.is_empty() { "closed" } else { "open" },
        "items": items.len(),
        "overdue": overdue,
        "body": body,
    })
}
