//! One YAML tree to what the rest of the tool needs: JSON for the schema and the typed model, a locator for
//! positions, and the secrets found on the way (replaced, so no later output can show them).

use serde_json::{Map, Number, Value as Json};

use super::yaml::{Node, Value};
use crate::secrets;
use crate::span::{push_token, unescape_token, Locator, Pos};

/// Integral floats up to 2^53 are exact in an `f64` and become integers.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

/// What replaces a secret value in everything built from the document.
pub const REDACTED: &str = "[redacted]";

/// A secret found in a document: where, in which field, and what it looks like.
#[derive(Debug)]
pub struct SecretHit {
    pub pointer: String,
    pub pos: Pos,
    pub what: &'static str,
}

/// The converted document.
pub struct Converted {
    pub json: Json,
    pub secrets: Vec<SecretHit>,
}

/// Converts a document's root node, moving its strings.
pub fn convert(root: Node) -> Converted {
    let mut secrets = Vec::new();
    let json = walk(root, &mut String::new(), &mut secrets);
    Converted { json, secrets }
}

/// The positions of every JSON pointer of a document: its key (the item, in a sequence) and its value.
pub fn locate(root: &Node) -> Locator {
    fn visit(node: &Node, pointer: &mut String, locator: &mut Locator) {
        match &node.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    push_token(pointer, &i.to_string());
                    locator.insert(pointer, item.pos, item.pos);
                    visit(item, pointer, locator);
                    pointer.truncate(len);
                }
            }
            Value::Map(entries) => {
                for (key, value) in entries {
                    let len = pointer.len();
                    // As `walk` names it: a secret key is replaced in pointers too.
                    match secrets::detect(&key.text) {
                        Some(_) => push_token(pointer, REDACTED),
                        None => push_token(pointer, &key.text),
                    }
                    locator.insert(pointer, key.pos, value.pos);
                    visit(value, pointer, locator);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut locator = Locator::default();
    locator.insert("", root.pos, root.pos);
    visit(root, &mut String::new(), &mut locator);
    locator.finish();
    locator
}

fn walk(node: Node, pointer: &mut String, secrets: &mut Vec<SecretHit>) -> Json {
    match node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(b),
        Value::Int(i) => Json::Number(i.into()),
        // `1e2` is a float in YAML but an integer to JSON Schema: keep it one, so the typed model reads it.
        Value::Float(f) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER => {
            Json::Number((f as i64).into())
        }
        Value::Float(f) => {
            Number::from_f64(f).map_or_else(|| Json::String(f.to_string()), Json::Number)
        }
        Value::Str(s) => match secrets::detect(&s) {
            Some(what) => {
                secrets.push(SecretHit {
                    pointer: pointer.clone(),
                    pos: node.pos,
                    what,
                });
                Json::String(REDACTED.into())
            }
            None => Json::String(s),
        },
        Value::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = pointer.len();
                push_token(pointer, &i.to_string());
                out.push(walk(item, pointer, secrets));
                pointer.truncate(len);
            }
            Json::Array(out)
        }
        Value::Map(entries) => {
            let mut out = Map::with_capacity(entries.len());
            for (key, value) in entries {
                let len = pointer.len();
                // A secret used as a key is reported at the map that holds it (the key would name itself),
                // and replaced in the pointer too, so no message or fingerprint keeps it.
                let name = match secrets::detect(&key.text) {
                    Some(what) => {
                        secrets.push(SecretHit {
                            pointer: pointer.clone(),
                            pos: key.pos,
                            what,
                        });
                        REDACTED.to_string()
                    }
                    None => key.text,
                };
                push_token(pointer, &name);
                let converted = walk(value, pointer, secrets);
                pointer.truncate(len);
                // Duplicate keys are reported by the parser; the first one is kept, as the message says.
                out.entry(name).or_insert(converted);
            }
            Json::Object(out)
        }
    }
}

/// Removes the value at `pointer` (an object member or an array item), if present.
pub fn remove(json: &mut Json, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = unescape_token(last);
    match json.pointer_mut(parent) {
        Some(Json::Object(map)) => {
            map.remove(&last);
        }
        Some(Json::Array(items)) => {
            if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *item = Json::Null;
            }
        }
        _ => {}
    }
}

/// Drops the `null` items that [`remove`] left in arrays (no list of the model holds nulls).
pub fn compact(json: &mut Json) {
    match json {
        Json::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(compact);
        }
        Json::Object(map) => map.values_mut().for_each(compact),
        _ => {}
    }
}
