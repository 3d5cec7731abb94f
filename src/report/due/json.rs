//! The JSON output of `nhi due` (SPEC section 12), with `column`, `rule` and `waived_by` added to each item.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{Context, Emitter};
use crate::due::Item;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, cx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        crate::report::pretty_json(out, &document(cx))
    }
}

pub fn document(cx: &Context<'_>) -> Value {
    json!({
        "as_of": cx.due.as_of.to_string(),
        "within": cx.due.within,
        "items": cx.due.items.iter().map(|i| item(cx, i)).collect::<Vec<_>>(),
    })
}

fn item(cx: &Context<'_>, i: &Item) -> Value {
    json!({
        "owner": i.owner,
        "what": i.what.as_str(),
        "kind": i.kind(),
        "id": i.id(),
        "due": i.deadline.day().map(|d| d.to_string()),
        "overdue": i.overdue(cx.due.as_of),
        "file": &*i.place.file,
        "line": i.place.pos.line.get(),
        "column": i.place.pos.column.get(),
        "command": cx.command(i),
        "rule": i.rule(),
        "waived_by": i.waived_by,
    })
}
