//! The edits themselves, as splices of the text: replace a scalar, insert an entry, remove an entry or item
//! with its own lines. Each works out where a careful person would type, or says why it cannot.

use super::text::{
    column, line_end, line_start, newline, render_str, starts_line, with_comments_above,
};
use super::tree::{Node, NodeKind, Style};
use super::Scalar;

/// Replace `start..end` with `text`.
#[derive(Debug)]
pub struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Why an edit cannot be made: the byte it concerns and what.
#[derive(Debug)]
pub struct Refusal {
    pub at: usize,
    pub message: String,
}

fn refuse<T>(at: usize, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        at,
        message: message.into(),
    })
}

/// The splice that sets `path` under `root` to `value` (`None`: the value is already there). A missing key
/// is inserted after the first of `after` present in its mapping, or after the mapping's last entry.
pub fn set(
    text: &str,
    root: &Node,
    path: &[String],
    value: &Scalar,
    after: &[&str],
) -> Result<Option<Splice>, Refusal> {
    let mut node = root;
    let mut flow_context = false;
    for (i, token) in path.iter().enumerate() {
        match &node.kind {
            NodeKind::Map { flow, entries } => {
                flow_context |= *flow;
                match entries.iter().find(|(k, _)| k.key_text() == Some(token)) {
                    Some((_, v)) => node = v,
                    None => return insert(text, node, &path[i..], value, after).map(Some),
                }
            }
            NodeKind::Seq { flow, items } => {
                flow_context |= *flow;
                match token.parse::<usize>().ok().and_then(|n| items.get(n)) {
                    Some(item) => node = item,
                    None => return refuse(node.start, format!("the list has no item {token}")),
                }
            }
            NodeKind::Scalar { .. } => {
                return refuse(
                    node.start,
                    format!("`{}` is not a mapping here", path[..i].join(".")),
                )
            }
        }
    }
    replace(text, node, value, flow_context)
}

fn replace(text: &str, node: &Node, value: &Scalar, flow: bool) -> Result<Option<Splice>, Refusal> {
    let NodeKind::Scalar { style, value: old } = &node.kind else {
        return refuse(
            node.start,
            "the value here is a mapping or a list, not a single value",
        );
    };
    if *style == Style::Block || text[node.start..node.end].contains('\n') {
        return refuse(node.start, "the value spans several lines");
    }
    let new = render(value, *style, flow);
    if text[node.start..node.end] == new || (value.same_as(old) && *style != Style::Plain) {
        return Ok(None);
    }
    if node.start == node.end {
        // An empty value (`key:`): the new one goes after the colon.
        return Ok(Some(Splice {
            start: node.start,
            end: node.end,
            text: format!(" {new}"),
        }));
    }
    Ok(Some(Splice {
        start: node.start,
        end: node.end,
        text: new,
    }))
}

fn render(value: &Scalar, style: Style, flow: bool) -> String {
    match value {
        Scalar::Str(s) => render_str(s, style, flow),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
    }
}

/// Inserts `path` (its first token missing from `map`) with `value`.
fn insert(
    text: &str,
    map: &Node,
    path: &[String],
    value: &Scalar,
    after: &[&str],
) -> Result<Splice, Refusal> {
    let NodeKind::Map { flow, entries } = &map.kind else {
        return refuse(map.start, "not a mapping");
    };
    if *flow {
        let entry = flow_entry(path, value);
        return Ok(match entries.last() {
            None => Splice {
                start: map.start + 1,
                end: map.start + 1,
                text: entry,
            },
            Some((_, v)) => Splice {
                start: v.end,
                end: v.end,
                text: format!(", {entry}"),
            },
        });
    }
    let Some((first, _)) = entries.first() else {
        return refuse(map.start, "an empty mapping");
    };
    let indent = column(text, first.start);
    if let Some((k, _)) = entries
        .iter()
        .find(|(k, _)| column(text, k.start) != indent)
    {
        return refuse(k.start, "the keys of this mapping are not aligned");
    }
    let anchor = after
        .iter()
        .find_map(|name| entries.iter().find(|(k, _)| k.key_text() == Some(name)))
        .or(entries.last())
        .map(|(_, v)| v.end)
        .unwrap_or(map.end);
    let nl = newline(text);
    let step = indent_step(text, map).unwrap_or(2);
    let block = block_entry(path, value, indent, step, nl);
    let at = line_end(text, anchor);
    let text_block = if at == text.len() && !text.ends_with('\n') {
        format!("{nl}{}", block.trim_end_matches(['\r', '\n']))
    } else {
        block
    };
    Ok(Splice {
        start: at,
        end: at,
        text: text_block,
    })
}

/// `key: value` in flow style, nesting `{…}` for the remaining keys.
fn flow_entry(path: &[String], value: &Scalar) -> String {
    let key = render_str(&path[0], Style::Plain, true);
    match path.len() {
        1 => format!("{key}: {}", render(value, Style::Plain, true)),
        _ => format!("{key}: {{{}}}", flow_entry(&path[1..], value)),
    }
}

/// `key: value` lines in block style at `indent`, nested keys `step` deeper.
fn block_entry(path: &[String], value: &Scalar, indent: usize, step: usize, nl: &str) -> String {
    let key = render_str(&path[0], Style::Plain, false);
    let pad = " ".repeat(indent);
    match path.len() {
        1 => format!("{pad}{key}: {}{nl}", render(value, Style::Plain, false)),
        _ => format!(
            "{pad}{key}:{nl}{}",
            block_entry(&path[1..], value, indent + step, step, nl)
        ),
    }
}

/// How much deeper the file indents a nested block mapping, from the first one under `map`.
fn indent_step(text: &str, map: &Node) -> Option<usize> {
    let NodeKind::Map { entries, .. } = &map.kind else {
        return None;
    };
    let outer = column(text, entries.first()?.0.start);
    entries.iter().find_map(|(_, v)| match &v.kind {
        NodeKind::Map {
            flow: false,
            entries,
        } if starts_line(text, entries.first()?.0.start) => {
            let inner = column(text, entries.first()?.0.start);
            (inner > outer).then_some(inner - outer)
        }
        _ => None,
    })
}

/// The splice that removes the entry or item at the end of `path`, with its own lines and the comment
/// lines directly above it (`None`: nothing there).
pub fn remove(text: &str, root: &Node, path: &[String]) -> Result<Option<Splice>, Refusal> {
    let Some((last, parents)) = path.split_last() else {
        return refuse(root.start, "cannot remove a whole document");
    };
    let mut node = root;
    for token in parents {
        let next = match &node.kind {
            NodeKind::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| k.key_text() == Some(token))
                .map(|(_, v)| v),
            NodeKind::Seq { items, .. } => token.parse::<usize>().ok().and_then(|n| items.get(n)),
            NodeKind::Scalar { .. } => None,
        };
        match next {
            Some(n) => node = n,
            None => return Ok(None),
        }
    }
    // Each member as (where it starts, where its text ends).
    let (members, flow, index): (Vec<(usize, usize)>, bool, Option<usize>) = match &node.kind {
        NodeKind::Map { flow, entries } => (
            entries.iter().map(|(k, v)| (k.start, v.end)).collect(),
            *flow,
            entries.iter().position(|(k, _)| k.key_text() == Some(last)),
        ),
        NodeKind::Seq { flow, items } => (
            items.iter().map(|v| (v.start, v.end)).collect(),
            *flow,
            last.parse::<usize>().ok().filter(|&n| n < items.len()),
        ),
        NodeKind::Scalar { .. } => return Ok(None),
    };
    let Some(index) = index else {
        return Ok(None);
    };
    let (start, end) = members[index];
    if flow {
        return Ok(Some(match (index.checked_sub(1), members.get(index + 1)) {
            (_, Some(&(next, _))) => Splice {
                start,
                end: next,
                text: String::new(),
            },
            (Some(prev), None) => Splice {
                start: members[prev].1,
                end,
                text: String::new(),
            },
            (None, None) => Splice {
                start,
                end,
                text: String::new(),
            },
        }));
    }
    if members.len() == 1 {
        return refuse(start, "removing the only entry would leave an empty value");
    }
    let is_item = matches!(node.kind, NodeKind::Seq { .. });
    let first = line_start(text, start);
    let lead = &text[first..start];
    let simple = if is_item {
        lead.trim_start_matches(' ').trim_end_matches(' ') == "-"
    } else {
        lead.bytes().all(|b| b == b' ')
    };
    if !simple {
        return refuse(start, "it does not stand on lines of its own");
    }
    let indent = lead.len() - lead.trim_start_matches(' ').len();
    let from = with_comments_above(text, first, indent);
    let to = line_end(text, end);
    if to == text.len() && !text.ends_with('\n') {
        // The last line has no line break: take the one before it, so the file still ends without one.
        let before = text[..from]
            .trim_end_matches('\n')
            .trim_end_matches('\r')
            .len();
        return Ok(Some(Splice {
            start: before,
            end: to,
            text: String::new(),
        }));
    }
    Ok(Some(Splice {
        start: from,
        end: to,
        text: String::new(),
    }))
}
