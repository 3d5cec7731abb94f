//! What the loader reads from a text, as JSON, and the same tree with one value set or removed: an edit
//! stands only when the edited text reads back as exactly the expected tree.

use serde_json::{Map, Value as Json};

use crate::load::yaml::{self, Node, Value};

/// Every document of `text` as the loader reads it, or the line and message of the first problem
/// (a file that does not parse, a duplicate key).
pub fn trees(text: &str) -> Result<Vec<Json>, (u32, String)> {
    let parsed = yaml::parse(text);
    if let Some(p) = parsed.fatal {
        return Err((p.pos.line.get(), p.message));
    }
    let mut out = Vec::with_capacity(parsed.documents.len());
    for doc in parsed.documents {
        if let Some(p) = doc.problems.first() {
            return Err((p.pos.line.get(), p.message.clone()));
        }
        out.push(json(&doc.root));
    }
    Ok(out)
}

fn json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        // NaN and infinities have no JSON number; their text form keeps them comparable.
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or_else(|| Json::String(f.to_string()), Json::Number),
        Value::Str(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(json).collect()),
        Value::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                map.insert(k.text.clone(), json(v));
            }
            Json::Object(map)
        }
    }
}

/// Sets `path` in `tree` to `value`, creating missing objects on the way.
pub fn set(tree: &mut Json, path: &[String], value: Json) {
    let mut node = tree;
    for token in path {
        if node.is_null() {
            *node = Json::Object(Map::new());
        }
        node = match node {
            Json::Object(map) => map.entry(token.clone()).or_insert(Json::Null),
            Json::Array(items) => {
                match token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return,
                }
            }
            _ => return,
        };
    }
    *node = value;
}

/// Removes the member or item at `path` from `tree`.
pub fn remove(tree: &mut Json, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = tree;
    for token in parents {
        node = match node {
            Json::Object(map) => match map.get_mut(token) {
                Some(n) => n,
                None => return,
            },
            Json::Array(items) => {
                match token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(n) => n,
                    None => return,
                }
            }
            _ => return,
        };
    }
    match node {
        Json::Object(map) => {
            map.shift_remove(last);
        }
        Json::Array(items) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|&i| i < items.len()) {
                items.remove(i);
            }
        }
        _ => {}
    }
}
