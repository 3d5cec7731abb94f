//! Field-by-field changes of one identity: every leaf of the document as a dotted name and a display value.
//!
//! Access entries are named by their system (`access.stripe.level`), so reordering them is no change; lists
//! of ids (`used_by`, `credential.stores`, `tags`) compare as sets and show as comma-separated text.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value as Json;

use crate::model::{Doc, Identity};

/// One field before and after (`None`: absent on that side).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields that differ between two versions of an identity, in field order; the file counts as a field.
pub fn changes(before: &Doc<Identity>, after: &Doc<Identity>) -> Vec<FieldChange> {
    let (old, new) = (leaves(before), leaves(after));
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter(|name| old.get(*name) != new.get(*name))
        .map(|name| FieldChange {
            field: name.clone(),
            before: old.get(name).cloned(),
            after: new.get(name).cloned(),
        })
        .collect()
}

/// Every present leaf of the identity, by dotted name.
fn leaves(doc: &Doc<Identity>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("file".to_string(), doc.source.file.to_string());
    let Ok(Json::Object(map)) = serde_json::to_value(&doc.item) else {
        return out;
    };
    for (name, value) in map {
        if name == "access" {
            access_leaves(&value, &mut out);
        } else {
            flatten(&name, &value, &mut out);
        }
    }
    out
}

fn access_leaves(value: &Json, out: &mut BTreeMap<String, String>) {
    let Json::Array(entries) = value else { return };
    for entry in entries {
        let Some(system) = entry.get("system").and_then(Json::as_str) else {
            continue;
        };
        let Json::Object(fields) = entry else {
            continue;
        };
        for (name, value) in fields.iter().filter(|(name, _)| *name != "system") {
            // A repeated system keeps its first entry, as the access comparison keeps the highest level.
            let prefix = format!("access.{system}.{name}");
            if !out.contains_key(&prefix) {
                flatten(&prefix, value, out);
            }
        }
    }
}

fn flatten(name: &str, value: &Json, out: &mut BTreeMap<String, String>) {
    match value {
        Json::Null => {}
        Json::Object(map) => {
            for (key, value) in map {
                flatten(&format!("{name}.{key}"), value, out);
            }
        }
        Json::Array(items) if items.is_empty() => {}
        Json::Array(items) => {
            let set: BTreeSet<String> = items.iter().map(scalar).collect();
            out.insert(
                name.to_string(),
                set.into_iter().collect::<Vec<_>>().join(", "),
            );
        }
        other => {
            out.insert(name.to_string(), scalar(other));
        }
    }
}

fn scalar(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}
